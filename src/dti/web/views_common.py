"""Small helpers the thin views share: role checks and turning service errors into answers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import polars as pl
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse

from dti.io.cells import parse_number_expr
from dti.web.accounts.models import Role
from dti.web.accounts.policy import has_role
from dti.web.errors import Forbidden, ServiceError

V = TypeVar("V", bound=Callable[..., HttpResponse])


def role_required(*roles: Role) -> Callable[[V], V]:
    """403 unless the user holds one of ``roles`` (login is already enforced globally)."""

    def decorate(view: V) -> V:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def error_response(request: HttpRequest, error: ServiceError, redirect_to: str) -> HttpResponse:
    """Forbidden → 403; other refusals → a message (or JSON for the fetch helper)."""
    from django.shortcuts import redirect

    if isinstance(error, Forbidden) and not wants_json(request):
        raise PermissionDenied(error.message)
    if wants_json(request):
        # The page's script shows the message, a refusal's too (an HTML 403 page would reach
        # it as an answer it cannot read).
        return JsonResponse(
            {"ok": False, "code": error.code, "message": error.message, "problems": error.problems},
            status=error.http_status,
        )
    messages.error(request, error.message, extra_tags=error.code)
    for problem in error.problems[:100]:
        messages.warning(request, problem)
    return redirect(redirect_to)


def parse_number(text: str | None) -> float | None:
    """Read a number as officials type it (12,5; 1.234,5; 0.75) using dti.io's rules."""
    if text is None or not text.strip():
        return None
    value = pl.DataFrame({"v": [text]}).select(parse_number_expr("v")).item()
    if value is None:
        raise ValueError(text)
    return float(value)
