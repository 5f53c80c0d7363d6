from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dti.web.accounts.models import Role
from dti.web.audit.models import AuditEvent
from dti.web.views_common import role_required


@role_required(Role.ADMIN)
def audit_list(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.select_related("assessment__unit")[:300]
    return render(request, "audit/list.html", {"events": events})
