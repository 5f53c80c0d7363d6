"""Snapshots on the queue's schedule (huey, discovered by djhuey)."""

from __future__ import annotations

import logging

from django.db.models import Max
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from dti.web.assessments.models import Period
from dti.web.errors import ServiceError
from dti.web.snapshots.models import ContinuousPlan, Trigger
from dti.web.snapshots.schedule import snapshot_due
from dti.web.snapshots.services import snapshot_take

log = logging.getLogger(__name__)


def snapshots_due_take() -> list[int]:
    """Take the snapshot of every active, unclosed plan that is due today; the ids taken.
    Safe to run twice: a day's snapshot is unique, so a second run finds nothing due."""
    today = timezone.localdate()
    plans = (
        ContinuousPlan.objects.filter(active=True, closed_from__isnull=True)
        .select_related("period")
        .annotate(last=Max("period__snapshots__as_of"))
        .order_by("pk")
    )
    taken = []
    for plan in plans:
        if not snapshot_due(plan.rhythm, plan.last, today):
            continue
        try:
            snapshot = snapshot_take(
                actor=None, period=plan.period, trigger=Trigger.SCHEDULE, check_role=False
            )
        except ServiceError as error:  # one period's bad data must not stop the others
            log.warning("snapshot of period %s refused: %s", plan.period_id, error.message)
            continue
        taken.append(snapshot.pk)
    return taken


# Daily (UTC, after the night's imports): each plan's rhythm decides whether it is due.
@db_periodic_task(crontab(hour="20", minute="41"))  # type: ignore[untyped-decorator]
def snapshots_due_task() -> list[int]:
    return snapshots_due_take()


@db_task()  # type: ignore[untyped-decorator]
def snapshot_take_task(period_id: int, actor_id: int | None) -> int:
    """ "Take a snapshot now" in a consumer (a province of thousands of units takes seconds)."""
    from django.contrib.auth.models import User

    actor = User.objects.get(pk=actor_id) if actor_id is not None else None
    period = Period.objects.get(pk=period_id)
    return int(snapshot_take(actor=actor, period=period).pk)
