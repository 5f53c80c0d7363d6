"""The commands about frameworks: list the shipped ones, validate a file, write a template."""

from __future__ import annotations

from pathlib import Path

import click

from dti.catalog import resolve_framework, shipped_frameworks
from dti.cli.app import main, reports_bad_input
from dti.engine import DataError, Problem
from dti.io.framework_workbook import write_framework_workbook
from dti.io.template import write_template

__all__ = [
    "framework_workbook_command",
    "frameworks_command",
    "template_command",
    "validate_command",
]


@main.command("frameworks", help="List the shipped frameworks.")
@reports_bad_input
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
@reports_bad_input
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
@reports_bad_input
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


@main.command(
    "framework-workbook",
    help="Write a framework as the decision's appendix workbook (reads back losslessly).",
)
@click.argument("framework")
@click.option("-o", "--out", "out", required=True, type=click.Path(path_type=Path))
@reports_bad_input
def framework_workbook_command(framework: str, out: Path) -> None:
    fw = resolve_framework(framework)
    write_framework_workbook(fw, out)
    click.echo(f"wrote {out}: {len(fw.leaves())} indicators, {len(fw.bands)} bands")
