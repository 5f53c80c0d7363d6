"""Room: accounts — the services that create and change accounts (admin work, the dataset
loader, the bulk creation of reporters from a workbook)."""

from __future__ import annotations

from dti.web.accounts.services.bulk_reporters import (
    ReporterPlan,
    reporters_create,
    reporters_plan,
)
from dti.web.accounts.services.invitations import Site, account_invite, invitation_message
from dti.web.accounts.services.users import (
    AccountChange,
    account_deactivate,
    account_reactivate,
    account_update,
    user_create,
)

__all__ = [
    "AccountChange",
    "ReporterPlan",
    "Site",
    "account_deactivate",
    "account_invite",
    "account_reactivate",
    "account_update",
    "invitation_message",
    "reporters_create",
    "reporters_plan",
    "user_create",
]
