"""Publication of a period's results: each unit group whole, and the decision that announces
them — drafted by the admin, approved by the leader, published with the results.

A group is published whole: every one of its units approved, or — when the admin chooses it
explicitly — a *provisional* publication of the approved part, which every page, chart,
export and API answer then marks with the units still missing (see :mod:`.coverage`).
Publishing needs the decision approved. Each step asks the policy who may take it, refuses
with a clear message, asks for confirmation before it changes anything (the page shows what
will happen to how many units, group by group) and is audited in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dti.web.accounts.actors import Actor
from dti.web.accounts.policy import (
    require_approve_decision,
    require_draft_decision,
    require_publish_results,
)
from dti.web.assessments.models import Assessment, Period, Status
from dti.web.assessments.services import assessment_transition
from dti.web.assessments.workflow import TransitionName
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_changes, audit_record
from dti.web.errors import ConfirmationNeeded, InvalidInput, InvalidState
from dti.web.frameworks.models import FrameworkVersion
from dti.web.results.models import Decision, DecisionStatus
from dti.web.results.page_cache import new_generation

DECISION_FIELDS = ("issuer", "number", "date", "signer", "title")


# -- what a publication would do --------------------------------------------------------------


@dataclass(frozen=True)
class GroupPlan:
    """One unit group of the period as the publication sees it."""

    code: str
    name: str
    total: int
    published: int
    ready: tuple[Assessment, ...]  # approved: published by the next publication
    missing: tuple[str, ...]  # "code — name (status)" of the units neither approved nor out

    @property
    def complete(self) -> bool:
        """Every unit approved or already published: the group can be published whole."""
        return not self.missing

    @property
    def provisional_now(self) -> bool:
        """Published in part at present."""
        return self.published > 0 and self.published < self.total


@dataclass(frozen=True)
class PublicationPlan:
    groups: tuple[GroupPlan, ...]
    decision: Decision | None

    @property
    def to_publish(self) -> tuple[GroupPlan, ...]:
        return tuple(g for g in self.groups if g.ready)

    @property
    def incomplete(self) -> tuple[GroupPlan, ...]:
        """Groups the next publication would publish in part."""
        return tuple(g for g in self.to_publish if not g.complete)

    @property
    def decision_approved(self) -> bool:
        return self.decision is not None and self.decision.status in (
            DecisionStatus.APPROVED,
            DecisionStatus.PUBLISHED,
        )


def publication_plan(period: Period) -> PublicationPlan:
    """Every group of the period: its size, what is published, ready, and still missing."""
    # Plain rows for the counts and the missing units, model objects only for the approved
    # ones that a publication moves; each framework read once, not with every assessment (a
    # national period's page loaded 5,000 objects and 5,000 copies of the framework's YAML).
    rows = period.assessments.order_by(
        "unit__group__order", "unit__group__code", "unit__code"
    ).values_list(
        "pk", "status", "unit__code", "unit__name", "unit__group__code", "unit__group__name"
    )
    approved = {
        a.pk: a
        for a in period.assessments.filter(status=Status.APPROVED)
        .select_related("unit__group", "period")
        .defer("points", "pillars")
    }
    versions = FrameworkVersion.objects.in_bulk({a.framework_id for a in approved.values()})
    for a in approved.values():
        a.framework = versions[a.framework_id]
    by_group: dict[str, list[tuple[int, str, str, str, str, str]]] = {}
    for row in rows:
        by_group.setdefault(row[4], []).append(row)
    groups = []
    for code, members in by_group.items():
        groups.append(
            GroupPlan(
                code=code,
                name=members[0][5],
                total=len(members),
                published=sum(status == Status.PUBLISHED for _pk, status, *_ in members),
                ready=tuple(
                    approved[pk]
                    for pk, status, *_ in members
                    if status == Status.APPROVED and pk in approved
                ),
                missing=tuple(
                    f"{unit} — {name} ({Status(status).label})"
                    for _pk, status, unit, name, *_ in members
                    if status not in (Status.APPROVED, Status.PUBLISHED)
                ),
            )
        )
    return PublicationPlan(tuple(groups), Decision.objects.filter(period=period).first())


def _plan_lines(plan: PublicationPlan) -> list[str]:
    lines = []
    for g in plan.to_publish:
        if g.complete:
            lines.append(
                _("%(group)s: %(n)s units published — the whole group (%(total)s units).")
                % {"group": g.name, "n": len(g.ready), "total": g.total}
            )
        else:
            lines.append(
                _(
                    "%(group)s: %(n)s units published PROVISIONALLY — %(shown)s of %(total)s; "
                    "still missing: %(missing)s."
                )
                % {
                    "group": g.name,
                    "n": len(g.ready),
                    "shown": g.published + len(g.ready),
                    "total": g.total,
                    "missing": "; ".join(g.missing),
                }
            )
    return lines


# -- publishing -------------------------------------------------------------------------------


def period_publish(
    *,
    actor: Actor,
    period: Period,
    provisional: bool = False,
    confirm: bool = False,
    reason: str = "",
    now: dt.datetime | None = None,
) -> int:
    """Publish the approved units of the period, group by group, with the decision.

    Refused without the decision's approval; refused for a group not wholly approved unless
    ``provisional``; refused until ``confirm`` with what it would do. Returns how many units
    it published."""
    require_publish_results(actor, period)
    now = now or timezone.now()
    with transaction.atomic():
        # One publication of the period at a time (its own row only: the default ordering
        # joins the province, which PostgreSQL cannot lock on the nullable side).
        list(Period.objects.select_for_update().filter(pk=period.pk).order_by("pk").values("pk"))
        plan = publication_plan(period)
        if not plan.decision_approved:
            raise InvalidState(
                _(
                    "The decision must be approved by the leader before the results are "
                    "published: draft it on the decision page and ask for approval."
                )
            )
        if not plan.to_publish:
            raise InvalidState(_("Nothing to publish: no unit is approved."))
        if plan.incomplete and not provisional:
            raise InvalidInput(
                _(
                    "Not every unit of %(groups)s is approved: a ranking published in part "
                    "misleads its readers. Approve the missing units, or choose a provisional "
                    "publication, which every page and file will mark as such."
                )
                % {"groups": ", ".join(g.name for g in plan.incomplete)},
                problems=[f"{g.name}: {m}" for g in plan.incomplete for m in g.missing],
            )
        if not confirm:
            raise ConfirmationNeeded(
                _("Publishing makes these results public; confirm to go on."),
                problems=_plan_lines(plan),
            )
        count = 0
        for group in plan.to_publish:
            note = reason.strip() or (
                _("provisional publication") if not group.complete else _("whole group")
            )
            for assessment in group.ready:
                assessment_transition(
                    actor=actor,
                    assessment=assessment,
                    name=TransitionName.PUBLISH,
                    reason=note,
                    now=now,
                    within_group=True,
                )
                count += 1
        audit_record(
            actor=actor,
            action=AuditAction.PERIOD_PUBLISH,
            obj=period,
            new={
                g.code: {
                    "published": g.published + len(g.ready),
                    "total": g.total,
                    "provisional": not g.complete,
                    "missing": list(g.missing),
                }
                for g in plan.to_publish
            },
            reason=reason.strip(),
        )
        decision = plan.decision
        assert decision is not None  # decision_approved
        if decision.status != DecisionStatus.PUBLISHED:
            _decision_status(
                actor, decision, DecisionStatus.PUBLISHED, AuditAction.DECISION_PUBLISH
            )
            decision.published_at = now
            decision.save(update_fields=["status", "published_at", "updated_at"])
        new_generation()
    return count


# -- the decision -----------------------------------------------------------------------------


def _decision_status(
    actor: Actor, decision: Decision, status: DecisionStatus, action: AuditAction
) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=decision,
        field="status",
        old=decision.status,
        new=str(status),
    )
    decision.status = status


def decision_save(
    *,
    actor: Actor,
    period: Period,
    issuer: str,
    number: str,
    date: dt.date | None,
    signer: str = "",
    title: str = "",
) -> Decision:
    """Draft (or correct) the decision; admin only. Correcting an approved decision sends it
    back to the leader (the approval was of other words); a published one stays as published
    (its number and date are public record: a correction is printed from then on)."""
    require_draft_decision(actor, period)
    with transaction.atomic():
        decision, _created = Decision.objects.select_for_update().get_or_create(period=period)
        before = {name: getattr(decision, name) for name in DECISION_FIELDS}
        decision.issuer, decision.number = issuer.strip(), number.strip()
        decision.date, decision.title = date, title.strip()
        decision.signer = signer.strip()
        decision.updated_by = actor
        after = {name: getattr(decision, name) for name in DECISION_FIELDS}
        if after != before and decision.status == DecisionStatus.APPROVED:
            _decision_status(actor, decision, DecisionStatus.DRAFT, AuditAction.DECISION_SAVE)
            decision.approved_by, decision.approved_at = None, None
        decision.full_clean()
        decision.save()
        audit_changes(
            actor=actor, action=AuditAction.DECISION_SAVE, obj=decision, before=before, after=after
        )
        new_generation()  # the scorecards and the appendix carry the decision
    return decision


def decision_approve(*, actor: Actor, period: Period, now: dt.datetime | None = None) -> Decision:
    """The leader approves the drafted decision (number, date and signer filled in)."""
    require_approve_decision(actor, period)
    with transaction.atomic():
        decision = Decision.objects.select_for_update().filter(period=period).first()
        if decision is None:
            raise InvalidState(_("No decision has been drafted for this period yet."))
        if decision.status != DecisionStatus.DRAFT:
            raise InvalidState(
                _("The decision is already %(status)s.")
                % {"status": DecisionStatus(decision.status).label}
            )
        labels = {"number": _("decision number"), "date": _("decision date"), "signer": _("signer")}
        unfilled = [str(label) for name, label in labels.items() if not getattr(decision, name)]
        if unfilled:
            raise InvalidInput(
                _("The decision is not complete: fill in %(fields)s.")
                % {"fields": ", ".join(unfilled)}
            )
        _decision_status(actor, decision, DecisionStatus.APPROVED, AuditAction.DECISION_APPROVE)
        decision.approved_by = actor
        decision.approved_at = now or timezone.now()
        decision.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
        new_generation()
    return decision
