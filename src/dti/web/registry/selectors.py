"""Reading units and their lineage; every question about them is the engine's Registry's.

Load → compute: :func:`engine_registry` loads the units and lineage rows into plain frames and
lets :class:`dti.engine.Registry` validate them and answer (which units existed on a day, a
unit's family tree, values derived through merges and splits).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from django.db.models import Q, QuerySet

from dti.engine import HistoryMethod, Registry, derive_previous
from dti.web.registry.models import Lineage, Province, Unit

__all__ = [
    "FamilyEdge",
    "HistoryPoint",
    "engine_registry",
    "lineage_frame",
    "unit_family",
    "unit_history",
    "unit_history_method",
    "units_frame",
    "units_on",
]

UNIT_SCHEMA = {
    "unit": pl.String,
    "name": pl.String,
    "group": pl.String,
    "parent": pl.String,
    "valid_from": pl.Date,
    "valid_to": pl.Date,
    "basis": pl.String,
}
EDGE_SCHEMA = {
    "date": pl.Date,
    "kind": pl.String,
    "from": pl.String,
    "to": pl.String,
    "weight": pl.Float64,
    "basis": pl.String,
}


def _units(province: Province | None) -> QuerySet[Unit]:
    units = Unit.objects.all()
    if province is not None:
        units = units.filter(group__province=province)
    return units


def units_frame(province: Province | None = None) -> pl.DataFrame:
    """``unit, name, group, parent, valid_from, valid_to, basis`` — the engine's units table."""
    rows = _units(province).values_list(
        "code", "name", "group__code", "parent__code", "valid_from", "valid_to", "basis"
    )
    return pl.DataFrame(
        [list(r) for r in rows.order_by("pk")], schema=UNIT_SCHEMA, orient="row"
    ).with_columns(pl.col("basis").replace("", None))


def lineage_frame(province: Province | None = None) -> pl.DataFrame:
    """``date, kind, from, to, weight, basis`` — one row per lineage edge."""
    edges = Lineage.objects.all()
    if province is not None:
        edges = edges.filter(
            Q(successor__group__province=province) | Q(predecessor__group__province=province)
        )
    rows = edges.order_by("date", "pk").values_list(
        "date", "kind", "predecessor__code", "successor__code", "weight", "basis"
    )
    return pl.DataFrame([list(r) for r in rows], schema=EDGE_SCHEMA, orient="row").with_columns(
        pl.col("basis").replace("", None)
    )


def engine_registry(province: Province | None = None) -> Registry:
    """The engine's :class:`Registry` of the stored units and lineage (of one province, or of
    all; a lineage edge across provinces brings its other end along)."""
    units = units_frame(province)
    edges = lineage_frame(province)
    if province is not None and edges.height:
        known = set(units["unit"].to_list())
        extra = (set(edges["from"].to_list()) | set(edges["to"].to_list())) - known
        if extra:
            units = pl.concat([units, units_frame(None).filter(pl.col("unit").is_in(extra))])
    return Registry.build(units, edges)


def units_on(date: dt.date, province: Province | None = None) -> QuerySet[Unit]:
    """The units that existed on ``date`` (``valid_to`` is a unit's last day)."""
    codes = engine_registry(province).on(date)["unit"].to_list()
    return Unit.objects.filter(code__in=codes).select_related("group", "parent")


@dataclass(frozen=True)
class FamilyEdge:
    predecessor: Unit
    successor: Unit
    date: dt.date | None
    kind: str
    kind_label: str
    weight: float | None
    basis: str


def unit_family(unit: Unit) -> list[FamilyEdge]:
    """The edges of the unit's family tree (ancestors, descendants and the co-predecessors of
    a merge), oldest first — as :meth:`Registry.family` finds them."""
    family = engine_registry().family(unit.code)
    codes = set(family["from"].to_list()) | set(family["to"].to_list())
    by_code = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    edges = Lineage.objects.filter(predecessor__code__in=codes, successor__code__in=codes).order_by(
        "date", "pk"
    )
    wanted = set(family.select("from", "to").iter_rows())
    return [
        FamilyEdge(
            predecessor=by_code[e.predecessor.code],
            successor=by_code[e.successor.code],
            date=e.date,
            kind=e.kind,
            kind_label=e.get_kind_display(),
            weight=e.weight,
            basis=e.basis,
        )
        for e in edges.select_related("predecessor", "successor")
        if (e.predecessor.code, e.successor.code) in wanted
    ]


@dataclass(frozen=True)
class HistoryPoint:
    """The unit's score in one period: its own, or derived from its predecessors'."""

    period_pk: int
    period_name: str
    year: int
    score: float | None
    derived: bool


def unit_history_method(unit: Unit) -> HistoryMethod:
    """How the unit's earlier results are derived from its predecessors': the method declared
    by the framework it is scored on — its latest assessment's, else the one its group is
    assigned in the latest period — as the engine does when it scores (``Framework.history``)."""
    from dti.web.assessments.models import Assessment, PeriodFramework
    from dti.web.frameworks.selectors import framework_parsed

    latest = (
        Assessment.objects.filter(unit=unit)
        .select_related("framework")
        .order_by("-period__year", "-period__pk")
        .first()
    )
    version = latest.framework if latest is not None else None
    if version is None:
        assigned = (
            PeriodFramework.objects.filter(group_id=unit.group_id)
            .select_related("framework")
            .order_by("-period__year", "-period__pk")
            .first()
        )
        version = assigned.framework if assigned is not None else None
    return framework_parsed(version).history if version is not None else HistoryMethod.MEAN


def unit_history(unit: Unit, method: HistoryMethod | None = None) -> list[HistoryPoint]:
    """Each period in which the unit or one of its ancestors has a score: the unit's own score,
    else one derived through lineage by ``method`` (marked ``derived``) — the engine derives.
    ``method`` defaults to the one the unit's framework declares (:func:`unit_history_method`)."""
    from dti.web.assessments.models import Assessment

    if method is None:
        method = unit_history_method(unit)

    registry = engine_registry()
    family = registry.family(unit.code)
    members = set(family["from"].to_list()) | set(family["to"].to_list()) | {unit.code}
    rows = (
        Assessment.objects.filter(unit__code__in=members)
        .select_related("period", "unit")
        .order_by("period__year", "period__pk")
    )
    history = []
    periods: dict[str, tuple[int, str, int]] = {}
    for a in rows:
        score = a.verified_score if a.verified_score is not None else a.self_score
        key = f"p{a.period.pk}"
        periods[key] = (a.period.pk, a.period.name, a.period.year)
        if score is not None:
            history.append((a.unit.code, key, float(score)))
    if not periods:
        return []
    frame = pl.DataFrame(
        history, schema={"unit": pl.String, "period": pl.String, "score": pl.Float64}, orient="row"
    )
    wanted = pl.DataFrame(
        {"unit": [unit.code] * len(periods), "previous_period": list(periods)},
        schema={"unit": pl.String, "previous_period": pl.String},
    )
    out = derive_previous(frame, wanted, registry, method=method, value="score")
    points = []
    for key, value, derived in out.select(
        "previous_period", "previous_score", "previous_derived"
    ).iter_rows():
        if value is None:
            continue
        pk, name, year = periods[key]
        points.append(HistoryPoint(pk, name, year, round(value, 2), bool(derived)))
    return sorted(points, key=lambda p: (p.year, p.period_pk))
