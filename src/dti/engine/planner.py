"""What lifts a unit a band: the smallest sets of indicators whose improvement reaches a goal.

For each indicator the unit can still improve, :func:`plan_band` lists its *steps*: the next
tier (and each tier above it) of a tiers rule, the target of a ratio, done for a yes/no, the
items that fill a count. A step's *effort* is the distance from today's value to the step's
goal, as a share of the goal (the way still to go, in [0, 1]: 1 for a yes/no not done). A plan
takes at most one step per indicator; plans with the fewest indicators come first, and among
those the most points per unit of effort.

Every plan offered is checked by re-scoring the unit with its steps applied (the trace's own
arithmetic, :mod:`dti.engine.explain`, which is the scorer's): rounding, caps and the rescaling
for N/A are accounted for, not estimated. Expert points (``points`` rules), penalties and
indicators given directly or not applicable are outside the plans: the unit cannot set them
by its own work.

The goal is the next band (by default), a named band, or a target rank within the group
(:func:`score_for_rank` turns the other units' published scores into the score that reaches
it). The search is bounded (:data:`SEARCH_BUDGET` steps of the walk over sets, in order of
points per effort; at most :data:`MAX_CANDIDATES` sets reaching the goal compared; sets of up
to :data:`MAX_SET_SIZE` indicators; each indicator's nearest or furthest step): a plan offered
is always valid, but past the bounds a smaller or better one may go unlisted.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

import polars as pl

from dti.engine.compiled import EPS, CompiledFramework, LeafKind, RuleType, compile_framework
from dti.engine.explain import IndicatorTrace, Trace, explain, published, reline, retrace
from dti.engine.framework import Framework, ReportAs

__all__ = ["BandPlan", "Plan", "Step", "plan_band", "score_for_rank"]

SEARCH_BUDGET = 20_000  # steps of the search at most (each a set tried or extended)
MAX_SET_SIZE = 8
MAX_CANDIDATES = 500  # sets reaching the goal compared at most

# An indicator that can improve: its line in the trace, its steps and the improved lines.
Option = tuple[int, list["Step"], list[IndicatorTrace]]


@dataclass(frozen=True, slots=True)
class Step:
    """One indicator improved: from ``today`` to ``goal`` (what the rule reads), entering
    ``value`` (over ``denominator`` when the rule reads a ratio of counts)."""

    indicator: str
    pillar: str | None
    rule: RuleType
    today: float
    goal: float
    value: float
    denominator: float | None
    points_today: float
    points_after: float
    effort: float  # the way still to go, as a share of the goal

    @property
    def gain(self) -> float:
        return self.points_after - self.points_today


@dataclass(frozen=True, slots=True)
class Plan:
    steps: tuple[Step, ...]
    score: float  # the published score once every step is taken
    band: str
    gain: float  # points gained (before rescaling)
    effort: float  # the steps' efforts added up

    @property
    def efficiency(self) -> float:
        """Points gained per unit of effort."""
        return self.gain / self.effort if self.effort > 0 else math.inf


@dataclass(frozen=True, slots=True)
class BandPlan:
    unit: str
    period: str
    score: float
    band: str
    goal_band: str | None  # None when the goal is a score (a rank)
    goal_score: float | None
    reached: bool  # the goal is reached already
    plans: tuple[Plan, ...]  # empty when unreachable by the unit's own steps


def score_for_rank(others: Sequence[float], rank: int) -> float:
    """The published score that puts a unit at ``rank`` or better among ``others`` (ties share
    the best rank: it must equal the score now at that rank)."""
    ordered = sorted(others, reverse=True)
    if rank < 1:
        raise ValueError(f"rank {rank} must be at least 1")
    if rank > len(ordered):
        return -math.inf
    return ordered[rank - 1]


def _ceil_count(x: float, like: Sequence[float | None]) -> float:
    """``x`` rounded up to a whole number when the data are whole numbers (people, machines)."""
    whole = all(v is None or float(v).is_integer() for v in like)
    return float(math.ceil(x - 1e-9)) if whole else x


def _raw_for(line: IndicatorTrace, goal: float) -> tuple[float, float | None]:
    """The value to enter for the rule to read ``goal``."""
    if line.rule == RuleType.RATIO and line.parameters and dict(line.parameters)["percent"]:
        return goal * 100.0, None
    reads_ratio = line.rule == RuleType.RATIO or (
        line.rule == RuleType.TIERS and dict(line.parameters).get("ratio")
    )
    if reads_ratio and line.denominator is not None:
        numerator = _ceil_count(goal * line.denominator, [line.value, line.denominator])
        return min(numerator, line.denominator), line.denominator
    if line.rule in (RuleType.COUNT, RuleType.TIERS) and not reads_ratio:
        return _ceil_count(goal, [line.value]), None
    return goal, None


def _effort(today: float, goal: float) -> float:
    return max(goal - today, 0.0) / goal if goal > 0 else 1.0


def _candidates(cf: CompiledFramework, line: IndicatorTrace) -> list[IndicatorTrace]:
    """The improved lines of one indicator, each a possible step (nearest first)."""
    if line.kind == LeafKind.PENALTY or not line.applicable or line.given_as is not None:
        return []
    today = line.basis or 0.0
    i = cf.index[line.indicator]
    goals: list[float] = []
    if line.rule == RuleType.BOOLEAN and line.points < line.full_max:
        goals = [1.0]
    elif line.rule == RuleType.RATIO and line.points + EPS < line.full_max:
        goals = [float(cf.ratio_target[i])]
    elif line.rule == RuleType.COUNT and line.points + EPS < line.full_max:
        goals = [math.ceil(line.full_max / float(cf.per_item[i]) - 1e-9)]
    elif line.rule == RuleType.TIERS:
        goals = [
            float(cf.tier_min[i, k])
            for k in range(cf.tier_min.shape[1])
            if math.isfinite(cf.tier_min[i, k])
            and cf.tier_points[i, k + 1] > line.points + EPS
            and cf.tier_min[i, k] > today + EPS
        ]
    out = []
    for goal in goals:
        value, denominator = _raw_for(line, goal)
        improved = reline(cf, line, value, denominator)
        if improved.points > line.points + EPS:
            out.append(improved)
    return out


def _step(before: IndicatorTrace, after: IndicatorTrace) -> Step:
    today, goal = before.basis or 0.0, after.basis or 0.0
    return Step(
        indicator=before.indicator,
        pillar=before.pillar,
        rule=before.rule,
        today=today,
        goal=goal,
        value=after.value or 0.0,
        denominator=after.denominator,
        points_today=before.points,
        points_after=after.points,
        effort=_effort(today, goal) if before.rule != RuleType.BOOLEAN else 1.0,
    )


def _rounding_slack(cf: CompiledFramework, trace: Trace) -> float:
    """A published score rounds up by less than one unit of its last decimal: in points of
    the total, so much less may still reach the goal."""
    scale = cf.framework.scale
    unit = 10.0**-scale.decimals
    if scale.report == ReportAs.INDEX:
        return unit * scale.total
    if scale.report == ReportAs.RESCALED:
        return unit * trace.applicable_max / scale.total + 1e-9
    return unit


def _needed_total(cf: CompiledFramework, trace: Trace, goal: float, on_score: bool) -> float:
    """Roughly the total the goal takes (a bound for pruning; plans are checked exactly)."""
    scale = cf.framework.scale
    if on_score:
        if scale.report == ReportAs.RAW:
            return goal
        if scale.report == ReportAs.INDEX:
            return goal * scale.total
        return goal / scale.total * trace.applicable_max
    if scale.report == ReportAs.INDEX:
        return goal / 100.0 * scale.total
    return goal / 100.0 * trace.applicable_max


def plan_band(
    framework: Framework | CompiledFramework,
    values: pl.DataFrame,
    *,
    unit: str,
    period: str,
    group: str,
    band: str | None = None,
    score: float | None = None,
    limit: int = 5,
) -> BandPlan:
    """The ``limit`` best plans lifting ``unit`` to ``band`` (default: the next band up) or to
    a published ``score`` (see :func:`score_for_rank`); ``values`` as for
    :func:`~dti.engine.explain.explain`."""
    cf = framework if isinstance(framework, CompiledFramework) else compile_framework(framework)
    trace = explain(cf, values, unit=unit, period=period, group=group)
    fw = cf.framework
    goal_band: int | None = None
    if score is None:
        goal_band = (
            [b.code for b in fw.bands].index(band)
            if band is not None
            else max(trace.band_index - 1, 0)
        )

    def reached(published_score: float, band_index: int) -> bool:
        if goal_band is not None:
            return band_index <= goal_band
        assert score is not None
        return published_score >= score - EPS

    result = BandPlan(
        unit=unit,
        period=period,
        score=trace.score,
        band=trace.band,
        goal_band=fw.bands[goal_band].code if goal_band is not None else None,
        goal_score=score,
        reached=reached(trace.score, trace.band_index),
        plans=(),
    )
    if result.reached:
        return result
    threshold = score if score is not None else float(cf.band_min[goal_band or 0])
    needed = (
        _needed_total(cf, trace, threshold, score is not None)
        - trace.total
        - _rounding_slack(cf, trace)
    )
    options: list[Option] = []
    for k, line in enumerate(trace.indicators):
        improved = _candidates(cf, line)
        if improved:
            options.append((k, [_step(line, c) for c in improved], improved))
    plans = _search(cf, trace, options, needed, reached, limit)
    return replace(result, plans=tuple(plans))


def _search(
    cf: CompiledFramework,
    trace: Trace,
    options: list[Option],
    needed: float,
    reached: Callable[[float, int], bool],
    limit: int,
) -> list[Plan]:
    """Sets of steps of the smallest size that reaches the goal, best first."""
    # Most points per effort first, so that the bounded search meets good sets early.
    best_gain = [max(s.gain for s in steps) for _k, steps, _l in options]
    order = sorted(
        range(len(options)),
        key=lambda j: -max(s.gain / max(s.effort, 1e-6) for s in options[j][1]),
    )
    budget = [SEARCH_BUDGET]
    for size in range(1, min(MAX_SET_SIZE, len(options)) + 1):
        top = sorted(best_gain, reverse=True)[:size]
        if sum(top) < needed:
            continue  # no set of this size can gain enough
        candidates: list[tuple[float, float, list[str], list[tuple[Option, int]]]] = []
        for chosen in _combinations(order, size, best_gain, needed, budget):
            picked = [(options[j], c) for j, c in chosen]
            steps = tuple(steps[c] for (_k, steps, _l), c in picked)
            if reached(*_estimate(cf, trace, steps)):
                gain, effort = sum(s.gain for s in steps), sum(s.effort for s in steps)
                rate = gain / effort if effort > 0 else math.inf
                candidates.append((-rate, effort, [s.indicator for s in steps], picked))
                if len(candidates) >= MAX_CANDIDATES:
                    break  # (met in order of points per effort: the best are among them)
        candidates.sort(key=lambda c: (c[0], c[1], c[2]))
        found = _confirmed(cf, trace, candidates, reached, limit)
        if found:
            return found
        if budget[0] <= 0:
            break
    return []


def _confirmed(
    cf: CompiledFramework,
    trace: Trace,
    candidates: list[tuple[float, float, list[str], list[tuple[Option, int]]]],
    reached: Callable[[float, int], bool],
    limit: int,
) -> list[Plan]:
    """The best ``limit`` candidates (distinct sets of indicators) that the trace confirms:
    the estimate is the same arithmetic in another order, so it is checked, not trusted."""
    out: list[Plan] = []
    seen: set[tuple[str, ...]] = set()
    for _rate, _effort, codes, picked in candidates:
        key = tuple(sorted(codes))
        if key in seen:
            continue
        lines = list(trace.indicators)
        for (k, _steps, improved), c in picked:
            lines[k] = improved[c]
        after = retrace(cf, trace, tuple(lines))
        if not reached(after.score, after.band_index):
            continue
        seen.add(key)
        steps = tuple(steps[c] for (_k, steps, _l), c in picked)
        out.append(
            Plan(
                steps=steps,
                score=after.score,
                band=after.band,
                gain=sum(s.gain for s in steps),
                effort=sum(s.effort for s in steps),
            )
        )
        if len(out) == limit:
            break
    return out


def _estimate(cf: CompiledFramework, trace: Trace, steps: tuple[Step, ...]) -> tuple[float, int]:
    """The published score and band once ``steps`` are taken, from the trace's sums (the
    steps change points only, never the applicable maximum)."""
    tree = trace.tree_points + sum(s.gain for s in steps if s.pillar is not None)
    bonus = min(trace.bonus_raw + sum(s.gain for s in steps if s.pillar is None), cf.bonus_cap)
    total = max(tree + bonus - trace.penalty, 0.0)
    _exact, rounded, _basis, band_index = published(cf, total, trace.applicable_max)
    return rounded, band_index


def _combinations(
    order: list[int], size: int, best_gain: list[float], needed: float, budget: list[int]
) -> Iterator[list[tuple[int, int]]]:
    """Sets of ``size`` options (with one step each) whose best gains could reach ``needed``.
    Every node of the walk counts against ``budget``."""
    n = len(order)
    # best[p][m - 1]: the m largest gains among the options from position p on, added up.
    best: list[list[float]] = []
    for p in range(n + 1):
        gains = sorted((best_gain[order[q]] for q in range(p, n)), reverse=True)[:size]
        sums, acc = [], 0.0
        for g in gains:
            acc += g
            sums.append(acc)
        best.append(sums)

    def walk(start: int, chosen: list[int], gained: float) -> Iterator[list[int]]:
        budget[0] -= 1
        if budget[0] <= 0:
            return
        left = size - len(chosen)
        if left == 0:
            if gained >= needed:
                yield chosen
            return
        for p in range(start, n - left + 1):
            if gained + best[p][left - 1] < needed:
                return  # (later positions hold no larger gains)
            yield from walk(p + 1, [*chosen, order[p]], gained + best_gain[order[p]])

    for chosen in walk(0, [], 0.0):
        # Each indicator's nearest step, then its furthest (the two ends of its choices).
        yield [(j, 0) for j in chosen]
        yield [(j, -1) for j in chosen]
