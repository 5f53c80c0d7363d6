"""Phase 3 of scoring: sums per unit × period ("key") — totals and applicable maxima,
completion levels, pillars — each one ``bincount`` over the rows.

The masks are only built when some rows need them (N/A rows, bonus/penalty rows, zero-maximum
leaves): the usual case sums every row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dti.engine.compiled import F64, I64, CompiledFramework, LeafKind, classify
from dti.engine.scoring.inputs import Rows
from dti.engine.scoring.points import LeafPoints

__all__ = [
    "Completion",
    "Keys",
    "PillarSums",
    "Totals",
    "completion_levels",
    "find_keys",
    "key_totals",
    "pillar_sums",
]

Bools = npt.NDArray[np.bool_]

# Keys summed together: their rows' cache lines (64 bytes each) stay in a core's L2 while the
# columns are added one after another.
GRID_CHUNK = 4_096


def grid_sums(grid: F64, group: I64, n_groups: int) -> F64:
    """Per row of ``grid`` (keys × columns), the sum of its entries by the columns' ``group``
    (``keys × n_groups``; columns of group -1 left out), added column after column from 0.0.

    That is the order in which ``bincount`` adds a key's rows, so the sums are the same to
    the bit; but no per-row key array is built. (Two threads, one per core, were measured
    slower on the shared machine: see the README's design notes.)
    """
    n_keys = grid.shape[0]
    out = np.zeros((n_keys, n_groups))
    columns = [(column, into) for column, into in enumerate(group.tolist()) if into >= 0]
    for start in range(0, n_keys, GRID_CHUNK):
        part, acc = grid[start : start + GRID_CHUNK], out[start : start + GRID_CHUNK]
        for column, into in columns:
            acc[:, into] += part[:, column]
    return out


@dataclass(frozen=True, slots=True, eq=False)
class Keys:
    """The unit × period keys present in the rows (ascending), with their unit, period and
    group ids, and the sums over the rows per key."""

    up: I64  # each row's key
    n_up: int
    width: int  # rows' grid width (one grid row per key), 0 if they form no grid
    keys: I64
    unit: I64
    period: I64
    group: I64

    def sum(self, weights: F64, rows: Bools | None = None) -> F64:
        """Sum of ``weights`` per key, over the rows selected by ``rows`` (all if None)."""
        if rows is None and self.width:
            column = np.zeros(self.width, dtype=np.int64)
            return grid_sums(weights.reshape(-1, self.width), column, 1)[:, 0]
        if rows is None:
            summed = np.bincount(self.up, weights=weights, minlength=self.n_up)
            return summed[self.keys].astype(np.float64)
        at = np.flatnonzero(rows)
        summed = np.bincount(self.up[at], weights=weights[at], minlength=self.n_up)
        return summed[self.keys].astype(np.float64)

    def count(self, rows: Bools) -> I64:
        """Number of rows per key among those selected by ``rows``."""
        return np.bincount(self.up[rows], minlength=self.n_up)[self.keys].astype(np.int64)


def find_keys(rows: Rows) -> Keys:
    present = np.bincount(rows.up, minlength=rows.n_up) > 0
    keys = np.flatnonzero(present)
    key_unit = keys // rows.n_periods
    return Keys(
        up=rows.up,
        n_up=rows.n_up,
        width=rows.width,
        keys=keys,
        unit=key_unit,
        period=keys % rows.n_periods,
        group=rows.unit_group[key_unit],
    )


@dataclass(frozen=True, slots=True, eq=False)
class Totals:
    """Per key: points of the tree, capped bonus and penalty, their total, the applicable
    maximum (the group's maximum less the leaves marked N/A) and the total as a percentage."""

    tree_points: F64
    bonus: F64
    penalty: F64
    total: F64
    applicable_max: F64
    percent: F64


def key_totals(cf: CompiledFramework, leaf: LeafPoints, keys: Keys) -> Totals:
    zeros = np.zeros(len(keys.keys))
    tree_points = keys.sum(leaf.points, leaf.tree)
    if leaf.kind is None:
        bonus, penalty = zeros, zeros
    else:
        bonus = np.minimum(keys.sum(leaf.points, leaf.kind == LeafKind.BONUS), cf.bonus_cap)
        penalty = np.minimum(keys.sum(leaf.points, leaf.kind == LeafKind.PENALTY), cf.penalty_cap)
    na_max = zeros if leaf.na_rows is None else keys.sum(leaf.full_max, leaf.na_rows)
    if leaf.partial_na is not None:
        na_max = na_max + keys.sum(leaf.partial_na)
    applicable_max = cf.group_max[keys.group] - na_max
    total = np.maximum(tree_points + bonus - penalty, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(applicable_max > 0, total / applicable_max * 100.0, 0.0)
    return Totals(tree_points, bonus, penalty, total, applicable_max, percent)


@dataclass(frozen=True, slots=True, eq=False)
class Completion:
    """Per key, how many applicable tree leaves reached each completion level (``counts``,
    keys × levels; leaves with no row count at the lowest level) and how many are marked N/A;
    per row, its level (``None`` where per-row detail was not asked for and not needed)."""

    counts: I64
    not_applicable: I64
    level: I64 | None


def completion_levels(
    cf: CompiledFramework, leaf: LeafPoints, keys: Keys, *, detail: bool
) -> Completion:
    """Classify each applicable tree leaf's share of its maximum into completion levels."""
    ind, up, points, leaf_max = leaf.rows.ind, keys.up, leaf.points, leaf.leaf_max
    positive_leaf = cf.max > 0
    plain = leaf.every_row_applicable and leaf.partial_na is None and bool(positive_leaf.all())
    with np.errstate(divide="ignore", invalid="ignore"):
        if plain:
            leaf_percent = points / leaf_max * 100.0
        else:
            leaf_percent = np.where(leaf_max > 0, points / leaf_max * 100.0, 0.0)
    n_levels = len(cf.level_codes)
    level: I64 | None = None
    if leaf.tree is None and plain and not detail:
        level_key = classify(leaf_percent, cf.level_min, cf.level_strict, base=up * n_levels)
    elif leaf.tree is None and plain:
        level = classify(leaf_percent, cf.level_min, cf.level_strict)
        level_key = up * n_levels + level
    else:
        level = classify(leaf_percent, cf.level_min, cf.level_strict)
        level_rows = np.flatnonzero(
            (leaf.tree if leaf.tree is not None else True)
            & leaf.rows.applicable
            & positive_leaf[ind]
        )
        level_key = up[level_rows] * n_levels + level[level_rows]
    del leaf_percent
    counts = np.bincount(level_key, minlength=keys.n_up * n_levels).reshape(keys.n_up, n_levels)
    counts = counts[keys.keys]
    del level_key
    if leaf.na_rows is None:
        not_applicable = np.zeros(len(keys.keys), dtype=np.int64)
        na_counted = not_applicable
    else:
        not_applicable = keys.count(leaf.na_rows)
        # Leaves worth no points are outside the completion counts, whether N/A or not.
        na_counted = keys.count(leaf.na_rows & positive_leaf[ind])
    missing = cf.group_leaf_count[keys.group] - counts.sum(axis=1) - na_counted
    counts[:, -1] += missing
    return Completion(counts, not_applicable, level)


@dataclass(frozen=True, slots=True, eq=False)
class PillarSums:
    """Per key × pillar (2-D, keys × pillars): tree points and applicable maximum."""

    points: F64
    max: F64


def pillar_sums(cf: CompiledFramework, leaf: LeafPoints, keys: Keys) -> PillarSums:
    n_pillars, n_up = len(cf.pillar_codes), keys.n_up
    if keys.width and leaf.na_rows is None and leaf.partial_na is None:
        # A grid: every key has the same leaves in the same columns (bonus and penalty
        # columns, pillar -1, are left out).
        pillar_of_column = cf.pillar[leaf.rows.ind[: keys.width]]
        points = grid_sums(leaf.points.reshape(-1, keys.width), pillar_of_column, n_pillars)
        return PillarSums(points, cf.group_pillar_max[keys.group])
    pillar_key = keys.up * n_pillars + cf.pillar[leaf.rows.ind]
    at = np.flatnonzero(leaf.tree) if leaf.tree is not None else None
    pillar_points = np.bincount(
        pillar_key if at is None else pillar_key[at],
        weights=leaf.points if at is None else leaf.points[at],
        minlength=n_up * n_pillars,
    ).reshape(n_up, n_pillars)[keys.keys]
    if leaf.na_rows is None:
        pillar_na = np.zeros((len(keys.keys), n_pillars))
    else:
        at = np.flatnonzero(leaf.na_rows)
        pillar_na = (
            np.bincount(pillar_key[at], weights=leaf.full_max[at], minlength=n_up * n_pillars)
            .reshape(n_up, n_pillars)[keys.keys]
            .astype(np.float64)
        )
    if leaf.partial_na is not None:
        pillar_na = (
            pillar_na
            + np.bincount(pillar_key, weights=leaf.partial_na, minlength=n_up * n_pillars).reshape(
                n_up, n_pillars
            )[keys.keys]
        )
    del pillar_key, at
    pillar_max = cf.group_pillar_max[keys.group] - pillar_na
    return PillarSums(np.asarray(pillar_points, dtype=np.float64), pillar_max)
