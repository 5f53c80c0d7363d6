"""Documents room of the results app: charts, the scorecard PDF and the decision appendix.

These render scored periods (:mod:`.scoring`) into bytes — SVG and PNG charts, PDF and XLSX
files — rather than read anything new; charts of published results are cached with them.
"""

from __future__ import annotations

from typing import Any, Literal

import polars as pl
from django.utils import translation
from django.utils.translation import gettext as _

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
from dti.reports.scorecard import ExplainLine, Scorecard, scorecard_pdf
from dti.web.assessments.models import Period, Status
from dti.web.assessments.workflow import FROZEN
from dti.web.results.coverage import GroupCoverage
from dti.web.results.models import Decision
from dti.web.results.scoring import PeriodScores, cached, published_history, raw_scores

# What the appendix shows admin and leader before publication: approved results, frozen until
# an audited reopening, so the decision is signed on figures that cannot move under it.
APPENDIX_PREVIEW = FROZEN

ChartFormat = Literal["png", "svg"]


# -- the provisional mark ---------------------------------------------------------------------


def provisional_lines(groups: list[GroupCoverage], language: str = "vi") -> tuple[str, ...]:
    """What every document of a provisional publication prints: which groups are shown in
    part, how many of their units, and which are still missing (the documents are Vietnamese
    unless ``language`` says otherwise)."""
    if not groups:
        return ()
    with translation.override(language):
        head = _("PROVISIONAL RESULTS: not every unit of the group has been published yet.")
        return (
            head,
            *(
                _("%(group)s: %(shown)s of %(total)s units; still missing: %(missing)s.")
                % {
                    "group": g.name,
                    "shown": g.shown,
                    "total": g.total,
                    "missing": "; ".join(g.missing),
                }
                for g in groups
            ),
        )


def _chart_provisional(scores: PeriodScores, name: str) -> list[GroupCoverage]:
    if name == "pillars":
        return scores.provisional
    group = name.split("-", 1)[1]
    return [c for c in scores.provisional if c.code == group]


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


def _marked(
    spec: dict[str, Any], provisional: list[GroupCoverage], language: str = "vi"
) -> dict[str, Any]:
    """The chart's title with the provisional mark as its subtitle."""
    if not provisional:
        return spec
    title = spec.get("title", "")
    text = title.get("text", "") if isinstance(title, dict) else title
    with translation.override(language):
        subtitle = _("PROVISIONAL — %(groups)s published in part") % {
            "groups": ", ".join(c.name for c in provisional)
        }
    return {**spec, "title": {"text": text, "subtitle": subtitle, "subtitleColor": "#9c2b00"}}


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
        lambda: render(
            _marked(chart_spec(scores, name, language), _chart_provisional(scores, name), language),
            fmt,
            width=width,
        ),
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


def unit_pdf(
    scores: PeriodScores,
    unit: str,
    card: Scorecard | None = None,
    explain: tuple[tuple[ExplainLine, ...], tuple[str, ...]] = ((), ()),
) -> bytes:
    """The scorecard PDF (``card``: the web's, whose group size counts the whole group;
    ``explain``: each indicator's arithmetic and the steps to the band, in Vietnamese)."""
    assert scores.result is not None
    group = card.group if card is not None else None
    return scorecard_pdf(
        scores.result,
        unit,
        scores.period,
        frameworks=scores.frameworks,
        adjustments=scores.adjustments,
        card=card,
        notice=provisional_lines([c for c in scores.provisional if c.code == group]),
        explain=explain[0],
        explain_steps=explain[1],
    )


# -- the decision appendix --------------------------------------------------------------------


def decision_header(
    period: Period, provisional: list[GroupCoverage] | None = None
) -> DecisionHeader:
    decision = Decision.objects.filter(period=period).first()
    notice = provisional_lines(provisional or [])
    if decision is None:
        return DecisionHeader(notice=notice)
    return DecisionHeader(
        issuer=decision.issuer,
        number=decision.number,
        date=decision.date,
        title=decision.title,
        signer=decision.signer,
        notice=notice,
    )


def appendix(period: Period, statuses: frozenset[Status], fmt: Literal["xlsx", "pdf"]) -> bytes:
    """The appendix of the decision; the header is read fresh (it is not part of the cache)."""
    scores = raw_scores(period, statuses)
    if scores.result is None:
        raise KeyError(period.code)
    header = decision_header(period, scores.provisional)
    build = appendix_xlsx if fmt == "xlsx" else appendix_pdf
    return build(scores.result, scores.period, header, frameworks=scores.frameworks)
