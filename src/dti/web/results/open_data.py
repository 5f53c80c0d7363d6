"""Open data: each published period as CSV and JSON files described by a Frictionless Data
package (``datapackage.json``: the fields and their types, the licence, the decision that
announced the results, and whether — and where — the publication is provisional).

Built only from :func:`~dti.web.results.scoring.period_scores` of *published* assessments, so
nothing unpublished can reach a file; every row carries ``provisional`` and its group's whole
size, and the descriptor lists the units still missing, so nothing provisional goes unmarked.
The files live side by side at ``/public/open-data/<province>/<year>/``: the descriptor names
them by relative path, and the same folder validates downloaded or served.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

import polars as pl

from dti.io.cells import neutralise
from dti.web.assessments.models import Period, Status
from dti.web.assessments.workflow import PUBLISHED
from dti.web.results import scoring
from dti.web.results.models import Decision, DecisionStatus, PublishedVersion
from dti.web.results.tables import group_tables

# The folder of a period without a province.
NATIONAL = "national"
LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
FILES = ("datapackage.json", "results.csv", "results.json", "pillars.csv")

Field = tuple[str, str, str]  # name, Table Schema type, description
RESULT_FIELDS: tuple[Field, ...] = (
    ("period", "string", "assessment period (year)"),
    ("group", "string", "unit group code"),
    ("group_name", "string", "unit group"),
    ("group_size", "integer", "units the period assesses in the group (published or not)"),
    ("group_published", "integer", "units of the group published"),
    ("provisional", "boolean", "true when the group is published in part (ranks provisional)"),
    ("unit", "string", "unit code"),
    ("unit_name", "string", "unit"),
    ("rank", "integer", "rank in the group (shared ranks on ties: 1, 2, 2, 4)"),
    ("score", "number", "total score at the framework's published precision"),
    ("percent", "number", "score as a percentage of the maximum"),
    ("band", "string", "band (xếp loại)"),
    ("previous_period", "string", "period the change is measured against"),
    ("change", "number", "change of the score against the previous published period"),
    (
        "previous_derived",
        "boolean",
        "true when the previous score is derived from the predecessors (merged units)",
    ),
    (
        "previous_partial",
        "boolean",
        "true when some predecessors had no score then (the derived value is partial)",
    ),
    ("previous_missing", "string", "the predecessors without a score then, ';'-separated"),
)
PILLAR_FIELDS: tuple[Field, ...] = (
    ("period", "string", "assessment period (year)"),
    ("unit", "string", "unit code"),
    ("group", "string", "unit group code"),
    ("pillar", "string", "pillar code"),
    ("pillar_name", "string", "pillar"),
    ("points", "number", "points of the unit in the pillar"),
    ("max", "number", "maximum points of the pillar"),
)


def folder_of(period: Period) -> str:
    """The province part of the period's open-data address."""
    return period.province.code if period.province else NATIONAL


def published_period(province: str, year: int) -> Period | None:
    """The published period of the folder ``province`` (``national``: no province)."""
    periods = Period.objects.filter(year=year, assessments__status=Status.PUBLISHED)
    if province == NATIONAL:
        periods = periods.filter(province__isnull=True)
    else:
        periods = periods.filter(province__code=province)
    return periods.select_related("province").distinct().first()


@dataclass(frozen=True)
class OpenData:
    results: list[dict[str, Any]]
    pillars: list[dict[str, Any]]


def _fixed(value: float | None, decimals: int) -> float | None:
    return None if value is None else round(value, decimals)


def open_data(period: Period) -> OpenData:
    """The rows of the published results of the period (cached with them)."""

    def build() -> OpenData:
        scores = scoring.period_scores(period, PUBLISHED)
        results: list[dict[str, Any]] = []
        for table in group_tables(scores):
            decimals = table.info.decimals
            for row in table.rows:
                results.append(
                    {
                        "period": scores.period,
                        "group": table.info.code,
                        "group_name": table.info.name,
                        "group_size": table.size,
                        "group_published": table.shown,
                        "provisional": table.provisional,
                        "unit": row.unit,
                        "unit_name": row.name,
                        "rank": row.rank,
                        "score": _fixed(row.score, decimals),
                        "percent": _fixed(row.percent, 2),
                        "band": row.band,
                        "previous_period": row.previous_period,
                        "change": _fixed(row.change, decimals),
                        "previous_derived": row.derived,
                        "previous_partial": row.partial,
                        "previous_missing": ";".join(row.missing) or None,
                    }
                )
        pillars: list[dict[str, Any]] = []
        if scores.result is not None:
            names = {code: name for g in scores.groups for code, name, _ in g.pillars}
            groups = {r["unit"]: r["group"] for r in results}
            frame = scores.result.pillars.sort("unit", "pillar")
            for unit, pillar, points, top in frame.select(
                pl.col("unit").cast(pl.String), pl.col("pillar").cast(pl.String), "points", "max"
            ).iter_rows():
                if unit in groups:
                    pillars.append(
                        {
                            "period": scores.period,
                            "unit": unit,
                            "group": groups[unit],
                            "pillar": pillar,
                            "pillar_name": names.get(pillar, pillar),
                            "points": _fixed(points, 2),
                            "max": float(top),
                        }
                    )
        return OpenData(results, pillars)

    return scoring.cached("open-data", [period], PUBLISHED, build)


