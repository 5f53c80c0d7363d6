"""The assessment state machine as data, and the one rule for which value counts.

draft ──submit──▶ submitted ──start_verification──▶ under_verification
  ▲                                                     │ finish_verification
  │ reopen_to_draft (admin, reason)                     ▼
  └──────────── any later state ◀──────────────────── verified ──approve──▶ approved
                reopen_to_verification (admin, reason) ◀──────────────┘      │ publish
                                                                             ▼
                                                                         published
submitted ──withdraw (the unit, before verification starts, within its deadline)──▶ draft

Each transition declares who may take it, from where to where, which deadline binds it and
what it does besides changing the state (timestamps, cleared publication, pending entries
accepted); :mod:`dti.web.assessments.services.transitions` carries that out and
:mod:`dti.web.accounts.policy` decides who may. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

import polars as pl
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dti.web.accounts.models import Role
from dti.web.assessments.models import Status, Verdict

if TYPE_CHECKING:
    from dti.web.assessments.models import Assessment, Period

S = Status

# -- which value counts -------------------------------------------------------------------------
# The verifier's work is scored from the moment verification starts, so the working group sees
# the verified score move as it adjusts (VERIFIED_SIDE); it becomes the unit's *result* only once
# verification has finished (FINAL) — a ranking never shows a half-verified figure.
VERIFIED_SIDE = frozenset({S.UNDER_VERIFICATION, S.VERIFIED, S.APPROVED, S.PUBLISHED})
FINAL = frozenset({S.VERIFIED, S.APPROVED, S.PUBLISHED})
# Approved and published results are not rescored (a framework correction included) until an
# audited reopening.
FROZEN = frozenset({S.APPROVED, S.PUBLISHED})
# What the public, the API's anonymous readers and published pages may see.
PUBLISHED = frozenset({S.PUBLISHED})
# States in which the unit's own values may change, and in which the verifier's may.
SELF_EDITABLE = frozenset({S.DRAFT})
VERIFY_EDITABLE = frozenset({S.UNDER_VERIFICATION})
# States a verifier or leader may look at (never a unit's unsubmitted draft).
VISIBLE_TO_REVIEWERS = frozenset(set(S) - {S.DRAFT})
# The clarification round runs while verification is open; a unit disputes an adjustment
# once verification has finished and before approval.
CLARIFIABLE = VERIFY_EDITABLE
DISPUTABLE = frozenset({S.VERIFIED})


class EntryData(Protocol):
    """An indicator entry as the rule reads it (the model, or a row loaded without it)."""

    verdict: str
    self_value: float | None
    self_denominator: float | None
    self_applicable: bool
    verified_value: float | None
    verified_denominator: float | None
    verified_applicable: bool


Values = tuple[float | None, float | None, bool]


def counts_verified(status: str, verified_for: Collection[str] = FINAL) -> bool:
    """Whether an assessment in ``status`` is scored on the verifier's values."""
    return status in verified_for


def verifier_values_count(entry: EntryData, *, verified: bool) -> bool:
    """Whether the verifier's values are the ones that count for ``entry``: it was adjusted and
    its assessment is scored on the verified side (an accepted entry's verified values are the
    unit's own, so the unit's count)."""
    return verified and entry.verdict == Verdict.ADJUSTED


def counted_values(entry: EntryData, *, verified: bool) -> Values:
    """(value, denominator, applicable) that count for ``entry``: the verifier's where
    :func:`verifier_values_count`, the unit's otherwise."""
    if verifier_values_count(entry, verified=verified):
        return entry.verified_value, entry.verified_denominator, entry.verified_applicable
    return entry.self_value, entry.self_denominator, entry.self_applicable


