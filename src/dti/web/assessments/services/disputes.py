"""The unit's dispute of an adjustment (*giải trình*) and the chair's decision.

After verification (before approval) the unit may dispute each adjustment once per
verification round, with its reasons and the value it holds right; the chair decides. A
granted dispute makes the unit's value the verified one (the counted value, see
:mod:`..workflow`) and rescores; a rejected one leaves the adjustment. The verifier's values at
filing stay on the dispute, so declared, verified, disputed and final remain side by side.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dti.web.accounts.actors import Actor
from dti.web.accounts.policy import dispute_decide_refusal, dispute_file_refusal
from dti.web.assessments.models import DisputeDecision, EntryDispute, IndicatorEntry
from dti.web.assessments.services._common import (
    entry_values,
    locked,
    rows_replacing,
    validate,
    verified_row,
    versioned_update,
)
from dti.web.assessments.services.scores import assessment_recompute
from dti.web.assessments.services.verification_notices import (
    NoticeKind,
    VerificationNotice,
    verification_notify,
)
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_event, audit_write, change_events
from dti.web.errors import InvalidInput, NotFound


def dispute_file(
    *,
    actor: Actor,
    entry: IndicatorEntry,
    reasons: str,
    value: float | None,
    denominator: float | None = None,
    applicable: bool = True,
    now: dt.datetime | None = None,
) -> EntryDispute:
    """The unit disputes the adjustment of ``entry``, proposing ``value`` (checked by the
    engine)."""
    now = now or timezone.now()
    with transaction.atomic():
        assessment = locked(entry.assessment)
        current = IndicatorEntry.objects.filter(pk=entry.pk, assessment=assessment).first()
        if current is None:
            raise NotFound(_("The indicator is not part of this assessment."))
        refusal = dispute_file_refusal(actor, current, assessment)
        if refusal is not None:
            raise refusal
        if not reasons.strip():
            raise InvalidInput(_("A dispute needs its reasons."))
        if not applicable:
            value = denominator = None
        elif value is None:
            raise InvalidInput(_("Give the value the unit holds right."))
        validate(
            assessment,
            rows_replacing(assessment, current, verified_row, value, denominator, applicable),
        )
        dispute = EntryDispute.objects.create(
            entry=current,
            round=assessment.reopen_count,
            reasons=reasons.strip(),
            proposed_value=value,
            proposed_denominator=denominator,
            proposed_applicable=applicable,
            verified_value=current.verified_value,
            verified_denominator=current.verified_denominator,
            verified_applicable=current.verified_applicable,
            filed_by=actor,
            filed_at=now,
        )
        audit_write(
            [
                audit_event(
                    actor=actor,
                    action=AuditAction.DISPUTE_FILE,
                    obj=dispute,
                    assessment=assessment,
                    field="proposed",
                    old=entry_values(current, "verified"),
                    new={"value": value, "denominator": denominator, "applicable": applicable},
                    reason=dispute.reasons,
                    label=current.indicator,
                )
            ]
        )
        verification_notify(
            VerificationNotice(
                NoticeKind.DISPUTE_FILED,
                assessment.pk,
                actor.pk,
                (dispute.pk,),
                (current.indicator,),
            )
        )
    return dispute


def dispute_decide(
    *,
    actor: Actor,
    dispute: EntryDispute,
    grant: bool,
    reason: str,
    now: dt.datetime | None = None,
) -> EntryDispute:
    """The chair's decision, with its reason: granted, the unit's value becomes the verified
    one and the assessment is rescored; rejected, the adjustment stands."""
    now = now or timezone.now()
    with transaction.atomic():
        assessment = locked(dispute.entry.assessment)
        current = (
            EntryDispute.objects.select_for_update(of=("self",))
            .select_related("entry")
            .filter(pk=dispute.pk, entry__assessment=assessment)
            .first()
        )
        if current is None:
            raise NotFound(_("No such dispute."))
        refusal = dispute_decide_refusal(actor, current, assessment)
        if refusal is not None:
            raise refusal
        if not reason.strip():
            raise InvalidInput(_("A decision needs its reason."))
        entry = current.entry
        current.decision = DisputeDecision.GRANTED if grant else DisputeDecision.REJECTED
        current.decision_reason = reason.strip()
        current.decided_by = actor
        current.decided_at = now
        current.save()
        events = [
            audit_event(
                actor=actor,
                action=AuditAction.DISPUTE_DECIDE,
                obj=current,
                assessment=assessment,
                field="decision",
                old=str(DisputeDecision.OPEN),
                new=str(current.decision),
                reason=current.decision_reason,
                label=entry.indicator,
            )
        ]
        if grant:
            after = {
                "verified_value": current.proposed_value,
                "verified_denominator": current.proposed_denominator,
                "verified_applicable": current.proposed_applicable,
            }
            before = entry_values(entry, "verified")
            versioned_update(
                entry,
                entry.version,
                now,
                _("Indicator %(code)s was changed by someone else; reload and try again.")
                % {"code": entry.indicator},
                **after,
            )
            events += change_events(
                actor=actor,
                action=AuditAction.DISPUTE_DECIDE,
                obj=entry,
                assessment=assessment,
                before=before,
                after=after,
                reason=current.decision_reason,
            )
        verification_notify(
            VerificationNotice(
                NoticeKind.DISPUTE_DECIDED,
                assessment.pk,
                actor.pk,
                (current.pk,),
                (entry.indicator,),
            )
        )
        if grant:
            # The final value counts on the verified side: the score moves with the decision.
            assessment_recompute(assessment=assessment, actor=actor, events=events)
        else:
            audit_write(events)
    return current
