"""What officials type becomes numbers and flags; user text is never executed by a spreadsheet."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from dti.engine import DataError
from dti.io.cells import neutralise, neutralise_frame, parse_flag_expr, parse_number_expr
from dti.io.tables import read_values


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("12.5", 12.5),
        ("12,5", 12.5),
        ("1.234,5", 1234.5),
        ("1.234.567", 1234567.0),
        ("1.125", None),  # ambiguous (1125 or 1.125?): refused, see the reader's message
        ("có", 1.0),
        ("Không", 0.0),
        ("x", 1.0),
        ("  7 ", 7.0),
        ("bảy", None),
        (None, None),
    ],
)
def test_numbers_are_read_the_way_vietnamese_officials_write_them(
    text: str | None, number: float | None
) -> None:
    frame = pl.DataFrame({"v": [text]}, schema={"v": pl.String})
    assert frame.select(parse_number_expr("v").alias("n"))["n"].item() == number


@pytest.mark.parametrize(
    ("text", "flag"), [("có", True), ("x", True), ("0", False), ("không", False), ("?", None)]
)
def test_yes_no_words_become_flags(text: str, flag: bool | None) -> None:
    frame = pl.DataFrame({"v": [text]})
    assert frame.select(parse_flag_expr("v").alias("f"))["f"].item() is flag


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("-12,5", "-12,5"),  # a negative number stays a number
        ("Sở Y tế", "Sở Y tế"),
    ],
)
def test_formula_prefixes_are_neutralised(text: str, safe: str) -> None:
    assert neutralise(text) == safe
    assert neutralise_frame(pl.DataFrame({"name": [text]}))["name"].item() == safe


def test_an_ambiguous_thousands_dot_is_refused_with_a_question(tmp_path: Path) -> None:
    path = tmp_path / "values.csv"
    path.write_text("unit,period,indicator,value,denominator\nA,2022,1.2,1.800,2000\n")
    with pytest.raises(DataError) as err:
        read_values(path)
    assert "row 2, column 'value': '1.800' is ambiguous" in str(err.value)
