"""Phase 5 of scoring: the per-key arrays turned into the result tables (units, pillars,
indicators), labelled with the unit, period, group, band and level codes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from dti.engine.compiled import F64, I64, CompiledFramework
from dti.engine.scoring.aggregate import Completion, Keys, PillarSums, Totals
from dti.engine.scoring.columns import labels
from dti.engine.scoring.inputs import Rows
from dti.engine.scoring.points import LeafPoints
from dti.engine.scoring.publish import Published
from dti.engine.scoring.result import round_published

__all__ = ["KeyLabels", "indicator_frame", "key_labels", "pillar_frame", "unit_frame"]


@dataclass(frozen=True, slots=True, eq=False)
class KeyLabels:
    """Per key: the unit's code and name, and the period's code; and the codes themselves, for
    the tables with several rows per key."""

    unit: pl.Series
    name: pl.Series
    period: pl.Series
    unit_codes: list[str]
    periods: list[str]


def key_labels(rows: Rows, keys: Keys) -> KeyLabels:
    unit_codes = rows.units["unit"].cast(pl.String).to_list()
    return KeyLabels(
        unit=labels(unit_codes, keys.unit),
        name=labels(rows.units["name"].cast(pl.String).to_list(), keys.unit),
        period=labels(rows.periods, keys.period),
        unit_codes=unit_codes,
        periods=rows.periods,
    )


def unit_frame(
    cf: CompiledFramework,
    names: KeyLabels,
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
            "unit": names.unit,
            "name": names.name,
            "group": labels(cf.group_codes, keys.group),
            "period": names.period,
            "framework": pl.Series(values=[fw.code] * len(keys.keys), dtype=pl.String),
            "points": round_published(totals.tree_points, 6),
            "bonus": round_published(totals.bonus, 6),
            "penalty": round_published(totals.penalty, 6),
            "total": round_published(totals.total, 6),
            "applicable_max": round_published(totals.applicable_max, 6),
            "percent": round_published(totals.percent, 4),
            "score_exact": published.exact,
            "score": published.rounded,
            "band": labels(cf.band_codes, band),
            "band_name": labels([b.name.vi for b in fw.bands], band),
            **{
                f"n_{code}": completion.counts[:, j].astype(np.int64)
                for j, code in enumerate(cf.level_codes)
            },
            "n_not_applicable": completion.not_applicable.astype(np.int64),
        }
    )


def pillar_frame(
    cf: CompiledFramework, names: KeyLabels, keys: Keys, sums: PillarSums, periods: list[str]
) -> pl.DataFrame:
    """One row per unit × period × pillar, with the pillar's own previous-period points."""
    n_keys, n_pillars = len(keys.keys), len(cf.pillar_codes)
    per_key = np.repeat(np.arange(n_keys), n_pillars)
    return pl.DataFrame(
        {
            "unit": labels(names.unit_codes, keys.unit[per_key]),
            "period": labels(names.periods, keys.period[per_key]),
            "pillar": labels(cf.pillar_codes, np.tile(np.arange(n_pillars), n_keys)),
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
        "previous_period": labels([*periods, None], np.repeat(prior_period, n_pillars)),
        "previous_points": pl.Series(
            values=round_published(previous.ravel(), 6), dtype=pl.Float64, nan_to_null=True
        ),
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
            "level": labels(cf.level_codes, completion.level),
        }
    )
