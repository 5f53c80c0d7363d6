"""Reading the input frames' columns as NumPy arrays: key columns to integer ids, numbers to
floats, and the check that the required columns are there."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from dti.engine.compiled import F64, I64
from dti.engine.errors import DataError, Problem
from dti.engine.messages import say

__all__ = [
    "SMALL",
    "bool_column",
    "distinct",
    "encode",
    "float_column",
    "labels",
    "null_column",
    "require_columns",
    "small",
]

# Below this many rows, per-call overheads outweigh vectorised work: Polars runs most Series
# methods (``gather``, ``fill_null``, ``is_in``) as a one-expression query on its thread pool,
# 0.1–1 ms a call on a loaded machine, while a Python list of a hundred codes takes microseconds.
SMALL = 2_048


def small(length: int) -> bool:
    """Whether a column this long takes the small-input path (Python lists, no queries)."""
    return length <= SMALL


def encode(series: pl.Series, lookup: dict[str, int]) -> I64:
    """Map a string/categorical column to integer ids (-1 where unknown or null)."""
    if isinstance(series.dtype, (pl.Categorical, pl.Enum)):
        # Translate the (few) distinct categories once, then index by the physical codes.
        # (``cat.get_categories`` is gone in Polars 2; an Enum's physical codes index its
        # ``dtype.categories``, a Categorical's index a shared pool, hence ``unique``.)
        if isinstance(series.dtype, pl.Enum):
            names = series.dtype.categories
            ids = np.arange(len(names), dtype=np.int64)
        else:
            names = series.unique().drop_nulls()
            ids = names.to_physical().cast(pl.Int64).to_numpy()
        size = int(ids.max()) + 1 if len(ids) else 0
        table = np.full(size + 1, -1, dtype=np.int64)  # the extra last slot is for nulls
        table[ids] = [lookup.get(c, -1) for c in names.cast(pl.String).to_list()]
        physical = series.to_physical()
        if physical.null_count():
            physical = physical.cast(pl.Int64).fill_null(size)
        return np.asarray(table[physical.to_numpy()], dtype=np.int64)
    if small(series.len()):  # a unit's own save: a dict lookup beats building a plan
        return np.fromiter(
            (lookup.get(v, -1) if v is not None else -1 for v in series.cast(pl.String)),
            dtype=np.int64,
            count=series.len(),
        )
    mapped = series.cast(pl.String).replace_strict(lookup, default=-1, return_dtype=pl.Int64)
    return np.asarray(mapped.fill_null(-1).to_numpy(), dtype=np.int64)


def distinct(series: pl.Series) -> list[str]:
    """The distinct non-null values of a key column, as strings."""
    if small(series.len()):
        return list({str(v) for v in series.cast(pl.String).to_list() if v is not None})
    if isinstance(series.dtype, pl.Enum) and not series.null_count():
        present = np.bincount(series.to_physical().to_numpy(), minlength=1) > 0
        categories = series.dtype.categories.to_list()
        return [categories[i] for i in np.flatnonzero(present)]
    return [str(v) for v in series.unique().drop_nulls().cast(pl.String).to_list()]


def float_column(values: pl.DataFrame, name: str) -> F64:
    """A numeric column as floats, NaN where null or absent."""
    if name not in values.columns:
        return np.full(values.height, np.nan)
    # (a float column's nulls come out of ``to_numpy`` as NaN)
    column = values[name].cast(pl.Float64)
    return np.asarray(column.to_numpy(), dtype=np.float64)  # may be a read-only view


def bool_column(values: pl.DataFrame, name: str, *, default: bool) -> npt.NDArray[np.bool_]:
    """A boolean column as an array, ``default`` where null or absent."""
    if name not in values.columns:
        return np.full(values.height, default, dtype=np.bool_)
    column = values[name].cast(pl.Boolean)
    if not column.null_count():
        return np.asarray(column.to_numpy(), dtype=np.bool_)
    if small(column.len()):
        return np.array([default if v is None else v for v in column.to_list()], dtype=np.bool_)
    return np.asarray(column.fill_null(default).to_numpy(), dtype=np.bool_)


def labels(codes: Sequence[str | None], ids: npt.NDArray[np.integer[Any]]) -> pl.Series:
    """``codes[ids]`` as a String column (a result table's unit, period or band codes)."""
    if small(len(ids)):
        return pl.Series(values=[codes[i] for i in ids.tolist()], dtype=pl.String)
    return pl.Series(values=codes, dtype=pl.String).gather(ids)


def null_column(name: str, dtype: pl.DataType, length: int) -> pl.Series:
    """A column of ``length`` nulls."""
    return pl.Series(name, [None] * length, dtype=dtype)


def require_columns(frame: pl.DataFrame, columns: Sequence[str], source: str | None) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            [Problem(say("column_required", column=c), file=source, column=c) for c in missing]
        )
