"""The command-line inputs scored: files read, units checked against the frameworks' groups,
each framework's units scored and the results merged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from dti.catalog import resolve_framework
from dti.engine import (
    DataError,
    Framework,
    Problem,
    Registry,
    ScoreResult,
    compile_framework,
    restate,
    score,
)
from dti.io.tables import READ_COLUMNS, ReadProgress, read_lineage, read_units, read_values

__all__ = ["Scored", "score_inputs"]


def _assign_frameworks(frameworks: list[Framework], units: pl.DataFrame) -> dict[str, Framework]:
    by_group: dict[str, Framework] = {}
    for fw in frameworks:
        for group in fw.group_codes():
            if group in by_group:
                raise DataError(
                    Problem(
                        f"group {group!r} is covered by both {by_group[group].code} and {fw.code}",
                        column="--framework",
                    )
                )
            by_group[group] = fw
    return by_group


def _edges_within(lineage: pl.DataFrame | None, units: pl.DataFrame) -> pl.DataFrame | None:
    """The lineage edges between units scored on one framework."""
    if lineage is None:
        return None
    codes = units["unit"].implode()
    return lineage.filter(pl.col("from").is_in(codes) & pl.col("to").is_in(codes))


def _check_units_covered(
    values: pl.DataFrame, units: pl.DataFrame, by_group: dict[str, Framework], source: str
) -> None:
    """Every value row must name a known unit whose group some framework covers."""
    unit_groups = dict(units.select("unit", "group").iter_rows())
    group = pl.col("unit").replace_strict(unit_groups, default=None, return_dtype=pl.String)
    rows = values.select("unit", "row", group.alias("group"))
    problems = [
        Problem(f"unit {unit!r} is not in the units table", file=source, row=row, column="unit")
        for unit, row, _ in rows.filter(pl.col("group").is_null()).head(20).iter_rows()
    ]
    problems += [
        Problem(
            f"no framework covers group {g!r} of unit {unit!r}; pass one with --framework",
            file=source,
            row=row,
            column="unit",
        )
        for unit, row, g in rows.filter(
            pl.col("group").is_not_null() & ~pl.col("group").is_in(list(by_group))
        )
        .head(20)
        .iter_rows()
    ]
    if problems:
        raise DataError(problems)


@dataclass(frozen=True)
class Scored:
    """What scoring the command-line inputs gives: the merged result and who covers what."""

    result: ScoreResult
    frameworks: dict[str, Framework]  # by group
    n_values: int


def score_inputs(
    framework_names: tuple[str, ...],
    units_path: Path,
    data_paths: tuple[Path, ...],
    lineage_path: Path | None,
    periods: tuple[str, ...] = (),
    groups: tuple[str, ...] = (),
    progress: Callable[[str], None] = lambda step: None,
    rows_read: Callable[[ReadProgress], None] | None = None,
    restate_on: dt.date | None = None,
) -> Scored:
    """Read the inputs, score every framework's groups and merge the results.

    ``progress`` is called after each input read and each framework scored; ``rows_read``
    while a large workbook is being read. ``restate_on`` adds each framework's results
    restated on the units existing on that date (labelled ``restated_on``).
    """
    for p in (units_path, *data_paths, *([lineage_path] if lineage_path else [])):
        if not p.exists():
            raise DataError(Problem("file not found", file=str(p)))
    frameworks = [resolve_framework(name) for name in framework_names]
    units = read_units(units_path)
    lineage = read_lineage(lineage_path) if lineage_path else None
    frames = []
    for path in data_paths:
        frame, _info = read_values(path, progress=rows_read)
        if "applicable_max" not in frame.columns:  # (a self-assessment workbook)
            frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias("applicable_max"))
        frames.append(frame.select(*READ_COLUMNS, "row"))
        progress(f"read {path.name}")
    values = pl.concat(frames)
    by_group = _assign_frameworks(frameworks, units)
    if periods:
        values = values.filter(pl.col("period").is_in(periods))
    if groups:
        units = units.filter(pl.col("group").is_in(groups))
        values = values.filter(pl.col("unit").is_in(units["unit"].implode()))
    source = ", ".join(p.name for p in data_paths)
    _check_units_covered(values, units, by_group, source)
    results: list[ScoreResult] = []
    for fw in frameworks:
        fw_units = units.filter(pl.col("group").is_in(fw.group_codes()))
        fw_values = values.filter(pl.col("unit").is_in(fw_units["unit"].implode()))
        if fw_values.height:
            edges = _edges_within(lineage, fw_units)
            result = score(compile_framework(fw), fw_values, fw_units, source=source, lineage=edges)
            if restate_on is not None:
                registry = Registry.build(fw_units, edges)
                restated = restate(fw, result.units, registry, restate_on)
                result = ScoreResult(
                    framework=fw,
                    units=pl.concat([result.units, restated], how="diagonal_relaxed"),
                    pillars=result.pillars,
                    indicators=result.indicators,
                    groups=result.groups,  # (the results as assessed)
                )
            results.append(result)
        progress(f"scored {fw.code}")
    if not results:
        raise DataError(Problem("no values to score after filtering", file=source))
    merged = ScoreResult(
        framework=results[0].framework,
        units=pl.concat([r.units for r in results], how="diagonal_relaxed"),
        pillars=pl.concat([r.pillars for r in results]),
        groups=pl.concat([r.groups for r in results], how="diagonal_relaxed"),
        indicators=pl.concat([r.indicators for r in results], how="diagonal_relaxed"),
    )
    return Scored(merged, by_group, values.height)
