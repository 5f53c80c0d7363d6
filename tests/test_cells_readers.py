"""The number grammar through the real readers (issue #16): a values table written as a CSV
file or as a workbook by openpyxl, read back by ``dti.io.tables.read_values``.

A workbook cell that holds a number is that number, whatever format shows it; only text can be
ambiguous. Text follows the grammar of ``dti.io.cells`` (12.5, 12,5, 1.234,5, 1.234.567; a
leading zero is never a group of thousands; 1.800 is refused with its question; có/không are
1/0; a percentage sign is not a number) in every number column: ``value``, ``denominator`` and
``applicable_max`` alike.
"""

from __future__ import annotations

import csv
import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from dti.engine import DataError
from dti.io.tables import read_values

HEADER = ["unit", "period", "indicator", "value", "denominator", "applicable_max"]


@dataclass(frozen=True)
class Cell:
    """What is written in a cell, and what reading it must give: a number, or a refusal."""

    written: str | float | int | bool
    number: float | None = None
    refusal: str | None = None  # "ambiguous" or "not a number"


def _sign(negative: bool) -> str:
    return "-" if negative else ""


decimal_comma = st.builds(
    lambda neg, whole, frac, places: Cell(
        f"{_sign(neg)}{whole},{frac % 10**places:0{places}d}",
        float(f"{_sign(neg)}{whole}.{frac % 10**places:0{places}d}"),
    ),
    st.booleans(),
    st.integers(0, 999_999),
    st.integers(0, 10**6),
    st.integers(1, 6),
)
leading_zero = st.builds(  # 0.727, 0.5, -0.125: decimals, never thousands
    lambda neg, digits: Cell(f"{_sign(neg)}0.{digits}", float(f"{_sign(neg)}0.{digits}")),
    st.booleans(),
    st.from_regex(r"\A[0-9]{1,6}\Z"),
)
decimal_point = st.builds(  # 12.5, 3.14159: never three places after a group-sized head
    lambda whole, digits: Cell(f"{whole}.{digits}", float(f"{whole}.{digits}")),
    st.integers(1, 999),
    st.from_regex(r"\A([0-9]{1,2}|[0-9]{4,6})\Z"),
)
grouped_with_decimals = st.builds(  # 1.234,5
    lambda whole, cents: Cell(f"{whole:,}".replace(",", ".") + f",{cents}", whole + cents / 10),
    st.integers(1000, 10**9),
    st.integers(0, 9),
)
grouped_twice = st.builds(  # 1.234.567
    lambda whole: Cell(f"{whole:,}".replace(",", "."), float(whole)),
    st.integers(10**6, 10**12),
)
ambiguous = st.builds(  # 1.800, -12.125: 1800 or 1,8?
    lambda neg, whole, thousandths: Cell(
        f"{_sign(neg)}{whole}.{thousandths:03d}", refusal="ambiguous"
    ),
    st.booleans(),
    st.integers(1, 999),
    st.integers(0, 999),
)
yes_no = st.sampled_from(
    [Cell(w, 1.0) for w in ("có", "Có", "x", "đạt", "yes")]
    + [Cell(w, 0.0) for w in ("không", "Không", "chưa", "no")]
)
percentage = st.builds(
    lambda n, sign: Cell(f"{n}{sign}", refusal="not a number"),
    st.integers(0, 100),
    st.sampled_from(["%", " %"]),
)
text_cells = st.one_of(
    decimal_comma,
    leading_zero,
    decimal_point,
    grouped_with_decimals,
    grouped_twice,
    yes_no,
    ambiguous,
    percentage,
)
finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)
typed_cells = st.one_of(
    st.builds(lambda x: Cell(x, float(x)), finite),
    st.builds(lambda n: Cell(n, float(n)), st.integers(-(10**9), 10**9)),
    # what "1.800" means to software, typed: 1.8 (never asked about)
    st.builds(
        lambda w, t: Cell(float(f"{w}.{t:03d}"), float(f"{w}.{t:03d}")),
        st.integers(1, 999),
        st.integers(0, 999),
    ),
    st.builds(lambda b: Cell(b, 1.0 if b else 0.0), st.booleans()),
)


def _rows(cells: Sequence[Cell], column: str) -> list[list[object]]:
    at = HEADER.index(column)
    rows: list[list[object]] = []
    for i, cell in enumerate(cells):
        row: list[object] = [f"U{i}", "2024", "1.1", 1, None, None]
        row[at] = cell.written
        rows.append(row)
    return rows


