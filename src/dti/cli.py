"""The ``dti`` command line: validate, score, template, frameworks, report, summary.

Bad input prints every located problem to stderr and exits with status 2; nothing partial is
written (results go to a temporary file renamed into place).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
import polars as pl

from dti.catalog import resolve_framework, shipped_frameworks
from dti.engine import DtiError, Framework, Registry, ScoreResult, compile_framework, score
from dti.engine.errors import DataError, Problem
from dti.io.results import write_results
from dti.io.tables import VALUE_COLUMNS, ReadProgress, read_lineage, read_units, read_values
from dti.io.template import write_template

F = TypeVar("F", bound=Callable[..., Any])
EXIT_BAD_INPUT = 2
PROGRESS_BYTES = 5_000_000


def _reports_bad_input(func: F) -> F:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DtiError as exc:
            click.echo(exc.render(), err=True)
            sys.exit(EXIT_BAD_INPUT)

    return wrapper  # type: ignore[return-value]


@click.group(help="dti — digital-transformation index: frameworks, scoring and ranking.")
@click.version_option(package_name="dti")
def main() -> None:
    """Entry point."""


@main.command("frameworks", help="List the shipped frameworks.")
@_reports_bad_input
def frameworks_command() -> None:
    for code, fw in sorted(shipped_frameworks().items()):
        years = ", ".join(str(y) for y in fw.years)
        groups = ", ".join(fw.group_codes())
        click.echo(
            f"{code}\t{fw.name.vi}\t[{years}]\t{fw.scale.total:g} points\t"
            f"{len(fw.leaves())} indicators\tgroups: {groups}\t({fw.status})"
        )


@main.command("validate", help="Check a framework file; list every problem.")
@click.argument("framework")
@_reports_bad_input
def validate_command(framework: str) -> None:
    fw = resolve_framework(framework)
    click.echo(
        f"OK: {fw.code} — {fw.name.vi}: {len(fw.tree)} pillars, {len(fw.leaves())} indicators, "
        f"{fw.scale.total:g} points, groups {', '.join(fw.group_codes())}"
    )


@main.command("template", help="Write the self-assessment workbook for one group.")
@click.argument("framework")
@click.option("--group", "-g", required=True, help="Unit group code.")
@click.option("--unit", default="", help="Unit code to pre-fill.")
@click.option("--period", default="", help="Period to pre-fill (e.g. 2024).")
@click.option("-o", "--out", "out", required=True, type=click.Path(path_type=Path))
@_reports_bad_input
def template_command(framework: str, group: str, unit: str, period: str, out: Path) -> None:
    fw = resolve_framework(framework)
    if group not in fw.group_codes():
        raise DataError(
            Problem(
                f"unknown group {group!r}; this framework has {', '.join(fw.group_codes())}",
                column="--group",
            )
        )
    write_template(fw, group, out, unit=unit, period=period)
    click.echo(f"wrote {out}")


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
class _Scored:
    """What scoring the command-line inputs gives: the merged result and who covers what."""

    result: ScoreResult
    frameworks: dict[str, Framework]  # by group
    n_values: int


def _score_inputs(
    framework_names: tuple[str, ...],
    units_path: Path,
    data_paths: tuple[Path, ...],
    lineage_path: Path | None,
    periods: tuple[str, ...] = (),
    groups: tuple[str, ...] = (),
    progress: Callable[[str], None] = lambda step: None,
    rows_read: Callable[[ReadProgress], None] | None = None,
) -> _Scored:
    """Read the inputs, score every framework's groups and merge the results.

    ``progress`` is called after each input read and each framework scored; ``rows_read``
    while a large workbook is being read.
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
        frames.append(frame.select(*VALUE_COLUMNS, "row"))
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
            results.append(
                score(
                    compile_framework(fw),
                    fw_values,
                    fw_units,
                    source=source,
                    lineage=_edges_within(lineage, fw_units),
                )
            )
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
    return _Scored(merged, by_group, values.height)


