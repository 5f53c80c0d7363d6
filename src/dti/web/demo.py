"""Loading a province's data through the ordinary services: the demo, and real datasets.

A :class:`Dataset` is plain data — a province, its units and lineage, which framework scores
which group, and per period the unit values and the workflow state each unit reached.
:func:`dataset_load` replays it through the same services a user's clicks call (so every row is
validated by the engine and audited). :func:`seed_dataset` reads a published dataset under
``src/dti/data/`` into a ``Dataset``; :func:`reorg_dataset` is the demo province's 2025
reorganisation. Loading is idempotent: what exists already (a unit, an edge, an account, a
period of the province and year) is kept.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from dti.catalog import FRAMEWORK_DIR
from dti.engine import Framework, Node, load_framework
from dti.engine.framework import BooleanRule, CountRule, PointsRule, RatioRule, TiersRule
from dti.web.accounts.models import Role
from dti.web.accounts.services import user_create
from dti.web.assessments import services
from dti.web.assessments.models import Assessment, IndicatorEntry, Period, Status
from dti.web.frameworks.models import FrameworkVersion
from dti.web.frameworks.selectors import leaves_for_group
from dti.web.frameworks.services import framework_store
from dti.web.registry.models import Lineage, LineageKind, Unit, UnitGroup, UnitKind
from dti.web.registry.services import (
    group_ensure,
    lineage_add,
    province_ensure,
    unit_create,
    unit_end,
    unit_split,
    units_merge,
)

# The order in which a unit passes through the workflow.
_PATH = [
    Status.DRAFT,
    Status.SUBMITTED,
    Status.UNDER_VERIFICATION,
    Status.VERIFIED,
    Status.APPROVED,
    Status.PUBLISHED,
]
_TRANSITION = {
    Status.SUBMITTED: "submit",
    Status.UNDER_VERIFICATION: "start_verification",
    Status.VERIFIED: "finish_verification",
    Status.APPROVED: "approve",
    Status.PUBLISHED: "publish",
}

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


def _framework_path(file: str) -> Path:
    path = Path(file)
    return path if path.is_absolute() else FRAMEWORK_DIR / path


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
        stored: dict[Path, FrameworkVersion] = {}

        def version(file: str) -> FrameworkVersion:
            path = _framework_path(file)
            if path not in stored:
                stored[path] = framework_store(
                    actor=system,
                    yaml_text=path.read_text("utf-8"),
                    file_name=path.name,
                    check_role=False,
                )
            return stored[path]

        groups: dict[str, UnitGroup] = {}
        defaults: dict[str, str] = {}
        for i, group_spec in enumerate(dataset.groups):
            groups[group_spec.code] = group_ensure(
                code=group_spec.code,
                name=group_spec.name,
                name_en=group_spec.name_en,
                unit_kind=group_spec.kind,
                order=i,
                province=province,
            )
            defaults[group_spec.code] = group_spec.framework_file
        units = _units_load(dataset, groups, system)
        _lineage_load(dataset, units, system)
        users = _accounts_load(dataset, units, system)
        admin = _user_with(Role.ADMIN, users)
        verifier = _user_with(Role.VERIFIER, users)
        for spec in dataset.periods:
            if Period.objects.filter(province=province, year=spec.year).exists():
                log(f"  period {spec.year}: already loaded")
                continue
            log(f"  period {spec.year}: {len(spec.values)} units")
            files = {**defaults, **spec.frameworks}
            if spec.units is None:
                codes = [g.code for g in dataset.groups]
            else:
                listed = set(spec.units)
                codes = sorted({u.group for u in dataset.units if u.code in listed})
            assigned = {groups[c]: version(files[c]) for c in codes}
            period = services.period_open(
                actor=admin,
                year=spec.year,
                name=spec.name,
                self_deadline=spec.self_deadline,
                verification_deadline=spec.verification_deadline,
                frameworks=assigned,
                province=province,
                units=[units[c] for c in spec.units] if spec.units is not None else None,
            )
            _period_replay(period, spec, users, system, admin, verifier)


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
    dataset: Dataset, units: dict[str, Unit], system: User
) -> dict[tuple[Role, str], User]:
    users: dict[tuple[Role, str], User] = {}
    for username, password, role, unit, full_name in dataset.accounts:
        user = User.objects.filter(username=username).first() or user_create(
            actor=system,
            username=username,
            password=password,
            role=role,
            unit=units[unit] if unit else None,
            full_name=full_name,
            check_role=False,
        )
        users[role, unit] = user
    return users


def _user_with(role: Role, users: dict[tuple[Role, str], User]) -> User:
    """The dataset's account with ``role``, else the first existing one."""
    found = next((u for (r, _), u in users.items() if r == role), None)
    found = found or User.objects.filter(membership__role=role).order_by("pk").first()
    if found is None:
        raise ValueError(f"the dataset needs an account with role {role}")
    return found


