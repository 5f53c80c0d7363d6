"""Damaged files the readers' fuzzer found (``benchmarks/fuzz_readers.py``): each one was an
exception that is not the product's (zlib.error, NotImplementedError, EOFError, StopIteration,
UnicodeDecodeError, Polars' NoDataError); each is now a located DataError naming the file."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from dti.engine import DataError
from dti.io.tables import read_lineage, read_units, read_values

FUZZ = Path(__file__).parent / "fixtures" / "fuzz"
Reader = Callable[[Path], object]

CASES: list[tuple[str, Reader, str]] = [
    ("zlib-error.xlsx", read_values, "not a readable workbook (zlib.error"),
    ("zip-version.xlsx", read_values, "not a readable workbook (NotImplementedError: zip file"),
    ("compression-method.xlsx", read_values, "not a readable workbook (NotImplementedError"),
    ("strong-encryption.xlsx", read_values, "not a readable workbook (NotImplementedError"),
    ("eof-error.xlsx", read_values, "not a readable workbook (EOFError"),
    ("stop-iteration.xlsx", read_values, "not a readable workbook"),
    ("stop-iteration-units.xlsx", read_units, "not a readable workbook"),
    ("unicode-decode-error.xlsx", read_values, "not a readable workbook (UnicodeDecodeError"),
]


@pytest.mark.parametrize(("name", "reader", "says"), CASES, ids=[c[0] for c in CASES])
def test_a_damaged_workbook_is_a_located_data_error(
    tmp_path: Path, name: str, reader: Reader, says: str
) -> None:
    path = tmp_path / "so-lieu.xlsx"
    shutil.copy(FUZZ / name, path)
    with pytest.raises(DataError) as info:
        reader(path)
    text = str(info.value)
    assert f"so-lieu.xlsx: {says}" in text or ("so-lieu.xlsx, sheet" in text and says in text), text


@pytest.mark.parametrize("reader", [read_values, read_units, read_lineage])
@pytest.mark.parametrize("content", [b"", b"\n", b"\xef\xbb\xbf"])
def test_an_empty_csv_is_a_located_data_error(
    tmp_path: Path, reader: Reader, content: bytes
) -> None:
    path = tmp_path / "trong.csv"
    path.write_bytes(content)
    with pytest.raises(DataError) as info:
        reader(path)
    assert "trong.csv" in str(info.value)


def test_an_error_of_the_progress_listener_is_not_blamed_on_the_file(tmp_path: Path) -> None:
    from tests.test_io_bounds import values_table

    from dti.io import tables

    def broken(progress: object) -> None:
        raise LookupError("the listener's own fault")

    path = values_table(tmp_path / "so-lieu.xlsx", rows=tables.PROGRESS_ROWS)
    with pytest.raises(LookupError):
        read_values(path, progress=broken)
