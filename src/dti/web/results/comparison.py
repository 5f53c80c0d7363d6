"""Comparison room of the results app: one group in two published periods side by side.

Each unit's change comes through lineage (as on the ranking page), the risers and fallers and
the change of the mean follow from it; where the group changed framework between the years, a
crosswalk (``catalog/frameworks/crosswalks/<old>__<new>.yaml``) compares what both measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from dti.catalog import FRAMEWORK_DIR
from dti.engine import (
    Crosswalk,
    Framework,
    Registry,
    attach_previous,
    compare_versions,
    load_crosswalk,
)
from dti.reports.summary import _change_phrase as change_phrase
from dti.web.assessments.models import Period
from dti.web.assessments.workflow import PUBLISHED
from dti.web.results.scoring import GroupInfo, PeriodScores, cached, engine_registry, raw_scores
from dti.web.results.tables import change_arrow, optional_float

CROSSWALK_DIR = FRAMEWORK_DIR / "crosswalks"
PREVIOUS_COLUMNS = ("previous_period", "previous_score", "previous_derived", "change")
EARLIER_SCHEMA = {
    "unit": pl.String,
    "period": pl.String,
    "score": pl.Float64,
    "rank": pl.Int64,
    "group": pl.String,
}


@dataclass(frozen=True)
class CompareRow:
    unit: str
    name: str
    rank: int
    previous_rank: int | None
    score: float
    previous_score: float | None
    change: float | None
    derived: bool

    @property
    def movement(self) -> int | None:
        """Places gained (positive) or lost since the earlier period."""
        return None if self.previous_rank is None else self.previous_rank - self.rank

    @property
    def arrow(self) -> str:
        return change_arrow(self.change)


@dataclass(frozen=True)
class ComparablePart:
    crosswalk: str
    rows: tuple[dict[str, Any], ...]  # compare_versions columns per unit


@dataclass(frozen=True)
class Comparison:
    group: GroupInfo
    earlier: str
    later: str
    rows: tuple[CompareRow, ...]
    risers: tuple[CompareRow, ...]
    fallers: tuple[CompareRow, ...]
    mean: float
    previous_mean: float | None
    mean_change_percent: float | None
    same_framework: bool
    comparable: ComparablePart | None

    @property
    def sentence(self) -> str:
        """``điểm trung bình tăng 11,1% so với năm 2022``."""
        change = self.mean_change_percent
        if change is None:
            return ""
        return f"Điểm trung bình {change_phrase(change, self.earlier)}"


def _crosswalk(old: Framework, new: Framework) -> Crosswalk | None:
    path = CROSSWALK_DIR / f"{old.code}__{new.code}.yaml"
    return load_crosswalk(path) if path.exists() else None


def _rows(
    new: PeriodScores, info: GroupInfo, registry: Registry, before: pl.DataFrame
) -> tuple[CompareRow, ...]:
    """The later period's units of the group, each with its change since ``before``."""
    assert new.result is not None
    current = new.result.units.filter(pl.col("group") == info.code).drop(
        [c for c in (*PREVIOUS_COLUMNS, "change_percent") if c in new.result.units.columns]
    )
    joined = attach_previous(
        current,
        registry,
        method=info.framework.history,
        decimals=info.decimals,
        previous=before.select("unit", "period", "score"),
    ).sort("rank", "name")
    ranks = {str(u): int(r) for u, r in before.select("unit", "rank").iter_rows() if u is not None}
    return tuple(
        CompareRow(
            unit=str(r["unit"]),
            name=str(r["name"]),
            rank=int(r["rank"]),
            previous_rank=None if r["previous_derived"] else ranks.get(str(r["unit"])),
            score=float(r["score"]),
            previous_score=optional_float(r["previous_score"]),
            change=optional_float(r["change"]),
            derived=bool(r["previous_derived"]),
        )
        for r in joined.iter_rows(named=True)
    )


def _comparable(
    old_fw: Framework, old: PeriodScores, new: PeriodScores, info: GroupInfo, registry: Registry
) -> ComparablePart | None:
    """What both frameworks measured, where the group changed framework from ``old_fw`` and a
    crosswalk says how."""
    crosswalk = _crosswalk(old_fw, info.framework)
    if crosswalk is None:
        return None
    frame = compare_versions(
        old.by_framework[old_fw.code],
        new.by_framework[info.framework.code],
        crosswalk,
        registry,
    ).filter(pl.col("group") == info.code)
    return ComparablePart(f"{old_fw.code} → {info.framework.code}", tuple(frame.to_dicts()))


def _compare(earlier: Period, later: Period, group: str) -> Comparison | None:
    old, new = raw_scores(earlier), raw_scores(later)
    info = new.group(group)
    if info is None or new.result is None:
        return None
    registry = engine_registry(later)
    before = (
        old.result.units.select("unit", "period", "score", "rank", "group")
        if old.result is not None
        else pl.DataFrame(schema=EARLIER_SCHEMA)
    )
    rows = _rows(new, info, registry, before)
    changed = [r for r in rows if r.change is not None]
    risers = sorted((r for r in changed if (r.change or 0) > 0), key=lambda r: -(r.change or 0))
    fallers = sorted((r for r in changed if (r.change or 0) < 0), key=lambda r: r.change or 0)
    mean = sum(r.score for r in rows) / len(rows) if rows else 0.0
    old_group = before.filter(pl.col("group") == group)["score"]
    previous_mean = float(old_group.mean()) if old_group.len() else None  # type: ignore[arg-type]
    percent = (
        (mean - previous_mean) / previous_mean * 100.0
        if previous_mean is not None and previous_mean != 0.0
        else None
    )
    old_fw = old.frameworks.get(group)
    same = old_fw is not None and old_fw.code == info.framework.code
    return Comparison(
        group=info,
        earlier=earlier.code,
        later=later.code,
        rows=rows,
        risers=tuple(risers[:5]),
        fallers=tuple(fallers[:5]),
        mean=mean,
        previous_mean=previous_mean,
        mean_change_percent=percent,
        same_framework=same,
        comparable=(
            _comparable(old_fw, old, new, info, registry)
            if old_fw is not None and not same
            else None
        ),
    )


def comparison(earlier: Period, later: Period, group: str) -> Comparison | None:
    """The group in two published periods side by side; None if the later has no such group."""
    return cached(
        f"compare:{group}", [earlier, later], PUBLISHED, lambda: _compare(earlier, later, group)
    )
