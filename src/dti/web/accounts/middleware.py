"""Sign-in steps that come after the password: the second factor (TOTP, when the setting
is on, for the roles the policy names) and choosing one's own password after an
administrator typed it. Until done, every page leads to the step; the step's own pages,
signing out and the language switch stay open."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from dti.web.accounts.passwords import must_choose_password
from dti.web.accounts.policy import needs_second_factor
from dti.web.accounts.two_factor import has_confirmed_device

OPEN_ALWAYS = frozenset({"logout", "set_language", "health"})
TWO_FACTOR_PAGES = frozenset({"two_factor_verify", "two_factor_enrol"})
PASSWORD_PAGES = frozenset({"password_change", "password_change_done"})


class SignInStepsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        match = request.resolver_match
        name = match.url_name if match is not None else None
        if not isinstance(user, User) or not user.is_authenticated or name in OPEN_ALWAYS:
            return None
        if needs_second_factor(user) and not user.is_verified():  # type: ignore[attr-defined]
            if name in TWO_FACTOR_PAGES:
                return None
            if has_confirmed_device(user):
                return redirect("two_factor_verify")
            return redirect("two_factor_enrol")
        if must_choose_password(user) and name not in PASSWORD_PAGES:
            messages.info(request, _("Choose your own password before you go on."))
            return redirect("password_change")
        return None
