"""The trend charts over a period's snapshots, drawn on the server as SVG (two widths)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext as _

from dti.reports.charts import NARROW_WIDTH, snapshot_trend
from dti.reports.charts import render as render_chart
from dti.web.assessments.models import Assessment
from dti.web.results.documents import inline_svg
from dti.web.snapshots import selectors

__all__ = ["trend_charts"]

CHART_SECONDS = 3600


def _svg_both(key: str, build: Callable[[], dict[str, Any]]) -> dict[str, str]:
    def draw() -> dict[str, str]:
        spec = build()
        return {
            "wide": inline_svg(render_chart(spec, "svg")),
            "narrow": inline_svg(render_chart(spec, "svg", width=NARROW_WIDTH)),
        }

    drawn = cache.get(key)
    if drawn is None:
        drawn = draw()
        cache.set(key, drawn, CHART_SECONDS)
    return dict(drawn)


def trend_charts(
    assessment: Assessment, indicator: str | None, language: str
) -> dict[str, dict[str, str]]:
    """The unit's score trend and (``indicator``) one indicator's, as inline SVG for a desktop
    and a phone; cached until the next snapshot of the period."""
    period, unit = assessment.period, assessment.unit
    latest = period.snapshots.order_by("-as_of").values_list("pk", flat=True).first()
    if latest is None:
        return {}
    mean = _("Group average")
    score_points = selectors.unit_trend(period, unit, mean_label=mean)
    out = {}
    if score_points:
        out["score"] = _svg_both(
            f"snapshot-trend:{latest}:{unit.pk}:{language}",
            lambda: snapshot_trend(score_points, language=language),
        )
    if indicator:
        points = selectors.indicator_trend(period, unit, indicator)
        if points:
            out["indicator"] = _svg_both(
                f"snapshot-trend:{latest}:{unit.pk}:{indicator}:{language}",
                lambda: snapshot_trend(points, indicator=indicator, language=language),
            )
    return out
