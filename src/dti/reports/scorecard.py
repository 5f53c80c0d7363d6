"""A unit's scorecard: where it stands, pillar by pillar, and what to work on next.

:func:`unit_scorecard` gathers the facts as plain data (for the web page and the PDF):
total, rank, band, each pillar against the group's average and leader (percent of the pillar's
maximum), the trend over the periods scored, the strongest and weakest indicators, the
indicators not done (including those with no value at all), and — when a frame of verifier
adjustments is given (:func:`adjustments_between` builds one from the self-assessed and the
verified results) — what the verifiers changed. :func:`scorecard_pdf` prints it with the pillar
profile chart embedded as PNG.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from dti.engine import (
    DataError,
    Framework,
    LeafKind,
    Problem,
    ScoreResult,
    compile_framework,
)
from dti.reports._common import FrameworksArg, group_infos, period_units, resolve_period
from dti.reports._html import render_pdf
from dti.reports.charts import pillar_profile, pillar_profile_rows, render, unit_trend_rows
from dti.reports.format import format_date

__all__ = [
    "Adjustment",
    "ExplainLine",
    "IndicatorLine",
    "PillarLine",
    "Scorecard",
    "adjustments_between",
    "scorecard_pdf",
    "unit_scorecard",
]


@dataclass(frozen=True)
class PillarLine:
    pillar: str
    name: str
    points: float
    max: float
    percent: float | None
    group_mean_percent: float | None
    leader_percent: float | None


@dataclass(frozen=True)
class IndicatorLine:
    indicator: str
    name: str
    points: float
    max: float
    percent: float
    level: str  # completion level name; "Chưa nhập" when no value was given


@dataclass(frozen=True)
class Adjustment:
    indicator: str
    name: str
    assessed: float
    verified: float
    change: float
    reason: str


@dataclass(frozen=True)
class ExplainLine:
    """One indicator's explanation as printed: the trace's steps, already in words."""

    indicator: str
    name: str
    points: float
    max: float
    steps: tuple[str, ...]
    origin: str = ""


@dataclass(frozen=True)
class Scorecard:
    unit: str
    name: str
    group: str
    group_name: str
    period: str
    score: float
    decimals: int
    scale_total: float | None
    rank: int
    group_size: int
    band_name: str
    leader_name: str
    leader_score: float
    group_mean: float
    pillars: tuple[PillarLine, ...]
    trend: tuple[tuple[str, float], ...]  # (period, score), oldest first
    strongest: tuple[IndicatorLine, ...]
    weakest: tuple[IndicatorLine, ...]
    not_done: tuple[IndicatorLine, ...]
    adjustments: tuple[Adjustment, ...]


def adjustments_between(assessed: ScoreResult, verified: ScoreResult) -> pl.DataFrame:
    """``unit, period, indicator, assessed, verified, change``: indicator points the
    verification changed (rows whose points differ)."""
    key = ["unit", "period", "indicator"]

    def points(result: ScoreResult, name: str) -> pl.DataFrame:
        return result.indicators.select(
            *(pl.col(k).cast(pl.String) for k in key), pl.col("points").alias(name)
        )

    both = points(assessed, "assessed").join(
        points(verified, "verified"), on=key, how="full", coalesce=True
    )
    return (
        both.with_columns(pl.col("assessed", "verified").fill_null(0.0))
        .with_columns(change=pl.col("verified") - pl.col("assessed"))
        .filter(pl.col("change").abs() > 1e-9)
        .sort(key)
    )


def _leaf_names(fw: Framework | None) -> dict[str, str]:
    if fw is None:
        return {}
    names = {node.code: node.name.vi for node, _ in fw.walk() if node.is_leaf}
    for kind in ("bonus", "penalty"):
        names.update({item.code: item.name.vi for item in fw.adjustment_items(kind)})
    return names


def _indicator_lines(
    result: ScoreResult, unit: str, period: str, group: str, fw: Framework | None
) -> list[IndicatorLine]:
    """Every applicable tree leaf of the unit with points; leaves without a row score 0.

    Bonus and penalty items are left out: a penalty at 0 is good news, not an indicator
    "not done", and neither kind belongs among the strongest or weakest indicators.
    """
    names = _leaf_names(fw)
    tree = {node.code for node, _ in fw.walk() if node.is_leaf} if fw else set()
    level_names = {lv.code: lv.name.vi for lv in fw.completion_levels} if fw else {}
    rows = (
        result.indicators.filter(
            (pl.col("unit").cast(pl.String) == unit) & (pl.col("period").cast(pl.String) == period)
        )
        if not result.indicators.is_empty()
        else pl.DataFrame()
    )
    lines: dict[str, IndicatorLine] = {}
    if not rows.is_empty():
        for code, points, maximum, applicable, level in rows.select(
            pl.col("indicator").cast(pl.String), "points", "max", "applicable", "level"
        ).iter_rows():
            if not applicable or maximum <= 0 or code not in tree:
                continue
            lines[code] = IndicatorLine(
                code,
                names.get(code, code),
                float(points),
                float(maximum),
                float(points) / float(maximum) * 100.0,
                level_names.get(level, level),
            )
    if fw is not None:
        cf = compile_framework(fw)
        if group in cf.group_codes:
            g = cf.group_codes.index(group)
            wanted = np.flatnonzero(cf.applies[g] & (cf.kind == LeafKind.TREE) & (cf.max > 0))
            given = (
                set(rows["indicator"].cast(pl.String).to_list()) if not rows.is_empty() else set()
            )
            for i in wanted:
                code = cf.codes[i]
                if code not in given:
                    lines[code] = IndicatorLine(
                        code, names.get(code, code), 0.0, float(cf.max[i]), 0.0, "Chưa nhập"
                    )
    order = {code: i for i, code in enumerate(names)}
    return sorted(lines.values(), key=lambda line: order.get(line.indicator, len(order)))


def _optional(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def unit_scorecard(
    result: ScoreResult,
    unit: str,
    period: str | None = None,
    *,
    frameworks: FrameworksArg = None,
    adjustments: pl.DataFrame | None = None,
    top: int = 5,
) -> Scorecard:
    """The scorecard of ``unit`` (its code) for ``period`` (the latest by default).

    ``adjustments``: ``unit, period, indicator, assessed, verified[, change][, reason]``.
    """
    period = resolve_period(result, period)
    units = period_units(result, period)
    match = units.filter(pl.col("unit").cast(pl.String) == unit)
    if match.is_empty():
        raise DataError(Problem(f"unit {unit!r} has no result for period {period}", column="unit"))
    me = match.row(0, named=True)
    info = group_infos(result, frameworks)[me["group"]]
    group_rows = units.filter(pl.col("group") == me["group"])
    leader = group_rows.row(0, named=True)

    pillars = _pillar_lines(result, unit, period, frameworks, info.framework)

    trend = tuple(
        (r["Năm"], float(r["Điểm"]))
        for r in unit_trend_rows(result, unit)
        if r["Chuỗi"] != "Trung bình nhóm"
    )
    lines = _indicator_lines(result, unit, period, me["group"], info.framework)
    done = [line for line in lines if line.points > 0]
    strongest = sorted(done, key=lambda x: (-x.percent, -x.max, x.indicator))[:top]
    weakest = sorted(
        (line for line in lines if line.percent < 100.0),
        key=lambda x: (x.percent, -x.max, x.indicator),
    )[:top]
    not_done = tuple(line for line in lines if line.points <= 0)

    adjusted = _adjustment_lines(adjustments, unit, period, _leaf_names(info.framework))

    return Scorecard(
        unit=unit,
        name=me["name"],
        group=me["group"],
        group_name=info.name,
        period=period,
        score=float(me["score"]),
        decimals=info.decimals,
        scale_total=info.scale_total,
        rank=int(me["rank"]),
        group_size=int(me["group_size"]),
        band_name=me["band_name"],
        leader_name=leader["name"],
        leader_score=float(leader["score"]),
        group_mean=float(group_rows["score"].mean()),  # type: ignore[arg-type]
        pillars=pillars,
        trend=trend,
        strongest=tuple(strongest),
        weakest=tuple(weakest),
        not_done=not_done,
        adjustments=adjusted,
    )


def _pillar_lines(
    result: ScoreResult,
    unit: str,
    period: str,
    frameworks: FrameworksArg,
    framework: Framework | None,
) -> tuple[PillarLine, ...]:
    """The unit's pillars: points and maximum, and its share beside the group's mean and
    leader's (the three series of the pillar profile chart)."""
    profile = pillar_profile_rows(result, unit, period, frameworks=frameworks)
    by_series: dict[str, dict[str, float | None]] = {}
    for row in profile:
        by_series.setdefault(row["Chuỗi"], {})[row["Trụ cột"]] = row["Tỷ lệ điểm (%)"]
    mine, mean, lead = [*by_series.values(), {}, {}, {}][:3]
    pillar_names = {p.code: p.name.vi for p in framework.tree} if framework else {}
    pillar_rows = result.pillars.filter(
        (pl.col("unit").cast(pl.String) == unit) & (pl.col("period").cast(pl.String) == period)
    )
    pillars = []
    for code, points, maximum in pillar_rows.select("pillar", "points", "max").iter_rows():
        name = pillar_names.get(code, code)
        pillars.append(
            PillarLine(
                code,
                name,
                float(points),
                float(maximum),
                _optional(mine.get(name)),
                _optional(mean.get(name)),
                _optional(lead.get(name)),
            )
        )
    return tuple(pillars)