@main.command("score", help="Score, rank and classify units; write results (.csv or .xlsx).")
@click.option(
    "--framework",
    "-f",
    "framework_names",
    multiple=True,
    required=True,
    help="Framework file or shipped code; repeat for groups on different frameworks.",
)
@click.option("--units", "-u", "units_path", required=True, type=click.Path(path_type=Path))
@click.option(
    "--data",
    "-d",
    "data_paths",
    multiple=True,
    required=True,
    type=click.Path(path_type=Path),
    help="Values table or filled-in workbook; repeatable.",
)
@click.option("--out", "-o", "out", required=True, type=click.Path(path_type=Path))
@click.option(
    "--lineage",
    "-l",
    "lineage_path",
    type=click.Path(path_type=Path),
    help="Reorganisation events: date, kind, from, to, weight, basis.",
)
@click.option("--period", "periods", multiple=True, help="Only these periods.")
@click.option("--group", "groups", multiple=True, help="Only these unit groups.")
@_reports_bad_input
def score_command(
    framework_names: tuple[str, ...],
    units_path: Path,
    data_paths: tuple[Path, ...],
    out: Path,
    lineage_path: Path | None,
    periods: tuple[str, ...],
    groups: tuple[str, ...],
) -> None:
    # Progress by stage (each input read, each framework scored, the output written); shown on
    # a terminal when the inputs are large.
    large = sum(p.stat().st_size for p in data_paths if p.exists()) >= PROGRESS_BYTES
    with click.progressbar(
        length=len(data_paths) + len(framework_names) + 1,
        label="dti score",
        file=sys.stderr,
        hidden=not (large and sys.stderr.isatty()),
        item_show_func=lambda step: step,
    ) as bar:
        scored = _score_inputs(
            framework_names,
            units_path,
            data_paths,
            lineage_path,
            periods,
            groups,
            progress=lambda step: bar.update(1, step),
            rows_read=lambda step: bar.update(0, str(step)),
        )
        write_results(scored.result, out)
        bar.update(1, f"wrote {out.name}")
    click.echo(
        f"scored {scored.n_values:,} values → {scored.result.units.height:,} unit results; "
        f"wrote {out}"
    )


def _report_inputs(func: F) -> F:
    """The inputs of ``dti score`` (files) or ``--dataset NAME`` (a shipped dataset)."""
    options = [
        click.option(
            "--framework",
            "-f",
            "framework_names",
            multiple=True,
            help="Framework file or shipped code; repeatable (with --units and --data).",
        ),
        click.option("--units", "-u", "units_path", type=click.Path(path_type=Path)),
        click.option("--data", "-d", "data_paths", multiple=True, type=click.Path(path_type=Path)),
        click.option("--lineage", "-l", "lineage_path", type=click.Path(path_type=Path)),
        click.option("--dataset", "dataset", help="A shipped dataset instead of files."),
        click.option("--period", "period", help="The period to report (default: the latest)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _load_for_report(
    framework_names: tuple[str, ...],
    units_path: Path | None,
    data_paths: tuple[Path, ...],
    lineage_path: Path | None,
    dataset: str | None,
) -> tuple[ScoreResult, dict[str, Framework]]:
    if dataset:
        if framework_names or units_path or data_paths or lineage_path:
            raise DataError(
                Problem("give either --dataset or --framework/--units/--data", column="--dataset")
            )
        try:
            from dti.data import dataset_names, load_dataset
        except ImportError:  # pragma: no cover - the data package ships with dti
            raise DataError(Problem("no datasets are shipped", column="--dataset")) from None
        names = dataset_names()
        if dataset not in names:
            raise DataError(
                Problem(
                    f"unknown dataset {dataset!r} (shipped: {', '.join(names) or 'none'})",
                    column="--dataset",
                )
            )
        loaded = load_dataset(dataset)
        return loaded.score(), dict(loaded.frameworks)
    missing = [
        name
        for name, given in (
            ("--framework", framework_names),
            ("--units", units_path),
            ("--data", data_paths),
        )
        if not given
    ]
    if missing:
        raise DataError(
            [Problem(f"missing {m} (or give --dataset NAME)", column=m) for m in missing]
        )
    assert units_path is not None
    scored = _score_inputs(framework_names, units_path, data_paths, lineage_path)
    return scored.result, scored.frameworks


@main.command("report", help="Write the decision appendix (ranked tables per group): xlsx or pdf.")
@_report_inputs
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "pdf"]),
    help="Output type (default: from the file name).",
)
@click.option("--out", "-o", "out", required=True, type=click.Path(path_type=Path))
@click.option("--decision-number", default="", help="e.g. 1206/QĐ-UBND")
@click.option(
    "--decision-date",
    type=click.DateTime(formats=["%Y-%m-%d", "%d/%m/%Y"]),
    help="Date (2023-06-13 or 13/06/2023).",
)
@click.option("--issuer", default="", help="e.g. ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM")
@click.option("--title", default="", help="Heading (default: KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG … NĂM P).")
@_reports_bad_input
def report_command(
    framework_names: tuple[str, ...],
    units_path: Path | None,
    data_paths: tuple[Path, ...],
    lineage_path: Path | None,
    dataset: str | None,
    period: str | None,
    fmt: str | None,
    out: Path,
    decision_number: str,
    decision_date: dt.datetime | None,
    issuer: str,
    title: str,
) -> None:
    from dti.reports import resolve_period
    from dti.reports.appendix import DecisionHeader, write_appendix

    suffix = out.suffix.lower().lstrip(".")
    fmt = fmt or suffix
    if fmt not in ("xlsx", "pdf"):
        raise DataError(
            Problem("give --format xlsx or pdf (or an .xlsx/.pdf file)", column="--out")
        )
    if suffix != fmt:
        raise DataError(
            Problem(f"the file name {out.name!r} does not end in .{fmt}", column="--out")
        )
    if not out.parent.is_dir():
        raise DataError(Problem("the output folder does not exist", file=str(out.parent)))
    result, frameworks = _load_for_report(
        framework_names, units_path, data_paths, lineage_path, dataset
    )
    period = resolve_period(result, period)
    header = DecisionHeader(
        issuer=issuer,
        number=decision_number,
        date=decision_date.date() if decision_date else None,
        title=title,
    )
    write_appendix(result, out, period, header, frameworks=frameworks)
    click.echo(f"wrote the appendix for {period} to {out}")


