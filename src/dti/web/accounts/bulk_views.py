"""Room: accounts — the reporters of many units from a workbook: the template, the upload
and its preview, the confirmation (all or nothing)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dti.io.reporters_table import reporters_template
from dti.web.accounts.account_views import site_of
from dti.web.accounts.actors import actor_of
from dti.web.accounts.forms import ReportersUploadForm
from dti.web.accounts.policy import ADMINS
from dti.web.accounts.services import reporters_create, reporters_plan
from dti.web.accounts.services.bulk_reporters import (
    reporters_read,
    rows_from_session,
    rows_to_session,
)
from dti.web.errors import ServiceError
from dti.web.views_common import role_required

# The previewed rows wait in the session for the confirmation (the file is not kept).
SESSION_KEY = "dti.accounts.bulk_reporters"
SUFFIXES = (".xlsx", ".csv")


@role_required(*ADMINS)
def reporters_template_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        reporters_template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="mau-can-bo-bao-cao.xlsx"'
    return response


def _read_upload(request: HttpRequest, form: ReportersUploadForm) -> list[str]:
    """Read the uploaded workbook into the session; the problems, if any."""
    upload = form.cleaned_data["file"]
    suffix = Path(upload.name).suffix.lower()
    if suffix not in SUFFIXES:
        return [_("Upload an .xlsx or .csv file.")]
    if upload.size is None or upload.size > settings.DTI_WORKBOOK_MAX_BYTES:
        return [_("The workbook is too large.")]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"reporters{suffix}"
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            rows = reporters_read(path)
        except ServiceError as error:
            return [error.message, *error.problems]
    request.session[SESSION_KEY] = rows_to_session(rows)
    return []


@role_required(*ADMINS)
def reporters_bulk(request: HttpRequest) -> HttpResponse:
    form = ReportersUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    actor = actor_of(request)
    confirming = request.method == "POST" and request.POST.get("action") == "confirm"
    if confirming and not request.POST.get("confirm"):
        problems = [_("Tick the confirmation to create the accounts.")]
    elif confirming:
        rows = rows_from_session(request.session.get(SESSION_KEY, []))
        try:
            users = reporters_create(
                actor=actor, rows=rows, site=site_of(request), reason=request.POST.get("reason", "")
            )
        except ServiceError as error:
            problems = [error.message, *error.problems]
        else:
            request.session.pop(SESSION_KEY, None)
            messages.success(
                request,
                _("%(n)s reporter accounts created; each was sent a link to set its password.")
                % {"n": len(users)},
            )
            return redirect("account_list")
        form = ReportersUploadForm()
    elif request.method == "POST" and form.is_valid():
        problems = _read_upload(request, form)
    elif request.method == "GET":
        request.session.pop(SESSION_KEY, None)
    plan = None
    if SESSION_KEY in request.session and not problems:
        plan = reporters_plan(actor=actor, rows=rows_from_session(request.session[SESSION_KEY]))
    return render(
        request,
        "accounts/reporters_bulk.html",
        {"form": form, "problems": problems, "plan": plan},
    )
