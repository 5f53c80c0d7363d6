"""A small province for the results tests, loaded through the ordinary services (dti.web.demo).

2022: every unit published (Sở Giao thông vận tải and Sở Xây dựng tie). On 1 January 2023 Huyện
Tây Giang and Huyện Đông Giang merge into Huyện Giang Mới. 2023: the two departments and Giang
Mới published (one verifier adjustment with its reason); Huyện Núi Thành approved and Sở Tài
chính verified — neither published, so neither may appear on any public page. 2024: approved,
nothing published.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client

from dti.web.accounts.models import Role
from dti.web.assessments.models import Period, Status
from dti.web.demo import Adjustment, Dataset, GroupSpec, PeriodSpec, UnitSpec, dataset_load
from dti.web.registry.models import UnitKind

MINI = str(Path(__file__).resolve().parents[1] / "fixtures" / "mini.yaml")
PASSWORD = "correct-horse-battery-9"
TZ = dt.timezone(dt.timedelta(hours=7))
Values = dict[str, tuple[float | None, float | None, bool]]


def unit_values(quality: float, *, district: bool = False) -> Values:
    """Raw values for the mini framework; ``quality`` in [0, 1]."""
    out: Values = {
        "1.1": (1.0 if quality > 0.3 else 0.0, None, True),
        "1.2": (round(100 * quality), 100.0, True),
        "1.3": (float(round(5 * quality)), None, True),
        "2.1": (round(200 * quality), 200.0, True),
        "2.2": (round(40 * quality) / 2, None, True),
        "T1": (2.0 if quality > 0.7 else 0.0, None, True),
        "P1": (1.0 if quality < 0.5 else 0.0, None, True),
    }
    if district:
        out["2.3"] = (round(100 * quality, 1), None, True)
    return out


UNITS = [
    UnitSpec("so-a", "Sở Giao thông vận tải", "so"),
    UnitSpec("so-b", "Sở Xây dựng", "so"),
    UnitSpec("so-d", "Sở Tài chính", "so"),
    UnitSpec("huyen-c", "Huyện Núi Thành", "huyen"),
    UnitSpec("huyen-x", "Huyện Tây Giang", "huyen"),
    UnitSpec("huyen-y", "Huyện Đông Giang", "huyen"),
    UnitSpec("huyen-m", "Huyện Giang Mới", "huyen"),
]


def _period(
    year: int, values: dict[str, Values], states: dict[str, Status], **kw: Any
) -> PeriodSpec:
    return PeriodSpec(
        year=year,
        name=f"Đánh giá chuyển đổi số năm {year}",
        self_deadline=dt.datetime(year + 1, 3, 31, 17, 0, tzinfo=TZ),
        verification_deadline=dt.datetime(year + 1, 5, 31, 17, 0, tzinfo=TZ),
        values=values,
        states=states,
        **kw,
    )


def dataset() -> Dataset:
    p = Status.PUBLISHED
    y2022 = {
        "so-a": unit_values(0.8),
        "so-b": unit_values(0.8),  # the same values: a shared first rank
        "so-d": unit_values(0.55),
        "huyen-c": unit_values(0.9, district=True),
        "huyen-x": unit_values(0.6, district=True),
        "huyen-y": unit_values(0.4, district=True),
    }
    y2023 = {
        "so-a": unit_values(0.9),
        "so-b": unit_values(0.7),
        "so-d": unit_values(0.95),
        "huyen-c": unit_values(0.95, district=True),
        "huyen-m": unit_values(0.75, district=True),
    }
    y2024 = {"so-a": unit_values(0.92), "so-b": unit_values(0.85)}
    return Dataset(
        groups=[
            GroupSpec("so", "Sở, ban, ngành", "Departments", UnitKind.DEPARTMENT, MINI),
            GroupSpec("huyen", "UBND cấp huyện", "Districts", UnitKind.DISTRICT, MINI),
        ],
        units=UNITS,
        periods=[
            _period(2022, y2022, dict.fromkeys(y2022, p)),
            _period(
                2023,
                y2023,
                {
                    "so-a": p,
                    "so-b": p,
                    "huyen-m": p,
                    "huyen-c": Status.APPROVED,
                    "so-d": Status.VERIFIED,
                },
                adjustments=[
                    Adjustment(
                        "so-a", "1.2", 70.0, 100.0, "Minh chứng chỉ chứng minh được 70 máy tính"
                    )
                ],
            ),
            _period(2024, y2024, {"so-a": Status.APPROVED, "so-b": Status.APPROVED}),
        ],
        accounts=[
            ("admin", PASSWORD, Role.ADMIN, "", "Quản trị"),
            ("verifier", PASSWORD, Role.VERIFIER, "", "Thẩm định"),
            ("leader", PASSWORD, Role.LEADER, "", "Lãnh đạo"),
            ("reporter", PASSWORD, Role.REPORTER, "so-a", "Báo cáo viên"),
        ],
    )


def load() -> None:
    from dti.web.registry.models import Unit
    from dti.web.registry.services import units_merge

    # Test databases reuse ids after a rollback: start from an empty results cache.
    cache.clear()
    dataset_load(dataset(), log=lambda _: None)
    # The merge is recorded after the periods are loaded, so that 2022 still assesses both.
    units = {u.code: u for u in Unit.objects.all()}
    units_merge(
        actor=None,
        predecessors=[units["huyen-x"], units["huyen-y"]],
        successor=units["huyen-m"],
        date=dt.date(2023, 1, 1),
        basis="Nghị quyết sáp nhập (ví dụ)",
        check_role=False,
    )


@pytest.fixture(name="province")
def province_fixture(db: None) -> dict[int, Period]:
    """The province loaded; its periods by year. A test module takes it in with
    ``province = results_fixtures.province_fixture``."""
    load()
    return {p.year: p for p in Period.objects.all()}


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client
