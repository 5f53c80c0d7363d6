"""Thin views over :mod:`.scoring`, :mod:`.tables`, :mod:`.documents` and :mod:`.comparison`:
the public results, scorecards, comparison, downloads.

Every view under ``public/`` is ``@login_not_required`` and answers 404 for a period or unit
with nothing published (unless the viewer's role allows a preview, see accounts.policy).
"""

from __future__ import annotations

from typing import Literal

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dti.engine import DataError
from dti.web.accounts.actors import actor_of
from dti.web.accounts.models import Role
from dti.web.accounts.policy import (
    can_approve_decision,
    can_draft_decision,
    can_open_decision,
    can_preview_appendix,
    can_preview_results,
    has_role,
    visible_periods,
)
from dti.web.assessments.models import Period
from dti.web.assessments.workflow import FINAL, PUBLISHED
from dti.web.errors import Forbidden, ServiceError
from dti.web.problems import problem_message
from dti.web.results import documents, open_data, publication, restated, scoring
from dti.web.results.comparison import comparison
from dti.web.results.explain import Explained, plan_xlsx, printed, unit_explanation
from dti.web.results.forms import DecisionForm
from dti.web.results.models import Decision, DecisionStatus
from dti.web.results.page_cache import cached_public_page
from dti.web.results.tables import filter_tables, group_tables, summary_text, unit_card, unit_row

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
    tables = group_tables(scores, get_language() or "vi")
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
            "summary": [p for p in summary_text(scores, language).split("\n\n") if p],
            "can_appendix": True,
            "provisional": scores.provisional,
            "decision": documents.decision_header(period),
            "restated_on": restated.restatement_dates(period)[:1],
            "open_data": [
                (name, reverse("results_open_data", args=[open_data.folder_of(period), year, name]))
                for name in open_data.FILES
            ],
        },
    )


