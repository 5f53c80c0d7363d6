"""Every entry of a period as engine frames: one query per framework, no ORM object per entry.

Period-wide work (the ranking read by the results pages, the recompute after a framework
correction) scores thousands of units in one engine call. Loading their entries one
assessment at a time cost a query each and an object per entry (34 s for 5,000 units × 100
leaves); here the rows come from one cursor straight into Polars. Each batch's framework is
read once (selected with each assessment, its YAML text crossed the wire 5,000 times).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

import polars as pl
from django.db import connection

from dti.web.assessments.calculations import UnitRow, units_frame
from dti.web.assessments.models import Assessment, IndicatorEntry, Status
from dti.web.assessments.workflow import counted_values_frame, counts_verified
from dti.web.frameworks.models import FrameworkVersion

__all__ = ["FrameworkBatch", "period_batches"]

# The entry's own key and version, for callers that write entries back (the values import).
_KEY_COLUMNS = {"entry": pl.Int64, "version": pl.Int64}
_ENTRY_COLUMNS = {
    "assessment": pl.Int64,
    "indicator": pl.String,
    "self_value": pl.Float64,
    "self_denominator": pl.Float64,
    "self_applicable": pl.Boolean,
    "verdict": pl.String,
    "verified_value": pl.Float64,
    "verified_denominator": pl.Float64,
    "verified_applicable": pl.Boolean,
}


@dataclass(frozen=True)
class FrameworkBatch:
    """The assessments of a period scored on one framework version, with their entries."""

    framework: FrameworkVersion
    assessments: list[Assessment]
    entries: pl.DataFrame  # [_KEY_COLUMNS +] _ENTRY_COLUMNS + unit, in assessment, position order
    units: pl.DataFrame  # the engine's units table

    def values(
        self, period_code: str, verified_for: Collection[Status] = frozenset()
    ) -> pl.DataFrame:
        """The engine's values table: the unit's own data, or — for assessments whose status
        is in ``verified_for`` — the verifier's where an entry was adjusted."""
        use_verified = [a.pk for a in self.assessments if counts_verified(a.status, verified_for)]
        return self.entries.select(
            pl.col("unit"),
            pl.lit(period_code, dtype=pl.String).alias("period"),
            pl.col("indicator"),
            *counted_values_frame(pl.col("assessment").is_in(use_verified)),
        )


# Database fields whose column here has another name.
_FIELDS = {"entry": "id", "assessment": "assessment_id"}


def _entries(assessment_ids: list[int], *, keys: bool) -> pl.DataFrame:
    schema = {**_KEY_COLUMNS, **_ENTRY_COLUMNS} if keys else _ENTRY_COLUMNS
    names = [_FIELDS.get(column, column) for column in schema]
    # Unordered: the database's sort of 500,000 wide rows spilled to disk and cost about as
    # much as the scan; Polars sorts them by (assessment, position) in milliseconds.
    query = (
        IndicatorEntry.objects.filter(assessment_id__in=assessment_ids)
        .order_by()
        .values_list(*names, "position")
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # (not strict: SQLite hands booleans over as 0/1)
    frame = pl.DataFrame(rows, schema={**schema, "position": pl.Int64}, orient="row", strict=False)
    return frame.sort("assessment", "position").drop("position")


def period_batches(
    assessments: Iterable[Assessment], *, keys: bool = False
) -> list[FrameworkBatch]:
    """Group ``assessments`` (with ``unit__group`` selected) by framework version and load
    the entries of each group in one query (with each entry's ``entry`` key and ``version``
    when ``keys``: 15 % more to read, so only for callers that write)."""
    by_framework: dict[int, list[Assessment]] = {}
    for assessment in assessments:
        by_framework.setdefault(assessment.framework_id, []).append(assessment)
    versions = FrameworkVersion.objects.in_bulk(list(by_framework))
    batches = []
    for framework_id, members in by_framework.items():
        for member in members:  # (so that no caller reads it again per assessment)
            member.framework = versions[framework_id]
        entries = _entries([a.pk for a in members], keys=keys)
        codes = {a.pk: a.unit.code for a in members}
        entries = entries.with_columns(
            pl.col("assessment").replace_strict(codes, return_dtype=pl.String).alias("unit")
        )
        units = units_frame([UnitRow(a.unit.code, a.unit.name, a.unit.group.code) for a in members])
        batches.append(FrameworkBatch(members[0].framework, members, entries, units))
    return batches
