"""What every report needs from a :class:`ScoreResult`: one period's rows, group and band names.

A result merged from several frameworks (``dti score`` with ``-f`` repeated, or a dataset with
one framework per group) keeps only the first framework on ``result.framework``; the reports take
the frameworks by group (``Mapping[str, Framework]``) or a list of them to name every group.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from dti.engine import DataError, Framework, Problem, ScoreResult

__all__ = [
    "FrameworksArg",
    "GroupInfo",
    "atomic_write",
    "frameworks_by_group",
    "group_infos",
    "period_units",
    "pillar_percent",
    "resolve_period",
]

FrameworksArg = Mapping[str, Framework] | Sequence[Framework] | None


@dataclass(frozen=True)
class GroupInfo:
    """A unit group as the reports name it, with its framework's bands best first."""

    code: str
    name: str
    framework: Framework | None
    bands: tuple[tuple[str, str], ...]  # (code, name) best first
    decimals: int
    scale_total: float | None


def frameworks_by_group(
    result: ScoreResult, frameworks: FrameworksArg = None
) -> dict[str, Framework]:
    """Frameworks by group code: the given ones, else the result's own framework."""
    if frameworks is None:
        frameworks = [result.framework]
    if isinstance(frameworks, Mapping):
        return dict(frameworks)
    out: dict[str, Framework] = {}
    for fw in frameworks:
        for code in fw.group_codes():
            out.setdefault(code, fw)
    return out


def group_infos(
    result: ScoreResult, frameworks: FrameworksArg = None, language: str = "vi"
) -> dict[str, GroupInfo]:
    """Every group present in ``result.units``, in framework order then by code."""
    by_group = frameworks_by_group(result, frameworks)
    present = result.units["group"].cast(pl.String).unique().to_list()
    order: list[str] = []
    seen: list[Framework] = []
    for fw in by_group.values():
        if any(fw is known for known in seen):
            continue
        seen.append(fw)
        order += [g for g in fw.group_codes() if g in present and g not in order]
    order += sorted(g for g in present if g not in order)
    infos: dict[str, GroupInfo] = {}
    for code in order:
        known = by_group.get(code)
        group = next((g for g in known.groups if g.code == code), None) if known else None
        infos[code] = GroupInfo(
            code=code,
            name=group.name.get(language) if group else code,
            framework=known,
            bands=tuple((b.code, b.name.get(language)) for b in known.bands) if known else (),
            decimals=known.scale.decimals if known else 2,
            scale_total=known.scale.total if known else None,
        )
    return infos


def resolve_period(result: ScoreResult, period: str | None) -> str:
    """The period asked for, or the latest one scored; a :class:`DataError` if absent."""
    periods = sorted(result.units["period"].cast(pl.String).unique().to_list())
    if not periods:
        raise DataError(Problem("the results hold no units", column="period"))
    if period is None:
        return str(periods[-1])
    if str(period) not in periods:
        raise DataError(
            Problem(
                f"no results for period {period!r} (scored: {', '.join(periods)})",
                column="--period",
            )
        )
    return str(period)


def period_units(result: ScoreResult, period: str, group: str | None = None) -> pl.DataFrame:
    """One period's unit rows sorted by group, rank and name (deterministic)."""
    frame = result.units.filter(pl.col("period").cast(pl.String) == period)
    if group is not None:
        frame = frame.filter(pl.col("group") == group)
    return frame.sort("group", "rank", "name", "unit")


def pillar_percent(result: ScoreResult, period: str) -> pl.DataFrame:
    """``unit, group, pillar, points, max, percent`` for one period (percent of the pillar max)."""
    groups = result.units.select(
        pl.col("unit").cast(pl.String), pl.col("period").cast(pl.String), "group"
    )
    return (
        result.pillars.with_columns(
            pl.col("unit").cast(pl.String), pl.col("period").cast(pl.String)
        )
        .filter(pl.col("period") == period)
        .join(groups, on=["unit", "period"], how="left")
        .with_columns(
            percent=pl.when(pl.col("max") > 0)
            .then(pl.col("points") / pl.col("max") * 100.0)
            .otherwise(None)
        )
        .select("unit", "group", "pillar", "points", "max", "percent")
    )


def atomic_write(path: str | Path, data: bytes) -> Path:
    """Write the file whole or not at all (beside the target, then renamed into place)."""
    path = Path(path)
    handle, tmp_name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix
    )
    tmp = Path(tmp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
