"""Data-quality checks declared by a framework (``quality:``), evaluated over a values table.

A check never refuses data — a value above another may be right — it warns: the unit sees the
warning on its form, the verifier beside the value. The same function serves one unit's save
and a snapshot of thousands of units: each rule is a filter and, for rules across indicators,
one join over the values table; messages are built only for the rows flagged.

The *measure* of a value is its ratio (value ÷ denominator) when a positive denominator is
given, else the value itself; ``range`` and ``jump`` read the measure, ``not_above`` and
``numerator_within`` the numbers as entered. A jump from a previous measure of 0 has no
relative size and is not flagged. Values marked not applicable, or without a value, are never
checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from dti.engine.compiled import EPS, CompiledFramework
from dti.engine.framework import Framework, QualityCheck, QualityRule
from dti.engine.messages import Message, say

__all__ = ["QualityWarning", "quality_warnings"]

_KEYS = ["unit", "period"]


@dataclass(frozen=True, slots=True)
class QualityWarning:
    """One rule flagged for one unit and period; ``rule`` is its place in ``quality`` (from 1)."""

    unit: str
    period: str
    indicator: str
    rule: int
    message: Message


def quality_warnings(
    framework: Framework | CompiledFramework,
    values: pl.DataFrame,
    previous: pl.DataFrame | None = None,
) -> list[QualityWarning]:
    """Every warning of ``framework``'s quality rules over ``values`` (``unit, period,
    indicator, value[, denominator][, applicable]``), ordered by unit, period and rule.

    ``previous`` (the same columns) holds the values the jumps compare with — for each unit
    and indicator the latest period given there (the previous year, or the previous
    snapshot)."""
    fw = framework.framework if isinstance(framework, CompiledFramework) else framework
    if not fw.quality or values.height == 0:
        return []
    rows = _checked(values)
    before = _latest(_checked(previous)) if previous is not None else None
    out: list[QualityWarning] = []
    for number, rule in enumerate(fw.quality, start=1):
        out += _RULES[rule.check](rule, number, rows, before)
    out.sort(key=lambda w: (w.unit, w.period, w.rule))
    return out


def _checked(values: pl.DataFrame) -> pl.DataFrame:
    """The rows a check reads, with their measure: applicable, with a value."""
    frame = values.select(
        pl.col("unit").cast(pl.String),
        pl.col("period").cast(pl.String),
        pl.col("indicator").cast(pl.String),
        pl.col("value").cast(pl.Float64),
        (
            pl.col("denominator").cast(pl.Float64)
            if "denominator" in values.columns
            else pl.lit(None, dtype=pl.Float64).alias("denominator")
        ),
        (
            pl.col("applicable").cast(pl.Boolean).fill_null(True)
            if "applicable" in values.columns
            else pl.lit(True).alias("applicable")
        ),
    )
    frame = frame.filter(pl.col("applicable") & pl.col("value").is_not_null())
    # NaN is what a blank reads as in some frames: it is no value either.
    frame = frame.filter(~pl.col("value").is_nan())
    return frame.with_columns(
        pl.when(pl.col("denominator") > 0)
        .then(pl.col("value") / pl.col("denominator"))
        .otherwise(pl.col("value"))
        .alias("measure")
    )


def _latest(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort("period").group_by(["unit", "indicator"], maintain_order=True).last()


def _of(rows: pl.DataFrame, indicator: str) -> pl.DataFrame:
    return rows.filter(pl.col("indicator") == indicator)


def _across(
    rule: QualityRule, number: int, rows: pl.DataFrame, other_column: str, code: str
) -> list[QualityWarning]:
    assert rule.other is not None
    left = _of(rows, rule.indicator).select(*_KEYS, "value")
    right = _of(rows, rule.other).select(*_KEYS, pl.col(other_column).alias("other_value"))
    flagged = left.join(right, on=_KEYS).filter(
        pl.col("other_value").is_not_null()
        & (pl.col("value") > pl.col("other_value") + EPS * (1 + pl.col("other_value").abs()))
    )
    return [
        QualityWarning(
            unit,
            period,
            rule.indicator,
            number,
            say(code, indicator=rule.indicator, value=v, other=rule.other, other_value=o),
        )
        for unit, period, v, o in flagged.iter_rows()
    ]


def _not_above(
    rule: QualityRule, number: int, rows: pl.DataFrame, _before: pl.DataFrame | None
) -> list[QualityWarning]:
    return _across(rule, number, rows, "value", "quality_above")


def _numerator_within(
    rule: QualityRule, number: int, rows: pl.DataFrame, _before: pl.DataFrame | None
) -> list[QualityWarning]:
    return _across(rule, number, rows, "denominator", "quality_numerator_above")


def _range(
    rule: QualityRule, number: int, rows: pl.DataFrame, _before: pl.DataFrame | None
) -> list[QualityWarning]:
    low = float("-inf") if rule.min is None else rule.min
    high = float("inf") if rule.max is None else rule.max
    flagged = _of(rows, rule.indicator).filter(
        (pl.col("measure") < low - EPS) | (pl.col("measure") > high + EPS)
    )
    out = []
    for unit, period, measure in flagged.select(*_KEYS, "measure").iter_rows():
        message = (
            say("quality_below_range", indicator=rule.indicator, value=measure, minimum=low)
            if measure < low
            else say("quality_above_range", indicator=rule.indicator, value=measure, maximum=high)
        )
        out.append(QualityWarning(unit, period, rule.indicator, number, message))
    return out


def _jump(
    rule: QualityRule, number: int, rows: pl.DataFrame, before: pl.DataFrame | None
) -> list[QualityWarning]:
    if before is None:
        return []
    assert rule.max_change is not None
    now = _of(rows, rule.indicator).select(*_KEYS, "measure")
    then = _of(before, rule.indicator).select(
        "unit", pl.col("period").alias("then_period"), pl.col("measure").alias("then")
    )
    flagged = now.join(then, on="unit").filter(
        (pl.col("then") != 0)
        & ((pl.col("measure") - pl.col("then")).abs() > rule.max_change * pl.col("then").abs())
    )
    percent = round(rule.max_change * 100, 6)
    return [
        QualityWarning(
            unit,
            period,
            rule.indicator,
            number,
            say(
                "quality_jump",
                indicator=rule.indicator,
                previous=previous,
                value=measure,
                period=then_period,
                percent=percent,
            ),
        )
        for unit, period, measure, then_period, previous in flagged.select(
            *_KEYS, "measure", "then_period", "then"
        ).iter_rows()
    ]


_Check = Callable[[QualityRule, int, pl.DataFrame, pl.DataFrame | None], list[QualityWarning]]
_RULES: dict[QualityCheck, _Check] = {
    QualityCheck.NOT_ABOVE: _not_above,
    QualityCheck.NUMERATOR_WITHIN: _numerator_within,
    QualityCheck.RANGE: _range,
    QualityCheck.JUMP: _jump,
}