@main.command("summary", help="Print the narrative summary of one period, in Vietnamese.")
@_report_inputs
@click.option("--unit", "unit", help="Also state this unit's position (code or exact name).")
@click.option(
    "--lowest",
    default=3,
    show_default=True,
    type=click.IntRange(0),
    help="How many lowest units to name.",
)
@_reports_bad_input
def summary_command(
    framework_names: tuple[str, ...],
    units_path: Path | None,
    data_paths: tuple[Path, ...],
    lineage_path: Path | None,
    dataset: str | None,
    period: str | None,
    unit: str | None,
    lowest: int,
) -> None:
    from dti.reports.summary import summarise

    result, frameworks = _load_for_report(
        framework_names, units_path, data_paths, lineage_path, dataset
    )
    click.echo(summarise(result, period, frameworks=frameworks, unit=unit, lowest=lowest))


@main.command("units", help="List the units that existed on a date, or one unit's family tree.")
@click.option("--units", "-u", "units_path", required=True, type=click.Path(path_type=Path))
@click.option("--lineage", "-l", "lineage_path", type=click.Path(path_type=Path))
@click.option(
    "--on",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d", "%d/%m/%Y"]),
    help="Date (2025-07-01 or 01/07/2025).",
)
@click.option("--family", "family", help="Show this unit's family tree instead.")
@_reports_bad_input
def units_command(
    units_path: Path, lineage_path: Path | None, on: dt.datetime | None, family: str | None
) -> None:
    units = read_units(units_path)
    registry = Registry.build(units, read_lineage(lineage_path) if lineage_path else None)
    if family:
        if family not in set(units["unit"].to_list()):
            raise DataError(Problem(f"unknown unit {family!r}", column="--family"))
        names = dict(units.select("unit", "name").iter_rows())
        for date, kind, src, dst, weight, basis in (
            registry.family(family)
            .sort("date", "to", "from")
            .select("date", "kind", "from", "to", "weight", "basis")
            .iter_rows()
        ):
            share = f" ({weight:g})" if weight is not None else ""
            click.echo(
                f"{date or '—'}\t{kind}\t{src} {names[src]}{share} → {dst} {names[dst]}"
                f"\t{basis or ''}"
            )
        return
    listed = registry.on(on.date()) if on else registry.units
    for code, name, group in listed.select("unit", "name", "group").iter_rows():
        click.echo(f"{code}\t{name}\t{group}")


if __name__ == "__main__":  # pragma: no cover
    main()
