"""Reads of continuous measurement: a period's snapshots, a snapshot's provisional ranking,
and a unit's and an indicator's trend over the snapshots (what the charts draw)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg

from dti.web.assessments.models import Period
from dti.web.registry.models import Unit
from dti.web.snapshots.models import ContinuousPlan, Snapshot, SnapshotResult

__all__ = [
    "GroupRanking",
    "indicator_trend",
    "period_plan",
    "period_snapshots",
    "snapshot_ranking",
    "unit_latest",
    "unit_trend",
]


def period_plan(period: Period) -> ContinuousPlan | None:
    return ContinuousPlan.objects.filter(period=period).select_related("closed_from").first()


def period_snapshots(period: Period) -> list[Snapshot]:
    """The period's snapshots, newest first."""
    return list(period.snapshots.select_related("taken_by").order_by("-as_of"))


@dataclass
class GroupRanking:
    group: str
    rows: list[SnapshotResult] = field(default_factory=list)


def snapshot_ranking(snapshot: Snapshot) -> list[GroupRanking]:
    """The snapshot's provisional ranking, group by group (rank order, ties by name)."""
    groups: dict[str, GroupRanking] = {}
    results = snapshot.results.select_related("unit").order_by("group", "rank", "unit__name")
    for row in results:
        groups.setdefault(row.group, GroupRanking(row.group)).rows.append(row)
    return list(groups.values())


def unit_latest(period: Period, unit: Unit) -> SnapshotResult | None:
    """The unit's row in the period's latest snapshot."""
    return (
        SnapshotResult.objects.filter(snapshot__period=period, unit=unit)
        .select_related("snapshot")
        .order_by("-snapshot__as_of")
        .first()
    )


def unit_trend(period: Period, unit: Unit, *, mean_label: str) -> list[tuple[dt.date, str, float]]:
    """The unit's provisional score in each snapshot and its group's average there."""
    rows = list(
        SnapshotResult.objects.filter(snapshot__period=period, unit=unit)
        .values_list("snapshot_id", "snapshot__as_of", "group", "score")
        .order_by("snapshot__as_of")
    )
    out: list[tuple[dt.date, str, float]] = [(day, unit.name, s) for _, day, _, s in rows]
    if rows:
        group = rows[-1][2]
        means = (
            SnapshotResult.objects.filter(snapshot_id__in=[r[0] for r in rows], group=group)
            .values("snapshot__as_of")
            .annotate(mean=Avg("score"))
        )
        out += [(m["snapshot__as_of"], mean_label, round(float(m["mean"]), 2)) for m in means]
    return out


def _measure(kept: list[Any]) -> float | None:
    value, denominator, applicable = kept[0], kept[1], kept[2]
    if not applicable or value is None:
        return None
    if denominator:
        return float(value) / float(denominator)
    return float(value)


def indicator_trend(period: Period, unit: Unit, indicator: str) -> list[tuple[dt.date, str, float]]:
    """The indicator's measure (its ratio when it has a denominator, else its value) for
    the unit in each snapshot that has it."""
    out = []
    rows = (
        SnapshotResult.objects.filter(snapshot__period=period, unit=unit)
        .values_list("snapshot__as_of", "values")
        .order_by("snapshot__as_of")
    )
    for day, values in rows:
        kept = values.get(indicator)
        measure = _measure(kept) if kept else None
        if measure is not None:
            out.append((day, indicator, measure))
    return out


def indicators_seen(period: Period, unit: Unit) -> list[str]:
    """The indicators the unit's latest snapshot holds, in the framework's order."""
    latest = unit_latest(period, unit)
    return list(latest.values) if latest else []
