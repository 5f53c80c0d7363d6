"""Room: audit — the audit log page (filters, pages without a cap) and its Excel export."""

from __future__ import annotations

import io

import xlsxwriter
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from dti.io.cells import neutralise
from dti.web.accounts.policy import ADMINS
from dti.web.audit.selectors import AuditFilterForm, AuditRow, audit_events_filtered, audit_rows
from dti.web.views_common import role_required

PAGE_SIZE = 100


@role_required(*ADMINS)
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, viewer=request.user)
    page = Paginator(audit_events_filtered(form), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": audit_rows(page.object_list),
        "query": query.urlencode(),
    }
    return render(request, "audit/list.html", context)


def _workbook(rows: list[AuditRow]) -> bytes:
    out = io.BytesIO()
    # User text is never a formula or a link in the file, nor one when a user edits the cell
    # (neutralised, as in every export; see SECURITY.md).
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet(_("Audit log")[:31])
    bold = book.add_format({"bold": True})
    when = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    headers = [
        _("When"),
        _("Who"),
        _("Action"),
        _("Unit and period"),
        _("Indicator"),
        _("Indicator name"),
        _("Field"),
        _("Old value"),
        _("New value"),
        _("Reason"),
    ]
    sheet.write_row(0, 0, headers, bold)
    for n, r in enumerate(rows, start=1):
        sheet.write_datetime(n, 0, timezone.localtime(r.at).replace(tzinfo=None), when)
        values = [r.who, r.action, r.subject, r.indicator, r.indicator_name, r.field]
        values += [r.old, r.new, r.reason]
        for c, value in enumerate(values, start=1):
            sheet.write_string(n, c, neutralise(value))
    sheet.set_column(0, 0, 17)
    sheet.set_column(1, 9, 22)
    sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()


@role_required(*ADMINS)
def audit_export(request: HttpRequest) -> HttpResponse:
    """The filtered events (all of them, not one page) as an Excel workbook."""
    form = AuditFilterForm(request.GET or None, viewer=request.user)
    events = audit_events_filtered(form).iterator(chunk_size=2000)
    response = HttpResponse(
        _workbook(audit_rows(events)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="nhat-ky-{stamp}.xlsx"'
    return response
