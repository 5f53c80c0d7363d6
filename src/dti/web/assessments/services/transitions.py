"""The workflow carried out: one assessment, or every assessment of a period where possible,
moved along the state machine of :mod:`dti.web.assessments.workflow`, doing what each
transition declares (timestamps, cleared publication, pending entries accepted, rescoring,
the publication hook), audited in the same transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dti.web.accounts.actors import Actor
from dti.web.accounts.policy import require_role_in, require_transition
from dti.web.assessments.completeness import completeness
from dti.web.assessments.models import Assessment, Period, Status
from dti.web.assessments.selectors import assessment_sheet
from dti.web.assessments.services._common import locked
from dti.web.assessments.services.scores import assessment_recompute
from dti.web.assessments.services.verification import accept_pending
from dti.web.assessments.workflow import (
    REOPEN_GRACE,
    Transition,
    publication_changed,
    self_deadline,
    transition_named,
    transitioned,
)
from dti.web.audit.actions import AuditAction
from dti.web.audit.models import AuditEvent
from dti.web.audit.services import audit_event, audit_insert, audit_link
from dti.web.errors import ConfirmationNeeded, InvalidInput
from dti.web.ops.faults import pause_point


def _known(name: str) -> Transition:
    transition = transition_named(name)
    if transition is None:
        raise InvalidInput(_("Unknown action."))
    return transition


def _apply_effects(
    assessment: Assessment,
    transition: Transition,
    *,
    actor: Actor,
    now: dt.datetime,
    new_deadline: dt.datetime | None,
    reason: str,
    accept_rest: bool = False,
) -> list[AuditEvent]:
    """What the transition declares besides the state change (the assessment is not saved).
    Returns the unsaved audit events of those effects: the entries accepted when verification
    finishes, the unit's deadline extended on a reopening."""
    events: list[AuditEvent] = []
    if transition.accepts_pending:
        events += accept_pending(
            actor=actor, assessment=assessment, now=now, accept_rest=accept_rest
        )
    if transition.stamp:
        setattr(assessment, transition.stamp, now)
    if transition.reopens:
        assessment.reopen_count += 1
    if transition.extends_self_deadline and now > assessment.period.self_deadline:
        old_deadline = self_deadline(assessment)
        assessment.self_deadline_override = new_deadline or now + REOPEN_GRACE
        events.append(
            audit_event(
                actor=actor,
                action=AuditAction.of_transition(transition.name),
                obj=assessment,
                assessment=assessment,
                field="self_deadline_override",
                old=old_deadline.isoformat(),
                new=assessment.self_deadline_override.isoformat(),
                reason=reason,
            )
        )
    for field in transition.clears:
        setattr(assessment, field, None)
    return events


def _check_completeness(assessment: Assessment) -> None:
    """Refuse, listing the gaps, until the user confirms a submission with gaps."""
    check = completeness(assessment_sheet(assessment))
    if not check.has_gaps:
        return
    problems = [
        *(
            _("Not filled: %(code)s %(name)s") % {"code": g.code, "name": g.name}
            for g in check.unfilled
        ),
        *(
            _("Evidence missing: %(code)s %(name)s") % {"code": g.code, "name": g.name}
            for g in check.evidence_missing
        ),
        *(_("Pillar at zero: %(name)s") % {"name": p.name} for p in check.pillars_at_zero),
    ]
    raise ConfirmationNeeded(
        _("The self-assessment is incomplete; confirm to submit it as it is."), problems=problems
    )


def assessment_transition(
    *,
    actor: Actor,
    assessment: Assessment,
    name: str,
    reason: str = "",
    now: dt.datetime | None = None,
    new_deadline: dt.datetime | None = None,
    accept_rest: bool = False,
    confirm_gaps: bool = True,
    within_group: bool = False,
) -> Assessment:
    """Move one assessment along the state machine (see :mod:`..workflow`). ``accept_rest``:
    the verifier's explicit choice to accept the indicators not yet verified as declared
    (finishing verification with any left is refused without it). With ``confirm_gaps``
    false, a transition that checks completeness (the submission) is refused with
    :class:`ConfirmationNeeded` while gaps remain (the page shows them first). A whole-group
    transition (publication) is taken only ``within_group``: by the service that takes it for
    every unit of the group at once (dti.web.results.publication) or a replay of one."""
    now = now or timezone.now()
    transition = _known(name)
    with transaction.atomic():
        assessment = locked(assessment)
        require_transition(actor, assessment, transition, now)
        if transition.whole_group and not within_group:
            raise InvalidInput(
                _(
                    "A group's results are published whole: publish them from the period's "
                    "page (every unit of the group approved, or a provisional publication)."
                )
            )
        reason = reason.strip()
        if transition.needs_reason and not reason:
            raise InvalidInput(_("A reason is required."))
        if transition.checks_completeness and not confirm_gaps:
            _check_completeness(assessment)
        old = Status(assessment.status)
        effects = _apply_effects(
            assessment,
            transition,
            actor=actor,
            now=now,
            new_deadline=new_deadline,
            reason=reason,
            accept_rest=accept_rest,
        )
        assessment.status = transition.target
        events = [
            audit_event(
                actor=actor,
                action=AuditAction.of_transition(transition.name),
                obj=assessment,
                assessment=assessment,
                field="status",
                old=str(old),
                new=str(transition.target),
                reason=reason,
            ),
            *effects,
        ]
        # Linked first, so that the one save of the assessment carries its chain's new head.
        audit_link(events)
        assessment.save()
        audit_insert(events)
        if transition.changes_side(old):
            assessment_recompute(assessment=assessment, actor=actor)
        if transition.leaves_publication(old):
            # Published results are cached under a per-period counter: entering or leaving
            # "published" tells the listeners in this same transaction.
            publication_changed(assessment.period_id)
        transitioned(assessment, transition, old)  # notifications, sent once this commits
        pause_point(transition.name)  # crash tests: written, not yet committed
    return assessment


def period_transition_all(
    *,
    actor: Actor,
    period: Period,
    name: str,
    reason: str = "",
    now: dt.datetime | None = None,
    confirm: bool = True,
) -> int:
    """Apply one transition to every assessment of the period where it is possible. With
    ``confirm`` false, refused with the list of the units it would move (the page asks first)."""
    transition = _known(name)
    require_role_in(actor, period.province_id, *transition.roles)
    count = 0
    with transaction.atomic():
        targets: list[Assessment] = list(
            period.assessments.filter(status__in=list(transition.sources))
            .select_related("period", "unit__group", "framework")
            .order_by("unit__group__order", "unit__code")
        )
        if not confirm and targets:
            raise ConfirmationNeeded(
                _("%(action)s: %(n)s units will change; confirm to go on.")
                % {"action": transition.label, "n": len(targets)},
                problems=[
                    f"{a.unit.group.name}: {a.unit.code} — {a.unit.name} "
                    f"({Status(a.status).label} → {transition.target.label})"
                    for a in targets
                ],
            )
        for assessment in targets:
            assessment_transition(
                actor=actor, assessment=assessment, name=name, reason=reason, now=now
            )
            count += 1
    return count
