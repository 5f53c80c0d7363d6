"""The fast workbook writer reads cell for cell like Polars' ``write_excel`` through XlsxWriter:
the same sheets, tables and ranges, values, types, number formats and autofit widths."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dti.io.frames_xlsx import write_frames_xlsx
from dti.io.template import SAFE_WORKBOOK_OPTIONS


def _reference(path: Path, sheets: dict[str, pl.DataFrame]) -> None:
    with xlsxwriter.Workbook(str(path), SAFE_WORKBOOK_OPTIONS) as workbook:
        for name, frame in sheets.items():
            frame.write_excel(workbook, worksheet=name, autofit=True)


def _same_number(a: object, b: object) -> bool:
    # Both sides write 16 significant digits; the last one may be rounded differently.
    return isinstance(a, float) and isinstance(b, float) and math.isclose(a, b, rel_tol=1e-15)


def assert_same_workbook(expected: Path, actual: Path) -> None:
    a, b = openpyxl.load_workbook(expected), openpyxl.load_workbook(actual)
    assert a.sheetnames == b.sheetnames
    for wa, wb in zip(a.worksheets, b.worksheets, strict=True):
        assert wa.dimensions == wb.dimensions, wa.title
        widths_a = {k: v.width for k, v in wa.column_dimensions.items()}
        assert widths_a == {k: v.width for k, v in wb.column_dimensions.items()}, wa.title
        tables_a = [(t.name, t.ref, t.autoFilter.ref) for t in wa.tables.values()]
        assert tables_a == [(t.name, t.ref, t.autoFilter.ref) for t in wb.tables.values()]
        for ra, rb in zip(wa.iter_rows(), wb.iter_rows(), strict=True):
            for ca, cb in zip(ra, rb, strict=True):
                where = f"{wa.title}!{ca.coordinate}"
                assert ca.value == cb.value or _same_number(ca.value, cb.value), where
                assert (ca.data_type, ca.number_format) == (cb.data_type, cb.number_format), where
                assert ca.alignment.vertical == cb.alignment.vertical, where


def _results_like(n: int) -> dict[str, pl.DataFrame]:
    units = pl.DataFrame(
        {
            "unit": [f"X{i:05d}" for i in range(n)],
            "name": [
                ["Xã Gia Phương", "  lề trắng ", "a & b <c>", "'=SUM(A1)", "", None, "WWWWW"][i % 7]
                for i in range(n)
            ],
            "score": [None if i % 5 == 0 else i / 7 for i in range(n)],
            "rank": [None if i % 6 == 0 else i for i in range(n)],
            "previous_derived": [None if i % 4 == 0 else i % 3 == 0 for i in range(n)],
            "tiny": [1e-7 * i for i in range(n)],
        }
    )
    pillars = pl.DataFrame({"unit": ["A", "B"], "pillar": ["1", "2"], "points": [1.5, -2.25]})
    return {"units": units, "pillars": pillars, "groups": pillars.clear()}


def test_it_writes_the_workbook_write_excel_writes(tmp_path: Path) -> None:
    sheets = _results_like(300)
    _reference(tmp_path / "reference.xlsx", sheets)
    write_frames_xlsx(tmp_path / "fast.xlsx", sheets, SAFE_WORKBOOK_OPTIONS)
    assert_same_workbook(tmp_path / "reference.xlsx", tmp_path / "fast.xlsx")


@pytest.mark.parametrize(
    "texts",
    [
        ["a\x01b", "dòng 1\ndòng 2", "tab\tgiữa", "\x1f"],  # rendered here
        ["_x0041_", "a_x005F_b", "ordinary"],  # a literal escape: left to XlsxWriter
    ],
)
def test_control_characters_and_literal_escapes_are_written_as_xlsxwriter_writes_them(
    tmp_path: Path, texts: list[str]
) -> None:
    frame = pl.DataFrame({"text": texts})
    _reference(tmp_path / "reference.xlsx", {"s": frame})
    write_frames_xlsx(tmp_path / "fast.xlsx", {"s": frame}, SAFE_WORKBOOK_OPTIONS)
    assert_same_workbook(tmp_path / "reference.xlsx", tmp_path / "fast.xlsx")


def test_a_frame_with_other_types_is_written_by_write_excel(tmp_path: Path) -> None:
    import datetime as dt

    frame = pl.DataFrame({"day": [dt.date(2025, 7, 1)], "n": [1]})
    write_frames_xlsx(tmp_path / "fast.xlsx", {"d": frame}, SAFE_WORKBOOK_OPTIONS)
    _reference(tmp_path / "reference.xlsx", {"d": frame})
    assert_same_workbook(tmp_path / "reference.xlsx", tmp_path / "fast.xlsx")


def test_a_non_finite_number_becomes_an_empty_cell(tmp_path: Path) -> None:
    frame = pl.DataFrame({"x": [1.0, math.nan, math.inf]})
    write_frames_xlsx(tmp_path / "fast.xlsx", {"s": frame}, SAFE_WORKBOOK_OPTIONS)
    sheet = openpyxl.load_workbook(tmp_path / "fast.xlsx")["s"]
    assert [c.value for (c,) in sheet.iter_rows(min_row=2)] == [1.0, None, None]


@pytest.mark.parametrize("width", [26, 28])
def test_columns_past_z_keep_their_letters(tmp_path: Path, width: int) -> None:
    frame = pl.DataFrame({f"c{j}": [j, j + 1] for j in range(width)})
    _reference(tmp_path / "reference.xlsx", {"s": frame})
    write_frames_xlsx(tmp_path / "fast.xlsx", {"s": frame}, SAFE_WORKBOOK_OPTIONS)
    assert_same_workbook(tmp_path / "reference.xlsx", tmp_path / "fast.xlsx")


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    texts=st.lists(st.none() | _text, min_size=1, max_size=8),
    numbers=st.lists(st.none() | st.floats(-1e307, 1e307), min_size=8),  # Excel stops near 1e308
)
def test_any_text_and_number_reads_back_as_write_excel_writes_it(
    tmp_path: Path, texts: list[str | None], numbers: list[float | None]
) -> None:
    frame = pl.DataFrame(
        {"t": texts, "x": numbers[: len(texts)]}, schema={"t": pl.String, "x": pl.Float64}
    )
    _reference(tmp_path / "reference.xlsx", {"s": frame})
    write_frames_xlsx(tmp_path / "fast.xlsx", {"s": frame}, SAFE_WORKBOOK_OPTIONS)
    assert_same_workbook(tmp_path / "reference.xlsx", tmp_path / "fast.xlsx")
