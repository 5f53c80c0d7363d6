"""Reading a filled-in self-assessment workbook (one unit, one period), as written by
:mod:`dti.io.template`: its information sheet names the unit, period, framework and group, its
values sheet has a row per indicator under Vietnamese headers."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dti.engine.errors import DataError, Problem
from dti.engine.messages import say
from dti.io.cells import parse_flag_expr
from dti.io.columns import bad_cells, parse_values, select_columns
from dti.io.workbook import Rows, cell_text, sheet_from_rows

__all__ = [
    "TEMPLATE_HEADERS",
    "TEMPLATE_INFO_LABELS",
    "TEMPLATE_INFO_SHEET",
    "TEMPLATE_VALUES_SHEET",
    "TemplateInfo",
    "read_template",
]

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


def read_template(file: str, sheets: Rows) -> tuple[pl.DataFrame, TemplateInfo]:
    """The values of a template workbook's sheets (only rows with something entered)."""
    info: dict[str, str] = {}
    for row in sheets[TEMPLATE_INFO_SHEET]:
        if len(row) >= 2 and row[0] in TEMPLATE_INFO_LABELS and row[1] not in (None, ""):
            info[TEMPLATE_INFO_LABELS[str(row[0])]] = str(cell_text(row[1])).strip()
    missing = [label for label, key in TEMPLATE_INFO_LABELS.items() if key not in info]
    if missing:
        raise DataError(
            [
                Problem(
                    say("template_field_missing", label=label), file=file, sheet=TEMPLATE_INFO_SHEET
                )
                for label in missing
            ]
        )
    meta = TemplateInfo(**info)
    sheet = sheet_from_rows(file, TEMPLATE_VALUES_SHEET, sheets[TEMPLATE_VALUES_SHEET])
    frame = select_columns(sheet, list(TEMPLATE_HEADERS), ("Mã chỉ số", "Giá trị"))
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
    problems = bad_cells(
        frame,
        sheet,
        bad_flag,
        "Không áp dụng",
        "not_yes_no_template",
    )
    if problems:
        raise DataError(problems)
    parsed = parse_values(
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
