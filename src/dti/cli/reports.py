"""``dti report`` (the decision appendix) and ``dti summary`` (the narrative), from files or
a shipped dataset."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any

import click

from dti.cli.app import main, reports_bad_input
from dti.cli.inputs import score_inputs
from dti.engine import DataError, Framework, Problem, ScoreResult

__all__ = ["report_command", "summary_command"]


@dataclass(frozen=True, slots=True)
class ReportSource:
    """What a report is made from: the inputs of ``dti score`` (files) or a shipped dataset."""

    framework_names: tuple[str, ...]
    units_path: Path | None
    data_paths: tuple[Path, ...]
    lineage_path: Path | None
    dataset: str | None

    def load(self) -> tuple[ScoreResult, dict[str, Framework]]:
        """The scored result and the frameworks by group (checked: files or a dataset)."""
        if self.dataset:
            return self._load_dataset(self.dataset)
        missing = [
            name
            for name, given in (
                ("--framework", self.framework_names),
                ("--units", self.units_path),
                ("--data", self.data_paths),
            )
            if not given
        ]
        if missing:
            raise DataError(
                [Problem(f"missing {m} (or give --dataset NAME)", column=m) for m in missing]
            )
        assert self.units_path is not None
        scored = score_inputs(
            self.framework_names, self.units_path, self.data_paths, self.lineage_path
        )
        return scored.result, scored.frameworks

    def _load_dataset(self, dataset: str) -> tuple[ScoreResult, dict[str, Framework]]:
        if self.framework_names or self.units_path or self.data_paths or self.lineage_path:
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


def report_inputs(func: Callable[..., None]) -> Callable[..., None]:
    """The options naming a report's inputs (and ``--period``); the command receives them as
    one :class:`ReportSource`, loaded when the command calls :meth:`ReportSource.load`."""
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

    @wraps(func)
    def with_source(
        framework_names: tuple[str, ...],
        units_path: Path | None,
        data_paths: tuple[Path, ...],
        lineage_path: Path | None,
        dataset: str | None,
        **rest: Any,
    ) -> None:
        source = ReportSource(framework_names, units_path, data_paths, lineage_path, dataset)
        func(source, **rest)

    command: Callable[..., None] = with_source
    for option in reversed(options):
        command = option(command)
    return command


@main.command("report", help="Write the decision appendix (ranked tables per group): xlsx or pdf.")
@report_inputs
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
@reports_bad_input
def report_command(
    source: ReportSource,
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
    result, frameworks = source.load()
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
@report_inputs
@click.option("--unit", "unit", help="Also state this unit's position (code or exact name).")
@click.option(
    "--lowest",
    default=3,
    show_default=True,
    type=click.IntRange(0),
    help="How many lowest units to name.",
)
@reports_bad_input
def summary_command(
    source: ReportSource,
    period: str | None,
    unit: str | None,
    lowest: int,
) -> None:
    from dti.reports.summary import summarise

    result, frameworks = source.load()
    click.echo(summarise(result, period, frameworks=frameworks, unit=unit, lowest=lowest))
