"""Reading the registry tables: the units (with their groups, parents and predecessors) and
the lineage of reorganisations (mergers, splits, renamings)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from dti.engine.errors import DataError
from dti.engine.lineage import LINEAGE_COLUMNS
from dti.engine.messages import say
from dti.io.columns import (
    check_key_cells,
    number_expr,
    number_problems,
    parse_dates,
    select_columns,
)
from dti.io.workbook import read_sheet

__all__ = ["UNIT_COLUMNS", "read_lineage", "read_units"]

UNIT_COLUMNS = ("unit", "name", "group", "parent", "predecessors")
UNIT_DATE_COLUMNS = ("valid_from", "valid_to")
UNIT_OPTIONAL_COLUMNS = ("parent", "predecessors", "basis")


def read_units(path: str | Path, *, check_predecessors: bool = True) -> pl.DataFrame:
    """Read the units table: ``unit, name, group[, parent][, predecessors]``; every
    predecessor must be a unit of the table unless ``check_predecessors`` is false (the web
    import also knows the units already stored, and checks them itself)."""
    path = Path(path)
    sheet = read_sheet(path)
    frame = select_columns(
        sheet,
        (*UNIT_COLUMNS, *UNIT_DATE_COLUMNS, "basis"),
        ("unit", "name", "group"),
        date_columns=UNIT_DATE_COLUMNS,
    )
    check_key_cells(frame, sheet, ("unit", "name", "group"))
    duplicated = frame.filter(pl.col("unit").is_duplicated())
    if duplicated.height:
        raise DataError(
            [
                sheet.problem(say("duplicate_unit_code", unit=code), row=row, column="unit")
                for code, row in duplicated.select("unit", "row").iter_rows()
            ]
        )
    for optional in (*UNIT_OPTIONAL_COLUMNS, *UNIT_DATE_COLUMNS):
        if optional not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(optional))
    frame = parse_dates(frame, sheet, UNIT_DATE_COLUMNS)
    codes = set(frame["unit"].to_list())
    problems = []
    checked = frame if check_predecessors else frame.clear()
    for code, preds, row in checked.select("unit", "predecessors", "row").iter_rows():
        for item in (preds or "").split(";"):
            pred = item.split(":")[0].strip()
            if pred and pred not in codes:
                problems.append(
                    sheet.problem(
                        say("predecessor_unknown", predecessor=pred, unit=code),
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


def read_lineage(path: str | Path, *, sheet_name: str | None = None) -> pl.DataFrame:
    """Read the lineage table: ``date, kind, from, to, weight, basis`` — one row per edge
    (from the workbook's sheet ``sheet_name``, else its first)."""
    path = Path(path)
    sheet = read_sheet(path, preferred_sheet=sheet_name)
    frame = select_columns(
        sheet, LINEAGE_COLUMNS, ("date", "kind", "from", "to"), date_columns=("date",)
    )
    check_key_cells(frame, sheet, ("date", "kind", "from", "to"))
    if "weight" not in frame.columns:
        frame = frame.with_columns(weight=pl.lit(None, dtype=pl.String))
    if "basis" not in frame.columns:
        frame = frame.with_columns(basis=pl.lit(None, dtype=pl.String))
    frame = parse_dates(frame, sheet, ("date",))
    weight = number_expr(frame, "weight")
    problems = number_problems(frame, sheet, "weight", weight)
    if problems:
        raise DataError(problems)
    return frame.select(
        "date",
        *(pl.col(c).str.strip_chars() for c in ("kind", "from", "to")),
        weight.alias("weight"),
        "basis",
    )
