"""Room: frameworks — the framework pages: the list, one version's tree, the upload."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dti.io.framework_workbook import framework_workbook_bytes
from dti.web.accounts.actors import actor_of
from dti.web.accounts.policy import ADMINS, STAFF
from dti.web.errors import ServiceError
from dti.web.frameworks.forms import FrameworkUploadForm
from dti.web.frameworks.models import FrameworkVersion
from dti.web.frameworks.selectors import framework_parsed, framework_tree
from dti.web.frameworks.services import framework_store, framework_store_workbook
from dti.web.views_common import role_required


@role_required(*STAFF)
def framework_list(request: HttpRequest) -> HttpResponse:
    return render(request, "frameworks/list.html", {"frameworks": FrameworkVersion.objects.all()})


@role_required(*STAFF)
def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(FrameworkVersion, pk=pk)
    framework = framework_parsed(version)
    return render(
        request,
        "frameworks/detail.html",
        {
            "version": version,
            "framework": framework,
            "rows": framework_tree(framework, get_language() or "vi"),
        },
    )


@role_required(*STAFF)
def framework_workbook(request: HttpRequest, pk: int) -> HttpResponse:
    """The version as the decision's appendix workbook (reads back as the same framework)."""
    version = get_object_or_404(FrameworkVersion, pk=pk)
    response = HttpResponse(
        framework_workbook_bytes(framework_parsed(version)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    # (None only when asked for neither an attachment nor a file name)
    response["Content-Disposition"] = (
        content_disposition_header(
            as_attachment=True, filename=f"{version.code}-{version.version}.xlsx"
        )
        or "attachment"
    )
    return response


@role_required(*ADMINS)
def framework_upload(request: HttpRequest) -> HttpResponse:
    form = FrameworkUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        workbook = form.cleaned_data.get("workbook")
        try:
            if workbook is not None:
                version = framework_store_workbook(
                    actor=actor_of(request),
                    path=Path(workbook.temporary_file_path()),
                    file_name=form.cleaned_data["name"],
                )
            else:
                version = framework_store(
                    actor=actor_of(request),
                    yaml_text=form.cleaned_data["yaml"],
                    file_name=form.cleaned_data["name"],
                )
        except ServiceError as error:
            problems = error.problems or [error.message]
        else:
            messages.success(request, _("Framework %(fw)s stored.") % {"fw": version})
            return redirect("framework_detail", pk=version.pk)
    return render(request, "frameworks/upload.html", {"form": form, "problems": problems})
