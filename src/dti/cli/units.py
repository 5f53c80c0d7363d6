"""``dti units``: the units that existed on a date, or one unit's family tree."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from dti.cli.app import main, reports_bad_input
from dti.engine import DataError, Problem, Registry
from dti.io.tables import read_lineage, read_units

__all__ = ["units_command"]


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
@reports_bad_input
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
