"""Two published years compared (:mod:`dti.web.results.comparison`)."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.web import results_fixtures

from dti.web.assessments.models import Period

province = results_fixtures.province_fixture


def test_comparison_through_lineage(province: dict[int, Period]) -> None:
    response = Client().get("/public/compare/", {"a": 2022, "b": 2023, "group": "huyen"})
    assert response.status_code == 200
    cmp = response.context["cmp"]
    (row,) = cmp.rows  # only Giang Mới is published in 2023 (Núi Thành is approved)
    assert row.unit == "huyen-m" and row.derived and row.previous_rank is None
    before = Client().get("/public/2022/")
    old = [r.score for t in before.context["tables"] if t.info.code == "huyen" for r in t.rows]
    assert cmp.previous_mean == pytest.approx(sum(old) / len(old))
    assert cmp.mean_change_percent == pytest.approx(
        (row.score - cmp.previous_mean) / cmp.previous_mean * 100
    )
    assert cmp.sentence.startswith("Điểm trung bình") and "so với năm 2022" in cmp.sentence
    assert "Huyện Núi Thành" not in response.content.decode()


def test_comparison_rank_movements(province: dict[int, Period]) -> None:
    cmp = Client().get("/public/compare/", {"a": 2022, "b": 2023, "group": "so"}).context["cmp"]
    rows = {r.unit: r for r in cmp.rows}
    assert set(rows) == {"so-a", "so-b"}
    assert rows["so-a"].previous_rank == 1 and rows["so-a"].movement == 0
    assert rows["so-b"].movement == -1
    assert cmp.fallers[0].unit == "so-b"


def test_comparison_refuses_unpublished_years(province: dict[int, Period]) -> None:
    response = Client().get("/public/compare/", {"a": 2023, "b": 2024})
    # 2024 is not published: it is neither offered nor compared.
    assert response.context["later"] is None and response.context["cmp"] is None
    assert 2024 not in [p.year for p in response.context["periods"]]
    assert "Sở Tài chính" not in response.content.decode()
