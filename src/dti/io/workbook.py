"""Raw sheet access: a CSV file or an XLSX workbook read into rows of text cells, with the
row numbers the user sees, refusing what cannot be read safely (XXE, merged cells)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import polars as pl
from python_calamine import CalamineSheet, CalamineWorkbook, SheetTypeEnum

from dti.engine.errors import DataError, Problem
from dti.engine.messages import Message, say
from dti.io.workbook_safety import column_letters, scan_workbook, unreadable

__all__ = [
    "PROGRESS_ROWS",
    "TEMPORAL",
    "ReadProgress",
    "Sheet",
    "cell_number",
    "cell_text",
    "read_sheet",
    "sheet_from_rows",
    "sheet_names",
    "xlsx_sheets",
]

Rows = dict[str, list[list[Any]]]


@dataclass
class Sheet:
    """A sheet as text cells, with the row number each data row had in the user's file."""

    file: str
    sheet: str | None
    header: list[str]
    rows: list[list[Any]]
    first_row: int  # row number of rows[0] in the file
    # the row number of each of ``rows`` in the file, when rows were skipped (empty ones)
    numbers: list[int] | None = None

    def row_number(self, index: int) -> int:
        """The row number in the user's file of ``rows[index]``."""
        return self.numbers[index] if self.numbers is not None else self.first_row + index

    def problem(self, message: Message, *, row: int, column: str) -> Problem:
        """A problem located at a cell of this sheet."""
        return Problem(message, file=self.file, sheet=self.sheet, row=row, column=column)


# What a workbook cell can hold that is a moment or a duration rather than text or a number.
TEMPORAL = (dt.date, dt.datetime, dt.time, dt.timedelta)


def cell_text(value: Any) -> Any:
    """A cell as text (a whole number without ``.0``); empty cells ``None``; dates kept."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, TEMPORAL) else str(value)


def cell_number(value: Any) -> float | None:
    """The number a typed cell holds (a boolean as 1/0); ``None`` for text and empty cells."""
    if isinstance(value, (int, float)):  # (bool is an int)
        return float(value)
    return None


# A large workbook reports how far its reading has come every this many rows.
PROGRESS_ROWS = 10_000


@dataclass(frozen=True, slots=True)
class ReadProgress:
    """How far the reading of a workbook's sheet has come (``total``: the sheet's size as the
    workbook declares it, when it does)."""

    file: str
    sheet: str
    rows: int
    total: int | None = None

    def __str__(self) -> str:
        return f"{self.file} / {self.sheet}: {self.rows:,} rows read"


def xlsx_sheets(
    path: Path,
    progress: Callable[[ReadProgress], None] | None = None,
    *,
    every: int = PROGRESS_ROWS,
    name: str | None = None,
) -> Rows:
    """Every sheet's rows, cells typed as the workbook holds them (text, numbers, booleans,
    dates; empty cells ``""``); ``progress`` hears how far each sheet has come every ``every``
    rows; ``name``: the file's name in problems (the upload's, not its temporary file's). The
    workbook is checked first (:func:`scan_workbook`: zip bomb, DTDs, extents), so
    what calamine allocates is bounded whatever the file declares."""
    file = name or path.name
    extents = scan_workbook(path, name=file)
    with _calamine(file):
        workbook = CalamineWorkbook.from_path(path)
    try:
        with _calamine(file):
            names = [m.name for m in workbook.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        loaded = {}
        for sheet in names:
            with _calamine(file, sheet):
                loaded[sheet] = workbook.get_sheet_by_name(sheet)
        with _calamine(file):
            merged = _merged_cells(loaded, file)
        if merged:
            raise DataError(merged)
        sheets: Rows = {}
        for sheet, data in loaded.items():
            extent = extents.get(sheet)
            total = extent.rows if extent is not None else None
            rows = sheets[sheet] = []
            with _calamine(file, sheet):
                cells = data.iter_rows()
            while True:
                with _calamine(file, sheet):
                    batch = list(islice(cells, every))
                if not batch:
                    break
                rows += batch
                if progress is not None and len(batch) == every:  # (outside: its own errors)
                    progress(ReadProgress(file, sheet, len(rows), total))
        return sheets
    finally:
        workbook.close()


def sheet_names(path: Path) -> list[str]:
    """The workbook's worksheets, by name (only the workbook's directory is read)."""
    with _calamine(path.name):
        workbook = CalamineWorkbook.from_path(path)
    try:
        with _calamine(path.name):
            return [m.name for m in workbook.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
    finally:
        workbook.close()


@contextmanager
def _calamine(file: str, sheet: str | None = None) -> Iterator[None]:
    """What calamine raises on a damaged workbook, as a located :class:`DataError`."""
    try:
        yield
    except Exception as exc:  # calamine's errors, and what a damaged archive raises
        raise unreadable(file, exc, sheet) from exc
    except BaseException as exc:  # a panic in calamine's Rust code (pyo3's PanicException)
        if type(exc).__name__ != "PanicException":
            raise
        raise unreadable(file, exc, sheet) from exc


def _merged_cells(sheets: dict[str, CalamineSheet], file: str) -> list[Problem]:
    """Merged ranges hide every cell but the first from a reader: refused, located, rather
    than read as blanks."""
    problems = []
    for name, data in sheets.items():
        ranges = data.merged_cell_ranges or []
        problems += [
            Problem(
                say("merged_cells", cells=f"{_ref(start)}:{_ref(end)}"),
                file=file,
                sheet=name,
            )
            for start, end in ranges[:20]
        ]
    return problems


def _ref(cell: tuple[int, int]) -> str:
    return f"{column_letters(cell[1] + 1)}{cell[0] + 1}"


def sheet_from_rows(
    file: str, sheet: str | None, rows: list[list[Any]], header_row: int = 1
) -> Sheet:
    """A sheet from its rows: the header as text, the body's cells as the workbook typed them
    (rows with nothing in them dropped, the user's row numbers kept in :class:`Sheet`)."""
    if len(rows) < header_row:
        raise DataError(Problem(say("sheet_empty"), file=file, sheet=sheet))
    header = [
        str(h).strip() if (h := cell_text(v)) is not None else "" for v in rows[header_row - 1]
    ]
    body = rows[header_row:]
    if all(map(any, body)):  # no row is empty (the usual case): row numbers follow
        return Sheet(file, sheet, header, body, header_row + 1)
    kept = [
        (n, r)
        for n, r in enumerate(body, start=header_row + 1)
        # (any(r) is false for a row of zeros too: those are looked at cell by cell)
        if any(r) or any(v is not None and v != "" for v in r)
    ]
    return Sheet(file, sheet, header, [r for _, r in kept], header_row + 1, [n for n, _ in kept])


def read_sheet(
    path: Path,
    *,
    preferred_sheet: str | None = None,
    sheets: Rows | None = None,
) -> Sheet:
    if path.suffix.lower() == ".csv":
        try:
            frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
        except pl.exceptions.NoDataError as exc:
            raise DataError(Problem(say("file_empty"), file=path.name)) from exc
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise DataError(
                Problem(say("csv_unreadable", detail=str(exc)), file=path.name)
            ) from exc
        return Sheet(path.name, None, frame.columns, [list(r) for r in frame.rows()], 2)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        if sheets is None:
            sheets = xlsx_sheets(path)
        name = preferred_sheet if preferred_sheet in sheets else next(iter(sheets))
        return sheet_from_rows(path.name, name, sheets[name])
    raise DataError(Problem(say("unsupported_file_type"), file=path.name))
