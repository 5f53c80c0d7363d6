"""The framework as the decision's appendix workbook: written and read back losslessly, and
every problem in a workbook an official wrote located at its sheet, row and column."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from dti.catalog import FRAMEWORK_DIR, shipped_frameworks
from dti.engine import DataError, FrameworkError, load_framework
from dti.engine.framework import Framework
from dti.io.framework_workbook import (
    SHEETS,
    framework_to_yaml,
    read_framework_workbook,
    write_framework_workbook,
)

DATASET_FRAMEWORKS = sorted((FRAMEWORK_DIR.parent / "data").glob("*/frameworks/*.yaml"))
ALL = [*sorted(shipped_frameworks()), *(p.stem for p in DATASET_FRAMEWORKS)]


def _framework(name: str) -> Framework:
    shipped = shipped_frameworks()
    if name in shipped:
        return shipped[name]
    return load_framework(next(p for p in DATASET_FRAMEWORKS if p.stem == name))


@pytest.mark.parametrize("name", ALL)
def test_every_framework_survives_the_round_trip_through_its_workbook(
    name: str, tmp_path: Path
) -> None:
    framework = _framework(name)
    path = write_framework_workbook(framework, tmp_path / f"{name}.xlsx")
    assert read_framework_workbook(path) == framework


@pytest.mark.parametrize("name", ALL)
def test_the_yaml_written_from_a_framework_loads_as_the_same_framework(name: str) -> None:
    framework = _framework(name)
    assert load_framework(framework_to_yaml(framework), file=f"{name}.yaml") == framework


def test_the_workbook_reads_like_the_decisions_appendix(tmp_path: Path) -> None:
    framework = shipped_frameworks()["dti-so-nganh-2022"]
    path = write_framework_workbook(framework, tmp_path / "fw.xlsx")
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == list(SHEETS)
    header = [c.value for c in next(book["Chỉ số"].iter_rows(max_row=1))]
    assert header[:6] == [
        "STT",
        "Cấp",
        "Tên chỉ số",
        "Tên tiếng Anh",
        "Điểm tối đa",
        "Phương pháp tính",
    ]
    rows = list(book["Chỉ số"].iter_rows(min_row=2, values_only=True))
    assert rows[0][:3] == ("1", 1, "Nhận thức số")
    first_indicator = rows[1]
    assert first_indicator[:2] == ("1.1", 2)
    assert first_indicator[header.index("Cách tính điểm")] == "Theo mức"
    assert first_indicator[header.index("Các mức (ngưỡng: điểm)")] == "1: 10; 2: 20"
    # bands on the second sheet
    bands = list(book["Xếp loại"].iter_rows(min_row=2, values_only=True))
    assert bands[0][:2] == ("tot", "Tốt")


def _edit(path: Path, sheet: str, cell: str, value: object) -> None:
    book = openpyxl.load_workbook(path)
    book[sheet][cell] = value
    book.save(path)


def _column(path: Path, sheet: str, header: str) -> str:
    book = openpyxl.load_workbook(path, read_only=True)
    names = [c.value for c in next(book[sheet].iter_rows(max_row=1))]
    return openpyxl.utils.get_column_letter(names.index(header) + 1)


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return write_framework_workbook(
        shipped_frameworks()["dti-so-nganh-2022"], tmp_path / "so-nganh.xlsx"
    )


def _problems(path: Path) -> list[tuple[str | None, int | None, str | None, str]]:
    with pytest.raises(FrameworkError) as caught:
        read_framework_workbook(path)
    return [(p.sheet, p.row, p.column, p.message) for p in caught.value.problems]


def test_a_maximum_that_is_not_a_number_is_named_by_sheet_row_and_column(workbook: Path) -> None:
    _edit(workbook, "Chỉ số", f"{_column(workbook, 'Chỉ số', 'Điểm tối đa')}3", "hai mươi")
    [(sheet, row, column, message)] = _problems(workbook)
    assert (sheet, row, column) == ("Chỉ số", 3, "Điểm tối đa")
    assert "'hai mươi' is not a number" in message


def test_a_decimal_comma_in_a_text_cell_is_read_as_officials_write_it(workbook: Path) -> None:
    _edit(workbook, "Chỉ số", f"{_column(workbook, 'Chỉ số', 'Điểm tối đa')}3", "20,0")
    assert read_framework_workbook(workbook).node("1.1").max == 20.0


def test_an_unknown_rule_lists_the_rules_officials_can_write(workbook: Path) -> None:
    _edit(workbook, "Chỉ số", f"{_column(workbook, 'Chỉ số', 'Cách tính điểm')}3", "Nội suy")
    [(sheet, row, column, message)] = _problems(workbook)
    assert (sheet, row, column) == ("Chỉ số", 3, "Cách tính điểm")
    assert "Theo mức" in message and "Tỷ lệ" in message


def test_the_kinds_of_evidence_asked_are_read_by_their_names(workbook: Path) -> None:
    column = _column(workbook, "Chỉ số", "Loại tài liệu")
    _edit(workbook, "Chỉ số", f"{column}3", "Kế hoạch; báo cáo")
    assert read_framework_workbook(workbook).node("1.1").evidence_kinds == ["plan", "report"]


def test_an_unknown_kind_of_evidence_lists_the_kinds_officials_can_write(workbook: Path) -> None:
    _edit(workbook, "Chỉ số", f"{_column(workbook, 'Chỉ số', 'Loại tài liệu')}3", "kế hoạch, ảnh")
    [(sheet, row, column, message)] = _problems(workbook)
    assert (sheet, row, column) == ("Chỉ số", 3, "Loại tài liệu")
    assert "'ảnh'" in message and "quyết định" in message


def test_a_malformed_tier_is_located_and_explained(workbook: Path) -> None:
    _edit(workbook, "Chỉ số", f"{_column(workbook, 'Chỉ số', 'Các mức (ngưỡng: điểm)')}3", "1 → 10")
    [(sheet, row, column, message)] = _problems(workbook)
    assert (sheet, row, column) == ("Chỉ số", 3, "Các mức (ngưỡng: điểm)")
    assert "threshold: points" in message


def test_a_level_that_skips_a_step_is_refused_at_its_row(workbook: Path) -> None:
    _edit(workbook, "Chỉ số", "B3", 4)
    problems = _problems(workbook)
    assert problems[0][:3] == ("Chỉ số", 3, "Cấp")


def test_the_engines_own_checks_are_located_back_at_the_cell(workbook: Path) -> None:
    # an indicator that applies to a group the framework does not have: a semantic check
    _edit(workbook, "Chỉ số", f"{_column(workbook, 'Chỉ số', 'Áp dụng cho nhóm')}3", "khong_co")
    problems = _problems(workbook)
    assert ("Chỉ số", 3, "Áp dụng cho nhóm", "unknown group(s) khong_co") in problems


def test_a_band_above_100_percent_is_located_on_the_bands_sheet(workbook: Path) -> None:
    _edit(workbook, "Xếp loại", "D2", 120)
    problems = _problems(workbook)
    assert problems[0][:3] == ("Xếp loại", 2, "Từ (% điểm tối đa)"), problems


def test_a_missing_framework_field_names_the_information_sheet(workbook: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    info = book["Thông tin"]
    for row in info.iter_rows(min_row=2):
        if row[0].value == "scale_total":
            row[1].value = None
    book.save(workbook)
    problems = _problems(workbook)
    assert any(sheet == "Thông tin" for sheet, *_ in problems), problems


def test_a_missing_sheet_is_named(workbook: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    del book["Nhóm"]
    book.save(workbook)
    assert ("Nhóm", None, None, "the sheet 'Nhóm' is missing") in _problems(workbook)


def test_a_file_that_is_not_a_workbook_is_refused_with_a_clear_problem(tmp_path: Path) -> None:
    path = tmp_path / "framework.xlsx"
    path.write_bytes(b"this is not a workbook")
    with pytest.raises(DataError, match=r"framework\.xlsx"):
        read_framework_workbook(path)


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    framework = shipped_frameworks()["dti-so-nganh-2022"]
    data = framework.model_dump(mode="json", exclude_defaults=True)
    data["tree"][0]["name"]["vi"] = '=HYPERLINK("http://x")'
    hostile = Framework.model_validate(data)
    path = write_framework_workbook(hostile, tmp_path / "fw.xlsx")
    book = openpyxl.load_workbook(path)
    assert book["Chỉ số"]["C2"].data_type == "s"
    assert read_framework_workbook(path) == hostile


def test_bands_out_of_order_are_named_and_located_at_the_band(workbook: Path) -> None:
    """Every framework problem names what it is about (issue #16): two bands out of order are
    named with their thresholds, at the row of the one that is listed too late."""
    book = openpyxl.load_workbook(workbook)
    bands = book["Xếp loại"]
    bands["D3"] = 95  # the second band now starts above the first
    book.save(workbook)
    problems = _problems(workbook)
    first = bands["A2"].value
    second = bands["A3"].value
    expected = f"bands {second!r} (95 %) is listed after {first!r}"
    located = [p for p in problems if expected in p[3]]
    assert located and located[0][:3] == ("Xếp loại", 3, "Từ (% điểm tối đa)"), problems
