"""Pages of one assessment: the sheet (the unit's data, the verifier's, the scores), its
transitions, site-visit notes, the template and its upload, the history."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dti.web.accounts.actors import actor_of
from dti.web.accounts.policy import (
    can_download_template,
    can_edit_self,
    can_remark_documents,
    can_verify,
    can_view_documents,
    reports_for,
    require_view,
    transition_refusal,
    transitions_for,
)
from dti.web.assessments import selectors, services
from dti.web.assessments.forms import NoteForm, TransitionForm, WorkbookForm
from dti.web.assessments.models import Assessment
from dti.web.assessments.reopening import reopen_effects
from dti.web.assessments.views.self_form import RowForms, self_form_context
from dti.web.assessments.views.summary import summary_context
from dti.web.assessments.views.verification import verification_context, viewable
from dti.web.assessments.workflow import TRANSITIONS, VERIFIED_SIDE, self_deadline
from dti.web.audit.models import AuditEvent
from dti.web.errors import ConfirmationNeeded, InvalidInput, ServiceError
from dti.web.frameworks.selectors import framework_parsed
from dti.web.results.explain import plan_xlsx, unit_explanation
from dti.web.snapshots.charts import trend_charts
from dti.web.views_common import error_response


def _assessment(request: HttpRequest, pk: int) -> Assessment:
    assessment = get_object_or_404(
        Assessment.objects.select_related("period", "unit__group", "framework"), pk=pk
    )
    # A reporter of another unit learns nothing, not even that the assessment exists; a
    # verifier not assigned the unit is refused (403).
    return viewable(request, assessment)


def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_assessment(request, _assessment(request, pk))


def render_assessment(
    request: HttpRequest,
    assessment: Assessment,
    *,
    forms: RowForms | None = None,
    problems: Sequence[str] = (),
    status: int = 200,
) -> HttpResponse:
    """The assessment page; ``forms``: the unit's rows as posted, after a refused save."""
    now = timezone.now()
    language = get_language() or "vi"
    lines = selectors.assessment_sheet(assessment, language)
    return render(
        request,
        "assessments/detail.html",
        {
            "a": assessment,
            "lines": lines,
            "can_edit": can_edit_self(request.user, assessment, now),
            "can_verify": can_verify(request.user, assessment, now),
            "is_reporter": reports_for(request.user, assessment.unit_id),
            "can_see_documents": can_view_documents(request.user, assessment.unit),
            "can_remark_documents": can_remark_documents(request.user, assessment.unit),
            "show_verified": assessment.status in VERIFIED_SIDE,
            "transitions": transitions_for(request.user, assessment, now),
            "deadline": self_deadline(assessment),
            "notes": assessment.notes.select_related("author"),
            "note_form": NoteForm(),
            "pillar_names": {
                p.code: p.name.get(language) for p in framework_parsed(assessment.framework).tree
            },
            "band_plan": unit_explanation(assessment.period, assessment.pk, viewer=request.user),
            **summary_context(assessment),
            "trend": trend_charts(assessment, None, language),
            **verification_context(request.user, assessment, now),
            **self_form_context(request, assessment, lines, forms, problems),
        },
        status=status,
    )


def template_download(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    if not can_download_template(request.user, assessment):
        raise PermissionDenied
    content = services.assessment_template(assessment)
    name = f"tu-danh-gia-{assessment.unit.code}-{assessment.period.code}.xlsx"
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def assessment_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit's band plan as a workbook, on the values that count now (the page's
    permission: whoever may open the assessment)."""
    assessment = _assessment(request, pk)
    explained = unit_explanation(assessment.period, assessment.pk, viewer=request.user)
    name = f"ke-hoach-{assessment.unit.code}-{assessment.period.code}.xlsx"
    response = HttpResponse(
        plan_xlsx(explained, assessment.unit.name),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def workbook_upload(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    back = reverse("assessment_detail", args=[pk])
    form = WorkbookForm(request.POST, request.FILES)
    if not form.is_valid():
        return error_response(request, InvalidInput(_("Choose the .xlsx file.")), back)
    upload = form.cleaned_data["file"]
    try:
        if upload.size > settings.DTI_WORKBOOK_MAX_BYTES:
            raise InvalidInput(_("The workbook is too large."))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "upload.xlsx"
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            count = services.assessment_import_workbook(
                actor=actor_of(request), assessment=assessment, path=path, file_name=upload.name
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
    if TRANSITIONS[form.cleaned_data["name"]].reopens and not form.cleaned_data["confirm"]:
        # A reopening is taken from the page that says what it does (and asks to confirm).
        return redirect("reopen_check", pk=pk, name=form.cleaned_data["name"])
    try:
        services.assessment_transition(
            actor=actor_of(request),
            assessment=assessment,
            name=form.cleaned_data["name"],
            reason=form.cleaned_data["reason"],
            accept_rest=form.cleaned_data["accept_rest"],
            confirm_gaps=form.cleaned_data["confirm"],
        )
    except ConfirmationNeeded as error:
        if TRANSITIONS[form.cleaned_data["name"]].checks_completeness:
            # The completeness check page lists the gaps and asks again.
            return redirect("submit_check", pk=pk)
        # (finishing verification with indicators unchecked: the page asks for the choice)
        return error_response(request, error, back)
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
            actor=actor_of(request),
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
    events = AuditEvent.objects.filter(assessment=assessment).select_related("assessment__unit")
    return render(request, "assessments/history.html", {"a": assessment, "events": events[:1000]})


def reopen_check(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Before a reopening: what it does to the unit and to its group's publication, then the
    reason and the confirmation, posted to the transition."""
    assessment = _assessment(request, pk)
    transition = TRANSITIONS.get(name)  # type: ignore[call-overload]
    if transition is None or not transition.reopens:
        raise Http404
    now = timezone.now()
    refusal = transition_refusal(request.user, assessment, transition, now)
    if refusal is not None:
        return error_response(request, refusal, reverse("assessment_detail", args=[pk]))
    return render(
        request,
        "assessments/reopen_check.html",
        {"a": assessment, "t": transition, "effects": reopen_effects(assessment, transition, now)},
    )
