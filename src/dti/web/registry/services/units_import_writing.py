"""Room: registry — writing a checked units import in bulk: units, parents, lineage edges, the
days the edges end and start units, and every audit event, in one transaction.

Load → compute → save: every unit's final state is computed in memory first (the rows, then
the edges' last and first days), a unit whose last day would fall before its first is a
located problem before anything is written, then each table gets a few bulk statements and the
audit trail one :func:`dti.web.audit.services.audit_write` — a country's reform (14,000 units,
10,400 edges) is a few dozen statements, not tens of thousands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from dti.web.accounts.actors import Actor
from dti.web.audit.actions import AuditAction
from dti.web.audit.models import AuditEvent
from dti.web.audit.services import audit_event, audit_write, change_events
from dti.web.errors import InvalidInput
from dti.web.registry.models import Lineage, Unit, UnitGroup
from dti.web.registry.services.units_import_checks import PlannedEdge

__all__ = ["ImportPlan", "Progress", "plan_apply", "plan_edges", "plan_rows"]

Progress = Callable[[str, int, int], None]  # step, done, total
_BATCH = 2_000


@dataclass
class ImportPlan:
    """The import as computed: units by code (stored ones updated in place, new ones unsaved),
    the stored units' states before, and the edges to record."""

    by_code: dict[str, Unit]
    parent_codes: Mapping[int, str]  # stored unit's key → its parent's code
    before: dict[str, dict[str, Any]] = field(default_factory=dict)
    created: list[Unit] = field(default_factory=list)
    parents: dict[str, str] = field(default_factory=dict)  # child code → parent code
    edges: list[PlannedEdge] = field(default_factory=list)


def _state(unit: Unit, parent: str | None) -> dict[str, Any]:
    return {
        "name": unit.name,
        "group": unit.group.code,
        "parent": parent,
        "valid_from": unit.valid_from,
        "valid_to": unit.valid_to,
        "basis": unit.basis,
        "active": unit.active,
    }


def plan_rows(
    rows: list[dict[str, Any]],
    groups: Mapping[str, UnitGroup],
    by_code: dict[str, Unit],
    parent_codes: Mapping[int, str],
) -> ImportPlan:
    """Every row's unit as it will be: a new unsaved one, or the stored one changed."""
    plan = ImportPlan(by_code=by_code, parent_codes=parent_codes)
    for row in rows:
        group = groups[row["group"]]
        unit = by_code.get(row["unit"])
        if unit is None:
            unit = Unit(code=row["unit"], kind=group.unit_kind, active=row["valid_to"] is None)
            plan.created.append(unit)
            by_code[unit.code] = unit
        else:
            plan.before[unit.code] = _state(unit, parent_codes.get(unit.pk))
        unit.name, unit.group, unit.kind = row["name"], group, group.unit_kind
        unit.valid_from, unit.valid_to = row["valid_from"], row["valid_to"]
        unit.basis = row.get("basis") or ""
        if row["parent"]:
            plan.parents[unit.code] = row["parent"]
    return plan


def plan_edges(plan: ImportPlan, edges: list[PlannedEdge]) -> list[str]:
    """The edges' effects on the units' days, as :func:`record_lineage` gives them: a
    predecessor that ends gets the day before the event as its last and stops being active; a
    successor without a first day begins on the event. Problems: a last day before a first."""
    plan.edges = edges
    problems = []
    for edge in edges:
        src, dst = plan.by_code[edge.src], plan.by_code[edge.dst]
        for stored in (src, dst):
            if stored.pk is not None and stored.code not in plan.before:
                plan.before[stored.code] = _state(stored, plan.parent_codes.get(stored.pk))
        if edge.kind.ends_predecessor:
            if edge.date is not None:
                src.valid_to = edge.date - dt.timedelta(days=1)
            src.active = False
        if edge.kind.starts_successor and dst.valid_from is None and edge.date is not None:
            dst.valid_from = edge.date
        for unit in (src, dst):
            if unit.valid_from and unit.valid_to and unit.valid_to < unit.valid_from:
                problems.append(
                    _(
                        "%(where)s: the last day of '%(code)s' (%(last)s) would fall before its "
                        "first day (%(first)s)"
                    )
                    % {
                        "where": edge.origin,
                        "code": unit.code,
                        "last": unit.valid_to.strftime("%d/%m/%Y"),
                        "first": unit.valid_from.strftime("%d/%m/%Y"),
                    }
                )
    return problems


