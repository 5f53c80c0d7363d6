"""Reading the input tables (CSV or XLSX) into the frames the engine takes.

Three inputs are understood:

* the **long values table** — ``unit, period, indicator, value, denominator, applicable``, and
  ``applicable_max`` for a node given directly with the part of its maximum that applies;
* the **units table** — ``unit, name, group, parent, predecessors``;
* the **self-assessment workbook** written by :mod:`dti.io.template` (one unit, one period).

Every cell that cannot be read is reported with file, sheet, row and column, all at once; the
caller gets either a complete frame or a :class:`~dti.engine.DataError`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from dti.engine.errors import DataError, Problem
from dti.engine.messages import say
from dti.io.columns import (
    check_key_cells,
    number_expr,
    number_problems,
    parse_values,
    select_columns,
    typed,
)
from dti.io.filled_template import (
    TEMPLATE_HEADERS,
    TEMPLATE_INFO_SHEET,
    TEMPLATE_VALUES_SHEET,
    TemplateInfo,
    read_template,
)
from dti.io.registry_tables import read_lineage, read_units
from dti.io.workbook import PROGRESS_ROWS, ReadProgress, Rows, Sheet, read_sheet, xlsx_sheets

__all__ = [
    "PROGRESS_ROWS",
    "READ_COLUMNS",
    "TEMPLATE_HEADERS",
    "TEMPLATE_INFO_SHEET",
    "TEMPLATE_VALUES_SHEET",
    "VALUE_COLUMNS",
    "ReadProgress",
    "TemplateInfo",
    "read_lineage",
    "read_units",
    "read_values",
]

VALUE_COLUMNS = ("unit", "period", "indicator", "value", "denominator", "applicable")
# The columns of the engine frame read from a values table (``applicable_max`` null if absent).
READ_COLUMNS = (*VALUE_COLUMNS, "applicable_max")


def _applicable_max(frame: pl.DataFrame, sheet: Sheet) -> pl.DataFrame:
    """Parse the optional ``applicable_max`` column (a number where given): a typed cell is its
    number, text goes through the grammar (765; 1.234,5; 1.800 refused with its question)."""
    if "applicable_max" not in frame.columns:
        return frame.with_columns(pl.lit(None, dtype=pl.Float64).alias("applicable_max"))
    number = number_expr(frame, "applicable_max")
    problems = number_problems(frame, sheet, "applicable_max", number)
    if problems:
        raise DataError(problems)
    return frame.with_columns(number.alias("applicable_max")).drop(
        typed("applicable_max"), strict=False
    )


def _xlsx_sheets(path: Path, progress: Callable[[ReadProgress], None] | None = None) -> Rows:
    # Looked up here at each call, so that PROGRESS_ROWS can be set on this module.
    return xlsx_sheets(path, progress, every=PROGRESS_ROWS)


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
            return read_template(path.name, sheets)
        template_sheets = (TEMPLATE_INFO_SHEET, TEMPLATE_VALUES_SHEET)
        if any(name in sheets for name in template_sheets):
            missing = next(name for name in template_sheets if name not in sheets)
            raise DataError(
                Problem(
                    say("template_sheet_missing", sheet=missing, found=tuple(sheets)),
                    file=path.name,
                )
            )
    sheet = read_sheet(path, sheets=sheets)  # (a workbook is read once)
    frame = select_columns(sheet, READ_COLUMNS, ("unit", "period", "indicator", "value"))
    check_key_cells(frame, sheet, ("unit", "period", "indicator"))
    parsed = parse_values(_applicable_max(frame, sheet), sheet)
    return parsed.select(
        pl.col("unit").str.strip_chars(),
        pl.col("period").str.strip_chars(),
        pl.col("indicator").str.strip_chars(),
        "value",
        "denominator",
        "applicable",
        "applicable_max",
        "row",
    ), None
