"""A file drop: a CSV or XLSX table put in a configured folder (the newest one is read) or
uploaded, read by the same safe readers as every other upload (:mod:`dti.io.workbook`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dti.engine.errors import DataError, Problem
from dti.engine.messages import say
from dti.io.connectors.fetching import Fetched, Page, Record, SourceError
from dti.io.workbook import cell_text, read_sheet
from dti.io.workbook_safety import check_workbook_archive

__all__ = ["SUFFIXES", "fetch_file", "newest_file"]

SUFFIXES = (".csv", ".xlsx")


def newest_file(folder: Path) -> Path:
    """The most recently modified table of ``folder`` (the one a system dropped last)."""
    if not folder.is_dir():
        raise SourceError(Problem(say("source_folder_missing"), file=str(folder)))
    tables = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES]
    if not tables:
        raise SourceError(Problem(say("source_folder_empty"), file=str(folder)))
    return max(tables, key=lambda p: (p.stat().st_mtime_ns, p.name))


def fetch_file(path: Path, *, shown: str | None = None) -> Fetched:
    """The table at ``path`` as records (header → cell), kept whole as the one page."""
    name = shown or path.name
    body = path.read_bytes()
    try:
        if path.suffix.lower() == ".xlsx":
            check_workbook_archive(path, name=name)
        sheet = read_sheet(path)
    except DataError as exc:
        raise SourceError(exc.problems) from exc
    page = Page(
        number=1,
        request=f"FILE {name}",
        status=0,
        fetched_at=dt.datetime.now(dt.UTC),
        body=body,
        content_type="text/csv" if path.suffix.lower() == ".csv" else "application/vnd.ms-excel",
    )
    header = [h.strip() for h in sheet.header]
    records = [
        Record(
            {h: _cell(v) for h, v in zip(header, row, strict=False) if h},
            1,
            sheet.row_number(i),
        )
        for i, row in enumerate(sheet.rows)
    ]
    return Fetched(records=records, pages=[page])


def _cell(value: object) -> object:
    # Typed numbers stay numbers; the rest as text (dates too: they are not values here).
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = cell_text(value)
    return None if text is None else str(text)
