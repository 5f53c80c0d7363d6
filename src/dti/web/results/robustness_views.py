"""Thin views of the robustness report (:mod:`.robustness`): the page and its workbook.

Who may read it is the policy's (:func:`dti.web.accounts.policy.robustness_refusal`): a role
short of admin and leader is refused before any lookup (403), another province's period is not
found (404).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from dti.web.accounts.models import Role
from dti.web.accounts.policy import robustness_refusal, visible_periods
from dti.web.assessments.models import Period
from dti.web.results.forms import RobustnessForm
from dti.web.results.robustness import period_robustness, robustness_workbook
from dti.web.views_common import role_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(request: HttpRequest, pk: int) -> Period:
    period = get_object_or_404(visible_periods(request.user, Period.objects.all()), pk=pk)
    refusal = robustness_refusal(request.user, period)
    if refusal is not None:
        raise PermissionDenied(refusal.message)
    return period


def _form(request: HttpRequest) -> RobustnessForm:
    # Bound only once the admin has submitted settings: the first look uses the defaults.
    return RobustnessForm(request.GET if "draws" in request.GET else None)


@role_required(Role.ADMIN, Role.LEADER)
def period_robustness_page(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    form = _form(request)
    groups = []
    if not form.is_bound or form.is_valid():
        groups = period_robustness(period, form.perturbations(), get_language() or "vi")
    return render(
        request,
        "results/robustness.html",
        {
            "period": period,
            "form": form,
            "groups": groups,
            "query": request.GET.urlencode(),
        },
    )


@role_required(Role.ADMIN, Role.LEADER)
def period_robustness_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    form = _form(request)
    if form.is_bound and not form.is_valid():
        form = RobustnessForm(None)  # a tampered query: the defaults, as the page offers them
    perturbations = form.perturbations()
    groups = period_robustness(period, perturbations, get_language() or "vi")
    response = HttpResponse(robustness_workbook(period, groups, perturbations), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="do-vung-xep-hang-{period.year}.xlsx"'
    return response