def write_csv(path: Path, cells: Sequence[Cell], column: str) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(["" if c is None else str(c) for c in row] for row in _rows(cells, column))
    return path


def write_xlsx(path: Path, cells: Sequence[Cell], column: str) -> Path:
    """A workbook written by openpyxl: text stays text, numbers and booleans are typed cells,
    shown with three decimals (0.727 shows 0.727 and 1.8 shows 1.800)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "values"
    sheet.append(HEADER)
    for row in _rows(cells, column):
        sheet.append(row)
    at = HEADER.index(column) + 1
    for r in range(2, len(cells) + 2):
        if not isinstance(sheet.cell(r, at).value, str):
            sheet.cell(r, at).number_format = "0.000"
    book.save(path)
    return path


def check(path: Path, cells: Sequence[Cell], column: str) -> None:
    """Read ``path`` and compare with what its cells must give, refusals named by row."""
    refused = [(i, c) for i, c in enumerate(cells) if c.refusal is not None]
    if refused:
        with pytest.raises(DataError) as info:
            read_values(path)
        said = str(info.value)
        for i, cell in refused:
            assert f"row {i + 2}" in said and column in said, said
            assert f"{cell.written!r} is {cell.refusal}" in said, said
            if cell.refusal == "ambiguous":
                assert "(1800) or with a decimal comma (1,8)" in said
        return
    frame, _ = read_values(path)
    read = frame[column].to_list()
    for cell, got in zip(cells, read, strict=True):
        assert got is not None and cell.number is not None
        assert math.isclose(got, cell.number, rel_tol=1e-12, abs_tol=1e-12), (cell, got)


columns = st.sampled_from(["value", "denominator", "applicable_max"])
FILES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FILES
@given(st.lists(text_cells, min_size=1, max_size=6), columns)
def test_text_in_a_csv_file_follows_the_grammar(cells: list[Cell], column: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        check(write_csv(Path(tmp) / "so-lieu.csv", cells, column), cells, column)


@FILES
@given(st.lists(text_cells, min_size=1, max_size=6), columns)
def test_text_cells_of_a_workbook_follow_the_grammar(cells: list[Cell], column: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        check(write_xlsx(Path(tmp) / "so-lieu.xlsx", cells, column), cells, column)


@FILES
@given(st.lists(typed_cells, min_size=1, max_size=6), columns)
def test_a_typed_cell_of_a_workbook_is_its_number(cells: list[Cell], column: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        check(write_xlsx(Path(tmp) / "so-lieu.xlsx", cells, column), cells, column)


@FILES
@given(st.lists(st.one_of(typed_cells, text_cells), min_size=2, max_size=8), columns)
def test_typed_and_text_cells_mix_in_one_column(cells: list[Cell], column: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        check(write_xlsx(Path(tmp) / "so-lieu.xlsx", cells, column), cells, column)


def test_a_typed_applicable_maximum_is_never_ambiguous(tmp_path: Path) -> None:
    """42,125 of 48 applicable points typed in Excel (shown 42.125): a number, not a question;
    the same written as text is asked about."""
    cells = [Cell(42.125, 42.125), Cell(48, 48.0)]
    check(write_xlsx(tmp_path / "typed.xlsx", cells, "applicable_max"), cells, "applicable_max")
    as_text = [Cell("42.125", refusal="ambiguous")]
    check(write_csv(tmp_path / "text.csv", as_text, "applicable_max"), as_text, "applicable_max")


def test_a_lineage_weight_follows_the_same_grammar(tmp_path: Path) -> None:
    """A split's weight typed in a workbook is its number; 0,6 and 0.4 in text are decimals and
    "1.500" in text asks its question rather than "is not a number"."""
    from dti.io.tables import read_lineage

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["date", "kind", "from", "to", "weight", "basis"])
    sheet.append(["2025-07-01", "split", "A", "B", 0.125, None])
    sheet.append(["2025-07-01", "split", "A", "C", "0,6", None])
    sheet.append(["2025-07-01", "split", "A", "D", "0.275", None])
    book.save(tmp_path / "lineage.xlsx")
    assert read_lineage(tmp_path / "lineage.xlsx")["weight"].to_list() == [0.125, 0.6, 0.275]
    (tmp_path / "lineage.csv").write_text(
        "date,kind,from,to,weight,basis\n2025-07-01,split,A,B,1.500,\n", encoding="utf-8"
    )
    with pytest.raises(DataError, match=r"row 2, column 'weight': '1.500' is ambiguous"):
        read_lineage(tmp_path / "lineage.csv")
