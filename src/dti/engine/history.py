"""Change against the previous period, carried through unit lineage.

A unit that existed in the previous period is compared with itself. A unit formed from others
is compared with a value *derived* from its predecessors — recursively, through as many
reorganisations as lie between the two periods — by the framework's declared method:

* ``mean``: a merge takes the arithmetic mean of its predecessors (the method the 2024
  national ranking used for merged provinces); a split or rename copies the value;
* ``weighted``: a merge takes the mean weighted by the lineage weights; a split copies;
* ``sum`` (for counts): a merge adds its predecessors up; a split divides by its weight
  (the successor's share, equal shares when none is given).

Transfers of a part between units that both go on do not change either unit's comparison.
Derived values are marked ``previous_derived``. Nothing of the predecessors' own results changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from dti.engine.framework import HistoryMethod
from dti.engine.lineage import EventKind, Registry

__all__ = ["attach_previous", "derive_previous"]

Key = tuple[str, ...]
PredecessorMap = dict[str, list[tuple[str, float | None, str]]]


def _period_pairs(periods: pl.Series) -> pl.DataFrame:
    periods = periods.unique().sort()
    return pl.DataFrame(
        {"period": periods[1:], "previous_period": periods[:-1]},
        schema={"period": pl.String, "previous_period": pl.String},
    )


class _Resolver:
    """Derives a unit's value in a period from its predecessors', recursively."""

    def __init__(self, lookup: dict[Key, float], preds: PredecessorMap, method: HistoryMethod):
        self.lookup = lookup
        self.preds = preds
        self.method = method
        self.split_sizes: dict[str, int] = {}
        for edges in preds.values():
            for src, _w, kind in edges:
                if kind == EventKind.SPLIT:
                    self.split_sizes[src] = self.split_sizes.get(src, 0) + 1

    def value(self, unit: str, rest: Key, seen: frozenset[str] = frozenset()) -> float | None:
        own = self.lookup.get((unit, *rest))
        if own is not None:
            return own
        if unit in seen:
            return None
        parts: list[tuple[float, float | None, str, str]] = []
        for src, weight, kind in self.preds.get(unit, ()):
            if kind == EventKind.TRANSFER:
                continue
            v = self.value(src, rest, seen | {unit})
            if v is not None:
                parts.append((v, weight, kind, src))
        if not parts:
            return None
        if len(parts) == 1 and parts[0][2] in (EventKind.SPLIT, EventKind.RENAME):
            v, weight, kind, src = parts[0]
            if self.method == HistoryMethod.SUM and kind == EventKind.SPLIT:
                share = weight if weight is not None else 1.0 / self.split_sizes.get(src, 1)
                return v * share
            return v
        if self.method == HistoryMethod.SUM:
            return sum(v for v, *_ in parts)
        if self.method == HistoryMethod.WEIGHTED:
            weights = [w if w is not None else 1.0 for _, w, *_ in parts]
            return sum(v * w for (v, *_), w in zip(parts, weights, strict=True)) / sum(weights)
        return sum(v for v, *_ in parts) / len(parts)


def derive_previous(
    history: pl.DataFrame,
    wanted: pl.DataFrame,
    registry: Registry,
    *,
    method: HistoryMethod,
    value: str,
    by: Sequence[str] = (),
) -> pl.DataFrame:
    """For each ``wanted`` row (``unit, previous_period, *by``) the unit's own ``value`` in that
    period, else one derived through lineage; adds ``previous_<value>`` and ``previous_derived``."""
    keys = ["unit", "previous_period", *by]
    own = history.select(
        pl.col("unit"),
        pl.col("period").alias("previous_period"),
        *by,
        pl.col(value).alias("_own"),
    )
    out = wanted.join(own, on=keys, how="left")
    missing = out.filter(pl.col("_own").is_null() & pl.col("previous_period").is_not_null())
    derived_values: list[float | None] = []
    if missing.height and registry.edges.height:
        lookup = {
            tuple(str(k) for k in row[:-1]): row[-1]
            for row in history.select("unit", "period", *by, value).iter_rows()
        }
        resolver = _Resolver(lookup, registry.predecessor_map(), method)
        derived_values = [
            resolver.value(row[0], tuple(str(k) for k in row[1:]))
            for row in missing.select("unit", "previous_period", *by).iter_rows()
        ]
    if derived_values:
        derived = missing.select(keys).with_columns(
            pl.Series("_derived", derived_values, dtype=pl.Float64)
        )
        out = out.join(derived, on=keys, how="left")
    else:  # nothing to derive: skip a join that could only add nulls
        out = out.with_columns(pl.lit(None, dtype=pl.Float64).alias("_derived"))
    return out.with_columns(
        pl.coalesce("_own", "_derived").alias(f"previous_{value}"),
        (pl.col("_own").is_null() & pl.col("_derived").is_not_null()).alias("previous_derived"),
    ).drop("_own", "_derived")


def attach_previous(
    frame: pl.DataFrame,
    registry: Registry,
    *,
    method: HistoryMethod = HistoryMethod.MEAN,
    decimals: int = 2,
    previous: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Add ``previous_period, previous_score, previous_derived, change, change_percent``.

    ``previous`` (``unit, period, score``) supplies earlier results scored separately (another
    framework version, another call); otherwise each period is compared with the one before it
    inside ``frame``.
    """
    history = frame.select("unit", "period", "score")
    if previous is not None:
        history = pl.concat([previous.select("unit", "period", "score"), history]).unique(
            ["unit", "period"], keep="last"
        )
    out = frame.join(_period_pairs(history["period"]), on="period", how="left")
    out = derive_previous(history, out, registry, method=method, value="score")
    return out.with_columns(
        previous_score=pl.col("previous_score").round(decimals),
        change=(pl.col("score") - pl.col("previous_score")).round(decimals),
        change_percent=(
            (pl.col("score") - pl.col("previous_score")) / pl.col("previous_score") * 100.0
        ).round(2),
        previous_period=pl.when(pl.col("previous_score").is_not_null()).then(
            pl.col("previous_period")
        ),
    )


