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
from decimal import Decimal

import polars as pl

from dti.engine.derivation import Resolver
from dti.engine.errors import DataError, Problem
from dti.engine.framework import HistoryMethod
from dti.engine.lineage import Registry
from dti.engine.messages import say
from dti.engine.rounding import round_column, round_decimal

__all__ = ["attach_previous", "derive_previous"]

MAX_PROBLEMS = 20


def _period_pairs(periods: pl.Series) -> pl.DataFrame:
    periods = periods.unique().sort()
    return pl.DataFrame(
        {"period": periods[1:], "previous_period": periods[:-1]},
        schema={"period": pl.String, "previous_period": pl.String},
    )


def derive_previous(
    history: pl.DataFrame,
    wanted: pl.DataFrame,
    registry: Registry,
    *,
    method: HistoryMethod,
    value: str,
    by: Sequence[str] = (),
    partial: str = "partial",
    decimals: int | None = None,
    rounding: str = "half_up",
) -> pl.DataFrame:
    """For each ``wanted`` row (``unit, previous_period[, period], *by``) the unit's own
    ``value`` in that period, else one derived through lineage; a continuing unit's (one that
    took others in since) is derived from all of them. Adds ``previous_<value>``,
    ``previous_derived``, ``previous_partial`` and ``previous_missing`` (the predecessors
    without a value, ``;``-separated).

    ``partial="refuse"`` raises instead of deriving from only some predecessors; ``decimals``
    rounds derived values as the framework publishes (own values are already rounded).
    """
    keys = ["unit", "previous_period", *by]
    own = history.select(
        pl.col("unit"), pl.col("period").alias("previous_period"), *by, pl.col(value).alias("_own")
    )
    out = wanted.join(own, on=keys, how="left")
    target = f"previous_{value}"
    if not registry.edges.height:  # no reorganisation: every value is the unit's own
        return out.rename({"_own": target}).with_columns(
            previous_derived=pl.lit(False),
            previous_partial=pl.lit(False),
            previous_missing=pl.lit(None, dtype=pl.String),
        )
    lookup = {
        tuple(str(k) for k in row[:-1]): row[-1]
        for row in history.select("unit", "period", *by, value).iter_rows()
    }
    resolver = Resolver(lookup, registry, method)
    continuing = list(resolver.absorptions)
    has_previous = pl.col("previous_period").is_not_null()
    candidates = out.with_row_index("_at").filter(
        has_previous & (pl.col("_own").is_null() | pl.col("unit").is_in(continuing))
    )
    now = "period" if "period" in out.columns else None
    problems: list[Problem] = []
    for unit, previous, *rest in (
        out.filter(has_previous & pl.col("_own").is_not_null()).select(keys).iter_rows()
    ):
        found = resolver.ambiguous(str(unit), (str(previous), *(str(k) for k in rest)))
        if found is not None:
            problems.append(found)
    positions: list[int] = []
    values: list[Decimal] = []
    missing: list[str | None] = []
    for at, unit, previous, current, *rest in candidates.select(
        "_at", *keys[:2], now or pl.lit(None, dtype=pl.String), *by
    ).iter_rows():
        got = resolver.value(str(unit), (str(previous), *(str(k) for k in rest)), now=current)
        if got is None or not got.derived:
            continue
        if got.missing and partial == "refuse":
            problems.append(_partial_problem(str(unit), str(previous), got.missing, rest))
        positions.append(at)
        values.append(got.value)
        missing.append(";".join(got.missing) or None)
    if problems:
        raise DataError(problems[:MAX_PROBLEMS], title="history cannot be derived")
    placed = [
        round_decimal(v, decimals, rounding) if decimals is not None else float(v) for v in values
    ]
    return _place(out.rename({"_own": target}), target, positions, placed, missing)


def _place(
    out: pl.DataFrame,
    target: str,
    positions: list[int],
    values: list[float],
    missing: list[str | None],
) -> pl.DataFrame:
    """Put the derived ``values`` (and their missing predecessors) at their rows."""
    value = out[target].cast(pl.Float64)
    derived = pl.Series("previous_derived", [False] * out.height, dtype=pl.Boolean)
    gone = pl.Series("previous_missing", [None] * out.height, dtype=pl.String)
    if positions:
        value = value.scatter(positions, values)
        derived = derived.scatter(positions, True)
        gone = gone.scatter(positions, missing)
    return out.with_columns(value, derived, gone.is_not_null().alias("previous_partial"), gone)


