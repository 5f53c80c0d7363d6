"""Charts as Vega-Lite specs (built with Altair), and offline PNG/SVG rendering (vl-convert).

Each chart function returns the Vega-Lite spec as a plain ``dict`` with its data inline
(``data.values``), ready for a web page to embed with a vendored vega-embed; its ``width`` is
``"container"`` so it follows the phone's screen. :func:`render` turns a spec into PNG or SVG
bytes without a browser or network, fixing the width first (``"container"`` means nothing
outside a page).

Labels are Vietnamese, numbers too: ``config.locale`` makes Vega print ``1.000`` and ``760,39``.
Bars are horizontal, because unit names are long and a phone is narrow.

Every chart speaks the page's language (``language="en"``: English titles, axis and legend
labels, group, band and pillar names from the framework's ``name.en``, English number format).
Counts have integer axes (their ticks are computed here: Vega's own tick choice on a count axis
printed "0, 1, 1, 2, 2"), quantitative labels that would overlap are thinned, every series is
in the legend even when it has no bar, and a chart of pillars holds one framework's pillars.
``links`` (unit code → address) make each bar a link to the rows behind it.

Vega-Lite has no radar chart; :func:`pillar_profile` draws the same comparison as a grouped bar
chart ("pillar profile": per pillar, the unit, the group average and the group leader, each as a
percentage of the pillar's maximum), which is also easier to read than a radar.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import altair as alt
import polars as pl

from dti.engine import DataError, Problem, ScoreResult
from dti.reports._common import (
    FrameworksArg,
    group_infos,
    period_units,
    pillar_percent,
    resolve_period,
)

__all__ = [
    "BAND_COLOURS",
    "EN_NUMBER_LOCALE",
    "NARROW_WIDTH",
    "PNG_WIDTH",
    "VI_NUMBER_LOCALE",
    "bar_totals",
    "count_ticks",
    "group_pillar_averages",
    "histogram_rows",
    "pillar_frameworks",
    "pillar_profile",
    "pillar_profile_rows",
    "render",
    "score_histogram",
    "snapshot_trend",
    "unit_trend",
    "unit_trend_rows",
]

Spec = dict[str, Any]
Language = str  # "vi" (the default) or "en"; anything else reads as Vietnamese
PNG_WIDTH = 640
# The width a chart is drawn at for a phone (390 px screen less the page's margins): drawn
# narrow rather than a wide drawing shrunk, so its text stays readable.
NARROW_WIDTH = 340
FONT_DIR = Path(__file__).parent / "fonts"
FONT = "DejaVu Serif"
# d3-format locale: decimal comma, dot for thousands (as Babel's "vi").
VI_NUMBER_LOCALE = {
    "decimal": ",",
    "thousands": ".",
    "grouping": [3],
    "currency": ["", " ₫"],
}
# Best band first: green → red (ColorBrewer RdYlGn, readable by most colour-blind readers
# together with the band name in the legend and tooltip).
EN_NUMBER_LOCALE = {
    "decimal": ".",
    "thousands": ",",
    "grouping": [3],
    "currency": ["", ""],
}
# Every word a chart prints, per language (the data's field names are these words, because
# Vega-Lite shows field names in tooltips).
TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "unit": "Đơn vị",
        "group": "Nhóm",
        "score": "Điểm",
        "rank": "Xếp hạng",
        "band": "Xếp loại",
        "count": "Số đơn vị",
        "from": "Từ",
        "to": "Đến",
        "pillar": "Trụ cột",
        "percent": "Tỷ lệ điểm (%)",
        "percent_axis": "% điểm tối đa của trụ cột",
        "series": "Chuỗi",
        "year": "Năm",
        "group_mean": "Trung bình nhóm",
        "leader": "Dẫn đầu: {name}",
        "totals_title": "Điểm chuyển đổi số năm {period}",
        "histogram_title": "Phân bố điểm năm {period}",
        "pillars_title": "Điểm trung bình theo trụ cột năm {period}",
        "profile_title": "Điểm theo trụ cột năm {period}",
        "trend_title": "Điểm qua các năm",
        "as_of": "Ngày chốt số liệu",
        "value": "Giá trị",
        "snapshot_trend_title": "Điểm tạm thời qua các lần chốt số liệu",
        "indicator_trend_title": "Chỉ số {indicator} qua các lần chốt số liệu",
    },
    "en": {
        "unit": "Unit",
        "group": "Group",
        "score": "Score",
        "rank": "Rank",
        "band": "Band",
        "count": "Units",
        "from": "From",
        "to": "To",
        "pillar": "Pillar",
        "percent": "Share of points (%)",
        "percent_axis": "% of the pillar's maximum",
        "series": "Series",
        "year": "Year",
        "group_mean": "Group average",
        "leader": "Leader: {name}",
        "totals_title": "Digital transformation scores, {period}",
        "histogram_title": "Distribution of scores, {period}",
        "pillars_title": "Average score by pillar, {period}",
        "profile_title": "Score by pillar, {period}",
        "trend_title": "Score over the years",
        "as_of": "As of",
        "value": "Value",
        "snapshot_trend_title": "Provisional score over the snapshots",
        "indicator_trend_title": "Indicator {indicator} over the snapshots",
    },
}


def _text(language: Language) -> dict[str, str]:
    return TEXT["en"] if language.startswith("en") else TEXT["vi"]


BAND_COLOURS = ("#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027")
SERIES_COLOURS = ("#2166ac", "#999999", "#f4a582")
SCORE_FORMAT = ",.2~f"


def _band_colours(n: int) -> list[str]:
    if n <= 1:
        return [BAND_COLOURS[0]]
    step = (len(BAND_COLOURS) - 1) / max(n - 1, 1)
    return [BAND_COLOURS[round(i * step)] for i in range(n)]


def _finish(chart: alt.TopLevelMixin, language: Language = "vi") -> Spec:
    spec: Spec = chart.to_dict()
    spec["width"] = "container"
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    config = spec.setdefault("config", {})
    english = language.startswith("en")
    config["locale"] = {"number": EN_NUMBER_LOCALE if english else VI_NUMBER_LOCALE}
    config["font"] = FONT
    # Quantitative labels that would run together ("850900") are thinned, never overlapped
    # (names on a band axis are all kept: each is a bar's only label).
    config["axisQuantitative"] = {
        "labelOverlap": "greedy",
        "labelSeparation": 6,
        "labelFlush": True,
    }
    return spec


def _value_axis(title: str, **extra: Any) -> alt.Axis:
    """A score or percent axis: a handful of ticks whatever the width."""
    return alt.Axis(title=title, tickCount=5, **extra)


def count_ticks(largest: int) -> list[int]:
    """Integer ticks from 0 to at least ``largest``: every integer up to 5, then steps of a
    round number (1, 2, 5 × 10ⁿ) giving at most 6 ticks."""
    largest = max(int(largest), 1)
    step = 1
    while largest / step > 5:
        for factor in (2, 5, 10):
            if largest / (step * factor) <= 5:
                step *= factor
                break
        else:
            step *= 10
    top = -(-largest // step) * step
    return list(range(0, top + 1, step))


def _band_names(result: ScoreResult, infos: dict[str, Any]) -> pl.Expr:
    """The band's name in the chart's language (from the framework by band code)."""
    names = {code: name for info in infos.values() for code, name in info.bands}
    return (
        pl.col("band")
        .cast(pl.String)
        .replace_strict(names, default=pl.col("band_name"), return_dtype=pl.String)
    )


def _inline(values: list[dict[str, Any]]) -> alt.Data:
    """Data inline in the spec (``data.values``): one self-contained dict per chart."""
    return alt.Data(values=values)  # type: ignore[no-untyped-call]


def _band_scale(
    result: ScoreResult, frameworks: FrameworksArg, groups: list[str], language: Language = "vi"
) -> alt.Scale:
    names: list[str] = []
    infos = group_infos(result, frameworks, language)
    for g in groups:
        for _, name in infos[g].bands:
            if name not in names:
                names.append(name)
    return alt.Scale(domain=names, range=_band_colours(len(names)))


def _period_rows(result: ScoreResult, period: str, group: str | None) -> pl.DataFrame:
    rows = period_units(result, period, group)
    if rows.is_empty():
        raise DataError(Problem(f"no units in group {group!r} for period {period}", column="group"))
    return rows


def bar_totals(
    result: ScoreResult,
    period: str | None = None,
    group: str | None = None,
    *,
    frameworks: FrameworksArg = None,
    language: Language = "vi",
    links: dict[str, str] | None = None,
) -> Spec:
    """Total score per unit, best first, coloured by band (one group, or all groups)."""
    t = _text(language)
    period = resolve_period(result, period)
    rows = _period_rows(result, period, group)
    infos = group_infos(result, frameworks, language)
    data = rows.select(
        pl.col("unit").cast(pl.String).alias("unit_code"),
        pl.col("name").alias(t["unit"]),
        pl.col("group").replace_strict({g: i.name for g, i in infos.items()}).alias(t["group"]),
        pl.col("score").alias(t["score"]),
        pl.col("rank").alias(t["rank"]),
        _band_names(result, infos).alias(t["band"]),
    ).sort(t["score"], t["unit"], descending=[True, False])
    records = data.to_dicts()
    for record in records:
        code = record.pop("unit_code")
        if links and code in links:
            record["href"] = links[code]
    title = t["totals_title"].format(period=period)
    if group is not None:
        title += f" — {infos[group].name}"
    encoding: dict[str, Any] = {
        "y": alt.Y(f"{t['unit']}:N", sort=None, title=None, axis=alt.Axis(labelLimit=220)),
        "x": alt.X(f"{t['score']}:Q", axis=_value_axis(t["score"], format=",~f")),
        "color": alt.Color(
            f"{t['band']}:N",
            scale=_band_scale(
                result, frameworks, rows["group"].unique().sort().to_list(), language
            ),
            legend=alt.Legend(orient="bottom", title=t["band"]),
        ),
        "tooltip": [
            f"{t['unit']}:N",
            f"{t['group']}:N",
            alt.Tooltip(f"{t['score']}:Q", format=SCORE_FORMAT),
            f"{t['rank']}:Q",
            f"{t['band']}:N",
        ],
    }
    if links:
        # (a unit without a page gets no link rather than a link to "undefined")
        encoding["href"] = alt.condition("isValid(datum.href)", alt.Href("href:N"), alt.value(None))
    chart = (
        alt.Chart(_inline(records), title=title)
        .mark_bar()
        .encode(**encoding)
        .properties(height=alt.Step(20))
    )
    return _finish(chart, language)


def _nice_step(span: float, bins: int) -> float:
    """A round bin width (1, 2, 5 × 10ⁿ) giving at most ``bins`` bins over ``span``."""
    span = max(span, 1e-9)
    step = 10.0 ** math.floor(math.log10(span / bins))
    for factor in (1, 2, 5, 10):
        if span / (step * factor) <= bins:
            return step * factor
    return step * 10


def histogram_rows(
    result: ScoreResult,
    period: str,
    group: str | None,
    *,
    frameworks: FrameworksArg = None,
    bins: int = 10,
    language: Language = "vi",
) -> list[dict[str, Any]]:
    """Units per score interval and band, binned here (round edges) so that the count axis
    can be given integer ticks and each bar names the interval it counts."""
    t = _text(language)
    rows = _period_rows(result, period, group)
    infos = group_infos(result, frameworks, language)
    scores = rows["score"].to_list()
    step = _nice_step(max(scores) - min(scores), bins)
    start = math.floor(min(scores) / step) * step
    frame = rows.select(
        ((pl.col("score") - start) / step).floor().alias("bin"),
        _band_names(result, infos).alias("band"),
    )
    counted = frame.group_by("bin", "band").len().sort("bin", "band")
    out = []
    for index, band, n in counted.iter_rows():
        low = start + index * step
        out.append(
            {
                t["from"]: round(low, 6),
                t["to"]: round(low + step, 6),
                t["band"]: band,
                t["count"]: int(n),
            }
        )
    return out


def score_histogram(
    result: ScoreResult,
    period: str | None = None,
    group: str | None = None,
    *,
    frameworks: FrameworksArg = None,
    bins: int = 10,
    language: Language = "vi",
) -> Spec:
    """How scores are distributed: units per score interval, stacked by band."""
    t = _text(language)
    period = resolve_period(result, period)
    data = histogram_rows(
        result, period, group, frameworks=frameworks, bins=bins, language=language
    )
    tallest: dict[float, int] = {}
    for row in data:
        tallest[row[t["from"]]] = tallest.get(row[t["from"]], 0) + row[t["count"]]
    ticks = count_ticks(max(tallest.values(), default=1))
    groups = _period_rows(result, period, group)["group"].unique().sort().to_list()
    chart = (
        alt.Chart(_inline(data), title=t["histogram_title"].format(period=period))
        .mark_bar()
        .encode(
            x=alt.X(f"{t['from']}:Q", axis=_value_axis(t["score"], format=",~f")),
            x2=f"{t['to']}:Q",
            y=alt.Y(
                f"sum({t['count']}):Q",
                title=t["count"],
                scale=alt.Scale(domain=[0, ticks[-1]]),
                axis=alt.Axis(values=ticks, format="d"),
            ),
            color=alt.Color(
                f"{t['band']}:N",
                scale=_band_scale(result, frameworks, groups, language),
                legend=alt.Legend(orient="bottom", title=t["band"]),
            ),
            tooltip=[
                alt.Tooltip(f"{t['from']}:Q", format=",~f"),
                alt.Tooltip(f"{t['to']}:Q", format=",~f"),
                f"{t['band']}:N",
                alt.Tooltip(f"sum({t['count']}):Q", title=t["count"]),
            ],
        )
        .properties(height=240)
    )
    return _finish(chart, language)


def _pillar_names(
    result: ScoreResult, frameworks: FrameworksArg, group: str, language: Language = "vi"
) -> dict[str, str]:
    fw = group_infos(result, frameworks, language)[group].framework
    return {p.code: p.name.get(language) for p in fw.tree} if fw else {}


def pillar_frameworks(
    result: ScoreResult, frameworks: FrameworksArg = None
) -> dict[str, list[str]]:
    """The groups of the result by the framework that scores them (code → group codes, in
    framework order): groups on different frameworks have different pillars, so each
    framework gets its own pillar chart."""
    out: dict[str, list[str]] = {}
    for code, info in group_infos(result, frameworks).items():
        key = info.framework.code if info.framework else ""
        out.setdefault(key, []).append(code)
    return out


def group_pillar_averages(
    result: ScoreResult,
    period: str | None = None,
    *,
    frameworks: FrameworksArg = None,
    framework: str | None = None,
    language: Language = "vi",
) -> Spec:
    """Per pillar, each group's average score as a percentage of the pillar's maximum — for the
    groups scored on ``framework`` (a code; by default the first framework of the result):
    one framework's pillars per chart."""
    t = _text(language)
    period = resolve_period(result, period)
    infos = group_infos(result, frameworks, language)
    by_framework = pillar_frameworks(result, frameworks)
    key = framework if framework is not None else next(iter(by_framework), "")
    if key not in by_framework:
        raise DataError(Problem(f"no group is scored on framework {key!r}", column="framework"))
    groups = by_framework[key]
    frame = pillar_percent(result, period)
    rows = []
    for code in groups:
        names = _pillar_names(result, frameworks, code, language)
        means = (
            frame.filter(pl.col("group") == code)
            .group_by("pillar", maintain_order=True)
            .agg(pl.col("percent").mean())
        )
        for pillar, percent in means.iter_rows():
            if percent is not None:
                rows.append(
                    {
                        t["pillar"]: names.get(pillar, pillar),
                        t["group"]: infos[code].name,
                        t["percent"]: round(float(percent), 2),
                    }
                )
    if not rows:
        raise DataError(Problem(f"no pillar results for period {period}", column="period"))
    # Every group of the framework in the legend, in framework order, even one with no bar.
    legend = [infos[code].name for code in groups]
    chart = alt.Chart(_inline(rows), title=t["pillars_title"].format(period=period)).mark_bar()
    chart = chart.encode(
        y=alt.Y(f"{t['pillar']}:N", sort=None, title=None, axis=alt.Axis(labelLimit=200)),
        yOffset=alt.YOffset(f"{t['group']}:N", sort=legend),
        x=alt.X(
            f"{t['percent']}:Q",
            axis=_value_axis(t["percent_axis"]),
            scale=alt.Scale(domain=[0, 100]),
        ),
        color=alt.Color(
            f"{t['group']}:N",
            sort=legend,
            scale=alt.Scale(domain=legend, range=_series_colours(len(legend))),
            legend=alt.Legend(orient="bottom", title=t["group"]),
        ),
        tooltip=[
            f"{t['pillar']}:N",
            f"{t['group']}:N",
            alt.Tooltip(f"{t['percent']}:Q", format=",.1f"),
        ],
    )
    return _finish(chart, language)


