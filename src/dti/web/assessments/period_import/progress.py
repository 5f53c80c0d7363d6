"""Room: values import — a job's progress as the page shows it, and its heartbeat.

The job row says what is known outside the import's transaction (rows read, the step); inside
it, the rows written so far are kept in the cache every process shares, with the time as a
heartbeat. A job whose heartbeat stopped died with its process (nothing was written).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from dti.web.assessments.models import ImportState, ValuesImport

# A running import beats its heartbeat at least every PROGRESS_ROWS rows read and between
# steps; one silent this long died with its process (nothing was written).
STALE_AFTER = dt.timedelta(minutes=10)
READING_SHARE = 40  # percent of the bar for reading; the rest for checking and writing


def live_key(job_id: int) -> str:
    return f"values-import:{job_id}:written"


def report_written(job: ValuesImport, rows: int) -> None:
    """Progress inside the import's transaction, where the job row cannot show it: kept in
    the cache every process shares, with the time as a heartbeat."""
    cache.set(live_key(job.pk), (rows, time.time()), timeout=int(STALE_AFTER.total_seconds()))


def is_interrupted(job: ValuesImport, now: dt.datetime | None = None) -> bool:
    """A job still marked as waiting or running whose heartbeat stopped: its process died."""
    if job.state not in (ImportState.QUEUED, ImportState.RUNNING):
        return False
    beats = [job.heartbeat_at or job.created_at]
    live = cache.get(live_key(job.pk))
    if live is not None:
        beats.append(dt.datetime.fromtimestamp(live[1], tz=dt.UTC))
    return (now or timezone.now()) - max(beats) > STALE_AFTER


@dataclass(frozen=True)
class ImportProgress:
    """What the progress page shows: reading counts for the first part of the bar, the
    checked-and-written rows for the rest."""

    running: bool
    interrupted: bool
    written: int | None  # rows checked and written so far (while the transaction is open)
    percent: int | None  # None: not measurable yet (waiting, or a file of unknown size)


def import_progress(job: ValuesImport, now: dt.datetime | None = None) -> ImportProgress:
    interrupted = is_interrupted(job, now)
    running = job.state in (ImportState.QUEUED, ImportState.RUNNING) and not interrupted
    live = cache.get(live_key(job.pk)) if running else None
    written = live[0] if live is not None else None
    percent = None
    if job.state == ImportState.DONE:
        percent = 100
    elif running and job.rows_total:
        percent = min(READING_SHARE, job.rows_done * READING_SHARE // job.rows_total)
        if written is not None:
            percent = READING_SHARE + written * (100 - READING_SHARE) // job.rows_total
        percent = min(99, percent)
    return ImportProgress(running, interrupted, written, percent)


def mark(job: ValuesImport, **fields: Any) -> None:
    """Record progress at once (outside any transaction, so the page sees it)."""
    fields["heartbeat_at"] = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    ValuesImport.objects.filter(pk=job.pk).update(**fields)
