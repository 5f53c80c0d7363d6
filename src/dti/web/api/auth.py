"""Who is calling: the user behind a ``Bearer`` token, or nobody.

Sessions are deliberately ignored: the API is used by other systems with tokens, and with no
cookie-based authentication there is no cross-site request to forge.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from dti.web.api.errors import ApiError, ErrorCode
from dti.web.api.services import token_authenticate

_BAD_TOKEN = "The API token is unknown or revoked."  # noqa: S105 - a message, not a secret


def _bearer(request: HttpRequest) -> str | None:
    """The token of the Authorization header; None without one; 401 if it is malformed."""
    value = request.headers.get("Authorization")
    if not value:
        return None
    scheme, _space, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(ErrorCode.NOT_AUTHENTICATED, _("Send “Authorization: Bearer <token>”."))
    return token.strip()


def token_user(request: HttpRequest) -> User | None:
    """The token's user, None when no token was sent; a bad token is refused (401)."""
    secret = _bearer(request)
    if secret is None:
        return None
    user = token_authenticate(secret)
    if user is None:
        raise ApiError(ErrorCode.NOT_AUTHENTICATED, _(_BAD_TOKEN))
    return user


def caller(request: HttpRequest) -> User | AnonymousUser:
    """For the endpoints open to everyone: the token's user, or an anonymous user."""
    return token_user(request) or AnonymousUser()


class TokenAuth(HttpBearer):
    """Required token (write endpoints and everything unpublished)."""

    def __call__(self, request: HttpRequest) -> Any:
        user = token_user(request)
        if user is None:
            raise ApiError(ErrorCode.NOT_AUTHENTICATED, _("An API token is required."))
        return user

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover
        return token_authenticate(token)


def auth_user(request: HttpRequest) -> User:
    """The user TokenAuth put on the request."""
    user = getattr(request, "auth", None)
    assert isinstance(user, User)
    return user
