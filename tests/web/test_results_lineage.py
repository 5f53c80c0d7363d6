"""Published results compared through lineage (issue #16): a continuing unit (one that took
another in and kept its code) against the mean of both, rounded half up, and a derived value
that some predecessors had none for marked *partial* with their names — on the public page, the
scorecard and the open data, in Vietnamese and English.

The small province of :mod:`tests.web.results_fixtures`, with two more events recorded after
its periods: Sở Giao thông vận tải absorbs Sở Tài chính on 1 January 2023 (and goes on under its
code), and Huyện Giang Mới was formed from a third district, Huyện Z, that has no 2022 result.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from tests.web import results_fixtures

from dti.web.assessments.models import Period
from dti.web.registry.models import LineageKind, Unit
from dti.web.registry.services import lineage_add, unit_create, units_absorb

DAY = dt.date(2023, 1, 1)
BASIS = "Quyết định sắp xếp (ví dụ)"


@pytest.fixture
def province(db: None) -> dict[int, Period]:
    results_fixtures.load()
    units = {u.code: u for u in Unit.objects.all()}
    units_absorb(
        actor=None,
        continuing=units["so-a"],
        absorbed=[units["so-d"]],
        date=DAY,
        basis=BASIS,
        check_role=False,
    )
    extra = unit_create(
        actor=None, code="huyen-z", name="Huyện Z", group=units["huyen-m"].group, check_role=False
    )
    lineage_add(
        actor=None,
        kind=LineageKind.MERGE,
        predecessor=extra,
        successor=units["huyen-m"],
        date=DAY,
        basis=BASIS,
        check_role=False,
    )
    cache.clear()
    return {p.year: p for p in Period.objects.all()}


def _rows(client: Client, year: int) -> dict[str, object]:
    response = client.get(f"/public/{year}/")
    assert response.status_code == 200
    return {r.unit: r for t in response.context["tables"] for r in t.rows}


def test_a_continuing_unit_is_compared_with_the_half_up_mean_of_all_it_took_in(
    province: dict[int, Period],
) -> None:
    before = _rows(Client(), 2022)
    so_a = _rows(Client(), 2023)["so-a"]
    mean = (Decimal(repr(before["so-a"].score)) + Decimal(repr(before["so-d"].score))) / 2  # type: ignore[attr-defined]
    assert so_a.derived and not so_a.partial  # type: ignore[attr-defined]
    assert so_a.previous_score == float(mean.quantize(Decimal("0.01"), ROUND_HALF_UP))  # type: ignore[attr-defined]


def test_a_partial_derivation_is_marked_with_the_missing_predecessor(
    province: dict[int, Period],
) -> None:
    before = _rows(Client(), 2022)
    giang = _rows(Client(), 2023)["huyen-m"]
    assert giang.derived and giang.partial  # type: ignore[attr-defined]
    assert giang.missing == ("Huyện Z",)  # type: ignore[attr-defined]
    mean = (before["huyen-x"].score + before["huyen-y"].score) / 2  # type: ignore[attr-defined]
    assert giang.previous_score == pytest.approx(mean, abs=0.005)  # type: ignore[attr-defined]
    page = Client().get("/public/2023/").content.decode()
    assert "một phần" in page and "thiếu Huyện Z" in page


def test_the_mark_is_in_english_too(province: dict[int, Period]) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/public/2023/").content.decode()
    assert "partial" in page and "without Huyện Z" in page


def test_the_scorecard_shows_the_mark(province: dict[int, Period]) -> None:
    page = Client().get("/public/2023/units/huyen-m/").content.decode()
    assert "một phần" in page and "thiếu Huyện Z" in page
    assert "một phần" not in Client().get("/public/2023/units/so-a/").content.decode()


def test_the_open_data_carries_the_marks(province: dict[int, Period]) -> None:
    period = province[2023]
    folder = f"/public/open-data/{period.province.code if period.province else 'national'}/2023/"
    response = Client().get(folder + "results.csv")
    assert response.status_code == 200
    rows = {r["unit"]: r for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert rows["huyen-m"]["previous_derived"] == "true"
    assert rows["huyen-m"]["previous_partial"] == "true"
    assert rows["huyen-m"]["previous_missing"] == "Huyện Z"
    assert (rows["so-a"]["previous_derived"], rows["so-a"]["previous_partial"]) == ("true", "false")
    assert rows["so-b"]["previous_derived"] == "false"


def test_the_marked_pages_have_no_english_in_vietnamese(province: dict[int, Period]) -> None:
    from tests.web.english_detector import english_words, visible_text

    for path in ("/public/2023/", "/public/2023/units/huyen-m/"):
        words = english_words(visible_text(Client().get(path).content.decode()))
        # The open data's licence keeps its name (CC BY 4.0) in every language.
        assert [w for w in words if w != "BY"] == [], path
