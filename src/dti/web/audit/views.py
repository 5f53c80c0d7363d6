"""Room: audit — the audit log page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dti.web.accounts.policy import ADMINS, visible_audit_events
from dti.web.audit.models import AuditEvent
from dti.web.views_common import role_required


@role_required(*ADMINS)
def audit_list(request: HttpRequest) -> HttpResponse:
    events = visible_audit_events(request.user, AuditEvent.objects.all())
    events = events.select_related("assessment__unit")[:300]
    return render(request, "audit/list.html", {"events": events})
