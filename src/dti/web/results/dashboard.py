"""The leader's dashboard of a period: where the cycle stands and what its results say, as
charts whose bars link to the rows behind them.

Read from the stored assessments (statuses, deadlines, the counted scores and pillars) — the
period may be in progress, so nothing here waits for publication; the scores are those every
staff page shows (the verifier's where verification has ended, the unit's own before).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dti.reports.dashboard_charts import (
    Count,
    Measure,
    band_colours,
    grouped_percent,
    ranked_bars,
    stacked_counts,
)
from dti.web.assessments.models import Assessment, Period, Status
from dti.web.assessments.selectors import LATE, STEP_CODES, progress_step
from dti.web.assessments.workflow import VERIFIED_SIDE
from dti.web.frameworks.selectors import framework_parsed

# How many units the leaders-and-laggards and the adjustments charts show.
LEADERS = 5
ADJUSTED = 10


def _step_labels() -> dict[str, str]:
    return {
        LATE: _("Late (not submitted, deadline passed)"),
        "draft": _("Not yet submitted"),
        "submitted": _("Submitted"),
        "under_verification": _("Under verification"),
        "verified": _("Verified"),
    }


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    spec: dict[str, Any]


def counted_score(a: Assessment) -> float | None:
    return (
        a.verified_score
        if a.status in VERIFIED_SIDE and a.verified_score is not None
        else (a.self_score)
    )


def counted_band(a: Assessment) -> str:
    return a.verified_band if a.status in VERIFIED_SIDE and a.verified_band else a.self_band


def _detail(period: Period, **query: str) -> str:
    return f"{reverse('period_detail', args=[period.pk])}?{urlencode(query)}"


def _progress(period: Period, members: list[Assessment], now: dt.datetime, language: str) -> Chart:
    labels = _step_labels()
    counts: Counter[tuple[str, str]] = Counter()
    groups: dict[str, str] = {}
    for a in members:
        groups[a.unit.group.code] = a.unit.group.name
        counts[a.unit.group.code, progress_step(a, now)] += 1
    order = list(STEP_CODES)
    rows = [
        Count(
            groups[group],
            labels[step],
            n,
            _detail(period, group=group, step=step),
        )
        for (group, step), n in sorted(counts.items(), key=lambda kv: order.index(kv[0][1]))
    ]
    title = _("Progress by group")
    spec = stacked_counts(
        rows,
        title="",  # (the page heads each chart with its title)
        category=_("Group"),
        series=_("Status"),
        count=_("Units"),
        order=[labels[s] for s in order],
        colours=["#d73027", "#bdbdbd", "#fdae61", "#abd9e9", "#1a9850"],
        language=language,
    )
    return Chart("progress", title, spec)


def _bands(period: Period, members: list[Assessment], language: str) -> Chart | None:
    bands: list[str] = []
    for pf in period.frameworks.select_related("framework"):
        for level in framework_parsed(pf.framework).bands:
            name = level.name.get(language)
            if name not in bands:
                bands.append(name)
    counts: Counter[tuple[str, str]] = Counter()
    groups: dict[str, str] = {}
    by_name = _band_names(period, language)
    for a in members:
        band = counted_band(a)
        if counted_score(a) is None or not band:
            continue
        groups[a.unit.group.code] = a.unit.group.name
        counts[a.unit.group.code, by_name.get(band, band)] += 1
    if not counts:
        return None
    rows = [
        Count(groups[g], band, n, _detail(period, group=g))
        for (g, band), n in sorted(
            counts.items(), key=lambda kv: bands.index(kv[0][1]) if kv[0][1] in bands else 99
        )
    ]
    title = _("Units by band")
    spec = stacked_counts(
        rows,
        title="",  # (the page heads each chart with its title)
        category=_("Group"),
        series=_("Band"),
        count=_("Units"),
        order=bands,
        colours=band_colours(len(bands)),
        language=language,
    )
    return Chart("bands", title, spec)


def _band_names(period: Period, language: str) -> dict[str, str]:
    """The stored (Vietnamese) band name → its name in the page's language."""
    out: dict[str, str] = {}
    for pf in period.frameworks.select_related("framework"):
        for band in framework_parsed(pf.framework).bands:
            out[band.name.vi] = band.name.get(language)
    return out


def _previous_period(period: Period) -> Period | None:
    return (
        Period.objects.filter(province=period.province, year__lt=period.year)
        .order_by("-year")
        .first()
    )


