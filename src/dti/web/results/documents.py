"""Documents room of the results app: charts, the scorecard PDF and the decision appendix.

These render scored periods (:mod:`.scoring`) into bytes — SVG and PNG charts, PDF and XLSX
files — rather than read anything new; charts of published results are cached with them.
"""

from __future__ import annotations

from typing import Any, Literal

import polars as pl

from dti.reports import DecisionHeader, appendix_pdf, appendix_xlsx, render
from dti.reports.charts import (
    NARROW_WIDTH,
    PNG_WIDTH,
    bar_totals,
    group_pillar_averages,
    pillar_frameworks,
    pillar_profile,
    score_histogram,
    unit_trend,
)
from dti.reports.scorecard import scorecard_pdf
from dti.web.assessments.models import Period, Status
from dti.web.assessments.workflow import FROZEN
from dti.web.results.models import Decision
from dti.web.results.scoring import PeriodScores, cached, published_history, raw_scores

# What the appendix shows admin and leader before publication: approved results, frozen until
# an audited reopening, so the decision is signed on figures that cannot move under it.
APPENDIX_PREVIEW = FROZEN

ChartFormat = Literal["png", "svg"]


# -- charts -----------------------------------------------------------------------------------


def chart_names(scores: PeriodScores) -> list[str]:
    """The period's charts: per group its totals and its distribution, and per framework its
    pillars (groups on different frameworks have different pillars: never one chart)."""
    names = []
    for g in scores.groups:
        names += [f"totals-{g.code}", f"distribution-{g.code}"]
    if scores.result is None or not scores.groups:
        return names
    return [
        *names,
        *(f"pillars-{fw}" for fw in pillar_frameworks(scores.result, scores.frameworks)),
    ]


def chart_spec(scores: PeriodScores, name: str, language: str = "vi") -> dict[str, Any]:
    if scores.result is None or name not in chart_names(scores):
        raise KeyError(name)
    frameworks = scores.frameworks
    kind, key = name.split("-", 1)
    if kind == "pillars":
        return group_pillar_averages(
            scores.result, scores.period, frameworks=frameworks, framework=key, language=language
        )
    build = bar_totals if kind == "totals" else score_histogram
    return build(scores.result, scores.period, key, frameworks=frameworks, language=language)


def chart(
    period: Period,
    scores: PeriodScores,
    name: str,
    fmt: ChartFormat,
    *,
    language: str = "vi",
    width: int = PNG_WIDTH,
) -> bytes:
    """A chart of the period rendered on the server (cached with the results)."""
    return cached(
        f"chart:{name}:{fmt}:{language}:{width}",
        [period],
        scores.statuses,
        lambda: render(chart_spec(scores, name, language), fmt, width=width),
    )


def page_charts(
    period: Period, scores: PeriodScores, names: list[str], language: str
) -> dict[str, dict[str, str]]:
    """Each chart as inline SVG drawn twice — for a desktop and for a phone; the page shows
    the one that fits (a wide drawing shrunk to a phone's width has unreadable text)."""
    return {
        name: {
            "wide": inline_svg(chart(period, scores, name, "svg", language=language)),
            "narrow": inline_svg(
                chart(period, scores, name, "svg", language=language, width=NARROW_WIDTH)
            ),
        }
        for name in names
    }


def inline_svg(svg: bytes) -> str:
    """The SVG for embedding in the page: no XML prolog, scaled by CSS (viewBox kept)."""
    text = svg.decode("utf-8")
    if text.startswith("<?xml"):
        text = text.split("?>", 1)[1]
    return text.strip()


# -- the unit scorecard -----------------------------------------------------------------------


def _both_widths(spec: dict[str, Any]) -> dict[str, str]:
    return {
        "wide": inline_svg(render(spec, "svg")),
        "narrow": inline_svg(render(spec, "svg", width=NARROW_WIDTH)),
    }


def unit_charts(
    period: Period, scores: PeriodScores, unit: str, language: str = "vi"
) -> dict[str, dict[str, str]]:
    """The pillar profile and the trend as inline SVG, each drawn for a desktop and a phone."""
    assert scores.result is not None

    def build() -> dict[str, dict[str, str]]:
        assert scores.result is not None
        profile = pillar_profile(
            scores.result, unit, scores.period, frameworks=scores.frameworks, language=language
        )
        out = {"profile": _both_widths(profile)}
        history = [result.units for _, result in published_history(period, through=False)]
        combined = scores.result.with_units(
            pl.concat([*history, scores.result.units], how="diagonal_relaxed")
        )
        if combined.units.filter(pl.col("unit") == unit)["period"].n_unique() > 1:
            out["trend"] = _both_widths(unit_trend(combined, unit, language=language))
        return out

    return cached(f"unit-charts:{unit}:{language}", [period], scores.statuses, build)


def unit_pdf(scores: PeriodScores, unit: str) -> bytes:
    assert scores.result is not None
    return scorecard_pdf(
        scores.result,
        unit,
        scores.period,
        frameworks=scores.frameworks,
        adjustments=scores.adjustments,
    )


# -- the decision appendix --------------------------------------------------------------------


def decision_header(period: Period) -> DecisionHeader:
    decision = Decision.objects.filter(period=period).first()
    if decision is None:
        return DecisionHeader()
    return DecisionHeader(
        issuer=decision.issuer, number=decision.number, date=decision.date, title=decision.title
    )


def appendix(period: Period, statuses: frozenset[Status], fmt: Literal["xlsx", "pdf"]) -> bytes:
    """The appendix of the decision; the header is read fresh (it is not part of the cache)."""
    scores = raw_scores(period, statuses)
    if scores.result is None:
        raise KeyError(period.code)
    header = decision_header(period)
    build = appendix_xlsx if fmt == "xlsx" else appendix_pdf
    return build(scores.result, scores.period, header, frameworks=scores.frameworks)