# Distinct series colours (ColorBrewer Dark2, then Set2): the first is the unit's own series.
_SERIES = (
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#666666",
    "#66c2a5",
    "#fc8d62",
    "#8da0cb",
    "#e78ac3",
)


def _series_colours(n: int) -> list[str]:
    return [_SERIES[i % len(_SERIES)] for i in range(n)]


def pillar_profile_rows(
    result: ScoreResult,
    unit: str,
    period: str | None = None,
    *,
    frameworks: FrameworksArg = None,
    language: Language = "vi",
) -> list[dict[str, Any]]:
    """Per pillar: the unit's, the group average's and the group leader's percent of the max."""
    t = _text(language)
    period = resolve_period(result, period)
    units = period_units(result, period)
    match = units.filter(pl.col("unit").cast(pl.String) == unit)
    if match.is_empty():
        raise DataError(Problem(f"unit {unit!r} has no result for period {period}", column="unit"))
    me = match.row(0, named=True)
    group_rows = units.filter(pl.col("group") == me["group"])
    leader = group_rows.row(0, named=True)  # sorted by rank, then name
    frame = pillar_percent(result, period).filter(pl.col("group") == me["group"])
    names = _pillar_names(result, frameworks, me["group"], language)
    mean = frame.group_by("pillar", maintain_order=True).agg(pl.col("percent").mean())
    series = [
        (me["name"], frame.filter(pl.col("unit") == str(me["unit"]))),
        (t["group_mean"], mean),
        (
            t["leader"].format(name=leader["name"]),
            frame.filter(pl.col("unit") == str(leader["unit"])),
        ),
    ]
    rows: list[dict[str, Any]] = []
    for label, part in series:
        for pillar, percent in part.select("pillar", "percent").iter_rows():
            rows.append(
                {
                    t["pillar"]: names.get(pillar, pillar),
                    t["series"]: label,
                    t["percent"]: None if percent is None else round(float(percent), 2),
                }
            )
    return rows


