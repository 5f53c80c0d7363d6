"""Room: values import — applying a checked file: the changed entries, their audit events and
the new scores, in one transaction with the units' assessments locked.

Framework by framework, each unit's data are validated with the file's rows in place (the
engine scores them); only entries whose values change are written, a chunk at a time, so
memory stays bounded whatever the file's size.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from dti.engine import CompiledFramework, DataError, ScoreResult, score
from dti.web.assessments.calculations import summaries
from dti.web.assessments.models import IndicatorEntry, ValuesImport
from dti.web.assessments.period_import.progress import report_written
from dti.web.assessments.period_import.reading import check_units, refused
from dti.web.assessments.period_values import FrameworkBatch, period_batches
from dti.web.assessments.quality import period_quality, warning_records
from dti.web.assessments.services import (
    SCORE_FIELDS,
    locked_for_scoring,
    pillar_names,
    store_scores,
)
from dti.web.audit.actions import AuditAction
from dti.web.audit.models import AuditEvent
from dti.web.audit.services import HEAD_FIELDS, audit_insert, audit_link, change_events
from dti.web.bulk import update_fields
from dti.web.frameworks.selectors import framework_compiled
from dti.web.ops.faults import pause_point

# Changed entries are written (and audited) this many at a time: memory stays bounded
# whatever the file's size.
WRITE_CHUNK = 5_000
ACTION = AuditAction.ENTRY_IMPORT
_KEYS = ["unit", "indicator"]
_VALUE_FIELDS = ("self_value", "self_denominator", "self_applicable")
# What the import writes of an entry (a values table carries no explanations).
_WRITTEN_FIELDS = [*_VALUE_FIELDS, "version", "updated_at"]


def job_apply(job: ValuesImport, frame: pl.DataFrame) -> tuple[int, int, list[dict[str, Any]]]:
    """Check every row against the units' current data and write; returns (units, changes,
    the data-quality warnings of the units written, as records)."""
    period = job.period
    codes = frame["unit"].unique().to_list()
    with transaction.atomic():
        assessments = locked_for_scoring(period.assessments.filter(unit__code__in=codes))
        check_units(frame, assessments)
        now = timezone.now()
        units = changed = done = 0
        for batch in period_batches(assessments, keys=True):
            units += len(batch.assessments)
            batch_changed, batch_rows = _apply_batch(job, batch, frame, now, done)
            changed += batch_changed
            done += batch_rows
            report_written(job, done)
        # The framework's quality rules over what was just written (warnings, not refusals).
        found = period_quality(period=period, units=codes)
        warnings = warning_records(w for unit in sorted(found) for w in found[unit])
        pause_point("period-import")  # crash tests: everything written, nothing committed yet
    return units, changed, warnings


def _apply_batch(
    job: ValuesImport, batch: FrameworkBatch, frame: pl.DataFrame, now: dt.datetime, done: int
) -> tuple[int, int]:
    """One framework's units: validate their data with the file's rows in place, write the
    changed entries and the scores. Returns (entries changed, rows of the file applied);
    ``done``: rows of earlier batches, for the progress."""
    mine = frame.filter(pl.col("unit").is_in(batch.units["unit"].implode())).with_columns(
        pl.col("applicable").fill_null(True)
    )
    compiled = framework_compiled(batch.framework)
    result = _scored(job, batch, mine, compiled)
    moved = _changed(batch, mine)
    _changes_write(job, batch, moved, now, done)
    _rescore(job, batch, mine, result, compiled, now)
    return moved.height, mine.height


def _scored(
    job: ValuesImport, batch: FrameworkBatch, mine: pl.DataFrame, compiled: CompiledFramework
) -> ScoreResult:
    """The batch's units scored on their stored values with the file's rows in their place
    (the engine's validation: any problem refuses the import)."""
    kept = batch.values(job.period.code).join(mine.select(_KEYS), on=_KEYS, how="anti")
    values = pl.concat([kept, mine], how="diagonal_relaxed")
    try:
        return score(compiled, values, batch.units, source=job.original_name)
    except DataError as exc:
        raise refused(exc) from exc


def _changed(batch: FrameworkBatch, mine: pl.DataFrame) -> pl.DataFrame:
    """The file's rows whose values differ from the stored entry's, with the entry's."""
    new = mine.select(
        *_KEYS,
        pl.when(pl.col("applicable")).then(pl.col("value")).alias("self_value"),
        pl.when(pl.col("applicable")).then(pl.col("denominator")).alias("self_denominator"),
        pl.col("applicable").alias("self_applicable"),
    )
    old = batch.entries.select("entry", "version", "assessment", *_KEYS, *_VALUE_FIELDS)
    return new.join(old, on=_KEYS, suffix="_old").filter(
        pl.col("self_value").ne_missing(pl.col("self_value_old"))
        | pl.col("self_denominator").ne_missing(pl.col("self_denominator_old"))
        | pl.col("self_applicable").ne_missing(pl.col("self_applicable_old"))
    )


def _changes_write(
    job: ValuesImport, batch: FrameworkBatch, moved: pl.DataFrame, now: dt.datetime, done: int
) -> None:
    """Write the changed entries and their audit events, a chunk at a time."""
    by_pk = {a.pk: a for a in batch.assessments}
    written = 0
    for chunk in moved.iter_slices(WRITE_CHUNK):
        entries: list[IndicatorEntry] = []
        events: list[AuditEvent] = []
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
                actor=job.uploaded_by,
                action=ACTION,
                obj=entry,
                assessment=by_pk[row["assessment"]],
                before={f: row[f"{f}_old"] for f in _VALUE_FIELDS},
                after={f: row[f] for f in _VALUE_FIELDS},
                reason=job.original_name,
            )
        update_fields(entries, _WRITTEN_FIELDS)
        # Linked in order into each assessment's chain (the heads are saved with the scores).
        audit_link(events)
        audit_insert(events)
        written += chunk.height
        # (unchanged rows are not written: progress counts the changed ones until the end)
        report_written(job, done + written)


def _rescore(
    job: ValuesImport,
    batch: FrameworkBatch,
    mine: pl.DataFrame,
    result: ScoreResult,
    compiled: CompiledFramework,
    now: dt.datetime,
) -> None:
    """Store the new scores of the units the file touched, audited."""
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
            actor=job.uploaded_by,
            reason=job.original_name,
        )
        assessment.updated_at = now
    audit_link(events)
    update_fields(rescored, [*SCORE_FIELDS, *HEAD_FIELDS])
    audit_insert(events)
