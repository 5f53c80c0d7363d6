"""Deterministic randomness for the synthetic data: built on :meth:`random.Random.random`
alone, whose sequence Python guarantees to be stable across versions, so a seed always yields
the same values."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

__all__ = ["Rand"]

T = TypeVar("T")


class Rand:
    """Deterministic helpers built on ``random()`` alone (stable across Python versions)."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)  # noqa: S311 — reproducible data, not secrets

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self._rng.random()

    def integer(self, low: int, high: int) -> int:
        """An integer in [low, high]."""
        return low + min(int(self._rng.random() * (high - low + 1)), high - low)

    def pick(self, items: Sequence[T]) -> T:
        return items[self.integer(0, len(items) - 1)]

    def shuffled(self, items: Sequence[T]) -> list[T]:
        out = list(items)
        for i in range(len(out) - 1, 0, -1):
            j = self.integer(0, i)
            out[i], out[j] = out[j], out[i]
        return out