def pillar_profile(
    result: ScoreResult,
    unit: str,
    period: str | None = None,
    *,
    frameworks: FrameworksArg = None,
    language: Language = "vi",
) -> Spec:
    """A unit's pillar scores (percent of each pillar's max) against its group's average and
    leader — a grouped bar chart standing in for a radar chart (Vega-Lite has none)."""
    t = _text(language)
    period = resolve_period(result, period)
    rows = pillar_profile_rows(result, unit, period, frameworks=frameworks, language=language)
    labels = list(dict.fromkeys(r[t["series"]] for r in rows))
    chart = (
        alt.Chart(_inline(rows), title=t["profile_title"].format(period=period))
        .mark_bar()
        .encode(
            y=alt.Y(f"{t['pillar']}:N", sort=None, title=None, axis=alt.Axis(labelLimit=200)),
            yOffset=alt.YOffset(f"{t['series']}:N", sort=labels),
            x=alt.X(
                f"{t['percent']}:Q",
                axis=_value_axis(t["percent_axis"]),
                scale=alt.Scale(domain=[0, 100]),
            ),
            color=alt.Color(
                f"{t['series']}:N",
                sort=labels,
                scale=alt.Scale(domain=labels, range=list(SERIES_COLOURS[: len(labels)])),
                legend=alt.Legend(orient="bottom", title=None, direction="vertical"),
            ),
            tooltip=[
                f"{t['pillar']}:N",
                f"{t['series']}:N",
                alt.Tooltip(f"{t['percent']}:Q", format=",.1f"),
            ],
        )
    )
    return _finish(chart, language)


