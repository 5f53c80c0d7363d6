"""Room: registry — reorganisations: merge, split, rename, transfer, and one edge at a time.

Every one — :func:`units_merge` (several → one), :func:`unit_split` (one → several),
:func:`unit_rename`, :func:`unit_transfer`, :func:`lineage_add` — is written by
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
from dti.web.accounts.models import Role
from dti.web.accounts.policy import require_role
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
    if check_role:
        require_role(actor, Role.ADMIN)
    weights = _weights(several)
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
        require_role(actor, Role.ADMIN)
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
    """One edge of an event; a rename ends the predecessor (a transfer ends nothing). For
    several → one or one → several use :func:`units_merge` / :func:`unit_split`."""
    if check_role:
        require_role(actor, Role.ADMIN)
    ends = kind.ends_predecessor
    return record_lineage(
        actor=actor,
        kind=kind,
        edges=[(predecessor, successor, weight)],
        date=date,
        basis=basis,
        ending={predecessor} if ends else set(),
        starting={successor} if ends else set(),
    )[0]
