"""Documents room of the results app: charts, the scorecard PDF and the decision appendix.

These render scored periods (:mod:`.scoring`) into bytes — SVG and PNG charts, PDF and XLSX
files — rather than read anything new; charts of published results are cached with them.
"""

from __future__ import annotations

from typing import Any, Literal

import polars as pl

from dti.reports import DecisionHeader, appendix_pdf, appendix_xlsx, render
from dti.reports.charts import (
    bar_totals,
    group_pillar_averages,
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
    names = []
    for g in scores.groups:
        names += [f"totals-{g.code}", f"distribution-{g.code}"]
    return [*names, "pillars"] if scores.groups else []


def chart_spec(scores: PeriodScores, name: str) -> dict[str, Any]:
    if scores.result is None or name not in chart_names(scores):
        raise KeyError(name)
    frameworks = scores.frameworks
    if name == "pillars":
        return group_pillar_averages(scores.result, scores.period, frameworks=frameworks)
    kind, group = name.split("-", 1)
    build = bar_totals if kind == "totals" else score_histogram
    return build(scores.result, scores.period, group, frameworks=frameworks)


def chart(period: Period, scores: PeriodScores, name: str, fmt: ChartFormat) -> bytes:
    """A chart of the period rendered on the server (cached with the results)."""
    return cached(
        f"chart:{name}:{fmt}",
        [period],
        scores.statuses,
        lambda: render(chart_spec(scores, name), fmt),
    )


def inline_svg(svg: bytes) -> str:
    """The SVG for embedding in the page: no XML prolog, scaled by CSS (viewBox kept)."""
    text = svg.decode("utf-8")
    if text.startswith("<?xml"):
        text = text.split("?>", 1)[1]
    return text.strip()


# -- the unit scorecard -----------------------------------------------------------------------


def unit_charts(period: Period, scores: PeriodScores, unit: str) -> dict[str, str]:
    """The pillar profile and the trend as inline SVG."""
    assert scores.result is not None

    def build() -> dict[str, str]:
        assert scores.result is not None
        profile = pillar_profile(scores.result, unit, scores.period, frameworks=scores.frameworks)
        out = {"profile": inline_svg(render(profile, "svg"))}
        history = [result.units for _, result in published_history(period, through=False)]
        combined = scores.result.with_units(
            pl.concat([*history, scores.result.units], how="diagonal_relaxed")
        )
        if combined.units.filter(pl.col("unit") == unit)["period"].n_unique() > 1:
            out["trend"] = inline_svg(render(unit_trend(combined, unit), "svg"))
        return out

    return cached(f"unit-charts:{unit}", [period], scores.statuses, build)


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