@login_not_required
@cached_public_page
def public_restated(request: HttpRequest, year: int) -> HttpResponse:
    """The published results of ``year`` restated on the units of a later reorganisation's
    date (``?on=YYYY-MM-DD``, one of the province's; the latest by default)."""
    period = _published(request, year)
    dates = restated.restatement_dates(period)
    if not dates:
        raise Http404
    asked = request.GET.get("on", "")
    on = next((d for d in dates if d.isoformat() == asked), None) if asked else dates[0]
    if on is None:
        raise Http404
    problems: list[str] = []
    try:
        tables = restated.restated_tables(period, on, get_language() or "vi")
    except DataError as error:  # the framework refuses partial history: say why
        tables, problems = [], [problem_message(p) for p in error.problems]
    return render(
        request,
        "results/restated.html",
        {
            "period": period,
            "pq": f"?province={period.province.code}" if period.province else "",
            "on": on,
            "dates": dates,
            "tables": tables,
            "problems": problems,
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
    language = get_language() or "vi"
    return render(
        request,
        "results/scorecard.html",
        {
            "period": period,
            "card": card,
            "row": unit_row(scores, unit, language),
            "group": scores.group(card.group),
            "coverage": next((c for c in scores.provisional if c.code == card.group), None),
            "charts": documents.unit_charts(period, scores, unit, get_language() or "vi"),
            "preview": scores.statuses != PUBLISHED,
            "pq": f"?province={period.province.code}" if period.province else "",
            "assessment_id": scores.assessments[unit],
            "explained": _explained(request, period, scores, unit),
        },
    )


def _explained(
    request: HttpRequest, period: Period, scores: scoring.PeriodScores, unit: str
) -> Explained:
    assert scores.result is not None
    return unit_explanation(
        period,
        scores.assessments[unit],
        viewer=request.user,
        units=scores.result.units,
        target_rank=_rank(request),
    )


def _rank(request: HttpRequest) -> int | None:
    """The target rank asked of the band planner (``?rank=``), if any."""
    rank = _int(request.GET.get("rank"))
    return rank if rank is not None and 1 <= rank <= 10_000 else None


@login_not_required
def scorecard_pdf(request: HttpRequest, year: int, unit: str) -> HttpResponse:
    period, scores = _card_scores(request, year, unit)
    public = scores.statuses == PUBLISHED
    card = unit_card(scores, unit, period)
    with translation.override("vi"):  # the scorecard PDF is printed in Vietnamese
        explained = printed(_explained(request, period, scores, unit))
    return _download(
        documents.unit_pdf(scores, unit, card, explained),
        "pdf",
        f"the-diem-{unit}-{year}.pdf",
        public=public,
    )


@login_not_required
def unit_plan(request: HttpRequest, year: int, unit: str) -> HttpResponse:
    """The unit's band plan as a workbook; the scorecard's permission (published: anyone)."""
    period, scores = _card_scores(request, year, unit)
    explained = _explained(request, period, scores, unit)
    card = unit_card(scores, unit, period)
    return _download(
        plan_xlsx(explained, card.name),
        "xlsx",
        f"ke-hoach-{unit}-{year}.xlsx",
        public=scores.statuses == PUBLISHED,
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


def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision's workflow: the admin drafts it, the leader approves it (see
    :mod:`.publication`); both see its state and the appendix generated from the results."""
    if not has_role(request.user, Role.ADMIN, Role.LEADER):
        raise PermissionDenied  # (a role that never opens it: refused before any lookup)
    period = get_object_or_404(visible_periods(request.user, Period.objects.all()), pk=pk)
    if not can_open_decision(request.user, period):
        raise PermissionDenied
    header = documents.decision_header(period)
    decision = Decision.objects.filter(period=period).first()
    approving = request.POST.get("action") == "approve"
    form = DecisionForm(
        request.POST if request.method == "POST" and not approving else None,
        initial={
            "issuer": header.issuer,
            "number": header.number,
            "date": header.date,
            "signer": header.signer,
            "title": header.title,
        },
    )
    if request.method == "POST":
        try:
            if approving:
                publication.decision_approve(actor=actor_of(request), period=period)
                messages.success(request, _("Decision approved; the results can be published."))
                return redirect("results_decision", pk=pk)
            if form.is_valid():
                publication.decision_save(
                    actor=actor_of(request), period=period, **form.cleaned_data
                )
                messages.success(request, _("Decision saved."))
                return redirect("results_decision", pk=pk)
        except Forbidden as refusal:
            raise PermissionDenied(refusal.message) from None
        except ServiceError as error:
            messages.error(request, " ".join([error.message, *error.problems]))
    return render(
        request,
        "results/decision.html",
        {
            "period": period,
            "form": form,
            "header": header,
            "decision": decision,
            "can_draft": can_draft_decision(request.user, period),
            "can_approve": can_approve_decision(request.user, period)
            and decision is not None
            and decision.status == DecisionStatus.DRAFT,
            "plan": publication.publication_plan(period),
        },
    )


# -- open data --------------------------------------------------------------------------------

OPEN_DATA_TYPES = {
    "datapackage.json": "application/json",
    "results.csv": "text/csv; charset=utf-8",
    "results.json": "application/json",
    "pillars.csv": "text/csv; charset=utf-8",
}


@login_not_required
def open_data_file(request: HttpRequest, province: str, year: int, name: str) -> HttpResponse:
    """A file of the period's open data; published results only (404 otherwise)."""
    period = open_data.published_period(province, year)
    if period is None or name not in OPEN_DATA_TYPES:
        raise Http404
    if name == "datapackage.json":
        home = request.build_absolute_uri(reverse("public_results", args=[year]))
        content = open_data.descriptor_json(period, base_url=home)
    elif name == "results.json":
        content = open_data.results_json(period)
    elif name == "results.csv":
        content = open_data.results_csv(period)
    else:
        content = open_data.pillars_csv(period)
    response = HttpResponse(content, content_type=OPEN_DATA_TYPES[name])
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response
