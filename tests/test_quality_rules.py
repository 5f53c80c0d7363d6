"""Data-quality rules declared in a framework: how they are declared, and what they flag."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dti.engine import Framework, FrameworkError, parse_framework, quality_warnings
from dti.io.framework_workbook import read_framework_workbook, write_framework_workbook

MINI = Path(__file__).parent / "fixtures" / "mini.yaml"

# 1.3 counts video-conference points, 1.1 is a yes/no, 1.2 and 2.1 read ratios.
RULES: list[dict[str, Any]] = [
    {"check": "not_above", "indicator": "1.3", "other": "2.2"},
    {"check": "numerator_within", "indicator": "1.3", "other": "1.2"},
    {"check": "jump", "indicator": "2.1", "max_change": 0.5},
    {"check": "range", "indicator": "1.2", "min": 0.1, "max": 0.95},
]


def framework(rules: list[dict[str, Any]] | None = None) -> Framework:
    raw = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    raw["quality"] = copy.deepcopy(RULES if rules is None else rules)
    return parse_framework(raw, file="mini.yaml")


def values(
    *rows: tuple[str, str, float | None, float | None], period: str = "2023"
) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "unit": [r[0] for r in rows],
            "period": [period] * len(rows),
            "indicator": [r[1] for r in rows],
            "value": [r[2] for r in rows],
            "denominator": [r[3] for r in rows],
        },
        schema={
            "unit": pl.String,
            "period": pl.String,
            "indicator": pl.String,
            "value": pl.Float64,
            "denominator": pl.Float64,
        },
    )


def codes(warnings: list[Any]) -> list[tuple[str, str, str]]:
    return [(w.unit, w.indicator, w.message.code) for w in warnings]


# -- declaring -----------------------------------------------------------------------------------


def test_rules_are_read_with_the_framework() -> None:
    fw = framework()
    assert [str(r.check) for r in fw.quality] == ["not_above", "numerator_within", "jump", "range"]


@pytest.mark.parametrize(
    ("rule", "code", "field"),
    [
        (
            {"check": "not_above", "indicator": "9.9", "other": "2.2"},
            "quality_unknown_indicator",
            "quality[1].indicator",
        ),
        (
            {"check": "not_above", "indicator": "1", "other": "2.2"},
            "quality_unknown_indicator",
            "quality[1].indicator",
        ),
        ({"check": "not_above", "indicator": "1.3"}, "quality_parameter_missing", "quality[1]"),
        ({"check": "jump", "indicator": "1.3"}, "quality_parameter_missing", "quality[1]"),
        ({"check": "range", "indicator": "1.3"}, "quality_range_without_bounds", "quality[1]"),
        (
            {"check": "range", "indicator": "1.3", "min": 5, "max": 1},
            "quality_min_above_max",
            "quality[1]",
        ),
        (
            {"check": "range", "indicator": "1.3", "max": 1, "other": "1.1"},
            "quality_parameter_not_of_check",
            "quality[1].other",
        ),
        (
            {"check": "numerator_within", "indicator": "1.3", "other": "2.2"},
            "quality_other_without_denominator",
            "quality[1].other",
        ),
    ],
)
def test_a_malformed_rule_is_refused_naming_its_place(
    rule: dict[str, Any], code: str, field: str
) -> None:
    with pytest.raises(FrameworkError) as info:
        framework([rule])
    assert [(p.code, p.field) for p in info.value.problems] == [(code, field)]


def test_an_unknown_check_is_refused_by_the_schema() -> None:
    with pytest.raises(FrameworkError) as info:
        framework([{"check": "sometimes", "indicator": "1.3"}])
    assert any("quality" in (p.field or "") for p in info.value.problems)


# -- evaluating ----------------------------------------------------------------------------------


def test_a_value_above_another_is_flagged_and_an_equal_one_is_not() -> None:
    rules = [RULES[0]]
    data = values(
        ("A", "1.3", 6, None), ("A", "2.2", 5, None), ("B", "1.3", 5, None), ("B", "2.2", 5, None)
    )
    warnings = quality_warnings(framework(rules), data)
    assert codes(warnings) == [("A", "1.3", "quality_above")]
    assert warnings[0].message.params == {
        "indicator": "1.3",
        "value": 6.0,
        "other": "2.2",
        "other_value": 5.0,
    }


def test_a_numerator_above_another_indicators_denominator_is_flagged() -> None:
    data = values(
        ("A", "1.3", 40, None), ("A", "1.2", 10, 30), ("B", "1.3", 30, None), ("B", "1.2", 10, 30)
    )
    assert codes(quality_warnings(framework([RULES[1]]), data)) == [
        ("A", "1.3", "quality_numerator_above")
    ]


def test_a_ratio_outside_the_plausible_range_is_flagged_on_the_side_it_leaves() -> None:
    data = values(("A", "1.2", 1, 100), ("B", "1.2", 99, 100), ("C", "1.2", 50, 100))
    assert codes(quality_warnings(framework([RULES[3]]), data)) == [
        ("A", "1.2", "quality_below_range"),
        ("B", "1.2", "quality_above_range"),
    ]


def test_a_jump_over_the_threshold_against_the_previous_period_is_flagged() -> None:
    now = values(("A", "2.1", 90, 100), ("B", "2.1", 50, 100), ("C", "2.1", 10, 100))
    before = values(
        ("A", "2.1", 40, 100), ("B", "2.1", 45, 100), ("C", "2.1", 0, 100), period="2022"
    )
    warnings = quality_warnings(framework([RULES[2]]), now, before)
    # C moved from 0: a relative change has no size there.
    assert codes(warnings) == [("A", "2.1", "quality_jump")]
    assert warnings[0].message.params["period"] == "2022"
    assert warnings[0].message.params["percent"] == 50


def test_no_previous_values_means_no_jump() -> None:
    now = values(("A", "2.1", 90, 100))
    assert quality_warnings(framework([RULES[2]]), now) == []


def test_values_not_applicable_or_missing_are_never_checked() -> None:
    data = values(("A", "1.2", 1, 100), ("B", "1.2", None, None)).with_columns(
        applicable=pl.Series([False, True])
    )
    assert quality_warnings(framework([RULES[3]]), data) == []


def test_a_framework_without_rules_warns_of_nothing() -> None:
    assert quality_warnings(framework([]), values(("A", "1.2", 1, 100))) == []


def test_the_message_speaks_english_for_the_command_line() -> None:
    data = values(("A", "1.3", 6, None), ("A", "2.2", 5, None))
    (warning,) = quality_warnings(framework([RULES[0]]), data)
    assert str(warning.message) == (
        "indicator 1.3 (6) is above indicator 2.2 (5); check both values"
    )


# -- properties ------------------------------------------------------------------------------------

_number = st.floats(min_value=0, max_value=1e6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_number, _number), min_size=1, max_size=30))
def test_not_above_flags_exactly_the_units_whose_value_is_greater(
    pairs: list[tuple[float, float]],
) -> None:
    rows = []
    for i, (a, b) in enumerate(pairs):
        rows += [(f"U{i}", "1.3", a, None), (f"U{i}", "2.2", b, None)]
    flagged = {w.unit for w in quality_warnings(framework([RULES[0]]), values(*rows))}
    tolerance = 1e-9
    assert {f"U{i}" for i, (a, b) in enumerate(pairs) if a > b + tolerance * (1 + b)} == flagged


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=2, allow_nan=False), min_size=1, max_size=30))
def test_range_never_flags_a_measure_inside_its_bounds(ratios: list[float]) -> None:
    rows = [(f"U{i}", "1.2", r * 1000, 1000.0) for i, r in enumerate(ratios)]
    for w in quality_warnings(framework([RULES[3]]), values(*rows)):
        measure = w.message.params["value"]
        assert measure < 0.1 or measure > 0.95


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(min_value=1, max_value=1000), st.floats(min_value=1, max_value=1000)),
        min_size=1,
        max_size=20,
    )
)
def test_a_jump_is_flagged_exactly_when_the_change_exceeds_the_share_of_the_earlier_value(
    pairs: list[tuple[float, float]],
) -> None:
    # The change is read against the earlier value: from 10 to 40 is a move of 300 %, from
    # 40 to 10 one of 75 %; a threshold of 250 % flags the first only.
    rule = {"check": "jump", "indicator": "2.1", "max_change": 2.5}
    fw = framework([rule])
    now = values(*[(f"U{i}", "2.1", a, None) for i, (a, _) in enumerate(pairs)])
    then = values(*[(f"U{i}", "2.1", b, None) for i, (_, b) in enumerate(pairs)], period="2022")
    flagged = {w.unit for w in quality_warnings(fw, now, then)}
    assert flagged == {f"U{i}" for i, (a, b) in enumerate(pairs) if abs(a - b) > 2.5 * b}


def test_rules_survive_the_round_trip_through_the_appendix_workbook(tmp_path: Path) -> None:
    rules = [
        *RULES,
        {
            "check": "range",
            "indicator": "1.3",
            "max": 8,
            "note": {"vi": "Tối đa 8 điểm cầu", "en": "At most 8 points"},
        },
    ]
    fw = framework(rules)
    assert read_framework_workbook(write_framework_workbook(fw, tmp_path / "fw.xlsx")) == fw
