"""Operations on the queue's schedule (huey, discovered by djhuey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dti.web.ops.storage import grace_period, sweep


@db_periodic_task(crontab(minute="23"))  # type: ignore[untyped-decorator]
def storage_sweep_task() -> int:
    """Hourly, what ``manage.py dti_storage_sweep`` does: files no row names, once older than
    the grace period, removed. Returns how many."""
    return len(sweep(grace=grace_period()).removed)
