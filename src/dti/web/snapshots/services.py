"""Writes of continuous measurement: the plan, a snapshot taken, the year closed from one.

A snapshot is load → compute → save: every assessment of the period in one query per
framework (:func:`dti.web.assessments.period_values.period_batches`), the values that count
now scored and ranked by one engine call per framework, the framework's data-quality rules
judged on the same frame, and one row per unit written in bulk. It reads the entries as
they stand when it runs — that is what "as of" its date means — and keeps them: the history
is the snapshots themselves, never recomputed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dti.engine import DataError, score
from dti.web.accounts.actors import Actor
from dti.web.accounts.policy import require_period_admin
from dti.web.assessments.models import Period
from dti.web.assessments.period_values import FrameworkBatch, period_batches
from dti.web.assessments.quality import (
    assessments_to_score,
    batch_quality,
    counted_values,
    previous_values,
    warning_records,
)
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_changes, audit_record
from dti.web.bulk import insert_rows
from dti.web.errors import InvalidInput, InvalidState
from dti.web.frameworks.selectors import framework_compiled
from dti.web.problems import problem_texts
from dti.web.snapshots.models import ContinuousPlan, Rhythm, Snapshot, SnapshotResult, Trigger

__all__ = ["continuous_set", "snapshot_check", "snapshot_take"]


def continuous_set(
    *, actor: Actor, period: Period, active: bool, rhythm: Rhythm | str = Rhythm.MONTHLY
) -> ContinuousPlan:
    """Measure ``period`` continuously at ``rhythm`` (or stop); audited."""
    require_period_admin(actor, period)
    rhythm = Rhythm(rhythm)
    with transaction.atomic():
        plan, _created = ContinuousPlan.objects.select_for_update().get_or_create(
            period=period, defaults={"active": False}
        )
        if plan.closed_from_id is not None and active:
            raise InvalidState(_("The year was closed from a snapshot: no more are taken."))
        before = {"active": plan.active, "rhythm": plan.rhythm}
        plan.active, plan.rhythm = active, rhythm
        plan.save(update_fields=["active", "rhythm"])
        audit_changes(
            actor=actor,
            action=AuditAction.CONTINUOUS_SET,
            obj=plan,
            before=before,
            after={"active": plan.active, "rhythm": str(plan.rhythm)},
        )
    return plan


def snapshot_check(
    *, actor: Actor | None, period: Period, as_of: dt.date, check_role: bool = True
) -> None:
    """Raise why a snapshot of ``period`` as of ``as_of`` cannot be taken (the page asks
    before it puts the work on the queue)."""
    if check_role:
        require_period_admin(actor, period)
    plan = ContinuousPlan.objects.filter(period=period).first()
    if plan is not None and plan.closed_from_id is not None:
        raise InvalidState(_("The year was closed from a snapshot: no more are taken."))
    if Snapshot.objects.filter(period=period, as_of=as_of).exists():
        raise InvalidState(
            _("A snapshot as of %(date)s exists already.") % {"date": f"{as_of:%d/%m/%Y}"}
        )


@dataclass(frozen=True)
class _Scored:
    rows: Sequence[tuple[object, ...]]  # in _RESULT_COLUMNS order
    warnings: int


_RESULT_COLUMNS = (
    "snapshot",
    "unit",
    "group",
    "status",
    "score",
    "percent",
    "band",
    "rank",
    "group_size",
    "pillars",
    "values",
    "warnings",
)
_JSON_COLUMNS = frozenset({"pillars", "values", "warnings"})


def snapshot_take(
    *,
    actor: Actor | None,
    period: Period,
    as_of: dt.date | None = None,
    trigger: Trigger = Trigger.MANUAL,
    check_role: bool = True,
) -> Snapshot:
    """Score every unit of ``period`` on the values that count now, rank them (provisionally)
    within their groups, judge the data-quality rules, and keep it all as the snapshot of
    ``as_of`` (today by default). All or nothing; a second snapshot of the same day is
    refused (the schedule's retries and a double click find the first)."""
    as_of = as_of or timezone.localdate()
    snapshot_check(actor=actor, period=period, as_of=as_of, check_role=check_role)
    batches = period_batches(assessments_to_score(period.assessments.all()))
    previous = previous_values(period, [a.unit.code for b in batches for a in b.assessments])
    try:
        with transaction.atomic():
            snapshot = Snapshot.objects.create(
                period=period,
                as_of=as_of,
                taken_by=actor if actor is not None and actor.is_authenticated else None,
                trigger=trigger,
            )
            scored = [_scored(snapshot, period, batch, previous) for batch in batches]
            rows = [r for s in scored for r in s.rows]
            insert_rows(SnapshotResult, _RESULT_COLUMNS, rows, json_text=_JSON_COLUMNS)
            snapshot.units = len(rows)
            snapshot.warnings = sum(s.warnings for s in scored)
            snapshot.save(update_fields=["units", "warnings"])
            audit_record(
                actor=actor,
                action=AuditAction.SNAPSHOT_TAKE,
                obj=snapshot,
                new={"as_of": as_of.isoformat(), "units": snapshot.units},
                reason=str(Trigger(trigger).label),
            )
    except IntegrityError as exc:  # another process took the same day's meanwhile
        raise InvalidState(
            _("A snapshot as of %(date)s exists already.") % {"date": f"{as_of:%d/%m/%Y}"}
        ) from exc
    return snapshot


def _scored(
    snapshot: Snapshot, period: Period, batch: FrameworkBatch, previous: pl.DataFrame | None
) -> _Scored:
    values = counted_values(batch, period)
    try:
        result = score(framework_compiled(batch.framework), values, batch.units)
    except DataError as exc:
        raise InvalidInput(
            _("Some stored values cannot be scored; no snapshot was taken."),
            problems=problem_texts(exc.problems, limit=20),
        ) from exc
    warnings = batch_quality(batch, values, previous)
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for record in warning_records(warnings):
        by_unit.setdefault(record.pop("unit"), []).append(record)
    kept = _values_json(values, result.indicators)
    pillars: dict[str, list[dict[str, Any]]] = {}
    for unit, pillar, pts, mx in result.pillars.select(
        "unit", "pillar", "points", "max"
    ).iter_rows():
        pillars.setdefault(unit, []).append(
            {"pillar": pillar, "points": float(pts), "max": float(mx)}
        )
    units = {a.unit.code: a for a in batch.assessments}
    table = result.units.select("unit", "group", "score", "percent", "band_name", "rank")
    sizes = Counter(table["group"].to_list())
    rows = [
        (
            snapshot.pk,
            units[unit].unit_id,
            group,
            units[unit].status,
            float(total),
            float(percent),
            str(band or ""),
            int(rank),
            sizes[group],
            json.dumps(pillars.get(unit, []), ensure_ascii=False),
            kept.get(unit, "{}"),
            json.dumps(by_unit.get(unit, []), ensure_ascii=False),
        )
        for unit, group, total, percent, band, rank in table.iter_rows()
    ]
    return _Scored(rows, len(warnings))


def _values_json(values: pl.DataFrame, indicators: pl.DataFrame) -> dict[str, str]:
    """unit → its values as JSON text, ``{indicator: [value, denominator, applicable,
    points]}``: written by Polars, one string per unit, without a Python object per value
    (500,000 values are a Python loop of seconds)."""
    frame = values.select("unit", "indicator", "value", "denominator", "applicable")
    if indicators.height:
        points = indicators.select("unit", "indicator", "points").unique(
            ["unit", "indicator"], keep="first"
        )
        frame = frame.join(points, on=["unit", "indicator"], how="left")
    else:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias("points"))

    def number(column: str) -> pl.Expr:
        # JSON has no NaN (PostgreSQL refuses it): an empty value is null.
        return pl.col(column).fill_nan(None).cast(pl.String).fill_null("null")

    applicable = pl.col("applicable").fill_null(True)
    item = pl.format(
        '"{}":[{},{},{},{}]',
        # (codes are [A-Za-z0-9._-] by the framework's schema: quoting is all they need)
        pl.col("indicator"),
        number("value"),
        number("denominator"),
        pl.when(applicable).then(pl.lit("true")).otherwise(pl.lit("false")),
        number("points"),
    )
    grouped = (
        frame.select("unit", item.alias("item"))
        .group_by("unit", maintain_order=True)
        .agg(pl.col("item").str.join(","))
    )
    return {unit: "{" + text + "}" for unit, text in grouped.iter_rows()}