def _period_replay(
    period: Period,
    spec: PeriodSpec,
    users: dict[tuple[Role, str], User],
    system: User,
    admin: User,
    verifier: User,
) -> None:
    before_self = spec.self_deadline - dt.timedelta(days=1)
    before_verify = spec.verification_deadline - dt.timedelta(days=1)
    adjustments: dict[str, list[Adjustment]] = {}
    for adj in spec.adjustments:
        adjustments.setdefault(adj.unit, []).append(adj)
    notes: dict[str, list[tuple[dt.date, str]]] = {}
    for unit, day, text in spec.notes:
        notes.setdefault(unit, []).append((day, text))
    for assessment in period.assessments.select_related("unit__group", "period"):
        code = assessment.unit.code
        target = spec.states.get(code, Status.DRAFT)
        reporter = _reporter(assessment, users, system)
        rows = [
            services.SelfInput(indicator, v, d, a)
            for indicator, (v, d, a) in spec.values.get(code, {}).items()
        ]
        if rows:
            services.assessment_save_values(
                actor=reporter, assessment=assessment, rows=rows, now=before_self, reason="demo"
            )
        for status in _PATH[1 : _PATH.index(target) + 1]:
            name = _TRANSITION[status]
            actor = {
                "submit": reporter,
                "start_verification": verifier,
                "finish_verification": verifier,
            }.get(name, admin)
            when = before_self if name == "submit" else before_verify
            assessment = services.assessment_transition(
                actor=actor, assessment=assessment, name=name, now=when
            )
            if name != "start_verification":
                continue
            for adj in adjustments.get(code, []):
                entry = IndicatorEntry.objects.get(assessment=assessment, indicator=adj.indicator)
                services.entry_verify(
                    actor=verifier,
                    entry=entry,
                    version=entry.version,
                    adjust=True,
                    value=adj.value,
                    denominator=adj.denominator,
                    applicable=adj.applicable,
                    reason=adj.reason,
                    now=before_verify,
                )
            for day, text in notes.get(code, []):
                services.site_visit_note_add(
                    actor=verifier, assessment=assessment, visited_on=day, text=text
                )


def _system_admin() -> User:
    user, _ = User.objects.get_or_create(username="system", defaults={"is_active": False})
    user.set_unusable_password()
    user.save()
    return user


def _reporter(assessment: Assessment, users: dict[tuple[Role, str], User], fallback: User) -> User:
    """The unit's demo reporter, or a service account created for the unit."""
    user = users.get((Role.REPORTER, assessment.unit.code))
    if user is None:
        username = f"bot-{assessment.unit.code}"
        user = User.objects.filter(username=username).first() or user_create(
            actor=fallback,
            username=username,
            password=None,  # type: ignore[arg-type]
            role=Role.REPORTER,
            unit=assessment.unit,
            check_role=False,
        )
        users[Role.REPORTER, assessment.unit.code] = user
    return user


def _value(
    node: Node, rng: random.Random, strength: float
) -> tuple[float | None, float | None, bool]:
    """A plausible raw value for one leaf; ``strength`` in [0, 1] is how good the unit is."""
    rule = node.rule
    if node.na_allowed and rng.random() < 0.05:
        return None, None, False
    good = min(1.0, max(0.0, rng.gauss(strength, 0.15)))
    if isinstance(rule, BooleanRule):
        return (1.0 if rng.random() < 0.3 + 0.7 * good else 0.0), None, True
    if isinstance(rule, RatioRule) and rule.input == "percent":
        return round(100 * good, 1), None, True
    if isinstance(rule, RatioRule) or (isinstance(rule, TiersRule) and rule.basis == "ratio"):
        denominator = float(rng.randint(20, 600))
        return float(round(denominator * good)), denominator, True
    if isinstance(rule, TiersRule):
        mins = [t.min for t in rule.tiers]
        pick = mins[min(len(mins) - 1, int(good * len(mins)))]
        return max(pick, 0.0), None, True
    if isinstance(rule, CountRule):
        return float(math.floor(good * node.max / rule.per_item + 0.5)), None, True
    if isinstance(rule, PointsRule):
        return round(node.max * good * 2) / 2, None, True
    return None, None, True