def without_previous(frame: pl.DataFrame) -> pl.DataFrame:
    """The columns of :func:`attach_previous`, empty: the frame holds one period and nothing
    earlier was given."""
    return frame.with_columns(
        pl.lit(None, dtype=pl.String).alias("previous_period"),
        pl.lit(None, dtype=pl.Float64).alias("previous_score"),
        pl.lit(False).alias("previous_derived"),
        pl.lit(None, dtype=pl.Float64).alias("change"),
        pl.lit(None, dtype=pl.Float64).alias("change_percent"),
    )


def attach_previous_pillars(
    pillars: pl.DataFrame, registry: Registry | None, *, method: HistoryMethod
) -> pl.DataFrame:
    """Complete per-pillar ``previous_points`` through lineage and add ``change``.

    ``pillars`` already carries each unit's own ``previous_period`` and ``previous_points``
    (null where the unit did not exist then); only those rows are derived from predecessors.
    """
    keys = ["unit", "previous_period", "pillar"]
    out = pillars.with_columns(previous_derived=pl.lit(False))
    # (no reorganisation to derive through for most calls: every save of a unit)
    if registry is not None and registry.edges.height:
        need = pillars.filter(
            pl.col("previous_points").is_null() & pl.col("previous_period").is_not_null()
        )
        if need.height:
            derived = derive_previous(
                pillars.select("unit", "period", "pillar", "points"),
                need.select(keys),
                registry,
                method=method,
                value="points",
                by=["pillar"],
            ).filter(pl.col("previous_derived"))
            out = out.update(
                derived.select(*keys, "previous_points", "previous_derived"),
                on=keys,
                how="left",
            )
    return out.with_columns(
        change=(pl.col("points") - pl.col("previous_points")).round(6),
        previous_period=pl.when(pl.col("previous_points").is_not_null()).then(
            pl.col("previous_period")
        ),
    )
