"""Framework YAML beyond the parser's limits is refused as a FrameworkError, never a crash
(issue #17: 50,000 nested brackets raised RecursionError, a 5,000-digit integer ValueError)."""

from __future__ import annotations

import pytest

from dti.engine import FrameworkError
from dti.engine.safe_yaml import MAX_DEPTH, load_yaml


def test_deep_nesting_is_refused_with_its_position() -> None:
    with pytest.raises(FrameworkError, match="nested more than"):
        load_yaml("code: " + "[" * 50_000 + "]" * 50_000)


def test_nesting_up_to_the_limit_is_read() -> None:
    depth = MAX_DEPTH - 2
    assert load_yaml("a: " + "[" * depth + "1" + "]" * depth) is not None


@pytest.mark.parametrize("digits", [5_000, 31])
def test_an_overlong_integer_is_refused(digits: int) -> None:
    with pytest.raises(FrameworkError, match="digits is too long"):
        load_yaml("version: " + "9" * digits)


def test_ordinary_integers_still_read() -> None:
    assert load_yaml("a: 12\nb: 1_000\nc: -7") == {"a": 12, "b": 1000, "c": -7}


def test_an_impossible_date_is_refused() -> None:
    # Found by benchmarks/fuzz_readers.py: PyYAML resolves it as a timestamp, then fails.
    with pytest.raises(FrameworkError, match="day is out of range"):
        load_yaml("valid_from: 2025-02-30")
