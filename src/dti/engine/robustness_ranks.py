"""Ranks as the official table ranks them ("min": ties share the best rank, the next is
skipped), over many draws at once, and the rank bounds of scores known only as intervals."""

from __future__ import annotations

import numpy as np

from dti.engine.compiled import F64, I64

__all__ = ["interval_ranks", "min_ranks", "nearest_neighbours"]


def min_ranks(scores: F64) -> I64:
    """Rank of every entry within its row (``draws × units``), highest score first.

    One sort per row; a tie run takes the position of its first member, spread along the run
    by a running maximum — no loop over units or draws.
    """
    draws, n = scores.shape
    if n == 0:
        return np.zeros((draws, 0), dtype=np.int64)
    order = np.argsort(-scores, axis=1, kind="stable")
    ordered = np.take_along_axis(scores, order, axis=1)
    starts = np.ones(ordered.shape, dtype=np.bool_)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    position = np.where(starts, np.arange(n)[None, :], 0)
    np.maximum.accumulate(position, axis=1, out=position)
    ranks = np.empty((draws, n), dtype=np.int64)
    np.put_along_axis(ranks, order, position + 1, axis=1)
    return ranks


def interval_ranks(low: F64, high: F64) -> tuple[I64, I64]:
    """Best and worst rank of each unit whose score lies anywhere in ``[low, high]``.

    Best: the unit at its highest, every other at its lowest — 1 + the others whose lowest
    still beats its highest. Worst: the reverse — 1 + the others whose highest beats its
    lowest (the unit itself excluded, since ``high > low`` for it too).
    """
    lows, highs = np.sort(low), np.sort(high)
    n = len(low)
    best = 1 + n - np.searchsorted(lows, high, side="right")
    beaten_by = n - np.searchsorted(highs, low, side="right")
    worst = 1 + beaten_by - (high > low)
    return best.astype(np.int64), worst.astype(np.int64)


def nearest_neighbours(scores: F64) -> tuple[F64, I64]:
    """Per unit, the gap to the closest other score and that unit's position (``inf`` and -1
    for a unit alone)."""
    n = len(scores)
    if n < 2:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    order = np.argsort(scores, kind="stable")
    ordered = scores[order]
    step = np.diff(ordered)
    below = np.concatenate([[np.inf], step])  # gap to the next lower score
    above = np.concatenate([step, [np.inf]])
    take_below = below <= above
    gap_sorted = np.where(take_below, below, above)
    idx = np.arange(n)
    neighbour_sorted = order[np.where(take_below, idx - 1, idx + 1)]
    gap, neighbour = np.empty(n), np.empty(n, dtype=np.int64)
    gap[order], neighbour[order] = gap_sorted, neighbour_sorted
    return gap, neighbour
