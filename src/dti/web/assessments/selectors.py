"""Reads: what a user may see, progress counts, and rankings computed by the engine."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, TypeVar

from django.db.models import Count, Q, QuerySet
from django.utils.translation import override

from dti.engine import score
from dti.web.accounts.actors import Viewer
from dti.web.accounts.policy import visible_assessments
from dti.web.assessments.form_labels import FieldLabels, labels_for
from dti.web.assessments.models import (
    Assessment,
    Evidence,
    IndicatorEntry,
    Period,
    Status,
    Verdict,
)
from dti.web.assessments.period_values import period_batches
from dti.web.assessments.workflow import FINAL, self_deadline
from dti.web.frameworks.selectors import framework_compiled


def assessments_for(user: Viewer) -> QuerySet[Assessment]:
    """Every assessment the user may open (a reporter: their unit's only), as the policy says."""
    qs = Assessment.objects.select_related("period", "unit__group", "framework")
    return visible_assessments(user, qs)


@dataclass(frozen=True)
class Progress:
    total: int
    by_status: dict[str, int]

    @property
    def submitted(self) -> int:
        return self.total - self.by_status.get(Status.DRAFT, 0)

    @property
    def verified(self) -> int:
        return sum(self.by_status.get(s, 0) for s in FINAL)

    @property
    def submitted_percent(self) -> int:
        return round(100 * self.submitted / self.total) if self.total else 0

    @property
    def verified_percent(self) -> int:
        return round(100 * self.verified / self.total) if self.total else 0


# Progress as leaders follow it: the states folded into four steps, and lateness before them.
LATE = "late"
PROGRESS_STEPS: tuple[tuple[str, frozenset[Status]], ...] = (
    ("draft", frozenset({Status.DRAFT})),
    ("submitted", frozenset({Status.SUBMITTED})),
    ("under_verification", frozenset({Status.UNDER_VERIFICATION})),
    ("verified", frozenset({Status.VERIFIED, Status.APPROVED, Status.PUBLISHED})),
)
STEP_CODES = (LATE, *(code for code, _states in PROGRESS_STEPS))


def progress_step(assessment: Assessment, now: dt.datetime) -> str:
    """The assessment's step: late (not submitted and its deadline passed), or its state's."""
    step = next(code for code, states in PROGRESS_STEPS if assessment.status in states)
    return LATE if step == "draft" and now > self_deadline(assessment) else step


QS = TypeVar("QS", bound=QuerySet[Any])


def in_step(assessments: QS, step: str, now: dt.datetime) -> QS:
    """``assessments`` narrowed to one progress step (the list form of :func:`progress_step`)."""
    if step in (LATE, "draft"):
        drafts = assessments.filter(status=Status.DRAFT)
        late = Q(self_deadline_override__lt=now) | Q(
            self_deadline_override__isnull=True, period__self_deadline__lt=now
        )
        return drafts.filter(late) if step == LATE else drafts.exclude(late)
    states = dict(PROGRESS_STEPS).get(step)
    return assessments.filter(status__in=list(states)) if states else assessments


def adjusted_counts(assessments: Sequence[Assessment]) -> dict[int, int]:
    """How many entries the verifier adjusted, per assessment key (absent: none)."""
    counts = (
        IndicatorEntry.objects.filter(assessment__in=assessments, verdict=Verdict.ADJUSTED)
        .values("assessment_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["assessment_id"]: row["n"] for row in counts}


def period_progress(period: Period) -> Progress:
    counts = Counter(period.assessments.values_list("status", flat=True))
    return Progress(total=sum(counts.values()), by_status=dict(counts))


@dataclass(frozen=True)
class ResultRow:
    assessment: Assessment
    score: float
    percent: float
    band: str
    rank: int
    verified: bool


def period_results(
    period: Period, *, statuses: frozenset[Status] | None = None
) -> dict[str, list[ResultRow]]:
    """Rank every group's units with the engine, verified values where verification ended.

    Returns group code → rows ordered by rank.
    """
    # (the framework is read once per batch; the stored points and pillars are not needed)
    qs = period.assessments.select_related("unit__group", "period").defer("points", "pillars")
    if statuses is not None:
        qs = qs.filter(status__in=list(statuses))
    out: dict[str, list[ResultRow]] = {}
    for batch in period_batches(qs):
        assessments = batch.assessments
        final = {a.unit.code: a.status in FINAL for a in assessments}
        result = score(
            framework_compiled(batch.framework),
            batch.values(period.code, verified_for=FINAL),
            batch.units,
        )
        lookup = {a.unit.code: a for a in assessments}
        ordered = result.units.sort(["group", "rank", "unit"])
        for row in ordered.iter_rows(named=True):
            out.setdefault(str(row["group"]), []).append(
                ResultRow(
                    assessment=lookup[row["unit"]],
                    score=float(row["score"]),
                    percent=float(row["percent"]),
                    band=str(row["band_name"]),
                    rank=int(row["rank"]),
                    verified=final[row["unit"]],
                )
            )
    return out


def band_counts(rows: list[ResultRow]) -> dict[str, int]:
    return dict(Counter(r.band for r in rows))


@dataclass(frozen=True)
class SheetLine:
    """A line of the self-assessment sheet: a heading (pillar/indicator) or a leaf with data."""

    code: str
    name: str
    depth: int
    max: float
    is_leaf: bool
    rule: str = ""
    rule_type: str = ""
    needs_denominator: bool = False
    na_allowed: bool = False
    entry: IndicatorEntry | None = None
    evidence: tuple[Evidence, ...] = ()
    self_points: float | None = None
    verified_points: float | None = None
    # The pillar the line belongs to (its top-level node, or "bonus"/"penalty"), and what
    # evidence the framework asks of the leaf ("" when none).
    pillar: str = ""
    evidence_asked: str = ""
    evidence_kinds: tuple[str, ...] = ()  # the kinds of document the leaf asks for
    labels: FieldLabels | None = None  # the unit's form: field labels and the rule's hint
    # The connector a measured leaf's value is pulled from ("" for a declared one).
    measured_by: str = ""


@lru_cache(maxsize=256)
def _skeleton(sha256: str, yaml_text: str, group: str, language: str) -> tuple[SheetLine, ...]:
    """The sheet's lines for one group without any unit's data: the framework's tree cut to the
    group, each leaf with its rule described and its field labels (the same for every unit of
    the group, so built once per framework content, group and language)."""
    from dti.engine import Node, RatioRule, TiersRule
    from dti.io.template import describe_rule
    from dti.web.frameworks.selectors import _parse

    framework = _parse(sha256, yaml_text)[0]
    lines: list[SheetLine] = []

    def visit(node: Node, depth: int, inherited: bool, pillar: str) -> None:
        applies = group in node.applies_to if node.applies_to is not None else inherited
        if not applies:
            return
        name = node.name.get(language)
        if not node.is_leaf:
            lines.append(SheetLine(node.code, name, depth, node.max, False, pillar=pillar))
            for child in node.children:
                visit(child, depth + 1, True, pillar)
            return
        rule = node.rule
        ratio = (isinstance(rule, RatioRule) and rule.input == "fraction") or (
            isinstance(rule, TiersRule) and rule.basis == "ratio"
        )
        # The labels speak the sheet's language, whatever the request's.
        with override(language):
            labels = labels_for(node)
        lines.append(
            SheetLine(
                node.code,
                name,
                depth,
                node.max,
                True,
                rule=describe_rule(node),
                rule_type=rule.type if rule else "",
                needs_denominator=ratio,
                na_allowed=node.na_allowed,
                pillar=pillar,
                evidence_asked=node.evidence or "",
                evidence_kinds=tuple(node.evidence_kinds or ()),
                labels=labels,
                measured_by=node.source.connector or "" if node.measured and node.source else "",
            )
        )

    for pillar in framework.tree:
        visit(pillar, 0, True, pillar.code)
    for kind, heading in (("bonus", "Điểm thưởng"), ("penalty", "Điểm trừ")):
        items = framework.adjustment_items(kind)  # type: ignore[arg-type]
        if items:
            block = framework.bonus if kind == "bonus" else framework.penalty
            lines.append(
                SheetLine(
                    kind,
                    heading if language == "vi" else kind.title(),
                    0,
                    block.cap if block else 0,
                    False,
                    pillar=kind,
                )
            )
            for item in items:
                visit(item, 1, True, kind)
    return tuple(lines)


def assessment_sheet(
    assessment: Assessment,
    language: str = "vi",
    *,
    entries: Sequence[IndicatorEntry] | None = None,
) -> list[SheetLine]:
    """The framework's tree for the unit's group, with the entries hung on the leaves.
    ``entries``: the assessment's entries when the caller holds them (a save), so that only
    the evidence is read again."""
    version = assessment.framework
    skeleton = _skeleton(version.sha256, version.yaml_text, assessment.unit.group.code, language)
    evidence: dict[int, list[Evidence]] = {}
    # Each link with its document and the verifiers' remarks on it (they follow the document).
    if entries is None:
        entries = list(assessment.entries.prefetch_related("evidence__document__remarks__author"))
        for e in entries:
            evidence[e.pk] = list(e.evidence.all())
    else:
        links = (
            Evidence.objects.filter(entry__assessment=assessment)
            .select_related("document")
            .prefetch_related("document__remarks__author")
        )
        for item in links:
            evidence.setdefault(item.entry_id, []).append(item)
    by_code = {e.indicator: e for e in entries}
    points: dict[str, list[float | None]] = assessment.points or {}
    lines: list[SheetLine] = []
    for line in skeleton:
        if not line.is_leaf:
            lines.append(line)
            continue
        entry = by_code.get(line.code)
        scored = points.get(line.code, [None, None])
        lines.append(
            replace(
                line,
                entry=entry,
                evidence=tuple(evidence.get(entry.pk, ())) if entry else (),
                self_points=scored[0],
                verified_points=scored[1],
            )
        )
    return lines
