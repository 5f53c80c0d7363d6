"""Room: registry — importing a units table and its lineage, all or nothing.

A units table (CSV/XLSX: ``unit, name, group, parent, predecessors, valid_from, valid_to,
basis``) creates or updates units; its ``predecessors`` column and a lineage table (a
``lineage`` sheet of the workbook or a file of its own: ``date, kind, from, to, weight, basis``)
are recorded as edges. Read → check (:mod:`.units_import_checks`: every problem located and in
the user's language, the registry judged once by the engine) → write
(:mod:`.units_import_writing`: in bulk, in one transaction). ``progress`` hears each step.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from django.db import transaction
from django.utils.translation import gettext as _

from dti.engine import DataError
from dti.io.tables import read_lineage, read_units
from dti.io.workbook import sheet_names
from dti.web.accounts.actors import Actor
from dti.web.accounts.policy import require_administer_units
from dti.web.errors import InvalidInput
from dti.web.registry.models import Lineage, Province, Unit, UnitGroup
from dti.web.registry.selectors import lineage_frame, units_frame
from dti.web.registry.services.units_import_checks import (
    PlannedEdge,
    column_edges,
    continuing_as_absorbed,
    group_problems,
    problem_text,
    reference_problems,
    registry_problems,
    table_edges,
)
from dti.web.registry.services.units_import_writing import (
    Progress,
    plan_apply,
    plan_edges,
    plan_rows,
)

LINEAGE_SHEETS = ("lineage", "Lineage", "Phả hệ", "phả hệ")
MAX_PROBLEMS = 200


def _silent(step: str, done: int, total: int) -> None:
    """No one is listening."""


def units_import(
    *,
    actor: Actor,
    path: Path,
    lineage_path: Path | None = None,
    province: Province | None = None,
    check_role: bool = True,
    progress: Progress = _silent,
    names: tuple[str, str] = ("", ""),
) -> int:
    """Create or update units from a units table and lineage (a ``lineage`` sheet of the
    workbook or ``lineage_path``); all or nothing. Returns the number of units' rows.
    ``names`` are the files' names as the user knows them (a CSV's "sheet")."""
    if check_role:
        require_administer_units(actor, province)
    progress(_("Reading the file"), 0, 1)
    frame, units_sheet, lineage, lineage_sheet = _read_tables(path, lineage_path, names)
    progress(_("Checking the units and their lineage"), 0, 1)
    groups = {g.code: g for g in UnitGroup.objects.filter(province=province)}
    problems = group_problems(frame, groups, province, units_sheet)
    stored = {u.code: u for u in Unit.objects.select_related("group__province")}
    known = set(stored) | set(frame["unit"].to_list())
    foreign = {
        code: (unit.group.province.name if unit.group.province else _("the national level"))
        for code in frame["unit"].to_list()
        if (unit := stored.get(code)) is not None and unit.group.province_id != _pk(province)
    }
    problems += reference_problems(frame, known, units_sheet, foreign)
    table, table_problems = table_edges(lineage, known, lineage_sheet)
    _refuse(problems + table_problems)
    edges = _new_edges(column_edges(frame, units_sheet) + table)
    units = _registry_units(frame)
    _refuse(registry_problems(units, lineage_frame(), edges))
    edges = continuing_as_absorbed(edges)
    parent_codes = dict(Unit.objects.filter(parent__isnull=False).values_list("pk", "parent__code"))
    rows = list(frame.iter_rows(named=True))
    plan = plan_rows(rows, groups, stored, parent_codes)
    _refuse(plan_edges(plan, edges))
    with transaction.atomic():
        plan_apply(actor, plan, progress, reason=_("units import"))
    progress(_("Done"), 1, 1)
    return len(rows)


def _pk(province: Province | None) -> int | None:
    return province.pk if province is not None else None


def _refuse(problems: list[str]) -> None:
    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(_("… and %(n)s more") % {"n": len(problems) - MAX_PROBLEMS})
        raise InvalidInput(_("The units file has problems; nothing was saved."), problems=shown)


def _read_tables(
    path: Path, lineage_path: Path | None, names: tuple[str, str]
) -> tuple[pl.DataFrame, str, pl.DataFrame | None, str]:
    """The units frame, its sheet's name, the lineage frame (if any) and its sheet's name."""
    units_sheet = _first_sheet(path, names[0])
    lineage: pl.DataFrame | None = None
    lineage_sheet = _first_sheet(lineage_path, names[1]) if lineage_path else "lineage"
    try:
        frame = read_units(path, check_predecessors=False)
    except DataError as exc:
        raise _unreadable(exc, units_sheet) from exc
    try:
        if lineage_path is not None:
            lineage = read_lineage(lineage_path)
        elif sheet := _lineage_sheet(path):
            lineage_sheet = sheet
            lineage = read_lineage(path, sheet_name=sheet)
    except DataError as exc:
        raise _unreadable(exc, lineage_sheet) from exc
    return frame, units_sheet, lineage, lineage_sheet


def _unreadable(exc: DataError, sheet: str) -> InvalidInput:
    return InvalidInput(
        _("The units file has problems; nothing was saved."),
        problems=[problem_text(p, sheet) for p in exc.problems[:MAX_PROBLEMS]],
    )


def _first_sheet(path: Path | None, name: str) -> str:
    """What the messages call the table: a workbook's first sheet, or the CSV's name."""
    if path is not None and path.suffix.lower() == ".xlsx":
        try:
            found = sheet_names(path)
        except DataError:
            found = []
        if found:
            return found[0]
    return name or (path.name if path is not None else "")


def _lineage_sheet(path: Path) -> str | None:
    """The name of a units workbook's ``lineage`` sheet, if it has one."""
    if path.suffix.lower() != ".xlsx":
        return None
    names = sheet_names(path)
    return next((n for n in LINEAGE_SHEETS if n in names), None)


def _new_edges(edges: list[PlannedEdge]) -> list[PlannedEdge]:
    """The edges not yet stored, each pair once (the file's last word on it, as the engine
    reads a lineage table)."""
    stored = set(Lineage.objects.values_list("predecessor__code", "successor__code"))
    latest = {(e.src, e.dst): e for e in edges if (e.src, e.dst) not in stored}
    return list(latest.values())


def _registry_units(frame: pl.DataFrame) -> pl.DataFrame:
    """The registry's units as they will be: the stored ones, the file's rows replacing theirs."""
    stored = units_frame()
    rows = frame.select(stored.columns).cast(stored.schema)
    return pl.concat([stored.filter(~pl.col("unit").is_in(rows["unit"].implode())), rows])
