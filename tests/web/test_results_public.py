"""The public results page, charts and filters: published results only, the engine's figures."""

from __future__ import annotations

import re
from typing import Any

import polars as pl
import pytest
from django.test import Client
from tests.web import results_fixtures

from dti.engine import load_framework, score
from dti.reports.format import format_score
from dti.web.assessments.models import Period

UNPUBLISHED_NAMES = ("Huyện Núi Thành", "Sở Tài chính")


def without_missing_list(body: str) -> str:
    """The page without its provisional notice, the one place that names the units still
    missing from a group published in part (their names, never their results)."""
    return re.sub(r'<section class="card provisional".*?</section>', "", body, flags=re.S)


province = results_fixtures.province_fixture
client_for = results_fixtures.client_for


def engine_result(year: int, units: list[str], adjust: dict[tuple[str, str], float]) -> Any:
    """What the engine gives for the published units of the fixture, computed directly."""
    spec = next(p for p in results_fixtures.dataset().periods if p.year == year)
    rows = []
    for unit in units:
        for indicator, (value, den, applicable) in spec.values[unit].items():
            value = adjust.get((unit, indicator), value)
            rows.append((unit, str(year), indicator, value, den, applicable))
    values = pl.DataFrame(
        rows,
        schema=["unit", "period", "indicator", "value", "denominator", "applicable"],
        orient="row",
    )
    names = {u.code: (u.name, u.group) for u in results_fixtures.UNITS}
    frame = pl.DataFrame(
        {
            "unit": units,
            "name": [names[u][0] for u in units],
            "group": [names[u][1] for u in units],
        }
    )
    return score(load_framework(results_fixtures.MINI), values, frame).units


def test_public_page_answers_anonymous_users_with_published_units_only(
    province: dict[int, Period],
) -> None:
    response = Client().get("/public/2023/")
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("Sở Giao thông vận tải", "Sở Xây dựng", "Huyện Giang Mới"):
        assert name in body
    for name in UNPUBLISHED_NAMES:
        assert name in body.split('id="provisional"', 1)[1].split("</section>", 1)[0]
        assert name not in without_missing_list(body)


def test_figures_equal_the_engine(province: dict[int, Period]) -> None:
    expected = engine_result(2023, ["so-a", "so-b"], {("so-a", "1.2"): 70.0})
    response = Client().get("/public/2023/")
    rows = {r.unit: r for t in response.context["tables"] for r in t.rows}
    body = response.content.decode()
    for unit, total, rank, band in expected.select(
        "unit", "score", "rank", "band_name"
    ).iter_rows():
        assert rows[unit].score == pytest.approx(total)
        assert rows[unit].rank == rank
        assert rows[unit].band == band
        assert format_score(total) in body


def test_change_through_lineage_is_marked_derived(province: dict[int, Period]) -> None:
    before = engine_result(2022, ["huyen-x", "huyen-y"], {})
    mean = float(before["score"].mean())  # type: ignore[arg-type]
    response = Client().get("/public/2023/")
    row = next(r for t in response.context["tables"] for r in t.rows if r.unit == "huyen-m")
    assert row.derived is True
    assert row.previous_score == pytest.approx(round(mean, 2))
    assert row.arrow in ("▲", "▼")
    assert "derived" in response.content.decode() or "suy" in response.content.decode()


def test_a_tie_shares_the_rank(province: dict[int, Period]) -> None:
    response = Client().get("/public/2022/")
    so = next(t for t in response.context["tables"] if t.info.code == "so")
    assert [(r.rank, r.shared) for r in so.rows][:2] == [(1, True), (1, True)]


def test_summary_is_shown(province: dict[int, Period]) -> None:
    body = Client().get("/public/2023/").content.decode()
    assert "Kết quả đánh giá, xếp hạng mức độ chuyển đổi số năm 2023" in body


