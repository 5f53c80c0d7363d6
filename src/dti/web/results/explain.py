"""Explain room of the results app: a unit's points explained, and its plan for the next band.

Load → compute: the values that counted for the unit (as :mod:`.scoring` scored them) go to
the engine, which returns the trace (:func:`dti.engine.explain`) and the band plan
(:func:`dti.engine.plan_band`); this module adds where each value came from — the unit's own
or the verifier's with the adjustment's reason, who entered it and when, the import that set
it, from the audit trail — and renders the trace's steps in the reader's language
(:func:`dti.web.problems.message_text`). Nothing here writes; the views ask the policy first
(the same as for the scorecard), and names of people are only given to viewers who may open
the assessment itself.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import polars as pl
import xlsxwriter
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dti.engine import (
    BandPlan,
    Framework,
    IndicatorTrace,
    PillarTrace,
    RuleType,
    Trace,
    explain,
    plan_band,
    previous_trace,
    score_for_rank,
)
from dti.io.cells import neutralise
from dti.reports.scorecard import ExplainLine
from dti.web.accounts.actors import Viewer
from dti.web.accounts.policy import can_view_assessment
from dti.web.assessments.calculations import ValueRow, values_frame
from dti.web.assessments.models import Assessment, IndicatorEntry, Period
from dti.web.assessments.workflow import counted_values, counts_verified, verifier_values_count
from dti.web.audit.actions import AuditAction
from dti.web.audit.models import AuditEvent
from dti.web.frameworks.selectors import framework_compiled
from dti.web.problems import message_text, number_text
from dti.web.results.scoring import engine_registry

__all__ = [
    "Explained",
    "Line",
    "Origin",
    "origin_text",
    "plan_xlsx",
    "printed",
    "rule_text",
    "unit_explanation",
]

ENTRY_TYPE = IndicatorEntry._meta.label_lower
ENTERING = (AuditAction.ENTRY_SAVE_SELF, AuditAction.ENTRY_IMPORT)


@dataclass(frozen=True)
class Origin:
    """Where the value that counted came from."""

    verified: bool  # the verifier's value counts (an adjustment)
    reason: str  # the adjustment's reason
    entered_at: dt.datetime | None
    entered_by: str  # "" when the viewer may not see names, or nobody is recorded
    imported_from: str  # the file of the values import that set it, if one did
    verified_at: dt.datetime | None
    verified_by: str


@dataclass(frozen=True)
class Line:
    trace: IndicatorTrace
    name: str
    rule: str
    steps: tuple[str, ...]
    origin: Origin | None
    value: str  # the value that counted, in words
    source: str  # where it came from, in words


@dataclass(frozen=True)
class PillarLines:
    trace: PillarTrace
    name: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Explained:
    trace: Trace
    pillars: tuple[PillarLines, ...]
    adjustments: tuple[Line, ...]  # bonus and penalty items
    steps: tuple[str, ...]
    previous: tuple[str, ...]
    plan: BandPlan
    plan_names: dict[str, str]
    band_names: dict[str, str]
    goal_name: str
    target_rank: int | None


def rule_text(line: IndicatorTrace) -> str:
    """The rule with its parameters, in the reader's language."""
    p = dict(line.parameters)
    if line.rule == RuleType.BOOLEAN:
        return _("yes/no")
    if line.rule == RuleType.POINTS:
        return _("points given by the assessors")
    if line.rule == RuleType.COUNT:
        return _("%(points)s points per item") % {"points": _num(p["per_item"])}
    if line.rule == RuleType.RATIO:
        return _("ratio: full points at %(target)s, none below %(floor)s%(percent)s") % {
            "target": _num(p["target"]),
            "floor": _num(p["floor"]),
            "percent": _(" (entered as a percentage)") if p["percent"] else "",
        }
    tiers = "; ".join(
        f"≥ {_num(p[f'tier_{k}_min'])}: {_num(p[f'tier_{k}_points'])}"
        for k in range(1, len(p))
        if f"tier_{k}_min" in p
    )
    on = _("on the ratio") if p.get("ratio") else _("on the value")
    return _("tiers %(on)s: %(tiers)s") % {"on": on, "tiers": tiers}


def _num(x: float) -> str:
    return number_text(x)


