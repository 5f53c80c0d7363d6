"""Pages' actions on one indicator: the unit's save, the verifier's verdict (both answer the
page's fetch helper in JSON), evidence attached, downloaded and removed."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dti.web.accounts.actors import actor_of
from dti.web.assessments import services
from dti.web.assessments.forms import EntrySelfForm, EntryVerifyForm, EvidenceForm
from dti.web.assessments.models import Evidence, IndicatorEntry
from dti.web.assessments.views.documents import document_file_response
from dti.web.assessments.views.summary import summary_context
from dti.web.assessments.views.verification import viewable
from dti.web.errors import InvalidInput, ServiceError
from dti.web.views_common import error_response, wants_json


def _form_problems(form: forms.Form) -> list[str]:
    # A field's label (a field without one: its name made readable, then translated), not
    # its name: the name is code.
    return [
        f"{_(str(form[k].label)) if k in form.fields else k}: {' '.join(str(m) for m in v)}"
        for k, v in form.errors.items()
    ]


def _entry(request: HttpRequest, pk: int, entry_pk: int) -> IndicatorEntry:
    """The entry with its assessment, in one query (the services read the assessment's period,
    unit and framework again under their lock)."""
    entry = get_object_or_404(
        IndicatorEntry.objects.select_related("assessment"), pk=entry_pk, assessment_id=pk
    )
    viewable(request, entry.assessment)  # 404 as for another unit's; 403 if not assigned
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
            "summary_html": render_to_string("assessments/_summary.html", summary_context(a)),
        }
    )


def _answer(request: HttpRequest, entry: IndicatorEntry, message: str, back: str) -> HttpResponse:
    """The page's fetch helper gets the new version and scores; a plain form post goes back."""
    if wants_json(request):
        return _entry_json(entry, message)
    messages.success(request, message)
    return redirect(back)


def _form_refused(request: HttpRequest, form: forms.Form, back: str) -> HttpResponse:
    problems = _form_problems(form)
    return error_response(request, InvalidInput(_("Check the form."), problems=problems), back)


@require_POST
def entry_save(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    entry = _entry(request, pk, entry_pk)
    back = reverse("assessment_detail", args=[pk]) + f"#e-{entry.indicator}"
    form = EntrySelfForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, form, back)
    data = form.cleaned_data
    try:
        entry = services.entry_save_self(
            actor=actor_of(request),
            entry=entry,
            version=data["version"],
            value=data["value"],
            denominator=data["denominator"],
            applicable=not data["not_applicable"],
            explanation=data["explanation"],
        )
    except ServiceError as error:
        return error_response(request, error, back)
    return _answer(request, entry, _("Indicator %(code)s saved.") % {"code": entry.indicator}, back)


@require_POST
def entry_verify(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    entry = _entry(request, pk, entry_pk)
    back = reverse("assessment_detail", args=[pk]) + f"#e-{entry.indicator}"
    form = EntryVerifyForm(request.POST)
    if not form.is_valid():
        return _form_refused(request, form, back)
    data = form.cleaned_data
    try:
        entry = services.entry_verify(
            actor=actor_of(request),
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
    return _answer(
        request, entry, _("Indicator %(code)s verified.") % {"code": entry.indicator}, back
    )


@require_POST
def evidence_add(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    entry = _entry(request, pk, entry_pk)
    back = reverse("assessment_detail", args=[pk]) + f"#e-{entry.indicator}"
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_refused(request, form, back)
    try:
        services.evidence_add(
            actor=actor_of(request),
            entry=entry,
            upload=form.cleaned_data["file"],
            url=form.cleaned_data["url"] or "",
            details=form.details(),
        )
    except ServiceError as error:
        return error_response(request, error, back)
    messages.success(request, _("Evidence attached to %(code)s.") % {"code": entry.indicator})
    return redirect(back)


def _evidence(request: HttpRequest, evidence_pk: int) -> Evidence:
    evidence = get_object_or_404(
        Evidence.objects.select_related("entry__assessment", "document"), pk=evidence_pk
    )
    viewable(request, evidence.entry.assessment)
    return evidence


def evidence_download(request: HttpRequest, evidence_pk: int) -> HttpResponseBase:
    return document_file_response(_evidence(request, evidence_pk).document)


@require_POST
def evidence_delete(request: HttpRequest, evidence_pk: int) -> HttpResponse:
    evidence = _evidence(request, evidence_pk)
    assessment_pk = evidence.entry.assessment_id
    back = reverse("assessment_detail", args=[assessment_pk])
    try:
        services.evidence_delete(actor=actor_of(request), evidence=evidence)
    except ServiceError as error:
        return error_response(request, error, back)
    messages.success(request, _("Evidence removed."))
    return redirect(back)
