"""Reading the input tables (CSV or XLSX) into the frames the engine takes.

Three inputs are understood:

* the **long values table** — ``unit, period, indicator, value, denominator, applicable``;
* the **units table** — ``unit, name, group, parent, predecessors``;
* the **self-assessment workbook** written by :mod:`dti.io.template` (one unit, one period).

Every cell that cannot be read is reported with file, sheet, row and column, all at once; the
caller gets either a complete frame or a :class:`~dti.engine.DataError`.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from dti.engine.errors import DataError, Problem
from dti.engine.lineage import LINEAGE_COLUMNS
from dti.io.cells import AMBIGUOUS_NUMBER, parse_flag_expr, parse_number_expr
from dti.io.workbook_safety import check_workbook_archive

__all__ = [
    "TEMPLATE_INFO_SHEET",
    "TEMPLATE_VALUES_SHEET",
    "TemplateInfo",
    "read_lineage",
    "read_units",
    "read_values",
]

VALUE_COLUMNS = ("unit", "period", "indicator", "value", "denominator", "applicable")
UNIT_COLUMNS = ("unit", "name", "group", "parent", "predecessors")
UNIT_DATE_COLUMNS = ("valid_from", "valid_to")
UNIT_OPTIONAL_COLUMNS = ("parent", "predecessors", "basis")
TEMPLATE_INFO_SHEET = "Thông tin"
TEMPLATE_VALUES_SHEET = "Tự đánh giá"
# Template column headers (Vietnamese, as officials see them) → engine column names.
TEMPLATE_HEADERS = {
    "Mã chỉ số": "indicator",
    "Tên chỉ số": "name",
    "Điểm tối đa": "max",
    "Cách tính": "rule",
    "Giá trị": "value",
    "Mẫu số": "denominator",
    "Không áp dụng": "not_applicable",
    "Giải trình": "explanation",
    "Minh chứng": "evidence",
}
TEMPLATE_INFO_LABELS = {
    "Mã đơn vị": "unit",
    "Kỳ đánh giá": "period",
    "Bộ chỉ số": "framework",
    "Nhóm": "group",
}


@dataclass(frozen=True, slots=True)
class TemplateInfo:
    unit: str
    period: str
    framework: str
    group: str


# -- raw sheet access ---------------------------------------------------------------------


@dataclass
class _Sheet:
    """A sheet as text cells, with the row number each data row had in the user's file."""

    file: str
    sheet: str | None
    header: list[str]
    rows: list[list[Any]]
    first_row: int  # row number of rows[0] in the file


def _cell_text(value: Any) -> Any:
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


def _xlsx_sheets(
    path: Path, progress: Callable[[ReadProgress], None] | None = None
) -> dict[str, list[tuple[Any, ...]]]:
    check_workbook_archive(path, name=path.name)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            merged = _merged_cells(workbook, path.name)
            if merged:
                raise DataError(merged)
            sheets: dict[str, list[tuple[Any, ...]]] = {}
            for ws in workbook.worksheets:
                rows = sheets[ws.title] = []
                total = ws.max_row  # from the sheet's declared dimension (None if absent)
                for row in ws.iter_rows(values_only=True):
                    rows.append(row)
                    if progress is not None and len(rows) % PROGRESS_ROWS == 0:
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


def _sheet_from_rows(
    file: str, sheet: str | None, rows: list[tuple[Any, ...]], header_row: int = 1
) -> _Sheet:
    if len(rows) < header_row:
        raise DataError(Problem("the sheet is empty", file=file, sheet=sheet))
    header = [str(h).strip() if h is not None else "" for h in rows[header_row - 1]]
    body = [[_cell_text(v) for v in r] for r in rows[header_row:]]
    body = [r for r in body if any(v not in (None, "") for v in r)] if body else body
    return _Sheet(file, sheet, header, body, header_row + 1)


def _read_sheet(
    path: Path,
    *,
    preferred_sheet: str | None = None,
    sheets: dict[str, list[tuple[Any, ...]]] | None = None,
) -> _Sheet:
    if path.suffix.lower() == ".csv":
        try:
            frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
        except (pl.exceptions.ComputeError, OSError) as exc:
            raise DataError(Problem(f"cannot read CSV: {exc}", file=path.name)) from exc
        return _Sheet(path.name, None, frame.columns, [list(r) for r in frame.rows()], 2)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        if sheets is None:
            sheets = _xlsx_sheets(path)
        name = preferred_sheet if preferred_sheet in sheets else next(iter(sheets))
        return _sheet_from_rows(path.name, name, sheets[name])
    raise DataError(Problem("unsupported file type (use .csv or .xlsx)", file=path.name))