def _adjustment_lines(
    adjustments: pl.DataFrame | None, unit: str, period: str, names: dict[str, str]
) -> tuple[Adjustment, ...]:
    """The unit's indicators whose verified points differ from the self-assessed ones."""
    adjusted: list[Adjustment] = []
    if adjustments is not None and not adjustments.is_empty():
        rows = adjustments.filter(
            (pl.col("unit").cast(pl.String) == unit) & (pl.col("period").cast(pl.String) == period)
        )
        for row in rows.iter_rows(named=True):
            assessed, verified = float(row["assessed"] or 0), float(row["verified"] or 0)
            code = str(row["indicator"])
            adjusted.append(
                Adjustment(
                    code,
                    names.get(code, code),
                    assessed,
                    verified,
                    verified - assessed,
                    str(row.get("reason") or ""),
                )
            )
    return tuple(adjusted)


def scorecard_pdf(
    result: ScoreResult,
    unit: str,
    period: str | None = None,
    *,
    frameworks: FrameworksArg = None,
    adjustments: pl.DataFrame | None = None,
    issued: Any = None,
    card: Scorecard | None = None,
    notice: tuple[str, ...] = (),
    explain: tuple[ExplainLine, ...] = (),
    explain_steps: tuple[str, ...] = (),
) -> bytes:
    """The scorecard as a PDF (A4), with the pillar profile chart as an embedded PNG.

    ``issued`` (a date) prints as "Ngày lập" in the footer line; ``card``, when given, is the
    scorecard already built (the web's, whose group size counts the whole group); ``notice``
    lines print in bold under the title (a provisional publication says so there);
    ``explain`` and ``explain_steps`` (the engine's trace in words) print every indicator's
    arithmetic and the way from the indicators to the band.
    """
    if card is None:
        card = unit_scorecard(result, unit, period, frameworks=frameworks, adjustments=adjustments)
    chart = render(pillar_profile(result, unit, card.period, frameworks=frameworks), "png")
    return render_pdf(
        "scorecard.html",
        card=card,
        chart_uri="data:image/png;base64," + base64.b64encode(chart).decode("ascii"),
        issued=format_date(issued) if issued else "",
        notice=notice,
        explain=explain,
        explain_steps=explain_steps,
    )
