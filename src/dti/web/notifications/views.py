"""Room: notifications — the inbox page and the e-mail preferences page (any signed-in user;
each sees and changes only their own)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dti.web.notifications import selectors, services
from dti.web.notifications.kinds import Kind
from dti.web.notifications.models import Notification
from dti.web.notifications.texts import notification_text

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # LoginRequiredMiddleware: signed in
    return request.user


def notification_inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = Paginator(selectors.inbox(user), PAGE_SIZE).get_page(request.GET.get("page"))
    items = [(n, notification_text(n)) for n in page.object_list]
    return render(request, "notifications/inbox.html", {"page": page, "items": items})


@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark it read, then go where it points."""
    user = _user(request)
    notification = get_object_or_404(Notification, pk=pk, user=user)
    services.notification_read(user=user, notification_id=notification.pk)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect("notification_inbox")


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_read_all(user=_user(request))
    return redirect("notification_inbox")


class PreferencesForm(forms.Form):
    emailed = forms.MultipleChoiceField(
        choices=Kind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


def notification_preferences(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            services.preferences_set(
                user=user, emailed=[Kind(k) for k in form.cleaned_data["emailed"]]
            )
            messages.success(request, _("Your e-mail choices are saved."))
            return redirect("notification_preferences")
    else:
        form = PreferencesForm(initial={"emailed": sorted(selectors.emailed_kinds(user))})
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "has_email": bool(user.email)},
    )
