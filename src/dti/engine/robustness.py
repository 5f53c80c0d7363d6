"""How sure is a ranking before it is signed: each unit's rank interval under perturbations.

For every ranking set (period × group) the published ranks are recomputed under the
perturbations that matter for a provincial DTI (cf. the JRC/OECD *Handbook on Constructing
Composite Indicators* and COINr's ``get_sensitivity``):

* **declared** — the unit's own declared values instead of the values that count (the
  verifier's where adjusted);
* **precision** — every value anywhere within half a unit of its last published decimal, as
  its rule reads it (the fraction, the percentage, the count, the expert points). Rules never
  decrease in their value, so the extreme totals are the values all shifted down and all up
  (penalty items the other way); the best rank is the unit at its highest against every other
  at its lowest, the worst the reverse — exact bounds, no sampling;
* **N/A as zero** — leaves marked not applicable scored 0 of their maximum instead of left out
  of the applicable maximum;
* **weights** — Monte Carlo draws of the pillars' weights, each multiplied by a factor uniform
  in ``[1 − r, 1 + r]`` and renormalised so that the group's maximum is kept; seeded, so a
  report is reproducible.

Ranks are taken on published (rounded) scores, ties sharing the best rank, as the official
table ranks. The report also flags near-ties (another unit of the set closer than a margin)
and band edges (a band threshold closer than a margin). Everything is array arithmetic over
units × draws; the only loops are over ranking sets and draws' chunks, never over units.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import polars as pl

from dti.engine.compiled import F64, I64, CompiledFramework, LeafKind, compile_framework
from dti.engine.framework import Framework, ReportAs
from dti.engine.robustness_ranks import interval_ranks, min_ranks, nearest_neighbours
from dti.engine.scoring.aggregate import Keys, PillarSums, Totals, find_keys, key_totals
from dti.engine.scoring.aggregate import pillar_sums as sum_pillars
from dti.engine.scoring.blocks import FRACTION_KINDS, Block, Kind
from dti.engine.scoring.inputs import Inputs, read_inputs
from dti.engine.scoring.points import leaf_points
from dti.engine.scoring.publish import Published, publish_scores

__all__ = ["Perturbations", "RobustnessReport", "robustness"]

# Draws are ranked this many at a time, bounding memory (units × chunk floats per array).
DRAW_CHUNK = 250
MAX_DRAWS = 100_000


@dataclass(frozen=True)
class Perturbations:
    """What to perturb, and the margins of the flags.

    ``value_decimals``: the decimals at which values are published (one for all indicators,
    or per indicator code; an indicator missing from the mapping is not perturbed); ``None``
    leaves values as they are. ``weight_range`` r in [0, 1) with ``draws`` Monte Carlo draws
    seeded by ``seed``. ``tie_margin`` and ``band_margin`` are in percentage points of the
    scale's maximum (0.1 on a 1,000-point scale is 1 point).
    """

    value_decimals: int | Mapping[str, int] | None = None
    na_as_zero: bool = True
    weight_range: float = 0.0
    draws: int = 0
    seed: int = 0
    tie_margin: float = 0.1
    band_margin: float = 0.1

    def __post_init__(self) -> None:
        if not 0.0 <= self.weight_range < 1.0:
            raise ValueError(f"weight_range must lie in [0, 1), not {self.weight_range}")
        if not 0 <= self.draws <= MAX_DRAWS:
            raise ValueError(f"draws must lie in [0, {MAX_DRAWS}], not {self.draws}")
        if self.tie_margin < 0 or self.band_margin < 0:
            raise ValueError("margins cannot be negative")


@dataclass(frozen=True, eq=False)
class RobustnessReport:
    """``units``: one row per unit × period, in the order of the ranking (see README)."""

    framework: Framework
    perturbations: Perturbations
    units: pl.DataFrame


@dataclass(frozen=True, slots=True, eq=False)
class _Scored:
    """One values table scored up to the published scores, keyed as the scorer keys."""

    inputs: Inputs
    keys: Keys
    totals: Totals
    pillars: PillarSums
    published: Published


def _scored(cf: CompiledFramework, inputs: Inputs) -> _Scored:
    leaf = leaf_points(cf, inputs)
    keys = find_keys(inputs.rows)
    totals = key_totals(cf, leaf, keys)
    return _Scored(inputs, keys, totals, sum_pillars(cf, leaf, keys), publish_scores(cf, totals))


def _scale_top(cf: CompiledFramework) -> float:
    """The largest published score: 1 for an index, the scale's total otherwise."""
    scale = cf.framework.scale
    return 1.0 if scale.report == ReportAs.INDEX else float(scale.total)


