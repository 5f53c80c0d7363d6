"""``dti score``: score, rank and classify units from files; write the results."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from dti.cli.app import main, reports_bad_input
from dti.cli.inputs import score_inputs
from dti.io.results import write_results

__all__ = ["score_command"]

# Inputs this large (bytes, all data files) show a progress bar on a terminal.
PROGRESS_BYTES = 5_000_000


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
@click.option(
    "--restate-on",
    "restate_on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Also restate every period on the units existing on this date (YYYY-MM-DD), each "
    "derived from its predecessors through the lineage; rows labelled restated_on.",
)
@click.option("--period", "periods", multiple=True, help="Only these periods.")
@click.option("--group", "groups", multiple=True, help="Only these unit groups.")
@reports_bad_input
def score_command(
    framework_names: tuple[str, ...],
    units_path: Path,
    data_paths: tuple[Path, ...],
    out: Path,
    lineage_path: Path | None,
    restate_on: dt.datetime | None,
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
        scored = score_inputs(
            framework_names,
            units_path,
            data_paths,
            lineage_path,
            periods,
            groups,
            progress=lambda step: bar.update(1, step),
            rows_read=lambda step: bar.update(0, str(step)),
            restate_on=restate_on.date() if restate_on else None,
        )
        write_results(scored.result, out)
        bar.update(1, f"wrote {out.name}")
    click.echo(
        f"scored {scored.n_values:,} values → {scored.result.units.height:,} unit results; "
        f"wrote {out}"
    )
