"""``{% audit_rows events as rows %}``: the pages that include the events table (an
assessment's history, a unit's) pass events; the table shows them as officials read them."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from dti.web.audit.models import AuditEvent
from dti.web.audit.selectors import AuditRow, audit_rows

register = template.Library()


@register.simple_tag
def audit_rows_of(events: Iterable[AuditEvent]) -> list[AuditRow]:
    return audit_rows(events)
