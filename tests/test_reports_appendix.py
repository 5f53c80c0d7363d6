"""The decision appendix: one ranked table per group, as Excel and PDF; and `dti report`."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from dti.cli import main
from dti.reports.appendix import (
    DecisionHeader,
    appendix_pdf,
    appendix_tables,
    appendix_xlsx,
    write_appendix,
)
from test_reports_sample import FORMULA_NAME, MINI, sample_result, sample_units, sample_values

HEADER = DecisionHeader(
    issuer="Ủy ban nhân dân tỉnh Quảng Nam", number="1206/QĐ-UBND", date=dt.date(2023, 6, 13)
)
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdftotext, pdftoppm) is not installed",
)


def test_header_reference_line() -> None:
    assert HEADER.reference() == "(Kèm theo Quyết định số 1206/QĐ-UBND ngày 13/06/2023)"
    assert DecisionHeader().reference() == ""
    assert DecisionHeader().heading("2022").endswith("CƠ QUAN NHÀ NƯỚC NĂM 2022")


def test_tables_per_group_show_shared_ranks() -> None:
    tables = appendix_tables(sample_result(), "2023")
    assert [t.title for t in tables] == ["I. Sở", "II. Huyện"]
    assert [r.rank for r in tables[0].rows] == [1, 2, 3, 3, 5, 6]
    assert [r.name for r in tables[0].rows][2:4] == ["Sở Xây dựng", "Sở Y tế"]


def test_xlsx_has_one_table_per_group_with_ranks_and_neutralised_text() -> None:
    book = openpyxl.load_workbook(io.BytesIO(appendix_xlsx(sample_result(), "2023", HEADER)))
    sheet = book["Phụ lục"]
    assert sorted(sheet.tables) == ["Nhom_1", "Nhom_2"]
    assert sheet.tables["Nhom_1"].ref == "A9:D15"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM"
    assert "(Kèm theo Quyết định số 1206/QĐ-UBND ngày 13/06/2023)" in rows[5]
    body = list(sheet["A10:D15"])
    assert [c[0].value for c in body] == [1, 2, 3, 3, 5, 6]
    assert body[0][1].value == "Sở Giao thông vận tải" and body[0][2].value == 89.5
    hostile = body[5][1]
    assert hostile.value == "'" + FORMULA_NAME  # text, not a formula
    assert hostile.data_type == "s"
    huyen = [c[0].value for c in sheet["A19:A22"]]
    assert huyen == [1, 2, 3, 4]


@needs_poppler
def test_pdf_text_has_the_vietnamese_names_with_diacritics(tmp_path: Path) -> None:
    pdf = tmp_path / "phu-luc.pdf"
    write_appendix(sample_result(), pdf, "2023", HEADER)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    for expected in (
        "ỦY BAN NHÂN DÂN TỈNH QUẢNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT",
        "Phụ lục",
        "1206/QĐ-UBND ngày 13/06/2023",
        "Sở Giao thông vận tải",
        "Sở Tài nguyên và Môi trường",
        "Huyện Đông Giang",
        "Huyện Hiệp Đức",
        "89,50",
        "Trung bình",
    ):
        assert expected in text, expected
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    png = next(tmp_path.glob("page*.png")).read_bytes()
    assert png.startswith(b"\x89PNG")


def test_pdf_bytes_and_escaped_user_text() -> None:
    header = DecisionHeader(issuer="<script>x</script>", number="1/QĐ")
    pdf = appendix_pdf(sample_result(), "2023", header)
    assert pdf.startswith(b"%PDF")


def test_write_appendix_refuses_other_types(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unsupported appendix type"):
        write_appendix(sample_result(), tmp_path / "a.docx", "2023")
    assert list(tmp_path.iterdir()) == []


# -- dti report -----------------------------------------------------------------------------


@pytest.fixture
def inputs(tmp_path: Path) -> list[str]:
    sample_units().write_csv(tmp_path / "units.csv")
    sample_values().write_csv(tmp_path / "values.csv")
    return ["-f", str(MINI), "-u", str(tmp_path / "units.csv"), "-d", str(tmp_path / "values.csv")]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_report_command_writes_the_appendix(inputs: list[str], tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"phu-luc.{fmt}"
    code, stdout, stderr = run(
        "report",
        *inputs,
        "--period",
        "2023",
        "--format",
        fmt,
        "-o",
        str(out),
        "--decision-number",
        "1206/QĐ-UBND",
        "--decision-date",
        "13/06/2023",
        "--issuer",
        "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM",
    )
    assert code == 0, stderr
    assert "wrote the appendix for 2023" in stdout
    data = out.read_bytes()
    assert data.startswith(b"%PDF" if fmt == "pdf" else b"PK")
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(out)["Phụ lục"]
        assert sheet["A6"].value == "(Kèm theo Quyết định số 1206/QĐ-UBND ngày 13/06/2023)"


def test_report_command_bad_input_exits_2_and_writes_nothing(
    inputs: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "phu-luc.xlsx"
    code, _, err = run("report", *inputs, "--period", "2019", "-o", str(out))
    assert code == 2 and "no results for period '2019'" in err
    code, _, err = run("report", *inputs, "--format", "pdf", "-o", str(out))
    assert code == 2 and "does not end in .pdf" in err
    code, _, err = run("report", "-o", str(out))
    assert code == 2 and "missing --framework" in err and "missing --units" in err
    code, _, err = run("report", "--dataset", "no-such-dataset", "-o", str(out))
    assert code == 2 and "unknown dataset 'no-such-dataset'" in err
    code, _, err = run("report", *inputs, "--dataset", "x", "-o", str(out))
    assert code == 2 and "either --dataset" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["units.csv", "values.csv"]


def test_report_command_takes_a_shipped_dataset(tmp_path: Path) -> None:
    data = pytest.importorskip("dti.data", reason="the seed datasets are not there yet")
    if "quang-nam-2022" not in data.dataset_names():
        pytest.skip("dataset quang-nam-2022 is not shipped yet")
    out = tmp_path / "qn.xlsx"
    code, _, err = run("report", "--dataset", "quang-nam-2022", "-o", str(out))
    assert code == 0, err
    sheet = openpyxl.load_workbook(out)["Phụ lục"]
    assert len(sheet.tables) == 2
    names = [row[1] for row in sheet.iter_rows(values_only=True)]
    assert "Sở Giao thông vận tải" in names and "UBND huyện Hiệp Đức" in names
