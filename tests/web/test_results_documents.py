"""Scorecards, comparison, the decision appendix and the cache of published results."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.test import Client
from tests.web import results_fixtures

from dti.web.assessments.models import Assessment, Period
from dti.web.assessments.services import assessment_transition
from dti.web.audit.models import AuditEvent
from dti.web.results import scoring


@pytest.fixture
def province(db: None) -> dict[int, Period]:
    results_fixtures.load()
    return {p.year: p for p in Period.objects.all()}


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def public_scores(year: int) -> dict[str, float]:
    response = Client().get(f"/public/{year}/")
    return {r.unit: r.score for t in response.context["tables"] for r in t.rows}


# -- scorecard ------------------------------------------------------------------------------


def test_scorecard_shows_rank_band_trend_and_adjustment_reasons(
    province: dict[int, Period],
) -> None:
    response = Client().get("/public/2023/units/so-a/")
    assert response.status_code == 200
    card = response.context["card"]
    assert card.score == pytest.approx(public_scores(2023)["so-a"])
    assert card.rank == 1 and card.group_size == 2
    assert [year for year, _ in card.trend] == ["2022", "2023"]
    body = response.content.decode()
    assert "Minh chứng chỉ chứng minh được 70 máy tính" in body
    assert [a.indicator for a in card.adjustments] == ["1.2"]
    assert card.adjustments[0].change < 0


def test_scorecard_pdf(province: dict[int, Period]) -> None:
    response = Client().get("/public/2023/units/so-a/scorecard.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


# -- comparison -----------------------------------------------------------------------------


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


# -- decision appendix ----------------------------------------------------------------------


def test_admin_records_the_decision_and_only_admin_may(province: dict[int, Period]) -> None:
    period = province[2023]
    url = f"/periods/{period.pk}/decision/"
    data = {
        "issuer": "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM",
        "number": "1206/QĐ-UBND",
        "date": "2024-06-13",
    }
    for role in ("leader", "verifier", "reporter"):
        assert client_for(role).post(url, data).status_code == 403
    assert Client().get(url).status_code == 302
    assert client_for("admin").post(url, data).status_code == 302
    assert period.decision.number == "1206/QĐ-UBND"
    assert AuditEvent.objects.filter(action="decision_save", field="number").exists()


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    pdf = tmp_path / "appendix.pdf"
    pdf.write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")], check=True)
    assert list(tmp_path.glob("page*.png"))
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_public_appendix_pdf_and_xlsx_hold_published_units_only(
    province: dict[int, Period], tmp_path: Path
) -> None:
    client_for("admin").post(
        f"/periods/{province[2023].pk}/decision/",
        {"issuer": "UBND TỈNH QUẢNG NAM", "number": "1206/QĐ-UBND", "date": "2024-06-13"},
    )
    response = Client().get("/public/2023/appendix.pdf")
    assert response.status_code == 200
    text = _pdf_text(response.content, tmp_path)
    for name in ("Sở Giao thông vận tải", "Sở Xây dựng", "Huyện Giang Mới", "1206/QĐ-UBND"):
        assert name in text
    for name in ("Huyện Núi Thành", "Sở Tài chính"):
        assert name not in text
    xlsx = Client().get("/public/2023/appendix.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    cells = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
    assert "Sở Xây dựng" in cells and "Sở Tài chính" not in cells


@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 404), ("reporter", 404), ("verifier", 404), ("leader", 200), ("admin", 200)],
)
def test_appendix_before_publication_admin_and_leader_only(
    province: dict[int, Period], who: str | None, status: int
) -> None:
    client = client_for(who) if who else Client()
    for fmt in ("xlsx", "pdf"):
        assert client.get(f"/public/2024/appendix.{fmt}").status_code == status


# -- cache ----------------------------------------------------------------------------------


def test_reopening_and_republishing_invalidate_the_cache(province: dict[int, Period]) -> None:
    admin = User.objects.get(username="admin")
    period = province[2023]
    before_key = scoring.cache_key("scores", [period])
    assert "Sở Xây dựng" in Client().get("/public/2023/").content.decode()  # cached now
    svg = Client().get("/public/2023/charts/totals-so.svg").content.decode()
    assert "Sở Xây dựng" in svg
    b = Assessment.objects.get(period=period, unit__code="so-b")
    b = assessment_transition(actor=admin, assessment=b, name="reopen_to_verification", reason="x")
    assert scoring.cache_key("scores", [period]) != before_key
    assert "Sở Xây dựng" not in Client().get("/public/2023/").content.decode()
    assert "Sở Xây dựng" not in Client().get("/public/2023/charts/totals-so.svg").content.decode()
    assert Client().get("/public/2023/units/so-b/").status_code == 404
    when = period.verification_deadline - dt.timedelta(days=1)  # a fixed clock
    verifier = User.objects.get(username="verifier")
    b = assessment_transition(actor=verifier, assessment=b, name="finish_verification", now=when)
    b = assessment_transition(actor=admin, assessment=b, name="approve")
    b = assessment_transition(actor=admin, assessment=b, name="publish")
    assert "Sở Xây dựng" in Client().get("/public/2023/").content.decode()
    assert Client().get("/public/2023/units/so-b/").status_code == 200


def test_a_recreated_counter_never_reuses_an_earlier_cache_key(
    province: dict[int, Period],
) -> None:
    """A period id can come back (a restore, a recreated database) with its counter at the
    same number: the key must still differ, or stale results from the cache would be served."""
    from dti.web.results.models import PublishedVersion
    from dti.web.results.services import published_version_bump

    period = province[2023]
    first = scoring.cache_key("scores", [period])
    version = PublishedVersion.objects.get(period=period).version
    PublishedVersion.objects.filter(period=period).delete()
    for _ in range(version):
        published_version_bump(period_id=period.pk)
    assert PublishedVersion.objects.get(period=period).version == version
    assert scoring.cache_key("scores", [period]) != first


def test_published_results_are_served_from_the_cache(
    province: dict[int, Period], django_assert_max_num_queries: Any
) -> None:
    Client().get("/public/2023/")
    with django_assert_max_num_queries(12):
        Client().get("/public/2023/?group=so")  # a new page from the cached results


def test_a_public_page_is_served_whole_from_the_cache_without_a_query(
    province: dict[int, Period], django_assert_num_queries: Any
) -> None:
    first = Client().get("/public/2023/")
    assert "X-Cache" not in first
    with django_assert_num_queries(0):
        again = Client().get("/public/2023/")
    assert again["X-Cache"] == "hit"
    assert again.content == first.content
    card = Client().get("/public/2023/units/so-a/").content
    with django_assert_num_queries(0):
        assert Client().get("/public/2023/units/so-a/").content == card


def test_cached_pages_keep_languages_apart(province: dict[int, Period]) -> None:
    from django.conf import settings

    vietnamese = Client().get("/public/2023/").content.decode()
    reader = Client()
    reader.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = reader.get("/public/2023/").content.decode()
    assert "Published results" in english and "Published results" not in vietnamese


def test_signed_in_users_and_session_holders_are_never_served_or_stored(
    province: dict[int, Period],
) -> None:
    admin = client_for("admin")
    assert "X-Cache" not in admin.get("/public/2023/")
    assert "X-Cache" not in admin.get("/public/2023/")  # their page was not stored either
    anonymous = Client()
    anonymous.get("/public/2023/")
    assert anonymous.get("/public/2023/")["X-Cache"] == "hit"


def test_saving_the_decision_retires_cached_pages(province: dict[int, Period]) -> None:
    from dti.web.results.services import decision_save

    Client().get("/public/2023/")
    decision_save(
        actor=User.objects.get(username="admin"),
        period=province[2023],
        issuer="UBND tỉnh",
        number="99/QĐ-UBND",
        date=dt.date(2024, 5, 1),
    )
    assert "X-Cache" not in Client().get("/public/2023/")
