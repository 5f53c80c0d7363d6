"""Thin views over :mod:`.scoring`, :mod:`.tables`, :mod:`.documents` and :mod:`.comparison`:
the public results, scorecards, comparison, downloads.

Every view under ``public/`` is ``@login_not_required`` and answers 404 for a period or unit
with nothing published (unless the viewer's role allows a preview, see accounts.policy).
"""

from __future__ import annotations

from typing import Literal

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dti.web.accounts.actors import actor_of
from dti.web.accounts.models import Role
from dti.web.accounts.policy import can_preview_appendix, can_preview_results, visible_periods
from dti.web.assessments.models import Period
from dti.web.assessments.workflow import FINAL, PUBLISHED
from dti.web.errors import ServiceError
from dti.web.results import documents, scoring, services
from dti.web.results.comparison import comparison
from dti.web.results.forms import DecisionForm
from dti.web.results.page_cache import cached_public_page
from dti.web.results.tables import filter_tables, group_tables, summary_text, unit_card, unit_row
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
    period = scoring.published_period(year, _province(request))
    if period is None:
        raise Http404
    return period


def _preview_period(request: HttpRequest, year: int) -> Period | None:
    """For staff previews: the period of ``year`` (and ``?province=``) whatever its state,
    among the viewer's province's (the policy still decides whether it may be previewed)."""
    qs = visible_periods(request.user, Period.objects.filter(year=year))
    if _province(request):
        qs = qs.filter(province__code=_province(request))
    return qs.order_by("pk").first()


@login_not_required
@cached_public_page
def public_index(request: HttpRequest) -> HttpResponse:
    provinces = scoring.public_provinces()
    if len(provinces) == 1:
        periods = scoring.published_periods(provinces[0][0])
        return redirect("public_results", year=periods[0].year)
    listing = [(name or code, code, scoring.published_periods(pk)) for pk, code, name in provinces]
    return render(request, "results/index.html", {"provinces": listing})


@login_not_required
@cached_public_page
def public_results(request: HttpRequest, year: int) -> HttpResponse:
    """Published results only; the page open to everyone."""
    period = _published(request, year)
    scores = scoring.period_scores(period)
    tables = group_tables(scores)
    group = request.GET.get("group", "")
    band = request.GET.get("band", "")
    query = request.GET.get("q", "")[:100]
    shown = filter_tables(tables, group=group, band=band, query=query)
    language = get_language() or "vi"
    charts = documents.page_charts(
        period,
        scores,
        [
            name
            for name in documents.chart_names(scores)
            if name.startswith("pillars-") or not group or name.endswith(f"-{group}")
        ],
        language,
    )
    bands = list(dict.fromkeys(b for t in tables for b in t.info.bands))
    return render(
        request,
        "results/public.html",
        {
            "period": period,
            "periods": scoring.published_periods(period.province_id),
            "pq": f"?province={period.province.code}" if period.province else "",
            "scores": scores,
            "tables": shown,
            "all_tables": tables,
            "bands": bands,
            "filters": {"group": group, "band": band, "q": query},
            "charts": charts,
            "summary": [p for p in summary_text(scores).split("\n\n") if p],
            "can_appendix": True,
        },
    )


@login_not_required
def chart_download(
    request: HttpRequest, year: int, name: str, fmt: Literal["png", "svg"]
) -> HttpResponse:
    period = _published(request, year)
    scores = scoring.period_scores(period)
    names = documents.chart_names(scores)
    if name == "pillars":  # (the address before pillars were charted per framework)
        name = next((n for n in names if n.startswith("pillars-")), name)
    if name not in names:
        raise Http404
    content = documents.chart(period, scores, name, fmt, language=get_language() or "vi")
    return _download(content, fmt, f"dti-{year}-{name}.{fmt}", public=True)


def _card_scores(request: HttpRequest, year: int, unit: str) -> tuple[Period, scoring.PeriodScores]:
    """Published scores with the unit in them, or — for staff — the verified preview."""
    period = scoring.published_period(year, _province(request))
    if period is not None:
        scores = scoring.period_scores(period)
        if unit in scores.assessments:
            return period, scores
    period = _preview_period(request, year)
    if period is not None and can_preview_results(request.user, period):
        scores = scoring.period_scores(period, FINAL)
        if unit in scores.assessments:
            return period, scores
    raise Http404


@login_not_required
@cached_public_page
def scorecard(request: HttpRequest, year: int, unit: str) -> HttpResponse:
    period, scores = _card_scores(request, year, unit)
    card = unit_card(scores, unit, period)
    return render(
        request,
        "results/scorecard.html",
        {
            "period": period,
            "card": card,
            "row": unit_row(scores, unit),
            "group": scores.group(card.group),
            "charts": documents.unit_charts(period, scores, unit, get_language() or "vi"),
            "preview": scores.statuses != PUBLISHED,
            "pq": f"?province={period.province.code}" if period.province else "",
            "assessment_id": scores.assessments[unit],
        },
    )


@login_not_required
def scorecard_pdf(request: HttpRequest, year: int, unit: str) -> HttpResponse:
    _, scores = _card_scores(request, year, unit)
    public = scores.statuses == PUBLISHED
    return _download(
        documents.unit_pdf(scores, unit), "pdf", f"the-diem-{unit}-{year}.pdf", public=public
    )


@login_not_required
@cached_public_page
def compare(request: HttpRequest) -> HttpResponse:
    chosen = scoring.published_period(_int(request.GET.get("b")) or 0, _province(request))
    if chosen is None:
        provinces = scoring.public_provinces()
        code = _province(request)
        match = [p for p in provinces if p[1] == code] or provinces
        province_id = match[0][0] if match else None
    else:
        province_id = chosen.province_id
    periods = scoring.published_periods(province_id)
    by_year = {p.year: p for p in periods}

    later = by_year.get(_int(request.GET.get("b")) or (periods[0].year if periods else 0))
    earlier = by_year.get(
        _int(request.GET.get("a")) or (periods[1].year if len(periods) > 1 else 0)
    )
    result = None
    groups: list[scoring.GroupInfo] = []
    group = request.GET.get("group", "")
    if later is not None:
        groups = list(scoring.raw_scores(later).groups)
        group = (
            group if any(g.code == group for g in groups) else (groups[0].code if groups else "")
        )
        if earlier is not None and earlier != later and group:
            result = comparison(earlier, later, group)
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
    period = _preview_period(request, year)
    preview = period is not None and can_preview_appendix(request.user, period)
    if period is not None and preview:
        statuses = documents.APPENDIX_PREVIEW
    else:
        period = _published(request, year)
        statuses = PUBLISHED
    try:
        content = documents.appendix(period, statuses, fmt)
    except KeyError:
        raise Http404 from None
    return _download(content, fmt, f"phu-luc-xep-hang-{year}.{fmt}", public=not preview)


@role_required(Role.ADMIN)
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(visible_periods(request.user, Period.objects.all()), pk=pk)
    header = documents.decision_header(period)
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
            services.decision_save(actor=actor_of(request), period=period, **form.cleaned_data)
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
