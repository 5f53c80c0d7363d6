"""Rows split by the kind of their leaf's rule, so that each kind is checked and scored as one
block of array arithmetic (a list of rows, or some columns of a grid)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from dti.engine.compiled import F64, I64, CompiledFramework, RuleType

__all__ = ["Block", "Kind", "grid_pattern", "split_blocks"]


class Kind(IntEnum):
    """What a row's value is, from its leaf's rule: each kind is scored and checked as a block."""

    BOOLEAN = 0
    COUNT = 1
    POINTS = 2
    RATIO_FRACTION = 3  # ratio rule on value / denominator (or a fraction)
    RATIO_PERCENT = 4  # ratio rule on a percentage
    TIERS_VALUE = 5
    TIERS_RATIO = 6  # tiers on value / denominator (or a fraction)


# The kinds whose value may be a numerator over a denominator.
FRACTION_KINDS = (Kind.RATIO_FRACTION, Kind.TIERS_RATIO)


def _leaf_kinds(cf: CompiledFramework) -> npt.NDArray[np.int8]:
    kinds = np.empty(cf.n_leaves, dtype=np.int8)
    ratio, tiers = cf.rule == RuleType.RATIO, cf.rule == RuleType.TIERS
    kinds[cf.rule == RuleType.BOOLEAN] = Kind.BOOLEAN
    kinds[cf.rule == RuleType.COUNT] = Kind.COUNT
    kinds[cf.rule == RuleType.POINTS] = Kind.POINTS
    kinds[ratio & ~cf.ratio_percent] = Kind.RATIO_FRACTION
    kinds[ratio & cf.ratio_percent] = Kind.RATIO_PERCENT
    kinds[tiers & ~cf.tier_on_ratio] = Kind.TIERS_VALUE
    kinds[tiers & cf.tier_on_ratio] = Kind.TIERS_RATIO
    return kinds


@dataclass(frozen=True, slots=True, eq=False)
class Block:
    """The rows of one kind, with their leaves, values and denominators.

    Either a list of row positions (``rows``; arrays are 1-D, one entry per row), or, when
    the rows form a grid (see :func:`grid_pattern`), some columns of that grid (``cols`` of
    ``width``; values are 2-D ``keys × columns`` and ``leaf`` is one row that broadcasts).
    The rule arithmetic is the same elementwise either way.
    """

    leaf: I64
    value: F64  # as entered: NaN where nothing was entered
    denom: F64  # NaN where no denominator was given; empty unless a fraction kind
    rows: I64 | None = None
    cols: I64 | None = None
    width: int = 0

    def positions(self, mask: npt.NDArray[np.bool_]) -> I64:
        """Row positions (ascending) of the entries where ``mask`` holds."""
        if self.rows is not None:
            return self.rows[mask]
        assert self.cols is not None
        key, col = np.nonzero(mask)
        return np.asarray(key * self.width + self.cols[col], dtype=np.int64)

    def take(self, column: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """This block's entries of a per-row array."""
        if self.rows is not None:
            return column[self.rows]
        assert self.cols is not None
        return np.take(column.reshape(-1, self.width), self.cols, axis=1)

    def put(self, column: F64, values: F64) -> None:
        """Write this block's entries into a per-row array."""
        if self.rows is not None:
            column[self.rows] = values
        else:
            column.reshape(-1, self.width)[:, self.cols] = values


def grid_pattern(ind: I64, up: I64, n_leaves: int) -> I64 | None:
    """The indicator sequence every unit × period repeats, if the rows come as such blocks.

    Data entered from a template has, for each unit and period in turn, the same indicators
    in the same order. The rows then form a grid (unit × period by indicator) that can be
    scored column by column, without per-row index arrays; and no row can repeat.
    """
    n = len(ind)
    head = up[: n_leaves + 1] != up[0] if n else np.zeros(0, dtype=np.bool_)
    if not head.any():
        if n == 0 or n > n_leaves:
            return None
        width = n
    else:
        width = int(head.argmax())
    if n % width:
        return None
    pattern = ind[:width]
    if len(np.unique(pattern)) != width:
        return None
    grid = up.reshape(-1, width)
    first = grid[:, 0]
    if not ((ind.reshape(-1, width) == pattern).all() and (grid == first[:, None]).all()):
        return None
    if not (first[1:] > first[:-1]).all():
        return None
    return pattern


def split_blocks(
    cf: CompiledFramework, ind: I64, value: F64, denom: F64, pattern: I64 | None
) -> dict[Kind, Block]:
    """Split the rows by kind (rows of an unknown indicator belong to none)."""
    leaf_kinds = _leaf_kinds(cf)
    no_denominator = np.empty(0)
    blocks: dict[Kind, Block] = {}
    if pattern is not None:  # a grid: split its columns
        width = len(pattern)
        pattern_kinds = leaf_kinds[pattern]
        value_grid, denom_grid = value.reshape(-1, width), denom.reshape(-1, width)
        for kind in np.unique(pattern_kinds):
            cols = np.flatnonzero(pattern_kinds == kind)
            blocks[Kind(kind)] = Block(
                leaf=pattern[cols][None, :],
                value=np.take(value_grid, cols, axis=1),
                denom=(
                    np.take(denom_grid, cols, axis=1) if kind in FRACTION_KINDS else no_denominator
                ),
                cols=cols,
                width=width,
            )
        return blocks
    used = [Kind(k) for k in np.unique(leaf_kinds)]
    if len(used) == 1 and ind.min(initial=0) >= 0:
        positions = {used[0]: np.arange(len(ind), dtype=np.int64)}
    else:
        row_kind = np.append(leaf_kinds, -1)[ind]  # index -1 (unknown indicator) → -1
        positions = {kind: np.flatnonzero(row_kind == kind) for kind in used}
        del row_kind
    for kind, rows in positions.items():
        blocks[kind] = Block(
            leaf=ind[rows],
            value=value[rows],
            denom=denom[rows] if kind in FRACTION_KINDS else no_denominator,
            rows=rows,
        )
    return blocks