def _origins(
    assessment: Assessment, entries: list[IndicatorEntry], *, people: bool
) -> dict[str, Origin]:
    verified = counts_verified(assessment.status)
    last: dict[str, AuditEvent] = {}
    for event in AuditEvent.objects.filter(
        assessment=assessment,
        object_type=ENTRY_TYPE,
        object_id__in=[str(e.pk) for e in entries],
        action__in=[str(a) for a in ENTERING],
    ).order_by("at", "id"):
        last[event.object_id] = event
    out = {}
    for e in entries:
        found = last.get(str(e.pk))
        adjusted = verifier_values_count(e, verified=verified)
        imported = found is not None and found.action == AuditAction.ENTRY_IMPORT
        out[e.indicator] = Origin(
            verified=adjusted,
            reason=e.verifier_reason if adjusted else "",
            entered_at=found.at if found is not None else None,
            entered_by=found.actor_name if found is not None and people else "",
            imported_from=found.reason if imported and found is not None else "",
            verified_at=e.verified_at if verified else None,
            verified_by=(
                e.verified_by.get_username() if people and verified and e.verified_by else ""
            ),
        )
    return out


def _names(fw: Framework, language: str) -> dict[str, str]:
    names = {node.code: node.name.get(language) for node, _d in fw.walk()}
    for item in [*fw.adjustment_items("bonus"), *fw.adjustment_items("penalty")]:
        names[item.code] = item.name.get(language)
    return names


def value_text(line: IndicatorTrace) -> str:
    """The value that counted, in words."""
    if not line.applicable:
        return _("not applicable")
    if line.given_as is not None:
        return _("given with %(node)s") % {"node": line.given_as}
    if line.value is None:
        return _("nothing entered")
    if line.rule == RuleType.BOOLEAN:
        return _("yes") if line.value >= 0.5 else _("no")
    if line.denominator is not None:
        return f"{number_text(line.value)} / {number_text(line.denominator)}"
    return number_text(line.value)


def _line(line: IndicatorTrace, names: dict[str, str], origins: dict[str, Origin]) -> Line:
    origin = origins.get(line.indicator)
    return Line(
        trace=line,
        name=names.get(line.indicator, ""),
        rule=rule_text(line),
        steps=tuple(message_text(s) for s in line.steps),
        origin=origin,
        value=value_text(line),
        source=origin_text(origin),
    )


def unit_explanation(
    period: Period,
    assessment_id: int,
    *,
    viewer: Viewer,
    units: pl.DataFrame | None = None,
    target_rank: int | None = None,
) -> Explained:
    """The trace and band plan of the assessment's unit. ``units`` (the period's scored unit
    rows the viewer may see) adds the previous-period comparison and lets ``target_rank``
    set the plan's goal; the caller has asked the policy."""
    assessment = (
        Assessment.objects.select_related("framework", "unit__group", "period__province")
        .prefetch_related("entries__verified_by")
        .get(pk=assessment_id)
    )
    unit = assessment.unit.code
    entries = list(assessment.entries.all())
    verified = counts_verified(assessment.status)
    values = values_frame(
        [
            ValueRow(unit, period.code, e.indicator, *counted_values(e, verified=verified))
            for e in entries
        ]
    )
    compiled = framework_compiled(assessment.framework)
    fw = compiled.framework
    group = assessment.unit.group.code
    mine = units.filter(pl.col("unit") == unit) if units is not None else None
    previous = None
    if mine is not None and mine.height:
        row = mine.row(0, named=True)
        registry = engine_registry(period) if row.get("previous_derived") else None
        previous = previous_trace(row, registry, fw.history)
    trace = explain(compiled, values, unit=unit, period=period.code, group=group, previous=previous)
    language = get_language() or "vi"
    names = _names(fw, language)
    origins = _origins(assessment, entries, people=can_view_assessment(viewer, assessment))
    pillars = tuple(
        PillarLines(
            trace=p,
            name=names.get(p.pillar, p.pillar),
            lines=tuple(
                _line(line, names, origins) for line in trace.indicators if line.pillar == p.pillar
            ),
        )
        for p in trace.pillars
        if p.indicators
    )
    adjustments = tuple(
        _line(line, names, origins) for line in trace.indicators if line.pillar is None
    )
    goal_score = None
    if target_rank is not None and units is not None:
        others = units.filter((pl.col("group") == group) & (pl.col("unit") != unit))[
            "score"
        ].to_list()
        goal_score = score_for_rank(others, target_rank)
    plan = plan_band(
        compiled,
        values,
        unit=unit,
        period=period.code,
        group=group,
        score=goal_score if goal_score is None or goal_score > -1e300 else None,
        limit=3,
    )
    band_names = {b.code: b.name.get(language) for b in fw.bands}
    return Explained(
        trace=trace,
        pillars=pillars,
        adjustments=adjustments,
        steps=tuple(message_text(s) for s in trace.steps),
        previous=tuple(message_text(s) for s in previous.steps) if previous else (),
        plan=plan,
        plan_names=names,
        band_names=band_names,
        goal_name=band_names.get(plan.goal_band or "", ""),
        target_rank=target_rank,
    )


