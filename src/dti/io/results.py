"""Writing scoring results to CSV or Excel, with user text neutralised against formula injection."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import polars as pl

from dti.engine.scoring import ScoreResult
from dti.io.cells import neutralise_frame
from dti.io.frames_xlsx import write_frames_xlsx

__all__ = ["write_results"]


def _flatten(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists (leaders, last units) become '; '-joined text so CSV and Excel can hold them."""
    return frame.with_columns(
        pl.col(name).list.join("; ")
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.List)
    )


def write_results(result: ScoreResult, path: str | Path) -> Path:
    """Write ``results.csv`` (one row per unit × period) or ``results.xlsx`` (units, pillars,
    groups sheets). The file appears whole or not at all: it is written beside the target and
    renamed into place."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValueError(f"unsupported output type {suffix!r} (use .csv or .xlsx)")
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=suffix)
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        units = neutralise_frame(result.units)
        if suffix == ".csv":
            units.write_csv(tmp)
        else:
            sheets = {
                "units": units,
                "pillars": neutralise_frame(result.pillars),
                "groups": neutralise_frame(_flatten(result.groups)),
            }
            from dti.io.template import SAFE_WORKBOOK_OPTIONS

            write_frames_xlsx(tmp, sheets, SAFE_WORKBOOK_OPTIONS)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
