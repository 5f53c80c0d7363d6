"""Deadline reminders: 7 days and 1 day before each unit's own deadline, to the reporters of
the units that have not yet submitted — once per unit, user and threshold."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from dti.web.accounts.policy import unit_reporters
from dti.web.assessments.models import Assessment, Status
from dti.web.assessments.workflow import self_deadline
from dti.web.notifications.events import assessment_link, assessment_params
from dti.web.notifications.kinds import REMINDERS
from dti.web.notifications.models import ReminderSent
from dti.web.notifications.services import notify


def threshold_due(deadline: dt.datetime, now: dt.datetime) -> int | None:
    """The tightest threshold (in days) the deadline is within, or None (past, or far)."""
    if deadline <= now:
        return None
    due = [days for days in REMINDERS if deadline - now <= dt.timedelta(days=days)]
    return min(due) if due else None


def deadline_reminders_send(now: dt.datetime | None = None) -> int:
    """Remind the reporters of every draft whose deadline (the unit's extension, else the
    period's) falls within a threshold; returns how many reminders were given.

    Only the tightest threshold due is sent (a unit first seen one day before is not also
    told "7 days"). Idempotent: the reminder and its row are written in one transaction, and
    the row's unique constraint refuses a second one (another run, another consumer)."""
    now = now or timezone.now()
    # Drafts whose own deadline (an extension, else the period's) is still ahead.
    ahead = Q(self_deadline_override__gt=now) | Q(
        self_deadline_override=None, period__self_deadline__gt=now
    )
    drafts = list(
        Assessment.objects.filter(ahead, status=Status.DRAFT)
        .select_related("unit", "period")
        .order_by("pk")
    )
    due = [(a, d) for a in drafts if (d := threshold_due(self_deadline(a), now)) is not None]
    reporters = unit_reporters({a.unit_id for a, _ in due})
    given = 0
    for assessment, days in due:
        deadline = self_deadline(assessment)
        for user in reporters[assessment.unit_id]:
            try:
                with transaction.atomic():
                    _row, created = ReminderSent.objects.get_or_create(
                        assessment=assessment, user=user, days=days, deadline=deadline
                    )
                    if created:
                        notify(
                            users=[user],
                            kind=REMINDERS[days],
                            params=assessment_params(assessment),
                            link=assessment_link(assessment),
                        )
            except IntegrityError:
                continue  # a concurrent run gave this one
            given += int(created)
    return given
