"""What a reopening will do, said before it is done: a reopening takes a unit's result back
out of the verified, approved or published states, so the admin confirms it on a page that
states the consequences (the state it goes to, the group's publication that becomes
provisional, the unit's new deadline) with the reason, before the audited transition runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dti.web.assessments.models import Assessment, Status
from dti.web.assessments.workflow import REOPEN_GRACE, VERIFIED_SIDE, Transition
from dti.web.results.coverage import period_coverage


@dataclass(frozen=True)
class ReopenEffects:
    status: Status  # the state it leaves
    target: Status  # the state it goes to
    unpublishes: bool  # the unit's published result leaves the public ranking
    group_name: str
    group_published: int  # units of the group now published (this one included)
    group_total: int
    new_deadline: dt.datetime | None  # the unit's own deadline, when the period's has passed
    to_unit: bool  # back to the unit's draft (its reporters edit), else to the verifiers

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def target_label(self) -> str:
        return str(Status(self.target).label)


def reopen_effects(
    assessment: Assessment, transition: Transition, now: dt.datetime
) -> ReopenEffects:
    unit = assessment.unit
    coverage = period_coverage(assessment.period).get(unit.group.code)
    new_deadline = None
    if transition.extends_self_deadline and now > assessment.period.self_deadline:
        new_deadline = now + REOPEN_GRACE  # as the transition sets it
    return ReopenEffects(
        status=Status(assessment.status),
        target=transition.target,
        unpublishes=assessment.status == Status.PUBLISHED,
        group_name=unit.group.name,
        group_published=coverage.shown if coverage else 0,
        group_total=coverage.total if coverage else 0,
        new_deadline=new_deadline,
        to_unit=transition.target not in VERIFIED_SIDE,
    )