def unit_trend_rows(
    result: ScoreResult, unit: str, language: Language = "vi"
) -> list[dict[str, Any]]:
    """The unit's score per period (with the previous period's score the engine attached to the
    earliest one) and its group's average per period."""
    t = _text(language)
    rows_unit = result.units.filter(pl.col("unit").cast(pl.String) == unit).sort("period")
    if rows_unit.is_empty():
        raise DataError(Problem(f"unit {unit!r} has no results", column="unit"))
    name = rows_unit["name"][-1]
    group = rows_unit["group"][-1]
    points: dict[str, float] = {}
    first = rows_unit.row(0, named=True)
    prev_period, prev_score = first.get("previous_period"), first.get("previous_score")
    if prev_period is not None and prev_score is not None:
        points[str(prev_period)] = float(prev_score)
    for period, score in rows_unit.select(pl.col("period").cast(pl.String), "score").iter_rows():
        points[period] = float(score)
    out: list[dict[str, Any]] = [
        {t["year"]: p, t["series"]: name, t["score"]: s} for p, s in sorted(points.items())
    ]
    means = (
        result.units.filter(pl.col("group") == group)
        .group_by(pl.col("period").cast(pl.String))
        .agg(pl.col("score").mean())
        .sort("period")
    )
    out += [
        {t["year"]: p, t["series"]: t["group_mean"], t["score"]: round(float(m), 2)}
        for p, m in means.iter_rows()
    ]
    return out


