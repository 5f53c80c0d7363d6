"""Writing units, groups and lineage (reorganisations keep the predecessors' history).

Every reorganisation — :func:`units_merge` (several → one), :func:`unit_split` (one → several),
:func:`unit_rename`, :func:`unit_transfer` — is checked by the engine's
:class:`dti.engine.Registry` (known units, no self-link, no cycle) before anything is written,
then written with its audit events in one transaction. A predecessor that ends gets its last
day (the day before the event) and stops being active; nothing of its own results changes.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction

from dti.engine import DataError, Registry
from dti.io.tables import read_lineage, read_units
from dti.web.accounts.models import Role
from dti.web.accounts.policy import require_role
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_changes, audit_record
from dti.web.errors import InvalidInput
from dti.web.registry.models import Lineage, LineageKind, Province, Unit, UnitGroup, UnitKind
from dti.web.registry.selectors import EDGE_SCHEMA, lineage_frame, units_frame

Edge = tuple[Unit, Unit, float | None]  # predecessor, successor, weight


def province_ensure(*, code: str, name: str) -> Province:
    province, _ = Province.objects.get_or_create(code=code, defaults={"name": name})
    return province


def group_ensure(
    *,
    code: str,
    name: str,
    unit_kind: UnitKind,
    name_en: str = "",
    order: int = 0,
    province: Province | None = None,
) -> UnitGroup:
    group, _ = UnitGroup.objects.get_or_create(
        code=code,
        province=province,
        defaults={"name": name, "name_en": name_en, "unit_kind": unit_kind, "order": order},
    )
    return group


def unit_create(
    *,
    actor: Any,
    code: str,
    name: str,
    group: UnitGroup,
    parent: Unit | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    basis: str = "",
    predecessors: Mapping[Unit, float | None] | None = None,
    check_role: bool = True,
) -> Unit:
    """Create a unit; ``predecessors`` records it as formed from them (a merge, or a rename
    when there is one) on ``valid_from``."""
    if check_role:
        require_role(actor, Role.ADMIN)
    with transaction.atomic():
        unit = Unit(
            code=code,
            name=name,
            kind=group.unit_kind,
            group=group,
            parent=parent,
            valid_from=valid_from,
            valid_to=valid_to,
            basis=basis,
            active=valid_to is None,
        )
        unit.full_clean()
        unit.save()
        audit_record(
            actor=actor,
            action=AuditAction.UNIT_CREATE,
            obj=unit,
            new={"code": code, "name": name, "valid_from": valid_from, "basis": basis},
        )
        if predecessors:
            kind = LineageKind.MERGE if len(predecessors) > 1 else LineageKind.RENAME
            _record(
                actor=actor,
                kind=kind,
                edges=[(p, unit, w) for p, w in predecessors.items()],
                date=valid_from,
                basis=basis,
                ending=set(predecessors),
            )
    return unit


# -- reorganisations ------------------------------------------------------------------------


def units_merge(
    *,
    actor: Any,
    predecessors: Mapping[Unit, float | None] | Iterable[Unit],
    successor: Unit,
    date: dt.date,
    basis: str,
    check_role: bool = True,
) -> list[Lineage]:
    """Several units merge into ``successor`` on ``date``; they end the day before."""
    if check_role:
        require_role(actor, Role.ADMIN)
    weights = _weights(predecessors)
    if len(weights) < 2:
        raise InvalidInput("A merge needs at least two predecessors.")
    return _record(
        actor=actor,
        kind=LineageKind.MERGE,
        edges=[(p, successor, w) for p, w in weights.items()],
        date=date,
        basis=basis,
        ending=set(weights),
        starting={successor},
    )


def unit_split(
    *,
    actor: Any,
    predecessor: Unit,
    successors: Mapping[Unit, float | None] | Iterable[Unit],
    date: dt.date,
    basis: str,
    check_role: bool = True,
) -> list[Lineage]:
    """``predecessor`` splits into several units on ``date`` (weights: each one's share)."""
    if check_role:
        require_role(actor, Role.ADMIN)
    weights = _weights(successors)
    if len(weights) < 2:
        raise InvalidInput("A split needs at least two successors.")
    return _record(
        actor=actor,
        kind=LineageKind.SPLIT,
        edges=[(predecessor, s, w) for s, w in weights.items()],
        date=date,
        basis=basis,
        ending={predecessor},
        starting=set(weights),
    )


def unit_rename(
    *,
    actor: Any,
    unit: Unit,
    code: str,
    name: str,
    date: dt.date,
    basis: str,
    check_role: bool = True,
) -> Unit:
    """The unit goes on under a new code and name from ``date``: a new unit, same group and
    parent, linked by a ``rename`` edge (its history is carried over)."""
    if check_role:
        require_role(actor, Role.ADMIN)
    with transaction.atomic():
        successor = unit_create(
            actor=actor,
            code=code,
            name=name,
            group=unit.group,
            parent=unit.parent,
            valid_from=date,
            basis=basis,
            check_role=False,
        )
        _record(
            actor=actor,
            kind=LineageKind.RENAME,
            edges=[(unit, successor, None)],
            date=date,
            basis=basis,
            ending={unit},
        )
    return successor


def unit_transfer(
    *,
    actor: Any,
    source: Unit,
    target: Unit,
    date: dt.date,
    basis: str,
    weight: float | None = None,
    check_role: bool = True,
) -> Lineage:
    """Part of ``source`` (``weight``: its share) moves to ``target``; both go on."""
    if check_role:
        require_role(actor, Role.ADMIN)
    return _record(
        actor=actor,
        kind=LineageKind.TRANSFER,
        edges=[(source, target, weight)],
        date=date,
        basis=basis,
    )[0]


def lineage_add(
    *,
    actor: Any,
    kind: LineageKind,
    predecessor: Unit,
    successor: Unit,
    date: dt.date,
    basis: str,
    weight: float | None = None,
    check_role: bool = True,
) -> Lineage:
    """One edge of an event; a rename ends the predecessor (a transfer ends nothing). For
    several → one or one → several use :func:`units_merge` / :func:`unit_split`."""
    if check_role:
        require_role(actor, Role.ADMIN)
    ends = kind != LineageKind.TRANSFER
    return _record(
        actor=actor,
        kind=kind,
        edges=[(predecessor, successor, weight)],
        date=date,
        basis=basis,
        ending={predecessor} if ends else set(),
        starting={successor} if ends else set(),
    )[0]


def unit_end(
    *, actor: Any, unit: Unit, last_day: dt.date, basis: str, check_role: bool = True
) -> Unit:
    """The unit is abolished with no successor (e.g. the districts on 30 June 2025)."""
    if check_role:
        require_role(actor, Role.ADMIN)
    with transaction.atomic():
        _set_validity(actor, unit, unit.valid_from, last_day, active=False)
        if basis and not unit.basis:
            unit.basis = basis
            unit.save(update_fields=["basis"])
        audit_record(
            actor=actor, action=AuditAction.UNIT_END, obj=unit, new=str(last_day), reason=basis
        )
    return unit


def _weights(units: Mapping[Unit, float | None] | Iterable[Unit]) -> dict[Unit, float | None]:
    if isinstance(units, Mapping):
        return dict(units)
    return dict.fromkeys(units)


def _check(new: list[tuple[str, str, str, float | None]], date: dt.date | None) -> None:
    """Let the engine's Registry judge the lineage with the new edges (self-links, unknown
    units, non-positive weights, cycles) — its problems are the user's messages."""
    edges = pl.concat(
        [
            lineage_frame(),
            pl.DataFrame(
                [(date, kind, src, dst, weight, None) for kind, src, dst, weight in new],
                schema=EDGE_SCHEMA,
                orient="row",
            ),
        ]
    )
    try:
        Registry.build(units_frame(), edges)
    except DataError as exc:
        raise InvalidInput(
            "The reorganisation was refused.", problems=[p.message for p in exc.problems]
        ) from exc


def _record(
    *,
    actor: Any,
    kind: LineageKind,
    edges: list[Edge],
    date: dt.date | None,
    basis: str,
    ending: set[Unit] = frozenset(),  # type: ignore[assignment]
    starting: set[Unit] = frozenset(),  # type: ignore[assignment]
) -> list[Lineage]:
    with transaction.atomic():
        _check([(kind.value, p.code, s.code, w) for p, s, w in edges], date)
        taken = {
            (p, s)
            for p, s in Lineage.objects.filter(
                predecessor__in=[p for p, _, _ in edges], successor__in=[s for _, s, _ in edges]
            ).values_list("predecessor_id", "successor_id")
        }
        if any((p.pk, s.pk) in taken for p, s, _ in edges):
            raise InvalidInput("This lineage edge is already recorded.")
        created = []
        for predecessor, successor, weight in edges:
            edge = Lineage(
                predecessor=predecessor,
                successor=successor,
                kind=kind,
                date=date,
                weight=weight,
                basis=basis,
            )
            edge.full_clean()
            edge.save()
            created.append(edge)
            audit_record(
                actor=actor,
                action=AuditAction.of_lineage(kind.value),
                obj=successor,
                field="predecessors",
                new={
                    "predecessor": predecessor.code,
                    "successor": successor.code,
                    "date": date,
                    "weight": weight,
                    "basis": basis,
                },
            )
        for unit in ending:
            last_day = date - dt.timedelta(days=1) if date else unit.valid_to
            _set_validity(actor, unit, unit.valid_from, last_day, active=False)
        for unit in starting:
            if unit.valid_from is None and date is not None:
                _set_validity(actor, unit, date, unit.valid_to, active=unit.active)
    return created


def _set_validity(
    actor: Any, unit: Unit, valid_from: dt.date | None, valid_to: dt.date | None, *, active: bool
) -> None:
    before = {"valid_from": unit.valid_from, "valid_to": unit.valid_to, "active": unit.active}
    unit.valid_from, unit.valid_to, unit.active = valid_from, valid_to, active
    if valid_from and valid_to and valid_to < valid_from:
        raise InvalidInput(
            f"{unit.code}: its last day {valid_to} would fall before its first day {valid_from}."
        )
    unit.full_clean()
    unit.save(update_fields=["valid_from", "valid_to", "active"])
    audit_changes(
        actor=actor,
        action=AuditAction.UNIT_VALIDITY,
        obj=unit,
        before=before,
        after={"valid_from": valid_from, "valid_to": valid_to, "active": active},
    )


def unit_update(
    *, actor: Any, unit: Unit, name: str, group: UnitGroup, parent: Unit | None, active: bool
) -> Unit:
    require_role(actor, Role.ADMIN)
    with transaction.atomic():
        before = {
            "name": unit.name,
            "group": unit.group.code,
            "parent": _code(unit.parent),
            "active": unit.active,
        }
        unit.name, unit.group, unit.parent, unit.active = name, group, parent, active
        unit.kind = group.unit_kind
        unit.full_clean()
        unit.save()
        after = {"name": name, "group": group.code, "parent": _code(parent), "active": active}
        audit_changes(
            actor=actor, action=AuditAction.UNIT_UPDATE, obj=unit, before=before, after=after
        )
    return unit


def _code(unit: Unit | None) -> str | None:
    return unit.code if unit else None


# -- import ---------------------------------------------------------------------------------

LINEAGE_SHEETS = ("lineage", "Lineage", "Phả hệ", "phả hệ")


def _lineage_sheet(path: Path, tmp: Path) -> Path | None:
    """A workbook's ``lineage`` sheet as a file of its own (``read_lineage`` reads sheet one)."""
    if path.suffix.lower() != ".xlsx":
        return None
    from openpyxl import Workbook, load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        name = next((n for n in LINEAGE_SHEETS if n in workbook.sheetnames), None)
        if name is None:
            return None
        out = Workbook()
        sheet = out.active
        assert sheet is not None
        sheet.title = "lineage"
        for row in workbook[name].iter_rows(values_only=True):
            sheet.append(list(row))
    finally:
        workbook.close()
    target = tmp / "lineage.xlsx"
    out.save(target)
    return target


def units_import(
    *,
    actor: Any,
    path: Path,
    lineage_path: Path | None = None,
    province: Province | None = None,
    check_role: bool = True,
) -> int:
    """Create or update units from a units table (CSV/XLSX: ``unit, name, group, parent,
    predecessors, valid_from, valid_to, basis``) and lineage (a ``lineage`` sheet of the
    workbook or a file of its own: ``date, kind, from, to, weight, basis``); all or nothing."""
    if check_role:
        require_role(actor, Role.ADMIN)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            frame = read_units(path)
            lineage_path = lineage_path or _lineage_sheet(path, Path(tmp))
            lineage = read_lineage(lineage_path) if lineage_path else None
        except DataError as exc:
            raise InvalidInput(
                "The units file has problems.", problems=[str(p) for p in exc.problems]
            ) from exc
    groups = {g.code: g for g in UnitGroup.objects.filter(province=province)}
    problems = [
        f"row {row}: unknown group {group!r} (known: {', '.join(sorted(groups))})"
        for group, row in frame.select("group", "row").iter_rows()
        if group not in groups
    ]
    if problems:
        raise InvalidInput("The units file has problems.", problems=problems)
    count = 0
    with transaction.atomic():
        by_code: dict[str, Unit] = {u.code: u for u in Unit.objects.all()}
        rows = list(frame.iter_rows(named=True))
        for row in rows:
            unit = by_code.get(row["unit"])
            group = groups[row["group"]]
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
            else:
                before = {
                    "name": unit.name,
                    "group": unit.group.code,
                    **{k: getattr(unit, k) for k in dates},
                }
                after = {"name": row["name"], "group": group.code, **dates}
                if before != after:
                    unit.name, unit.group, unit.kind = row["name"], group, group.unit_kind
                    for key, value in dates.items():
                        setattr(unit, key, value)
                    unit.full_clean()
                    unit.save()
                    audit_changes(
                        actor=actor,
                        action=AuditAction.UNIT_IMPORT,
                        obj=unit,
                        before=before,
                        after=after,
                    )
            count += 1
        for row in rows:
            unit = by_code[row["unit"]]
            parent = by_code.get(row["parent"] or "")
            if row["parent"] and parent is None:
                raise InvalidInput(f"row {row['row']}: unknown parent {row['parent']!r}")
            if parent is not None and unit.parent_id != parent.pk:
                unit.parent = parent
                unit.save(update_fields=["parent"])
        _import_edges(actor=actor, frame=frame, lineage=lineage, by_code=by_code)
    return count


def _import_edges(
    *, actor: Any, frame: pl.DataFrame, lineage: pl.DataFrame | None, by_code: dict[str, Unit]
) -> None:
    """The ``predecessors`` column and the lineage table, checked together by the engine."""
    edges: list[tuple[LineageKind, Unit, Unit, float | None, dt.date | None, str]] = []
    for row in frame.iter_rows(named=True):
        unit = by_code[row["unit"]]
        items = [i.partition(":") for i in (row["predecessors"] or "").split(";") if i.strip()]
        kind = LineageKind.MERGE if len(items) > 1 else LineageKind.RENAME
        for code, _, weight in items:
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
    problems = []
    rows = lineage.iter_rows(named=True) if lineage is not None else iter(())
    for n, row in enumerate(rows, start=2):
        src, dst = by_code.get(row["from"]), by_code.get(row["to"])
        if src is None or dst is None:
            problems.append(f"lineage row {n}: unknown unit {row['from']!r} or {row['to']!r}")
            continue
        if row["kind"] not in LineageKind.values:
            problems.append(f"lineage row {n}: unknown kind {row['kind']!r}")
            continue
        edges.append(
            (LineageKind(row["kind"]), src, dst, row["weight"], row["date"], row["basis"] or "")
        )
    if problems:
        raise InvalidInput("The lineage table has problems.", problems=problems)
    known = set(Lineage.objects.values_list("predecessor_id", "successor_id"))
    for kind, src, dst, weight, date, basis in edges:
        if (src.pk, dst.pk) in known:
            continue
        known.add((src.pk, dst.pk))
        ends = kind in (LineageKind.MERGE, LineageKind.SPLIT, LineageKind.RENAME)
        _record(
            actor=actor,
            kind=kind,
            edges=[(src, dst, weight)],
            date=date,
            basis=basis,
            ending={src} if ends else set(),
            starting={dst},
        )
