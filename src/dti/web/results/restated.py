"""Restated room of the results app: a published period's results restated on a later map.

The national 2024 ranking was published twice: on the 63 provinces assessed, and restated on
the 34 that exist since 1 July 2025. For a published period this gives the second kind of
table: for each unit existing on the date of a later reorganisation of the period's province,
its result derived through the lineage from the *published* results (the engine's
:func:`dti.engine.restate`: the framework's history method, a continuing unit from all it took
in, rounded as published, banded, ranked among the restated units of its group). Nothing is
stored and the published results are not changed; the page labels every row as restated.

The dates offered are those of the province's reorganisations after the period, so that the
restatements cached are few and each one means something.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import polars as pl
from django.db.models import Q

from dti.engine import restate
from dti.web.assessments.models import Period
from dti.web.assessments.workflow import PUBLISHED
from dti.web.registry.models import Lineage
from dti.web.results import scoring
from dti.web.results.scoring import GroupInfo
from dti.web.results.tables import missing_names

__all__ = ["RestatedRow", "RestatedTable", "restated_tables", "restatement_dates"]


@dataclass(frozen=True)
class RestatedRow:
    unit: str
    name: str
    rank: int
    shared: bool
    score: float
    band: str
    derived: bool  # from predecessors (else the unit's own published result)
    partial: bool  # some predecessors had no published result in the period
    missing: tuple[str, ...]  # their names


@dataclass(frozen=True)
class RestatedTable:
    info: GroupInfo
    rows: tuple[RestatedRow, ...]


def restatement_dates(period: Period) -> list[dt.date]:
    """The dates of the reorganisations of the period's province after the period, newest
    first (undated edges tell no map)."""
    edges = Lineage.objects.filter(date__gt=dt.date(period.year, 12, 31))
    if period.province_id is None:
        edges = edges.filter(successor__group__province__isnull=True)
    else:
        edges = edges.filter(
            Q(successor__group__province_id=period.province_id)
            | Q(predecessor__group__province_id=period.province_id)
        )
    return sorted({d for d in edges.values_list("date", flat=True) if d is not None}, reverse=True)


def _restated_frame(period: Period, on: dt.date) -> tuple[pl.DataFrame, dict[str, str]]:
    """Every framework's published results of the period restated on ``on``, and the names
    of the registry's units (the missing predecessors are named)."""

    def compute() -> tuple[pl.DataFrame, dict[str, str]]:
        scores = scoring.raw_scores(period, PUBLISHED)
        registry = scoring.engine_registry(period)
        frames = [
            restate(result.framework, result.units, registry, on)
            for result in scores.by_framework.values()
        ]
        names = {str(u): str(n) for u, n in registry.units.select("unit", "name").iter_rows()}
        frame = pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()
        return frame, names

    return scoring.cached(f"restated-{on.isoformat()}", [period], PUBLISHED, compute)


def restated_tables(period: Period, on: dt.date, language: str = "vi") -> list[RestatedTable]:
    """One table per group of the period's published results, restated on ``on``."""
    frame, names = _restated_frame(period, on)
    groups = scoring.raw_scores(period, PUBLISHED).groups
    tables = []
    for info in groups:
        if frame.is_empty():
            break
        shown = info.localised(language)
        part = frame.filter(pl.col("group") == info.code).sort("rank", "name")
        ranks = Counter(part["rank"].to_list())
        rows = []
        for r in part.iter_rows(named=True):
            band = str(r["band_name"])
            rows.append(
                RestatedRow(
                    unit=str(r["unit"]),
                    name=str(r["name"]),
                    rank=int(r["rank"]),
                    shared=ranks[r["rank"]] > 1,
                    score=float(r["score"]),
                    band=shown.bands[info.bands.index(band)] if band in info.bands else band,
                    derived=bool(r["derived"]),
                    partial=bool(r["partial"]),
                    missing=missing_names(r["missing"], names),
                )
            )
        if rows:
            tables.append(RestatedTable(shown, tuple(rows)))
    return tables
