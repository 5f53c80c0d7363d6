"""Thin views over :mod:`.selectors`: the public results, scorecards, comparison, downloads.

Every view under ``public/`` is ``@login_not_required`` and answers 404 for a period or unit
with nothing published (unless the viewer's role allows a preview, see accounts.policy).
"""

from __future__ import annotations

from typing import Literal

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from dti.web.accounts.models import Role
from dti.web.accounts.policy import can_preview_appendix, can_preview_results
from dti.web.assessments.models import Period
from dti.web.errors import ServiceError
from dti.web.results import selectors, services
from dti.web.results.forms import DecisionForm
from dti.web.results.page_cache import cached_public_page
from dti.web.views_common import role_required

CONTENT_TYPES = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _download(content: bytes, fmt: str, filename: str, *, public: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    return response


def _int(text: str | None) -> int | None:
    try:
        return int(text or "")
    except ValueError:
        return None


def _province(request: HttpRequest) -> str:
    return request.GET.get("province", "")[:40]


def _published(request: HttpRequest, year: int) -> Period:
    period = selectors.published_period(year, _province(request))
    if period is None:
        raise Http404
    return period


def _any_period(request: HttpRequest, year: int) -> Period:
    """For staff previews: the period of ``year`` (and ``?province=``) whatever its state."""
    qs = Period.objects.filter(year=year).order_by("province__name", "pk")
    if _province(request):
        qs = qs.filter(province__code=_province(request))
    period = qs.first()
    if period is None:
        raise Http404
    return period


@login_not_required
@cached_public_page
def public_index(request: HttpRequest) -> HttpResponse:
    provinces = selectors.public_provinces()
    if len(provinces) == 1:
        periods = selectors.published_periods(provinces[0][0])
        return redirect("public_results", year=periods[0].year)
    listing = [
        (name or code, code, selectors.published_periods(pk)) for pk, code, name in provinces
    ]
    return render(request, "results/index.html", {"provinces": listing})


@login_not_required
@cached_public_page
def public_results(request: HttpRequest, year: int) -> HttpResponse:
    """Published results only; the page open to everyone."""
    period = _published(request, year)
    scores = selectors.period_scores(period)
    tables = selectors.group_tables(scores)
    group = request.GET.get("group", "")
    band = request.GET.get("band", "")
    query = request.GET.get("q", "")[:100]
    shown = selectors.filter_tables(tables, group=group, band=band, query=query)
    charts = {
        name: selectors.inline_svg(selectors.chart(period, scores, name, "svg"))
        for name in selectors.chart_names(scores)
        if name == "pillars" or not group or name.endswith(f"-{group}")
    }
    bands = list(dict.fromkeys(b for t in tables for b in t.info.bands))
    return render(
        request,
        "results/public.html",
        {
            "period": period,
            "periods": selectors.published_periods(period.province_id),
            "pq": f"?province={period.province.code}" if period.province else "",
            "scores": scores,
            "tables": shown,
            "all_tables": tables,
            "bands": bands,
            "filters": {"group": group, "band": band, "q": query},
            "charts": charts,
            "summary": [p for p in selectors.summary_text(scores).split("\n\n") if p],
            "can_appendix": True,
        },
    )


@login_not_required
def chart_download(
    request: HttpRequest, year: int, name: str, fmt: Literal["png", "svg"]
) -> HttpResponse:
    period = _published(request, year)
    scores = selectors.period_scores(period)
    if name not in selectors.chart_names(scores):
        raise Http404
    content = selectors.chart(period, scores, name, fmt)
    return _download(content, fmt, f"dti-{year}-{name}.{fmt}", public=True)


def _card_scores(
    request: HttpRequest, year: int, unit: str
) -> tuple[Period, selectors.PeriodScores]:
    """Published scores with the unit in them, or — for staff — the verified preview."""
    period = selectors.published_period(year, _province(request))
    if period is not None:
        scores = selectors.period_scores(period)
        if unit in scores.assessments:
            return period, scores
    if can_preview_results(request.user):
        period = _any_period(request, year)
        scores = selectors.period_scores(period, selectors.FINAL)
        if unit in scores.assessments:
            return period, scores
    raise Http404


@login_not_required
@cached_public_page
def scorecard(request: HttpRequest, year: int, unit: str) -> HttpResponse:
    period, scores = _card_scores(request, year, unit)
    card = selectors.unit_card(scores, unit, period)
    return render(
        request,
        "results/scorecard.html",
        {
            "period": period,
            "card": card,
            "row": selectors.unit_row(scores, unit),
            "group": scores.group(card.group),
            "charts": selectors.unit_charts(period, scores, unit),
            "preview": scores.statuses != selectors.PUBLISHED,
            "pq": f"?province={period.province.code}" if period.province else "",
            "assessment_id": scores.assessments[unit],
        },
    )


@login_not_required
def scorecard_pdf(request: HttpRequest, year: int, unit: str) -> HttpResponse:
    _, scores = _card_scores(request, year, unit)
    public = scores.statuses == selectors.PUBLISHED
    return _download(
        selectors.unit_pdf(scores, unit), "pdf", f"the-diem-{unit}-{year}.pdf", public=public
    )


@login_not_required
@cached_public_page
def compare(request: HttpRequest) -> HttpResponse:
    chosen = selectors.published_period(_int(request.GET.get("b")) or 0, _province(request))
    if chosen is None:
        provinces = selectors.public_provinces()
        code = _province(request)
        match = [p for p in provinces if p[1] == code] or provinces
        province_id = match[0][0] if match else None
    else:
        province_id = chosen.province_id
    periods = selectors.published_periods(province_id)
    by_year = {p.year: p for p in periods}

    later = by_year.get(_int(request.GET.get("b")) or (periods[0].year if periods else 0))
    earlier = by_year.get(
        _int(request.GET.get("a")) or (periods[1].year if len(periods) > 1 else 0)
    )
    result = None
    groups: list[selectors.GroupInfo] = []
    group = request.GET.get("group", "")
    if later is not None:
        groups = list(selectors.raw_scores(later).groups)
        group = (
            group if any(g.code == group for g in groups) else (groups[0].code if groups else "")
        )
        if earlier is not None and earlier != later and group:
            result = selectors.comparison(earlier, later, group)
    return render(
        request,
        "results/compare.html",
        {
            "periods": periods,
            "earlier": earlier,
            "later": later,
            "groups": groups,
            "group": group,
            "cmp": result,
            "province": province_id and _province(request),
        },
    )


@login_not_required
def appendix_download(request: HttpRequest, year: int, fmt: Literal["xlsx", "pdf"]) -> HttpResponse:
    """Published: anyone. Before publication: admin and leader, on approved results."""
    preview = can_preview_appendix(request.user)
    if preview:
        period = _any_period(request, year)
        statuses = selectors.APPENDIX_PREVIEW
    else:
        period = _published(request, year)
        statuses = selectors.PUBLISHED
    try:
        content = selectors.appendix(period, statuses, fmt)
    except KeyError:
        raise Http404 from None
    return _download(content, fmt, f"phu-luc-xep-hang-{year}.{fmt}", public=not preview)


@role_required(Role.ADMIN)
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(Period, pk=pk)
    header = selectors.decision_header(period)
    form = DecisionForm(
        request.POST or None,
        initial={
            "issuer": header.issuer,
            "number": header.number,
            "date": header.date,
            "title": header.title,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_save(actor=request.user, period=period, **form.cleaned_data)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Decision saved."))
            return redirect("results_decision", pk=pk)
    return render(
        request,
        "results/decision.html",
        {"period": period, "form": form, "header": header},
    )