def origin_text(origin: Origin | None) -> str:
    """Where a value came from, in one line of the active language (dates dd/mm/yyyy)."""
    if origin is None:
        return ""
    parts = []
    if origin.verified:
        parts.append(_("verified value; reason: %(reason)s") % {"reason": origin.reason or "–"})
    else:
        parts.append(_("the unit's own value"))
    if origin.imported_from:
        parts.append(_("imported from %(file)s") % {"file": origin.imported_from})
    if origin.entered_at is not None:
        when = date_format(localtime(origin.entered_at), "d/m/Y")
        if origin.entered_by:
            parts.append(
                _("entered by %(who)s on %(when)s") % {"who": origin.entered_by, "when": when}
            )
        else:
            parts.append(_("entered on %(when)s") % {"when": when})
    if origin.verified_by:
        parts.append(_("verified by %(who)s") % {"who": origin.verified_by})
    return "; ".join(parts)


def printed(explained: Explained) -> tuple[tuple[ExplainLine, ...], tuple[str, ...]]:
    """The explanation as the scorecard PDF prints it."""
    lines = tuple(
        ExplainLine(
            indicator=line.trace.indicator,
            name=line.name,
            points=line.trace.points,
            max=line.trace.max,
            steps=line.steps,
            origin=line.source,
        )
        for pillar in explained.pillars
        for line in pillar.lines
    ) + tuple(
        ExplainLine(
            indicator=line.trace.indicator,
            name=line.name,
            points=line.trace.points,
            max=line.trace.max,
            steps=line.steps,
            origin=line.source,
        )
        for line in explained.adjustments
    )
    return lines, explained.steps + explained.previous


# -- the unit's plan as a workbook ------------------------------------------------------------


def plan_xlsx(explained: Explained, unit_name: str) -> bytes:
    """The band plan as a workbook: one row per step of each plan (headers translated)."""
    out = io.BytesIO()
    # Text from the framework and the registry is written as text, never as a formula or a
    # link, and neutralised like every export (a unit named "=HYPERLINK(…)" stays inert in any
    # spreadsheet program that re-reads it).
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet(_("Plan")[:31])
    bold = book.add_format({"bold": True})
    plan = explained.plan
    sheet.write_string(0, 0, neutralise(unit_name), bold)
    goal = (
        _("Goal: band %(band)s") % {"band": explained.goal_name}
        if plan.goal_band
        else _("Goal: rank %(rank)s (score %(score)s)")
        % {"rank": explained.target_rank, "score": plan.goal_score}
    )
    sheet.write(1, 0, goal)
    sheet.write(2, 0, _("Score today"))
    sheet.write_number(2, 1, plan.score)
    headers = [
        _("Plan"),
        _("Indicator"),
        _("Name"),
        _("Today"),
        _("Goal"),
        _("Value to enter"),
        _("Denominator"),
        _("Points today"),
        _("Points after"),
        _("Effort"),
        _("Score after the plan"),
    ]
    for c, title in enumerate(headers):
        sheet.write(4, c, title, bold)
    r = 5
    for k, option in enumerate(plan.plans, start=1):
        for step in option.steps:
            cells: list[Any] = [
                k,
                step.indicator,
                explained.plan_names.get(step.indicator, ""),
                step.today,
                step.goal,
                step.value,
                step.denominator,
                step.points_today,
                step.points_after,
                round(step.effort, 4),
                option.score,
            ]
            for c, cell in enumerate(cells):
                if cell is None:
                    continue
                if isinstance(cell, str):
                    sheet.write_string(r, c, neutralise(cell))
                else:
                    sheet.write_number(r, c, float(cell))
            r += 1
    if not plan.plans:
        sheet.write(r, 0, _("The goal is reached.") if plan.reached else _("No plan found."))
    sheet.set_column(2, 2, 40)
    book.close()
    return out.getvalue()
