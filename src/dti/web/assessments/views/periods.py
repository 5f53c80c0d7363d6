"""Pages of the whole period: the home page's worklists, opening a period, its progress and
bulk actions, its results before publication."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dti.web.accounts.actors import actor_of
from dti.web.accounts.models import Role
from dti.web.accounts.policy import (
    ADMINS,
    STAFF,
    can_see_progress,
    has_role,
    membership_of,
    period_staff_refusal,
    visible_groups,
    visible_periods,
    visible_provinces,
)
from dti.web.assessments import selectors, services
from dti.web.assessments.forms import ExtensionForm, PeriodDeadlinesForm, PeriodForm
from dti.web.assessments.models import Period, Status
from dti.web.assessments.workflow import TRANSITIONS, TransitionName
from dti.web.errors import ConfirmationNeeded, ServiceError
from dti.web.paging import paged
from dti.web.registry.models import Province, UnitGroup
from dti.web.results import publication
from dti.web.views_common import error_response, role_required

# The transitions the period page applies to every assessment where possible.
BULK_TRANSITIONS = (TransitionName.APPROVE, TransitionName.PUBLISH)


def home(request: HttpRequest) -> HttpResponse:
    periods = visible_periods(request.user, Period.objects.all())
    if has_role(request.user, Role.LEADER) and periods.exists():
        # A leader's home is the newest period's dashboard (it lists the other periods).
        return redirect("period_dashboard", pk=periods.first().pk)  # type: ignore[union-attr]
    assessments = selectors.assessments_for(request.user)
    if has_role(request.user, Role.VERIFIER):
        # A verifier's worklist: what waits for verification.
        assessments = assessments.filter(status__in=[Status.SUBMITTED, Status.UNDER_VERIFICATION])
    progress = (
        [(p, selectors.period_progress(p)) for p in periods if can_see_progress(request.user, p)]
        if membership_of(request.user)
        else []
    )
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


@role_required(*ADMINS)
def period_create(request: HttpRequest) -> HttpResponse:
    province = _chosen_province(request)
    form = PeriodForm(
        request.POST or None,
        province=province,
        provinces=visible_provinces(request.user, Province.objects.all()),
        groups=visible_groups(request.user, UnitGroup.objects.all()),
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            period = services.period_open(
                actor=actor_of(request),
                year=form.cleaned_data["year"],
                name=form.cleaned_data["name"],
                self_deadline=form.cleaned_data["self_deadline"],
                verification_deadline=form.cleaned_data["verification_deadline"],
                frameworks=form.framework_map(),
                # The chosen province, else the admin's own (the only one it may choose).
                province=form.cleaned_data.get("province") or province,
                confirm_left_out=form.cleaned_data["confirm_left_out"],
            )
        except ServiceError as error:
            problems = [error.message, *error.problems]
            if isinstance(error, ConfirmationNeeded):
                form.ask_left_out()
        else:
            messages.success(request, _("Period %(name)s opened.") % {"name": period.name})
            return redirect("period_detail", pk=period.pk)
    return render(
        request,
        "assessments/period_form.html",
        {
            "form": form,
            "problems": problems,
            "provinces": [] if form.single_province else form.fields["province"].queryset,  # type: ignore[attr-defined]
            "province": province,
        },
    )


def _chosen_province(request: HttpRequest) -> Province | None:
    """The province the period is for: the one chosen among the admin's (its own), else the
    only one there is."""
    allowed = visible_provinces(request.user, Province.objects.all())
    chosen = request.POST.get("province") or request.GET.get("province")
    if chosen and chosen.isdigit():
        return allowed.filter(pk=int(chosen)).first()
    provinces = list(allowed[:2])
    return provinces[0] if len(provinces) == 1 else None


def _period(request: HttpRequest, pk: int, roles: frozenset[Role] = STAFF) -> Period:
    """The period if the user is staff (``roles``) of its province: another province's is not
    found (nothing learnt of it), a role short of ``roles`` is refused."""
    period = get_object_or_404(visible_periods(request.user, Period.objects.all()), pk=pk)
    refusal = period_staff_refusal(request.user, period, roles)
    if refusal is not None:
        raise PermissionDenied(refusal.message)
    return period


@role_required(*STAFF)
def period_detail(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    assessments = selectors.assessments_for(request.user).filter(period=period)
    status = request.GET.get("status")
    if status in Status.values:
        assessments = assessments.filter(status=status)
    # (the dashboard's charts link here: a group, a progress step)
    group = request.GET.get("group")
    if group:
        assessments = assessments.filter(unit__group__code=group)
    step = request.GET.get("step")
    if step in selectors.STEP_CODES:
        assessments = selectors.in_step(assessments, step, timezone.now())
    listed = paged(request, assessments.order_by("unit__name", "pk"))
    # Counted for the page's rows only: a count over the whole period's entries cost more
    # than the rest of the page at 5,000 units.
    adjusted = selectors.adjusted_counts(list(listed.page))
    return render(
        request,
        "assessments/period_detail.html",
        {
            "period": period,
            "progress": selectors.period_progress(period),
            "statuses": Status.choices,
            "rows": [(a, adjusted.get(a.pk, 0)) for a in listed.page],
            "paged": listed,
            "bulk": [TRANSITIONS[name] for name in BULK_TRANSITIONS],
            "frameworks": period.frameworks.select_related("group", "framework"),
            "plan": publication.publication_plan(period),
        },
    )


@role_required(*ADMINS)
@require_POST
def period_bulk(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve every verified unit, or publish (whole groups, or provisionally): the first
    request answers with what would happen to how many units, the confirmed one does it."""
    period = _period(request, pk, ADMINS)
    name = request.POST.get("name", "")
    if name not in BULK_TRANSITIONS:
        raise Http404
    confirm = request.POST.get("confirm") == "1"
    provisional = request.POST.get("provisional") == "1"
    reason = request.POST.get("reason", "")
    try:
        if name == TransitionName.PUBLISH:
            count = publication.period_publish(
                actor=actor_of(request),
                period=period,
                provisional=provisional,
                confirm=confirm,
                reason=reason,
            )
        else:
            count = services.period_transition_all(
                actor=actor_of(request), period=period, name=name, reason=reason, confirm=confirm
            )
    except ConfirmationNeeded as question:
        return render(
            request,
            "assessments/period_confirm.html",
            {
                "period": period,
                "question": question,
                "action": TRANSITIONS[TransitionName(name)],
                "provisional": provisional,
                "reason": reason,
            },
        )
    except ServiceError as error:
        return error_response(request, error, reverse("period_detail", args=[pk]))
    messages.success(request, _("%(n)s assessments updated.") % {"n": count})
    return redirect("period_detail", pk=pk)


