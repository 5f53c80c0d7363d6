"""Reads for the working group's parts of the assessment page and the period's assignments
page: the questions and disputes of each indicator, what the user may do with each (as the
policy says), and the period's assignments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from dti.web.accounts.actors import Viewer
from dti.web.accounts.models import Role
from dti.web.accounts.policy import (
    clarification_answer_refusal,
    dispute_decide_refusal,
    dispute_file_refusal,
    has_role,
    verifiable_indicators,
    verifiable_now,
)
from dti.web.assessments.assignments import chair_id_of, pillar_choices
from dti.web.assessments.models import (
    Assessment,
    Clarification,
    ClarificationState,
    EntryDispute,
    IndicatorEntry,
    Period,
    Verdict,
    VerificationChair,
    VerifierAssignment,
)


@dataclass
class EntryExchanges:
    """One indicator's questions and disputes, and what the user may do now."""

    clarifications: list[Clarification] = field(default_factory=list)
    disputes: list[EntryDispute] = field(default_factory=list)
    answerable: set[int] = field(default_factory=set)  # clarification ids
    decidable: set[int] = field(default_factory=set)  # dispute ids
    can_ask: bool = False
    can_dispute: bool = False

    @property
    def open_question(self) -> Clarification | None:
        return next(
            (c for c in reversed(self.clarifications) if c.state != ClarificationState.CLOSED),
            None,
        )

    @property
    def last_dispute(self) -> EntryDispute | None:
        return self.disputes[-1] if self.disputes else None


def assessment_exchanges(
    user: Viewer, assessment: Assessment, now: dt.datetime
) -> dict[str, EntryExchanges]:
    """Indicator code → its exchanges (every leaf has one, empty or not)."""
    entries = list(assessment.entries.order_by("position"))
    out: dict[str, EntryExchanges] = {e.indicator: EntryExchanges() for e in entries}
    by_pk: dict[int, IndicatorEntry] = {e.pk: e for e in entries}
    for e in entries:
        e.assessment = assessment
    questions = Clarification.objects.filter(entry__assessment=assessment).prefetch_related(
        "answer_evidence"
    )
    for c in questions.select_related("asked_by", "answered_by"):
        x = out[by_pk[c.entry_id].indicator]
        x.clarifications.append(c)
        if clarification_answer_refusal(user, c, assessment, now) is None:
            x.answerable.add(c.pk)
    for d in EntryDispute.objects.filter(entry__assessment=assessment).select_related(
        "filed_by", "decided_by"
    ):
        x = out[by_pk[d.entry_id].indicator]
        x.disputes.append(d)
        if dispute_decide_refusal(user, d, assessment) is None:
            x.decidable.add(d.pk)
    verifiable = verifiable_now(user, assessment, now)
    for e in entries:
        x = out[e.indicator]
        x.can_ask = e.indicator in verifiable
        x.can_dispute = e.verdict == Verdict.ADJUSTED and (
            dispute_file_refusal(user, e, assessment) is None
        )
    return out


def verification_summary(user: Viewer, assessment: Assessment) -> dict[str, Any]:
    """The aside's figures: pending verdicts, open questions, open disputes, the chair."""
    entries = assessment.entries
    chair_id = chair_id_of(assessment.period_id)
    verifiable = verifiable_indicators(user, assessment) if has_role(user, Role.VERIFIER) else None
    return {
        "pending": entries.filter(verdict=Verdict.PENDING).count(),
        "open_questions": Clarification.objects.filter(entry__assessment=assessment)
        .exclude(state=ClarificationState.CLOSED)
        .count(),
        "chair": VerificationChair.objects.select_related("chair")
        .filter(period_id=assessment.period_id)
        .first(),
        "is_chair": user is not None and chair_id is not None and user.pk == chair_id,
        # A verifier assigned some pillars only (None: the whole unit, or not a verifier).
        "verifiable": verifiable,
    }


@dataclass(frozen=True)
class PeriodTeam:
    chair: VerificationChair | None
    assignments: list[VerifierAssignment]
    pillars: list[tuple[str, str]]

    @property
    def by_verification(self) -> bool:
        return self.chair is not None or bool(self.assignments)


def period_team(period: Period, language: str = "vi") -> PeriodTeam:
    assignments = list(
        VerifierAssignment.objects.filter(period=period).select_related("unit", "verifier")
    )
    seen: dict[str, str] = {}
    for pf in period.frameworks.select_related("framework"):
        for code, label in pillar_choices(pf.framework, language):
            seen.setdefault(code, label)
    return PeriodTeam(
        chair=VerificationChair.objects.select_related("chair").filter(period=period).first(),
        assignments=assignments,
        pillars=list(seen.items()),
    )
