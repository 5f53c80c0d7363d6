"""The assessment state machine as data: which role moves which state where, and when.

draft ──submit──▶ submitted ──start_verification──▶ under_verification
  ▲                                                     │ finish_verification
  │ reopen_to_draft (admin, reason)                     ▼
  └──────────── any later state ◀──────────────────── verified ──approve──▶ approved
                reopen_to_verification (admin, reason) ◀──────────────┘      │ publish
                                                                             ▼
                                                                         published
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dti.web.accounts.models import Role
from dti.web.assessments.models import Status


class Deadline(StrEnum):
    NONE = "none"
    SELF = "self"
    VERIFICATION = "verification"


@dataclass(frozen=True)
class Transition:
    name: str
    label: str | Promise
    sources: frozenset[Status]
    target: Status
    roles: frozenset[Role]
    deadline: Deadline = Deadline.NONE
    needs_reason: bool = False


def _t(
    name: str,
    label: str | Promise,
    sources: set[Status],
    target: Status,
    roles: set[Role],
    deadline: Deadline = Deadline.NONE,
    needs_reason: bool = False,
) -> Transition:
    return Transition(
        name, label, frozenset(sources), target, frozenset(roles), deadline, needs_reason
    )


S = Status
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        _t("submit", _("Submit"), {S.DRAFT}, S.SUBMITTED, {Role.REPORTER}, Deadline.SELF),
        _t(
            "start_verification",
            _("Start verification"),
            {S.SUBMITTED},
            S.UNDER_VERIFICATION,
            {Role.VERIFIER},
            Deadline.VERIFICATION,
        ),
        _t(
            "finish_verification",
            _("Finish verification"),
            {S.UNDER_VERIFICATION},
            S.VERIFIED,
            {Role.VERIFIER},
            Deadline.VERIFICATION,
        ),
        _t("approve", _("Approve"), {S.VERIFIED}, S.APPROVED, {Role.ADMIN}),
        _t("publish", _("Publish"), {S.APPROVED}, S.PUBLISHED, {Role.ADMIN}),
        _t(
            "reopen_to_draft",
            _("Reopen for the unit"),
            {S.SUBMITTED, S.UNDER_VERIFICATION, S.VERIFIED, S.APPROVED, S.PUBLISHED},
            S.DRAFT,
            {Role.ADMIN},
            needs_reason=True,
        ),
        _t(
            "reopen_to_verification",
            _("Reopen verification"),
            {S.VERIFIED, S.APPROVED, S.PUBLISHED},
            S.UNDER_VERIFICATION,
            {Role.ADMIN},
            needs_reason=True,
        ),
    )
}

# States in which the unit's own values may change, and in which the verifier's may.
SELF_EDITABLE = frozenset({S.DRAFT})
VERIFY_EDITABLE = frozenset({S.UNDER_VERIFICATION})
# States a verifier or leader may look at (never a unit's unsubmitted draft).
VISIBLE_TO_REVIEWERS = frozenset(set(S) - {S.DRAFT})