def counted_values_frame(verified: pl.Expr) -> list[pl.Expr]:
    """:func:`counted_values` over a frame of entries (columns ``verdict``, ``self_*``,
    ``verified_*``); ``verified`` says per row whether its assessment is on the verified side."""
    adjusted = verified & (pl.col("verdict") == Verdict.ADJUSTED.value)
    return [
        pl.when(adjusted)
        .then(pl.col(f"verified_{name}"))
        .otherwise(pl.col(f"self_{name}"))
        .alias(name)
        for name in ("value", "denominator", "applicable")
    ]


# -- transitions --------------------------------------------------------------------------------


class TransitionName(StrEnum):
    SUBMIT = "submit"
    START_VERIFICATION = "start_verification"
    FINISH_VERIFICATION = "finish_verification"
    APPROVE = "approve"
    PUBLISH = "publish"
    REOPEN_TO_DRAFT = "reopen_to_draft"
    REOPEN_TO_VERIFICATION = "reopen_to_verification"
    WITHDRAW = "withdraw"


class Deadline(StrEnum):
    NONE = "none"
    SELF = "self"
    VERIFICATION = "verification"


# A unit reopened after its deadline gets this long to correct its data, unless the admin
# sets another deadline.
REOPEN_GRACE = dt.timedelta(days=7)


@dataclass(frozen=True)
class Transition:
    name: TransitionName
    label: str | Promise
    sources: frozenset[Status]
    target: Status
    roles: frozenset[Role]
    deadline: Deadline = Deadline.NONE
    needs_reason: bool = False
    # Side effects, as data: the timestamp set to now, the fields cleared, whether the entries
    # the verifier did not touch are accepted, whether it counts as a reopening (which gives a
    # unit past its deadline a new one when it goes back to the draft).
    stamp: str | None = None
    clears: tuple[str, ...] = ()
    accepts_pending: bool = False
    reopens: bool = False
    extends_self_deadline: bool = False
    # Verification by assignment: the chair signs the unit's verification off; an open
    # dispute holds the transition until the chair decides it.
    chair_signs: bool = False
    waits_for_disputes: bool = False
    # Whether taking it asks the completeness check first (indicators not filled, evidence
    # missing, pillars at zero: the page lists them and the user confirms).
    checks_completeness: bool = False
    # Whether it takes the assessment back the way it came (the unit's withdrawal) without
    # being a reopening: not a step of the forward path.
    goes_back: bool = False
    # Taken only for a whole unit group at once, by the period's publication
    # (dti.web.results.publication): a ranking published in part misleads every reader.
    whole_group: bool = False

    def leaves_publication(self, old: Status) -> bool:
        """Whether taking it from ``old`` enters or leaves the published state."""
        return S.PUBLISHED in (old, self.target)

    def changes_side(self, old: Status) -> bool:
        """Whether the assessment crosses between the unit's and the verifier's side."""
        return (old in VERIFIED_SIDE) != (self.target in VERIFIED_SIDE)


