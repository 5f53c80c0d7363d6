"""The working group's pages and actions: the period's assignments and chair (admin), the
clarification round and disputes on the assessment page. Thin: forms in, a service called,
back to the page; the policy decides who may."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dti.web.accounts.actors import Viewer, actor_of
from dti.web.accounts.policy import ADMINS, view_refusal, visible_periods
from dti.web.assessments import services
from dti.web.assessments.models import (
    Assessment,
    Clarification,
    EntryDispute,
    IndicatorEntry,
    Period,
    VerifierAssignment,
)
from dti.web.assessments.verification_forms import (
    AnswerForm,
    AskForm,
    AssignForm,
    ChairForm,
    DecideForm,
    DisputeForm,
    default_reply_by,
)
from dti.web.assessments.verification_selectors import (
    assessment_exchanges,
    period_team,
    verification_summary,
)
from dti.web.errors import ConfirmationNeeded, Forbidden, InvalidInput, ServiceError
from dti.web.paging import paged
from dti.web.views_common import error_response, role_required


def verification_context(user: Viewer, assessment: Assessment, now: dt.datetime) -> dict[str, Any]:
    """What the assessment page's verification parts show (its includes read these)."""
    return {
        "exchanges": assessment_exchanges(user, assessment, now),
        "team": verification_summary(user, assessment),
        "ask_form": AskForm(initial={"reply_by": default_reply_by(assessment, now)}),
    }


def viewable(request: HttpRequest, assessment: Assessment) -> Assessment:
    """The assessment if the user may open it: a verifier not assigned the unit gets 403, anyone
    else who may not 404 (nothing learnt)."""
    refusal = view_refusal(request.user, assessment)
    if isinstance(refusal, Forbidden):
        raise PermissionDenied(refusal.message)
    if refusal is not None:
        raise Http404
    return assessment


def _entry(request: HttpRequest, pk: int, entry_pk: int) -> IndicatorEntry:
    entry = get_object_or_404(
        IndicatorEntry.objects.select_related("assessment__period", "assessment__framework"),
        pk=entry_pk,
        assessment_id=pk,
    )
    viewable(request, entry.assessment)
    return entry


def _back(pk: int, code: str = "") -> str:
    return reverse("assessment_detail", args=[pk]) + (f"#e-{code}" if code else "")


def _invalid(form: Any) -> InvalidInput:
    problems = [f"{k}: {' '.join(str(m) for m in v)}" for k, v in form.errors.items()]
    return InvalidInput(_("Check the form."), problems=problems)