# -- perturbations ----------------------------------------------------------------------------


def _half_steps(cf: CompiledFramework, decimals: int | Mapping[str, int]) -> F64:
    """Per leaf, half a unit of its last published decimal (0: not perturbed)."""
    if isinstance(decimals, int):
        return np.full(cf.n_leaves, 0.5 * 10.0**-decimals)
    half = np.zeros(cf.n_leaves)
    for code, d in decimals.items():
        if code in cf.index:
            half[cf.index[code]] = 0.5 * 10.0**-d
    return half


def _shifted_block(cf: CompiledFramework, kind: Kind, block: Block, shift: F64) -> Block:
    """The block's values moved by ``shift`` (per leaf) as the rule reads them, kept valid."""
    step = shift[block.leaf]
    if kind in FRACTION_KINDS and block.denom.size:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(np.isnan(block.denom), block.value, block.value / block.denom)
        value = np.fmax(ratio + step, 0.0)
        return replace(block, value=value, denom=np.full(value.shape, np.nan))
    value = np.fmax(block.value + step, 0.0)  # NaN (nothing entered) stays NaN
    if kind == Kind.POINTS:
        value = np.fmin(value, cf.max[block.leaf])
    return replace(block, value=value)


def _precision_bounds(
    cf: CompiledFramework, inputs: Inputs, decimals: int | Mapping[str, int]
) -> tuple[_Scored, _Scored]:
    """The scores with every value at the low and at the high end of its precision."""
    half = _half_steps(cf, decimals)
    # A penalty item lowers the total as its value rises: it moves the other way.
    up = np.where(cf.kind == LeafKind.PENALTY, -half, half)
    bounds = []
    for sign in (-1.0, 1.0):
        blocks = {k: _shifted_block(cf, k, b, sign * up) for k, b in inputs.blocks.items()}
        bounds.append(_scored(cf, replace(inputs, blocks=blocks)))
    return bounds[0], bounds[1]


def _na_as_zero(cf: CompiledFramework, base: _Scored) -> Published:
    """The scores with every leaf marked N/A counted as 0 of its maximum."""
    t = base.totals
    applicable_max = cf.group_max[base.keys.group]
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(applicable_max > 0, t.total / applicable_max * 100.0, 0.0)
    return publish_scores(cf, replace(t, applicable_max=applicable_max, percent=percent))


def _weight_factors(cf: CompiledFramework, p: Perturbations) -> F64:
    """``draws × pillars`` factors, uniform in [1 − r, 1 + r], from the seeded generator."""
    rng = np.random.default_rng(p.seed)
    n_pillars = len(cf.pillar_codes)
    return rng.uniform(1.0 - p.weight_range, 1.0 + p.weight_range, size=(p.draws, n_pillars))


