"""The yearly result closed from a chosen snapshot, then verified as any submission.

Closing writes the snapshot's values into the entries of the units still in draft — the
values that counted on its date become the unit's declared values for the year, each change
audited with the admin's reason — rescores the period, marks the plan closed (no more
snapshots) and leaves the rest to the ordinary cycle: the units submit, the working group
verifies. Units already submitted or further keep what they submitted (their data changes
only through verification or a reopening), and are counted in the report. One transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dti.web.accounts.actors import Actor
from dti.web.accounts.policy import require_period_admin
from dti.web.assessments.models import IndicatorEntry
from dti.web.assessments.period_values import period_batches
from dti.web.assessments.services.recompute import locked_for_scoring, period_recompute
from dti.web.assessments.workflow import SELF_EDITABLE
from dti.web.audit.actions import AuditAction
from dti.web.audit.models import AuditEvent
from dti.web.audit.services import (
    HEAD_FIELDS,
    audit_insert,
    audit_link,
    audit_record,
    change_events,
)
from dti.web.bulk import update_fields
from dti.web.errors import InvalidInput, InvalidState
from dti.web.snapshots.models import ContinuousPlan, Snapshot

__all__ = ["ClosingReport", "period_close_from_snapshot"]

_VALUE_FIELDS = ("self_value", "self_denominator", "self_applicable")


@dataclass(frozen=True)
class ClosingReport:
    units: int  # drafts whose values were set from the snapshot
    changed: int  # values that moved
    kept: int  # units past the draft, left as submitted


def period_close_from_snapshot(*, actor: Actor, snapshot: Snapshot, reason: str) -> ClosingReport:
    period = snapshot.period
    require_period_admin(actor, period)
    if not reason.strip():
        raise InvalidInput(_("Give the reason for closing the year from this snapshot."))
    label = _("snapshot of %(date)s") % {"date": f"{snapshot.as_of:%d/%m/%Y}"}
    why = f"{reason.strip()} ({label})"
    with transaction.atomic():
        plan, _created = ContinuousPlan.objects.select_for_update().get_or_create(
            period=period, defaults={"active": False}
        )
        if plan.closed_from_id is not None:
            raise InvalidState(_("The year was closed from a snapshot already."))
        kept: dict[str, dict[str, list[Any]]] = dict(
            snapshot.results.values_list("unit__code", "values")
        )
        drafts = locked_for_scoring(
            period.assessments.filter(status__in=SELF_EDITABLE, unit__code__in=list(kept))
        )
        now = timezone.now()
        entries: list[IndicatorEntry] = []
        events: list[AuditEvent] = []
        by_pk = {a.pk: a for a in drafts}
        for batch in period_batches(drafts, keys=True):
            for row in batch.entries.iter_rows(named=True):
                taken = kept[row["unit"]].get(row["indicator"])
                if taken is None:
                    continue
                value, denominator, applicable = taken[0], taken[1], bool(taken[2])
                after = {
                    "self_value": value if applicable else None,
                    "self_denominator": denominator if applicable else None,
                    "self_applicable": applicable,
                }
                before = {f: row[f] for f in _VALUE_FIELDS}
                if before == after:
                    continue
                entry = IndicatorEntry(
                    pk=row["entry"],
                    assessment_id=row["assessment"],
                    indicator=row["indicator"],
                    version=row["version"] + 1,
                    updated_at=now,
                    **after,
                )
                entries.append(entry)
                events += change_events(
                    actor=actor,
                    action=AuditAction.PERIOD_CLOSE_FROM_SNAPSHOT,
                    obj=entry,
                    assessment=by_pk[row["assessment"]],
                    before=before,
                    after=after,
                    reason=why,
                )
        update_fields(entries, [*_VALUE_FIELDS, "version", "updated_at"])
        # Linked in order into each assessment's chain, whose heads are saved before the
        # recompute reads the assessments again.
        audit_link(events)
        audit_insert(events)
        update_fields(drafts, HEAD_FIELDS)
        # The moved scores, audited; approved and published results are never recomputed.
        period_recompute(actor=actor, period=period, reason=why, check_role=False)
        plan.closed_from, plan.closed_at, plan.closed_by = snapshot, now, actor
        plan.active = False
        plan.save(update_fields=["closed_from", "closed_at", "closed_by", "active"])
        audit_record(
            actor=actor,
            action=AuditAction.PERIOD_CLOSE_FROM_SNAPSHOT,
            obj=plan,
            field="snapshot",
            new=snapshot.as_of.isoformat(),
            reason=reason.strip(),
        )
    return ClosingReport(
        units=len(drafts),
        changed=len(entries),
        kept=len(kept) - len(drafts),
    )
