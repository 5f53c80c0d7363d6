"""Checks an uploaded workbook must pass before any XML inside it is parsed.

openpyxl parses XML through defusedxml when it is installed (no XXE, no entity expansion), but
nothing stops a zip bomb: a few kilobytes that inflate to gigabytes. So the archive directory is
read first and refused when the inflated total or the compression ratio is implausible; then the
package's structure is checked like every Office upload's (:mod:`dti.io.ooxml`: the content
types, the workbook part, no macros, no embedded executables, no unsafe member paths).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO

from dti.engine.errors import DataError, Problem
from dti.io.ooxml import OfficeDocumentError, check_office_zip

__all__ = ["MAX_INFLATED_BYTES", "MAX_RATIO", "check_workbook_archive"]

MAX_INFLATED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200
_XLSX_MARKERS = ("[Content_Types].xml", "xl/workbook.xml")


def check_workbook_archive(source: str | Path | IO[bytes], *, name: str) -> None:
    """Raise :class:`DataError` unless ``source`` is a plausible .xlsx archive."""
    try:
        with zipfile.ZipFile(source) as archive:
            _check_open_archive(archive, name)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(Problem(f"not an Excel .xlsx workbook ({exc})", file=name)) from exc
    except OfficeDocumentError as exc:
        raise DataError(Problem(str(exc), file=name)) from exc
    finally:
        if hasattr(source, "seek"):
            source.seek(0)


def _check_open_archive(archive: zipfile.ZipFile, name: str) -> None:
    infos = archive.infolist()
    names = {info.filename for info in infos}
    if not all(marker in names for marker in _XLSX_MARKERS):
        kind = "a Word document" if "word/document.xml" in names else "not an Excel workbook"
        raise DataError(Problem(f"the file is {kind}: expected an .xlsx workbook", file=name))
    inflated = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos) or 1
    if inflated > MAX_INFLATED_BYTES or inflated / packed > MAX_RATIO:
        raise DataError(
            Problem(
                f"the workbook inflates to {inflated:,} bytes (ratio {inflated / packed:.0f}:1); "
                "refused as a possible zip bomb",
                file=name,
            )
        )
    check_office_zip(archive, kind=".xlsx", name="the workbook")
