"""Checks an uploaded workbook must pass before a reader parses any XML inside it.

* **Zip bombs**: a few kilobytes that inflate to gigabytes. The archive directory is read first
  and refused when the inflated total or the compression ratio is implausible.
* **XXE and entity bombs**: an XML member that declares a DTD or entities is refused (no
  workbook written by Excel, LibreOffice or a library has one).
* **Extents**: a reader allocates a sheet as a dense block from its first cell to its last
  (calamine), or pads each row to the declared dimension (openpyxl's read-only mode): cells at
  A1 and XFD1048576 are 17 billion cells. Each worksheet's XML is scanned as a stream, in chunks
  of bounded size, for the farthest row and column its cells reach (``r="…"`` references, and
  rows and cells that have none counted as the next ones); a sheet beyond :data:`MAX_ROWS` ×
  :data:`MAX_COLUMNS`, or a workbook beyond :data:`MAX_CELLS` in all, is refused naming file and
  sheet. The declared ``<dimension>`` is never trusted.

* **Structure**: the package must be an Office workbook like every Office upload
  (:mod:`dti.io.ooxml`: the content types, the workbook part, no macros, no embedded
  executables, no unsafe member paths).

Every failure to inflate or decode the archive (a damaged file) is a located
:class:`DataError` too: "not a readable workbook".
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from dti.engine.errors import DataError, Problem
from dti.engine.messages import say
from dti.io.ooxml import OfficeDocumentError, check_office_zip

__all__ = [
    "MAX_CELLS",
    "MAX_COLUMNS",
    "MAX_INFLATED_BYTES",
    "MAX_RATIO",
    "MAX_ROWS",
    "SheetExtent",
    "check_workbook_archive",
    "column_letters",
    "scan_workbook",
    "unreadable",
]

MAX_INFLATED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
# What a sheet may reach: more rows than any values table of a province (100,000 rows is a
# thousand units × a hundred indicators), more columns than any form of the platform.
MAX_ROWS = 200_000
MAX_COLUMNS = 200
# The dense cells of every sheet together (calamine holds ~32 bytes a cell: 64 MB).
MAX_CELLS = 2_000_000
_XLSX_MARKERS = ("[Content_Types].xml", "xl/workbook.xml")
# What a damaged archive raises while it is inflated or decoded.
ARCHIVE_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,  # an unsupported compression method or zip version
    UnicodeDecodeError,
    ValueError,
    OSError,
    RuntimeError,  # an encrypted member
)
_CHUNK = 1 << 20
_MAX_TAG = 1 << 20  # no start tag of a real workbook is a megabyte long


def unreadable(name: str, exc: BaseException, sheet: str | None = None) -> DataError:
    """The located refusal of a file that cannot be read as a workbook."""
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    kind = type(exc).__name__
    if kind == "error":  # zlib.error
        kind = f"{type(exc).__module__}.error"
    reason = f"{kind}: {detail}" if detail else kind
    return DataError(
        Problem(say("workbook_unreadable", reason=reason), file=name, sheet=sheet),
    )


def check_workbook_archive(source: str | Path | IO[bytes], *, name: str) -> None:
    """Raise :class:`DataError` unless ``source`` is a plausible .xlsx archive."""
    try:
        with zipfile.ZipFile(source) as archive:
            _check_open_archive(archive, name)
    except (zipfile.BadZipFile, FileNotFoundError) as exc:
        raise DataError(Problem(say("not_xlsx", detail=str(exc)), file=name)) from exc
    except OfficeDocumentError as exc:
        if isinstance(exc.__cause__, ARCHIVE_ERRORS):  # damaged, rather than not Office
            raise unreadable(name, exc.__cause__) from exc
        raise DataError(Problem(say(exc.code, **exc.params), file=name)) from exc
    except ARCHIVE_ERRORS as exc:  # a ZIP, damaged
        raise unreadable(name, exc) from exc
    finally:
        if hasattr(source, "seek"):
            source.seek(0)


def _check_open_archive(archive: zipfile.ZipFile, name: str) -> None:
    infos = archive.infolist()
    names = {info.filename for info in infos}
    if not all(marker in names for marker in _XLSX_MARKERS):
        code = "file_is_word_document" if "word/document.xml" in names else "file_not_excel"
        raise DataError(Problem(say(code), file=name))
    inflated = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos) or 1
    if inflated > MAX_INFLATED_BYTES or inflated / packed > MAX_RATIO:
        raise DataError(
            Problem(
                say("zip_bomb", inflated=inflated, ratio=inflated / packed),
                file=name,
            )
        )
    check_office_zip(archive, kind=".xlsx", name="the workbook")


@dataclass(frozen=True, slots=True)
class SheetExtent:
    """How far a worksheet's cells reach (1-based; 0 when the sheet is empty)."""

    sheet: str
    member: str
    rows: int
    columns: int

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def column_letters(n: int) -> str:
    """1 → A, 16384 → XFD."""
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: bytes) -> int:
    n = 0
    for c in letters.upper():
        n = n * 26 + (c - 64)
    return n


