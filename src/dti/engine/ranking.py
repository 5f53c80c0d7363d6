"""Ranks within (period, group) and per-group statistics.

Ranks use the *published* score so that two units whose published values are equal share a
rank exactly as the published table shows them: 1, 2, 2, 4 ("min" ranking, next rank skipped).
"""

from __future__ import annotations

import polars as pl

from dti.engine.framework import Framework

__all__ = ["group_summary", "rank_within"]

GROUP_KEYS = ["period", "group"]


def rank_within(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``rank`` (ties share the best rank) and ``group_size`` within (period, group)."""
    if frame.height == 1:  # one unit's save: nothing to rank against (and no query to plan)
        ones = [pl.Series(name, [1], dtype=pl.Int64) for name in ("rank", "group_size")]
        return frame.hstack(ones)
    return frame.with_columns(
        rank=pl.col("score").rank(method="min", descending=True).over(GROUP_KEYS).cast(pl.Int64),
        group_size=pl.len().over(GROUP_KEYS).cast(pl.Int64),
    ).sort([*GROUP_KEYS, "rank", "unit"])


def group_summary(frame: pl.DataFrame, framework: Framework) -> pl.DataFrame:
    """Count, mean, median, min, max, units per band, leaders and last units per group."""
    band_counts = [
        (pl.col("band") == band.code).sum().cast(pl.Int64).alias(f"band_{band.code}")
        for band in framework.bands
    ]
    summary = (
        frame.group_by(GROUP_KEYS)
        .agg(
            *band_counts,
            n=pl.len().cast(pl.Int64),
            mean=pl.col("score").mean(),
            median=pl.col("score").median(),
            min=pl.col("score").min(),
            max=pl.col("score").max(),
            leaders=pl.col("unit").filter(pl.col("rank") == pl.col("rank").min()).sort(),
            last=pl.col("unit").filter(pl.col("rank") == pl.col("rank").max()).sort(),
        )
        .sort(GROUP_KEYS)
    )
    previous = summary.select(
        "group",
        pl.col("mean").alias("previous_mean"),
        pl.col("period").alias("previous_period"),
    )
    periods = summary["period"].unique().sort()
    prior = pl.DataFrame(
        {"period": periods[1:], "previous_period": periods[:-1]},
        schema={"period": pl.String, "previous_period": pl.String},
    )
    return (
        summary.join(prior, on="period", how="left")
        .join(previous, on=["group", "previous_period"], how="left")
        .with_columns(
            mean_change_percent=(pl.col("mean") - pl.col("previous_mean"))
            / pl.col("previous_mean")
            * 100.0
        )
    )
