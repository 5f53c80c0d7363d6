"""Room: the demo scenario — what ``manage.py load_demo`` loads, and its accounts.

The seed datasets as published (:mod:`dti.web.demo.seeds`), then Quảng Nam's 2025
reorganisation (illustrative: :func:`reorg_dataset`), with one account per role
(:data:`DEMO_ACCOUNTS`); the reorganised units' values are made up, plausibly, by
:func:`demo_values`.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from dti.catalog import FRAMEWORK_DIR
from dti.engine import (
    BooleanRule,
    CountRule,
    Framework,
    Node,
    PointsRule,
    RatioRule,
    TiersRule,
    load_framework,
)
from dti.web.accounts.models import Role
from dti.web.assessments.models import Status
from dti.web.assessments.workflow import VERIFIED_SIDE
from dti.web.connectors.models import ConnectorKind
from dti.web.connectors.services import ConnectorInput
from dti.web.demo.datasets import (
    TZ,
    Adjustment,
    Dataset,
    GroupSpec,
    LineageSpec,
    MeasuredSpec,
    PeriodSpec,
    UnitSpec,
    Values,
    dataset_load,
)
from dti.web.demo.seeds import SEEDS, seed_dataset
from dti.web.demo.source import (
    FEED_JSON,
    PORTAL,
    DemoSource,
    drop_write,
    figures,
    portal_id,
)
from dti.web.frameworks.selectors import leaves_for_group
from dti.web.registry.models import LineageKind, UnitKind
from dti.web.snapshots.models import Rhythm

# -- plausible values ---------------------------------------------------------------------------


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
) -> Values:
    """Values for every leaf of ``group`` for each unit, the unit's strength drawn around
    0.8 + ``drift``."""
    out: Values = {}
    leaves = leaves_for_group(framework, group)
    for unit in units:
        strength = min(0.97, max(0.55, rng.gauss(0.8 + drift, 0.08)))
        out[unit] = {leaf.code: _value(leaf, rng, strength) for leaf in leaves}
    return out


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
# The demo hosts several provinces: Quảng Nam's accounts above, and an admin of Lào Cai who
# sees Lào Cai's periods and units only (roles are per province).
QUANG_NAM = ("quang-nam", "Quảng Nam")
LAO_CAI = ("lao-cai", "Lào Cai")
LAO_CAI_ACCOUNTS = [
    ("admin-laocai", "demo-lao-cai-2024", Role.ADMIN, "", "Hoàng Thị Cai"),
]
# (province code, name) → its demo accounts, as load_demo prints them.
DEMO_PROVINCE_ACCOUNTS = [(QUANG_NAM, DEMO_ACCOUNTS), (LAO_CAI, LAO_CAI_ACCOUNTS)]


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


_SETS = ("dti-cap-xa-2022.yaml", "dti-cap-xa-tay-ninh-2025.yaml", "dti-so-nganh-2025.yaml")
REORG_GROUPS = [
    GroupSpec("xa", "UBND xã", "Communes", UnitKind.COMMUNE, "dti-cap-xa-2022.yaml"),
    GroupSpec("phuong", "UBND phường", "Wards", UnitKind.COMMUNE, "dti-cap-xa-tay-ninh-2025.yaml"),
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


@dataclass
class _Reorganisation:
    """The reorganisation's units and lineage: the old communes (assessed for 2024) and the
    new units (→ their group, assessed for 2025), in the order they are created."""

    units: list[UnitSpec] = field(default_factory=list)
    lineage: list[LineageSpec] = field(default_factory=list)
    old_communes: list[str] = field(default_factory=list)
    new_units: dict[str, str] = field(default_factory=dict)

    def formed(
        self,
        spec: UnitSpec,
        sources: list[str],
        weights: Iterable[float | None],
    ) -> None:
        """A new unit formed on its first day from ``sources`` (a merge, or a rename)."""
        assert spec.valid_from is not None
        self.units.append(spec)
        self.new_units[spec.code] = spec.group
        kind = LineageKind.forming(len(sources))
        self.lineage += [
            LineageSpec(spec.valid_from, kind, source, spec.code, weight, spec.basis)
            for source, weight in zip(sources, weights, strict=True)
        ]


def _reorganisation() -> _Reorganisation:
    out = _Reorganisation()
    for code, name, group, sources in DEPARTMENTS_2025:
        new = UnitSpec(
            f"QN25-{code}", name, group, valid_from=DEPARTMENTS_DAY, basis=DEPARTMENTS_BASIS
        )
        out.formed(new, [f"QN-{s}" for s in sources], [None] * len(sources))
    # Religious affairs move from the Department of Home Affairs: a transfer, both go on.
    out.lineage.append(
        LineageSpec(
            DEPARTMENTS_DAY, LineageKind.TRANSFER, "QN-SNV", "QN25-SDTTG", 0.1, DEPARTMENTS_BASIS
        )
    )
    for district, group, name, sources, weights in COMMUNES_2025:
        units_before = [f"QN-{district}-{_slug(s)}" for s in sources]
        for code, source in zip(units_before, sources, strict=True):
            out.units.append(UnitSpec(code, source, "xa", parent=f"QN-{district}"))
            out.old_communes.append(code)
        new = UnitSpec(
            f"QN25-{_slug(name)}", name, group, valid_from=COMMUNES_DAY, basis=COMMUNES_BASIS
        )
        out.formed(new, units_before, weights or [None] * len(sources))
    return out


def _district_endings() -> list[tuple[str, dt.date, str]]:
    """Every district ends on 30 June 2025 (no successor: the level is abolished)."""
    districts = sorted(
        {f"QN-{d}" for d, *_ in COMMUNES_2025}
        | {f"QN-{d}" for d in ("PHUOCSON", "TAYGIANG", "NAMGIANG", "DONGGIANG", "NAMTRAMY")}
    )
    return [(d, COMMUNES_DAY - dt.timedelta(days=1), DISTRICTS_BASIS) for d in districts]


def _values_2025(
    reorg: _Reorganisation, frameworks: dict[str, Framework], rng: random.Random
) -> Values:
    values: Values = {}
    for code, group in reorg.new_units.items():
        file = "dti-so-nganh-2025.yaml" if "tthc" in group else "dti-cap-xa-tay-ninh-2025.yaml"
        values.update(demo_values(frameworks[file], group, [code], rng, 0.0))
    return values


def _adjustments(values: Values, states: dict[str, Status], rng: random.Random) -> list[Adjustment]:
    """Some units under or past verification had one ratio cut to 80% by the verifier."""
    adjustments = []
    for code, state in states.items():
        if state not in VERIFIED_SIDE:
            continue
        ratio = [(i, v, d) for i, (v, d, a) in values[code].items() if d and v and a]
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
    return adjustments


# The province's own data-quality checks on the departments' 2025 set (the demo's, not the
# decision's): fewer than half the staff with a computer, or fewer than half the dossiers on
# time, is more likely a typing slip than the truth.
DEPARTMENT_QUALITY: list[dict[str, Any]] = [
    {
        "check": "range",
        "indicator": "3.1",
        "min": 0.5,
        "note": {"vi": "Dưới một nửa công chức có máy tính: kiểm tra lại số liệu"},
    },
    {
        "check": "range",
        "indicator": "5.5",
        "min": 0.5,
        "note": {"vi": "Dưới một nửa hồ sơ đúng hạn: kiểm tra lại số liệu"},
    },
]
# -- measured leaves (the departments with procedures, from the demo's local source) -----------

DEPARTMENTS_FILE = "dti-so-nganh-2025.yaml"
MEASURED_FILE = "dti-so-nganh-2025-do-tu-dong.yaml"
MEASURED_GROUP = "co_tthc"
# The departments the source serves: every one with administrative procedures, in order.
MEASURED_UNITS = [
    (f"QN25-{c}", name) for c, name, group, _ in DEPARTMENTS_2025 if group == "co_tthc"
]
# Leaf → its source: three of the public-service portal's statistics (two from the portal, the
# on-time share from the one-stop system's JSON feed) and the video-conference system's export.
MEASURED_SOURCES = {
    "4.4": "{kind: measured, connector: hop-truc-tuyen, field: cuoc_hop_truc_tuyen, "
    "denominator: tong_cuoc_hop}",
    "5.1": "{kind: measured, connector: dvc, field: thu_tuc_toan_trinh, denominator: tong_thu_tuc}",
    "5.2": "{kind: measured, connector: dvc, field: ho_so_truc_tuyen, denominator: tong_ho_so}",
    "5.5": "{kind: measured, connector: mot-cua, field: dung_han, denominator: da_giai_quyet}",
}
MEASURED_REASON = (
    "Tỉnh đo tự động 4 chỉ số từ Cổng Dịch vụ công, hệ thống một cửa điện tử và hệ thống "
    "họp trực tuyến (minh họa)"
)
# The unit that had typed its share of dossiers received online before it was measured, and
# typed it far above what the portal counts: the first pull flags it.
CONFLICT_UNIT, CONFLICT_LEAF = "QN25-SXD", "5.2"


def measured_framework_text() -> str:
    """The departments' 2025 set with :data:`MEASURED_SOURCES` on its leaves — a version of its
    own (the same code and leaves), made from the shipped file so the two never drift apart."""
    lines = (FRAMEWORK_DIR / DEPARTMENTS_FILE).read_text("utf-8").splitlines()
    out: list[str] = []
    current: str | None = None
    for line in lines:
        if line.startswith("version:"):
            line = 'version: "2025 đo tự động (minh họa)"'
        out.append(line)
        stripped = line.strip()
        if stripped.startswith("- code: "):
            current = stripped.removeprefix("- code: ").strip('"')
        if current in MEASURED_SOURCES and stripped.startswith("max:"):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}source: {MEASURED_SOURCES[current]}")
            current = None
    return "\n".join(out) + "\n"


def demo_connectors(url: str, folder: Path) -> list[ConnectorInput]:
    """One connector per kind of adapter, mapped as the demo's source publishes."""
    return [
        ConnectorInput(
            code="dvc",
            name="Cổng Dịch vụ công tỉnh (thống kê theo cơ quan)",
            kind=ConnectorKind.PORTAL,
            url=url + PORTAL,
            unit_map={portal_id(i): code for i, (code, _) in enumerate(MEASURED_UNITS, start=1)},
        ),
        ConnectorInput(
            code="mot-cua",
            name="Hệ thống thông tin giải quyết TTHC tỉnh (một cửa điện tử)",
            kind=ConnectorKind.HTTP_JSON,
            url=url + FEED_JSON,
            records="data.items",
            pagination="page",
            page_param="page",
            pages_key="meta.pages",
            total_key="meta.total",
            unit_key="maDonVi",
            field_map={"dung_han": "hoSoDungHan", "da_giai_quyet": "hoSoDaGiaiQuyet"},
        ),
        ConnectorInput(
            code="hop-truc-tuyen",
            name="Hệ thống họp trực tuyến tỉnh (tệp xuất hằng tháng)",
            kind=ConnectorKind.FILE_DROP,
            folder=str(folder),
            unit_key="don_vi",
        ),
    ]


