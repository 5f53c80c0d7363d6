"""The two kinds of user the code meets: an *actor* who changes something (always signed in,
a row in the user table that audit events point at) and a *viewer* who asks to see something
(possibly anonymous). Services take actors; the policy answers for viewers."""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.http import HttpRequest
from django.utils.translation import gettext as _

from dti.web.errors import Forbidden

Actor: TypeAlias = User
Viewer: TypeAlias = AbstractBaseUser | AnonymousUser | None


def actor_of(request: HttpRequest) -> Actor:
    """The signed-in user of a request that reached a view behind a login check."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise Forbidden(_("Sign in first."))
    return user
