"""Raw sheet access: a CSV file or an XLSX workbook read into rows of text cells, with the
row numbers the user sees, refusing what cannot be read safely (XXE, merged cells)."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from openpyxl import load_workbook

from dti.engine.errors import DataError, Problem
from dti.io.workbook_safety import check_workbook_archive

__all__ = [
    "PROGRESS_ROWS",
    "ReadProgress",
    "Sheet",
    "cell_text",
    "read_sheet",
    "sheet_from_rows",
    "xlsx_sheets",
]

Rows = dict[str, list[tuple[Any, ...]]]


@dataclass
class Sheet:
    """A sheet as text cells, with the row number each data row had in the user's file."""

    file: str
    sheet: str | None
    header: list[str]
    rows: list[list[Any]]
    first_row: int  # row number of rows[0] in the file

    def problem(self, message: str, *, row: int, column: str) -> Problem:
        """A problem located at a cell of this sheet."""
        return Problem(message, file=self.file, sheet=self.sheet, row=row, column=column)


def cell_text(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, (dt.date, dt.datetime, dt.time)) else str(value)


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
) -> Rows:
    """Every sheet's rows; ``progress`` hears how far each sheet has come every ``every`` rows."""
    check_workbook_archive(path, name=path.name)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            merged = _merged_cells(workbook, path.name)
            if merged:
                raise DataError(merged)
            sheets: Rows = {}
            for ws in workbook.worksheets:
                rows = sheets[ws.title] = []
                total = ws.max_row  # from the sheet's declared dimension (None if absent)
                for row in ws.iter_rows(values_only=True):
                    rows.append(row)
                    if progress is not None and len(rows) % every == 0:
                        progress(ReadProgress(path.name, ws.title, len(rows), total))
            return sheets
        finally:
            workbook.close()
    except (ValueError, KeyError, TypeError, OSError, SyntaxError, zipfile.BadZipFile) as exc:
        # defusedxml's refusals (entities, DTDs: XXE and entity bombs) are ValueErrors, and so
        # are openpyxl's own complaints about broken XML; ParseError is a SyntaxError.
        if "Forbidden" in type(exc).__name__ or "Forbidden" in repr(exc.__context__):
            reason = "it declares XML entities or a DTD, which are refused (possible XXE attack)"
        else:
            reason = f"its XML is invalid ({type(exc).__name__})"
        raise DataError(Problem(f"the workbook cannot be read: {reason}", file=path.name)) from exc


_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')


def _merged_cells(workbook: Any, file: str) -> list[Problem]:
    """Merged ranges hide every cell but the first from a reader (read-only mode cannot see
    them): refused, located, rather than read as blanks."""
    problems = []
    for ws in workbook.worksheets:
        part = getattr(ws, "_worksheet_path", None)
        if part is None:
            continue
        with workbook._archive.open(part) as handle:
            refs = _MERGE_REF.findall(handle.read())
        problems += [
            Problem(
                f"merged cells {ref.decode()} are not allowed: unmerge them and fill in each cell",
                file=file,
                sheet=ws.title,
            )
            for ref in refs[:20]
        ]
    return problems


def sheet_from_rows(
    file: str, sheet: str | None, rows: list[tuple[Any, ...]], header_row: int = 1
) -> Sheet:
    if len(rows) < header_row:
        raise DataError(Problem("the sheet is empty", file=file, sheet=sheet))
    header = [str(h).strip() if h is not None else "" for h in rows[header_row - 1]]
    body = [[cell_text(v) for v in r] for r in rows[header_row:]]
    body = [r for r in body if any(v not in (None, "") for v in r)] if body else body
    return Sheet(file, sheet, header, body, header_row + 1)


def read_sheet(
    path: Path,
    *,
    preferred_sheet: str | None = None,
    sheets: Rows | None = None,
) -> Sheet:
    if path.suffix.lower() == ".csv":
        try:
            frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
        except (pl.exceptions.ComputeError, OSError) as exc:
            raise DataError(Problem(f"cannot read CSV: {exc}", file=path.name)) from exc
        return Sheet(path.name, None, frame.columns, [list(r) for r in frame.rows()], 2)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        if sheets is None:
            sheets = xlsx_sheets(path)
        name = preferred_sheet if preferred_sheet in sheets else next(iter(sheets))
        return sheet_from_rows(path.name, name, sheets[name])
    raise DataError(Problem("unsupported file type (use .csv or .xlsx)", file=path.name))
