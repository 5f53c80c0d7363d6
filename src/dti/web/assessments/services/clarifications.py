"""The clarification round: a verifier asks the unit about indicators (a reason code and a
text each, one reply deadline), the unit answers with a new value, evidence or an explanation
before it; the verifier then accepts or adjusts the indicator (:func:`..verification.entry_verify`
settles the question). The unit's declared value never changes here: an answered value is a
proposal the verifier may adopt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dti.web.accounts.actors import Actor
from dti.web.accounts.policy import clarification_answer_refusal, entry_verify_refusal
from dti.web.assessments.models import (
    Assessment,
    Clarification,
    ClarificationReason,
    ClarificationState,
    IndicatorEntry,
)
from dti.web.assessments.services._common import locked, rows_replacing, self_row, validate
from dti.web.assessments.services.evidence import evidence_add
from dti.web.assessments.services.verification_notices import (
    NoticeKind,
    VerificationNotice,
    verification_notify,
)
from dti.web.audit.actions import AuditAction
from dti.web.audit.models import AuditEvent
from dti.web.audit.services import HEAD_FIELDS, audit_event, audit_write
from dti.web.errors import InvalidInput, NotFound, ServiceError


@dataclass(frozen=True)
class Question:
    entry: IndicatorEntry
    reason: str  # a ClarificationReason value
    text: str


def _raise(refusal: ServiceError | None) -> None:
    if refusal is not None:
        raise refusal


def clarifications_ask(
    *,
    actor: Actor,
    assessment: Assessment,
    questions: Sequence[Question],
    reply_by: dt.datetime,
    now: dt.datetime | None = None,
) -> list[Clarification]:
    """Ask the unit about one or more indicators, all to be answered by ``reply_by``."""
    now = now or timezone.now()
    if not questions:
        raise InvalidInput(_("Choose at least one indicator to ask about."))
    with transaction.atomic():
        assessment = locked(assessment)
        entries = {
            e.pk: e
            for e in IndicatorEntry.objects.filter(
                assessment=assessment, pk__in=[q.entry.pk for q in questions]
            )
        }
        problems: list[str] = []
        for q in questions:
            entry = entries.get(q.entry.pk)
            if entry is None:
                raise NotFound(_("The indicator is not part of this assessment."))
            entry.assessment = assessment
            _raise(entry_verify_refusal(actor, entry, now))
            if q.reason not in ClarificationReason.values:
                problems.append(_("%(code)s: choose a reason.") % {"code": entry.indicator})
            if not q.text.strip():
                problems.append(_("%(code)s: write the question.") % {"code": entry.indicator})
        if reply_by <= now:
            problems.append(_("The reply deadline must lie in the future."))
        elif reply_by > assessment.period.verification_deadline:
            problems.append(_("The reply deadline must not fall after the verification deadline."))
        if problems:
            raise InvalidInput(_("The questions were not sent."), problems=problems)
        made = Clarification.objects.bulk_create(
            [
                Clarification(
                    entry=entries[q.entry.pk],
                    reason=q.reason,
                    question=q.text.strip(),
                    reply_by=reply_by,
                    asked_by=actor,
                    asked_at=now,
                )
                for q in questions
            ]
        )
        audit_write(
            [
                audit_event(
                    actor=actor,
                    action=AuditAction.CLARIFICATION_ASK,
                    obj=c,
                    assessment=assessment,
                    field=c.reason,
                    new=c.question,
                    reason=str(ClarificationReason(c.reason).label),
                    label=c.entry.indicator,
                )
                for c in made
            ]
        )
        verification_notify(
            VerificationNotice(
                NoticeKind.CLARIFICATION_ASKED,
                assessment.pk,
                actor.pk,
                tuple(c.pk for c in made),
                tuple(c.entry.indicator for c in made),
            )
        )
    return made


def clarification_answer(
    *,
    actor: Actor,
    clarification: Clarification,
    text: str = "",
    value: float | None = None,
    denominator: float | None = None,
    upload: UploadedFile | None = None,
    url: str = "",
    now: dt.datetime | None = None,
) -> Clarification:
    """The unit's answer: any of an explanation, a new value (checked by the engine as the
    unit's own would be) and one piece of evidence attached to the indicator."""
    now = now or timezone.now()
    with transaction.atomic():
        assessment = locked(clarification.entry.assessment)
        current = (
            Clarification.objects.select_for_update(of=("self",))
            .select_related("entry")
            .filter(pk=clarification.pk, entry__assessment=assessment)
            .first()
        )
        if current is None:
            raise NotFound(_("No such question."))
        entry = current.entry
        entry.assessment = assessment
        _raise(clarification_answer_refusal(actor, current, assessment, now))
        text = text.strip()
        if not text and value is None and upload is None and not url:
            raise InvalidInput(_("Answer with an explanation, a new value or evidence."))
        if value is not None:
            validate(
                assessment, rows_replacing(assessment, entry, self_row, value, denominator, True)
            )
        evidence = None
        if upload is not None or url:

            def may_attach(user: Actor, a: Assessment, when: dt.datetime) -> None:
                _raise(clarification_answer_refusal(user, current, a, when))

            evidence = evidence_add(
                actor=actor, entry=entry, upload=upload, url=url, now=now, allowed=may_attach
            )
            # evidence_add advanced the assessment's audit chain through its own copy.
            assessment.refresh_from_db(fields=HEAD_FIELDS)
        current.answer_text = text
        current.answer_value = value
        current.answer_denominator = denominator if value is not None else None
        current.answered_by = actor
        current.answered_at = now
        current.state = ClarificationState.ANSWERED
        current.save()
        if evidence is not None:
            current.answer_evidence.add(evidence)
        events: list[AuditEvent] = [
            audit_event(
                actor=actor,
                action=AuditAction.CLARIFICATION_ANSWER,
                obj=current,
                assessment=assessment,
                field=name,
                new=new,
                label=entry.indicator,
            )
            for name, new in (
                ("answer_text", text),
                ("answer_value", current.answer_value),
                ("answer_denominator", current.answer_denominator),
                ("answer_evidence", str(evidence) if evidence is not None else None),
            )
            if new not in (None, "")
        ]
        audit_write(events)
        verification_notify(
            VerificationNotice(
                NoticeKind.CLARIFICATION_ANSWERED,
                assessment.pk,
                actor.pk,
                (current.pk,),
                (entry.indicator,),
            )
        )
    return current


def clarifications_settle(
    *, actor: Actor, entry: IndicatorEntry, assessment: Assessment, now: dt.datetime
) -> list[AuditEvent]:
    """The verifier's verdict on ``entry`` settles its open questions (asked or answered).
    Returns the unsaved audit events, for the verdict's transaction to write with its own."""
    open_ = list(Clarification.objects.filter(entry=entry).exclude(state=ClarificationState.CLOSED))
    Clarification.objects.filter(pk__in=[c.pk for c in open_]).update(
        state=ClarificationState.CLOSED, closed_at=now
    )
    return [
        audit_event(
            actor=actor,
            action=AuditAction.CLARIFICATION_CLOSE,
            obj=c,
            assessment=assessment,
            field="state",
            old=str(c.state),
            new=str(ClarificationState.CLOSED),
            label=entry.indicator,
        )
        for c in open_
    ]