def unit_trend(result: ScoreResult, unit: str, *, language: Language = "vi") -> Spec:
    """A unit's score over the years, with its group's average."""
    t = _text(language)
    rows = unit_trend_rows(result, unit, language)
    labels = list(dict.fromkeys(r[t["series"]] for r in rows))
    chart = (
        alt.Chart(_inline(rows), title=t["trend_title"])
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{t['year']}:O", title=t["year"], axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{t['score']}:Q", axis=_value_axis(t["score"]), scale=alt.Scale(zero=False)),
            color=alt.Color(
                f"{t['series']}:N",
                sort=labels,
                scale=alt.Scale(domain=labels, range=list(SERIES_COLOURS[: len(labels)])),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            tooltip=[
                f"{t['year']}:O",
                f"{t['series']}:N",
                alt.Tooltip(f"{t['score']}:Q", format=SCORE_FORMAT),
            ],
        )
        .properties(height=220)
    )
    return _finish(chart, language)


def snapshot_trend(
    points: Sequence[tuple[dt.date, str, float]],
    *,
    indicator: str | None = None,
    language: Language = "vi",
) -> Spec:
    """A measure over a period's snapshots: ``(as of, series, value)`` — a unit's
    provisional score beside its group's average, or (``indicator``) one indicator's value.
    Dates are written dd/mm/yyyy and kept in their order."""
    t = _text(language)
    measure = t["value"] if indicator else t["score"]
    title = (
        t["indicator_trend_title"].format(indicator=indicator)
        if indicator
        else t["snapshot_trend_title"]
    )
    ordered = sorted(points, key=lambda p: p[0])
    days = list(dict.fromkeys(f"{day:%d/%m/%Y}" for day, _, _ in ordered))
    labels = list(dict.fromkeys(series for _, series, _ in ordered))
    rows = [
        {t["as_of"]: f"{day:%d/%m/%Y}", t["series"]: series, measure: round(value, 4)}
        for day, series, value in ordered
    ]
    chart = (
        alt.Chart(_inline(rows), title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{t['as_of']}:O", sort=days, title=t["as_of"], axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{measure}:Q", axis=_value_axis(measure), scale=alt.Scale(zero=False)),
            color=alt.Color(
                f"{t['series']}:N",
                sort=labels,
                scale=alt.Scale(domain=labels, range=list(SERIES_COLOURS[: len(labels)])),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            tooltip=[
                f"{t['as_of']}:O",
                f"{t['series']}:N",
                alt.Tooltip(f"{measure}:Q", format=SCORE_FORMAT),
            ],
        )
        .properties(height=220)
    )
    return _finish(chart, language)


