"""Pages of continuous measurement: a period's snapshots and plan, a snapshot's provisional
ranking, closing the year from one (confirmed first), and a unit's trend."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dti.web.accounts.actors import actor_of
from dti.web.accounts.models import Role
from dti.web.accounts.policy import ADMINS, STAFF, can_take_snapshots
from dti.web.assessments.models import Assessment
from dti.web.assessments.quality import warning_texts
from dti.web.assessments.views.periods import _period
from dti.web.assessments.views.verification import viewable
from dti.web.assessments.workflow import SELF_EDITABLE
from dti.web.errors import ServiceError
from dti.web.snapshots import selectors
from dti.web.snapshots.charts import trend_charts
from dti.web.snapshots.closing import period_close_from_snapshot
from dti.web.snapshots.models import Rhythm, Snapshot
from dti.web.snapshots.services import continuous_set, snapshot_check
from dti.web.snapshots.tasks import snapshot_take_task
from dti.web.views_common import error_response, role_required


class PlanForm(forms.Form):
    active = forms.BooleanField(required=False, label=gettext_lazy("Measure continuously"))
    rhythm = forms.ChoiceField(choices=Rhythm.choices, label=gettext_lazy("Rhythm"))


class CloseForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label=gettext_lazy("Reason"), max_length=2000
    )


@role_required(*STAFF)
def period_snapshots(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    plan = selectors.period_plan(period)
    snapshots = selectors.period_snapshots(period)
    latest = snapshots[0] if snapshots else None
    return render(
        request,
        "snapshots/period.html",
        {
            "period": period,
            "plan": plan,
            "plan_form": PlanForm(
                initial={
                    "active": plan.active if plan else False,
                    "rhythm": plan.rhythm if plan else Rhythm.MONTHLY,
                }
            ),
            "snapshots": snapshots,
            "latest": latest,
            "ranking": selectors.snapshot_ranking(latest) if latest else [],
            "can_admin": can_take_snapshots(request.user, period),
        },
    )


@role_required(*ADMINS)
@require_POST
def period_plan_set(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk, ADMINS)
    back = reverse("period_snapshots", args=[pk])
    form = PlanForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        continuous_set(
            actor=actor_of(request),
            period=period,
            active=form.cleaned_data["active"],
            rhythm=form.cleaned_data["rhythm"],
        )
    except ServiceError as error:
        return error_response(request, error, back)
    messages.success(request, _("Continuous measurement saved."))
    return redirect(back)


@role_required(*ADMINS)
@require_POST
def period_snapshot_take(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a snapshot now: checked here, then scored by the queue's consumer."""
    period = _period(request, pk, ADMINS)
    back = reverse("period_snapshots", args=[pk])
    try:
        snapshot_check(actor=actor_of(request), period=period, as_of=timezone.localdate())
    except ServiceError as error:
        return error_response(request, error, back)
    snapshot_take_task(period.pk, request.user.pk)
    messages.success(
        request, _("The snapshot is being taken; it appears in the list below when done.")
    )
    return redirect(back)


def _snapshot(request: HttpRequest, pk: int, roles: frozenset[Role] = STAFF) -> Snapshot:
    snapshot = get_object_or_404(Snapshot.objects.select_related("period"), pk=pk)
    _period(request, snapshot.period_id, roles)  # another province's: 404
    return snapshot


@role_required(*STAFF)
def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = _snapshot(request, pk)
    ranking = selectors.snapshot_ranking(snapshot)
    warnings = [
        (row, warning_texts(row.warnings))
        for group in ranking
        for row in group.rows
        if row.warnings
    ]
    return render(
        request,
        "snapshots/detail.html",
        {
            "snapshot": snapshot,
            "period": snapshot.period,
            "plan": selectors.period_plan(snapshot.period),
            "ranking": ranking,
            "warnings": warnings,
            "can_admin": can_take_snapshots(request.user, snapshot.period),
        },
    )


@role_required(*ADMINS)
def snapshot_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Closing the year from this snapshot: the page says what it does and asks the reason;
    the confirmed post does it."""
    snapshot = _snapshot(request, pk, ADMINS)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = period_close_from_snapshot(
                actor=actor_of(request), snapshot=snapshot, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            return error_response(request, error, reverse("snapshot_detail", args=[pk]))
        messages.success(
            request,
            _(
                "The year was closed from the snapshot of %(date)s: %(changed)s values set in "
                "%(units)s units still in draft; %(kept)s units keep what they submitted."
            )
            % {
                "date": f"{snapshot.as_of:%d/%m/%Y}",
                "changed": report.changed,
                "units": report.units,
                "kept": report.kept,
            },
        )
        return redirect("period_detail", snapshot.period_id)
    drafts = Assessment.objects.filter(period=snapshot.period, status__in=SELF_EDITABLE).count()
    return render(
        request,
        "snapshots/close.html",
        {"snapshot": snapshot, "period": snapshot.period, "form": form, "drafts": drafts},
        status=400 if request.method == "POST" else 200,
    )


def assessment_trend(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's trend over the period's snapshots: its provisional score beside its group's
    average, one indicator's value, and the latest snapshot's data-quality warnings."""
    assessment = viewable(
        request,
        get_object_or_404(
            Assessment.objects.select_related("period", "unit__group", "framework"), pk=pk
        ),
    )
    indicators = selectors.indicators_seen(assessment.period, assessment.unit)
    indicator = request.GET.get("indicator") or (indicators[0] if indicators else None)
    if indicator is not None and indicator not in indicators:
        raise Http404
    latest = selectors.unit_latest(assessment.period, assessment.unit)
    return render(
        request,
        "snapshots/trend.html",
        {
            "a": assessment,
            "indicators": indicators,
            "indicator": indicator,
            "charts": trend_charts(assessment, indicator, get_language() or "vi"),
            "latest": latest,
            "warnings": warning_texts(latest.warnings) if latest else [],
        },
    )
