"""The workbook of reporters an administrator fills in to create many accounts at once:
unit code, full name, e-mail, phone. Read through the bounded readers (:func:`read_sheet`:
the archive is scanned first, then calamine reads it); written as a template with Vietnamese
headers."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from dti.engine.errors import DataError
from dti.engine.messages import say
from dti.io.workbook import cell_text, read_sheet
from dti.io.workbook_safety import column_letters

__all__ = ["REPORTER_HEADERS", "ReporterRow", "read_reporters", "reporters_template"]

# The template's headers (Vietnamese, as officials read them), keyed by field.
REPORTER_HEADERS = {
    "unit": "Mã đơn vị",
    "full_name": "Họ và tên",
    "email": "Thư điện tử",
    "phone": "Số điện thoại",
}
# Other headers accepted for each field (English, and common Vietnamese variants).
_ALIASES = {
    "unit": ("unit", "unit code", "mã đơn vị"),
    "full_name": ("full name", "full_name", "name", "họ tên", "họ và tên"),
    "email": ("email", "e-mail", "thư điện tử", "địa chỉ thư điện tử"),
    "phone": ("phone", "điện thoại", "số điện thoại"),
}
REQUIRED = ("unit", "full_name", "email")


@dataclass(frozen=True)
class ReporterRow:
    """One filled row, with where it is in the user's file (``columns``: field → letter)."""

    sheet: str
    row: int
    unit: str
    full_name: str
    email: str
    phone: str
    columns: dict[str, str]


def _field_of(header: str) -> str | None:
    text = " ".join(header.lower().split())
    return next((f for f, names in _ALIASES.items() if text in names), None)


def read_reporters(path: Path) -> list[ReporterRow]:
    """The rows of the first sheet (or of a ``.csv``); a missing column is a located problem."""
    sheet = read_sheet(path)
    index: dict[str, int] = {}
    for i, header in enumerate(sheet.header):
        field = _field_of(header)
        if field is not None and field not in index:
            index[field] = i
    missing = [f for f in REQUIRED if f not in index]
    if missing:
        raise DataError(
            [
                sheet.problem(
                    say(
                        "column_required_found",
                        column=REPORTER_HEADERS[f],
                        found=", ".join(h for h in sheet.header if h),
                    ),
                    row=sheet.first_row - 1,
                    column=REPORTER_HEADERS[f],
                )
                for f in missing
            ]
        )
    letters = {f: column_letters(i + 1) for f, i in index.items()}
    rows = []
    for n, cells in enumerate(sheet.rows):

        def text(field: str, cells: list[object] = cells) -> str:
            i = index.get(field)
            value = cell_text(cells[i]) if i is not None and i < len(cells) else None
            return " ".join(str(value).split()) if value is not None else ""

        rows.append(
            ReporterRow(
                sheet=sheet.sheet or sheet.file,
                row=sheet.row_number(n),
                unit=text("unit"),
                full_name=text("full_name"),
                email=text("email").lower(),
                phone=text("phone"),
                columns=letters,
            )
        )
    return rows


def reporters_template() -> bytes:
    """An empty workbook with the headers, the columns sized and kept as text (phone numbers
    keep their leading zero)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("Cán bộ báo cáo")
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    as_text = book.add_format({"num_format": "@"})
    for col, (field, header) in enumerate(REPORTER_HEADERS.items()):
        sheet.write(0, col, header, bold)
        sheet.set_column(col, col, 34 if field in ("full_name", "email") else 18, as_text)
    sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()
