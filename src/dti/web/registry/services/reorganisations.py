"""Room: registry — reorganisations: merge, split, rename, transfer, and one edge at a time.

Every one — :func:`units_merge` (several → one), :func:`units_absorb` (one unit goes on under
its code and takes others in), :func:`unit_split` (one → several), :func:`unit_rename`,
:func:`unit_transfer`, :func:`lineage_add` — is written by
:func:`dti.web.registry.services.lineage.record_lineage`: checked by the engine's
:class:`dti.engine.Registry` before anything is written, then written with its audit events in
one transaction. A predecessor that ends gets its last day (the day before the event).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from dti.web.accounts.actors import Actor
from dti.web.accounts.policy import require_administer_units
from dti.web.errors import InvalidInput
from dti.web.registry.models import Lineage, LineageKind, Unit
from dti.web.registry.services.lineage import record_lineage
from dti.web.registry.services.units import unit_create

Weighted = Mapping[Unit, float | None] | Iterable[Unit]  # units, each with its weight or none


def units_merge(
    *,
    actor: Actor,
    predecessors: Weighted,
    successor: Unit,
    date: dt.date,
    basis: str,
    check_role: bool = True,
) -> list[Lineage]:
    """Several units merge into ``successor`` on ``date``; they end the day before."""
    return _several_with_one(
        actor, LineageKind.MERGE, predecessors, successor, date, basis, check_role=check_role
    )


def units_absorb(
    *,
    actor: Actor,
    continuing: Unit,
    absorbed: Weighted,
    date: dt.date,
    basis: str,
    check_role: bool = True,
) -> list[Lineage]:
    """``continuing`` takes the ``absorbed`` units in on ``date`` and goes on under its own code
    and name (as every province of 1 July 2025 kept one predecessor's); they end the day before.
    Its comparable past is then derived from all of them, itself included (the engine's
    continuing unit); nothing of its own or their results changes."""
    weights = _weights(absorbed)
    if check_role:
        _require(actor, continuing, *weights)
    if not weights or continuing in weights:
        raise InvalidInput(_("Choose at least one other unit to be absorbed."))
    return record_lineage(
        actor=actor,
        kind=LineageKind.ABSORB,
        edges=[(u, continuing, w) for u, w in weights.items()],
        date=date,
        basis=basis,
        ending=set(weights),
    )


def unit_split(
    *,
    actor: Actor,
    predecessor: Unit,
    successors: Weighted,
    date: dt.date,
    basis: str,
    check_role: bool = True,
) -> list[Lineage]:
    """``predecessor`` splits into several units on ``date`` (weights: each one's share)."""
    return _several_with_one(
        actor, LineageKind.SPLIT, successors, predecessor, date, basis, check_role=check_role
    )


def _several_with_one(
    actor: Actor,
    kind: LineageKind,
    several: Weighted,
    one: Unit,
    date: dt.date,
    basis: str,
    *,
    check_role: bool,
) -> list[Lineage]:
    """A merge (``several`` → ``one``: they end, it starts) or a split (``one`` → ``several``:
    it ends, they start); either needs at least two of ``several``."""
    weights = _weights(several)
    if check_role:
        _require(actor, one, *weights)
    merge = kind == LineageKind.MERGE
    if len(weights) < 2:
        raise InvalidInput(
            _("A merge needs at least two predecessors.")
            if merge
            else _("A split needs at least two successors.")
        )
    return record_lineage(
        actor=actor,
        kind=kind,
        edges=[(u, one, w) if merge else (one, u, w) for u, w in weights.items()],
        date=date,
        basis=basis,
        ending=set(weights) if merge else {one},
        starting={one} if merge else set(weights),
    )


def _require(actor: Actor, *units: Unit) -> None:
    """Every unit of the event is one the actor administers (its province's admin)."""
    for unit in units:
        require_administer_units(actor, unit.group.province)


def _weights(units: Weighted) -> dict[Unit, float | None]:
    if isinstance(units, Mapping):
        return dict(units)
    return dict.fromkeys(units)


def unit_rename(
    *,
    actor: Actor,
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
        _require(actor, unit)
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
        record_lineage(
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
    actor: Actor,
    source: Unit,
    target: Unit,
    date: dt.date,
    basis: str,
    weight: float | None = None,
    check_role: bool = True,
) -> Lineage:
    """Part of ``source`` (``weight``: its share) moves to ``target``; both go on."""
    if check_role:
        _require(actor, source, target)
    return record_lineage(
        actor=actor,
        kind=LineageKind.TRANSFER,
        edges=[(source, target, weight)],
        date=date,
        basis=basis,
    )[0]


def lineage_add(
    *,
    actor: Actor,
    kind: LineageKind,
    predecessor: Unit,
    successor: Unit,
    date: dt.date,
    basis: str,
    weight: float | None = None,
    check_role: bool = True,
) -> Lineage:
    """One edge of an event; a rename ends the predecessor (a transfer ends nothing; an
    absorption ends the predecessor and the successor goes on). For several → one or one →
    several use :func:`units_merge`, :func:`units_absorb` or :func:`unit_split`."""
    if check_role:
        _require(actor, predecessor, successor)
    return record_lineage(
        actor=actor,
        kind=kind,
        edges=[(predecessor, successor, weight)],
        date=date,
        basis=basis,
        ending={predecessor} if kind.ends_predecessor else set(),
        starting={successor} if kind.starts_successor else set(),
    )[0]
