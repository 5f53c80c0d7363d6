"""Phase 2 of scoring: each row's points by its leaf's rule, and its applicable maximum."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dti.engine.compiled import EPS, F64, CompiledFramework, LeafKind
from dti.engine.scoring.blocks import Block, Kind
from dti.engine.scoring.inputs import Inputs, Rows

__all__ = ["LeafPoints", "leaf_points"]

Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True, eq=False)
class LeafPoints:
    """Points and maxima per row. The masks are ``None`` where they would select every row
    (or none), so that the usual case builds no per-row mask at all."""

    rows: Rows
    points: F64  # zero on rows marked not applicable
    full_max: F64  # the leaf's maximum
    leaf_max: F64  # the leaf's maximum where applicable, else 0
    every_row_applicable: bool
    kind: npt.NDArray[np.int8] | None  # the row's LeafKind; None: every row is a tree leaf
    tree: Bools | None  # rows of tree leaves (not bonus or penalty); None: every row
    na_rows: Bools | None  # tree rows marked not applicable; None: no row is
    # the part of a row's maximum that is not applicable (a node given directly with its
    # applicable maximum); None: no row has one
    partial_na: F64 | None = None


def leaf_points(cf: CompiledFramework, inputs: Inputs) -> LeafPoints:
    """Score every row by its leaf's rule; rows marked not applicable score 0 of 0."""
    rows = inputs.rows
    ind, applicable = rows.ind, rows.applicable
    every_row_applicable = bool(applicable.all())
    points = _rule_points(cf, len(ind), inputs.blocks)
    if inputs.direct_points is not None:
        points = np.where(np.isnan(inputs.direct_points), points, inputs.direct_points)
    full_max = cf.max[ind]
    if every_row_applicable:
        leaf_max = full_max
    else:
        points = np.where(applicable, points, 0.0)
        leaf_max = np.where(applicable, full_max, 0.0)
    tree_leaf = cf.kind == LeafKind.TREE
    kind = cf.kind[ind] if not tree_leaf.all() else None
    tree = kind == LeafKind.TREE if kind is not None else None
    na_rows = None if every_row_applicable else ~applicable if tree is None else tree & ~applicable
    partial_na = inputs.direct_na
    if partial_na is not None:
        leaf_max = leaf_max - partial_na
    return LeafPoints(
        rows=rows,
        points=points,
        full_max=full_max,
        leaf_max=leaf_max,
        every_row_applicable=every_row_applicable,
        kind=kind,
        tree=tree,
        na_rows=na_rows,
        partial_na=partial_na,
    )


def _fraction(v: F64, denom: F64) -> F64:
    """``value / denominator``, or the value itself where no denominator was given."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(np.isnan(denom), v, v / denom)
        return np.where(ratio < np.inf, ratio, 0.0)  # NaN or +inf (e.g. inf / inf) → 0


def _kind_points(cf: CompiledFramework, kind: Kind, block: Block) -> F64:
    """Points of one block of rows, by their leaves' rule (same shape as ``block.value``)."""
    leaf = block.leaf
    if kind == Kind.BOOLEAN:
        return np.asarray(cf.max[leaf] * (block.value >= 0.5), dtype=np.float64)
    v = np.fmax(block.value, 0.0)  # NaN (nothing entered) → 0; valid values are ≥ 0
    if kind == Kind.POINTS:
        return v
    if kind == Kind.COUNT:
        return np.minimum(v * cf.per_item[leaf], cf.max[leaf])
    if kind in (Kind.RATIO_FRACTION, Kind.RATIO_PERCENT):
        ratio = v / 100.0 if kind == Kind.RATIO_PERCENT else _fraction(v, block.denom)
        return np.where(
            ratio + EPS < cf.ratio_floor[leaf],
            0.0,
            cf.max[leaf] * np.minimum(ratio / cf.ratio_target[leaf], 1.0),
        )
    # Tiers: the number of thresholds reached picks the points.
    x = _fraction(v, block.denom) if kind == Kind.TIERS_RATIO else v
    x += EPS
    reached = np.zeros(x.shape, dtype=np.int64)
    for k in range(cf.tier_min.shape[1]):  # loop over tier positions, not rows
        reached += x >= cf.tier_min[:, k][leaf]
    return np.asarray(cf.tier_points[leaf, reached], dtype=np.float64)


def _rule_points(cf: CompiledFramework, n_rows: int, blocks: dict[Kind, Block]) -> F64:
    """Points for every row by its leaf's rule, each kind of row computed as one block.

    Only rows that passed validation are scored as they are; rows marked not applicable may
    hold anything and are zeroed by the caller. Nothing entered (NaN) scores 0.
    """
    # Each kind's points written straight into its rows (a grid's columns: one strided write
    # per kind). Measured on a 100,000 × 100 grid: 0.08 s, against 0.4–0.8 s for placing the
    # kinds side by side and reordering the columns with ``take``.
    points = np.zeros(n_rows)
    for kind, block in blocks.items():
        block.put(points, _kind_points(cf, kind, block))
    return points