def _frame(sheet: _Sheet, wanted: Sequence[str], required: Sequence[str]) -> pl.DataFrame:
    """Select the wanted columns as text, with the user's row numbers in ``row``."""
    index = {h: i for i, h in enumerate(sheet.header)}
    missing = [c for c in required if c not in index]
    if missing:
        raise DataError(
            [
                Problem(
                    f"required column {c!r} is missing (found: {', '.join(sheet.header)})",
                    file=sheet.file,
                    sheet=sheet.sheet,
                    row=sheet.first_row - 1,
                    column=c,
                )
                for c in missing
            ]
        )
    problems: list[Problem] = []
    columns: dict[str, list[Any]] = {}
    for name in wanted:
        if name not in index:
            continue
        i = index[name]
        cells = [r[i] if i < len(r) else None for r in sheet.rows]
        for n, cell in enumerate(cells):
            if isinstance(cell, (dt.date, dt.datetime, dt.time)):
                problems.append(
                    Problem(
                        f"a date ({cell}) where text or a number belongs",
                        file=sheet.file,
                        sheet=sheet.sheet,
                        row=sheet.first_row + n,
                        column=_column_label(i, name, sheet),
                    )
                )
        columns[name] = [None if isinstance(c, (dt.date, dt.time)) else c for c in cells]
    if problems:
        raise DataError(problems)
    frame = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))
    return frame.with_columns(
        row=pl.int_range(sheet.first_row, sheet.first_row + frame.height, dtype=pl.Int64)
    )


def _column_label(i: int, name: str, sheet: _Sheet) -> str:
    return f"{get_column_letter(i + 1)} ({name})" if sheet.sheet is not None else name


def _bad_cells(
    frame: pl.DataFrame, sheet: _Sheet, bad: pl.Expr, column: str, message: str
) -> list[Problem]:
    index = {h: i for i, h in enumerate(sheet.header)}
    label = _column_label(index.get(column, 0), column, sheet)
    hits = frame.filter(bad).select("row", pl.col(column).alias("text"))
    return [
        Problem(
            message.format(text=text), file=sheet.file, sheet=sheet.sheet, row=row, column=label
        )
        for row, text in hits.head(50).iter_rows()
    ]


def _parse_values(
    frame: pl.DataFrame,
    sheet: _Sheet,
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
        _value=parse_number_expr(value_col),
        _denominator=parse_number_expr(denominator_col),
        _applicable=applicable,
    )
    problems: list[Problem] = []
    for text_col, num_col in ((value_col, "_value"), (denominator_col, "_denominator")):
        text = pl.col(text_col)
        bad = text.is_not_null() & (text.str.strip_chars() != "") & pl.col(num_col).is_null()
        ambiguous = bad & text.str.strip_chars().str.contains(AMBIGUOUS_NUMBER)
        problems += _bad_cells(
            parsed,
            sheet,
            ambiguous,
            text_col,
            "{text!r} is ambiguous: write it without the dot for thousands (1800) "
            "or with a decimal comma (1,8)",
        )
        problems += _bad_cells(
            parsed, sheet, bad & ~ambiguous, text_col, "{text!r} is not a number"
        )
    if "applicable" in frame.columns:
        text = pl.col("applicable")
        bad = (
            text.is_not_null()
            & (text.str.strip_chars() != "")
            & parse_flag_expr("applicable").is_null()
        )
        problems += _bad_cells(
            frame, sheet, bad, "applicable", "{text!r} is not yes/no (use 1/0, có/không, x)"
        )
    if problems:
        raise DataError(problems)
    return parsed.drop(
        *(c for c in ("value", "denominator", "applicable") if c in parsed.columns)
    ).rename({"_value": "value", "_denominator": "denominator", "_applicable": "applicable"})


