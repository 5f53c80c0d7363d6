"""Room: accounts — the administrator's pages for the accounts of their province: the list,
create, edit, deactivate / reactivate and sending the set-password link again."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dti.web.accounts.actors import actor_of
from dti.web.accounts.forms import (
    AccountCreateForm,
    AccountFilterForm,
    AccountForm,
    AccountStatusForm,
)
from dti.web.accounts.models import Membership, Role
from dti.web.accounts.policy import ADMINS
from dti.web.accounts.selectors import account_history, account_of, accounts_listed
from dti.web.accounts.services import (
    AccountChange,
    Site,
    account_deactivate,
    account_invite,
    account_reactivate,
    account_update,
    user_create,
)
from dti.web.errors import ServiceError
from dti.web.views_common import error_response, role_required

PAGE_SIZE = 25


def site_of(request: HttpRequest) -> Site:
    return Site(protocol=request.scheme or "http", domain=request.get_host())


def _account(request: HttpRequest, pk: int) -> Membership:
    account = account_of(request.user, pk)
    if account is None:
        raise Http404
    return account


@role_required(*ADMINS)
def account_list(request: HttpRequest) -> HttpResponse:
    filters = AccountFilterForm(request.GET or None, viewer=request.user)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    accounts = accounts_listed(
        request.user,
        role=chosen.get("role", ""),
        unit=chosen.get("unit"),
        active=chosen.get("active", ""),
    )
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/account_list.html",
        {"filters": filters, "page": page, "query": query.urlencode()},
    )


@role_required(*ADMINS)
def account_create(request: HttpRequest) -> HttpResponse:
    form = AccountCreateForm(request.POST or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_create(
                actor=actor_of(request),
                username=data["username"],
                password=data["password"] or None,
                role=Role(data["role"]),
                units=list(data["units"]),
                full_name=data["full_name"],
                email=data["email"],
                phone=data["phone"],
                reason=data["reason"],
                invite=None if data["password"] else site_of(request),
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Account %(name)s created.") % {"name": user.username})
            return redirect("account_edit", user.membership.pk)
    return render(request, "accounts/account_form.html", {"form": form, "creating": True})


@role_required(*ADMINS)
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    user = account.user
    initial = {
        "full_name": user.get_full_name(),
        "email": user.email,
        "phone": account.phone,
        "role": account.role,
        "units": list(account.units.all()),
    }
    form = AccountForm(request.POST or None, initial=initial, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        change = AccountChange(
            full_name=data["full_name"],
            email=data["email"],
            phone=data["phone"],
            role=Role(data["role"]),
            units=list(data["units"]),
        )
        try:
            account_update(
                actor=actor_of(request), account=account, change=change, reason=data["reason"]
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The account is saved."))
            return redirect("account_edit", account.pk)
    return render(
        request,
        "accounts/account_form.html",
        {
            "form": form,
            "account": account,
            "status_form": AccountStatusForm(),
            "history": account_history(account)[:50],
        },
    )


@require_POST
@role_required(*ADMINS)
def account_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    form = AccountStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason and tick the confirmation."))
        return redirect("account_edit", account.pk)
    change = account_reactivate if request.POST.get("active") == "1" else account_deactivate
    try:
        change(actor=actor_of(request), account=account, reason=form.cleaned_data["reason"])
    except ServiceError as error:
        return error_response(request, error, reverse("account_edit", args=[account.pk]))
    messages.success(request, _("The account is saved."))
    return redirect("account_edit", account.pk)


@require_POST
@role_required(*ADMINS)
def account_send_link(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    try:
        account_invite(
            actor=actor_of(request),
            account=account,
            site=site_of(request),
            reason=request.POST.get("reason", ""),
        )
    except ServiceError as error:
        return error_response(request, error, reverse("account_edit", args=[account.pk]))
    messages.success(
        request, _("A set-password link was sent to %(email)s.") % {"email": account.user.email}
    )
    return redirect("account_edit", account.pk)
