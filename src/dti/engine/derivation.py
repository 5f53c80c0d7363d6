"""A unit's value in an earlier period, derived through lineage by the framework's method.

:class:`Resolver` answers "what is this unit's value in period P, comparable with its present
shape?": its own value if it had one and nothing was taken in since; the combination of its
predecessors' (recursively) if it was formed from them; and for a *continuing* unit — one that
went on under its own code and took others in (``absorb``, or a merge naming it among its
sources) — the combination of all of them, itself included. Each answer says which
predecessors had no value (``missing``), so that a partial derivation can be marked or refused.

Before or after an event: a period whose year (its first four digits) is earlier than the
event's date is before it; without a date, or for a period that is not a year, a period is
before the event when some unit taken in has its own value in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from dti.engine.errors import Problem
from dti.engine.framework import HistoryMethod
from dti.engine.lineage import CONTINUING_KINDS, SHARING_KINDS, Absorption, EventKind, Registry
from dti.engine.messages import say

__all__ = ["Derived", "Resolver"]

Key = tuple[str, ...]
_YEAR = re.compile(r"^(\d{4})")


@dataclass(frozen=True, slots=True)
class Derived:
    """A value for a unit in a period: ``derived`` from other units (``missing`` those of
    them that had none) or the unit's own."""

    value: Decimal
    derived: bool = False
    missing: tuple[str, ...] = ()


def exact(x: float) -> Decimal:
    """The decimal a float prints as (its shortest round-tripping form)."""
    return Decimal(repr(float(x)))


def _year(period: str) -> int | None:
    found = _YEAR.match(period)
    return int(found.group(1)) if found else None


class Resolver:
    """Derives units' values in a period from their predecessors', recursively."""

    def __init__(self, lookup: dict[Key, float], registry: Registry, method: HistoryMethod):
        self.lookup = lookup
        self.method = method
        self.absorptions = registry.absorptions()
        self.preds: dict[str, list[tuple[str, float | None, str]]] = {}
        for unit, edges in registry.predecessor_map().items():
            # A continuing unit's sources are handled as its absorptions.
            continuing = unit in self.absorptions
            self.preds[unit] = [
                e for e in edges if e[0] != unit and not (continuing and e[2] in CONTINUING_KINDS)
            ]
        self.split_sizes: dict[str, int] = {}
        for edges in self.preds.values():
            for src, _w, kind in edges:
                if kind in SHARING_KINDS:
                    self.split_sizes[src] = self.split_sizes.get(src, 0) + 1

    # -- before / after ---------------------------------------------------------------------
    def before(self, period: str, event: Absorption, rest: Key) -> bool:
        year = _year(period)
        if event.date is not None and year is not None:
            return year < event.date.year
        return any((code, period, *rest) in self.lookup for code in event.others)

    def pending(self, unit: str, key: Key, now: str | None) -> list[Absorption]:
        """The unit's absorptions after ``key``'s period and not after ``now``."""
        period, *rest = key
        return [
            a
            for a in self.absorptions.get(unit, ())
            if self.before(period, a, tuple(rest))
            and (now is None or not self.before(now, a, tuple(rest)))
        ]

    # -- values -----------------------------------------------------------------------------
    def value(
        self, unit: str, key: Key, now: str | None = None, seen: frozenset[str] = frozenset()
    ) -> Derived | None:
        """``unit``'s value at ``key`` (``period, *by``) as comparable at period ``now``."""
        events = self.pending(unit, key, now)
        if events:
            return self._absorbed(unit, key, events, now, seen)
        return self._plain(unit, key, now, seen)

    def _plain(self, unit: str, key: Key, now: str | None, seen: frozenset[str]) -> Derived | None:
        own = self.lookup.get((unit, *key))
        if own is not None:
            return Derived(exact(own))
        if unit in seen:
            return None
        parts: list[tuple[Derived, float | None, str, str]] = []
        missing: list[str] = []
        for src, weight, kind in self.preds.get(unit, ()):
            if kind == EventKind.TRANSFER:
                continue
            got = self.value(src, key, now, seen | {unit})
            if got is None:
                missing.append(src)
            else:
                parts.append((got, weight, kind, src))
        if self.method == HistoryMethod.SUM:
            # A commune split between several merges counts once in all: each successor sums
            # only its share of it.
            parts = [
                (self._share(got, weight, src), weight, kind, src)
                if kind == EventKind.SPLIT_MERGE
                else (got, weight, kind, src)
                for got, weight, kind, src in parts
            ]
        if not parts:
            return None
        if len(parts) == 1 and not missing and parts[0][2] in (EventKind.SPLIT, EventKind.RENAME):
            got, weight, kind, src = parts[0]
            value = got.value
            if self.method == HistoryMethod.SUM and kind == EventKind.SPLIT:
                value *= self._share_of(weight, src)
            return Derived(value, True, got.missing)
        return self._combine([(p[0], p[1]) for p in parts], missing)

    def _share_of(self, weight: float | None, src: str) -> Decimal:
        """A split successor's share of ``src``: its weight, else an equal share."""
        return exact(weight) if weight is not None else 1 / Decimal(self.split_sizes.get(src, 1))

    def _share(self, got: Derived, weight: float | None, src: str) -> Derived:
        return Derived(got.value * self._share_of(weight, src), True, got.missing)

    def _absorbed(
        self,
        unit: str,
        key: Key,
        events: list[Absorption],
        now: str | None,
        seen: frozenset[str],
    ) -> Derived | None:
        """The latest pending absorption: the unit as it was then, and the units taken in."""
        *earlier, last = events
        parts: list[tuple[Derived, float | None]] = []
        missing: list[str] = []
        for code, weight in last.sources:
            if code == unit:
                got = (
                    self._absorbed(unit, key, earlier, now, seen)
                    if earlier
                    else self._plain(unit, key, now, seen | {unit})
                )
            else:
                got = self.value(code, key, now, seen | {unit})
            if got is None:
                missing.append(code)
            else:
                parts.append((got, weight))
        return self._combine(parts, missing) if parts else None

    def _combine(self, parts: list[tuple[Derived, float | None]], missing: list[str]) -> Derived:
        values = [d.value for d, _ in parts]
        gone = tuple(sorted({*missing, *(m for d, _ in parts for m in d.missing)}))
        if self.method == HistoryMethod.SUM:
            return Derived(sum(values, Decimal(0)), True, gone)
        if self.method == HistoryMethod.WEIGHTED:
            weights = [exact(w) if w is not None else Decimal(1) for _, w in parts]
            total = sum((v * w for v, w in zip(values, weights, strict=True)), Decimal(0))
            total /= sum(weights, Decimal(0))
            return Derived(total, True, gone)
        return Derived(sum(values, Decimal(0)) / len(values), True, gone)

    # -- ambiguity --------------------------------------------------------------------------
    def ambiguous(self, unit: str, key: Key) -> Problem | None:
        """A unit formed by a merge that also has its own value when its predecessors had
        theirs: does it go on (absorb) or is it a new unit? The lineage does not say."""
        if unit in self.absorptions or (unit, *key) not in self.lookup:
            return None
        period, *rest = key
        alongside = sorted(
            src
            for src, _w, kind in self.preds.get(unit, ())
            if kind in (EventKind.MERGE, EventKind.SPLIT_MERGE) and (src, *key) in self.lookup
        )
        if not alongside:
            return None
        return Problem(
            say("own_value_and_merge", unit=unit, period=period, units=tuple(alongside)),
            file="lineage",
            column="kind",
            node=rest[0] if rest else None,
        )