def _csv(rows: list[dict[str, Any]], fields: tuple[Field, ...]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name for name, _, _ in fields])
    for row in rows:
        writer.writerow(
            [
                ""
                if row[name] is None
                else ("true" if row[name] else "false")
                if kind == "boolean"
                else neutralise(row[name])
                if kind == "string"
                else row[name]
                for name, kind, _ in fields
            ]
        )
    return out.getvalue().encode("utf-8")


def results_csv(period: Period) -> bytes:
    return _csv(open_data(period).results, RESULT_FIELDS)


def pillars_csv(period: Period) -> bytes:
    return _csv(open_data(period).pillars, PILLAR_FIELDS)


def results_json(period: Period) -> bytes:
    """The results rows as a JSON array of objects (a tabular JSON resource)."""
    return json.dumps(open_data(period).results, ensure_ascii=False, indent=1).encode("utf-8")


def _schema(fields: tuple[Field, ...], **extra: Any) -> dict[str, Any]:
    return {
        "fields": [
            {"name": name, "type": kind, "description": description}
            for name, kind, description in fields
        ],
        "missingValues": [""],
        **extra,
    }


def _decision(period: Period) -> dict[str, Any] | None:
    decision = Decision.objects.filter(period=period).first()
    if decision is None or decision.status != DecisionStatus.PUBLISHED:
        return None
    return {
        "issuer": decision.issuer,
        "number": decision.number,
        "date": decision.date.isoformat() if decision.date else None,
        "signer": decision.signer,
        "title": decision.title,
    }


def descriptor(period: Period, *, base_url: str = "") -> dict[str, Any]:
    """The Frictionless Data package of the period's published results."""
    scores = scoring.period_scores(period, PUBLISHED)
    provisional = scores.provisional
    key = ["group", "unit"]
    name = f"dti-{folder_of(period)}-{period.year}".lower()
    csv_resource = {"format": "csv", "mediatype": "text/csv", "encoding": "utf-8"}
    return {
        "profile": "tabular-data-package",
        "name": name,
        "title": f"{period.name} — kết quả đánh giá, xếp hạng chuyển đổi số (DTI)",
        "description": (
            "Published results of the digital-transformation index (DTI) assessment: one row "
            "per unit with its rank, score and band, and its points per pillar."
        ),
        "homepage": base_url or None,
        # The publication counter: a new publication or a reopening is a new version.
        "version": str(
            PublishedVersion.objects.filter(period=period).values_list("version", flat=True).first()
            or 0
        ),
        "licenses": [LICENSE],
        "keywords": ["DTI", "chuyển đổi số", "digital transformation", str(period.year)],
        "provisional": bool(provisional),
        "missing": {c.code: list(c.missing) for c in provisional},
        "decision": _decision(period),
        "resources": [
            {
                "name": "results",
                "path": "results.csv",
                "profile": "tabular-data-resource",
                **csv_resource,
                "schema": _schema(RESULT_FIELDS, primaryKey=key),
            },
            {
                "name": "results-json",
                "path": "results.json",
                "profile": "tabular-data-resource",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                "schema": _schema(RESULT_FIELDS, primaryKey=key),
            },
            {
                "name": "pillars",
                "path": "pillars.csv",
                "profile": "tabular-data-resource",
                **csv_resource,
                "schema": _schema(
                    PILLAR_FIELDS,
                    primaryKey=["unit", "pillar"],
                    foreignKeys=[
                        {"fields": key, "reference": {"resource": "results", "fields": key}}
                    ],
                ),
            },
        ],
    }


def descriptor_json(period: Period, *, base_url: str = "") -> bytes:
    package = {k: v for k, v in descriptor(period, base_url=base_url).items() if v is not None}
    return json.dumps(package, ensure_ascii=False, indent=1).encode("utf-8")
