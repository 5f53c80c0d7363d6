"""Room: registry — importing a units table and its lineage, all or nothing.

A units table (CSV/XLSX: ``unit, name, group, parent, predecessors, valid_from, valid_to,
basis``) creates or updates units; its ``predecessors`` column and a lineage table (a
``lineage`` sheet of the workbook or a file of its own: ``date, kind, from, to, weight, basis``)
are recorded as edges, checked together by the engine.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction
from django.utils.translation import gettext as _

from dti.engine import DataError
from dti.io.tables import read_lineage, read_units
from dti.io.workbook import sheet_names
from dti.web.accounts.actors import Actor
from dti.web.accounts.models import Role
from dti.web.accounts.policy import require_role
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_changes, audit_record
from dti.web.errors import InvalidInput
from dti.web.problems import problem_texts
from dti.web.registry.models import Lineage, LineageKind, Province, Unit, UnitGroup
from dti.web.registry.services.lineage import record_lineage

LINEAGE_SHEETS = ("lineage", "Lineage", "Phả hệ", "phả hệ")

# kind, predecessor, successor, weight, date, basis
_ImportedEdge = tuple[LineageKind, Unit, Unit, float | None, dt.date | None, str]


def units_import(
    *,
    actor: Actor,
    path: Path,
    lineage_path: Path | None = None,
    province: Province | None = None,
    check_role: bool = True,
) -> int:
    """Create or update units from a units table and lineage (a ``lineage`` sheet of the
    workbook or ``lineage_path``); all or nothing. Returns the number of units' rows."""
    if check_role:
        require_role(actor, Role.ADMIN)
    frame, lineage = _read_tables(path, lineage_path)
    groups = {g.code: g for g in UnitGroup.objects.filter(province=province)}
    known = ", ".join(sorted(groups)) or "none"
    where = f"province {province.code}" if province else "this installation"
    # Row problems stay in the readers' words (located, in English) until problems become
    # codes rendered in the user's language; the summary above them is translated.
    problems = [
        f"row {row}, column group: unknown group {group!r} (the groups of {where}: {known})"
        for group, row in frame.select("group", "row").iter_rows()
        if group not in groups
    ]
    if problems:
        raise InvalidInput(_("The units file has problems; nothing was saved."), problems=problems)
    with transaction.atomic():
        by_code: dict[str, Unit] = {u.code: u for u in Unit.objects.all()}
        rows = list(frame.iter_rows(named=True))
        for row in rows:
            _unit_write(actor, row, groups[row["group"]], by_code)
        _parents_set(rows, by_code)
        edges = _column_edges(frame, by_code) + _table_edges(lineage, by_code)
        _edges_write(actor, edges)
    return len(rows)


def _read_tables(path: Path, lineage_path: Path | None) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    lineage: pl.DataFrame | None
    try:
        frame = read_units(path)
        if lineage_path is not None:
            lineage = read_lineage(lineage_path)
        else:
            sheet = _lineage_sheet(path)
            lineage = read_lineage(path, sheet_name=sheet) if sheet else None
    except DataError as exc:
        raise InvalidInput(
            _("The units file has problems."), problems=problem_texts(exc.problems)
        ) from exc
    return frame, lineage


def _lineage_sheet(path: Path) -> str | None:
    """The name of a units workbook's ``lineage`` sheet, if it has one."""
    if path.suffix.lower() != ".xlsx":
        return None
    names = sheet_names(path)
    return next((n for n in LINEAGE_SHEETS if n in names), None)


