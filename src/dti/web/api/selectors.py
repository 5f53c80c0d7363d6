"""Reads for the API: what a caller may see of results, rankings and scorecards.

The rule is the web's (:mod:`dti.web.accounts.policy`, :mod:`dti.web.assessments.selectors`):
published results are everyone's; the results of a whole period are the staff's (admin,
verifier, leader — as on the web's results page); a reporter additionally sees its own unit's
unpublished row, unranked, because a rank among other units' unpublished scores is not theirs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl

from dti.engine import ScoreResult
from dti.reports.scorecard import Scorecard, adjustments_between, unit_scorecard
from dti.web.accounts.actors import Viewer
from dti.web.accounts.policy import membership_of, reports_for, sees_whole_period
from dti.web.assessments.calculations import UnitRow, ValueRow, run
from dti.web.assessments.models import Assessment, Period, Status, Verdict
from dti.web.assessments.selectors import period_results
from dti.web.assessments.workflow import FINAL, PUBLISHED, counted_values
from dti.web.frameworks.selectors import framework_compiled, framework_parsed
from dti.web.registry.models import Unit

__all__ = [
    "ResultLine",
    "ScorecardView",
    "framework_groups",
    "results_for",
    "scorecard_for",
    "sees_whole_period",
    "tree_nodes",
]


@dataclass(frozen=True)
class ResultLine:
    assessment: Assessment
    score: float | None
    band: str
    rank: int | None
    verified: bool


def results_for(user: Viewer, period: Period) -> tuple[bool, dict[str, list[ResultLine]]]:
    """(published only?, group code → lines ordered by rank) as ``user`` may see them."""
    whole = sees_whole_period(user, period)
    groups = period_results(period, statuses=None if whole else PUBLISHED)
    out = {
        code: [ResultLine(r.assessment, r.score, r.band, r.rank, r.verified) for r in rows]
        for code, rows in groups.items()
    }
    membership = membership_of(user)
    own_units = membership.unit_ids if membership is not None else frozenset()
    if not whole and own_units:
        for own in (
            period.assessments.select_related("unit__group", "period", "framework")
            .filter(unit_id__in=[u for u in own_units if reports_for(user, u)])
            .exclude(status=Status.PUBLISHED)
        ):
            final = own.status in FINAL
            out.setdefault(own.unit.group.code, []).append(
                ResultLine(
                    own,
                    own.verified_score if final else own.self_score,
                    own.verified_band if final else own.self_band,
                    None,
                    final,
                )
            )
    return not whole, out


# -- scorecards --------------------------------------------------------------------------------


def _value_rows(assessments: Iterable[Assessment], *, verified_side: bool) -> list[ValueRow]:
    """The values the engine scores: the verifiers' where verification ended and asked for."""
    rows: list[ValueRow] = []
    for a in assessments:
        verified = verified_side and a.status in FINAL
        rows += [
            ValueRow(a.unit.code, a.period.code, e.indicator, *counted_values(e, verified=verified))
            for e in a.entries.all()
        ]
    return rows


@dataclass(frozen=True)
class ScorecardView:
    card: Scorecard
    published_only: bool


def scorecard_for(user: Viewer, period: Period, unit: Unit) -> ScorecardView | None:
    """The unit's scorecard among the group's assessments the user may see; None if none."""
    assessment = (
        period.assessments.select_related("unit__group", "period", "framework")
        .filter(unit=unit)
        .first()
    )
    if assessment is None:
        return None
    whole = sees_whole_period(user, period)
    same = period.assessments.select_related("unit__group", "period", "framework").filter(
        unit__group=unit.group, framework=assessment.framework
    )
    scope: list[Assessment]
    if whole:
        scope = list(same)
    elif assessment.status == Status.PUBLISHED:
        scope = list(same.filter(status=Status.PUBLISHED))
    elif reports_for(user, assessment.unit_id):
        # The unit's own unpublished card stands alone: group figures would leak other units'.
        scope = [assessment]
    else:
        return None
    compiled = framework_compiled(assessment.framework)
    units = [UnitRow(a.unit.code, a.unit.name, a.unit.group.code) for a in scope]
    result: ScoreResult = run(compiled, _value_rows(scope, verified_side=True), units)
    adjustments = None
    if assessment.status in FINAL:
        own = [assessment]
        unit_row = [UnitRow(unit.code, unit.name, unit.group.code)]
        assessed = run(compiled, _value_rows(own, verified_side=False), unit_row)
        verified = run(compiled, _value_rows(own, verified_side=True), unit_row)
        reasons = dict(
            assessment.entries.filter(verdict=Verdict.ADJUSTED).values_list(
                "indicator", "verifier_reason"
            )
        )
        frame = adjustments_between(assessed, verified)
        adjustments = frame.with_columns(
            reason=pl.col("indicator").cast(pl.String).replace_strict(reasons, default="")
        )
    card = unit_scorecard(
        result,
        unit.code,
        period.code,
        frameworks=[framework_parsed(assessment.framework)],
        adjustments=adjustments,
    )
    return ScorecardView(card=card, published_only=not whole)


def tree_nodes(version: Any) -> list[dict[str, Any]]:
    """The framework's tree (and bonus/penalty items) as flat rows in depth-first order."""
    from dti.engine import Node
    from dti.io.template import describe_rule

    framework = framework_parsed(version)
    rows: list[dict[str, Any]] = []

    def add(node: Node, parent: str | None, depth: int, section: str) -> None:
        rows.append(
            {
                "code": node.code,
                "parent": parent,
                "depth": depth,
                "section": section,
                "name": node.name.vi,
                "name_en": node.name.en or "",
                "max": float(node.max),
                "is_leaf": node.is_leaf,
                "rule": describe_rule(node) if node.is_leaf else "",
                "rule_type": node.rule.type if node.is_leaf and node.rule else "",
                "na_allowed": node.na_allowed,
                "applies_to": list(node.applies_to) if node.applies_to is not None else None,
            }
        )
        for child in node.children:
            add(child, node.code, depth + 1, section)

    for pillar in framework.tree:
        add(pillar, None, 0, "tree")
    for kind in ("bonus", "penalty"):
        for item in framework.adjustment_items(kind):
            add(item, None, 0, kind)
    return rows


def framework_groups(version: Any) -> list[str]:
    return list(framework_parsed(version).group_codes())
