"""Room: values import — an administrator's import of many units' values for a period, and
its progress page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from dti.web.accounts.actors import actor_of
from dti.web.accounts.policy import ADMINS, visible_imports, visible_periods
from dti.web.assessments.forms import ValuesImportForm
from dti.web.assessments.models import Period, ValuesImport
from dti.web.assessments.period_import import import_progress, values_import_start
from dti.web.assessments.quality import warning_texts
from dti.web.errors import ServiceError
from dti.web.views_common import role_required

RECENT = 20


@role_required(*ADMINS)
def period_import(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(visible_periods(request.user, Period.objects.all()), pk=pk)
    form = ValuesImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            job = values_import_start(
                actor=actor_of(request), period=period, upload=form.cleaned_data["file"]
            )
        except ServiceError as error:
            problems = [error.message, *error.problems]
        else:
            return redirect("values_import_detail", job.pk)
    return render(
        request,
        "assessments/period_import.html",
        {
            "period": period,
            "form": form,
            "problems": problems,
            "jobs": period.imports.select_related("uploaded_by")[:RECENT],
        },
        status=400 if problems else 200,
    )


@role_required(*ADMINS)
def values_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    jobs = visible_imports(request.user, ValuesImport.objects.all())
    job = get_object_or_404(jobs.select_related("period", "uploaded_by"), pk=pk)
    return render(
        request,
        "assessments/values_import.html",
        {
            "job": job,
            "progress": import_progress(job),
            "quality": list(
                zip(
                    [w["unit"] for w in job.warnings],
                    warning_texts(job.warnings),
                    strict=True,
                )
            ),
        },
    )
