"""Room: registry — provinces, groups and units: create, update, end.

A unit created with ``predecessors`` is recorded as formed from them (through
:func:`dti.web.registry.services.lineage.record_lineage`, which the engine checks first).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction

from dti.web.accounts.actors import Actor
from dti.web.accounts.policy import require_admin_of, require_units_admin
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_changes, audit_record
from dti.web.registry.models import LineageKind, Province, Unit, UnitGroup, UnitKind
from dti.web.registry.services.lineage import record_lineage, set_validity


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
    actor: Actor,
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
        require_admin_of(actor, group.province_id)
        require_units_admin(actor, *([parent] if parent else []), *(predecessors or {}))
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
            record_lineage(
                actor=actor,
                kind=LineageKind.forming(len(predecessors)),
                edges=[(p, unit, w) for p, w in predecessors.items()],
                date=valid_from,
                basis=basis,
                ending=set(predecessors),
            )
    return unit


def unit_update(
    *, actor: Actor, unit: Unit, name: str, group: UnitGroup, parent: Unit | None, active: bool
) -> Unit:
    require_units_admin(actor, unit, *([parent] if parent else []))
    require_admin_of(actor, group.province_id)
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


def unit_end(
    *, actor: Actor, unit: Unit, last_day: dt.date, basis: str, check_role: bool = True
) -> Unit:
    """The unit is abolished with no successor (e.g. the districts on 30 June 2025)."""
    if check_role:
        require_units_admin(actor, unit)
    with transaction.atomic():
        set_validity(actor, unit, unit.valid_from, last_day, active=False)
        if basis and not unit.basis:
            unit.basis = basis
            unit.save(update_fields=["basis"])
        audit_record(
            actor=actor, action=AuditAction.UNIT_END, obj=unit, new=str(last_day), reason=basis
        )
    return unit
