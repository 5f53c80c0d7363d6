"""Results, rankings and scorecards: published ones for everyone, the rest by the web's policy."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router

from dti.web.api.auth import caller
from dti.web.api.errors import READ_ERRORS, not_found
from dti.web.api.schemas import MAX_ID, Code, ExplainOut, RankingOut, ResultOut, ScorecardOut
from dti.web.api.selectors import ResultLine, results_for, scorecard_for
from dti.web.assessments.models import Period, Status
from dti.web.assessments.workflow import PUBLISHED
from dti.web.registry.models import Unit, UnitGroup
from dti.web.results import scoring
from dti.web.results.coverage import GroupCoverage, period_coverage
from dti.web.results.explain import Line, unit_explanation

router = Router(tags=["results"])
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
GroupFilter = Annotated[Code | None, Query(description="only this unit group")]


def _period(period_id: int) -> Period:
    period = Period.objects.filter(pk=period_id).first()
    if period is None:
        raise not_found(_("No such period."))
    return period


def _coverage(period: Period) -> dict[str, GroupCoverage]:
    """How much of each group is published (the same marks as the public pages)."""
    return period_coverage(period, PUBLISHED)


def _line(group: str, line: ResultLine, provisional: bool = False) -> dict[str, Any]:
    a = line.assessment
    return {
        "assessment_id": a.pk,
        "unit_id": a.unit_id,
        "unit": a.unit.code,
        "unit_name": a.unit.name,
        "group": group,
        "status": a.status,
        "self_score": a.self_score,
        "verified_score": a.verified_score,
        "score": line.score,
        "band": line.band,
        "rank": line.rank,
        "verified": line.verified,
        "provisional": provisional,
    }


@router.get(
    "/periods/{period_id}/results",
    response={200: list[ResultOut], **READ_ERRORS},
    description=(
        "Every unit's result you may see: published ones without a token — open data, like "
        "the CSV/JSON files and their Frictionless Data package on the public page. A row of "
        "a group published in part says `provisional`."
    ),
)
def period_results(request: HttpRequest, period_id: PathId, group: GroupFilter = None) -> Any:
    user = caller(request)
    period = _period(period_id)
    _, groups = results_for(user, period)
    coverage = _coverage(period)
    return [
        _line(code, line, code in coverage and coverage[code].provisional)
        for code, lines in groups.items()
        if group is None or code == group
        for line in lines
    ]


@router.get(
    "/periods/{period_id}/rankings",
    response={200: list[RankingOut], **READ_ERRORS},
    description=(
        "The ranking of each unit group (published results without a token: open data). "
        "`group_size` counts the whole group; a group published in part is `provisional` and "
        "lists the units still `missing`."
    ),
)
def period_rankings(request: HttpRequest, period_id: PathId, group: GroupFilter = None) -> Any:
    user = caller(request)
    period = _period(period_id)
    published_only, groups = results_for(user, period)
    coverage = _coverage(period)
    empty = GroupCoverage("", "", 0, 0, ())
    names = dict(UnitGroup.objects.values_list("code", "name"))
    order = {code: i for i, code in enumerate(UnitGroup.objects.values_list("code", flat=True))}
    return [
        {
            "group": code,
            "group_name": names.get(code, code),
            "published_only": published_only,
            "rows": [_line(code, line, coverage.get(code, empty).provisional) for line in lines],
            "group_size": coverage.get(code, empty).total,
            "published": coverage.get(code, empty).shown,
            "provisional": coverage.get(code, empty).provisional,
            "missing": list(coverage.get(code, empty).missing),
        }
        for code, lines in sorted(groups.items(), key=lambda kv: order.get(kv[0], len(order)))
        if group is None or code == group
    ]


@router.get(
    "/periods/{period_id}/units/{unit_id}/scorecard",
    response={200: ScorecardOut, **READ_ERRORS},
    description=(
        "The unit's scorecard (dti.reports.scorecard.unit_scorecard) against its group: "
        "published units for everyone; staff see all; a reporter its own unit's, alone."
    ),
)
def unit_scorecard(request: HttpRequest, period_id: PathId, unit_id: PathId) -> Any:
    user = caller(request)
    period = _period(period_id)
    unit = Unit.objects.select_related("group").filter(pk=unit_id).first()
    view = scorecard_for(user, period, unit) if unit is not None else None
    if view is None:
        raise not_found(_("No scorecard you may see for this unit and period."))
    card = view.card
    mark = _coverage(period).get(card.group)
    if mark is not None and any(m.startswith(f"{card.unit} — ") for m in mark.missing):
        mark = None  # an unpublished card (staff, or the unit's own) is no publication
    return {
        "unit": card.unit,
        "name": card.name,
        "group": card.group,
        "group_name": card.group_name,
        "period": card.period,
        "published_only": view.published_only,
        "score": card.score,
        "decimals": card.decimals,
        "scale_total": card.scale_total,
        "rank": card.rank,
        "group_size": mark.total if mark is not None else card.group_size,
        "provisional": mark is not None and mark.provisional,
        "missing": list(mark.missing) if mark is not None else [],
        "band_name": card.band_name,
        "leader_name": card.leader_name,
        "leader_score": card.leader_score,
        "group_mean": card.group_mean,
        "pillars": card.pillars,
        "trend": [{"period": p, "score": s} for p, s in card.trend],
        "strongest": card.strongest,
        "weakest": card.weakest,
        "not_done": card.not_done,
        "adjustments": card.adjustments,
    }


def _explain_line(line: Line) -> dict[str, Any]:
    t = line.trace
    origin = line.origin
    return {
        "indicator": t.indicator,
        "name": line.name,
        "kind": t.kind.name.lower(),
        "pillar": t.pillar,
        "rule": t.rule.name.lower(),
        "parameters": dict(t.parameters),
        "rule_text": line.rule,
        "value": t.value,
        "denominator": t.denominator,
        "applicable": t.applicable,
        "given_as": t.given_as,
        "basis": t.basis,
        "points": t.points,
        "max": t.max,
        "steps": list(line.steps),
        "step_codes": [getattr(s, "code", "") for s in t.steps],
        "origin": None if origin is None else asdict(origin),
    }


@router.get(
    "/periods/{period_id}/units/{unit_id}/explain",
    response={200: ExplainOut, **READ_ERRORS},
    description=(
        "Every point of the unit's score explained (dti.engine.explain): per indicator the "
        "value that counted and where it came from, the rule with its parameters and the "
        "arithmetic, then the pillars, the total, the rescaling for N/A and the band. The "
        "scorecard's permission: published units for everyone, the rest by the policy; "
        "names of people only for callers who may open the assessment."
    ),
)
def unit_explain(request: HttpRequest, period_id: PathId, unit_id: PathId) -> Any:
    user = caller(request)
    period = _period(period_id)
    unit = Unit.objects.select_related("group").filter(pk=unit_id).first()
    view = scorecard_for(user, period, unit) if unit is not None else None
    assessment = period.assessments.filter(unit=unit).first() if view is not None else None
    if view is None or assessment is None or unit is None:
        raise not_found(_("No scorecard you may see for this unit and period."))
    published = scoring.period_scores(period) if assessment.status == Status.PUBLISHED else None
    units = published.result.units if published is not None and published.result else None
    x = unit_explanation(period, assessment.pk, viewer=user, units=units)
    t = x.trace
    return {
        "unit": t.unit,
        "period": t.period,
        "group": t.group,
        "framework": t.framework,
        "published_only": view.published_only,
        "indicators": [_explain_line(line) for p in x.pillars for line in p.lines]
        + [_explain_line(line) for line in x.adjustments],
        "pillars": [
            {
                "pillar": p.trace.pillar,
                "name": p.name,
                "points": p.trace.points,
                "max": p.trace.max,
                "full_max": p.trace.full_max,
            }
            for p in x.pillars
        ],
        "tree_points": t.tree_points,
        "bonus": t.bonus,
        "penalty": t.penalty,
        "total": t.total,
        "applicable_max": t.applicable_max,
        "not_applicable_max": t.not_applicable_max,
        "percent": t.percent,
        "report": str(t.report),
        "exact": t.exact,
        "score": t.score,
        "band": t.band,
        "steps": list(x.steps),
        "previous": list(x.previous),
    }
