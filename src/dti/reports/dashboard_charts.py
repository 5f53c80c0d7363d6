"""The leader's dashboard charts, as Vega-Lite specs built from plain rows.

The dashboard follows a period still in progress (statuses, lateness, adjustments), which no
:class:`~dti.engine.ScoreResult` holds, so these charts take rows the web assembles; the
caller passes the words in the page's language (field names are shown in tooltips) and a
title (empty: the page heads the chart itself). Counts
get integer ticks (:func:`~dti.reports.charts.count_ticks`), every series is in the legend
even without a bar, and a bar with an ``href`` is a link to the rows behind it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt

from dti.reports.charts import (
    BAND_COLOURS,
    SERIES_COLOURS,
    Language,
    Spec,
    _band_colours,
    _finish,
    _inline,
    _series_colours,
    _value_axis,
    count_ticks,
)

__all__ = [
    "Count",
    "Measure",
    "band_colours",
    "grouped_percent",
    "ranked_bars",
    "stacked_counts",
]


@dataclass(frozen=True)
class Count:
    """How many units of ``category`` (a group) are in ``series`` (a status, a band)."""

    category: str
    series: str
    count: int
    href: str | None = None


@dataclass(frozen=True)
class Measure:
    """A value of ``label`` (a unit, a pillar) in ``series`` (this year, last year, …)."""

    label: str
    series: str
    value: float | None
    href: str | None = None


def _records(rows: Sequence[Any], fields: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        record = {name: getattr(row, attr) for attr, name in fields.items()}
        if row.href:
            record["href"] = row.href
        out.append(record)
    return out


def _href(rows: Sequence[Any]) -> dict[str, Any]:
    if not any(row.href for row in rows):
        return {}
    # (a bar without rows behind it gets no link rather than a link to "undefined")
    return {"href": alt.condition("isValid(datum.href)", alt.Href("href:N"), alt.value(None))}


def stacked_counts(
    rows: Sequence[Count],
    *,
    title: str,
    category: str,
    series: str,
    count: str,
    order: Sequence[str],
    colours: Sequence[str] | None = None,
    language: Language = "vi",
) -> Spec:
    """Per category a bar of its units, stacked by series in ``order`` (every one of them in
    the legend, even one no unit is in), on an axis of integer ticks."""
    totals: dict[str, int] = {}
    for row in rows:
        totals[row.category] = totals.get(row.category, 0) + row.count
    ticks = count_ticks(max(totals.values(), default=1))
    palette = list(colours) if colours else _series_colours(len(order))
    chart = alt.Chart(
        _inline(_records(rows, {"category": category, "series": series, "count": count})),
        title=title or alt.Undefined,
    ).mark_bar()
    chart = chart.encode(
        y=alt.Y(
            f"{category}:N",
            sort=list(dict.fromkeys(r.category for r in rows)),
            title=None,
            axis=alt.Axis(labelLimit=200),
        ),
        x=alt.X(
            f"sum({count}):Q",
            title=count,
            scale=alt.Scale(domain=[0, ticks[-1]]),
            axis=alt.Axis(values=ticks, format="d"),
        ),
        color=alt.Color(
            f"{series}:N",
            sort=list(order),
            scale=alt.Scale(domain=list(order), range=palette[: len(order)]),
            legend=alt.Legend(orient="bottom", title=series, direction="vertical"),
        ),
        tooltip=[f"{category}:N", f"{series}:N", alt.Tooltip(f"sum({count}):Q", title=count)],
        **_href(rows),
    )
    return _finish(chart.properties(height=alt.Step(26)), language)


def band_colours(n: int) -> list[str]:
    """Best band first: green → red, as on the results pages."""
    return _band_colours(n)


def grouped_percent(
    rows: Sequence[Measure],
    *,
    title: str,
    label: str,
    series: str,
    value: str,
    axis_title: str,
    order: Sequence[str],
    language: Language = "vi",
) -> Spec:
    """Per label (a pillar) one bar per series (this year, last year), as percentages."""
    chart = alt.Chart(
        _inline(_records(rows, {"label": label, "series": series, "value": value})),
        title=title or alt.Undefined,
    ).mark_bar()
    chart = chart.encode(
        y=alt.Y(f"{label}:N", sort=None, title=None, axis=alt.Axis(labelLimit=200)),
        yOffset=alt.YOffset(f"{series}:N", sort=list(order)),
        x=alt.X(f"{value}:Q", axis=_value_axis(axis_title), scale=alt.Scale(domain=[0, 100])),
        color=alt.Color(
            f"{series}:N",
            sort=list(order),
            scale=alt.Scale(domain=list(order), range=list(SERIES_COLOURS[: len(order)])),
            legend=alt.Legend(orient="bottom", title=None),
        ),
        tooltip=[f"{label}:N", f"{series}:N", alt.Tooltip(f"{value}:Q", format=",.1f")],
        **_href(rows),
    )
    return _finish(chart, language)


def ranked_bars(
    rows: Sequence[Measure],
    *,
    title: str,
    label: str,
    series: str,
    value: str,
    order: Sequence[str],
    signed: bool = False,
    language: Language = "vi",
) -> Spec:
    """Units as bars in the given order, coloured by ``series`` (leaders and last units;
    ``signed``: values around zero, as the verifier's score less the unit's)."""
    number, tip = ("+,~f", "+,.2~f") if signed else (",~f", ",.2~f")
    chart = alt.Chart(
        _inline(_records(rows, {"label": label, "series": series, "value": value})),
        title=title or alt.Undefined,
    ).mark_bar()
    chart = chart.encode(
        y=alt.Y(f"{label}:N", sort=None, title=None, axis=alt.Axis(labelLimit=220)),
        x=alt.X(f"{value}:Q", axis=_value_axis(value, format=number)),
        color=alt.Color(
            f"{series}:N",
            sort=list(order),
            scale=alt.Scale(domain=list(order), range=[BAND_COLOURS[0], BAND_COLOURS[-1]]),
            legend=alt.Legend(orient="bottom", title=None),
        ),
        tooltip=[
            f"{label}:N",
            f"{series}:N",
            alt.Tooltip(f"{value}:Q", format=tip),
        ],
        **_href(rows),
    )
    return _finish(chart.properties(height=alt.Step(20)), language)
