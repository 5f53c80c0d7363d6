"""Room: dataset loading — replaying one period of a dataset through the workflow.

Each unit's values are saved by its reporter before the self-assessment deadline, then its
assessment is taken forward (the workflow's own transitions, in order, each by the dataset's
account of the role that takes it) up to the state the dataset says it reached; once
verification starts, the verifier's adjustments and site-visit notes are recorded. A period
measured continuously first replays the months before: the values saved by each earlier day,
each followed by the schedule's snapshot as of that day; when some of its leaves become
measured (:mod:`dti.web.demo.measurement`), that happens after those months, before the units'
final values are saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.models import User

from dti.web.accounts.models import Role
from dti.web.accounts.services import user_create
from dti.web.assessments import services
from dti.web.assessments.models import Assessment, IndicatorEntry, Period, Status
from dti.web.assessments.workflow import TRANSITIONS, Deadline, Transition, TransitionName
from dti.web.demo.measurement import measurement_start
from dti.web.errors import InvalidInput
from dti.web.snapshots.models import Trigger
from dti.web.snapshots.services import continuous_set, snapshot_take

if TYPE_CHECKING:
    from dti.web.demo.datasets import Adjustment, PeriodSpec, Values
    from dti.web.frameworks.models import FrameworkVersion

# The transitions that take a unit forward from its draft to publication, in order.
FORWARD: list[Transition] = [t for t in TRANSITIONS.values() if not t.reopens and not t.goes_back]


@dataclass
class Cast:
    """Who acts in a replay: the dataset's accounts (role, unit code → user; a unit without
    a reporter gets a service account), the system account, an administrator, a verifier."""

    users: dict[tuple[Role, str], User]
    system: User
    admin: User
    verifier: User

    def taking(self, transition: Transition, reporter: User) -> User:
        """The account that takes ``transition``: the unit's reporter, the verifier, or the
        administrator, by the roles the workflow lets take it."""
        if Role.REPORTER in transition.roles:
            return reporter
        if Role.VERIFIER in transition.roles:
            return self.verifier
        return self.admin


def steps_to(target: Status) -> list[Transition]:
    """The forward transitions from a draft up to ``target`` (none for a draft)."""
    targets = [t.target for t in FORWARD]
    return FORWARD[: targets.index(target) + 1] if target in targets else []


def period_replay(
    period: Period,
    spec: PeriodSpec,
    cast: Cast,
    *,
    measured: FrameworkVersion | None = None,
    log: Callable[[str], object] = print,
) -> None:
    """Replay the period (``measured``: the stored version of ``spec.measured``'s framework)."""
    if spec.continuous:
        continuous_set(actor=cast.admin, period=period, active=True, rhythm=spec.continuous)
    for day, values in spec.snapshots:
        _snapshot_replay(period, spec, cast, day, values)
    if spec.measured is not None and measured is not None:
        measurement_start(period, spec.measured, measured, actor=cast.admin, log=log)
    _units_replay(period, spec, cast)
    if spec.last_snapshot is not None:
        snapshot_take(
            actor=None,
            period=period,
            as_of=spec.last_snapshot,
            trigger=Trigger.SCHEDULE,
            check_role=False,
        )


def _snapshot_replay(
    period: Period, spec: PeriodSpec, cast: Cast, day: dt.date, values: Values
) -> None:
    """The units' values as saved by ``day``, then the schedule's snapshot as of it."""
    before_self = spec.self_deadline - dt.timedelta(days=1)
    for assessment in period.assessments.select_related("unit__group", "period"):
        rows = [
            services.SelfInput(indicator, v, d, a)
            for indicator, (v, d, a) in values.get(assessment.unit.code, {}).items()
        ]
        if rows:
            services.assessment_save_values(
                actor=_reporter(assessment, cast.users, cast.system),
                assessment=assessment,
                rows=rows,
                now=before_self,
                reason="demo",
            )
    snapshot_take(actor=None, period=period, as_of=day, trigger=Trigger.SCHEDULE, check_role=False)


def _units_replay(period: Period, spec: PeriodSpec, cast: Cast) -> None:
    adjustments: dict[str, list[Adjustment]] = {}
    for adj in spec.adjustments:
        adjustments.setdefault(adj.unit, []).append(adj)
    notes: dict[str, list[tuple[dt.date, str]]] = {}
    for unit, day, text in spec.notes:
        notes.setdefault(unit, []).append((day, text))
    for assessment in period.assessments.select_related("unit__group", "period"):
        code = assessment.unit.code
        _assessment_replay(assessment, spec, cast, adjustments.get(code, []), notes.get(code, []))


def _assessment_replay(
    assessment: Assessment,
    spec: PeriodSpec,
    cast: Cast,
    adjustments: list[Adjustment],
    notes: list[tuple[dt.date, str]],
) -> None:
    before_self = spec.self_deadline - dt.timedelta(days=1)
    before_verify = spec.verification_deadline - dt.timedelta(days=1)
    code = assessment.unit.code
    reporter = _reporter(assessment, cast.users, cast.system)
    rows = [
        services.SelfInput(indicator, v, d, a)
        for indicator, (v, d, a) in spec.values.get(code, {}).items()
    ]
    if rows:
        services.assessment_save_values(
            actor=reporter, assessment=assessment, rows=rows, now=before_self, reason="demo"
        )
    for transition in steps_to(spec.states.get(code, Status.DRAFT)):
        assessment = services.assessment_transition(
            actor=cast.taking(transition, reporter),
            assessment=assessment,
            name=transition.name,
            now=before_self if transition.deadline == Deadline.SELF else before_verify,
            # The demo's working group accepts what it did not adjust as the unit declared it.
            accept_rest=transition.accepts_pending,
            # A replay of what was published, as it was: the public pages mark a group
            # published in part as provisional whatever route published it.
            within_group=True,
        )
        if transition.name != TransitionName.START_VERIFICATION:
            continue
        for adj in adjustments:
            _adjust(assessment, adj, cast.verifier, before_verify)
        for day, text in notes:
            services.site_visit_note_add(
                actor=cast.verifier, assessment=assessment, visited_on=day, text=text
            )


def _adjust(assessment: Assessment, adj: Adjustment, verifier: User, now: dt.datetime) -> None:
    entry = IndicatorEntry.objects.filter(assessment=assessment, indicator=adj.indicator).first()
    if entry is None:
        raise InvalidInput(
            f"{assessment.unit.code}: an adjustment names indicator {adj.indicator!r}, "
            "which the unit's framework does not have."
        )
    services.entry_verify(
        actor=verifier,
        entry=entry,
        version=entry.version,
        adjust=True,
        value=adj.value,
        denominator=adj.denominator,
        applicable=adj.applicable,
        reason=adj.reason,
        now=now,
    )


def _reporter(assessment: Assessment, users: dict[tuple[Role, str], User], fallback: User) -> User:
    """The unit's demo reporter, or a service account created for the unit."""
    user = users.get((Role.REPORTER, assessment.unit.code))
    if user is None:
        username = f"bot-{assessment.unit.code}"
        user = User.objects.filter(username=username).first() or user_create(
            actor=fallback,
            username=username,
            password=None,
            role=Role.REPORTER,
            unit=assessment.unit,
            check_role=False,
        )
        users[Role.REPORTER, assessment.unit.code] = user
    return user
