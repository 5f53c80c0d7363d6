"""The decision appendix (*Phụ lục kèm theo Quyết định*): one ranked table per unit group.

The admin enters the header — issuer, decision number and date — when the province signs the
decision; the tables come from the published scores and ranks (tied units show the shared rank,
as the engine ranks them: 1, 2, 2, 4). Two outputs:

* Excel (:func:`appendix_xlsx`): one sheet, a header block, then per group an Excel table
  (``Nhom_1``, ``Nhom_2``…); scores stay numbers. XlsxWriter runs with
  ``strings_to_formulas=False`` and ``strings_to_urls=False`` and user text is neutralised, so a
  unit called ``=HYPERLINK(…)`` stays text.
* PDF (:func:`appendix_pdf`): HTML → WeasyPrint with the shipped DejaVu Serif.

Both return bytes; :func:`write_appendix` writes the file whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import xlsxwriter

from dti.engine import ScoreResult
from dti.io.cells import neutralise
from dti.io.template import SAFE_WORKBOOK_OPTIONS
from dti.reports._common import (
    FrameworksArg,
    atomic_write,
    group_infos,
    period_units,
    resolve_period,
)
from dti.reports._html import render_pdf
from dti.reports.format import format_date

__all__ = [
    "AppendixRow",
    "AppendixTable",
    "DecisionHeader",
    "appendix_pdf",
    "appendix_tables",
    "appendix_xlsx",
    "write_appendix",
]

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
COLUMNS = ("Xếp hạng", "Đơn vị", "Điểm", "Xếp loại")
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


@dataclass(frozen=True)
class DecisionHeader:
    """What the admin types when the decision is signed; every field is optional."""

    issuer: str = ""  # "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM"
    number: str = ""  # "1206/QĐ-UBND"
    date: dt.date | None = None
    title: str = ""  # default: "KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG … NĂM <period>"
    signer: str = ""  # "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH / Nguyễn Văn A", printed under the tables
    # Lines printed in bold under the heading: a provisional publication says so and names
    # the units still missing.
    notice: tuple[str, ...] = ()

    def heading(self, period: str) -> str:
        return self.title or (
            f"KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG MỨC ĐỘ CHUYỂN ĐỔI SỐ CỦA CÁC CƠ QUAN NHÀ NƯỚC NĂM {period}"
        )

    def reference(self) -> str:
        """``(Kèm theo Quyết định số 1206/QĐ-UBND ngày 13/06/2023)``; empty without a number."""
        if not self.number:
            return ""
        when = f" ngày {format_date(self.date)}" if self.date else ""
        return f"(Kèm theo Quyết định số {self.number}{when})"


@dataclass(frozen=True)
class AppendixRow:
    rank: int
    unit: str
    name: str
    score: float
    band: str


@dataclass(frozen=True)
class AppendixTable:
    group: str
    title: str  # "I. Sở, ban, ngành"
    decimals: int
    rows: list[AppendixRow] = field(default_factory=list)


def appendix_tables(
    result: ScoreResult, period: str | None = None, *, frameworks: FrameworksArg = None
) -> list[AppendixTable]:
    """One table per group (framework order), rows by rank then name."""
    period = resolve_period(result, period)
    tables = []
    for i, (code, info) in enumerate(group_infos(result, frameworks).items()):
        rows = period_units(result, period, code)
        if rows.is_empty():
            continue
        number = _ROMAN[i] if i < len(_ROMAN) else str(i + 1)
        tables.append(
            AppendixTable(
                group=code,
                title=f"{number}. {info.name}",
                decimals=info.decimals,
                rows=[
                    AppendixRow(int(r), str(u), str(n), float(s), str(b))
                    for r, u, n, s, b in rows.select(
                        "rank", pl.col("unit").cast(pl.String), "name", "score", "band_name"
                    ).iter_rows()
                ],
            )
        )
    return tables


def _number_format(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def appendix_xlsx(
    result: ScoreResult,
    period: str | None = None,
    header: DecisionHeader | None = None,
    *,
    frameworks: FrameworksArg = None,
) -> bytes:
    """The appendix as an Excel workbook (bytes)."""
    period = resolve_period(result, period)
    header = header or DecisionHeader()
    tables = appendix_tables(result, period, frameworks=frameworks)
    buffer = io.BytesIO()
    options = {**SAFE_WORKBOOK_OPTIONS, "in_memory": True}
    with xlsxwriter.Workbook(buffer, options) as book:
        sheet = book.add_worksheet("Phụ lục")
        bold = book.add_format({"bold": True, "align": "center", "text_wrap": True})
        title = book.add_format({"bold": True, "align": "center", "text_wrap": True, "size": 13})
        italic = book.add_format({"italic": True, "align": "center"})
        group_title = book.add_format({"bold": True})
        text = book.add_format({"text_wrap": True, "valign": "top"})
        centre = book.add_format({"align": "center", "valign": "top"})
        sheet.set_column(0, 0, 10)
        sheet.set_column(1, 1, 48)
        sheet.set_column(2, 2, 12)
        sheet.set_column(3, 3, 16)
        sheet.set_portrait()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.merge_range(0, 0, 0, 1, neutralise(header.issuer.upper()), bold)
        sheet.merge_range(0, 2, 0, 3, MOTTO[0], bold)
        sheet.merge_range(1, 2, 1, 3, MOTTO[1], bold)
        sheet.merge_range(3, 0, 3, 3, "Phụ lục", title)
        sheet.set_row(4, 32)
        sheet.merge_range(4, 0, 4, 3, neutralise(header.heading(period)), title)
        row = 5
        if header.reference():
            sheet.merge_range(row, 0, row, 3, neutralise(header.reference()), italic)
            row += 1
        warn = book.add_format({"bold": True, "font_color": "#9c2b00", "text_wrap": True})
        for line in header.notice:
            sheet.merge_range(row, 0, row, 3, neutralise(line), warn)
            row += 1
        row += 1
        for n, table in enumerate(tables, start=1):
            sheet.write_string(row, 0, neutralise(table.title), group_title)
            row += 1
            number = book.add_format(
                {"num_format": _number_format(table.decimals), "valign": "top"}
            )
            data = [[r.rank, neutralise(r.name), r.score, neutralise(r.band)] for r in table.rows]
            sheet.add_table(
                row,
                0,
                row + len(data),
                3,
                {
                    "name": f"Nhom_{n}",
                    "data": data,
                    "autofilter": False,
                    "style": "Table Style Light 1",
                    "columns": [
                        {"header": COLUMNS[0], "format": centre},
                        {"header": COLUMNS[1], "format": text},
                        {"header": COLUMNS[2], "format": number},
                        {"header": COLUMNS[3], "format": centre},
                    ],
                },
            )
            row += len(data) + 2
        if header.signer:
            for line in header.signer.splitlines():
                sheet.merge_range(row, 2, row, 3, neutralise(line.strip()), bold)
                row += 1
    return buffer.getvalue()


def appendix_pdf(
    result: ScoreResult,
    period: str | None = None,
    header: DecisionHeader | None = None,
    *,
    frameworks: FrameworksArg = None,
) -> bytes:
    """The appendix as a PDF (A4 portrait), one table per group."""
    period = resolve_period(result, period)
    header = header or DecisionHeader()
    return render_pdf(
        "appendix.html",
        header=header,
        motto=MOTTO,
        heading=header.heading(period),
        reference=header.reference(),
        tables=appendix_tables(result, period, frameworks=frameworks),
        columns=COLUMNS,
    )


def write_appendix(
    result: ScoreResult,
    path: str | Path,
    period: str | None = None,
    header: DecisionHeader | None = None,
    *,
    frameworks: FrameworksArg = None,
) -> Path:
    """Write ``.xlsx`` or ``.pdf`` by the file's suffix; whole or not at all."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        data = appendix_xlsx(result, period, header, frameworks=frameworks)
    elif suffix == ".pdf":
        data = appendix_pdf(result, period, header, frameworks=frameworks)
    else:
        raise ValueError(f"unsupported appendix type {suffix!r} (use .xlsx or .pdf)")
    return atomic_write(path, data)