def demo_values(
    framework: Framework, group: str, units: Iterable[str], rng: random.Random, drift: float
) -> dict[str, dict[str, tuple[float | None, float | None, bool]]]:
    out = {}
    leaves = leaves_for_group(framework, group)
    for unit in units:
        strength = min(0.97, max(0.55, rng.gauss(0.8 + drift, 0.08)))
        out[unit] = {leaf.code: _value(leaf, rng, strength) for leaf in leaves}
    return out


# -- the published seed datasets ----------------------------------------------------------------

_TZ = dt.timezone(dt.timedelta(hours=7))
_KINDS = {"huyen": UnitKind.DISTRICT, "xa": UnitKind.COMMUNE, "phuong": UnitKind.COMMUNE}
# Seed dataset → (province code, province name, state its periods reached).
SEEDS = {
    "quang-nam-2020": ("quang-nam", "Quảng Nam", Status.PUBLISHED),
    "quang-nam-2022": ("quang-nam", "Quảng Nam", Status.PUBLISHED),
    "lao-cai-2023": ("lao-cai", "Lào Cai", Status.PUBLISHED),
    "gia-vien-2022": ("ninh-binh", "Ninh Bình", Status.VERIFIED),
}


def _values(frame: pl.DataFrame) -> Values:
    out: Values = {}
    for unit, indicator, value, denominator, applicable in frame.select(
        "unit", "indicator", "value", "denominator", "applicable"
    ).iter_rows():
        out.setdefault(unit, {})[indicator] = (value, denominator, bool(applicable))
    return out


def seed_dataset(name: str) -> Dataset:
    """A published dataset of ``src/dti/data`` as a :class:`Dataset`: its own frameworks,
    units (codes already carry the province prefix), self values, and where the dataset has
    them the verified values with their reasons and the site-visit notes."""
    from dti.data import load_dataset

    seed = load_dataset(name)
    province, province_name, state = SEEDS[name]
    files = {
        group: str(seed.path / entry) if entry.endswith(".yaml") else f"{entry}.yaml"
        for group, entry in seed.manifest["frameworks"].items()
    }
    groups = []
    for code, framework in seed.frameworks.items():
        spec = next(g for g in framework.groups if g.code == code)
        groups.append(
            GroupSpec(
                code,
                spec.name.vi,
                spec.name.en or "",
                _KINDS.get(code, UnitKind.DEPARTMENT),
                files[code],
            )
        )
    units = [
        UnitSpec(row["unit"], row["name"], row["group"], parent=row["parent"] or "")
        for row in seed.units.iter_rows(named=True)
    ]
    verification = seed.manifest.get("verification") or {}
    visit_day = dt.date.fromisoformat(str(verification.get("date", "2000-01-01")))
    periods = []
    for period in seed.manifest["periods"]:
        year = int(period)
        own = seed.values["values"].filter(pl.col("period") == period)
        values = _values(own)
        adjustments = []
        if "verified" in seed.values:
            changed = seed.values["verified"].filter(
                (pl.col("period") == period) & pl.col("reason").is_not_null()
            )
            adjustments = [
                Adjustment(
                    r["unit"],
                    r["indicator"],
                    r["value"],
                    r["denominator"],
                    r["reason"],
                    bool(r["applicable"]),
                )
                for r in changed.iter_rows(named=True)
            ]
        notes = [(v["unit"], visit_day, v["notes"]) for v in verification.get("site_visits", [])]
        periods.append(
            PeriodSpec(
                year=year,
                name=f"{seed.manifest['title']} — {year}",
                self_deadline=dt.datetime(year + 1, 3, 31, 17, 0, tzinfo=_TZ),
                verification_deadline=dt.datetime(year + 1, 7, 31, 17, 0, tzinfo=_TZ),
                values=values,
                states=dict.fromkeys(values, state),
                adjustments=adjustments,
                units=sorted(values),
                notes=notes,
            )
        )
    return Dataset(
        groups=groups,
        units=units,
        periods=periods,
        accounts=[],
        province=(province, province_name),
        title=seed.manifest["title"],
    )


