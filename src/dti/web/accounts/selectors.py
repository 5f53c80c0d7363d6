"""Reads for the account pages: the accounts an administrator manages, filtered."""

from __future__ import annotations

from django.db.models import QuerySet

from dti.web.accounts.actors import Viewer
from dti.web.accounts.models import Membership
from dti.web.accounts.policy import managed_accounts
from dti.web.audit.models import AuditEvent
from dti.web.registry.models import Unit


def accounts_listed(
    viewer: Viewer, *, role: str = "", unit: Unit | None = None, active: str = ""
) -> QuerySet[Membership]:
    qs = managed_accounts(viewer, Membership.objects.select_related("user", "province"))
    if role:
        qs = qs.filter(role=role)
    if unit is not None:
        qs = qs.filter(units=unit)
    if active in ("0", "1"):
        qs = qs.filter(user__is_active=active == "1")
    return qs.prefetch_related("units").order_by("user__username")


def account_of(viewer: Viewer, pk: int) -> Membership | None:
    """The account ``pk`` if ``viewer`` manages it (another province's: none, as if absent)."""
    return (
        managed_accounts(viewer, Membership.objects.select_related("user", "province"))
        .prefetch_related("units")
        .filter(pk=pk)
        .first()
    )


def account_history(account: Membership) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type="auth.user", object_id=str(account.user_id))
