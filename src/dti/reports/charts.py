"""Charts as Vega-Lite specs (built with Altair), and offline PNG/SVG rendering (vl-convert).

Each chart function returns the Vega-Lite spec as a plain ``dict`` with its data inline
(``data.values``), ready for a web page to embed with a vendored vega-embed; its ``width`` is
``"container"`` so it follows the phone's screen. :func:`render` turns a spec into PNG or SVG
bytes without a browser or network, fixing the width first (``"container"`` means nothing
outside a page).

Labels are Vietnamese, numbers too: ``config.locale`` makes Vega print ``1.000`` and ``760,39``.
Bars are horizontal, because unit names are long and a phone is narrow.

Vega-Lite has no radar chart; :func:`pillar_profile` draws the same comparison as a grouped bar
chart ("pillar profile": per pillar, the unit, the group average and the group leader, each as a
percentage of the pillar's maximum), which is also easier to read than a radar.
"""

from __future__ import annotations

import copy
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
    "PNG_WIDTH",
    "VI_NUMBER_LOCALE",
    "bar_totals",
    "group_pillar_averages",
    "pillar_profile",
    "pillar_profile_rows",
    "render",
    "score_histogram",
    "unit_trend",
    "unit_trend_rows",
]

Spec = dict[str, Any]
PNG_WIDTH = 640
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
BAND_COLOURS = ("#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027")
SERIES_COLOURS = ("#2166ac", "#999999", "#f4a582")
SCORE_FORMAT = ",.2~f"


def _band_colours(n: int) -> list[str]:
    if n <= 1:
        return [BAND_COLOURS[0]]
    step = (len(BAND_COLOURS) - 1) / max(n - 1, 1)
    return [BAND_COLOURS[round(i * step)] for i in range(n)]


def _finish(chart: alt.TopLevelMixin) -> Spec:
    spec: Spec = chart.to_dict()
    spec["width"] = "container"
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    config = spec.setdefault("config", {})
    config["locale"] = {"number": VI_NUMBER_LOCALE}
    config["font"] = FONT
    return spec


def _inline(values: list[dict[str, Any]]) -> alt.Data:
    """Data inline in the spec (``data.values``): one self-contained dict per chart."""
    return alt.Data(values=values)  # type: ignore[no-untyped-call]


def _band_scale(result: ScoreResult, frameworks: FrameworksArg, groups: list[str]) -> alt.Scale:
    names: list[str] = []
    infos = group_infos(result, frameworks)
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
) -> Spec:
    """Total score per unit, best first, coloured by band (one group, or all groups)."""
    period = resolve_period(result, period)
    rows = _period_rows(result, period, group)
    infos = group_infos(result, frameworks)
    data = rows.select(
        pl.col("name").alias("Đơn vị"),
        pl.col("group").replace_strict({g: i.name for g, i in infos.items()}).alias("Nhóm"),
        pl.col("score").alias("Điểm"),
        pl.col("rank").alias("Xếp hạng"),
        pl.col("band_name").alias("Xếp loại"),
    ).sort("Điểm", "Đơn vị", descending=[True, False])
    title = f"Điểm chuyển đổi số năm {period}"
    if group is not None:
        title += f" — {infos[group].name}"
    chart = (
        alt.Chart(_inline(data.to_dicts()), title=title)
        .mark_bar()
        .encode(
            y=alt.Y("Đơn vị:N", sort=None, title=None, axis=alt.Axis(labelLimit=220)),
            x=alt.X("Điểm:Q", title="Điểm", axis=alt.Axis(format=",~f")),
            color=alt.Color(
                "Xếp loại:N",
                scale=_band_scale(result, frameworks, rows["group"].unique().sort().to_list()),
                legend=alt.Legend(orient="bottom", title="Xếp loại"),
            ),
            tooltip=[
                "Đơn vị:N",
                "Nhóm:N",
                alt.Tooltip("Điểm:Q", format=SCORE_FORMAT),
                "Xếp hạng:Q",
                "Xếp loại:N",
            ],
        )
        .properties(height=alt.Step(20))
    )
    return _finish(chart)


