"""Malformed self-assessment workbooks: every one refused with located problems, nothing saved."""

from __future__ import annotations

import datetime as dt
import resource
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from openpyxl import load_workbook
from tests.test_io_bounds import rewrite_sheet, values_sheet_member
from tests.web.test_uploads import filled_template

from dti.web.assessments.models import IndicatorEntry
from dti.web.assessments.services import assessment_import_workbook
from dti.web.audit.models import AuditEvent
from dti.web.errors import InvalidInput

Edit = Callable[[Any], None]


def _values(workbook: Any) -> Any:
    return workbook["Tự đánh giá"]


def _row_of(sheet: Any, code: str) -> int:
    return next(r[0].row for r in sheet.iter_rows(min_row=2) if r[0].value == code)


def rename_values_sheet(wb: Any) -> None:
    _values(wb).title = "Sheet1"


def rename_info_sheet(wb: Any) -> None:
    wb["Thông tin"].title = "Info"


def merge_value_cells(wb: Any) -> None:
    sheet = _values(wb)
    row = _row_of(sheet, "1.1")
    sheet.merge_cells(start_row=row, start_column=5, end_row=row + 1, end_column=5)


def date_for_a_number(wb: Any) -> None:
    sheet = _values(wb)
    sheet.cell(row=_row_of(sheet, "1.2"), column=5).value = dt.datetime(2024, 3, 1)


def out_of_range(wb: Any) -> None:
    sheet = _values(wb)
    sheet.cell(row=_row_of(sheet, "2.2"), column=5).value = 25


def negative(wb: Any) -> None:
    sheet = _values(wb)
    sheet.cell(row=_row_of(sheet, "1.2"), column=5).value = -3
    sheet.cell(row=_row_of(sheet, "1.2"), column=6).value = 50


def duplicate_row(wb: Any) -> None:
    sheet = _values(wb)
    row = _row_of(sheet, "1.1")
    sheet.append([c.value for c in sheet[row]])
    sheet.cell(row=sheet.max_row, column=5).value = 0


def another_framework(wb: Any) -> None:
    for row in wb["Thông tin"].iter_rows():
        if row[0].value == "Bộ chỉ số":
            row[1].value = "ict-2020"


def another_unit(wb: Any) -> None:
    for row in wb["Thông tin"].iter_rows():
        if row[0].value == "Mã đơn vị":
            row[1].value = "so-b"


def another_period(wb: Any) -> None:
    for row in wb["Thông tin"].iter_rows():
        if row[0].value == "Kỳ đánh giá":
            row[1].value = "2019"


def unknown_indicator(wb: Any) -> None:
    sheet = _values(wb)
    sheet.append(["9.9", "Chỉ số lạ", 5, "", 1])


CASES: list[tuple[str, Edit, str]] = [
    ("values sheet renamed", rename_values_sheet, "sheet “Tự đánh giá” is missing"),
    ("info sheet renamed", rename_info_sheet, "sheet “Thông tin” is missing"),
    ("merged cells", merge_value_cells, "merged cells"),
    ("a date where a number belongs", date_for_a_number, "a date"),
    ("a number above the maximum", out_of_range, "exceed the maximum"),
    ("a negative number", negative, "indicator 1.2"),
    ("a duplicate row", duplicate_row, "1.1"),
    ("another framework", another_framework, "framework is ict-2020"),
    ("another unit", another_unit, "unit is so-b"),
    ("another period", another_period, "period is 2019"),
    ("an unknown indicator", unknown_indicator, "9.9"),
]


def _state() -> tuple[Any, ...]:
    return (
        AuditEvent.objects.count(),
        list(
            IndicatorEntry.objects.order_by("pk").values_list(
                "self_value", "self_denominator", "self_applicable", "explanation", "version"
            )
        ),
    )


@pytest.mark.parametrize(("case", "edit", "says"), CASES, ids=[c[0] for c in CASES])
def test_malformed_workbooks_are_refused(
    world: dict[str, Any], tmp_path: Path, case: str, edit: Edit, says: str
) -> None:
    path = filled_template(
        world,
        tmp_path,
        {"1.1": (1, None, None, "ok"), "1.2": (40, 50, None, None), "2.2": (10, None, None, None)},
    )
    workbook = load_workbook(path)
    edit(workbook)
    workbook.save(path)
    before = _state()
    with translation.override("en"), pytest.raises(InvalidInput) as info:
        assessment_import_workbook(
            actor=world["users"]["reporter"],
            assessment=world["mine"],
            path=path,
            file_name="tu-danh-gia.xlsx",
        )
    text = " | ".join([info.value.message, *info.value.problems])
    assert says in text, (case, text)
    assert _state() == before


# -- extents past the data (issue #17): read within a fixed bound, or refused ------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _far_cell(world: dict[str, Any], tmp_path: Path, dimension: str, cell: str) -> Path:
    path = filled_template(world, tmp_path, {"1.1": (1, None, None, "ok")})
    member = values_sheet_member(path, "Tự đánh giá")
    row = "".join(ch for ch in cell if ch.isdigit())
    extra = f'<row r="{row}"><c r="{cell}" t="inlineStr"><is><t>x</t></is></c></row>'
    return rewrite_sheet(
        path,
        member,
        {
            rb'<dimension ref="[^"]*"': f'<dimension ref="{dimension}"'.encode(),
            rb"</sheetData>": extra.encode() + b"</sheetData>",
        },
    )


def test_the_template_declaring_16384_columns_is_read_within_a_bound(
    world: dict[str, Any], tmp_path: Path
) -> None:
    """The report of issue #17: the unit's own template, ``A1:XFD8000`` and one cell in row
    8000 (12 KB) raised the server's memory by a gigabyte in 6.5 s."""
    path = _far_cell(world, tmp_path, "A1:XFD8000", "A8000")
    before = _peak_mb()
    assessment_import_workbook(
        actor=world["users"]["reporter"],
        assessment=world["mine"],
        path=path,
        file_name="tu-danh-gia.xlsx",
    )
    assert _peak_mb() - before < 100
    assert world["mine"].entries.get(indicator="1.1").self_value == 1


@pytest.mark.parametrize(
    ("dimension", "cell", "says"),
    [
        ("A1:XFD1048576", "XFD1048576", "reaches XFD1048576"),
        ("A1:I1048576", "A1048576", "1,048,576 rows"),
    ],
)
def test_a_template_reaching_past_the_bound_is_refused_naming_the_sheet(
    world: dict[str, Any], tmp_path: Path, dimension: str, cell: str, says: str
) -> None:
    path = _far_cell(world, tmp_path, dimension, cell)
    before = _state()
    with translation.override("en"), pytest.raises(InvalidInput) as info:
        assessment_import_workbook(
            actor=world["users"]["reporter"],
            assessment=world["mine"],
            path=path,
            file_name="tu-danh-gia.xlsx",
        )
    text = " | ".join(info.value.problems)
    assert says in text and "tu-danh-gia.xlsx, sheet “Tự đánh giá”" in text, text
    assert _state() == before