@role_required(*STAFF)
def period_results(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    return _results(request, period, selectors.period_results(period), public=False)


def _results(
    request: HttpRequest,
    period: Period,
    results: dict[str, list[selectors.ResultRow]],
    *,
    public: bool,
) -> HttpResponse:
    """The groups' rankings, one page of rows at a time (a group's table may go on over the
    next page); each group's band counts are its whole ranking's."""
    names = {g.code: g for g in UnitGroup.objects.filter(province=period.province)}
    groups = sorted(results, key=lambda code: names[code].order if code in names else 0)
    listed = paged(request, [(code, row) for code in groups for row in results[code]])
    on_page: dict[str, list[selectors.ResultRow]] = {}
    for code, row in listed.page:
        on_page.setdefault(code, []).append(row)
    tables = [
        (names.get(code), rows, selectors.band_counts(results[code]))
        for code, rows in on_page.items()
    ]
    return render(
        request,
        "assessments/results.html",
        {"period": period, "tables": tables, "public": public, "paged": listed},
    )


@role_required(*ADMINS)
def period_deadlines(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the period's deadlines, or extend one unit's or one group's, each with a reason."""
    period = _period(request, pk, ADMINS)
    which = request.POST.get("form") if request.method == "POST" else None
    initial = {
        "self_deadline": timezone.localtime(period.self_deadline),
        "verification_deadline": timezone.localtime(period.verification_deadline),
    }
    deadlines = PeriodDeadlinesForm(request.POST if which == "period" else None, initial=initial)
    extension = ExtensionForm(request.POST if which == "extension" else None, period=period)
    problems: list[str] = []
    try:
        if which == "period" and deadlines.is_valid():
            services.period_set_deadlines(
                actor=actor_of(request), period=period, **deadlines.cleaned_data
            )
            messages.success(request, _("The period's deadlines were changed."))
            return redirect("period_deadlines", pk=pk)
        if which == "extension" and extension.is_valid():
            count = services.deadline_extend(
                actor=actor_of(request),
                assessments=extension.assessments(),
                deadline=extension.cleaned_data["deadline"],
                reason=extension.cleaned_data["reason"],
            )
            messages.success(request, _("%(n)s units got the new deadline.") % {"n": count})
            return redirect("period_deadlines", pk=pk)
    except ServiceError as error:
        problems = [error.message, *error.problems]
    extended = period.assessments.exclude(self_deadline_override=None).select_related("unit")
    return render(
        request,
        "assessments/period_deadlines.html",
        {
            "period": period,
            "deadlines": deadlines,
            "extension": extension,
            "extended": extended.order_by("unit__code"),
            "problems": problems,
        },
    )