# -- the demo province's 2025 reorganisation (illustrative) -------------------------------------

DEPARTMENTS_DAY = dt.date(2025, 3, 1)
DEPARTMENTS_BASIS = "Nghị quyết HĐND tỉnh về thành lập, tổ chức lại các sở (minh họa)"
COMMUNES_DAY = dt.date(2025, 7, 1)
COMMUNES_BASIS = "Nghị quyết của UBTVQH về sắp xếp ĐVHC cấp xã năm 2025 (minh họa)"
DISTRICTS_BASIS = "Luật Tổ chức chính quyền địa phương 2025: không tổ chức cấp huyện từ 01/7/2025"

# New department (2025 code suffix, name, group) ← the 2022 departments it continues.
DEPARTMENTS_2025 = [
    ("SXD", "Sở Xây dựng", "co_tthc", ["SGTVT", "SXD"]),
    ("STC", "Sở Tài chính", "co_tthc", ["SKHDT", "STC"]),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", "co_tthc", ["SNNPTNT", "STNMT"]),
    ("SKHCN", "Sở Khoa học và Công nghệ", "co_tthc", ["SKHCN", "STTTT"]),
    ("SNV", "Sở Nội vụ", "co_tthc", ["SNV", "SLDTBXH"]),
    ("SDTTG", "Sở Dân tộc và Tôn giáo", "co_tthc", ["BDT"]),
    ("SYT", "Sở Y tế", "co_tthc", ["SYT"]),
    ("SGDDT", "Sở Giáo dục và Đào tạo", "co_tthc", ["SGDDT"]),
    ("SCT", "Sở Công Thương", "co_tthc", ["SCT"]),
    ("STP", "Sở Tư pháp", "co_tthc", ["STP"]),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "co_tthc", ["SVHTTDL"]),
    ("BQLKKT", "Ban Quản lý Khu kinh tế mở Chu Lai", "co_tthc", ["BQLKKT"]),
    ("VPUBND", "Văn phòng UBND tỉnh", "khong_tthc", ["VPUBND", "SNGV"]),
    ("TTT", "Thanh tra tỉnh", "khong_tthc", ["TTT"]),
]
# Old communes by district (valid until 30/6/2025) and the new commune or ward each joins.
COMMUNES_2025 = [
    ("TAMKY", "phuong", "Phường Tam Kỳ", ["Phường An Mỹ", "Phường Tân Thạnh"], (0.55, 0.45)),
    ("TAMKY", "phuong", "Phường Quảng Phú", ["Xã Tam Thăng"], ()),
    ("HOIAN", "phuong", "Phường Hội An", ["Phường Minh An", "Phường Cẩm Phô"], ()),
    ("HOIAN", "xa", "Xã Tân Hiệp", ["Xã Cẩm Thanh"], ()),
    ("DIENBAN", "phuong", "Phường Điện Bàn", ["Phường Vĩnh Điện", "Xã Điện Hòa"], ()),
    ("DIENBAN", "phuong", "Phường Điện Bàn Bắc", ["Xã Điện Thắng Trung"], ()),
    ("NUITHANH", "xa", "Xã Núi Thành", ["Thị trấn Núi Thành", "Xã Tam Nghĩa", "Xã Tam Quang"], ()),
    ("BACTRAMY", "xa", "Xã Trà My", ["Thị trấn Trà My", "Xã Trà Sơn"], ()),
    ("THANGBINH", "xa", "Xã Thăng Bình", ["Thị trấn Hà Lam", "Xã Bình Minh", "Xã Bình Triều"], ()),
    ("DUYXUYEN", "xa", "Xã Nam Phước", ["Thị trấn Nam Phước", "Xã Duy Hải"], ()),
    ("DAILOC", "xa", "Xã Đại Lộc", ["Thị trấn Ái Nghĩa", "Xã Đại Hiệp"], ()),
    ("QUESON", "xa", "Xã Quế Sơn", ["Thị trấn Đông Phú", "Xã Quế Xuân 1"], ()),
    ("PHUNINH", "xa", "Xã Phú Ninh", ["Thị trấn Phú Thịnh", "Xã Tam Đàn"], ()),
    ("TIENPHUOC", "xa", "Xã Tiên Phước", ["Thị trấn Tiên Kỳ", "Xã Tiên Cảnh"], ()),
    ("HIEPDUC", "xa", "Xã Hiệp Đức", ["Thị trấn Tân Bình", "Xã Quế Thọ"], ()),
    ("NONGSON", "xa", "Xã Nông Sơn", ["Xã Quế Trung"], ()),
]
DEMO_ACCOUNTS = [
    ("admin", "demo-admin-2024", Role.ADMIN, "", "Nguyễn Văn Quản"),
    ("sogtvt", "demo-so-2024", Role.REPORTER, "QN25-SXD", "Trần Thị Giao"),
    ("nuithanh", "demo-huyen-2024", Role.REPORTER, "QN25-XA-NUI-THANH", "Lê Văn Thành"),
    ("thamtra", "demo-tham-tra-2024", Role.VERIFIER, "", "Phạm Thị Thẩm"),
    ("lanhdao", "demo-lanh-dao-2024", Role.LEADER, "", "Võ Văn Đạo"),
]