def _check_key_cells(frame: pl.DataFrame, sheet: _Sheet, columns: Iterable[str]) -> None:
    problems: list[Problem] = []
    for c in columns:
        bad = pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "")
        problems += _bad_cells(frame, sheet, bad, c, "is empty")
    if problems:
        raise DataError(problems)


# -- public readers -----------------------------------------------------------------------


def read_values(
    path: str | Path, *, progress: Callable[[ReadProgress], None] | None = None
) -> tuple[pl.DataFrame, TemplateInfo | None]:
    """Read a long values table or a filled-in self-assessment workbook.

    Returns the engine frame (``unit, period, indicator, value, denominator, applicable, row``)
    and, for a template workbook, the unit/period/framework it was made for. ``progress`` hears
    how many rows of a workbook have been read, every :data:`PROGRESS_ROWS`.
    """
    path = Path(path)
    sheets = None
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        sheets = _xlsx_sheets(path, progress)
        if TEMPLATE_VALUES_SHEET in sheets and TEMPLATE_INFO_SHEET in sheets:
            return _read_template(path.name, sheets)
        template_sheets = (TEMPLATE_INFO_SHEET, TEMPLATE_VALUES_SHEET)
        if any(name in sheets for name in template_sheets):
            missing = next(name for name in template_sheets if name not in sheets)
            raise DataError(
                Problem(
                    f"the self-assessment template's sheet {missing!r} is missing (found: "
                    f"{', '.join(sheets)}); do not rename or delete the template's sheets",
                    file=path.name,
                )
            )
    sheet = _read_sheet(path, sheets=sheets)  # (a workbook is read once)
    frame = _frame(sheet, VALUE_COLUMNS, ("unit", "period", "indicator", "value"))
    _check_key_cells(frame, sheet, ("unit", "period", "indicator"))
    parsed = _parse_values(frame, sheet)
    return parsed.select(
        pl.col("unit").str.strip_chars(),
        pl.col("period").str.strip_chars(),
        pl.col("indicator").str.strip_chars(),
        "value",
        "denominator",
        "applicable",
        "row",
    ), None


def _read_template(
    file: str, sheets: dict[str, list[tuple[Any, ...]]]
) -> tuple[pl.DataFrame, TemplateInfo]:
    info: dict[str, str] = {}
    for row in sheets[TEMPLATE_INFO_SHEET]:
        if len(row) >= 2 and row[0] in TEMPLATE_INFO_LABELS and row[1] not in (None, ""):
            info[TEMPLATE_INFO_LABELS[str(row[0])]] = str(_cell_text(row[1])).strip()
    missing = [label for label, key in TEMPLATE_INFO_LABELS.items() if key not in info]
    if missing:
        raise DataError(
            [
                Problem(f"{label!r} is missing", file=file, sheet=TEMPLATE_INFO_SHEET)
                for label in missing
            ]
        )
    meta = TemplateInfo(**info)
    sheet = _sheet_from_rows(file, TEMPLATE_VALUES_SHEET, sheets[TEMPLATE_VALUES_SHEET])
    frame = _frame(sheet, list(TEMPLATE_HEADERS), ("Mã chỉ số", "Giá trị"))
    frame = frame.with_columns(
        *(
            pl.lit(None, dtype=pl.String).alias(h)
            for h in ("Mẫu số", "Không áp dụng")
            if h not in frame.columns
        )
    )
    entered = pl.any_horizontal(
        pl.col(h).is_not_null() & (pl.col(h).str.strip_chars() != "")
        for h in ("Giá trị", "Mẫu số", "Không áp dụng")
    )
    frame = frame.filter(entered & pl.col("Mã chỉ số").is_not_null())
    not_applicable = parse_flag_expr("Không áp dụng")
    bad_flag = (
        pl.col("Không áp dụng").is_not_null()
        & (pl.col("Không áp dụng").str.strip_chars() != "")
        & not_applicable.is_null()
    )
    problems = _bad_cells(
        frame,
        sheet,
        bad_flag,
        "Không áp dụng",
        "{text!r} is not yes/no (use x to mark not applicable)",
    )
    if problems:
        raise DataError(problems)
    parsed = _parse_values(
        frame,
        sheet,
        value_col="Giá trị",
        denominator_col="Mẫu số",
        applicable=~not_applicable.fill_null(False),
    )
    out = parsed.select(
        pl.lit(meta.unit).alias("unit"),
        pl.lit(meta.period).alias("period"),
        pl.col("Mã chỉ số").str.strip_chars().alias("indicator"),
        "value",
        "denominator",
        "applicable",
        "row",
        pl.col("Giải trình").alias("explanation")
        if "Giải trình" in parsed.columns
        else pl.lit(None, dtype=pl.String).alias("explanation"),
    )
    return out, meta