def test_the_english_page_s_summary_is_in_english(province: dict[int, Period]) -> None:
    english = Client()
    english.cookies["django_language"] = "en"
    body = english.get("/public/2023/").content.decode()
    summary = body[body.index('id="summary"') :].split("</section>")[0]
    assert "The 2023 digital transformation assessment and ranking covers" in summary
    assert "The group Departments has" in summary
    assert "Kết quả" not in summary and "điểm" not in summary


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("?group=huyen", ["Huyện Giang Mới"], ["Sở Xây dựng"]),
        ("?q=xay dung", ["Sở Xây dựng"], ["Sở Giao thông vận tải", "Huyện Giang Mới"]),
    ],
)
def test_filters(
    province: dict[int, Period], query: str, shown: list[str], hidden: list[str]
) -> None:
    response = Client().get("/public/2023/" + query)
    names = [r.name for t in response.context["tables"] for r in t.rows]
    assert all(n in names for n in shown)
    assert not any(n in names for n in hidden)


def test_band_filter(province: dict[int, Period]) -> None:
    response = Client().get("/public/2023/")
    band = response.context["tables"][0].rows[0].band
    filtered = Client().get("/public/2023/", {"band": band})
    assert {r.band for t in filtered.context["tables"] for r in t.rows} == {band}


def test_charts_are_inline_svg_and_downloadable(province: dict[int, Period]) -> None:
    body = Client().get("/public/2023/").content.decode()
    # totals and distribution per group, pillars per framework: each drawn wide and narrow
    assert body.count("<svg") >= 10
    assert body.count('class="chart-narrow"') == body.count('class="chart-wide"') >= 5
    svg = Client().get("/public/2023/charts/totals-so.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert "Sở Xây dựng" in svg.content.decode()
    assert "Sở Tài chính" not in svg.content.decode()
    png = Client().get("/public/2023/charts/pillars.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert Client().get("/public/2023/charts/nothing.png").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/public/2024/",
        "/public/2024/charts/totals-so.svg",
        "/public/2024/charts/pillars.png",
        "/public/2024/units/so-a/",
        "/public/2024/units/so-a/scorecard.pdf",
        "/public/2024/appendix.xlsx",
        "/public/2024/appendix.pdf",
        "/public/2023/units/huyen-c/",
        "/public/2023/units/huyen-c/scorecard.pdf",
        "/public/2023/units/so-d/",
        "/public/1999/",
    ],
)
@pytest.mark.parametrize("who", [None, "reporter"])
def test_unpublished_never_leaks(province: dict[int, Period], path: str, who: str | None) -> None:
    client = client_for(who) if who else Client()
    assert client.get(path).status_code == 404


def test_unpublished_period_is_not_listed(province: dict[int, Period]) -> None:
    body = Client().get("/public/2023/").content.decode()
    assert "/public/2022/" in body
    assert "/public/2024/" not in body
    compare = Client().get("/public/compare/")
    assert [p.year for p in compare.context["periods"]] == [2023, 2022]


def test_staff_preview_unpublished_scorecard(province: dict[int, Period]) -> None:
    response = client_for("leader").get("/public/2023/units/huyen-c/")
    assert response.status_code == 200
    assert response.context["preview"] is True
    # …but the public page itself never shows it, whoever asks.
    body = client_for("leader").get("/public/2023/").content.decode()
    assert "Huyện Núi Thành" not in without_missing_list(body)


def test_scores_keep_the_published_precision_and_english_names(
    province: dict[int, Period],
) -> None:
    vi = Client().get("/public/2022/").content.decode()
    scores = re.findall(r'<td class="num score">([^<]+)</td>', vi)
    assert scores and all(re.fullmatch(r"\d{1,3}(\.\d{3})*,\d{2}", s) for s in scores)
    english = Client()
    english.cookies["django_language"] = "en"
    en = english.get("/public/2022/").content.decode()
    en_scores = re.findall(r'<td class="num score">([^<]+)</td>', en)
    assert en_scores == [s.replace(",", ".") for s in scores]  # 756.60 in English
    assert "Departments" in en and "Districts" in en  # the groups' English names
    assert re.search(r'class="badge band-\d">(Good|Fair|Average)<', en)  # the bands' (name.en)
    assert 'title="Infrastructure"' in en  # the pillars'