def _partial_problem(
    unit: str, period: str, missing: tuple[str, ...], rest: Sequence[object]
) -> Problem:
    return Problem(
        say("history_partial_refused", period=period, unit=unit, missing=tuple(missing)),
        file="lineage",
        column="from",
        node=str(rest[0]) if rest else None,
    )


def attach_previous(
    frame: pl.DataFrame,
    registry: Registry,
    *,
    method: HistoryMethod = HistoryMethod.MEAN,
    decimals: int = 2,
    rounding: str = "half_up",
    partial: str = "partial",
    previous: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Add ``previous_period, previous_score, previous_derived, previous_partial,
    previous_missing, change, change_percent``; derived values rounded as published.

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
    out = derive_previous(
        history,
        out,
        registry,
        method=method,
        value="score",
        partial=partial,
        decimals=decimals,
        rounding=rounding,
    )
    return out.with_columns(
        previous_score=round_column("previous_score", decimals, rounding),
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
    earlier was given. (Built as Series, not expressions: a save is this case, and a query
    plan per column would cost more than the scoring.)"""
    n = frame.height
    return frame.hstack(
        [
            pl.Series("previous_period", [None] * n, dtype=pl.String),
            pl.Series("previous_score", [None] * n, dtype=pl.Float64),
            pl.Series("previous_derived", [False] * n, dtype=pl.Boolean),
            pl.Series("previous_partial", [False] * n, dtype=pl.Boolean),
            pl.Series("previous_missing", [None] * n, dtype=pl.String),
            pl.Series("change", [None] * n, dtype=pl.Float64),
            pl.Series("change_percent", [None] * n, dtype=pl.Float64),
        ]
    )


def attach_previous_pillars(
    pillars: pl.DataFrame,
    registry: Registry | None,
    *,
    method: HistoryMethod,
    partial: str = "partial",
) -> pl.DataFrame:
    """Complete per-pillar ``previous_points`` through lineage and add ``change``.

    ``pillars`` already carries each unit's own ``previous_period`` and ``previous_points``
    (null where the unit did not exist then); those rows, and those of units that took others
    in since, are derived from predecessors.
    """
    keys = ["unit", "period", "pillar"]
    marks = ["previous_points", "previous_derived", "previous_partial", "previous_missing"]
    if registry is None:  # one period, nothing earlier: no pillar has a previous value
        return _without_previous_pillars(pillars)
    out = pillars.with_columns(
        previous_derived=pl.lit(False),
        previous_partial=pl.lit(False),
        previous_missing=pl.lit(None, dtype=pl.String),
    )
    # (no reorganisation to derive through for most calls: every save of a unit)
    if registry.edges.height:
        continuing = list(registry.absorptions())
        need = pillars.filter(
            (pl.col("previous_points").is_null() | pl.col("unit").is_in(continuing))
            & pl.col("previous_period").is_not_null()
        )
        if need.height:
            derived = derive_previous(
                pillars.select("unit", "period", "pillar", "points"),
                need.select(*keys, "previous_period"),
                registry,
                method=method,
                value="points",
                by=["pillar"],
                partial=partial,
            ).filter(pl.col("previous_derived"))
            out = out.update(derived.select(*keys, *marks), on=keys, how="left")
    return out.with_columns(
        change=(pl.col("points") - pl.col("previous_points")).round(6),
        previous_period=pl.when(pl.col("previous_points").is_not_null()).then(
            pl.col("previous_period")
        ),
    )


def _without_previous_pillars(pillars: pl.DataFrame) -> pl.DataFrame:
    """The columns of :func:`attach_previous_pillars` for one period and nothing earlier: no
    pillar has a previous value (its ``previous_period`` and ``previous_points`` are null)."""
    n = pillars.height
    return pillars.hstack(
        [
            pl.Series("previous_derived", [False] * n, dtype=pl.Boolean),
            pl.Series("previous_partial", [False] * n, dtype=pl.Boolean),
            pl.Series("previous_missing", [None] * n, dtype=pl.String),
            pl.Series("change", [None] * n, dtype=pl.Float64),
        ]
    )
