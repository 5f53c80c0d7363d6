"""Creating, revoking and checking API tokens (the only writes of this app)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dti.web.accounts.actors import Actor
from dti.web.api.models import ApiToken
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_record

TOKEN_PREFIX = "dti_"  # noqa: S105 - marks tokens for secret scanners; not a secret
# last_used_at is written at most this often per token, so reads do not each cost a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def token_create(*, actor: Actor | None, user: User, name: str = "") -> NewToken:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name[:100], prefix=secret[:12], digest=token_digest(secret)
        )
        audit_record(actor=actor, action=AuditAction.API_TOKEN_CREATE, obj=token, new=token.prefix)
    return NewToken(token=token, secret=secret)


def token_revoke(
    *, actor: Actor | None, token: ApiToken, now: dt.datetime | None = None
) -> ApiToken:
    now = now or timezone.now()
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor, action=AuditAction.API_TOKEN_REVOKE, obj=token, old=token.prefix
            )
    return token


def token_authenticate(secret: str, *, now: dt.datetime | None = None) -> User | None:
    """The active user holding ``secret``, or None; records the token's last use."""
    if not secret or len(secret) > 200 or "\x00" in secret:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
