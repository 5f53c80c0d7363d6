"""Thin views: parse the request, call one service or selector, render."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dti.io.template import write_template
from dti.web.accounts.models import Role
from dti.web.accounts.policy import (
    can_view_assessment,
    has_role,
    membership_of,
    require_reporter_of,
    require_view,
)
from dti.web.assessments import selectors, services
from dti.web.assessments.forms import (
    EntrySelfForm,
    EntryVerifyForm,
    EvidenceForm,
    NoteForm,
    PeriodForm,
    TransitionForm,
    WorkbookForm,
)
from dti.web.assessments.models import Assessment, Evidence, IndicatorEntry, Period, Status
from dti.web.assessments.workflow import SELF_EDITABLE, TRANSITIONS, VERIFY_EDITABLE
from dti.web.audit.models import AuditEvent
from dti.web.errors import Forbidden, InvalidInput, ServiceError
from dti.web.frameworks.selectors import framework_parsed
from dti.web.views_common import error_response, role_required, wants_json

STAFF = (Role.ADMIN, Role.VERIFIER, Role.LEADER)


def home(request: HttpRequest) -> HttpResponse:
    membership = membership_of(request.user)
    periods = Period.objects.all()
    assessments = selectors.assessments_for(request.user)
    if membership is not None and membership.role == Role.VERIFIER:
        assessments = assessments.filter(status__in=[Status.SUBMITTED, Status.UNDER_VERIFICATION])
    progress = [(p, selectors.period_progress(p)) for p in periods] if membership else []
    return render(
        request,
        "home.html",
        {
            "periods": periods,
            "progress": progress,
            "assessments": assessments.order_by("-period__year", "unit__name")[:200],
        },
    )


# -- periods ----------------------------------------------------------------------------------


@role_required(Role.ADMIN)
def period_create(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.POST or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            period = services.period_open(
                actor=request.user,
                year=form.cleaned_data["year"],
                name=form.cleaned_data["name"],
                self_deadline=form.cleaned_data["self_deadline"],
                verification_deadline=form.cleaned_data["verification_deadline"],
                frameworks=form.framework_map(),
                province=form.cleaned_data.get("province"),
            )
        except ServiceError as error:
            problems = [error.message, *error.problems]
        else:
            messages.success(request, _("Period %(name)s opened.") % {"name": period.name})
            return redirect("period_detail", pk=period.pk)
    return render(request, "assessments/period_form.html", {"form": form, "problems": problems})


@role_required(*STAFF)
def period_detail(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(Period, pk=pk)
    assessments = (
        selectors.assessments_for(request.user)
        .filter(period=period)
        .annotate(n_adjusted=Count("entries", filter=Q(entries__verdict="adjusted")))
    )
    status = request.GET.get("status")
    if status in Status.values:
        assessments = assessments.filter(status=status)
    return render(
        request,
        "assessments/period_detail.html",
        {
            "period": period,
            "progress": selectors.period_progress(period),
            "statuses": Status.choices,
            "assessments": assessments,
            "bulk": [TRANSITIONS["approve"], TRANSITIONS["publish"]],
            "frameworks": period.frameworks.select_related("group", "framework"),
        },
    )


@role_required(Role.ADMIN)
@require_POST
def period_bulk(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(Period, pk=pk)
    name = request.POST.get("name", "")
    if name not in ("approve", "publish"):
        raise Http404
    try:
        count = services.period_transition_all(
            actor=request.user, period=period, name=name, reason=request.POST.get("reason", "")
        )
    except ServiceError as error:
        return error_response(request, error, reverse("period_detail", args=[pk]))
    messages.success(request, _("%(n)s assessments updated.") % {"n": count})
    return redirect("period_detail", pk=pk)


@role_required(*STAFF)
def period_results(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(Period, pk=pk)
    return _results(request, period, selectors.period_results(period), public=False)


def _results(
    request: HttpRequest,
    period: Period,
    results: dict[str, list[selectors.ResultRow]],
    *,
    public: bool,
) -> HttpResponse:
    from dti.web.registry.models import UnitGroup

    names = {g.code: g for g in UnitGroup.objects.all()}
    tables = [
        (names.get(code), rows, selectors.band_counts(rows)) for code, rows in results.items()
    ]
    tables.sort(key=lambda t: t[0].order if t[0] else 0)
    return render(
        request,
        "assessments/results.html",
        {"period": period, "tables": tables, "public": public},
    )


# -- one assessment ---------------------------------------------------------------------------


def _assessment(request: HttpRequest, pk: int) -> Assessment:
    assessment = get_object_or_404(
        Assessment.objects.select_related("period", "unit__group", "framework"), pk=pk
    )
    if not can_view_assessment(request.user, assessment):
        # A reporter of another unit learns nothing, not even that the assessment exists.
        raise Http404
    return assessment


def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    membership = membership_of(request.user)
    is_reporter = bool(
        membership and membership.role == Role.REPORTER and membership.unit_id == assessment.unit_id
    )
    can_edit = is_reporter and assessment.status in SELF_EDITABLE
    can_verify = has_role(request.user, Role.VERIFIER) and assessment.status in VERIFY_EDITABLE
    transitions = [
        t
        for t in TRANSITIONS.values()
        if assessment.status in t.sources and membership and membership.role in t.roles
    ]
    return render(
        request,
        "assessments/detail.html",
        {
            "a": assessment,
            "lines": selectors.assessment_sheet(assessment, get_language() or "vi"),
            "can_edit": can_edit,
            "can_verify": can_verify,
            "is_reporter": is_reporter,
            "show_verified": assessment.status in services.VERIFIED_SIDE,
            "transitions": transitions,
            "deadline": services.self_deadline(assessment),
            "notes": assessment.notes.select_related("author"),
            "note_form": NoteForm(),
            "pillar_names": {
                p.code: p.name.get(get_language() or "vi")
                for p in framework_parsed(assessment.framework).tree
            },
        },
    )


def _form_problems(form: forms.Form) -> list[str]:
    return [f"{k}: {' '.join(str(m) for m in v)}" for k, v in form.errors.items()]


def _entry(request: HttpRequest, pk: int, entry_pk: int) -> IndicatorEntry:
    """The entry with its assessment, in one query (the services read the assessment's period,
    unit and framework again under their lock)."""
    entry = get_object_or_404(
        IndicatorEntry.objects.select_related("assessment"), pk=entry_pk, assessment_id=pk
    )
    if not can_view_assessment(request.user, entry.assessment):
        raise Http404  # as for an assessment of another unit: nothing learnt
    return entry


def _entry_json(entry: IndicatorEntry, message: str) -> JsonResponse:
    a = entry.assessment  # as the service left it, with the new scores
    return JsonResponse(
        {
            "ok": True,
            "message": message,
            "version": entry.version,
            "entry": entry.pk,
            "self_points": a.points.get(entry.indicator, [None, None])[0],
            "verified_points": a.points.get(entry.indicator, [None, None])[1],
            "summary_html": render_to_string("assessments/_summary.html", {"a": a}),
        }
    )


@require_POST
def entry_save(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    entry = _entry(request, pk, entry_pk)
    back = reverse("assessment_detail", args=[pk]) + f"#e-{entry.indicator}"
    form = EntrySelfForm(request.POST)
    if not form.is_valid():
        problems = _form_problems(form)
        return error_response(request, InvalidInput(_("Check the form."), problems=problems), back)
    data = form.cleaned_data
    try:
        entry = services.entry_save_self(
            actor=request.user,
            entry=entry,
            version=data["version"],
            value=data["value"],
            denominator=data["denominator"],
            applicable=not data["not_applicable"],
            explanation=data["explanation"],
        )
    except ServiceError as error:
        return error_response(request, error, back)
    message = _("Indicator %(code)s saved.") % {"code": entry.indicator}
    if wants_json(request):
        return _entry_json(entry, message)
    messages.success(request, message)
    return redirect(back)


@require_POST
def entry_verify(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    entry = _entry(request, pk, entry_pk)
    back = reverse("assessment_detail", args=[pk]) + f"#e-{entry.indicator}"
    form = EntryVerifyForm(request.POST)
    if not form.is_valid():
        problems = _form_problems(form)
        return error_response(request, InvalidInput(_("Check the form."), problems=problems), back)
    data = form.cleaned_data
    try:
        entry = services.entry_verify(
            actor=request.user,
            entry=entry,
            version=data["version"],
            adjust=data["decision"] == "adjust",
            value=data["value"],
            denominator=data["denominator"],
            applicable=not data["not_applicable"],
            reason=data["reason"],
        )
    except ServiceError as error:
        return error_response(request, error, back)
    message = _("Indicator %(code)s verified.") % {"code": entry.indicator}
    if wants_json(request):
        return _entry_json(entry, message)
    messages.success(request, message)
    return redirect(back)


@require_POST
def evidence_add(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    entry = _entry(request, pk, entry_pk)
    back = reverse("assessment_detail", args=[pk]) + f"#e-{entry.indicator}"
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        problems = _form_problems(form)
        return error_response(request, InvalidInput(_("Check the form."), problems=problems), back)
    try:
        services.evidence_add(
            actor=request.user,
            entry=entry,
            upload=form.cleaned_data["file"],
            url=form.cleaned_data["url"] or "",
        )
    except ServiceError as error:
        return error_response(request, error, back)
    messages.success(request, _("Evidence attached to %(code)s.") % {"code": entry.indicator})
    return redirect(back)


def _evidence(request: HttpRequest, evidence_pk: int) -> Evidence:
    evidence = get_object_or_404(
        Evidence.objects.select_related("entry__assessment"), pk=evidence_pk
    )
    if not can_view_assessment(request.user, evidence.entry.assessment):
        raise Http404
    return evidence


def evidence_download(request: HttpRequest, evidence_pk: int) -> HttpResponseBase:
    evidence = _evidence(request, evidence_pk)
    if not evidence.file:
        raise Http404
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def evidence_delete(request: HttpRequest, evidence_pk: int) -> HttpResponse:
    evidence = _evidence(request, evidence_pk)
    assessment_pk = evidence.entry.assessment_id
    back = reverse("assessment_detail", args=[assessment_pk])
    try:
        services.evidence_delete(actor=request.user, evidence=evidence)
    except ServiceError as error:
        return error_response(request, error, back)
    messages.success(request, _("Evidence removed."))
    return redirect(back)


def template_download(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    if not (has_role(request.user, Role.ADMIN) or _is_reporter_of(request, assessment)):
        raise PermissionDenied
    framework = framework_parsed(assessment.framework)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_template(
            framework,
            assessment.unit.group.code,
            Path(tmp) / "template.xlsx",
            unit=assessment.unit.code,
            period=assessment.period.code,
        )
        content = path.read_bytes()
    name = f"tu-danh-gia-{assessment.unit.code}-{assessment.period.code}.xlsx"
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _is_reporter_of(request: HttpRequest, assessment: Assessment) -> bool:
    try:
        require_reporter_of(request.user, assessment)
    except Forbidden:
        return False
    return True


@require_POST
def workbook_upload(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    back = reverse("assessment_detail", args=[pk])
    form = WorkbookForm(request.POST, request.FILES)
    if not form.is_valid():
        return error_response(request, InvalidInput(_("Choose the .xlsx file.")), back)
    upload = form.cleaned_data["file"]
    from django.conf import settings

    try:
        if upload.size > settings.DTI_WORKBOOK_MAX_BYTES:
            raise InvalidInput(_("The workbook is too large."))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "upload.xlsx"
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            count = services.assessment_import_workbook(
                actor=request.user, assessment=assessment, path=path, file_name=upload.name
            )
    except ServiceError as error:
        return error_response(request, error, back)
    messages.success(request, _("%(n)s indicators read from the workbook.") % {"n": count})
    return redirect(back)


@require_POST
def assessment_transition(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    back = reverse("assessment_detail", args=[pk])
    form = TransitionForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        services.assessment_transition(
            actor=request.user,
            assessment=assessment,
            name=form.cleaned_data["name"],
            reason=form.cleaned_data["reason"],
        )
    except ServiceError as error:
        return error_response(request, error, back)
    messages.success(
        request, _("Done: %(action)s.") % {"action": TRANSITIONS[form.cleaned_data["name"]].label}
    )
    return redirect(back)


@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    back = reverse("assessment_detail", args=[pk]) + "#notes"
    form = NoteForm(request.POST)
    if not form.is_valid():
        return error_response(request, InvalidInput(_("Check the form.")), back)
    try:
        services.site_visit_note_add(
            actor=request.user,
            assessment=assessment,
            visited_on=form.cleaned_data["visited_on"],
            text=form.cleaned_data["text"],
        )
    except ServiceError as error:
        return error_response(request, error, back)
    messages.success(request, _("Note added."))
    return redirect(back)


def assessment_history(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    require_view(request.user, assessment)
    events = AuditEvent.objects.filter(assessment=assessment).select_related("actor")
    return render(request, "assessments/history.html", {"a": assessment, "events": events[:1000]})