def _slug(name: str) -> str:
    import unicodedata

    text = name.replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()
    return "-".join("".join(c if c.isalnum() else " " for c in text).split())


def _states(codes: list[str], drafts: Iterable[str]) -> dict[str, Status]:
    cycle = [
        Status.DRAFT,
        Status.SUBMITTED,
        Status.UNDER_VERIFICATION,
        Status.VERIFIED,
        Status.APPROVED,
        Status.SUBMITTED,
        Status.VERIFIED,
    ]
    states = {code: cycle[i % len(cycle)] for i, code in enumerate(codes)}
    states.update(dict.fromkeys(drafts, Status.DRAFT))
    return states


def reorg_dataset(*, today: dt.datetime | None = None, seed: int = 2025) -> Dataset:
    """Quảng Nam's 2025 reorganisation, illustrative: its 2022 departments regrouped into 14 on
    1 March 2025; 30 communes (assessed for 2024, published) merged into 16 communes and wards
    on 1 July 2025 when the districts ended; the new units assessed for 2025 (under way) under
    the 2025 sets. The pairings, weights and bases are made up for the demo."""
    today = today or timezone.now()
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    groups = [
        GroupSpec("xa", "UBND xã", "Communes", UnitKind.COMMUNE, "dti-cap-xa-2022.yaml"),
        GroupSpec(
            "phuong", "UBND phường", "Wards", UnitKind.COMMUNE, "dti-cap-xa-tay-ninh-2025.yaml"
        ),
        GroupSpec(
            "co_tthc",
            "Cơ quan có thủ tục hành chính",
            "Agencies with administrative procedures",
            UnitKind.DEPARTMENT,
            "dti-so-nganh-2025.yaml",
        ),
        GroupSpec(
            "khong_tthc",
            "Cơ quan không có thủ tục hành chính",
            "Agencies without administrative procedures",
            UnitKind.DEPARTMENT,
            "dti-so-nganh-2025.yaml",
        ),
    ]
    units: list[UnitSpec] = []
    lineage: list[LineageSpec] = []
    old_communes: list[str] = []
    new_units: list[str] = []
    new_groups: dict[str, str] = {}
    for code, name, group, sources in DEPARTMENTS_2025:
        new = f"QN25-{code}"
        units.append(
            UnitSpec(new, name, group, valid_from=DEPARTMENTS_DAY, basis=DEPARTMENTS_BASIS)
        )
        new_units.append(new)
        new_groups[new] = group
        kind = LineageKind.MERGE if len(sources) > 1 else LineageKind.RENAME
        lineage += [
            LineageSpec(DEPARTMENTS_DAY, kind, f"QN-{s}", new, None, DEPARTMENTS_BASIS)
            for s in sources
        ]
    # Religious affairs move from the Department of Home Affairs: a transfer, both go on.
    lineage.append(
        LineageSpec(
            DEPARTMENTS_DAY, LineageKind.TRANSFER, "QN-SNV", "QN25-SDTTG", 0.1, DEPARTMENTS_BASIS
        )
    )
    for district, group, name, sources, weights in COMMUNES_2025:
        new = f"QN25-{_slug(name)}"
        units_before = [f"QN-{district}-{_slug(s)}" for s in sources]
        for code, source in zip(units_before, sources, strict=True):
            units.append(UnitSpec(code, source, "xa", parent=f"QN-{district}"))
            old_communes.append(code)
        units.append(UnitSpec(new, name, group, valid_from=COMMUNES_DAY, basis=COMMUNES_BASIS))
        new_units.append(new)
        new_groups[new] = group
        kind = LineageKind.MERGE if len(sources) > 1 else LineageKind.RENAME
        lineage += [
            LineageSpec(COMMUNES_DAY, kind, code, new, w, COMMUNES_BASIS)
            for code, w in zip(units_before, weights or [None] * len(sources), strict=True)
        ]
    districts = sorted(
        {f"QN-{d}" for d, *_ in COMMUNES_2025}
        | {f"QN-{d}" for d in ("PHUOCSON", "TAYGIANG", "NAMGIANG", "DONGGIANG", "NAMTRAMY")}
    )
    endings = [(d, COMMUNES_DAY - dt.timedelta(days=1), DISTRICTS_BASIS) for d in districts]

    frameworks = {
        f: load_framework(FRAMEWORK_DIR / f)
        for f in ("dti-cap-xa-2022.yaml", "dti-cap-xa-tay-ninh-2025.yaml", "dti-so-nganh-2025.yaml")
    }
    values_2024 = demo_values(frameworks["dti-cap-xa-2022.yaml"], "xa", old_communes, rng, -0.02)
    values_2025: Values = {}
    for code in new_units:
        group = new_groups[code]
        file = "dti-so-nganh-2025.yaml" if "tthc" in group else "dti-cap-xa-tay-ninh-2025.yaml"
        values_2025.update(demo_values(frameworks[file], group, [code], rng, 0.0))
    drafts = [unit for _, _, _, unit, _ in DEMO_ACCOUNTS if unit]
    states_2025 = _states(new_units, drafts)
    for code, state in states_2025.items():
        if state == Status.DRAFT:  # drafts are half filled in
            keep = list(values_2025[code].items())[: len(values_2025[code]) // 2]
            values_2025[code] = dict(keep)
    adjustments = []
    for code, state in states_2025.items():
        if _PATH.index(state) >= _PATH.index(Status.UNDER_VERIFICATION):
            ratio = [(i, v, d) for i, (v, d, a) in values_2025[code].items() if d and v and a]
            if ratio and rng.random() < 0.6:
                ind, v, d = rng.choice(ratio)
                adjustments.append(
                    Adjustment(
                        code,
                        ind,
                        float(math.floor(v * 0.8)),
                        d,
                        "Minh chứng chỉ chứng minh được 80% số liệu báo cáo",
                    )
                )
    periods = [
        PeriodSpec(
            year=2024,
            name="Đánh giá chuyển đổi số cấp xã năm 2024 (Quảng Nam, minh họa)",
            self_deadline=dt.datetime(2025, 3, 31, 17, 0, tzinfo=_TZ),
            verification_deadline=dt.datetime(2025, 5, 31, 17, 0, tzinfo=_TZ),
            values=values_2024,
            states=dict.fromkeys(old_communes, Status.PUBLISHED),
            units=old_communes,
        ),
        PeriodSpec(
            year=2025,
            name="Đánh giá chuyển đổi số năm 2025 — sở, ngành và xã, phường mới (minh họa)",
            self_deadline=today + dt.timedelta(days=30),
            verification_deadline=today + dt.timedelta(days=60),
            values=values_2025,
            states=states_2025,
            adjustments=adjustments,
            frameworks={"xa": "dti-cap-xa-tay-ninh-2025.yaml"},
            units=new_units,
        ),
    ]
    return Dataset(
        groups=groups,
        units=units,
        periods=periods,
        accounts=DEMO_ACCOUNTS,
        province=("quang-nam", "Quảng Nam"),
        lineage=lineage,
        endings=endings,
        title="Quảng Nam: sắp xếp năm 2025 (minh họa)",
    )


def demo_datasets(*, today: dt.datetime | None = None) -> list[Dataset]:
    """Everything ``load_demo`` loads, in order (the reorganisation needs Quảng Nam 2022)."""
    staff = Dataset(
        groups=[],
        units=[],
        periods=[],
        accounts=[a for a in DEMO_ACCOUNTS if a[2] != Role.REPORTER],
    )
    return [staff, *(seed_dataset(name) for name in SEEDS), reorg_dataset(today=today)]


def demo_load(*, log: Callable[[str], object] = print, today: dt.datetime | None = None) -> None:
    for dataset in demo_datasets(today=today):
        if dataset.title:
            log(f"{dataset.title}")
        dataset_load(dataset, log=log)
