"""The e-mail that lets a new (or locked-out) account choose its password: a one-time link of
Django's password-reset machinery (``default_token_generator``, ``password_reset_confirm``),
always in Vietnamese, whatever language the administrator's page is in."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from dti.web.accounts.actors import Actor
from dti.web.accounts.models import Membership
from dti.web.accounts.policy import require_manage_account
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_record
from dti.web.errors import InvalidInput


class MailFailed(InvalidInput):
    """The mail server refused or could not be reached (the transaction is undone)."""


@dataclass(frozen=True)
class Site:
    """Where the link points (the address the administrator's browser used)."""

    protocol: str
    domain: str


def set_password_link(user: User, site: Site) -> str:
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{site.protocol}://{site.domain}{path}"


def invitation_message(user: User, site: Site) -> EmailMessage:
    context = {"user": user, "link": set_password_link(user, site), "site": site}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/email/set_password_subject.txt", context)
        body = render_to_string("accounts/email/set_password_body.txt", context)
    return EmailMessage(" ".join(subject.split()), body, to=[user.email])


def invitations_send(users: Sequence[User], site: Site) -> int:
    """Send each user the link, over one connection (inside the caller's transaction: if the
    mail server refuses, the accounts are not created either)."""
    messages = [invitation_message(u, site) for u in users]
    try:
        with get_connection() as connection:
            return int(connection.send_messages(messages) or 0)
    except (OSError, smtplib.SMTPException) as error:
        raise MailFailed(
            _("The mail server did not accept the messages (%(error)s); nothing was saved.")
            % {"error": error}
        ) from error


def account_invite(*, actor: Actor, account: Membership, site: Site, reason: str = "") -> None:
    """Send the set-password link again (the old links stop working once a password is set)."""
    require_manage_account(actor, account)
    user = account.user
    if not user.email:
        raise InvalidInput(_("The account has no e-mail address."))
    if not user.is_active:
        raise InvalidInput(_("Reactivate the account first."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.USER_INVITE,
            obj=user,
            field="email",
            new=user.email,
            reason=reason,
        )
        invitations_send([user], site)
