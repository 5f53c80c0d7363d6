"""Reads for the audit pages: the filtered events (one function builds the queryset, so a
scope rule is applied in one place) and the rows officials read (indicator code and name,
labels, values in the language's format)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django import forms
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from dti.web.accounts.actors import Viewer
from dti.web.accounts.models import Membership
from dti.web.accounts.policy import (
    managed_accounts,
    visible_audit_events,
    visible_periods,
    visible_units,
)
from dti.web.assessments.models import Assessment, Period
from dti.web.audit.labels import ACTION_LABELS, action_label, field_label, value_text
from dti.web.audit.models import AuditEvent
from dti.web.frameworks.models import FrameworkVersion
from dti.web.frameworks.selectors import framework_parsed
from dti.web.registry.models import Unit

__all__ = ["AuditFilterForm", "AuditRow", "audit_events", "audit_rows"]

_ENTRY = "assessments.indicatorentry"
_EVIDENCE = "assessments.evidence"


class AuditFilterForm(forms.Form):
    """The audit page's filters (all optional; an invalid one is ignored, not an error)."""

    unit = forms.ModelChoiceField(
        queryset=Unit.objects.order_by("name"), required=False, label=_("Unit")
    )
    user = forms.ModelChoiceField(
        queryset=User.objects.order_by("username"), required=False, label=_("User")
    )
    period = forms.ModelChoiceField(
        queryset=Period.objects.order_by("-year"), required=False, label=_("Period")
    )
    action = forms.ChoiceField(required=False, label=_("Action"))
    date_from = forms.DateField(required=False, label=_("From date"))
    date_to = forms.DateField(required=False, label=_("To date"))

    def __init__(self, *args: object, viewer: Viewer = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # The choices are the viewer's province's only (another's units, accounts and periods
        # are not even named).
        self.viewer = viewer
        self.fields["unit"].queryset = visible_units(viewer, Unit.objects.order_by("name"))  # type: ignore[attr-defined]
        accounts = managed_accounts(viewer, Membership.objects.all()).values("user_id")
        self.fields["user"].queryset = User.objects.filter(pk__in=accounts).order_by("username")  # type: ignore[attr-defined]
        self.fields["period"].queryset = visible_periods(viewer, Period.objects.order_by("-year"))  # type: ignore[attr-defined]
        self.fields["action"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (a.value, label) for a, label in ACTION_LABELS.items()
        ]
        self.fields["user"].label_from_instance = lambda u: u.get_username()  # type: ignore[attr-defined]
        self.fields["unit"].label_from_instance = lambda u: f"{u.name} ({u.code})"  # type: ignore[attr-defined]


def audit_events(
    *,
    unit: Unit | None = None,
    user: User | None = None,
    period: Period | None = None,
    action: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """The events the filters select, newest first (the one place the listing's queryset is
    built: the page, its pagination and the Excel export read it)."""
    events = AuditEvent.objects.select_related("assessment__unit", "assessment__period")
    if unit is not None:
        events = events.filter(
            Q(assessment__unit=unit) | Q(object_type="registry.unit", object_id=str(unit.pk))
        )
    if user is not None:
        events = events.filter(actor_id=user.pk)
    if period is not None:
        events = events.filter(
            Q(assessment__period=period)
            | Q(object_type="assessments.period", object_id=str(period.pk))
        )
    if action:
        events = events.filter(action=action)
    if date_from is not None:
        events = events.filter(at__date__gte=date_from)
    if date_to is not None:
        events = events.filter(at__date__lte=date_to)
    return events.order_by("-at", "-id")


def audit_events_filtered(form: AuditFilterForm) -> QuerySet[AuditEvent]:
    """:func:`audit_events` with the form's valid filters, within what its viewer may read."""
    data = form.cleaned_data if form.is_valid() else {}
    return visible_audit_events(
        form.viewer,
        audit_events(
            unit=data.get("unit"),
            user=data.get("user"),
            period=data.get("period"),
            action=data.get("action") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        ),
    )


@dataclass(frozen=True)
class AuditRow:
    at: dt.datetime
    who: str
    action: str
    subject: str
    indicator: str
    indicator_name: str
    field: str
    old: str
    new: str
    reason: str


def _indicator_code(event: AuditEvent) -> str:
    if event.object_type == _ENTRY:
        return event.object_label
    if event.object_type == _EVIDENCE:
        return event.field
    return ""


def _names(framework_ids: set[int]) -> dict[int, dict[str, str]]:
    """Each framework's node names in the active language (one query; parsing is cached)."""
    language = (get_language() or "vi")[:2]
    out: dict[int, dict[str, str]] = {}
    for version in FrameworkVersion.objects.filter(pk__in=framework_ids):
        framework = framework_parsed(version)
        nodes = [n for n, _parent in framework.walk()]
        nodes += framework.adjustment_items("bonus") + framework.adjustment_items("penalty")
        out[version.pk] = {n.code: n.name.get(language) for n in nodes}
    return out


def _subject(event: AuditEvent) -> str:
    assessment: Assessment | None = event.assessment
    if assessment is not None:
        return f"{assessment.unit.name} · {assessment.period.code}"
    return event.object_label


def audit_rows(events: Iterable[AuditEvent]) -> list[AuditRow]:
    """The events as officials read them."""
    listed = list(events)
    framework_ids = {e.assessment.framework_id for e in listed if e.assessment is not None}
    names = _names(framework_ids) if framework_ids else {}
    rows = []
    for e in listed:
        code = _indicator_code(e)
        known = names.get(e.assessment.framework_id, {}) if e.assessment is not None else {}
        evidence = e.object_type == _EVIDENCE
        rows.append(
            AuditRow(
                at=e.at,
                who=e.actor_name or "—",
                action=action_label(e.action),
                subject=_subject(e),
                indicator=code,
                indicator_name=known.get(code, ""),
                field="" if evidence else field_label(e.field),
                old=value_text(e.old, e.field),
                new=value_text(e.new, e.field),
                reason=e.reason,
            )
        )
    return rows