@require_POST
def clarification_ask(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    entry = _entry(request, pk, entry_pk)
    back = _back(pk, entry.indicator)
    form = AskForm(request.POST)
    if not form.is_valid():
        return error_response(request, _invalid(form), back)
    try:
        services.clarifications_ask(
            actor=actor_of(request),
            assessment=entry.assessment,
            questions=[
                services.Question(entry, form.cleaned_data["reason"], form.cleaned_data["question"])
            ],
            reply_by=form.reply_deadline(),
        )
    except ServiceError as error:
        return error_response(request, error, back)
    messages.success(request, _("Question about %(code)s sent.") % {"code": entry.indicator})
    return redirect(back)


@require_POST
def clarification_answer(request: HttpRequest, pk: int, clarification_pk: int) -> HttpResponse:
    clarification = get_object_or_404(
        Clarification.objects.select_related("entry__assessment"),
        pk=clarification_pk,
        entry__assessment_id=pk,
    )
    viewable(request, clarification.entry.assessment)
    back = _back(pk, clarification.entry.indicator)
    form = AnswerForm(request.POST, request.FILES)
    if not form.is_valid():
        return error_response(request, _invalid(form), back)
    data = form.cleaned_data
    try:
        services.clarification_answer(
            actor=actor_of(request),
            clarification=clarification,
            text=data["text"],
            value=data["value"],
            denominator=data["denominator"],
            upload=data["file"],
            url=data["url"] or "",
        )
    except ServiceError as error:
        return error_response(request, error, back)
    messages.success(
        request, _("Answer about %(code)s sent.") % {"code": clarification.entry.indicator}
    )
    return redirect(back)


@require_POST
def dispute_file(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    entry = _entry(request, pk, entry_pk)
    back = _back(pk, entry.indicator)
    form = DisputeForm(request.POST)
    if not form.is_valid():
        return error_response(request, _invalid(form), back)
    data = form.cleaned_data
    try:
        services.dispute_file(
            actor=actor_of(request),
            entry=entry,
            reasons=data["reasons"],
            value=data["value"],
            denominator=data["denominator"],
            applicable=not data["not_applicable"],
        )
    except ServiceError as error:
        return error_response(request, error, back)
    messages.success(request, _("Dispute of %(code)s filed.") % {"code": entry.indicator})
    return redirect(back)


@require_POST
def dispute_decide(request: HttpRequest, pk: int, dispute_pk: int) -> HttpResponse:
    dispute = get_object_or_404(
        EntryDispute.objects.select_related("entry__assessment"),
        pk=dispute_pk,
        entry__assessment_id=pk,
    )
    viewable(request, dispute.entry.assessment)
    back = _back(pk, dispute.entry.indicator)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return error_response(request, _invalid(form), back)
    try:
        services.dispute_decide(
            actor=actor_of(request),
            dispute=dispute,
            grant=form.cleaned_data["decision"] == "grant",
            reason=form.cleaned_data["reason"],
        )
    except ServiceError as error:
        return error_response(request, error, back)
    messages.success(request, _("Dispute of %(code)s decided.") % {"code": dispute.entry.indicator})
    return redirect(back)


# -- the admin's page: a period's working group ------------------------------------------------


@role_required(*ADMINS)
def period_verifiers(request: HttpRequest, pk: int) -> HttpResponse:
    """The period's assignments and chair; assigning many units to one verifier asks first.
    Another province's period is not found (the services would refuse its writes; its team is
    not shown either)."""
    period = get_object_or_404(visible_periods(request.user, Period.objects.all()), pk=pk)
    team = period_team(period, get_language() or "vi")
    assign = AssignForm(
        request.POST if request.POST.get("form") == "assign" else None,
        period=period,
        pillars=team.pillars,
    )
    chair = ChairForm(
        request.POST if request.POST.get("form") == "chair" else None,
        initial={"chair": team.chair.chair if team.chair else None},
    )
    confirm: list[str] = []
    problems: list[str] = []
    if request.method == "POST":
        actor = actor_of(request)
        try:
            if assign.is_bound and assign.is_valid():
                made = services.verifiers_assign(
                    actor=actor,
                    period=period,
                    verifier=assign.cleaned_data["verifier"],
                    units=list(assign.cleaned_data["units"]),
                    pillar=assign.cleaned_data["pillar"] or "",
                    confirm=assign.cleaned_data["confirm"],
                )
                messages.success(request, _("%(n)s assignments made.") % {"n": len(made)})
                return redirect("period_verifiers", pk=pk)
            if chair.is_bound and chair.is_valid():
                services.verification_chair_name(
                    actor=actor, period=period, chair=chair.cleaned_data["chair"]
                )
                messages.success(request, _("The working group's chair is saved."))
                return redirect("period_verifiers", pk=pk)
            problems = [_("Check the form.")]
        except ConfirmationNeeded as question:
            # The same choices come back with the units listed and a confirming button.
            confirm = [question.message, *question.problems]
        except ServiceError as error:
            problems = [error.message, *error.problems]
    return render(
        request,
        "assessments/verification/period_verifiers.html",
        {
            "period": period,
            "team": team,
            "paged": paged(request, team.assignments),
            "assign": assign,
            "chair_form": chair,
            "confirm": confirm,
            "problems": problems,
        },
    )


@role_required(*ADMINS)
@require_POST
def verifier_unassign(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    assignment = get_object_or_404(VerifierAssignment, pk=assignment_pk, period_id=pk)
    back = reverse("period_verifiers", args=[pk])
    try:
        services.verifier_unassign(actor=actor_of(request), assignment=assignment)
    except ServiceError as error:
        return error_response(request, error, back)
    messages.success(request, _("Assignment removed."))
    return redirect(back)
