"""Rounding as a published table rounds: at the framework's precision, half up by default."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import numpy as np
import polars as pl

from dti.engine.compiled import EPS, F64

__all__ = ["round_column", "round_decimal", "round_published"]


def round_published(x: F64, decimals: int, rounding: str = "half_up") -> F64:
    """Round as a published table does: half away from zero by default (760.385 → 760.39)."""
    factor = 10.0**decimals
    if rounding == "half_even":
        return np.round(x * factor) / factor
    # The epsilon absorbs binary noise (760.385 is stored as 760.38499999…).
    return np.sign(x) * np.floor(np.abs(x) * factor + 0.5 + EPS * factor) / factor


def round_column(column: str | pl.Expr, decimals: int, rounding: str = "half_up") -> pl.Expr:
    """:func:`round_published` as a Polars expression (nulls stay null)."""
    expr = pl.col(column) if isinstance(column, str) else column
    return expr.map_batches(
        lambda s: pl.Series(
            s.name,
            round_published(s.cast(pl.Float64).fill_null(np.nan).to_numpy(), decimals, rounding),
        ).fill_nan(None),
        return_dtype=pl.Float64,
    )


def round_decimal(x: Decimal, decimals: int, rounding: str = "half_up") -> float:
    """``x`` rounded exactly, as published (506.365 → 506.37 half up): for values computed in
    decimal (means of published figures), where no epsilon is needed or wanted."""
    mode = ROUND_HALF_EVEN if rounding == "half_even" else ROUND_HALF_UP
    return float(x.quantize(Decimal(1).scaleb(-decimals), rounding=mode))