def _levels(plan: ImportPlan) -> list[list[Unit]]:
    """The new units in the order they can be inserted: those whose parent is stored (or
    none) first, then their children, and so on (a parent's key is known before its child)."""
    pending = {u.code: u for u in plan.created}
    levels = []
    while pending:
        level = [u for code, u in pending.items() if plan.parents.get(code) not in pending]
        if not level:  # a loop of parents among new units
            raise InvalidInput(_("The parents in the file form a loop; nothing was saved."))
        for unit in level:
            del pending[unit.code]
        levels.append(level)
    return levels


def plan_apply(actor: Actor, plan: ImportPlan, progress: Progress, reason: str) -> int:
    """Write the plan (inside the caller's transaction); returns the audit events written."""
    by_code = plan.by_code
    total = len(plan.created) + len(plan.before) + len(plan.edges)
    done = 0
    for level in _levels(plan):
        for unit in level:
            parent = plan.parents.get(unit.code)
            unit.parent = by_code[parent] if parent else None
            unit.clean_fields(exclude=["group", "parent"])
        for start in range(0, len(level), _BATCH):
            Unit.objects.bulk_create(level[start : start + _BATCH])
            done += len(level[start : start + _BATCH])
            progress(_("Writing the units"), done, total)
    events: list[AuditEvent] = [
        audit_event(
            actor=actor,
            action=AuditAction.UNIT_IMPORT,
            obj=unit,
            new=_state(unit, plan.parents.get(unit.code)),
            reason=reason,
        )
        for unit in plan.created
    ]
    changed = []
    for code, before in plan.before.items():
        unit = by_code[code]
        parent = plan.parents.get(code, before["parent"])
        unit.parent = by_code[parent] if parent else None
        after = _state(unit, parent)
        if after != before:
            unit.clean_fields(exclude=["group", "parent"])
            changed.append(unit)
            events += change_events(
                actor=actor,
                action=AuditAction.UNIT_IMPORT,
                obj=unit,
                before=before,
                after=after,
                reason=reason,
            )
    fields = ["name", "group", "kind", "parent", "valid_from", "valid_to", "basis", "active"]
    Unit.objects.bulk_update(changed, fields, batch_size=500)
    done += len(plan.before)
    progress(_("Writing the units"), done, total)
    events += _edges_write(
        actor, plan, lambda n: progress(_("Recording the lineage"), done + n, total), reason
    )
    progress(_("Writing the audit trail"), total, total)
    audit_write(events)
    return len(events)


def _edges_write(
    actor: Actor, plan: ImportPlan, written: Callable[[int], None], reason: str
) -> list[AuditEvent]:
    """The plan's lineage rows, in batches; their audit events (unsaved) are returned."""
    by_code = plan.by_code
    rows = [
        Lineage(
            predecessor=by_code[e.src],
            successor=by_code[e.dst],
            kind=e.kind,
            date=e.date,
            weight=e.weight,
            basis=e.basis,
        )
        for e in plan.edges
    ]
    for start in range(0, len(rows), _BATCH):
        Lineage.objects.bulk_create(rows[start : start + _BATCH])
        written(min(start + _BATCH, len(rows)))
    return [
        audit_event(
            actor=actor,
            action=AuditAction.of_lineage(e.kind.value),
            obj=by_code[e.dst],
            field="predecessors",
            new={
                "predecessor": e.src,
                "successor": e.dst,
                "date": e.date,
                "weight": e.weight,
                "basis": e.basis,
            },
            reason=reason,
        )
        for e in plan.edges
    ]
