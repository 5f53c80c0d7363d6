"""Writing a pull: the measured values into the units' entries, their audit events, the
provenance of each value (the page it came from, stored with its checksum; the mapping's
version) and the new scores — in one transaction with the units' assessments locked, so a
pull is all or nothing. A value that contradicts what the unit had declared is kept beside
the measurement and flagged.

Units whose own data are closed (submitted and later) are left alone and listed: their values
change only through verification or an audited reopening.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from dti.engine import DataError, ScoreResult, score
from dti.io.connectors import Fetched, SourceError
from dti.web.assessments.calculations import summaries
from dti.web.assessments.models import IndicatorEntry
from dti.web.assessments.period_values import FrameworkBatch, period_batches
from dti.web.assessments.services import (
    SCORE_FIELDS,
    locked_for_scoring,
    pillar_names,
    store_scores,
)
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import HEAD_FIELDS, audit_insert, audit_link, audit_rows_append
from dti.web.bulk import insert_rows, update_fields, update_rows
from dti.web.connectors.models import MeasuredValue, Pull, PullPayload
from dti.web.frameworks.selectors import framework_compiled, framework_measured
from dti.web.ops.faults import pause_point
from dti.web.ops.storage import delete_on_error, make_durable

__all__ = ["PullWritten", "pull_write"]

WRITE_CHUNK = 5_000
_KEYS = ["unit", "indicator"]
_VALUE_FIELDS = ("self_value", "self_denominator")
_WRITTEN_FIELDS = [*_VALUE_FIELDS, "self_applicable", "version", "updated_at"]
# Two numbers closer than this are the same measurement (sources print rounded decimals).
_SAME = 1e-9


@dataclass
class PullWritten:
    values: int = 0
    changed: int = 0
    units: int = 0
    conflicts: int = 0
    skipped: list[str] = field(default_factory=list)


def pull_write(
    pull: Pull, frame: pl.DataFrame, fetched: Fetched, editable: Collection[str]
) -> PullWritten:
    """Write everything ``frame`` measured, or nothing (``editable``: the assessment states
    whose own data may change)."""
    written = PullWritten()
    codes = frame["unit"].unique().to_list()
    storage = PullPayload._meta.get_field("file").storage
    with transaction.atomic(), delete_on_error(storage) as files:
        assessments = locked_for_scoring(pull.period.assessments.filter(unit__code__in=codes))
        open_ = [a for a in assessments if a.status in editable]
        written.skipped = sorted(a.unit.code for a in assessments if a.status not in editable)
        payloads = _payloads(pull, fetched, files)
        now = timezone.now()
        for batch in period_batches(open_, keys=True):
            _write_batch(pull, batch, frame, payloads, now, written)
        pause_point("pull")  # crash tests: everything written, nothing committed yet
    return written


def _payloads(pull: Pull, fetched: Fetched, files: list[str]) -> dict[int, PullPayload]:
    """Each page as received, stored (flushed before the rows commit) with its checksum."""
    storage = PullPayload._meta.get_field("file").storage
    rows = []
    for page in fetched.pages:
        payload = PullPayload(
            pull=pull,
            number=page.number,
            request=page.request[:2000],
            status=page.status,
            fetched_at=page.fetched_at,
            sha256=page.sha256,
            size=len(page.body),
            content_type=page.content_type[:120],
        )
        suffix = ".json" if "json" in page.content_type else ".csv"
        payload.file.save(f"page{page.number}{suffix}", ContentFile(page.body), save=False)
        files.append(payload.file.name)
        make_durable(storage, payload.file.name)
        rows.append(payload)
    PullPayload.objects.bulk_create(rows)
    return {p.number: p for p in rows}


def _write_batch(
    pull: Pull,
    batch: FrameworkBatch,
    frame: pl.DataFrame,
    payloads: dict[int, PullPayload],
    now: dt.datetime,
    written: PullWritten,
) -> None:
    measured = framework_measured(batch.framework)
    mine = frame.filter(
        pl.col("unit").is_in(batch.units["unit"].implode())
        & pl.col("indicator").is_in(
            [c for c, s in measured.items() if s.connector == pull.connector.code]
        )
    )
    if not mine.height:
        return
    compiled = framework_compiled(batch.framework)
    kept = batch.values(pull.period.code).join(mine.select(_KEYS), on=_KEYS, how="anti")
    values = pl.concat([kept, mine.select(kept.columns)], how="diagonal_relaxed")
    try:
        result = score(compiled, values, batch.units, source=pull.connector.name)
    except DataError as exc:
        raise SourceError(exc.problems) from exc
    joined = _joined(batch, mine)
    _entries_write(pull, batch, joined, now, written)
    _provenance_write(pull, joined, payloads, now, written)
    _rescore(pull, batch, mine, result, now)
    written.units += mine["unit"].n_unique()
    written.values += mine.height


def _joined(batch: FrameworkBatch, mine: pl.DataFrame) -> pl.DataFrame:
    """The measured rows with their entries as stored, and whether each was declared (typed
    by the unit: never measured before) and contradicts the measurement."""
    old = batch.entries.select(
        "entry", "version", "assessment", *_KEYS, *_VALUE_FIELDS, "self_applicable"
    )
    joined = mine.join(old, on=_KEYS, how="inner")
    # (by the batch's assessments, not the entries: a pull's tens of thousands of ids would
    # exceed a statement's parameters)
    ever = set(
        MeasuredValue.objects.filter(
            entry__assessment_id__in=[a.pk for a in batch.assessments]
        ).values_list("entry_id", flat=True)
    )
    differs = _differs("value", "self_value") | _differs("denominator", "self_denominator")
    moved = differs | ~pl.col("self_applicable")
    return joined.with_columns(
        moved.alias("moved"),
        (~pl.col("entry").is_in(list(ever)) & pl.col("self_value").is_not_null() & differs).alias(
            "conflict"
        ),
    )


def _differs(new: str, old: str) -> pl.Expr:
    a, b = pl.col(new), pl.col(old)
    return (a.is_null() != b.is_null()) | ((a - b).abs() > _SAME).fill_null(False)


def _entries_write(
    pull: Pull, batch: FrameworkBatch, joined: pl.DataFrame, now: dt.datetime, written: PullWritten
) -> None:
    """The changed entries, a chunk at a time, each with one audit event (its data before and
    after as one mapping; the page shows "Value: …; Denominator: …"), both as plain rows."""
    by_pk = {a.pk: a for a in batch.assessments}
    actor = pull.requested_by
    common = {
        "at": now,
        "actor_id": actor.pk if actor is not None else None,
        "actor_name": actor.get_username() if actor is not None else "",
        "action": str(AuditAction.ENTRY_PULL),
        "object_type": IndicatorEntry._meta.label_lower,
        "field": "measured",
        "reason": f"{pull.connector.name} #{pull.pk}",
    }
    for chunk in joined.filter(pl.col("moved")).iter_slices(WRITE_CHUNK):
        rows: list[tuple[Any, ...]] = []
        events: list[dict[str, Any]] = []
        for row in chunk.iter_rows(named=True):
            rows.append(
                (row["value"], row["denominator"], True, row["version"] + 1, now, row["entry"])
            )
            events.append(
                {
                    **common,
                    "object_id": str(row["entry"]),
                    "object_label": row["indicator"],
                    "assessment_id": row["assessment"],
                    "old": {
                        "self_value": row["self_value"],
                        "self_denominator": row["self_denominator"],
                        "self_applicable": row["self_applicable"],
                    },
                    "new": {
                        "self_value": row["value"],
                        "self_denominator": row["denominator"],
                        "self_applicable": True,
                    },
                }
            )
        update_rows(IndicatorEntry, _WRITTEN_FIELDS, rows)
        audit_rows_append(events, by_pk)
        written.changed += chunk.height


_PROVENANCE = (
    "entry_id",
    "pull_id",
    "payload_id",
    "value",
    "denominator",
    "source_unit",
    "position",
    "mapping_version",
    "declared_value",
    "declared_denominator",
    "conflict",
    "measured_at",
)


def _provenance_write(
    pull: Pull,
    joined: pl.DataFrame,
    payloads: dict[int, PullPayload],
    now: dt.datetime,
    written: PullWritten,
) -> None:
    """One row per measured value, inserted as plain rows (tens of thousands a pull)."""
    version = pull.connector.mapping_version
    payload_ids = {number: p.pk for number, p in payloads.items()}
    rows = []
    for row in joined.iter_rows(named=True):
        conflict = bool(row["conflict"])
        rows.append(
            (
                row["entry"],
                pull.pk,
                payload_ids[row["page"]],
                row["value"],
                row["denominator"],
                row["source_unit"][:120],
                row["position"],
                version,
                row["self_value"] if conflict else None,
                row["self_denominator"] if conflict else None,
                conflict,
                now,
            )
        )
        written.conflicts += conflict
    insert_rows(MeasuredValue, _PROVENANCE, rows)


def _rescore(
    pull: Pull,
    batch: FrameworkBatch,
    mine: pl.DataFrame,
    result: ScoreResult,
    now: dt.datetime,
) -> None:
    own = summaries(result)
    names = pillar_names(framework_compiled(batch.framework))
    touched = set(mine["unit"].unique().to_list())
    rescored = [a for a in batch.assessments if a.unit.code in touched]
    events = []
    for assessment in rescored:
        events += store_scores(
            assessment,
            own[assessment.unit.code],
            None,
            names,
            actor=pull.requested_by,
            reason=f"{pull.connector.name} #{pull.pk}",
        )
        assessment.updated_at = now
    audit_link(events)
    update_fields(rescored, [*SCORE_FIELDS, *HEAD_FIELDS])
    audit_insert(events)