def score_histogram(
    result: ScoreResult,
    period: str | None = None,
    group: str | None = None,
    *,
    frameworks: FrameworksArg = None,
    bins: int = 10,
) -> Spec:
    """How scores are distributed: units per score interval, stacked by band."""
    period = resolve_period(result, period)
    rows = _period_rows(result, period, group)
    data = rows.select(
        pl.col("name").alias("Đơn vị"),
        pl.col("score").alias("Điểm"),
        pl.col("band_name").alias("Xếp loại"),
    )
    chart = (
        alt.Chart(_inline(data.to_dicts()), title=f"Phân bố điểm năm {period}")
        .mark_bar()
        .encode(
            x=alt.X("Điểm:Q", bin=alt.Bin(maxbins=bins), title="Điểm"),
            y=alt.Y("count():Q", title="Số đơn vị", axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color(
                "Xếp loại:N",
                scale=_band_scale(result, frameworks, rows["group"].unique().sort().to_list()),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[alt.Tooltip("count():Q", title="Số đơn vị"), "Xếp loại:N"],
        )
        .properties(height=240)
    )
    return _finish(chart)


def _pillar_names(result: ScoreResult, frameworks: FrameworksArg, group: str) -> dict[str, str]:
    fw = group_infos(result, frameworks)[group].framework
    return {p.code: p.name.vi for p in fw.tree} if fw else {}


def group_pillar_averages(
    result: ScoreResult, period: str | None = None, *, frameworks: FrameworksArg = None
) -> Spec:
    """Per pillar, each group's average score as a percentage of the pillar's maximum."""
    period = resolve_period(result, period)
    infos = group_infos(result, frameworks)
    frame = pillar_percent(result, period)
    rows = []
    for code, info in infos.items():
        names = _pillar_names(result, frameworks, code)
        means = (
            frame.filter(pl.col("group") == code)
            .group_by("pillar", maintain_order=True)
            .agg(pl.col("percent").mean())
        )
        for pillar, percent in means.iter_rows():
            if percent is not None:
                rows.append(
                    {
                        "Trụ cột": names.get(pillar, pillar),
                        "Nhóm": info.name,
                        "Tỷ lệ điểm (%)": round(float(percent), 2),
                    }
                )
    if not rows:
        raise DataError(Problem(f"no pillar results for period {period}", column="period"))
    chart = (
        alt.Chart(_inline(rows), title=f"Điểm trung bình theo trụ cột năm {period}")
        .mark_bar()
        .encode(
            y=alt.Y("Trụ cột:N", sort=None, title=None, axis=alt.Axis(labelLimit=200)),
            yOffset=alt.YOffset("Nhóm:N", sort=None),
            x=alt.X(
                "Tỷ lệ điểm (%):Q",
                title="% điểm tối đa của trụ cột",
                scale=alt.Scale(domain=[0, 100]),
            ),
            color=alt.Color("Nhóm:N", sort=None, legend=alt.Legend(orient="bottom")),
            tooltip=["Trụ cột:N", "Nhóm:N", alt.Tooltip("Tỷ lệ điểm (%):Q", format=",.1f")],
        )
    )
    return _finish(chart)


def pillar_profile_rows(
    result: ScoreResult,
    unit: str,
    period: str | None = None,
    *,
    frameworks: FrameworksArg = None,
) -> list[dict[str, Any]]:
    """Per pillar: the unit's, the group average's and the group leader's percent of the max."""
    period = resolve_period(result, period)
    units = period_units(result, period)
    match = units.filter(pl.col("unit").cast(pl.String) == unit)
    if match.is_empty():
        raise DataError(Problem(f"unit {unit!r} has no result for period {period}", column="unit"))
    me = match.row(0, named=True)
    group_rows = units.filter(pl.col("group") == me["group"])
    leader = group_rows.row(0, named=True)  # sorted by rank, then name
    frame = pillar_percent(result, period).filter(pl.col("group") == me["group"])
    names = _pillar_names(result, frameworks, me["group"])
    mean = frame.group_by("pillar", maintain_order=True).agg(pl.col("percent").mean())
    series = [
        (me["name"], frame.filter(pl.col("unit") == str(me["unit"]))),
        ("Trung bình nhóm", mean),
        (f"Dẫn đầu: {leader['name']}", frame.filter(pl.col("unit") == str(leader["unit"]))),
    ]
    rows: list[dict[str, Any]] = []
    for label, part in series:
        for pillar, percent in part.select("pillar", "percent").iter_rows():
            rows.append(
                {
                    "Trụ cột": names.get(pillar, pillar),
                    "Chuỗi": label,
                    "Tỷ lệ điểm (%)": None if percent is None else round(float(percent), 2),
                }
            )
    return rows


def pillar_profile(
    result: ScoreResult,
    unit: str,
    period: str | None = None,
    *,
    frameworks: FrameworksArg = None,
) -> Spec:
    """A unit's pillar scores (percent of each pillar's max) against its group's average and
    leader — a grouped bar chart standing in for a radar chart (Vega-Lite has none)."""
    period = resolve_period(result, period)
    rows = pillar_profile_rows(result, unit, period, frameworks=frameworks)
    labels = list(dict.fromkeys(r["Chuỗi"] for r in rows))
    chart = (
        alt.Chart(_inline(rows), title=f"Điểm theo trụ cột năm {period}")
        .mark_bar()
        .encode(
            y=alt.Y("Trụ cột:N", sort=None, title=None, axis=alt.Axis(labelLimit=200)),
            yOffset=alt.YOffset("Chuỗi:N", sort=labels),
            x=alt.X(
                "Tỷ lệ điểm (%):Q",
                title="% điểm tối đa của trụ cột",
                scale=alt.Scale(domain=[0, 100]),
            ),
            color=alt.Color(
                "Chuỗi:N",
                sort=labels,
                scale=alt.Scale(domain=labels, range=list(SERIES_COLOURS[: len(labels)])),
                legend=alt.Legend(orient="bottom", title=None, direction="vertical"),
            ),
            tooltip=["Trụ cột:N", "Chuỗi:N", alt.Tooltip("Tỷ lệ điểm (%):Q", format=",.1f")],
        )
    )
    return _finish(chart)


def unit_trend_rows(result: ScoreResult, unit: str) -> list[dict[str, Any]]:
    """The unit's score per period (with the previous period's score the engine attached to the
    earliest one) and its group's average per period."""
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
        {"Năm": p, "Chuỗi": name, "Điểm": s} for p, s in sorted(points.items())
    ]
    means = (
        result.units.filter(pl.col("group") == group)
        .group_by(pl.col("period").cast(pl.String))
        .agg(pl.col("score").mean())
        .sort("period")
    )
    out += [
        {"Năm": p, "Chuỗi": "Trung bình nhóm", "Điểm": round(float(m), 2)}
        for p, m in means.iter_rows()
    ]
    return out


def unit_trend(result: ScoreResult, unit: str) -> Spec:
    """A unit's score over the years, with its group's average."""
    rows = unit_trend_rows(result, unit)
    labels = list(dict.fromkeys(r["Chuỗi"] for r in rows))
    chart = (
        alt.Chart(_inline(rows), title="Điểm qua các năm")
        .mark_line(point=True)
        .encode(
            x=alt.X("Năm:O", title="Năm", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("Điểm:Q", title="Điểm", scale=alt.Scale(zero=False)),
            color=alt.Color(
                "Chuỗi:N",
                sort=labels,
                scale=alt.Scale(domain=labels, range=list(SERIES_COLOURS[: len(labels)])),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            tooltip=["Năm:O", "Chuỗi:N", alt.Tooltip("Điểm:Q", format=SCORE_FORMAT)],
        )
        .properties(height=220)
    )
    return _finish(chart)


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
    fixed["autosize"] = {"type": "fit-x", "contains": "padding"}
    version = _vl_version(fixed)
    if fmt == "png":
        return bytes(vlc.vegalite_to_png(fixed, vl_version=version, scale=scale))
    if fmt == "svg":
        return str(vlc.vegalite_to_svg(fixed, vl_version=version)).encode("utf-8")
    raise ValueError(f"unsupported format {fmt!r} (use 'png' or 'svg')")
