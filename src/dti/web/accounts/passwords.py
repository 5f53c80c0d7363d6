"""A password typed by an administrator is the user's until their first sign-in only: the
membership keeps a fingerprint of the hash it had, and while the hash is unchanged the user
must choose their own (:class:`dti.web.accounts.middleware.ForcedPasswordChangeMiddleware`)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils.crypto import constant_time_compare, salted_hmac

from dti.web.accounts.models import Membership

_SALT = "dti.accounts.admin-set-password"


def password_mark(user: User) -> str:
    """The fingerprint of ``user``'s current password hash (never the hash itself)."""
    return salted_hmac(_SALT, user.password, algorithm="sha256").hexdigest()


def must_choose_password(user: User) -> bool:
    """Whether ``user`` still signs in with the password an administrator set."""
    try:
        mark = user.membership.admin_password_mark
    except Membership.DoesNotExist:
        return False
    return bool(mark) and constant_time_compare(mark, password_mark(user))
