"""Columns of a sheet as text frames, parsed into numbers, yes/no flags and dates, every cell
that cannot be read located by file, sheet, row and column."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

import polars as pl
from openpyxl.utils import get_column_letter

from dti.engine.errors import DataError, Problem
from dti.engine.messages import say
from dti.io.cells import AMBIGUOUS_NUMBER, parse_flag_expr, parse_number_expr
from dti.io.workbook import TEMPORAL, Sheet, cell_number, cell_text

__all__ = [
    "bad_cells",
    "check_key_cells",
    "number_expr",
    "number_problems",
    "parse_dates",
    "parse_values",
    "select_columns",
    "typed",
]


def select_columns(
    sheet: Sheet,
    wanted: Sequence[str],
    required: Sequence[str],
    date_columns: Sequence[str] = (),
) -> pl.DataFrame:
    """Select the wanted columns as text, with the user's row numbers in ``row``; a date cell
    is refused except in ``date_columns``, where it becomes its ISO text (Excel turns a typed
    01/07/2025 into a date cell)."""
    index = {h: i for i, h in enumerate(sheet.header)}
    missing = [c for c in required if c not in index]
    if missing:
        raise DataError(
            [
                sheet.problem(
                    say("column_required_found", column=c, found=tuple(sheet.header)),
                    row=sheet.first_row - 1,
                    column=c,
                )
                for c in missing
            ]
        )
    problems: list[Problem] = []
    columns: dict[str, list[Any]] = {}
    schema: dict[str, pl.DataType] = {}
    for name in wanted:
        if name not in index:
            continue
        i = index[name]
        if min(map(len, sheet.rows), default=0) > i:  # (a workbook's rows are all as wide)
            cells = list(map(itemgetter(i), sheet.rows))
        else:
            cells = [r[i] if i < len(r) else None for r in sheet.rows]
        if name in date_columns:
            cells = [_iso(c) if isinstance(c, TEMPORAL) else c for c in cells]
        kinds = set(map(type, cells))
        for n, cell in enumerate(cells if any(issubclass(k, TEMPORAL) for k in kinds) else ()):
            if isinstance(cell, TEMPORAL):
                problems.append(
                    sheet.problem(
                        say("date_in_cell", value=str(cell)),
                        row=sheet.row_number(n),
                        column=column_label(i, name, sheet),
                    )
                )
        if kinds <= {str, type(None)}:  # text only: empty cells become None
            columns[name] = [c or None for c in cells]
        else:
            columns[name] = [None if isinstance(c, TEMPORAL) else cell_text(c) for c in cells]
        schema[name] = pl.String()
        if kinds & {float, int, bool}:  # typed numbers, beside their text
            columns[typed(name)] = [cell_number(c) for c in cells]
            schema[typed(name)] = pl.Float64()
    if problems:
        raise DataError(problems)
    frame = pl.DataFrame(columns, schema=schema)
    if sheet.numbers is not None:
        return frame.with_columns(row=pl.Series(sheet.numbers, dtype=pl.Int64))
    return frame.with_columns(
        row=pl.int_range(sheet.first_row, sheet.first_row + frame.height, dtype=pl.Int64)
    )


def typed(column: str) -> str:
    """The name of the column that holds a text column's typed numbers (cells a workbook
    holds as numbers), when it has any."""
    return f"{column}#typed"


def number_expr(frame: pl.DataFrame, column: str) -> pl.Expr:
    """A column's numbers: a typed cell is its number; only text goes through the grammar of
    :func:`~dti.io.cells.parse_number_expr` (12,5, 1.234,5; 1.800 ambiguous, refused)."""
    text = parse_number_expr(column)
    if typed(column) in frame.columns:
        return pl.coalesce(pl.col(typed(column)), text)
    return text


def column_label(i: int, name: str, sheet: Sheet) -> str:
    return f"{get_column_letter(i + 1)} ({name})" if sheet.sheet is not None else name


def bad_cells(
    frame: pl.DataFrame, sheet: Sheet, bad: pl.Expr, column: str, code: str
) -> list[Problem]:
    """A problem ``code`` (its ``value``: the cell's text) for each cell of ``column`` where
    ``bad`` holds."""
    index = {h: i for i, h in enumerate(sheet.header)}
    label = column_label(index.get(column, 0), column, sheet)
    hits = frame.filter(bad).select("row", pl.col(column).alias("text"))
    return [
        sheet.problem(say(code, value=text), row=row, column=label)
        for row, text in hits.head(50).iter_rows()
    ]


def number_problems(
    frame: pl.DataFrame, sheet: Sheet, column: str, number: pl.Expr
) -> list[Problem]:
    """The cells of ``column`` with something written that ``number`` could not read: a text
    such as 1.800 asks its question (``number_ambiguous``), anything else is not a number."""
    text = pl.col(column)
    bad = text.is_not_null() & (text.str.strip_chars() != "") & number.is_null()
    ambiguous = bad & text.str.strip_chars().str.contains(AMBIGUOUS_NUMBER)
    return bad_cells(frame, sheet, ambiguous, column, "number_ambiguous") + bad_cells(
        frame, sheet, bad & ~ambiguous, column, "not_a_number"
    )


def parse_values(
    frame: pl.DataFrame,
    sheet: Sheet,
    value_col: str = "value",
    denominator_col: str = "denominator",
    applicable: pl.Expr | None = None,
) -> pl.DataFrame:
    """Parse the value/denominator text columns; report every cell that is not a number."""
    if denominator_col not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(denominator_col))
    if applicable is None:
        applicable = (
            parse_flag_expr("applicable").fill_null(True)
            if "applicable" in frame.columns
            else pl.lit(True)
        )
    parsed = frame.with_columns(
        _value=number_expr(frame, value_col),
        _denominator=number_expr(frame, denominator_col),
        _applicable=applicable,
    )
    problems: list[Problem] = []
    for text_col, num_col in ((value_col, "_value"), (denominator_col, "_denominator")):
        problems += number_problems(parsed, sheet, text_col, pl.col(num_col))
    if "applicable" in frame.columns:
        text = pl.col("applicable")
        bad = (
            text.is_not_null()
            & (text.str.strip_chars() != "")
            & parse_flag_expr("applicable").is_null()
        )
        problems += bad_cells(frame, sheet, bad, "applicable", "not_yes_no")
    if problems:
        raise DataError(problems)
    dropped = ("value", "denominator", "applicable", typed(value_col), typed(denominator_col))
    return parsed.drop(*(c for c in dropped if c in parsed.columns)).rename(
        {"_value": "value", "_denominator": "denominator", "_applicable": "applicable"}
    )


def check_key_cells(frame: pl.DataFrame, sheet: Sheet, columns: Iterable[str]) -> None:
    problems: list[Problem] = []
    for c in columns:
        bad = pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "")
        problems += bad_cells(frame, sheet, bad, c, "cell_empty")
    if problems:
        raise DataError(problems)


def _iso(cell: Any) -> Any:
    """A date cell's day as ISO text (a date-time cell's date; other temporal cells stay)."""
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat()
    return cell.isoformat() if isinstance(cell, dt.date) else cell


def _date_expr(column: str) -> pl.Expr:
    """ISO dates (2025-07-01) or Vietnamese day-first dates (01/07/2025)."""
    text = pl.col(column).str.strip_chars()
    return pl.coalesce(
        text.str.to_date("%Y-%m-%d", strict=False),
        text.str.to_date("%d/%m/%Y", strict=False),
    )


def parse_dates(frame: pl.DataFrame, sheet: Sheet, columns: Iterable[str]) -> pl.DataFrame:
    problems: list[Problem] = []
    for c in columns:
        text = pl.col(c)
        bad = text.is_not_null() & (text.str.strip_chars() != "") & _date_expr(c).is_null()
        problems += bad_cells(frame, sheet, bad, c, "not_a_date")
    if problems:
        raise DataError(problems)
    return frame.with_columns(_date_expr(c).alias(c) for c in columns)
