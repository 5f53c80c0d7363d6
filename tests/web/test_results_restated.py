"""A published period restated on a later map (issue #16): the public page's restated table.

The small province of :mod:`tests.web.results_fixtures` (illustrative figures), reorganised
again on 1 July 2025 after its periods: Sở Giao thông vận tải absorbs Sở Xây dựng and goes on
under its code (as every province of 1 July 2025 kept one predecessor's name), and Huyện Giang
Mới and Huyện Núi Thành merge into Huyện Bắc Giang. The published 2023 results are restated on
the units of that day; the engine's own restatement is tested on the published 2022 national
table in tests/test_restate.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from tests.web import results_fixtures

from dti.web.assessments.models import Period
from dti.web.registry.models import Unit
from dti.web.registry.services import unit_create, units_absorb, units_merge
from dti.web.results import scoring
from dti.web.results.tables import group_tables

DAY = dt.date(2025, 7, 1)
BASIS = "Nghị quyết sắp xếp (ví dụ)"


@pytest.fixture
def province(db: None) -> dict[int, Period]:
    results_fixtures.load()
    units = {u.code: u for u in Unit.objects.all()}
    units_absorb(
        actor=None,
        continuing=units["so-a"],
        absorbed=[units["so-b"]],
        date=DAY,
        basis=BASIS,
        check_role=False,
    )
    new = unit_create(
        actor=None,
        code="huyen-n",
        name="Huyện Bắc Giang",
        group=units["huyen-m"].group,
        valid_from=DAY,
        check_role=False,
    )
    units_merge(
        actor=None,
        predecessors=[units["huyen-m"], units["huyen-c"]],
        successor=new,
        date=DAY,
        basis=BASIS,
        check_role=False,
    )
    cache.clear()
    return {p.year: p for p in Period.objects.all()}


def _published(year: int) -> dict[str, Any]:
    response = Client().get(f"/public/{year}/")
    return {r.unit: r for t in response.context["tables"] for r in t.rows}


def _restated(client: Client | None = None, **query: str) -> Any:
    return (client or Client()).get("/public/2023/restated/", query)


def test_the_published_year_is_restated_on_the_units_of_the_later_date(
    province: dict[int, Period],
) -> None:
    published = _published(2023)
    response = _restated()
    assert response.status_code == 200
    assert response.context["on"] == DAY
    rows = {r.unit: r for t in response.context["tables"] for r in t.rows}
    # Only the units existing on 1 July 2025: Sở Xây dựng and Huyện Giang Mới are gone.
    assert set(rows) == {"so-a", "huyen-n"}
    # Sở GTVT took Sở Xây dựng in: the half-up mean of both published 2023 scores.
    mean = (Decimal(repr(published["so-a"].score)) + Decimal(repr(published["so-b"].score))) / 2
    assert rows["so-a"].score == float(mean.quantize(Decimal("0.01"), ROUND_HALF_UP))
    assert rows["so-a"].derived and not rows["so-a"].partial and rows["so-a"].rank == 1


def test_an_unpublished_result_never_enters_the_restatement(province: dict[int, Period]) -> None:
    """Huyện Núi Thành's 2023 result is approved, not published: Bắc Giang is derived from
    Giang Mới's alone and says whom it lacks."""
    published = _published(2023)
    (row,) = [r for t in _restated().context["tables"] for r in t.rows if r.unit == "huyen-n"]
    assert row.score == published["huyen-m"].score
    assert row.partial and row.missing == ("Huyện Núi Thành",)


def test_the_page_labels_everything_as_restated_and_leaves_the_published_alone(
    province: dict[int, Period],
) -> None:
    def published() -> dict[str, tuple[float, int]]:
        scores = scoring.period_scores(province[2023])
        return {r.unit: (r.score, r.rank) for t in group_tables(scores) for r in t.rows}

    before = published()
    page = _restated().content.decode()
    assert "Kết quả năm 2023 tính lại theo các đơn vị ngày 01/07/2025" in page
    assert "Kết quả tính lại, không phải kết quả đã công bố" in page
    assert page.count('<span class="badge warn">tính lại</span>') == 2  # one per group table
    assert "thiếu Huyện Núi Thành" in page
    cache.clear()
    assert published() == before and set(before) == {"so-a", "so-b", "huyen-m"}
    public = Client().get("/public/2023/").content.decode()
    assert (
        "/public/2023/restated/" in public and "Tính lại theo các đơn vị ngày 01/07/2025" in public
    )


def test_the_restated_page_in_english(province: dict[int, Period]) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = _restated(client).content.decode()
    assert "Results of 2023 restated on the units of 01/07/2025" in page
    assert "without Huyện Núi Thành" in page


def test_only_a_date_of_the_province_s_reorganisations_is_restated(
    province: dict[int, Period],
) -> None:
    assert _restated(on="2025-07-01").status_code == 200
    assert _restated(on="2024-01-01").status_code == 404
    assert _restated(on="not-a-date").status_code == 404


def test_an_unpublished_period_or_one_without_later_reorganisations_has_none(
    province: dict[int, Period],
) -> None:
    assert Client().get("/public/2024/restated/").status_code == 404  # not published
    assert Client().get("/public/2023/restated/", {"province": "elsewhere"}).status_code == 404


def test_without_a_later_reorganisation_there_is_no_restatement(db: None) -> None:
    results_fixtures.load()  # its only merge is of 1 January 2023, before the 2023 period ends
    assert Client().get("/public/2023/restated/").status_code == 404
    assert "/restated/" not in Client().get("/public/2023/").content.decode()


def test_the_restated_page_has_no_english_in_vietnamese(province: dict[int, Period]) -> None:
    from tests.web.english_detector import english_words, visible_text

    assert english_words(visible_text(_restated().content.decode())) == []