_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_PREFIX = rb"<(?:[A-Za-z_][\w.-]*:)?"
_ROW_TAG = re.compile(_PREFIX + rb"row(?=[\s/>])")
_CELL_TAG = re.compile(_PREFIX + rb"c(?=[\s/>])")
_ROW_REF = re.compile(_PREFIX + rb"""row\s[^>]*?(?<=\s)r\s*=\s*["'](\d+)["']""")
_CELL_REF = re.compile(_PREFIX + rb"""c\s[^>]*?(?<=\s)r\s*=\s*["']([A-Za-z]+)(\d+)["']""")


def _chunks(archive: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    """The member's XML in pieces that never cut a start tag in two."""
    carry = b""
    with archive.open(member) as handle:
        while True:
            block = handle.read(_CHUNK)
            if not block:
                break
            data = carry + block
            cut = data.rfind(b"<")
            if cut == -1 or data.find(b">", cut) != -1:
                cut = len(data)
            carry = data[cut:]
            if len(carry) > _MAX_TAG:
                raise ValueError(f"a tag of {member} is longer than {_MAX_TAG:,} bytes")
            yield data[:cut]
    if carry:
        yield carry


def _largest(numbers: list[bytes]) -> int:
    """The largest of many decimal numbers written as bytes: the longest, and of those the
    last in byte order (all parsed when one has a leading zero)."""
    if not numbers:
        return 0
    if min(numbers)[:1] == b"0":  # a leading zero: "0009" is not larger than "500"
        return max(map(int, numbers))
    longest = max(map(len, numbers))
    if longest > 18:  # past any bound
        return 10**18
    return int(max(n for n in numbers if len(n) == longest))


def _largest_column(letters: list[bytes]) -> int:
    distinct = set(letters)
    if max(map(len, distinct), default=0) > 3:
        return 26**4  # past XFD, and past any bound
    return max(map(_column_number, distinct), default=0)


_FAST_ROW_REF = re.compile(rb'<row r="(\d+)"')
_FAST_CELL_COLUMN = re.compile(rb'<c r="([A-Za-z]+)')
_FAST_CELL_ROW = re.compile(rb'<c r="[A-Za-z]+(\d+)"')
_PREFIXES = (b":row", b":c ", b":c>", b":c/")  # <x:row>, <x:c>: the general path


def _fast_counts(chunk: bytes) -> tuple[int, int, int, int] | None:
    """Rows and cells as Excel, LibreOffice and the Python writers put them (``<row r="…"``,
    ``<c r="…"``, no namespace prefix): their extent by byte counts and three plain regexes.
    ``None`` when the chunk has any other form (then :func:`_general_counts` reads it)."""
    rows = chunk.count(b"<row ") + chunk.count(b"<row>") + chunk.count(b"<row/")
    cells = chunk.count(b"<c ") + chunk.count(b"<c>") + chunk.count(b"<c/")
    row_refs = _FAST_ROW_REF.findall(chunk)
    columns = _FAST_CELL_COLUMN.findall(chunk)
    if len(row_refs) != rows or len(columns) != cells or any(p in chunk for p in _PREFIXES):
        return None
    cell_rows = _FAST_CELL_ROW.findall(chunk)
    if len(cell_rows) != cells:
        return None
    return max(_largest(row_refs), _largest(cell_rows)), _largest_column(columns), 0, 0


def _general_counts(chunk: bytes) -> tuple[int, int, int, int]:
    """Any form: prefixes, attributes in any order and quoting, rows and cells without a
    reference (returned as counts: each is one past the previous)."""
    row_refs = _ROW_REF.findall(chunk)
    rows_without_ref = len(_ROW_TAG.findall(chunk)) - len(row_refs)
    cell_refs = _CELL_REF.findall(chunk)
    cells_without_ref = len(_CELL_TAG.findall(chunk)) - len(cell_refs)
    max_row, max_col = _largest(row_refs), 0
    if cell_refs:
        letters, digits = zip(*cell_refs, strict=True)
        max_col = _largest_column(list(letters))
        max_row = max(max_row, _largest(list(digits)))
    return max_row, max_col, rows_without_ref, cells_without_ref


def _extent(archive: zipfile.ZipFile, member: str, sheet: str, file: str) -> SheetExtent:
    max_row = max_col = 0
    rows_without_ref = cells_without_ref = 0
    for chunk in _chunks(archive, member):
        if _DTD.search(chunk):
            raise _xxe(file)
        counts = _fast_counts(chunk) or _general_counts(chunk)
        max_row, max_col = max(max_row, counts[0]), max(max_col, counts[1])
        rows_without_ref += counts[2]
        cells_without_ref += counts[3]
    # Rows and cells without a reference follow the previous one: bounded by their number.
    return SheetExtent(sheet, member, max_row + rows_without_ref, max_col + cells_without_ref)


def _xxe(file: str) -> DataError:
    return DataError(
        Problem(
            say("xml_entities"),
            file=file,
        )
    )


_SHEET_TAG = re.compile(_PREFIX + rb"sheet\s([^>]*)>")
_REL_TAG = re.compile(_PREFIX + rb"Relationship\s([^>]*)>")
_ATTR = re.compile(rb"""([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _attributes(text: bytes) -> dict[str, str]:
    return {
        k.decode("ascii", "replace").split(":")[-1]: html.unescape(
            (a if a or not b else b).decode("utf-8", "replace")
        )
        for k, a, b in _ATTR.findall(text)
    }


def _worksheet_members(archive: zipfile.ZipFile, names: set[str]) -> list[tuple[str, str]]:
    """(sheet name, member) for every worksheet: those the workbook names through its
    relations, then any other member under ``xl/worksheets/`` (named by its path)."""
    found: list[tuple[str, str]] = []
    rels = "xl/_rels/workbook.xml.rels"
    targets: dict[str, str] = {}
    if rels in names:
        for tag in _REL_TAG.findall(archive.read(rels)):
            attrs = _attributes(tag)
            target = attrs.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[attrs.get("Id", "")] = posixpath.normpath(path)
    for tag in _SHEET_TAG.findall(archive.read("xl/workbook.xml")):
        attrs = _attributes(tag)
        member = targets.get(attrs.get("id", ""))
        if member in names:
            found.append((attrs.get("name", member), member))
    seen = {member for _, member in found}
    found += [
        (n, n)
        for n in sorted(names)
        if n.startswith("xl/worksheets/") and n.endswith(".xml") and n not in seen
    ]
    return found


def scan_workbook(path: Path, *, name: str) -> dict[str, SheetExtent]:
    """Check a workbook before it is parsed (archive, DTDs, extents); the extent of each
    worksheet by its name. Raises a located :class:`DataError` for anything refused."""
    check_workbook_archive(path, name=name)
    try:
        with zipfile.ZipFile(path) as archive:
            names = {info.filename for info in archive.infolist()}
            small_parts = [
                m
                for m in sorted(names)
                if m.endswith((".xml", ".rels")) and not m.startswith("xl/worksheets/")
            ]
            for member in small_parts:  # DTDs only
                if any(_DTD.search(c) for c in _chunks(archive, member)):
                    raise _xxe(name)
            extents = {
                sheet: _extent(archive, member, sheet, name)
                for sheet, member in _worksheet_members(archive, names)
            }
    except ARCHIVE_ERRORS as exc:
        raise unreadable(name, exc) from exc
    problems = [
        Problem(
            say(
                "sheet_too_large",
                corner=f"{column_letters(e.columns)}{e.rows}",
                rows=e.rows,
                columns=e.columns,
                max_rows=MAX_ROWS,
                max_columns=MAX_COLUMNS,
            ),
            file=name,
            sheet=e.sheet,
        )
        for e in extents.values()
        if e.rows > MAX_ROWS or e.columns > MAX_COLUMNS
    ]
    if problems:
        raise DataError(problems)
    total = sum(e.cells for e in extents.values())
    if total > MAX_CELLS:
        raise DataError(
            Problem(
                say(
                    "cells_too_many",
                    total=total,
                    sheets=tuple(
                        f"{e.sheet}: {e.rows:,} × {e.columns:,}" for e in extents.values()
                    ),
                    max_cells=MAX_CELLS,
                ),
                file=name,
            )
        )
    return extents
