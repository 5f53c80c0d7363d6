"""The page that moves a group of a period to a corrected version of its framework: pick or
upload the version, see what would move (scores, ranks, bands), give the reason, confirm."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from dti.web.accounts.actors import actor_of
from dti.web.accounts.policy import ADMINS
from dti.web.assessments import services
from dti.web.assessments.forms import FrameworkCorrectionForm
from dti.web.assessments.models import Period
from dti.web.assessments.services.correction import (
    CorrectionPreview,
    framework_correction_preview,
)
from dti.web.errors import InvalidInput, ServiceError
from dti.web.frameworks.models import FrameworkVersion
from dti.web.frameworks.services import framework_store, framework_store_workbook
from dti.web.views_common import role_required


def _version(request: HttpRequest, form: FrameworkCorrectionForm) -> FrameworkVersion:
    """The picked version, or the uploaded one once stored (validated by the engine)."""
    upload = form.cleaned_data.get("file")
    if upload is None:
        version: FrameworkVersion = form.cleaned_data["version"]
        return version
    if upload.name.lower().endswith(".xlsx"):
        return framework_store_workbook(
            actor=actor_of(request),
            path=Path(upload.temporary_file_path()),
            file_name=upload.name,
        )
    try:
        text = upload.read().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(_("The file is not UTF-8 text.")) from exc
    return framework_store(actor=actor_of(request), yaml_text=text, file_name=upload.name)


@role_required(*ADMINS)
def period_framework_correction(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(Period, pk=pk)
    form = FrameworkCorrectionForm(request.POST or None, request.FILES or None, period=period)
    preview: CorrectionPreview | None = None
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        group = form.cleaned_data["group"]
        try:
            version = _version(request, form)
            if request.POST.get("step") == "confirm":
                report = services.period_framework_correct(
                    actor=actor_of(request),
                    period=period,
                    group=group,
                    version=version,
                    reason=form.cleaned_data.get("reason") or "",
                )
                messages.success(
                    request,
                    _(
                        "Group %(group)s is now scored on %(version)s: %(n)s assessments "
                        "recomputed, %(changed)s with a changed score."
                    )
                    % {
                        "group": group.name,
                        "version": version,
                        "n": report.recomputed,
                        "changed": report.changed,
                    },
                )
                return redirect("period_detail", pk=period.pk)
            preview = framework_correction_preview(
                actor=actor_of(request), period=period, group=group, version=version
            )
        except ServiceError as error:
            problems = [error.message, *error.problems]
    return render(
        request,
        "assessments/framework_correction.html",
        {"period": period, "form": form, "preview": preview, "problems": problems},
    )
