"""The admin's connector pages: the list, a connector's form, the request of a pull, a pull's
outcome and the stored copy of what a source sent (each asked of the policy; another
province's connector or pull is not found)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dti.web.accounts.actors import actor_of
from dti.web.accounts.policy import (
    ADMINS,
    membership_of,
    visible_connectors,
    visible_periods,
    visible_pulls,
)
from dti.web.assessments.models import Period
from dti.web.connectors.forms import ConnectorForm, PullForm
from dti.web.connectors.models import Connector, Pull, PullPayload
from dti.web.connectors.selectors import pull_problems
from dti.web.connectors.services import connector_save, pull_start
from dti.web.errors import ServiceError
from dti.web.views_common import role_required

RECENT = 20


@role_required(*ADMINS)
def connector_list(request: HttpRequest) -> HttpResponse:
    connectors = visible_connectors(request.user, Connector.objects.all())
    pulls = visible_pulls(request.user, Pull.objects.select_related("connector", "period"))
    return render(
        request,
        "connectors/connector_list.html",
        {"connectors": connectors, "pulls": pulls[:RECENT]},
    )


@role_required(*ADMINS)
def connector_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    connector = (
        get_object_or_404(visible_connectors(request.user, Connector.objects.all()), pk=pk)
        if pk is not None
        else None
    )
    if request.method == "POST":
        form = ConnectorForm(request.POST)
    else:
        form = ConnectorForm.of(connector) if connector is not None else ConnectorForm()
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        membership = membership_of(request.user)
        try:
            saved = connector_save(
                actor=actor_of(request),
                province=membership.province if membership is not None else None,
                data=form.data_in(),
                connector=connector,
            )
        except ServiceError as error:
            problems = [error.message, *error.problems]
        else:
            messages.success(request, _("Connector %(name)s saved.") % {"name": saved.name})
            return redirect("connector_detail", saved.pk)
    periods = visible_periods(request.user, Period.objects.all())
    return render(
        request,
        "connectors/connector_form.html",
        {
            "connector": connector,
            "form": form,
            "problems": problems,
            "pull_form": PullForm(periods=periods) if connector is not None else None,
        },
        status=400 if problems or form.errors else 200,
    )


@role_required(*ADMINS)
@require_POST
def connector_pull(request: HttpRequest, pk: int) -> HttpResponse:
    connector = get_object_or_404(visible_connectors(request.user, Connector.objects.all()), pk=pk)
    periods = visible_periods(request.user, Period.objects.all())
    form = PullForm(request.POST, request.FILES, periods=periods)
    if form.is_valid():
        try:
            pull = pull_start(
                actor=actor_of(request),
                connector=connector,
                period=form.cleaned_data["period"],
                upload=form.cleaned_data["file"],
            )
        except ServiceError as error:
            messages.error(request, " ".join([error.message, *error.problems]))
        else:
            return redirect("pull_detail", pull.pk)
    else:
        messages.error(request, _("Choose the period and confirm the pull."))
    return redirect("connector_detail", connector.pk)


@role_required(*ADMINS)
def pull_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pulls = visible_pulls(request.user, Pull.objects.select_related("connector", "period"))
    pull = get_object_or_404(pulls, pk=pk)
    conflicts = pull.measured.filter(conflict=True).select_related("entry__assessment__unit")
    return render(
        request,
        "connectors/pull_detail.html",
        {
            "pull": pull,
            "problems": pull_problems(pull),
            "payloads": pull.payloads.all(),
            "conflicts": conflicts[:200],
            "running": pull.state in ("queued", "running", "retrying"),
        },
    )


@role_required(*ADMINS)
def payload_download(request: HttpRequest, pk: int) -> HttpResponse:
    pulls = visible_pulls(request.user, Pull.objects.all())
    payload = get_object_or_404(PullPayload.objects.filter(pull__in=pulls), pk=pk)
    response: HttpResponse = FileResponse(  # type: ignore[assignment]
        payload.file.open("rb"),
        as_attachment=True,
        filename=f"pull-{payload.pull_id}-page-{payload.number}{_suffix(payload)}",
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _suffix(payload: PullPayload) -> str:
    return ".json" if "json" in payload.content_type else ".csv"
