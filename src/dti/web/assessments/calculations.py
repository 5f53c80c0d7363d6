"""Load → compute: plain rows in, the engine's results out. No ORM object reaches the engine."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from dti.engine import CompiledFramework, ScoreResult, score


@dataclass(frozen=True, slots=True)
class ValueRow:
    unit: str
    period: str
    indicator: str
    value: float | None
    denominator: float | None
    applicable: bool
    row: int = 0


@dataclass(frozen=True, slots=True)
class UnitRow:
    unit: str
    name: str
    group: str
    predecessors: str = ""


def values_frame(rows: Sequence[ValueRow]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "unit": [r.unit for r in rows],
            "period": [r.period for r in rows],
            "indicator": [r.indicator for r in rows],
            "value": [r.value for r in rows],
            "denominator": [r.denominator for r in rows],
            "applicable": [r.applicable for r in rows],
            "row": [r.row or i + 1 for i, r in enumerate(rows)],
        },
        schema={
            "unit": pl.String,
            "period": pl.String,
            "indicator": pl.String,
            "value": pl.Float64,
            "denominator": pl.Float64,
            "applicable": pl.Boolean,
            "row": pl.Int64,
        },
    )


def units_frame(units: Sequence[UnitRow]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "unit": [u.unit for u in units],
            "name": [u.name for u in units],
            "group": [u.group for u in units],
            "predecessors": [u.predecessors or None for u in units],
        },
        schema={
            "unit": pl.String,
            "name": pl.String,
            "group": pl.String,
            "predecessors": pl.String,
        },
    )


def run(
    framework: CompiledFramework,
    values: Sequence[ValueRow],
    units: Sequence[UnitRow],
    *,
    source: str | None = None,
) -> ScoreResult:
    """Score plain rows with the engine; raises :class:`dti.engine.DataError`."""
    return score(framework, values_frame(values), units_frame(units), source=source)


@dataclass(frozen=True, slots=True)
class Summary:
    score: float
    percent: float
    band: str
    applicable_max: float
    points: dict[str, float]  # indicator → points
    pillars: list[dict[str, float | str]]


def summaries(result: ScoreResult) -> dict[str, Summary]:
    """Every unit's summary from one result (one pass over each frame, whatever the count)."""
    points: dict[str, dict[str, float]] = {}
    if result.indicators.height:
        for unit, code, p in result.indicators.select("unit", "indicator", "points").iter_rows():
            points.setdefault(unit, {})[code] = 0.0 if math.isnan(p) else float(p)
    pillars: dict[str, list[dict[str, float | str]]] = {}
    for unit, pillar, pts, mx in result.pillars.select(
        "unit", "pillar", "points", "max"
    ).iter_rows():
        pillars.setdefault(unit, []).append(
            {"pillar": pillar, "points": float(pts), "max": float(mx)}
        )
    return {
        unit: Summary(
            score=float(score),
            percent=float(percent),
            band=str(band),
            applicable_max=float(applicable_max),
            points=points.get(unit, {}),
            pillars=pillars.get(unit, []),
        )
        for unit, score, percent, band, applicable_max in result.units.select(
            "unit", "score", "percent", "band_name", "applicable_max"
        ).iter_rows()
    }


def summarise(result: ScoreResult, unit: str) -> Summary:
    return summaries(result)[unit]