_LATER = {S.SUBMITTED, S.UNDER_VERIFICATION, S.VERIFIED, S.APPROVED, S.PUBLISHED}
_UNPUBLISH = ("approved_at", "published_at")
T = TransitionName
TRANSITIONS: dict[TransitionName, Transition] = {
    t.name: t
    for t in (
        Transition(
            T.SUBMIT,
            _("Submit"),
            frozenset({S.DRAFT}),
            S.SUBMITTED,
            frozenset({Role.REPORTER}),
            Deadline.SELF,
            stamp="submitted_at",
            checks_completeness=True,
        ),
        # The unit takes its submission back to correct it, until verification starts and
        # while its deadline lasts (it could not submit again afterwards).
        Transition(
            T.WITHDRAW,
            _("Withdraw the submission"),
            frozenset({S.SUBMITTED}),
            S.DRAFT,
            frozenset({Role.REPORTER}),
            Deadline.SELF,
            clears=("submitted_at",),
            goes_back=True,
        ),
        Transition(
            T.START_VERIFICATION,
            _("Start verification"),
            frozenset({S.SUBMITTED}),
            S.UNDER_VERIFICATION,
            frozenset({Role.VERIFIER}),
            Deadline.VERIFICATION,
        ),
        Transition(
            T.FINISH_VERIFICATION,
            _("Finish verification"),
            frozenset({S.UNDER_VERIFICATION}),
            S.VERIFIED,
            frozenset({Role.VERIFIER}),
            Deadline.VERIFICATION,
            stamp="verified_at",
            accepts_pending=True,
            chair_signs=True,
        ),
        Transition(
            T.APPROVE,
            _("Approve"),
            frozenset({S.VERIFIED}),
            S.APPROVED,
            frozenset({Role.ADMIN}),
            stamp="approved_at",
            waits_for_disputes=True,
        ),
        Transition(
            T.PUBLISH,
            _("Publish"),
            frozenset({S.APPROVED}),
            S.PUBLISHED,
            frozenset({Role.ADMIN}),
            stamp="published_at",
            whole_group=True,
        ),
        Transition(
            T.REOPEN_TO_DRAFT,
            _("Reopen for the unit"),
            frozenset(_LATER),
            S.DRAFT,
            frozenset({Role.ADMIN}),
            needs_reason=True,
            clears=_UNPUBLISH,
            reopens=True,
            extends_self_deadline=True,
        ),
        Transition(
            T.REOPEN_TO_VERIFICATION,
            _("Reopen verification"),
            frozenset({S.VERIFIED, S.APPROVED, S.PUBLISHED}),
            S.UNDER_VERIFICATION,
            frozenset({Role.ADMIN}),
            needs_reason=True,
            clears=_UNPUBLISH,
            reopens=True,
        ),
    )
}


def transition_named(name: str) -> Transition | None:
    try:
        return TRANSITIONS[TransitionName(name)]
    except ValueError:
        return None


# -- deadlines ----------------------------------------------------------------------------------


def self_deadline(assessment: Assessment) -> dt.datetime:
    """The unit's deadline: its own extension, else the period's."""
    return assessment.self_deadline_override or assessment.period.self_deadline


def deadline_passed(assessment: Assessment, kind: Deadline, now: dt.datetime) -> bool:
    if kind == Deadline.SELF:
        return now > self_deadline(assessment)
    if kind == Deadline.VERIFICATION:
        return now > assessment.period.verification_deadline
    return False


# -- hooks --------------------------------------------------------------------------------------
# Other apps react to a transition inside its transaction without this app importing them
# (results caches published pages under a per-period counter). They register at start-up
# (AppConfig.ready); the transition service calls them.
PublicationListener = Callable[[int], None]
_publication_listeners: list[PublicationListener] = []


def on_publication_change(listener: PublicationListener) -> None:
    """Call ``listener(period_id)`` whenever an assessment enters or leaves "published"."""
    if listener not in _publication_listeners:
        _publication_listeners.append(listener)


def publication_changed(period_id: int) -> None:
    for listener in _publication_listeners:
        listener(period_id)


# Notifications (dti.web.notifications) follow the workflow the same way: told of every
# transition taken and every period opened, inside the transaction, after the change is written.
TransitionListener = Callable[["Assessment", "Transition", Status], None]
PeriodListener = Callable[["Period"], None]
_transition_listeners: list[TransitionListener] = []
_period_open_listeners: list[PeriodListener] = []


def on_transition(listener: TransitionListener) -> None:
    """Call ``listener(assessment, transition, old_status)`` after every transition."""
    if listener not in _transition_listeners:
        _transition_listeners.append(listener)


def transitioned(assessment: Assessment, transition: Transition, old: Status) -> None:
    for listener in _transition_listeners:
        listener(assessment, transition, old)


def on_period_open(listener: PeriodListener) -> None:
    """Call ``listener(period)`` once a period and its assessments are created."""
    if listener not in _period_open_listeners:
        _period_open_listeners.append(listener)


def period_opened(period: Period) -> None:
    for listener in _period_open_listeners:
        listener(period)
