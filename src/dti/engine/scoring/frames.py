"""Phase 5 of scoring: the per-key arrays turned into the result tables (units, pillars,
indicators), labelled with the unit, period, group, band and level codes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from dti.engine.compiled import F64, I64, CompiledFramework
from dti.engine.scoring.aggregate import Completion, Keys, PillarSums, Totals
from dti.engine.scoring.inputs import Rows
from dti.engine.scoring.points import LeafPoints
from dti.engine.scoring.publish import Published
from dti.engine.scoring.result import round_published

__all__ = ["KeyLabels", "indicator_frame", "key_labels", "pillar_frame", "unit_frame"]


@dataclass(frozen=True, slots=True, eq=False)
class KeyLabels:
    """Per key: the unit's code and name, and the period's code."""

    unit: pl.Series
    name: pl.Series
    period: pl.Series


def key_labels(rows: Rows, keys: Keys) -> KeyLabels:
    unit_table = rows.units.select(pl.col("unit").cast(pl.String), pl.col("name").cast(pl.String))
    return KeyLabels(
        unit=unit_table["unit"].gather(keys.unit),
        name=unit_table["name"].gather(keys.unit),
        period=pl.Series("period", rows.periods, dtype=pl.String).gather(keys.period),
    )


def unit_frame(
    cf: CompiledFramework,
    labels: KeyLabels,
    keys: Keys,
    totals: Totals,
    published: Published,
    completion: Completion,
) -> pl.DataFrame:
    """One row per unit × period: totals, score, band and completion counts (not ranked)."""
    fw = cf.framework
    band = published.band
    return pl.DataFrame(
        {
            "unit": labels.unit,
            "name": labels.name,
            "group": pl.Series(cf.group_codes, dtype=pl.String).gather(keys.group),
            "period": labels.period,
            "framework": pl.repeat(fw.code, len(keys.keys), dtype=pl.String, eager=True),
            "points": round_published(totals.tree_points, 6),
            "bonus": round_published(totals.bonus, 6),
            "penalty": round_published(totals.penalty, 6),
            "total": round_published(totals.total, 6),
            "applicable_max": round_published(totals.applicable_max, 6),
            "percent": round_published(totals.percent, 4),
            "score_exact": published.exact,
            "score": published.rounded,
            "band": pl.Series(cf.band_codes, dtype=pl.String).gather(band),
            "band_name": pl.Series([b.name.vi for b in fw.bands], dtype=pl.String).gather(band),
            **{
                f"n_{code}": completion.counts[:, j].astype(np.int64)
                for j, code in enumerate(cf.level_codes)
            },
            "n_not_applicable": completion.not_applicable.astype(np.int64),
        }
    )


def pillar_frame(
    cf: CompiledFramework, labels: KeyLabels, keys: Keys, sums: PillarSums, periods: list[str]
) -> pl.DataFrame:
    """One row per unit × period × pillar, with the pillar's own previous-period points."""
    n_keys, n_pillars = len(keys.keys), len(cf.pillar_codes)
    per_key = np.repeat(np.arange(n_keys), n_pillars)
    return pl.DataFrame(
        {
            "unit": labels.unit.gather(per_key),
            "period": labels.period.gather(per_key),
            "pillar": pl.Series(cf.pillar_codes, dtype=pl.String).gather(
                np.tile(np.arange(n_pillars), n_keys)
            ),
            "points": round_published(sums.points.ravel(), 6),
            "max": round_published(sums.max.ravel(), 6),
            **_own_previous_pillars(sums.points, keys, periods),
        }
    )


def _own_previous_pillars(
    pillar_points: F64, keys: Keys, periods: list[str]
) -> dict[str, pl.Series]:
    """Each pillar's own value in the previous period, found by key arithmetic: the same unit
    one period earlier is the key just before (``unit × n_periods + period``). Units without
    one are left null for the lineage derivation."""
    n_pillars = pillar_points.shape[1]
    key, key_period = keys.keys, keys.period
    position = np.full(keys.n_up, -1, dtype=np.int64)
    position[key] = np.arange(len(key))
    has_prior = key_period > 0
    prior = np.where(has_prior, position[np.where(has_prior, key - 1, 0)], -1)
    own = prior >= 0
    previous = np.full(pillar_points.shape, np.nan)
    previous[own] = pillar_points[prior[own]]
    prior_period: I64 = np.where(has_prior, key_period - 1, len(periods))
    return {
        "previous_period": pl.Series([*periods, None], dtype=pl.String).gather(
            np.repeat(prior_period, n_pillars)
        ),
        "previous_points": pl.Series(round_published(previous.ravel(), 6)).fill_nan(None),
    }


def indicator_frame(
    cf: CompiledFramework, leaf: LeafPoints, completion: Completion, *, detail: bool
) -> pl.DataFrame:
    """One row per input value with its points, maximum and level; empty without detail."""
    if not detail or completion.level is None:
        return pl.DataFrame()
    values = leaf.rows.values
    return pl.DataFrame(
        {
            "unit": values["unit"].cast(pl.String),
            "period": values["period"].cast(pl.String),
            "indicator": values["indicator"].cast(pl.String),
            "points": leaf.points,
            "max": leaf.leaf_max,
            "applicable": leaf.rows.applicable,
            "level": pl.Series(cf.level_codes, dtype=pl.String).gather(completion.level),
        }
    )
