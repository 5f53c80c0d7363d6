"""The past restated on a later map of units (``dti score --restate-on``).

The national 2024 ranking was published twice: on the 63 provinces assessed, and restated on
the 34 provinces that exist since 1 July 2025, each new province's result derived from its
predecessors' (the arithmetic mean of their indices). :func:`restate` gives that second table:
for each period scored and each unit existing on the date, its result derived through the
lineage by the framework's history method (a continuing unit from all the units it took in,
itself included), rounded as published, banded and ranked among the restated units of its
group. Every row is labelled ``restated_on``; the results as assessed are not changed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from dti.engine.framework import Framework, ReportAs
from dti.engine.history import derive_previous
from dti.engine.lineage import Registry
from dti.engine.ranking import rank_within
from dti.engine.rounding import round_column

__all__ = ["restate"]


def _band_basis(fw: Framework, score: pl.Series, applicable_max: pl.Series) -> list[float]:
    """The percentage a band is read from, as for results as assessed."""
    s = score.cast(pl.Float64).to_numpy()
    if fw.scale.report == ReportAs.INDEX:
        basis = s * 100.0
    elif fw.scale.report == ReportAs.RESCALED:
        basis = s / fw.scale.total * 100.0
    else:
        m = applicable_max.cast(pl.Float64).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            basis = np.where(m > 0, s / m * 100.0, 0.0)
    return [float(x) for x in basis]


def restate(fw: Framework, units: pl.DataFrame, registry: Registry, on: dt.date) -> pl.DataFrame:
    """``units`` (scored results, any periods) restated on the units existing on ``on``.

    Columns: ``unit, name, group, period, framework, score, applicable_max, band, band_name,
    rank, group_size, restated_on, derived, partial, missing``.
    """
    edges = registry.edges.filter(pl.col("date").is_null() | (pl.col("date") <= on))
    as_of = Registry(units=registry.units, edges=edges)
    current = as_of.on(on).filter(pl.col("group").is_in(fw.group_codes()))
    periods = sorted(units["period"].unique().to_list())
    wanted = (
        current.select(
            pl.col("unit").cast(pl.String), pl.col("name").cast(pl.String), pl.col("group")
        )
        .join(
            pl.DataFrame({"previous_period": periods}, schema={"previous_period": pl.String}),
            how="cross",
        )
        .with_columns(period=pl.lit(str(on.year)))
    )
    history = units.select("unit", "period", "score_exact", "applicable_max")

    def derived(value: str, decimals: int | None = None) -> pl.DataFrame:
        return derive_previous(
            history,
            wanted.select("unit", "period", "previous_period"),
            as_of,
            method=fw.history,
            value=value,
            partial=fw.history_partial,
            decimals=decimals,
            rounding=fw.scale.rounding,
        )

    scores = wanted.join(
        derived("score_exact", fw.scale.decimals), on=["unit", "period", "previous_period"]
    )
    maxima = derived("applicable_max").select("unit", "previous_period", "previous_applicable_max")
    out = (
        scores.join(maxima, on=["unit", "previous_period"], how="left")
        .filter(pl.col("previous_score_exact").is_not_null())
        .select(
            "unit",
            "name",
            "group",
            pl.col("previous_period").alias("period"),
            pl.lit(fw.code).alias("framework"),
            round_column("previous_score_exact", fw.scale.decimals, fw.scale.rounding).alias(
                "score"
            ),
            pl.col("previous_applicable_max").alias("applicable_max"),
            pl.lit(on).alias("restated_on"),
            pl.col("previous_derived").alias("derived"),
            pl.col("previous_partial").alias("partial"),
            pl.col("previous_missing").alias("missing"),
        )
    )
    bands = [fw.band_for_percent(p) for p in _band_basis(fw, out["score"], out["applicable_max"])]
    out = out.with_columns(
        band=pl.Series([b.code for b in bands], dtype=pl.String),
        band_name=pl.Series([b.name.vi for b in bands], dtype=pl.String),
    )
    return rank_within(out)
