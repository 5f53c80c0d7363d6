"""The number grammar over all of it, for text cells and for typed cells (issue #16).

A cell the workbook holds as a number is that number: it never goes through the text grammar,
so 0.727 typed in Excel is 0.727 and 1.8 shown as "1.800" is 1.8. In text, ``12.5``, ``12,5``,
``1.234,5`` and ``1.234.567`` are read the Vietnamese way, a leading zero is never a group of
thousands (``0.727``, ``-0.125`` are decimals), ``1.800`` is refused with the question it asks,
``có/không`` are 1/0, and a percentage sign is not a number (``85%`` is refused rather than
guessed as 85 or 0.85).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import xlsxwriter
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from dti.engine import DataError
from dti.io.cells import AMBIGUOUS_NUMBER, parse_number_expr
from dti.io.columns import parse_values, select_columns
from dti.io.tables import read_values
from dti.io.workbook import Sheet

HEADER = ["unit", "period", "indicator", "value", "denominator", "applicable"]


def parse_text(text: str) -> float | None:
    frame = pl.DataFrame({"v": [text]}, schema={"v": pl.String})
    value = frame.select(parse_number_expr("v").alias("n"))["n"].item()
    return None if value is None else float(value)


def read_cells(*cells: Any) -> list[float | None]:
    """The value column of a sheet whose value cells are ``cells`` (typed as given)."""
    sheet = Sheet("v.xlsx", "values", HEADER, [["A", "2024", "1.1", c] for c in cells], 2)
    frame = select_columns(sheet, HEADER, ("unit", "period", "indicator", "value"))
    return parse_values(frame, sheet)["value"].to_list()


def refusal(*cells: Any) -> str:
    with pytest.raises(DataError) as info:
        read_cells(*cells)
    return str(info.value)


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15)


# -- typed cells ------------------------------------------------------------------------------


@given(st.one_of(finite, st.integers(-(10**12), 10**12)))
def test_a_typed_number_is_that_number(number: float) -> None:
    assert read_cells(number) == [float(number)]


@given(st.integers(1, 999), st.integers(0, 999))
def test_a_typed_number_is_never_ambiguous(whole: int, thousandths: int) -> None:
    number = float(f"{whole}.{thousandths:03d}")  # what "1.800" means to software
    assert read_cells(number) == [number]


@given(st.booleans())
def test_a_typed_boolean_is_one_or_zero(flag: bool) -> None:
    assert read_cells(flag) == [1.0 if flag else 0.0]


def test_typed_and_text_cells_mix_in_one_column() -> None:
    assert read_cells(0.727, "12,5", 1.8, "có", None, "1.234,5") == [
        0.727,
        12.5,
        1.8,
        1.0,
        None,
        1234.5,
    ]
    assert "'1.800' is ambiguous" in refusal(1.8, "1.800")


def test_a_real_workbook_holding_0_727_reads_0_727(tmp_path: Path) -> None:
    path = tmp_path / "so-lieu.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("values")
    sheet.write_row(0, 0, HEADER)
    three_places = book.add_format({"num_format": "0.000"})
    for i, number in enumerate((0.727, 1.8, 1234.5, 0.5, -0.125, 85)):
        sheet.write_row(i + 1, 0, [f"U{i}", "2024", "1.1"])
        sheet.write_number(i + 1, 3, number, three_places)  # shown as 0.727, 1.800, …
    sheet.write_row(7, 0, ["U7", "2024", "1.1"])
    sheet.write_number(7, 3, 0.85, book.add_format({"num_format": "0%"}))  # shown as 85%
    book.close()
    frame, _ = read_values(path)
    assert frame["value"].to_list() == [0.727, 1.8, 1234.5, 0.5, -0.125, 85.0, 0.85]


# -- text cells -------------------------------------------------------------------------------


@given(st.booleans(), st.integers(0, 10**6), st.integers(1, 6), st.data())
def test_text_with_a_decimal_comma(negative: bool, whole: int, places: int, data: Any) -> None:
    fraction = data.draw(st.integers(0, 10**places - 1))
    text = f"{'-' if negative else ''}{whole},{fraction:0{places}d}"
    expected = float(text.replace(",", "."))
    assert parse_text(text) == expected
    assert read_cells(text) == [expected]


@given(st.booleans(), st.integers(0, 10**6), st.integers(1, 6), st.data())
def test_text_with_a_decimal_point_other_than_three_places(
    negative: bool, whole: int, places: int, data: Any
) -> None:
    fraction = data.draw(st.integers(0, 10**places - 1))
    text = f"{'-' if negative else ''}{whole}.{fraction:0{places}d}"
    if places == 3 and 0 < whole < 1000:
        assert parse_text(text) is None  # 1.800: the ambiguous form, below
    else:
        assert parse_text(text) == float(text)


@given(st.booleans(), st.integers(0, 999))
def test_a_leading_zero_is_never_a_group_of_thousands(negative: bool, thousandths: int) -> None:
    text = f"{'-' if negative else ''}0.{thousandths:03d}"  # 0.727, -0.125
    assert parse_text(text) == float(text)
    assert read_cells(text) == [float(text)]


@given(st.booleans(), st.integers(1, 999), st.integers(0, 999))
def test_one_dot_and_three_digits_is_refused_with_a_question(
    negative: bool, whole: int, thousandths: int
) -> None:
    text = f"{'-' if negative else ''}{whole}.{thousandths:03d}"  # 1.800, -12.125
    assert parse_text(text) is None
    said = refusal(text)
    assert f"{text!r} is ambiguous" in said
    assert "without the dot for thousands (1800) or with a decimal comma (1,8)" in said


@given(st.integers(1000, 10**12), st.integers(0, 99), st.booleans())
def test_vietnamese_grouping(whole: int, cents: int, with_decimals: bool) -> None:
    grouped = f"{whole:,}".replace(",", ".")  # 1.234.567
    if with_decimals:
        text, expected = f"{grouped},{cents:02d}", whole + cents / 100
    else:
        text, expected = grouped, float(whole)
    parsed = parse_text(text)
    if not with_decimals and whole < 10**6:
        assert parsed is None  # one group only: 1.800 again
    else:
        assert parsed is not None and math.isclose(parsed, expected)


@settings(max_examples=200)
@given(st.decimals(min_value=-(10**9), max_value=10**9, places=3, allow_nan=False))
def test_what_babel_writes_in_vietnamese_is_read_back_or_asked_about(number: Any) -> None:
    text = format_decimal(number, locale="vi", decimal_quantization=False)
    parsed = parse_text(text)
    if parsed is None:  # 1.800: one thousands group and no decimals
        assert pl.Series([text]).str.contains(AMBIGUOUS_NUMBER).item(), text
        assert number == number.to_integral_value() and 1000 <= abs(number) < 10**6
    else:
        assert math.isclose(parsed, float(number), abs_tol=1e-9), text


@given(
    st.sampled_from(["có", "Có", "CÓ", "co", "x", "X", "đạt", "yes", "true", "đúng"]),
    st.sampled_from(["không", "Không", "khong", "chưa", "no", "false", "sai"]),
    st.sampled_from(["", " ", "  "]),
)
def test_yes_and_no_words_are_one_and_zero(yes: str, no: str, pad: str) -> None:
    assert parse_text(pad + yes + pad) == 1.0
    assert parse_text(pad + no + pad) == 0.0
    assert read_cells(yes, no) == [1.0, 0.0]


@given(st.integers(0, 100), st.sampled_from(["%", " %"]))
def test_a_percentage_sign_is_not_a_number(percent: int, sign: str) -> None:
    text = f"{percent}{sign}"
    assert parse_text(text) is None
    assert f"{text!r} is not a number" in refusal(text)


@given(st.text(alphabet="abcdđêơư %$#", min_size=1, max_size=8))
def test_other_text_is_not_a_number(text: str) -> None:
    if text.strip().lower() in ("co", "x", "dat", "y", "n", "no", "sai", "chua", "khong"):
        return
    if text.strip() == "":
        assert read_cells(text) == [None]  # blank: nothing entered
        return
    assert parse_text(text) is None
