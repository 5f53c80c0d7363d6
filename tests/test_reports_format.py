"""Vietnamese (and English) numbers, percentages, dates and ranks through Babel."""

from __future__ import annotations

import datetime as dt

import pytest

from dti.reports.format import (
    format_change,
    format_date,
    format_number,
    format_percent,
    format_rank,
    format_score,
)


@pytest.mark.parametrize(
    ("value", "decimals", "language", "expected"),
    [
        (760.39, 2, "vi", "760,39"),
        (1000, 2, "vi", "1.000"),
        (1234567.5, 2, "vi", "1.234.567,5"),
        (943.0, 2, "vi", "943"),
        (760.39, 2, "en", "760.39"),
        (1000, 2, "en", "1,000"),
        (0.004, 2, "vi", "0"),
        (None, 2, "vi", "–"),
        (float("nan"), 2, "vi", "–"),
    ],
)
def test_format_number(value: float | None, decimals: int, language: str, expected: str) -> None:
    assert format_number(value, decimals, language) == expected


def test_fixed_decimals_keep_trailing_zeros() -> None:
    assert format_number(72, 2, "vi", fixed=True) == "72,00"
    assert format_score(89.5, 2) == "89,5"


@pytest.mark.parametrize(
    ("value", "language", "expected"),
    [(11.1, "vi", "11,1%"), (11.1, "en", "11.1%"), (100, "vi", "100,0%"), (None, "vi", "–")],
)
def test_format_percent(value: float | None, language: str, expected: str) -> None:
    assert format_percent(value, 1, language) == expected


def test_format_change_signs() -> None:
    assert format_change(12.5) == "+12,5"
    assert format_change(-3) == "\u22123"
    assert format_change(0.001) == "0"


def test_format_date() -> None:
    day = dt.date(2023, 6, 13)
    assert format_date(day) == "13/06/2023"
    assert format_date(day, "en") == "13 June 2023"
    assert format_date(dt.date(2021, 1, 19), "vi-VN") == "19/01/2021"


def test_format_rank_is_padded_like_the_press() -> None:
    assert format_rank(3) == "03"
    assert format_rank(12) == "12"
    assert format_rank(3, padded=False) == "3"


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        format_number(1, language="fr")
