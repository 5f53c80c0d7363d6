"""Numbers, percentages, dates and ranks as Vietnamese (or English) readers expect them.

Babel carries the CLDR conventions: Vietnamese groups thousands with a dot and uses a decimal
comma (``760,39``, ``1.000``), English the other way round. Django's own ``vi`` formats leave
grouping off, so everything the reports print goes through here.
"""

from __future__ import annotations

import datetime as dt
import math

from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal as _babel_decimal
from babel.numbers import format_percent as _babel_percent

__all__ = [
    "DEFAULT_LANGUAGE",
    "format_change",
    "format_date",
    "format_number",
    "format_percent",
    "format_rank",
    "format_score",
    "locale_for",
]

DEFAULT_LANGUAGE = "vi"
_LOCALES = {"vi": "vi", "en": "en"}


def locale_for(language: str) -> str:
    """The Babel locale of a language code (``vi``, ``en``; ``vi-VN`` and ``en_GB`` work too)."""
    base = language.replace("-", "_").split("_")[0].lower()
    try:
        return _LOCALES[base]
    except KeyError:
        raise ValueError(f"unsupported language {language!r} (use 'vi' or 'en')") from None


def _pattern(decimals: int, *, fixed: bool) -> str:
    if decimals <= 0:
        return "#,##0"
    return "#,##0." + ("0" if fixed else "#") * decimals


def format_number(
    value: float | int | None,
    decimals: int = 2,
    language: str = DEFAULT_LANGUAGE,
    *,
    fixed: bool = False,
) -> str:
    """``760.39`` → ``760,39``, ``1000`` → ``1.000`` (vi); ``1,000`` (en).

    At most ``decimals`` decimals, trailing zeros dropped (943.0 → ``943``) unless ``fixed``.
    ``None`` and NaN print as an en dash.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    rounded = round(float(value), decimals)
    if rounded == 0:
        rounded = 0.0  # no "-0"
    return str(
        _babel_decimal(
            rounded,
            format=_pattern(decimals, fixed=fixed),
            locale=locale_for(language),
            decimal_quantization=True,
        )
    )


def format_score(value: float | None, decimals: int = 2, language: str = DEFAULT_LANGUAGE) -> str:
    """A published score: as :func:`format_number`, trailing zeros dropped (``943``, ``760,39``)."""
    return format_number(value, decimals, language)


def format_percent(value: float | None, decimals: int = 1, language: str = DEFAULT_LANGUAGE) -> str:
    """A percentage given in percent units: ``11.1`` → ``11,1%`` (vi), ``11.1%`` (en).

    CLDR's Vietnamese pattern writes the sign without a space, as the press does
    ("tăng 11,1% so với năm 2022").
    """
    if value is None or math.isnan(value):
        return "–"
    return str(
        _babel_percent(
            round(value, decimals) / 100.0,
            format=_pattern(decimals, fixed=True) + "%",
            locale=locale_for(language),
            decimal_quantization=True,
        )
    )


def format_change(value: float | None, decimals: int = 2, language: str = DEFAULT_LANGUAGE) -> str:
    """A signed difference: ``+12,5``, ``−3`` (a true minus sign), ``0``."""
    if value is None or math.isnan(value):
        return "–"
    text = format_number(abs(value), decimals, language)
    if round(value, decimals) > 0:
        return "+" + text
    if round(value, decimals) < 0:
        return "\u2212" + text
    return text


def format_date(value: dt.date, language: str = DEFAULT_LANGUAGE) -> str:
    """``13/06/2023`` in Vietnamese documents (dd/mm/yyyy, as the pages print dates),
    ``13 June 2023`` in English."""
    locale = locale_for(language)
    pattern = "dd/MM/yyyy" if locale == "vi" else "d MMMM yyyy"
    return str(_babel_date(value, pattern, locale=locale))


def format_rank(rank: int, *, padded: bool = True) -> str:
    """A rank as the provincial press prints it: ``03`` (two digits), or ``3``."""
    return f"{rank:02d}" if padded else str(rank)