def _unit_write(
    actor: Actor, row: dict[str, Any], group: UnitGroup, by_code: dict[str, Unit]
) -> None:
    """Create the row's unit, or update it where the row differs (audited either way)."""
    unit = by_code.get(row["unit"])
    dates = {
        "valid_from": row["valid_from"],
        "valid_to": row["valid_to"],
        "basis": row.get("basis") or "",
    }
    if unit is None:
        unit = Unit(
            code=row["unit"],
            name=row["name"],
            kind=group.unit_kind,
            group=group,
            active=row["valid_to"] is None,
            **dates,
        )
        unit.full_clean()
        unit.save()
        audit_record(actor=actor, action=AuditAction.UNIT_IMPORT, obj=unit, new=row["name"])
        by_code[unit.code] = unit
        return
    before = {"name": unit.name, "group": unit.group.code, **{k: getattr(unit, k) for k in dates}}
    after = {"name": row["name"], "group": group.code, **dates}
    if before != after:
        unit.name, unit.group, unit.kind = row["name"], group, group.unit_kind
        for key, value in dates.items():
            setattr(unit, key, value)
        unit.full_clean()
        unit.save()
        audit_changes(
            actor=actor, action=AuditAction.UNIT_IMPORT, obj=unit, before=before, after=after
        )


def _parents_set(rows: list[dict[str, Any]], by_code: dict[str, Unit]) -> None:
    for row in rows:
        unit = by_code[row["unit"]]
        parent = by_code.get(row["parent"] or "")
        if row["parent"] and parent is None:
            raise InvalidInput(
                _("row %(row)s: unknown parent “%(parent)s”")
                % {"row": row["row"], "parent": row["parent"]}
            )
        if parent is not None and unit.parent_id != parent.pk:
            unit.parent = parent
            unit.save(update_fields=["parent"])


def _column_edges(frame: pl.DataFrame, by_code: dict[str, Unit]) -> list[_ImportedEdge]:
    """The ``predecessors`` column (``code[:weight]; …``): the unit formed from them."""
    edges: list[_ImportedEdge] = []
    for row in frame.iter_rows(named=True):
        unit = by_code[row["unit"]]
        items = [i.partition(":") for i in (row["predecessors"] or "").split(";") if i.strip()]
        kind = LineageKind.forming(len(items))
        for code, _colon, weight in items:
            edges.append(
                (
                    kind,
                    by_code[code.strip()],
                    unit,
                    float(weight) if weight.strip() else None,
                    row["valid_from"],
                    row.get("basis") or "",
                )
            )
    return edges


def _table_edges(lineage: pl.DataFrame | None, by_code: dict[str, Unit]) -> list[_ImportedEdge]:
    """The lineage table's rows, every unknown unit or kind a located problem."""
    edges: list[_ImportedEdge] = []
    problems = []
    rows = lineage.iter_rows(named=True) if lineage is not None else iter(())
    for n, row in enumerate(rows, start=2):
        src, dst = by_code.get(row["from"]), by_code.get(row["to"])
        if src is None or dst is None:
            problems.append(
                _("lineage row %(row)s: unknown unit “%(from)s” or “%(to)s”")
                % {"row": n, "from": row["from"], "to": row["to"]}
            )
            continue
        if row["kind"] not in LineageKind.values:
            problems.append(
                _("lineage row %(row)s: unknown kind “%(kind)s”") % {"row": n, "kind": row["kind"]}
            )
            continue
        edges.append(
            (LineageKind(row["kind"]), src, dst, row["weight"], row["date"], row["basis"] or "")
        )
    if problems:
        raise InvalidInput(_("The lineage table has problems."), problems=problems)
    return edges


def _edges_write(actor: Actor, edges: list[_ImportedEdge]) -> None:
    """Record the edges not yet stored, one by one (the engine checks each)."""
    known = set(Lineage.objects.values_list("predecessor_id", "successor_id"))
    for kind, src, dst, weight, date, basis in edges:
        if (src.pk, dst.pk) in known:
            continue
        known.add((src.pk, dst.pk))
        ends = kind.ends_predecessor
        record_lineage(
            actor=actor,
            kind=kind,
            edges=[(src, dst, weight)],
            date=date,
            basis=basis,
            ending={src} if ends else set(),
            starting={dst},
        )
