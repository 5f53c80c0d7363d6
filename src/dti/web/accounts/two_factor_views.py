"""Room: accounts — the two-factor pages: enrolment (key, QR code, first token, recovery
tokens) and the token asked after the password."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy

from dti.web.accounts.actors import actor_of
from dti.web.accounts.policy import needs_second_factor
from dti.web.accounts.two_factor import (
    device_qr_data_uri,
    device_secret,
    enrolment_device,
    has_confirmed_device,
    two_factor_enrol,
    two_factor_verify,
)
from dti.web.errors import ServiceError


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code from the authenticator app (or a recovery code)"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def two_factor_enrol_page(request: HttpRequest) -> HttpResponse:
    user = actor_of(request)
    if not needs_second_factor(user):  # (the setting is off, or the role signs in without)
        return redirect("home")
    if has_confirmed_device(user):
        return redirect("two_factor_verify")
    device = enrolment_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recovery = two_factor_enrol(
                request=request, device=device, token=form.cleaned_data["token"]
            )
        except ServiceError as error:
            form.add_error("token", error.message)
        else:
            return render(request, "accounts/two_factor_done.html", {"recovery": recovery})
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {"form": form, "secret": device_secret(device), "qr": device_qr_data_uri(device)},
    )


def two_factor_verify_page(request: HttpRequest) -> HttpResponse:
    if not needs_second_factor(request.user):
        return redirect("home")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor_verify(request=request, token=form.cleaned_data["token"])
        except ServiceError as error:
            form.add_error("token", error.message)
        else:
            return redirect("home")
    return render(request, "accounts/two_factor_verify.html", {"form": form})