def read_units(path: str | Path) -> pl.DataFrame:
    """Read the units table: ``unit, name, group[, parent][, predecessors]``."""
    path = Path(path)
    sheet = _read_sheet(path)
    frame = _frame(sheet, (*UNIT_COLUMNS, *UNIT_DATE_COLUMNS, "basis"), ("unit", "name", "group"))
    _check_key_cells(frame, sheet, ("unit", "name", "group"))
    duplicated = frame.filter(pl.col("unit").is_duplicated())
    if duplicated.height:
        raise DataError(
            [
                Problem(
                    f"duplicate unit code {code!r}",
                    file=sheet.file,
                    sheet=sheet.sheet,
                    row=row,
                    column="unit",
                )
                for code, row in duplicated.select("unit", "row").iter_rows()
            ]
        )
    for optional in (*UNIT_OPTIONAL_COLUMNS, *UNIT_DATE_COLUMNS):
        if optional not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(optional))
    frame = _parse_dates(frame, sheet, UNIT_DATE_COLUMNS)
    codes = set(frame["unit"].to_list())
    problems = []
    for code, preds, row in frame.select("unit", "predecessors", "row").iter_rows():
        for item in (preds or "").split(";"):
            pred = item.split(":")[0].strip()
            if pred and pred not in codes:
                problems.append(
                    Problem(
                        f"predecessor {pred!r} of {code!r} is not a known unit",
                        file=sheet.file,
                        sheet=sheet.sheet,
                        row=row,
                        column="predecessors",
                    )
                )
    if problems:
        raise DataError(problems)
    return frame.select(
        *(pl.col(c).str.strip_chars() for c in (*UNIT_COLUMNS, "basis")),
        *UNIT_DATE_COLUMNS,
        "row",
    )


def _date_expr(column: str) -> pl.Expr:
    """ISO dates (2025-07-01) or Vietnamese day-first dates (01/07/2025)."""
    text = pl.col(column).str.strip_chars()
    return pl.coalesce(
        text.str.to_date("%Y-%m-%d", strict=False),
        text.str.to_date("%d/%m/%Y", strict=False),
    )


def _parse_dates(frame: pl.DataFrame, sheet: _Sheet, columns: Iterable[str]) -> pl.DataFrame:
    problems: list[Problem] = []
    for c in columns:
        text = pl.col(c)
        bad = text.is_not_null() & (text.str.strip_chars() != "") & _date_expr(c).is_null()
        problems += _bad_cells(
            frame, sheet, bad, c, "{text!r} is not a date (use 2025-07-01 or 01/07/2025)"
        )
    if problems:
        raise DataError(problems)
    return frame.with_columns(_date_expr(c).alias(c) for c in columns)


def read_lineage(path: str | Path) -> pl.DataFrame:
    """Read the lineage table: ``date, kind, from, to, weight, basis`` — one row per edge."""
    path = Path(path)
    sheet = _read_sheet(path)
    frame = _frame(sheet, LINEAGE_COLUMNS, ("date", "kind", "from", "to"))
    _check_key_cells(frame, sheet, ("date", "kind", "from", "to"))
    if "weight" not in frame.columns:
        frame = frame.with_columns(weight=pl.lit(None, dtype=pl.String))
    if "basis" not in frame.columns:
        frame = frame.with_columns(basis=pl.lit(None, dtype=pl.String))
    frame = _parse_dates(frame, sheet, ("date",))
    weight = parse_number_expr("weight")
    bad = pl.col("weight").is_not_null() & (pl.col("weight") != "") & weight.is_null()
    problems = _bad_cells(frame, sheet, bad, "weight", "{text!r} is not a number")
    if problems:
        raise DataError(problems)
    return frame.select(
        "date",
        *(pl.col(c).str.strip_chars() for c in ("kind", "from", "to")),
        weight.alias("weight"),
        "basis",
    )
