"""Turning what officials type into numbers and flags, and text into safe spreadsheet cells."""

from __future__ import annotations

import re

import polars as pl

__all__ = [
    "AMBIGUOUS_NUMBER",
    "FALSE_WORDS",
    "TRUE_WORDS",
    "neutralise",
    "neutralise_frame",
    "parse_flag_expr",
    "parse_number_expr",
]

TRUE_WORDS = ("1", "có", "co", "x", "đạt", "dat", "yes", "y", "true", "đúng")
FALSE_WORDS = ("0", "không", "khong", "chưa", "chua", "no", "n", "false", "sai")
# Vietnamese grouping: "1.234,5" (with a decimal comma) or "1.234.567" (several groups). A
# leading zero is never a group of thousands ("0.727" is a decimal).
_VI_NUMBER = r"^-?[1-9]\d{0,2}((\.\d{3})+,\d+|(\.\d{3}){2,})$"
# "1.800" is one thousand eight hundred to a Vietnamese official and 1.8 to software: such a
# text cell is refused with a question rather than guessed (a wrong guess is off a
# thousandfold). "0.727", "0.5" and "-0.125" are decimals; a cell the workbook holds as a
# number is never ambiguous (see dti.io.columns.number_expr).
AMBIGUOUS_NUMBER = r"^-?[1-9]\d{0,2}\.\d{3}$"
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def parse_number_expr(column: str) -> pl.Expr:
    """A text column → Float64: accepts 12.5, 12,5, 1.234,5 and có/không words; else null."""
    text = pl.col(column).cast(pl.String).str.strip_chars()
    lower = text.str.to_lowercase()
    vi = text.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    plain = text.str.replace(",", ".", literal=True)
    return (
        pl.when(lower.is_in(TRUE_WORDS[1:]))
        .then(pl.lit(1.0))
        .when(lower.is_in(FALSE_WORDS[1:]))
        .then(pl.lit(0.0))
        .when(text.str.contains(AMBIGUOUS_NUMBER))
        .then(pl.lit(None, dtype=pl.Float64))
        .when(text.str.contains(_VI_NUMBER))
        .then(vi.cast(pl.Float64, strict=False))
        .otherwise(plain.cast(pl.Float64, strict=False))
    )


def parse_flag_expr(column: str) -> pl.Expr:
    """A yes/no text column → Boolean (null where the text is not a recognised word)."""
    lower = pl.col(column).cast(pl.String).str.strip_chars().str.to_lowercase()
    return (
        pl.when(lower.is_in(TRUE_WORDS))
        .then(pl.lit(True))
        .when(lower.is_in(FALSE_WORDS))
        .then(pl.lit(False))
        .otherwise(pl.lit(None, dtype=pl.Boolean))
    )


def neutralise(text: str) -> str:
    """Keep a spreadsheet from executing user text as a formula (CSV/Excel injection)."""
    if text.startswith(_FORMULA_PREFIXES) and not re.fullmatch(r"-?\d+([.,]\d+)?", text):
        return "'" + text
    return text


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Apply :func:`neutralise` to every string column of a frame."""
    string_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(
            pl.col(c).str.contains(r"^[=+\-@\t\r]") & ~pl.col(c).str.contains(r"^-?\d+([.,]\d+)?$")
        )
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in string_columns
    )