_VL_CONVERT_BASE = "https://vega.github.io/vega-datasets/"
# About how wide a title's character is (13 px bold serif), to break a long title into lines
# rather than let a narrow drawing cut it off.
_TITLE_CHAR_PX = 7.5


def _wrap_title(spec: Spec, width: int) -> None:
    title = spec.get("title")
    text = title.get("text") if isinstance(title, dict) else title
    if not isinstance(text, str):
        return
    per_line = max(int(width / _TITLE_CHAR_PX), 16)
    if len(text) <= per_line:
        return
    lines = textwrap.wrap(text, per_line)
    if isinstance(title, dict):
        title["text"] = lines
    else:
        spec["title"] = lines


_fonts_registered = False


def _register_fonts() -> None:
    global _fonts_registered
    if not _fonts_registered:
        import vl_convert as vlc

        vlc.register_font_directory(str(FONT_DIR))
        _fonts_registered = True


def _vl_version(spec: Spec) -> str | None:
    schema = str(spec.get("$schema", ""))
    # ".../vega-lite/v6.4.1.json" → "6.4"
    if "/v" not in schema:
        return None
    major_minor = schema.rsplit("/v", 1)[1].removesuffix(".json").split(".")[:2]
    return "_".join(major_minor) if len(major_minor) == 2 else None


def render(
    spec: Spec, fmt: Literal["png", "svg"] = "png", *, width: int = PNG_WIDTH, scale: float = 2.0
) -> bytes:
    """Render a spec to PNG (at ``scale`` × for sharp print) or SVG, offline.

    A ``"container"`` width becomes ``width`` pixels; the spec passed in is not changed.
    """
    import vl_convert as vlc

    _register_fonts()
    fixed = copy.deepcopy(spec)
    if fixed.get("width") == "container":
        fixed["width"] = width
    _wrap_title(fixed, width)
    fixed["autosize"] = {"type": "fit-x", "contains": "padding"}
    version = _vl_version(fixed)
    if fmt == "png":
        return bytes(vlc.vegalite_to_png(fixed, vl_version=version, scale=scale))
    if fmt == "svg":
        svg = str(vlc.vegalite_to_svg(fixed, vl_version=version))
        # vl-convert resolves a link against its loader's base (the Vega datasets' site), and
        # has no option to set it: the page's own addresses are put back as they were given.
        return svg.replace(f'xlink:href="{_VL_CONVERT_BASE}', 'xlink:href="').encode("utf-8")
    raise ValueError(f"unsupported format {fmt!r} (use 'png' or 'svg')")