def _pillar_percents(members: list[Assessment]) -> dict[tuple[str, str], list[float]]:
    """(framework code, pillar code) → each unit's counted percent of the pillar's maximum."""
    out: dict[tuple[str, str], list[float]] = {}
    for a in members:
        if counted_score(a) is None:
            continue
        for p in a.pillars or []:
            points = p.get("verified") if a.status in VERIFIED_SIDE else None
            points = p.get("points") if points is None else points
            if points is None or not p.get("max"):
                continue
            key = (a.framework.code, str(p["pillar"]))
            out.setdefault(key, []).append(100.0 * float(points) / float(p["max"]))
    return out


def _pillars(period: Period, members: list[Assessment], language: str) -> list[Chart]:
    """Per framework, each pillar's average (percent of its maximum) this year and last."""
    previous = _previous_period(period)
    before = (
        _pillar_percents(
            list(previous.assessments.select_related("framework").exclude(status=Status.DRAFT))
        )
        if previous is not None
        else {}
    )
    now = _pillar_percents(members)
    charts = []
    frameworks = {
        pf.framework.code: pf.framework for pf in period.frameworks.select_related("framework")
    }
    this_year, last_year = str(period.year), str(previous.year) if previous else ""
    for code, version in frameworks.items():
        framework = framework_parsed(version)
        rows: list[Measure] = []
        for pillar in framework.tree:
            for series, source in ((this_year, now), (last_year, before)):
                values = source.get((code, pillar.code))
                if series and values:
                    rows.append(
                        Measure(pillar.name.get(language), series, sum(values) / len(values))
                    )
        if not rows:
            continue
        title = _("Pillar averages against last year — %(framework)s") % {
            "framework": framework.name.get(language)
        }
        spec = grouped_percent(
            rows,
            title="",  # (the page heads each chart with its title)
            label=_("Pillar"),
            series=_("Year"),
            value=_("Average (%)"),
            axis_title=_("% of the pillar's maximum"),
            order=[s for s in (this_year, last_year) if s],
            language=language,
        )
        charts.append(Chart(f"pillars-{code}", title, spec))
    return charts


def _assessment(a: Assessment) -> str:
    return reverse("assessment_detail", args=[a.pk])


def _leaders(members: list[Assessment], language: str) -> list[Chart]:
    """Per group, its leaders and its last units by counted score."""
    charts = []
    by_group: dict[str, list[Assessment]] = {}
    for a in members:
        if counted_score(a) is not None:
            by_group.setdefault(a.unit.group.code, []).append(a)
    leader, laggard = _("Leading"), _("Last")
    for code, units in by_group.items():
        ranked = sorted(units, key=lambda a: (-(counted_score(a) or 0.0), a.unit.name))
        top = ranked[:LEADERS]
        bottom = [a for a in ranked[-LEADERS:] if a not in top]
        rows = [
            Measure(a.unit.name, series, counted_score(a), _assessment(a))
            for series, part in ((leader, top), (laggard, bottom))
            for a in part
        ]
        title = _("Leaders and last units — %(group)s") % {"group": units[0].unit.group.name}
        spec = ranked_bars(
            rows,
            title="",  # (the page heads each chart with its title)
            label=_("Unit"),
            series=_("Position"),
            value=_("Score"),
            order=[leader, laggard],
            language=language,
        )
        charts.append(Chart(f"leaders-{code}", title, spec))
    return charts


def _adjustments(members: list[Assessment], language: str) -> Chart | None:
    """The units whose verified score moved furthest from their own."""
    moved = [
        a
        for a in members
        if a.status in VERIFIED_SIDE
        and a.verified_score is not None
        and a.self_score is not None
        and a.verified_score != a.self_score
    ]
    if not moved:
        return None
    moved.sort(key=lambda a: (-abs((a.verified_score or 0) - (a.self_score or 0)), a.unit.name))
    raised, lowered = _("Raised by verification"), _("Lowered by verification")
    rows = [
        Measure(
            a.unit.name,
            raised if (a.verified_score or 0) > (a.self_score or 0) else lowered,
            round((a.verified_score or 0) - (a.self_score or 0), 2),
            _assessment(a),
        )
        for a in moved[:ADJUSTED]
    ]
    title = _("Largest adjustments by the verifiers")
    spec = ranked_bars(
        rows,
        signed=True,
        title="",  # (the page heads each chart with its title)
        label=_("Unit"),
        series=_("Adjustment"),
        value=_("Verified less declared"),
        order=[raised, lowered],
        language=language,
    )
    return Chart("adjustments", title, spec)


def dashboard_charts(period: Period, language: str) -> list[Chart]:
    members = list(
        period.assessments.select_related("unit__group", "framework", "period").order_by(
            "unit__group__order", "unit__name"
        )
    )
    if not members:
        return []
    now = timezone.now()
    charts: list[Chart | None] = [
        _progress(period, members, now, language),
        _bands(period, members, language),
        *_pillars(period, members, language),
        *_leaders(members, language),
        _adjustments(members, language),
    ]
    return [c for c in charts if c is not None]
