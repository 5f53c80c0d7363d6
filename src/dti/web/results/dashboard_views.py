"""The leader's dashboard page: the period's charts, each drawn for a desktop and a phone."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from dti.reports.charts import NARROW_WIDTH
from dti.reports.charts import render as render_chart
from dti.web.accounts.policy import STAFF, visible_periods
from dti.web.assessments.models import Period
from dti.web.results.dashboard import dashboard_charts
from dti.web.results.documents import inline_svg
from dti.web.views_common import role_required

# A drawing is kept by what it draws (the spec's digest): the dashboard follows a period in
# progress, so its data changes with every save, but most saves move no chart.
DRAWING_SECONDS = 24 * 3600


def _drawn(spec: dict[str, Any], width: int | None) -> str:
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()
    key = f"dti:dashboard-svg:{digest}:{width or 'wide'}"
    svg: str | None = cache.get(key)
    if svg is None:
        data = (
            render_chart(spec, "svg") if width is None else render_chart(spec, "svg", width=width)
        )
        svg = inline_svg(data)
        cache.set(key, svg, DRAWING_SECONDS)
    return svg


@role_required(*STAFF)
def period_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    # (another province's period is not found, as everywhere)
    periods = visible_periods(request.user, Period.objects.all())
    period = get_object_or_404(periods, pk=pk)
    charts = [
        {
            "name": chart.name,
            "title": chart.title,
            "wide": _drawn(chart.spec, None),
            "narrow": _drawn(chart.spec, NARROW_WIDTH),
        }
        for chart in dashboard_charts(period, get_language() or "vi")
    ]
    return render(
        request,
        "results/dashboard.html",
        {"period": period, "charts": charts, "periods": periods.exclude(pk=period.pk)},
    )
