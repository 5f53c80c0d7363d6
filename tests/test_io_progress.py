"""Reading a large values workbook: progress as it goes, and the file read only once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from dti.io import tables


def long_table(path: Path, rows: int) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["unit", "period", "indicator", "value", "denominator", "applicable"])
    for i in range(rows):
        sheet.append([f"U{i:03d}", "2024", "1.1", 1, None, None])
    book.save(path)
    return path


def test_progress_is_reported_while_a_long_workbook_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "PROGRESS_ROWS", 10)
    heard: list[tables.ReadProgress] = []
    frame, info = tables.read_values(
        long_table(tmp_path / "values.xlsx", 25), progress=heard.append
    )
    assert frame.height == 25 and info is None
    assert [str(p) for p in heard] == [
        "values.xlsx / Sheet: 10 rows read",
        "values.xlsx / Sheet: 20 rows read",
    ]
    assert [(p.rows, p.total) for p in heard] == [(10, 26), (20, 26)]  # with the header row


def test_a_long_workbook_is_opened_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    original = tables._xlsx_sheets

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(tables, "_xlsx_sheets", counted)
    tables.read_values(long_table(tmp_path / "values.xlsx", 3))
    assert len(calls) == 1
