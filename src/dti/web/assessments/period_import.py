"""Many units' values for a period in one file, applied in the background with its progress.

The department collects some data centrally (the national public-service portal's online rates,
a survey's results) and enters it for every unit at once: a long values table (``unit, period,
indicator, value[, denominator][, applicable]``, .xlsx or .csv — the CLI's format), tens of
thousands of rows. The upload is stored and answered at once; a background thread reads it
(reporting rows read, so the page shows a progress bar), then, in one transaction with the
units' assessments locked, checks every row with the engine and writes the changed values,
their audit events and the new scores. Any problem fails the whole import with located
messages and nothing written; a process that dies mid-way leaves the same (the transaction
rolls back) and the page says the import was interrupted.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dti.engine import DataError, score
from dti.io.tables import ReadProgress, read_values
from dti.io.workbook_safety import check_workbook_archive
from dti.web.accounts.models import Role
from dti.web.accounts.policy import require_role
from dti.web.assessments.calculations import summaries
from dti.web.assessments.models import (
    Assessment,
    ImportState,
    IndicatorEntry,
    Period,
    ValuesImport,
)
from dti.web.assessments.period_values import FrameworkBatch, period_batches
from dti.web.assessments.services import (
    SCORE_FIELDS,
    locked_for_scoring,
    pillar_names,
    store_scores,
)
from dti.web.assessments.workflow import SELF_EDITABLE
from dti.web.audit.models import AuditEvent
from dti.web.audit.services import change_events
from dti.web.bulk import update_fields
from dti.web.errors import InvalidInput, ServiceError
from dti.web.frameworks.selectors import framework_compiled
from dti.web.ops.faults import pause_point
from dti.web.ops.names import checked_upload_name
from dti.web.ops.scan import scan_upload
from dti.web.ops.storage import delete_on_error, make_durable

__all__ = [
    "STALE_AFTER",
    "ImportProgress",
    "import_progress",
    "is_interrupted",
    "values_import_run",
    "values_import_start",
]

log = logging.getLogger(__name__)

EXTENSIONS = (".xlsx", ".csv")
# A running import beats its heartbeat at least every PROGRESS_ROWS rows read and between
# steps; one silent this long died with its process (nothing was written).
STALE_AFTER = dt.timedelta(minutes=10)
# Changed entries are written (and audited) this many at a time: memory stays bounded
# whatever the file's size.
WRITE_CHUNK = 5_000
MAX_PROBLEMS = 200
ACTION = "entry_import"


def values_import_start(*, actor: Any, period: Period, upload: UploadedFile) -> ValuesImport:
    """Check and store the upload, then start applying it once this transaction commits."""
    require_role(actor, Role.ADMIN)
    name = checked_upload_name(upload.name)
    if Path(name).suffix.lower() not in EXTENSIONS:
        raise InvalidInput(_("Upload a values table (.xlsx or .csv)."))
    if upload.size is None or upload.size > settings.DTI_WORKBOOK_MAX_BYTES:
        raise InvalidInput(
            _("The file is larger than %(mb)s MB.")
            % {"mb": settings.DTI_WORKBOOK_MAX_BYTES // (1024 * 1024)}
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{Path(name).suffix.lower()}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        scan_upload(path, name)
        if path.suffix == ".xlsx":  # not a workbook, or a zip bomb: refused before it is stored
            try:
                check_workbook_archive(path, name=name)
            except DataError as exc:
                raise _refused(exc) from exc
        storage = ValuesImport._meta.get_field("file").storage
        # Written and flushed before the row commits; see dti.web.ops.storage.
        with transaction.atomic(), delete_on_error(storage) as written:
            job = ValuesImport(
                period=period,
                original_name=name,
                uploaded_by=actor,
                step=_("Waiting to start"),
                heartbeat_at=timezone.now(),
            )
            with path.open("rb") as handle:
                job.file.save(name, File(handle), save=False)
            written.append(job.file.name)
            make_durable(storage, job.file.name)
            job.save()
            transaction.on_commit(lambda: _in_background(job.pk))
    return job


def _in_background(job_id: int) -> None:
    in_memory = getattr(connection, "is_in_memory_db", lambda: False)
    if connection.vendor == "sqlite" and in_memory():
        # An in-memory SQLite database (the SQLite test run) refuses a second connection's
        # write while it is read ("database table is locked", no waiting): apply it here.
        values_import_run(job_id)
        return
    thread = threading.Thread(
        target=_run_and_close, args=(job_id,), name=f"values-import-{job_id}", daemon=True
    )
    thread.start()


def _run_and_close(job_id: int) -> None:
    try:
        values_import_run(job_id)
    finally:
        connections.close_all()  # this thread's own connections


def is_interrupted(job: ValuesImport, now: dt.datetime | None = None) -> bool:
    """A job still marked as waiting or running whose heartbeat stopped: its process died."""
    if job.state not in (ImportState.QUEUED, ImportState.RUNNING):
        return False
    beats = [job.heartbeat_at or job.created_at]
    live = cache.get(_live_key(job.pk))
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


READING_SHARE = 40  # percent of the bar for reading; the rest for checking and writing


def import_progress(job: ValuesImport, now: dt.datetime | None = None) -> ImportProgress:
    interrupted = is_interrupted(job, now)
    running = job.state in (ImportState.QUEUED, ImportState.RUNNING) and not interrupted
    live = cache.get(_live_key(job.pk)) if running else None
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


def _live_key(job_id: int) -> str:
    return f"values-import:{job_id}:written"


def _written(job: ValuesImport, rows: int) -> None:
    """Progress inside the import's transaction, where the job row cannot show it: kept in
    the cache every process shares, with the time as a heartbeat."""
    cache.set(_live_key(job.pk), (rows, time.time()), timeout=int(STALE_AFTER.total_seconds()))


def _mark(job: ValuesImport, **fields: Any) -> None:
    """Record progress at once (outside any transaction, so the page sees it)."""
    fields["heartbeat_at"] = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    ValuesImport.objects.filter(pk=job.pk).update(**fields)


def values_import_run(job_id: int) -> ValuesImport:
    """Apply a stored import (the background thread's work; tests call it directly)."""
    # Claimed by one conditional UPDATE: a second runner of the same job finds it taken.
    claimed = ValuesImport.objects.filter(pk=job_id, state=ImportState.QUEUED).update(
        state=ImportState.RUNNING, heartbeat_at=timezone.now()
    )
    job = ValuesImport.objects.select_related("period", "uploaded_by").get(pk=job_id)
    if not claimed:
        return job
    _mark(job, step=_("Reading the file"))
    try:
        frame = _read(job)
        _mark(
            job,
            step=_("Checking and writing %(n)s rows") % {"n": f"{frame.height:,}"},
            rows_done=frame.height,
            rows_total=frame.height,
        )
        _written(job, 0)
        units, changed = _apply(job, frame)
    except ServiceError as error:
        _mark(
            job,
            state=ImportState.FAILED,
            step=_shown(error.message),
            problems=[_shown(p) for p in error.problems[:MAX_PROBLEMS]],
            finished_at=timezone.now(),
        )
    except Exception:
        log.exception("values import %s failed", job.pk)
        _mark(
            job,
            state=ImportState.FAILED,
            step=_("The import stopped on an unexpected error; nothing was written."),
            finished_at=timezone.now(),
        )
    else:
        _mark(
            job,
            state=ImportState.DONE,
            step=_("Done"),
            units=units,
            changed=changed,
            finished_at=timezone.now(),
        )
    finally:
        cache.delete(_live_key(job.pk))  # the job row tells the rest
    return job


def _shown(text: str, limit: int = 500) -> str:
    """A message as it can be stored and shown: a binary file's header quoted in it carries
    NUL and control characters (PostgreSQL's JSON refuses NUL), and it can be long."""
    printable = "".join(c if c.isprintable() else "\ufffd" for c in text)
    return printable if len(printable) <= limit else printable[: limit - 1] + "…"


def _read(job: ValuesImport) -> pl.DataFrame:
    def heard(progress: ReadProgress) -> None:
        total = max(progress.total - 1, progress.rows) if progress.total else None
        _mark(job, rows_done=progress.rows, rows_total=total)  # (the header row is not data)

    with job.file.open("rb") as stored, tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / job.original_name
        with path.open("wb") as out:
            for chunk in stored.chunks():
                out.write(chunk)
        try:
            frame, template = read_values(path, progress=heard)
        except DataError as exc:
            raise _refused(exc) from exc
    if template is not None:
        raise InvalidInput(
            _(
                "This is one unit's self-assessment template: import it on that unit's page. "
                "Here, upload a values table (unit, period, indicator, value)."
            )
        )
    if not frame.height:
        raise InvalidInput(_("The file has no rows of values."))
    code = job.period.code
    elsewhere = frame.filter(pl.col("period") != code)
    if elsewhere.height:
        raise InvalidInput(
            _("Every row must be of period %(code)s.") % {"code": code},
            problems=[
                _("row %(row)s: period %(got)s") % {"row": row, "got": got}
                for row, got in elsewhere.select("row", "period").head(MAX_PROBLEMS).iter_rows()
            ],
        )
    return frame


def _refused(exc: DataError) -> InvalidInput:
    return InvalidInput(
        _("The file has problems; nothing was written."),
        problems=[str(p) for p in exc.problems[:MAX_PROBLEMS]],
    )


def _apply(job: ValuesImport, frame: pl.DataFrame) -> tuple[int, int]:
    """Check every row against the units' current data and write; returns (units, changes)."""
    period = job.period
    codes = frame["unit"].unique().to_list()
    with transaction.atomic():
        assessments = locked_for_scoring(period.assessments.filter(unit__code__in=codes))
        _check_units(frame, assessments)
        now = timezone.now()
        units = changed = done = 0
        for batch in period_batches(assessments, keys=True):
            units += len(batch.assessments)
            batch_changed, batch_rows = _apply_batch(job, batch, frame, now, done)
            changed += batch_changed
            done += batch_rows
            _written(job, done)
        pause_point("period-import")  # crash tests: everything written, nothing committed yet
    return units, changed


def _check_units(frame: pl.DataFrame, assessments: list[Assessment]) -> None:
    status = {a.unit.code: a.get_status_display() for a in assessments}
    editable = {a.unit.code for a in assessments if a.status in SELF_EDITABLE}
    problems = []
    first_rows = frame.group_by("unit", maintain_order=True).agg(pl.col("row").min())
    for unit, row in first_rows.iter_rows():
        if unit not in status:
            problems.append(
                _("row %(row)s: unit %(unit)s has no assessment in this period")
                % {"row": row, "unit": unit}
            )
        elif unit not in editable:
            problems.append(
                _(
                    "row %(row)s: unit %(unit)s is %(status)s; its data can only change "
                    "through verification or after a reopening"
                )
                % {"row": row, "unit": unit, "status": status[unit]}
            )
    if problems:
        raise InvalidInput(
            _("Some rows are for units whose data cannot be written; nothing was written."),
            problems=problems[:MAX_PROBLEMS],
        )


def _apply_batch(
    job: ValuesImport, batch: FrameworkBatch, frame: pl.DataFrame, now: dt.datetime, done: int
) -> tuple[int, int]:
    """One framework's units: validate their data with the file's rows in place, write the
    changed entries and the scores. Returns (entries changed, rows of the file applied);
    ``done``: rows of earlier batches, for the progress."""
    period_code = job.period.code
    mine = frame.filter(pl.col("unit").is_in(batch.units["unit"].implode())).with_columns(
        pl.col("applicable").fill_null(True)
    )
    keys = ["unit", "indicator"]
    kept = batch.values(period_code).join(mine.select(keys), on=keys, how="anti")
    values = pl.concat([kept, mine], how="diagonal_relaxed")
    compiled = framework_compiled(batch.framework)
    try:
        result = score(compiled, values, batch.units, source=job.original_name)
    except DataError as exc:
        raise _refused(exc) from exc
    new = mine.select(
        *keys,
        pl.when(pl.col("applicable")).then(pl.col("value")).alias("self_value"),
        pl.when(pl.col("applicable")).then(pl.col("denominator")).alias("self_denominator"),
        pl.col("applicable").alias("self_applicable"),
    )
    old = batch.entries.select(
        "entry", "version", "assessment", *keys, "self_value", "self_denominator", "self_applicable"
    )
    moved = new.join(old, on=keys, suffix="_old").filter(
        pl.col("self_value").ne_missing(pl.col("self_value_old"))
        | pl.col("self_denominator").ne_missing(pl.col("self_denominator_old"))
        | pl.col("self_applicable").ne_missing(pl.col("self_applicable_old"))
    )
    by_pk = {a.pk: a for a in batch.assessments}
    actor = job.uploaded_by
    written = 0
    for chunk in moved.iter_slices(WRITE_CHUNK):
        entries, events = [], []
        for row in chunk.iter_rows(named=True):
            entry = IndicatorEntry(
                pk=row["entry"],
                assessment_id=row["assessment"],
                indicator=row["indicator"],
                self_value=row["self_value"],
                self_denominator=row["self_denominator"],
                self_applicable=row["self_applicable"],
                version=row["version"] + 1,
                updated_at=now,
            )
            entries.append(entry)
            events += change_events(
                actor=actor,
                action=ACTION,
                obj=entry,
                assessment=by_pk[row["assessment"]],
                before={f: row[f"{f}_old"] for f in _VALUE_FIELDS},
                after={f: row[f] for f in _VALUE_FIELDS},
                reason=job.original_name,
            )
        update_fields(entries, _WRITTEN_FIELDS)
        AuditEvent.objects.bulk_create(events, batch_size=2_000)
        written += chunk.height
        # (unchanged rows are not written: progress counts the changed ones until the end)
        _written(job, done + written)
    own = summaries(result)
    names = pillar_names(compiled)
    touched = set(mine["unit"].unique().to_list())
    rescored = [a for a in batch.assessments if a.unit.code in touched]
    events = []
    for assessment in rescored:
        events += store_scores(
            assessment,
            own[assessment.unit.code],
            None,
            names,
            actor=actor,
            reason=job.original_name,
        )
        assessment.updated_at = now
    update_fields(rescored, SCORE_FIELDS)
    AuditEvent.objects.bulk_create(events, batch_size=2_000)
    return moved.height, mine.height


_VALUE_FIELDS = ("self_value", "self_denominator", "self_applicable")
# What the import writes of an entry (a values table carries no explanations).
_WRITTEN_FIELDS = [*_VALUE_FIELDS, "version", "updated_at"]
