"""Scorecards and the decision appendix (:mod:`dti.web.results.documents`)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from django.test import Client
from tests.web import results_fixtures

from dti.web.assessments.models import Period
from dti.web.audit.models import AuditEvent

province = results_fixtures.province_fixture
client_for = results_fixtures.client_for


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
    # The whole group counts (Sở Tài chính is not published yet): rank 1 of 3, provisional.
    assert card.rank == 1 and card.group_size == 3
    assert [year for year, _ in card.trend] == ["2022", "2023"]
    body = response.content.decode()
    assert "Minh chứng chỉ chứng minh được 70 máy tính" in body
    assert [a.indicator for a in card.adjustments] == ["1.2"]
    assert card.adjustments[0].change < 0


def test_scorecard_pdf(province: dict[int, Period]) -> None:
    response = Client().get("/public/2023/units/so-a/scorecard.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


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
    # The groups are published in part: the notice names the missing units, the tables not.
    notice, tables = text.split("Đơn vị\n", 1)
    assert "TẠM THỜI" in notice
    for name in ("Huyện Núi Thành", "Sở Tài chính"):
        assert name in notice.replace("\n", " ") and name not in tables
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
