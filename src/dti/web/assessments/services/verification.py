"""The working group's side: each indicator accepted or adjusted (with a reason), site-visit
notes, and the acceptance of what was left untouched when verification finishes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dti.web.accounts.actors import Actor
from dti.web.accounts.models import Role
from dti.web.accounts.policy import (
    entry_verify_refusal,
    require_role_in,
)
from dti.web.assessments.models import Assessment, IndicatorEntry, SiteVisitNote, Verdict
from dti.web.assessments.services._common import (
    entry_values,
    locked,
    rows_replacing,
    validate,
    verified_row,
    versioned_update,
)
from dti.web.assessments.services.clarifications import clarifications_settle
from dti.web.assessments.services.scores import assessment_recompute
from dti.web.assessments.workflow import VERIFY_EDITABLE
from dti.web.audit.actions import AuditAction
from dti.web.audit.models import AuditEvent
from dti.web.audit.services import audit_event, audit_record, change_events
from dti.web.errors import ConfirmationNeeded, InvalidInput, InvalidState, NotFound


def entry_verify(
    *,
    actor: Actor,
    entry: IndicatorEntry,
    version: int,
    adjust: bool,
    value: float | None = None,
    denominator: float | None = None,
    applicable: bool = True,
    reason: str = "",
    now: dt.datetime | None = None,
) -> IndicatorEntry:
    """Accept the unit's data for one indicator, or adjust it with a mandatory reason."""
    now = now or timezone.now()
    with transaction.atomic():
        assessment = locked(entry.assessment)
        current = IndicatorEntry.objects.filter(pk=entry.pk, assessment=assessment).first()
        if current is None:
            raise NotFound(_("The indicator is not part of this assessment."))
        current.assessment = assessment
        if (refusal := entry_verify_refusal(actor, current, now)) is not None:
            raise refusal
        if adjust and not reason.strip():
            raise InvalidInput(_("An adjustment needs a reason."))
        if adjust:
            if not applicable:
                value = denominator = None
            rows = rows_replacing(assessment, current, verified_row, value, denominator, applicable)
            validate(assessment, rows)
        else:
            value, denominator = current.self_value, current.self_denominator
            applicable = current.self_applicable
        changes: dict[str, Any] = {
            "verdict": Verdict.ADJUSTED if adjust else Verdict.ACCEPTED,
            "verified_value": value,
            "verified_denominator": denominator,
            "verified_applicable": applicable,
            "verifier_reason": reason.strip(),
        }
        versioned_update(
            current,
            version,
            now,
            _("Indicator %(code)s was changed by someone else; reload and try again.")
            % {"code": current.indicator},
            **changes,
            verified_by=actor,
            verified_at=now,
        )
        before = {
            "verdict": current.verdict,
            **entry_values(current, "verified"),
            "verifier_reason": current.verifier_reason,
        }
        events = change_events(
            actor=actor,
            action=AuditAction.ENTRY_VERIFY,
            obj=current,
            assessment=assessment,
            before=before,
            after={**changes, "verdict": str(changes["verdict"])},
            reason=reason.strip(),
        )
        # The verdict settles the indicator's open questions of the clarification round.
        events += clarifications_settle(actor=actor, entry=current, assessment=assessment, now=now)
        # The verdict's events go in one insert with the score's.
        assessment_recompute(assessment=assessment, actor=actor, events=events)
    return IndicatorEntry.objects.get(pk=current.pk)


def site_visit_note_add(
    *, actor: Actor, assessment: Assessment, visited_on: dt.date, text: str
) -> SiteVisitNote:
    require_role_in(actor, assessment.period.province_id, Role.VERIFIER)
    if not text.strip():
        raise InvalidInput(_("The note is empty."))
    with transaction.atomic():
        assessment = locked(assessment)
        if assessment.status not in VERIFY_EDITABLE:
            raise InvalidState(_("Notes can only be added while verification is open."))
        note = SiteVisitNote.objects.create(
            assessment=assessment, author=actor, visited_on=visited_on, text=text.strip()
        )
        audit_record(
            actor=actor,
            action=AuditAction.SITE_VISIT_NOTE_ADD,
            obj=note,
            assessment=assessment,
            new=text.strip(),
        )
    return note


def accept_pending(
    *, actor: Actor, assessment: Assessment, now: dt.datetime, accept_rest: bool = False
) -> list[AuditEvent]:
    """Finishing verification accepts every indicator the verifier did not touch: the unit's
    data become the verified values — only by the verifier's explicit choice (``accept_rest``,
    "accept the rest as declared"), recorded in the audit with the indicators it covered.
    Returns the unsaved, unlinked audit events — the choice, then per entry the verdict and
    the three verified values — for the caller to write with the transition's (the assessment
    is locked by the caller)."""
    pending = list(
        assessment.entries.filter(verdict=Verdict.PENDING)
        .only("pk", "assessment_id", "indicator", "verdict", *_SELF, *_VERIFIED)
        .order_by("position")
    )
    if not pending:
        return []
    codes = [e.indicator for e in pending]
    if not accept_rest:
        raise ConfirmationNeeded(
            _("%(n)s indicators are not verified yet: accept them as the unit declared them?")
            % {"n": len(pending)},
            problems=codes,
        )
    reason = _("the rest accepted as declared when verification finished")
    events: list[AuditEvent] = [
        audit_event(
            actor=actor,
            action=AuditAction.VERIFICATION_ACCEPT_REST,
            obj=assessment,
            assessment=assessment,
            field="pending",
            new=codes,
            reason=reason,
        )
    ]
    for entry in pending:
        before = {"verdict": str(entry.verdict), **entry_values(entry, "verified")}
        after = {"verdict": str(Verdict.ACCEPTED), **_as_verified(entry_values(entry, "self"))}
        # Every verified value is recorded, changed or not: the event says what was verified.
        events += [
            audit_event(
                actor=actor,
                action=AuditAction.ENTRY_VERIFY,
                obj=entry,
                assessment=assessment,
                field=name,
                old=before[name],
                new=value,
                reason=reason,
            )
            for name, value in after.items()
        ]
    IndicatorEntry.objects.filter(pk__in=[e.pk for e in pending]).update(
        verdict=Verdict.ACCEPTED,
        verified_value=F("self_value"),
        verified_denominator=F("self_denominator"),
        verified_applicable=F("self_applicable"),
        verified_by=actor,
        verified_at=now,
        version=F("version") + 1,
    )
    return events


_SELF = ("self_value", "self_denominator", "self_applicable")
_VERIFIED = ("verified_value", "verified_denominator", "verified_applicable")


def _as_verified(values: dict[str, Any]) -> dict[str, Any]:
    return {f"verified_{name.removeprefix('self_')}": v for name, v in values.items()}
