"""Room: dataset loading — a province's data as plain specs, replayed through the services.

A :class:`Dataset` is plain data — a province, its units and lineage, which framework scores
which group, and per period the unit values and the workflow state each unit reached.
:func:`dataset_load` replays it through the same services a user's clicks call (so every row is
validated by the engine and audited); each period's workflow is replayed by
:mod:`dti.web.demo.replay`. Loading is idempotent: what exists already (a unit, an edge, an
account, a period of the province and year) is kept. The published seed datasets are in
:mod:`dti.web.demo.seeds`, the demo scenario in :mod:`dti.web.demo.scenario`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth.models import User
from django.db import transaction

from dti.catalog import FRAMEWORK_DIR
from dti.web.accounts.models import Role
from dti.web.accounts.services import user_create
from dti.web.assessments import services
from dti.web.assessments.models import Period, Status
from dti.web.connectors.services import ConnectorInput
from dti.web.demo.replay import Cast, period_replay
from dti.web.frameworks.models import FrameworkVersion
from dti.web.frameworks.services import framework_store
from dti.web.registry.models import Lineage, LineageKind, Province, Unit, UnitGroup, UnitKind
from dti.web.registry.services import (
    group_ensure,
    lineage_add,
    province_ensure,
    unit_create,
    unit_end,
    unit_split,
    units_merge,
)

# Vietnam's time zone (the datasets' deadlines are 17:00 local time).
TZ = dt.timezone(dt.timedelta(hours=7))

Values = dict[str, dict[str, tuple[float | None, float | None, bool]]]


@dataclass(frozen=True)
class GroupSpec:
    code: str
    name: str
    name_en: str
    kind: UnitKind
    framework_file: str  # a file under src/dti/frameworks/ (or an absolute path)


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    group: str
    parent: str = ""
    predecessors: tuple[str, ...] = ()
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    basis: str = ""


@dataclass(frozen=True)
class LineageSpec:
    """One edge ``date, kind, from, to, weight, basis`` (a merge or split: all its edges)."""

    date: dt.date
    kind: LineageKind
    source: str
    target: str
    weight: float | None = None
    basis: str = ""


@dataclass(frozen=True)
class Adjustment:
    unit: str
    indicator: str
    value: float | None
    denominator: float | None
    reason: str
    applicable: bool = True


@dataclass(frozen=True)
class MeasuredSpec:
    """Once the earlier snapshots are taken, some leaves of ``group`` become measured: the
    group moves to ``framework_text`` (the same leaves, some with a measured ``source``) by the
    period's audited correction, the province's ``connectors`` are configured, ``prepare``
    runs (a file drop's table put in its folder), and each connector is pulled once."""

    group: str
    framework_text: str
    file_name: str
    reason: str
    connectors: list[ConnectorInput]
    prepare: Callable[[], object] | None = None


@dataclass
class PeriodSpec:
    year: int
    name: str
    self_deadline: dt.datetime
    verification_deadline: dt.datetime
    # unit → indicator → (value, denominator, applicable)
    values: Values
    states: dict[str, Status]
    adjustments: list[Adjustment] = field(default_factory=list)
    # group → framework file, where this period differs from the group's default
    frameworks: dict[str, str] = field(default_factory=dict)
    # the units assessed (default: every active unit of the period's groups)
    units: list[str] | None = None
    # site-visit notes written during verification: unit, day, text
    notes: list[tuple[str, dt.date, str]] = field(default_factory=list)
    # Measured continuously: the values the units had saved by each earlier day, each day
    # followed by a snapshot as of it (before the final values and the workflow's replay),
    # then a snapshot of the final values as of ``last_snapshot``; the plan's rhythm.
    snapshots: list[tuple[dt.date, Values]] = field(default_factory=list)
    last_snapshot: dt.date | None = None
    continuous: str | None = None
    measured: MeasuredSpec | None = None


@dataclass
class Dataset:
    groups: list[GroupSpec]
    units: list[UnitSpec]
    periods: list[PeriodSpec]
    accounts: list[tuple[str, str, Role, str, str]]  # username, password, role, unit, full name
    province: tuple[str, str] | None = None  # code, name
    lineage: list[LineageSpec] = field(default_factory=list)
    endings: list[tuple[str, dt.date, str]] = field(default_factory=list)  # unit, last day, basis
    title: str = ""
    # framework file → data-quality rules the demo adds to it (the province's own checks)
    quality: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _framework_path(file: str) -> Path:
    path = Path(file)
    return path if path.is_absolute() else FRAMEWORK_DIR / path


class _Frameworks:
    """The framework files a dataset names, stored once each (by the system account)."""

    def __init__(self, system: User, quality: dict[str, list[dict[str, Any]]]) -> None:
        self.system = system
        self.quality = quality
        self.stored: dict[Path, FrameworkVersion] = {}

    def version(self, file: str, text: str | None = None) -> FrameworkVersion:
        """The stored version of ``file`` (its ``text`` given: a file made by the dataset)."""
        path = _framework_path(file)
        if path not in self.stored:
            text = path.read_text("utf-8") if text is None else text
            if file in self.quality:
                text += "\n" + yaml.safe_dump({"quality": self.quality[file]}, allow_unicode=True)
            self.stored[path] = framework_store(
                actor=self.system,
                yaml_text=text,
                file_name=path.name,
                check_role=False,
            )
        return self.stored[path]


def dataset_load(dataset: Dataset, *, log: Callable[[str], object] = print) -> None:
    """Create the province, groups, frameworks, units, lineage, accounts and periods, then
    replay each unit's workflow; what exists already is kept."""
    with transaction.atomic():
        system = _system_admin()
        province = (
            province_ensure(code=dataset.province[0], name=dataset.province[1])
            if (dataset.province)
            else None
        )
        frameworks = _Frameworks(system, dataset.quality)
        groups = _groups_load(dataset, province)
        units = _units_load(dataset, groups, system)
        _lineage_load(dataset, units, system)
        users = _accounts_load(dataset, units, system, province)
        cast = Cast(
            users=users,
            system=system,
            admin=_user_with(Role.ADMIN, users, province),
            verifier=_user_with(Role.VERIFIER, users, province),
        )
        for spec in dataset.periods:
            if Period.objects.filter(province=province, year=spec.year).exists():
                log(f"  period {spec.year}: already loaded")
                continue
            log(f"  period {spec.year}: {len(spec.values)} units")
            period = _period_open(dataset, spec, province, groups, units, frameworks, cast.admin)
            measured = (
                frameworks.version(spec.measured.file_name, spec.measured.framework_text)
                if spec.measured is not None
                else None
            )
            period_replay(period, spec, cast, measured=measured, log=log)


def _groups_load(dataset: Dataset, province: Province | None) -> dict[str, UnitGroup]:
    return {
        group_spec.code: group_ensure(
            code=group_spec.code,
            name=group_spec.name,
            name_en=group_spec.name_en,
            unit_kind=group_spec.kind,
            order=i,
            province=province,
        )
        for i, group_spec in enumerate(dataset.groups)
    }


def _period_open(
    dataset: Dataset,
    spec: PeriodSpec,
    province: Province | None,
    groups: dict[str, UnitGroup],
    units: dict[str, Unit],
    frameworks: _Frameworks,
    admin: User,
) -> Period:
    """Open the period for its units (default: every active unit of the dataset's groups),
    each group scored on the period's framework file, else the group's default."""
    files = {**{g.code: g.framework_file for g in dataset.groups}, **spec.frameworks}
    if spec.units is None:
        codes = [g.code for g in dataset.groups]
    else:
        listed = set(spec.units)
        codes = sorted({u.group for u in dataset.units if u.code in listed})
    return services.period_open(
        actor=admin,
        year=spec.year,
        name=spec.name,
        self_deadline=spec.self_deadline,
        verification_deadline=spec.verification_deadline,
        frameworks={groups[c]: frameworks.version(files[c]) for c in codes},
        province=province,
        units=[units[c] for c in spec.units] if spec.units is not None else None,
    )


def _units_load(dataset: Dataset, groups: dict[str, UnitGroup], system: User) -> dict[str, Unit]:
    units: dict[str, Unit] = {
        u.code: u
        for u in Unit.objects.filter(
            code__in=[s.code for s in dataset.units]
            + [s.parent for s in dataset.units if s.parent]
            + [p for s in dataset.units for p in s.predecessors]
            + [e.source for e in dataset.lineage]
            + [code for code, _, _ in dataset.endings]
        )
    }
    for u in dataset.units:
        if u.code in units:
            continue
        units[u.code] = unit_create(
            actor=system,
            code=u.code,
            name=u.name,
            group=groups[u.group],
            parent=units.get(u.parent),
            valid_from=u.valid_from,
            valid_to=u.valid_to,
            basis=u.basis,
            predecessors=dict.fromkeys((units[p] for p in u.predecessors), None),
            check_role=False,
        )
    return units


def _lineage_load(dataset: Dataset, units: dict[str, Unit], system: User) -> None:
    """Record the lineage event by event: a merge's edges together, a split's together."""
    known = set(Lineage.objects.values_list("predecessor__code", "successor__code"))
    events: dict[tuple[dt.date, str, str, str], list[LineageSpec]] = {}
    for e in dataset.lineage:
        if (e.source, e.target) in known:
            continue
        side = e.target if e.kind == LineageKind.MERGE else e.source
        events.setdefault((e.date, e.kind, side, e.basis), []).append(e)
    for (date, kind, _side, basis), edges in events.items():
        if kind == LineageKind.MERGE and len(edges) > 1:
            units_merge(
                actor=system,
                predecessors={units[e.source]: e.weight for e in edges},
                successor=units[edges[0].target],
                date=date,
                basis=basis,
                check_role=False,
            )
        elif kind == LineageKind.SPLIT and len(edges) > 1:
            unit_split(
                actor=system,
                predecessor=units[edges[0].source],
                successors={units[e.target]: e.weight for e in edges},
                date=date,
                basis=basis,
                check_role=False,
            )
        else:
            for e in edges:
                lineage_add(
                    actor=system,
                    kind=LineageKind(e.kind),
                    predecessor=units[e.source],
                    successor=units[e.target],
                    date=date,
                    basis=basis,
                    weight=e.weight,
                    check_role=False,
                )
    for code, last_day, basis in dataset.endings:
        if units[code].valid_to is None:
            unit_end(
                actor=system, unit=units[code], last_day=last_day, basis=basis, check_role=False
            )


def _accounts_load(
    dataset: Dataset, units: dict[str, Unit], system: User, province: Province | None
) -> dict[tuple[Role, str], User]:
    """The dataset's accounts, each of the dataset's province (a reporter: of its unit's)."""
    users: dict[tuple[Role, str], User] = {}
    for username, password, role, unit, full_name in dataset.accounts:
        user = User.objects.filter(username=username).first() or user_create(
            actor=system,
            username=username,
            password=password,
            role=role,
            unit=units[unit] if unit else None,
            province=province,
            full_name=full_name,
            check_role=False,
        )
        users[role, unit] = user
    return users


def _user_with(role: Role, users: dict[tuple[Role, str], User], province: Province | None) -> User:
    """The dataset's account with ``role`` in ``province``, else an existing one of the
    province, else a service account of the province (no password: it cannot sign in). Staff
    act only in their own province, so each province's periods are replayed by its own."""
    in_province = User.objects.filter(membership__role=role, membership__province=province)
    found = next(
        (u for (r, _), u in users.items() if r == role and in_province.filter(pk=u.pk).exists()),
        None,
    )
    found = found or in_province.order_by("pk").first()
    if found is None:
        where = province.code if province else "national"
        found = user_create(
            actor=None,
            username=f"demo-{role.value}-{where}",
            password=None,
            role=role,
            province=province,
            check_role=False,
        )
    return found


def _system_admin() -> User:
    user, _ = User.objects.get_or_create(username="system", defaults={"is_active": False})
    user.set_unusable_password()
    user.save()
    return user