def _declared_only(values: Values) -> Values:
    """The values without the measured leaves of the measured group's units (never typed)."""
    measured = {code for code, _ in MEASURED_UNITS}
    return {
        unit: {c: v for c, v in leaves.items() if unit not in measured or c not in MEASURED_SOURCES}
        for unit, leaves in values.items()
    }


def _declared_conflict() -> tuple[float, float]:
    """What the conflicting unit typed: nearly every dossier online, against the portal's count."""
    f = figures(CONFLICT_UNIT)
    return float(min(f.dossiers, f.online + round(0.3 * f.dossiers))), float(f.dossiers)


# The months before the last snapshot, each with the share of its final value a unit had
# reached by then.
SNAPSHOT_SHARES = (0.4, 0.6, 0.8)


def _month_start(day: dt.date, back: int) -> dt.date:
    """The first day of the month ``back`` months before ``day``'s."""
    month = day.year * 12 + day.month - 1 - back
    return dt.date(month // 12, month % 12 + 1, 1)


def earlier_values(values: Values, share: float) -> Values:
    """What the units had saved when they had reached ``share`` of their final values:
    counts, points and numerators scaled down (whole numbers), a yes still a no."""
    return {
        unit: {
            code: (float(math.floor(v * share)) if v is not None else None, d, a)
            for code, (v, d, a) in leaves.items()
        }
        for unit, leaves in values.items()
    }


def _snapshot_days(today: dt.date) -> tuple[list[dt.date], dt.date]:
    """The earlier snapshots' days (the first of each month before) and the last one's: the
    first of this month — or yesterday on the first, so "take a snapshot now" works today."""
    last = _month_start(today, 0) if today.day > 1 else today - dt.timedelta(days=1)
    earlier = [_month_start(last, back) for back in range(len(SNAPSHOT_SHARES), 0, -1)]
    return earlier, last


def reorg_dataset(
    *,
    today: dt.datetime | None = None,
    seed: int = 2025,
    source_url: str | None = None,
    drop_folder: Path | None = None,
) -> Dataset:
    """Quảng Nam's 2025 reorganisation, illustrative: its 2022 departments regrouped into 14 on
    1 March 2025; 30 communes (assessed for 2024, published) merged into 16 communes and wards
    on 1 July 2025 when the districts ended; the new units assessed for 2025 (under way) under
    the 2025 sets, measured continuously, four departments' leaves measured from the last
    month on by connectors reading ``source_url`` (default ``DTI_DEMO_SOURCE_URL``) and
    ``drop_folder`` (default ``var/connectors/hop-truc-tuyen``). The pairings, weights and bases
    are made up for the demo."""
    today = today or timezone.now()
    url = (source_url or settings.DTI_DEMO_SOURCE_URL).rstrip("/")
    folder = drop_folder or Path(settings.VAR_DIR) / "connectors" / "hop-truc-tuyen"
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    reorg = _reorganisation()
    frameworks = {f: load_framework(FRAMEWORK_DIR / f) for f in _SETS}
    values_2024 = demo_values(
        frameworks["dti-cap-xa-2022.yaml"], "xa", reorg.old_communes, rng, -0.02
    )
    values_2025 = _values_2025(reorg, frameworks, rng)
    drafts = [unit for _, _, _, unit, _ in DEMO_ACCOUNTS if unit]
    states_2025 = _states(list(reorg.new_units), drafts)
    for code, state in states_2025.items():
        if state == Status.DRAFT:  # drafts are half filled in
            keep = list(values_2025[code].items())[: len(values_2025[code]) // 2]
            values_2025[code] = dict(keep)
    # Sở Xây dựng's reporter typed 9 of 40 staff with a computer: the quality check warns.
    values_2025["QN25-SXD"]["3.1"] = (9.0, 40.0, True)
    values_2025 = _declared_only(values_2025)
    earlier_days, last_day = _snapshot_days(timezone.localdate(today))
    earlier = [earlier_values(values_2025, share) for share in SNAPSHOT_SHARES]
    for saved in earlier:  # typed before the leaf was measured
        saved[CONFLICT_UNIT][CONFLICT_LEAF] = (*_declared_conflict(), True)
    periods = [
        PeriodSpec(
            year=2024,
            name="Đánh giá chuyển đổi số cấp xã năm 2024 (Quảng Nam, minh họa)",
            self_deadline=dt.datetime(2025, 3, 31, 17, 0, tzinfo=TZ),
            verification_deadline=dt.datetime(2025, 5, 31, 17, 0, tzinfo=TZ),
            values=values_2024,
            states=dict.fromkeys(reorg.old_communes, Status.PUBLISHED),
            units=reorg.old_communes,
        ),
        PeriodSpec(
            year=2025,
            name="Đánh giá chuyển đổi số năm 2025 — sở, ngành và xã, phường mới (minh họa)",
            self_deadline=today + dt.timedelta(days=30),
            verification_deadline=today + dt.timedelta(days=60),
            values=values_2025,
            states=states_2025,
            adjustments=_adjustments(values_2025, states_2025, rng),
            frameworks={"xa": "dti-cap-xa-tay-ninh-2025.yaml"},
            units=list(reorg.new_units),
            snapshots=list(zip(earlier_days, earlier, strict=True)),
            last_snapshot=last_day,
            continuous=Rhythm.MONTHLY,
            measured=MeasuredSpec(
                group=MEASURED_GROUP,
                framework_text=measured_framework_text(),
                file_name=MEASURED_FILE,
                reason=MEASURED_REASON,
                connectors=demo_connectors(url, folder),
                prepare=lambda: drop_write(DemoSource(MEASURED_UNITS), folder),
            ),
        ),
    ]
    return Dataset(
        groups=list(REORG_GROUPS),
        units=reorg.units,
        periods=periods,
        accounts=DEMO_ACCOUNTS,
        province=QUANG_NAM,
        lineage=reorg.lineage,
        endings=_district_endings(),
        title="Quảng Nam: sắp xếp năm 2025 (minh họa)",
        quality={DEPARTMENTS_FILE: DEPARTMENT_QUALITY, MEASURED_FILE: DEPARTMENT_QUALITY},
    )


def demo_datasets(*, today: dt.datetime | None = None) -> list[Dataset]:
    """Everything ``load_demo`` loads, in order (the reorganisation needs Quảng Nam 2022)."""
    staff = [
        Dataset(
            groups=[],
            units=[],
            periods=[],
            accounts=[a for a in accounts if a[2] != Role.REPORTER],
            province=province,
        )
        for province, accounts in DEMO_PROVINCE_ACCOUNTS
    ]
    return [*staff, *(seed_dataset(name) for name in SEEDS), reorg_dataset(today=today)]


def demo_load(*, log: Callable[[str], object] = print, today: dt.datetime | None = None) -> None:
    for dataset in demo_datasets(today=today):
        if dataset.title:
            log(f"{dataset.title}")
        dataset_load(dataset, log=log)
