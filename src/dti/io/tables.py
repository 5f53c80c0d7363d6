"""Reading the input tables (CSV or XLSX) into the frames the engine takes.

Three inputs are understood:

* the **long values table** — ``unit, period, indicator, value, denominator, applicable``;
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
from dti.io.columns import check_key_cells, parse_values, select_columns
from dti.io.filled_template import (
    TEMPLATE_HEADERS,
    TEMPLATE_INFO_SHEET,
    TEMPLATE_VALUES_SHEET,
    TemplateInfo,
    read_template,
)
from dti.io.registry_tables import read_lineage, read_units
from dti.io.workbook import PROGRESS_ROWS, ReadProgress, Rows, read_sheet, xlsx_sheets

__all__ = [
    "PROGRESS_ROWS",
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
                    f"the self-assessment template's sheet {missing!r} is missing (found: "
                    f"{', '.join(sheets)}); do not rename or delete the template's sheets",
                    file=path.name,
                )
            )
    sheet = read_sheet(path, sheets=sheets)  # (a workbook is read once)
    frame = select_columns(sheet, VALUE_COLUMNS, ("unit", "period", "indicator", "value"))
    check_key_cells(frame, sheet, ("unit", "period", "indicator"))
    parsed = parse_values(frame, sheet)
    return parsed.select(
        pl.col("unit").str.strip_chars(),
        pl.col("period").str.strip_chars(),
        pl.col("indicator").str.strip_chars(),
        "value",
        "denominator",
        "applicable",
        "row",
    ), None
