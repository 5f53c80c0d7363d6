"""Room: registry — recording lineage edges, the one writer every reorganisation goes through.

:func:`record_lineage` lets the engine's :class:`dti.engine.Registry` judge the new edges with
the stored ones (known units, no self-link, no cycle) before anything is written, then writes
them with their audit events in one transaction. A predecessor that ends gets its last day (the
day before the event) and stops being active; nothing of its own results changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Set

import polars as pl
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dti.engine import DataError, Registry
from dti.web.accounts.actors import Actor
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_changes, audit_record
from dti.web.errors import InvalidInput
from dti.web.problems import problem_message
from dti.web.registry.models import Lineage, LineageKind, Unit
from dti.web.registry.selectors import EDGE_SCHEMA, lineage_frame, units_frame

Edge = tuple[Unit, Unit, float | None]  # predecessor, successor, weight


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
            _("The reorganisation was refused."),
            problems=[problem_message(p) for p in exc.problems],
        ) from exc


def record_lineage(
    *,
    actor: Actor,
    kind: LineageKind,
    edges: list[Edge],
    date: dt.date | None,
    basis: str,
    ending: Set[Unit] = frozenset(),
    starting: Set[Unit] = frozenset(),
) -> list[Lineage]:
    """Write one event's ``edges``; the units of ``ending`` end the day before ``date``, those
    of ``starting`` without a first day begin on it."""
    with transaction.atomic():
        _check([(kind.value, p.code, s.code, w) for p, s, w in edges], date)
        taken = {
            (p, s)
            for p, s in Lineage.objects.filter(
                predecessor__in=[p for p, _, _ in edges], successor__in=[s for _, s, _ in edges]
            ).values_list("predecessor_id", "successor_id")
        }
        if any((p.pk, s.pk) in taken for p, s, _ in edges):
            raise InvalidInput(_("This lineage edge is already recorded."))
        created = [_edge_write(actor, kind, edge, date, basis) for edge in edges]
        for unit in ending:
            last_day = date - dt.timedelta(days=1) if date else unit.valid_to
            set_validity(actor, unit, unit.valid_from, last_day, active=False, reason=basis)
        for unit in starting:
            if unit.valid_from is None and date is not None:
                set_validity(actor, unit, date, unit.valid_to, active=unit.active, reason=basis)
    return created


def _edge_write(
    actor: Actor, kind: LineageKind, edge: Edge, date: dt.date | None, basis: str
) -> Lineage:
    predecessor, successor, weight = edge
    row = Lineage(
        predecessor=predecessor,
        successor=successor,
        kind=kind,
        date=date,
        weight=weight,
        basis=basis,
    )
    row.full_clean()
    row.save()
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
    return row


def set_validity(
    actor: Actor,
    unit: Unit,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    *,
    active: bool,
    reason: str = "",
) -> None:
    """Set the unit's first and last day and whether it is active, audited."""
    before = {"valid_from": unit.valid_from, "valid_to": unit.valid_to, "active": unit.active}
    unit.valid_from, unit.valid_to, unit.active = valid_from, valid_to, active
    if valid_from and valid_to and valid_to < valid_from:
        raise InvalidInput(
            _("%(unit)s: its last day %(last)s would fall before its first day %(first)s.")
            % {
                "unit": unit.code,
                "last": date_format(valid_to, "SHORT_DATE_FORMAT"),
                "first": date_format(valid_from, "SHORT_DATE_FORMAT"),
            }
        )
    unit.full_clean()
    unit.save(update_fields=["valid_from", "valid_to", "active"])
    audit_changes(
        actor=actor,
        action=AuditAction.UNIT_VALIDITY,
        obj=unit,
        before=before,
        after={"valid_from": valid_from, "valid_to": valid_to, "active": active},
        reason=reason,
    )