def _weighted_draws(
    cf: CompiledFramework, base: _Scored, members: I64, group: int, factors: F64
) -> tuple[I64, I64]:
    """Ranks and bands (``members × draws``) of one ranking set under the weight draws."""
    group_max = cf.group_pillar_max[group]
    # Renormalised per group so that the weighted maximum is the group's own.
    weights = factors * (group_max.sum() / np.maximum(factors @ group_max, 1e-300))[:, None]
    points, maxima = base.pillars.points[members], base.pillars.max[members]
    t = base.totals
    bonus, penalty = t.bonus[members][None, :], t.penalty[members][None, :]
    ranks = np.empty((len(members), len(weights)), dtype=np.int64)
    bands = np.empty_like(ranks)
    for start in range(0, len(weights), DRAW_CHUNK):
        w = weights[start : start + DRAW_CHUNK]
        tree = w @ points.T  # draws × members
        applicable_max = w @ maxima.T
        total = np.maximum(tree + bonus - penalty, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            percent = np.where(applicable_max > 0, total / applicable_max * 100.0, 0.0)
        published = publish_scores(cf, Totals(tree, bonus, penalty, total, applicable_max, percent))
        ranks[:, start : start + len(w)] = min_ranks(published.rounded).T
        bands[:, start : start + len(w)] = published.band.T
    return ranks, bands


# -- the report -------------------------------------------------------------------------------


def _ranking_sets(keys: Keys, n_groups: int) -> list[I64]:
    """Key positions of each (period, group), in that order."""
    set_id = keys.period * n_groups + keys.group
    order = np.argsort(set_id, kind="stable")
    bounds = np.flatnonzero(np.diff(set_id[order])) + 1
    return [np.asarray(s, dtype=np.int64) for s in np.split(order, bounds) if len(s)]


def _aligned(base: _Scored, other: _Scored, column: F64 | I64) -> F64 | I64:
    """``column`` of ``other`` (same units and periods table) at ``base``'s keys; the base's
    own value where ``other`` has no such key."""
    position = np.full(base.keys.n_up, -1, dtype=np.int64)
    position[other.keys.keys] = np.arange(len(other.keys.keys))
    found = position[base.keys.keys]
    return np.where(found >= 0, column[np.maximum(found, 0)], -1)


def _band_edges(cf: CompiledFramework, base: _Scored) -> tuple[F64, I64]:
    """Per key: the distance (percentage points) to the nearest band threshold and the band
    across it (-1 where the framework has a single band)."""
    fw, rounded = cf.framework, base.published.rounded
    if fw.scale.report == ReportAs.RAW:
        m = base.totals.applicable_max
        with np.errstate(divide="ignore", invalid="ignore"):
            basis = np.where(m > 0, rounded / m * 100.0, 0.0)
    else:
        basis = rounded / _scale_top(cf) * 100.0
    thresholds = cf.band_min[:-1]
    if not len(thresholds):
        return np.full(len(rounded), np.inf), np.full(len(rounded), -1, dtype=np.int64)
    gaps = np.abs(basis[:, None] - thresholds[None, :])
    nearest = gaps.argmin(axis=1)
    band = base.published.band
    # Threshold k separates band k (at or above it) from band k + 1.
    across = np.where(band <= nearest, nearest + 1, nearest)
    return gaps.min(axis=1), across.astype(np.int64)


@dataclass(eq=False)
class _Bounds:
    """What the scenarios found so far: each unit's best and worst rank and band (lowest
    index: best), and the per-scenario columns of the report."""

    rank_best: I64
    rank_worst: I64
    band_best: I64
    band_worst: I64
    columns: dict[str, I64] = field(default_factory=dict)

    def add(self, best: I64, worst: I64, band_best: I64, band_worst: I64, **columns: I64) -> None:
        self.rank_best = np.minimum(self.rank_best, best)
        self.rank_worst = np.maximum(self.rank_worst, worst)
        self.band_best = np.minimum(self.band_best, band_best)
        self.band_worst = np.maximum(self.band_worst, band_worst)
        self.columns |= columns


def _ranks_in_sets(scores: F64, sets: list[I64]) -> I64:
    ranks = np.empty(len(scores), dtype=np.int64)
    for members in sets:
        ranks[members] = min_ranks(scores[members][None, :])[0]
    return ranks


def robustness(
    framework: Framework | CompiledFramework,
    values: pl.DataFrame,
    units: pl.DataFrame,
    *,
    declared: pl.DataFrame | None = None,
    perturbations: Perturbations | None = None,
) -> RobustnessReport:
    """Each unit's rank interval within its (period, group) under ``perturbations``.

    ``values`` are the values that count (as :func:`dti.engine.score` takes them), ``declared``
    the units' own declared values (same columns). Raises :class:`DataError` as ``score`` does.
    """
    cf = framework if isinstance(framework, CompiledFramework) else compile_framework(framework)
    p = perturbations or Perturbations()
    base = _scored(cf, read_inputs(cf, values, units, None))
    sets = _ranking_sets(base.keys, len(cf.group_codes))
    ranks, band = _ranks_in_sets(base.published.rounded, sets), base.published.band
    bounds = _Bounds(ranks, ranks, band, band)
    if declared is not None:
        other = _scored(cf, read_inputs(cf, declared, units, "declared"))
        present = _aligned(base, other, np.ones(len(other.keys.keys))) >= 0
        # A unit with no declared values keeps its counted score.
        rounded = np.where(
            present, _aligned(base, other, other.published.rounded), base.published.rounded
        )
        got = _ranks_in_sets(rounded.astype(np.float64), sets)
        bands = np.where(present, _aligned(base, other, other.published.band), band)
        bounds.add(got, got, bands, bands, rank_declared=got)
    if p.na_as_zero:
        zero = _na_as_zero(cf, base)
        got = _ranks_in_sets(zero.rounded, sets)
        bounds.add(got, got, zero.band, zero.band, rank_na_zero=got)
    if p.value_decimals is not None:
        low, high = _precision_bounds(cf, base.inputs, p.value_decimals)
        best, worst = np.empty_like(ranks), np.empty_like(ranks)
        for members in sets:
            best[members], worst[members] = interval_ranks(
                low.published.rounded[members], high.published.rounded[members]
            )
        bounds.add(
            best,
            worst,
            high.published.band,
            low.published.band,
            rank_precision_best=best,
            rank_precision_worst=worst,
        )
    if p.draws and p.weight_range > 0:
        _add_weight_draws(cf, p, base, sets, bounds)
    return RobustnessReport(cf.framework, p, _frame(cf, p, base, sets, ranks, bounds))


def _add_weight_draws(
    cf: CompiledFramework, p: Perturbations, base: _Scored, sets: list[I64], bounds: _Bounds
) -> None:
    n = len(base.keys.keys)
    factors = _weight_factors(cf, p)
    names = ("best", "worst", "p05", "median", "p95", "band_best", "band_worst")
    out = {name: np.empty(n, dtype=np.int64) for name in names}
    for members in sets:
        ranks, bands = _weighted_draws(cf, base, members, int(base.keys.group[members[0]]), factors)
        q05, q50, q95 = np.quantile(ranks, [0.05, 0.5, 0.95], axis=1, method="inverted_cdf")
        found = (ranks.min(axis=1), ranks.max(axis=1), q05, q50, q95)
        for name, got in zip(names, (*found, bands.min(axis=1), bands.max(axis=1)), strict=True):
            out[name][members] = got
    bounds.add(
        out["best"],
        out["worst"],
        out["band_best"],
        out["band_worst"],
        **{f"rank_weights_{name}": out[name] for name in names[:5]},
    )


def _frame(
    cf: CompiledFramework,
    p: Perturbations,
    base: _Scored,
    sets: list[I64],
    ranks: I64,
    bounds: _Bounds,
) -> pl.DataFrame:
    keys, rows = base.keys, base.inputs.rows
    unit_table = rows.units.select(pl.col("unit").cast(pl.String), pl.col("name").cast(pl.String))
    unit_codes = unit_table["unit"].gather(keys.unit)
    rounded = base.published.rounded
    gap, neighbour = np.full(len(ranks), np.inf), np.full(len(ranks), -1, dtype=np.int64)
    sizes = np.empty_like(ranks)
    for members in sets:
        g, nb = nearest_neighbours(rounded[members])
        gap[members] = g
        neighbour[members] = np.where(nb >= 0, members[np.maximum(nb, 0)], -1)
        sizes[members] = len(members)
    band_gap, band_across = _band_edges(cf, base)
    bands = pl.Series(cf.band_codes, dtype=pl.String)
    neighbour_codes = pl.Series([*unit_codes.to_list(), None], dtype=pl.String)
    frame = pl.DataFrame(
        {
            "unit": unit_codes,
            "name": unit_table["name"].gather(keys.unit),
            "group": pl.Series(cf.group_codes, dtype=pl.String).gather(keys.group),
            "period": pl.Series(rows.periods, dtype=pl.String).gather(keys.period),
            "score": rounded,
            "rank": ranks,
            "group_size": sizes,
            "band": bands.gather(base.published.band),
            "rank_best": bounds.rank_best,
            "rank_worst": bounds.rank_worst,
            "stable": bounds.rank_best == bounds.rank_worst,
            **bounds.columns,
            "band_best": bands.gather(bounds.band_best),
            "band_worst": bands.gather(bounds.band_worst),
            "nearest_gap": pl.Series(gap).replace(np.inf, None),
            "nearest_unit": neighbour_codes.gather(
                np.where(neighbour >= 0, neighbour, len(unit_codes))
            ),
            "near_tie": gap < p.tie_margin / 100.0 * _scale_top(cf),
            "band_gap": pl.Series(band_gap).replace(np.inf, None),
            "band_across": pl.Series([*cf.band_codes, None], dtype=pl.String).gather(
                np.where(band_across >= 0, band_across, len(cf.band_codes))
            ),
            "band_edge": band_gap < p.band_margin,
        }
    )
    return frame.sort(["period", "group", "rank", "unit"])
