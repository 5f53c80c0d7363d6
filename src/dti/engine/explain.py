"""Why a unit got its points: the arithmetic from each value to the published score and band.

:func:`explain` returns a :class:`Trace` for one unit in one period: for every indicator of
its group the value that counted, the rule with its parameters and each step from value to
points; then the pillars, the bonus and penalty with their caps, the total, the maximum less
the indicators not applicable, the rescaling the framework reports, the rounding and the band.
Each step is a :class:`~dti.engine.messages.Message` (a code with numbers) that the web renders
in the reader's language; the numbers themselves are fields of the trace.

The trace is computed for one unit with scalar arithmetic that mirrors the vectorised scorer
(:mod:`dti.engine.scoring.points`, ``.aggregate``, ``.publish``) operation for operation;
``tests/test_explain.py`` proves, for every rule type and every way of reporting, that it
lands on the figures :func:`~dti.engine.scoring.score` publishes. :func:`previous_trace` says
how a year-over-year comparison value was derived for a merged unit (which predecessors, by
which method), from the columns the scorer adds and the registry's lineage.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import polars as pl

from dti.engine.compiled import (
    EPS,
    LEVEL_TOLERANCE,
    CompiledFramework,
    LeafKind,
    RuleType,
    compile_framework,
)
from dti.engine.direct import GIVEN_AS, expand_direct
from dti.engine.framework import Framework, HistoryMethod, ReportAs
from dti.engine.lineage import Registry
from dti.engine.messages import Message, say
from dti.engine.rounding import round_published

__all__ = [
    "IndicatorTrace",
    "PillarTrace",
    "Previous",
    "Trace",
    "explain",
    "previous_trace",
]

# Numbers shown inside the steps (the trace's fields keep them exact).
SHOWN_DECIMALS = 4


def _n(x: float) -> float:
    return round(float(x), SHOWN_DECIMALS) + 0.0  # (+ 0.0: no "-0")


@dataclass(frozen=True, slots=True)
class IndicatorTrace:
    """One indicator: what counted, the rule, and the steps from value to points.

    ``basis`` is what the rule reads (the ratio, the value, the count); ``max`` is the
    indicator's maximum as it counts for the unit (0 when not applicable); ``tier`` the number
    of tiers reached (tiers rule). ``given_as`` names the node whose result was given directly
    (its points then come from that node's share, not from the rule).
    """

    indicator: str
    kind: LeafKind
    pillar: str | None  # None for bonus and penalty items
    rule: RuleType
    parameters: tuple[tuple[str, float], ...]
    entered: bool
    value: float | None
    denominator: float | None
    applicable: bool
    basis: float | None
    tier: int | None
    points: float
    max: float
    full_max: float
    steps: tuple[Message, ...]
    given_as: str | None = None


@dataclass(frozen=True, slots=True)
class PillarTrace:
    pillar: str
    points: float
    max: float  # applicable: the pillar's maximum less its indicators not applicable
    full_max: float
    indicators: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Previous:
    """The value the change is measured against, and how it was derived for a merged unit."""

    period: str
    score: float
    derived: bool
    method: HistoryMethod
    predecessors: tuple[str, ...]  # the units it was derived from (direct predecessors)
    missing: tuple[str, ...]  # predecessors that had no value
    steps: tuple[Message, ...]


@dataclass(frozen=True, slots=True)
class Trace:
    """A unit's score explained, from its indicators to its band (see the module)."""

    unit: str
    period: str
    group: str
    framework: str
    indicators: tuple[IndicatorTrace, ...]
    pillars: tuple[PillarTrace, ...]
    tree_points: float
    bonus_raw: float
    bonus: float
    bonus_cap: float
    penalty_raw: float
    penalty: float
    penalty_cap: float
    total: float
    full_max: float  # the group's maximum
    not_applicable_max: float
    applicable_max: float
    percent: float
    report: ReportAs
    scale_total: float
    exact: float
    decimals: int
    rounding: str
    score: float
    band_basis: float  # the percent the bands are read on (from the published score)
    band: str
    band_index: int  # 0 = best
    steps: tuple[Message, ...]
    previous: Previous | None = None

    def indicator(self, code: str) -> IndicatorTrace:
        for line in self.indicators:
            if line.indicator == code:
                return line
        raise KeyError(code)


# -- one indicator ----------------------------------------------------------------------------


def _parameters(cf: CompiledFramework, i: int) -> tuple[tuple[str, float], ...]:
    rule = RuleType(int(cf.rule[i]))
    if rule == RuleType.RATIO:
        return (
            ("target", float(cf.ratio_target[i])),
            ("floor", float(cf.ratio_floor[i])),
            ("percent", float(cf.ratio_percent[i])),
        )
    if rule == RuleType.COUNT:
        return (("per_item", float(cf.per_item[i])),)
    if rule == RuleType.TIERS:
        mins = [float(m) for m in cf.tier_min[i] if math.isfinite(m)]
        out: list[tuple[str, float]] = [("ratio", float(cf.tier_on_ratio[i]))]
        for k, low in enumerate(mins):
            out += [
                (f"tier_{k + 1}_min", low),
                (f"tier_{k + 1}_points", float(cf.tier_points[i, k + 1])),
            ]
        return tuple(out)
    return ()


def _fraction(v: float, denom: float | None) -> tuple[float, Message]:
    """As :func:`dti.engine.scoring.points._fraction`, with the step that says it."""
    if denom is None:
        return v, say("explain_fraction_given", ratio=_n(v))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = float(np.float64(v) / np.float64(denom))
    if not ratio < math.inf:
        ratio = 0.0
    return ratio, say("explain_fraction", value=_n(v), denominator=_n(denom), ratio=_n(ratio))


def _rule_points(
    cf: CompiledFramework, i: int, value: float | None, denom: float | None
) -> tuple[float, float | None, int | None, list[Message]]:
    """(points, basis, tiers reached, steps) of leaf ``i``'s rule on the value entered."""
    rule = RuleType(int(cf.rule[i]))
    top = float(cf.max[i])
    if rule == RuleType.BOOLEAN:
        done = value is not None and value >= 0.5
        points = top if done else 0.0
        code = "explain_boolean_done" if done else "explain_boolean_not_done"
        return points, float(done), None, [say(code, points=_n(points), maximum=_n(top))]
    v = 0.0 if value is None else max(value, 0.0)
    if rule == RuleType.POINTS:
        return v, v, None, [say("explain_points", points=_n(v), maximum=_n(top))]
    if rule == RuleType.COUNT:
        per = float(cf.per_item[i])
        points = min(v * per, top)
        step = say(
            "explain_count", count=_n(v), per_item=_n(per), maximum=_n(top), points=_n(points)
        )
        return points, v, None, [step]
    steps: list[Message] = []
    if rule == RuleType.RATIO:
        if cf.ratio_percent[i]:
            ratio = v / 100.0
            steps.append(say("explain_percent_input", value=_n(v), ratio=_n(ratio)))
        else:
            ratio, step = _fraction(v, denom)
            steps.append(step)
        target, floor = float(cf.ratio_target[i]), float(cf.ratio_floor[i])
        if ratio + EPS < floor:
            steps.append(say("explain_ratio_below_floor", ratio=_n(ratio), floor=_n(floor)))
            return 0.0, ratio, None, steps
        points = top * min(ratio / target, 1.0)
        steps.append(
            say(
                "explain_ratio",
                maximum=_n(top),
                ratio=_n(ratio),
                target=_n(target),
                points=_n(points),
            )
        )
        return points, ratio, None, steps
    # Tiers: the number of thresholds reached picks the points.
    if cf.tier_on_ratio[i]:
        x, step = _fraction(v, denom)
        steps.append(step)
    else:
        x = v
    reached = int(sum(1 for m in cf.tier_min[i] if x + EPS >= m))
    points = float(cf.tier_points[i, reached])
    if reached == 0:
        steps.append(say("explain_tier_none", basis=_n(x), minimum=_n(float(cf.tier_min[i, 0]))))
    else:
        low = float(cf.tier_min[i, reached - 1])
        steps.append(
            say("explain_tier", basis=_n(x), tier=reached, minimum=_n(low), points=_n(points))
        )
    return points, x, reached, steps


def _optional(value: Any) -> float | None:
    if value is None:
        return None
    out = float(value)
    return None if math.isnan(out) else out


def _indicator(
    cf: CompiledFramework, i: int, row: Mapping[str, Any] | None, direct: tuple[float, float] | None
) -> IndicatorTrace:
    kind = LeafKind(int(cf.kind[i]))
    pillar = cf.pillar_codes[int(cf.pillar[i])] if kind == LeafKind.TREE else None
    rule = RuleType(int(cf.rule[i]))
    full_max = float(cf.max[i])
    value = _optional(row.get("value")) if row else None
    denom = _optional(row.get("denominator")) if row else None
    applicable_cell = row.get("applicable") if row else None
    applicable = True if applicable_cell is None else bool(applicable_cell)
    given_as = row.get(GIVEN_AS) if row else None
    common: dict[str, Any] = {
        "indicator": cf.codes[i],
        "kind": kind,
        "pillar": pillar,
        "rule": rule,
        "parameters": _parameters(cf, i),
        "entered": row is not None and (value is not None or given_as is not None),
        "value": value,
        "denominator": denom,
        "applicable": applicable,
        "full_max": full_max,
        "given_as": given_as,
    }
    if not applicable:
        step = say("explain_not_applicable", maximum=_n(full_max))
        return IndicatorTrace(**common, basis=None, tier=None, points=0.0, max=0.0, steps=(step,))
    if given_as is not None and direct is not None:
        points, na_part = direct
        top = full_max - na_part
        step = say("explain_given_directly", node=str(given_as), points=_n(points), maximum=_n(top))
        return IndicatorTrace(
            **common, basis=None, tier=None, points=points, max=top, steps=(step,)
        )
    points, basis, tier, steps = _rule_points(cf, i, value, denom)
    if value is None and rule != RuleType.BOOLEAN:
        steps = [say("explain_nothing_entered")]
    return IndicatorTrace(
        **common, basis=basis, tier=tier, points=points, max=full_max, steps=tuple(steps)
    )


# -- the unit ---------------------------------------------------------------------------------


def _unit_rows(
    cf: CompiledFramework, values: pl.DataFrame, unit: str, period: str, group_id: int
) -> tuple[dict[str, dict[str, Any]], dict[str, tuple[float, float]]]:
    """The unit's rows by indicator, nodes given directly expanded into their leaves (with
    the points and the part not applicable that they fix)."""
    mine = values.filter(
        (pl.col("unit").cast(pl.String) == unit) & (pl.col("period").cast(pl.String) == period)
    )
    fixed: dict[str, tuple[float, float]] = {}
    direct = expand_direct(cf, mine, {unit: 0}, np.array([group_id], dtype=np.int64), None)
    if direct is not None:
        mine = direct.values
        for k, (code, given) in enumerate(
            mine.select(pl.col("indicator").cast(pl.String), GIVEN_AS).iter_rows()
        ):
            if given is not None:
                fixed[code] = (float(direct.points[k]), float(direct.na_part[k]))
    rows = {str(r["indicator"]): r for r in mine.iter_rows(named=True)}
    return rows, fixed


def explain(
    framework: Framework | CompiledFramework,
    values: pl.DataFrame,
    *,
    unit: str,
    period: str,
    group: str,
    previous: Previous | None = None,
) -> Trace:
    """The trace of ``unit``'s score in ``period`` (its group ``group``) from ``values`` — the
    rows :func:`~dti.engine.scoring.score` takes (other units' and periods' rows are ignored).

    Indicators of the group without a row count as nothing entered (0 points), as in scoring.
    The values are assumed valid (scored without error); ``KeyError`` for an unknown group.
    """
    cf = framework if isinstance(framework, CompiledFramework) else compile_framework(framework)
    g = cf.group_codes.index(group) if group in cf.group_codes else -1
    if g < 0:
        raise KeyError(group)
    rows, fixed = _unit_rows(cf, values, unit, period, g)
    lines = tuple(
        _indicator(cf, i, rows.get(code), fixed.get(code))
        for i, code in enumerate(cf.codes)
        if cf.applies[g, i]
    )
    return _assemble(cf, g, unit, period, lines, previous)


def _assemble(
    cf: CompiledFramework,
    g: int,
    unit: str,
    period: str,
    lines: tuple[IndicatorTrace, ...],
    previous: Previous | None,
) -> Trace:
    fw = cf.framework
    tree = [line for line in lines if line.kind == LeafKind.TREE]
    pillars = []
    for p, code in enumerate(cf.pillar_codes):
        inside = [line for line in tree if line.pillar == code]
        full = float(cf.group_pillar_max[g, p])
        na = sum(line.full_max - line.max for line in inside)
        pillars.append(
            PillarTrace(
                pillar=code,
                points=float(sum(line.points for line in inside)),
                max=full - na,
                full_max=full,
                indicators=tuple(line.indicator for line in inside),
            )
        )
    tree_points = float(sum(line.points for line in tree))
    bonus_raw = float(sum(line.points for line in lines if line.kind == LeafKind.BONUS))
    penalty_raw = float(sum(line.points for line in lines if line.kind == LeafKind.PENALTY))
    bonus, penalty = min(bonus_raw, cf.bonus_cap), min(penalty_raw, cf.penalty_cap)
    full_max = float(cf.group_max[g])
    na_max = float(sum(line.full_max - line.max for line in tree))
    applicable_max = full_max - na_max
    total = max(tree_points + bonus - penalty, 0.0)
    percent = total / applicable_max * 100.0 if applicable_max > 0 else 0.0
    scale = fw.scale
    steps = [say("explain_tree_points", points=_n(tree_points), count=len(tree))]
    if cf.bonus_cap:
        steps.append(say("explain_bonus", raw=_n(bonus_raw), cap=_n(cf.bonus_cap), bonus=_n(bonus)))
    if cf.penalty_cap:
        steps.append(
            say("explain_penalty", raw=_n(penalty_raw), cap=_n(cf.penalty_cap), penalty=_n(penalty))
        )
    steps.append(
        say(
            "explain_total",
            points=_n(tree_points),
            bonus=_n(bonus),
            penalty=_n(penalty),
            total=_n(total),
        )
    )
    steps.append(
        say(
            "explain_applicable_max",
            maximum=_n(full_max),
            not_applicable=_n(na_max),
            applicable=_n(applicable_max),
        )
    )
    exact, rounded, basis, band_index = published(cf, total, applicable_max)
    if scale.report == ReportAs.RESCALED:
        steps.append(
            say(
                "explain_percent",
                total=_n(total),
                applicable=_n(applicable_max),
                percent=_n(percent),
            )
        )
        steps.append(
            say("explain_rescaled", percent=_n(percent), scale=_n(scale.total), score=_n(exact))
        )
    elif scale.report == ReportAs.INDEX:
        steps.append(say("explain_index", total=_n(total), scale=_n(scale.total), score=_n(exact)))
    else:
        steps.append(say("explain_raw", score=_n(exact)))
    steps.append(say("explain_rounded", decimals=scale.decimals, score=rounded))
    band = fw.bands[band_index]
    steps.append(
        say(
            "explain_band",
            percent=_n(basis),
            band=band.name.vi,
            band_en=band.name.get("en"),
            minimum=_n(band.min_percent),
        )
    )
    return Trace(
        unit=unit,
        period=period,
        group=cf.group_codes[g],
        framework=fw.code,
        indicators=lines,
        pillars=tuple(pillars),
        tree_points=tree_points,
        bonus_raw=bonus_raw,
        bonus=bonus,
        bonus_cap=cf.bonus_cap,
        penalty_raw=penalty_raw,
        penalty=penalty,
        penalty_cap=cf.penalty_cap,
        total=total,
        full_max=full_max,
        not_applicable_max=na_max,
        applicable_max=applicable_max,
        percent=percent,
        report=scale.report,
        scale_total=scale.total,
        exact=exact,
        decimals=scale.decimals,
        rounding=scale.rounding,
        score=rounded,
        band_basis=basis,
        band=band.code,
        band_index=band_index,
        steps=tuple(steps),
        previous=previous,
    )


def published(
    cf: CompiledFramework, total: float, applicable_max: float
) -> tuple[float, float, float, int]:
    """A total as the framework publishes it — as :mod:`dti.engine.scoring.publish` does for
    arrays: (exact score, rounded score, the percent the bands read, the band's index)."""
    scale = cf.framework.scale
    percent = total / applicable_max * 100.0 if applicable_max > 0 else 0.0
    if scale.report == ReportAs.RESCALED:
        exact = percent / 100.0 * scale.total
    elif scale.report == ReportAs.INDEX:
        exact = total / scale.total
    else:
        exact = total
    rounded = float(round_published(np.array([exact]), scale.decimals, scale.rounding)[0])
    if scale.report == ReportAs.RAW:
        basis = rounded / applicable_max * 100.0 if applicable_max > 0 else 0.0
    elif scale.report == ReportAs.INDEX:
        basis = rounded * 100.0
    else:
        basis = rounded / scale.total * 100.0
    return exact, rounded, basis, band_of(cf, basis)


def band_of(cf: CompiledFramework, percent: float) -> int:
    """:func:`dti.engine.compiled.classify` for one percent."""
    for k in range(len(cf.band_codes) - 1):
        if cf.band_strict[k]:
            if percent > cf.band_min[k] + LEVEL_TOLERANCE:
                return k
        elif percent >= cf.band_min[k] - LEVEL_TOLERANCE:
            return k
    return len(cf.band_codes) - 1


def retrace(cf: CompiledFramework, trace: Trace, lines: tuple[IndicatorTrace, ...]) -> Trace:
    """The same unit with some indicator lines replaced (the band planner's what-if)."""
    g = cf.group_codes.index(trace.group)
    return _assemble(cf, g, trace.unit, trace.period, lines, trace.previous)


def reline(
    cf: CompiledFramework, line: IndicatorTrace, value: float, denominator: float | None
) -> IndicatorTrace:
    """``line`` with another value entered (same applicability and denominator)."""
    i = cf.index[line.indicator]
    points, basis, tier, steps = _rule_points(cf, i, value, denominator)
    return replace(
        line,
        entered=True,
        value=value,
        denominator=denominator,
        basis=basis,
        tier=tier,
        points=points,
        steps=tuple(steps),
    )


# -- the comparison value of a merged unit ----------------------------------------------------


def previous_trace(
    row: Mapping[str, Any], registry: Registry | None, method: HistoryMethod
) -> Previous | None:
    """How the unit's previous-period value (a row of ``ScoreResult.units``: ``unit,
    previous_period, previous_score, previous_derived, previous_missing``) came about: its own,
    or derived from its predecessors in the registry's lineage by ``method``."""
    score = _optional(row.get("previous_score"))
    period = row.get("previous_period")
    if score is None or period is None:
        return None
    derived = bool(row.get("previous_derived"))
    missing = tuple(m for m in str(row.get("previous_missing") or "").split(";") if m)
    predecessors: tuple[str, ...] = ()
    if derived and registry is not None:
        edges = registry.predecessor_map().get(str(row["unit"]), [])
        predecessors = tuple(sorted({src for src, _w, _k in edges if src != row["unit"]}))
    steps: tuple[Message, ...]
    if not derived:
        steps = (say("explain_previous_own", period=str(period), score=score),)
    else:
        steps = (
            say(
                f"explain_previous_{method.value}",
                period=str(period),
                score=score,
                units=predecessors,
            ),
        )
        if missing:
            steps = (*steps, say("explain_previous_missing", units=missing))
    return Previous(
        period=str(period),
        score=score,
        derived=derived,
        method=method,
        predecessors=predecessors,
        missing=missing,
        steps=steps,
    )
