"""Every scoring rule gives exactly the expected points; bad data is refused with its location."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from dti.engine import DataError, Framework, Problem, load_framework, parse_framework, score

MINI_PATH = Path(__file__).parent / "fixtures" / "mini.yaml"
MINI = load_framework(MINI_PATH)

UNITS = pl.DataFrame(
    {
        "unit": ["SO1", "SO2", "H1"],
        "name": ["Sở Một", "Sở Hai", "Huyện Một"],
        "group": ["so", "so", "huyen"],
    }
)
VALUE_SCHEMA = {
    "unit": pl.String,
    "period": pl.String,
    "indicator": pl.String,
    "value": pl.Float64,
    "denominator": pl.Float64,
}


def with_rule(code: str, rule: dict[str, Any]) -> Framework:
    """The mini framework with one leaf's rule replaced."""
    raw = yaml.safe_load(MINI_PATH.read_text(encoding="utf-8"))
    raw = copy.deepcopy(raw)
    for pillar in raw["tree"]:
        for child in pillar["children"]:
            if child["code"] == code:
                child["rule"] = rule
    return parse_framework(raw)


TIERS_ON_VALUE = with_rule(
    "2.1",
    {
        "type": "tiers",
        "basis": "value",
        "tiers": [{"min": 1, "points": 10}, {"min": 3, "points": 20}, {"min": 5, "points": 30}],
    },
)


def one_value(
    indicator: str, value: float | None, denominator: float | None = None, unit: str = "H1"
) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "unit": unit,
                "period": "2023",
                "indicator": indicator,
                "value": value,
                "denominator": denominator,
            }
        ],
        schema=VALUE_SCHEMA,
    )


def points_of(
    framework: Framework, indicator: str, value: float | None, denominator: float | None = None
) -> float:
    result = score(framework, one_value(indicator, value, denominator), UNITS)
    (points,) = result.indicators["points"].to_list()
    return float(points)


@pytest.mark.parametrize(
    ("indicator", "value", "denominator", "expected"),
    [
        # boolean, max 10
        pytest.param("1.1", 1, None, 10.0, id="boolean done"),
        pytest.param("1.1", 0, None, 0.0, id="boolean not done"),
        pytest.param("1.1", None, None, 0.0, id="boolean nothing entered"),
        # ratio numerator/denominator, max 20, target 0.8, floor 0.2
        pytest.param("1.2", 6, 10, 15.0, id="ratio linear below target"),
        pytest.param("1.2", 8, 10, 20.0, id="ratio target reached early"),
        pytest.param("1.2", 10, 10, 20.0, id="ratio above target is capped"),
        pytest.param("1.2", 2, 10, 5.0, id="ratio exactly at floor"),
        pytest.param("1.2", 1, 10, 0.0, id="ratio below floor"),
        pytest.param("1.2", 0.4, None, 10.0, id="ratio given as a fraction"),
        pytest.param("1.2", 0, 10, 0.0, id="ratio zero numerator"),
        # ratio with percent input, max 10 (district procedures)
        pytest.param("2.3", 50, None, 5.0, id="percent half"),
        pytest.param("2.3", 100, None, 10.0, id="percent full"),
        pytest.param("2.3", 0, None, 0.0, id="percent zero"),
        pytest.param("2.3", 37.5, None, 3.75, id="percent fractional"),
        # count, 2 points per item, max 10
        pytest.param("1.3", 0, None, 0.0, id="count none"),
        pytest.param("1.3", 3, None, 6.0, id="count some"),
        pytest.param("1.3", 5, None, 10.0, id="count exactly max"),
        pytest.param("1.3", 40, None, 10.0, id="count capped at max"),
        # points entered by experts, max 20
        pytest.param("2.2", 0, None, 0.0, id="points zero"),
        pytest.param("2.2", 12.5, None, 12.5, id="points in range"),
        pytest.param("2.2", 20, None, 20.0, id="points at max"),
        # tiers on a ratio: 0.3 -> 10, 0.5 -> 20, 0.8 -> 30
        pytest.param("2.1", 0.29, None, 0.0, id="tiers ratio below first tier"),
        pytest.param("2.1", 0.3, None, 10.0, id="tiers ratio at first tier"),
        pytest.param("2.1", 0.49, None, 10.0, id="tiers ratio between tiers"),
        pytest.param("2.1", 0.5, None, 20.0, id="tiers ratio second tier"),
        pytest.param("2.1", 0.8, None, 30.0, id="tiers ratio top tier"),
        pytest.param("2.1", 1.0, None, 30.0, id="tiers ratio above top tier"),
        pytest.param("2.1", 30, 100, 10.0, id="tiers ratio from numerator and denominator"),
        pytest.param("2.1", 79, 100, 20.0, id="tiers ratio just below top"),
        # bonus (points, max 5) and penalty (count, 5 per incident, max 10)
        pytest.param("T1", 3, None, 3.0, id="bonus points"),
        pytest.param("P1", 1, None, 5.0, id="penalty one incident"),
        pytest.param("P1", 4, None, 10.0, id="penalty capped at max"),
    ],
)
def test_rule_points(
    indicator: str, value: float | None, denominator: float | None, expected: float
) -> None:
    assert points_of(MINI, indicator, value, denominator) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(0, 0.0, id="below first tier"),
        pytest.param(0.99, 0.0, id="just below first tier"),
        pytest.param(1, 10.0, id="first tier"),
        pytest.param(4, 20.0, id="second tier"),
        pytest.param(5, 30.0, id="top tier"),
        pytest.param(500, 30.0, id="far above top tier"),
    ],
)
def test_tiers_on_value(value: float, expected: float) -> None:
    assert points_of(TIERS_ON_VALUE, "2.1", value) == expected


def test_ratio_floor_and_target_reshape_the_line() -> None:
    fw = with_rule("1.2", {"type": "ratio", "target": 0.5, "floor": 0.25})
    # Full points from half, nothing below a quarter, linear from zero in between.
    assert [points_of(fw, "1.2", v, 100) for v in (20, 25, 40, 50, 90)] == [
        0.0,
        10.0,
        16.0,
        20.0,
        20.0,
    ]


def test_unit_totals_add_rules_bonus_and_penalty() -> None:
    values = pl.DataFrame(
        [
            ("H1", "2023", "1.1", 1, None),  # 10
            ("H1", "2023", "1.2", 6, 10),  # 15
            ("H1", "2023", "1.3", 3, None),  # 6
            ("H1", "2023", "2.1", 0.6, None),  # 20
            ("H1", "2023", "2.2", 12.5, None),  # 12.5
            ("H1", "2023", "2.3", 80, None),  # 8
            ("H1", "2023", "T1", 5, None),  # +5
            ("H1", "2023", "P1", 1, None),  # -5
        ],
        schema=VALUE_SCHEMA,
        orient="row",
    )
    (row,) = score(MINI, values, UNITS).units.to_dicts()
    assert row["points"] == 71.5
    assert (row["bonus"], row["penalty"]) == (5.0, 5.0)
    assert row["total"] == 71.5
    assert row["applicable_max"] == 100.0
    assert row["score"] == 71.5


# -- data errors --------------------------------------------------------------------------

BAD_ROWS: list[tuple[str, dict[str, Any], str, str | None, str]] = [
    ("negative value", {"indicator": "1.3", "value": -1}, "value", "1.3", "negative"),
    ("boolean not 0/1", {"indicator": "1.1", "value": 2}, "value", "1.1", "1 (done) or 0"),
    ("boolean fraction", {"indicator": "1.1", "value": 0.5}, "value", "1.1", "1 (done) or 0"),
    ("points above max", {"indicator": "2.2", "value": 25}, "value", "2.2", "exceed the maximum"),
    ("bonus above max", {"indicator": "T1", "value": 6}, "value", "T1", "exceed the maximum"),
    (
        "numerator above denominator",
        {"indicator": "1.2", "value": 12, "denominator": 10},
        "value",
        "1.2",
        "exceeds the denominator",
    ),
    (
        "zero denominator",
        {"indicator": "1.2", "value": 0, "denominator": 0},
        "denominator",
        "1.2",
        "must be positive",
    ),
    (
        "negative denominator",
        {"indicator": "2.1", "value": 1, "denominator": -4},
        "denominator",
        "2.1",
        "must be positive",
    ),
    (
        "fraction above one without denominator",
        {"indicator": "1.2", "value": 3},
        "denominator",
        "1.2",
        "needs a denominator",
    ),
    ("percent above 100", {"indicator": "2.3", "value": 120}, "value", "2.3", "exceeds 100"),
    ("unknown indicator", {"indicator": "9.9"}, "indicator", None, "unknown indicator '9.9'"),
    ("unknown unit", {"unit": "XX", "indicator": "1.1"}, "unit", "1.1", "'XX' is not in"),
    (
        "indicator not for the group",
        {"unit": "SO1", "indicator": "2.3", "value": 50},
        "indicator",
        "2.3",
        "does not apply to group so",
    ),
    (
        "not applicable where not allowed",
        {"indicator": "1.1", "applicable": False},
        "applicable",
        "1.1",
        "cannot be marked not applicable",
    ),
    ("empty period", {"period": None, "indicator": "1.1"}, "period", "1.1", "period is empty"),
]


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    base = {
        "unit": "H1",
        "period": "2023",
        "indicator": "1.1",
        "value": 1.0,
        "denominator": None,
        "applicable": True,
    }
    return pl.DataFrame(
        [{**base, **row} for row in rows],
        schema={**VALUE_SCHEMA, "applicable": pl.Boolean, "row": pl.Int64},
    )


def refused(values: pl.DataFrame, source: str | None = "nhap.xlsx") -> list[Problem]:
    with pytest.raises(DataError) as info:
        score(MINI, values, UNITS, source=source)
    return info.value.problems


@pytest.mark.parametrize(
    ("row", "column", "indicator", "words"),
    [pytest.param(r, c, i, w, id=name) for name, r, c, i, w in BAD_ROWS],
)
def test_bad_value_is_located(
    row: dict[str, Any], column: str, indicator: str | None, words: str
) -> None:
    values = frame(
        [
            {"period": "2022", "indicator": "2.2", "value": 10, "row": 7},  # a good row first
            {**row, "row": 42},
        ]
    )
    (problem,) = refused(values)
    assert (problem.row, problem.column, problem.node) == (42, column, indicator)
    assert words in problem.message
    assert problem.file == "nhap.xlsx"
    text = str(problem)
    assert text.startswith("nhap.xlsx, row 42, column ")
    if indicator is not None:
        assert f"node {indicator}" in text


def test_rows_are_numbered_from_one_without_a_row_column() -> None:
    values = frame(
        [{"period": "2022", "indicator": "2.2", "value": 10}, {"indicator": "2.2", "value": 30}]
    )
    (problem,) = refused(values.drop("row"))
    assert problem.row == 2


def test_duplicate_rows_are_each_reported() -> None:
    values = frame(
        [
            {"indicator": "1.1", "value": 1, "row": 3},
            {"indicator": "1.2", "value": 0.5, "row": 4},
            {"indicator": "1.1", "value": 0, "row": 5},
        ]
    )
    problems = refused(values)
    assert [(p.row, p.column, p.node) for p in problems] == [
        (3, "indicator", "1.1"),
        (5, "indicator", "1.1"),
    ]
    assert all("duplicate row for unit 'H1'" in p.message for p in problems)


def test_every_bad_row_is_listed_at_once() -> None:
    rows = [{**row, "row": 100 + i} for i, (_, row, *_rest) in enumerate(BAD_ROWS)]
    problems = refused(frame(rows))
    located = {(p.row, p.column) for p in problems}
    assert located == {(100 + i, column) for i, (_, _, column, *_r) in enumerate(BAD_ROWS)}
    rendered = str(DataError(problems))
    assert "row 100, column 'value', node 1.3" in rendered


def test_problems_per_check_are_bounded() -> None:
    values = frame(
        [
            {"unit": "H1", "period": str(2000 + i), "indicator": "1.1", "value": 7, "row": i + 2}
            for i in range(30)
        ]
    )
    problems = refused(values)
    assert len(problems) == 21
    assert problems[-1].message == "… 10 more rows with the same problem"


def test_missing_columns_are_reported_together() -> None:
    with pytest.raises(DataError) as info:
        score(MINI, pl.DataFrame({"unit": ["H1"], "period": ["2023"]}), UNITS, source="x.csv")
    assert [(p.column, p.file) for p in info.value.problems] == [
        ("indicator", "x.csv"),
        ("value", "x.csv"),
    ]


def test_unit_in_a_group_the_framework_does_not_cover() -> None:
    units = UNITS.vstack(pl.DataFrame({"unit": ["X1"], "name": ["Xã"], "group": ["xa"]}))
    values = frame([{"unit": "X1", "indicator": "1.1", "row": 9}])
    with pytest.raises(DataError) as info:
        score(MINI, values, units)
    (problem,) = info.value.problems
    assert (problem.row, problem.column, problem.node) == (9, "unit", "1.1")
    assert "belongs to a group this framework does not cover" in problem.message


@pytest.mark.parametrize(
    "dtype",
    [pl.String, pl.Categorical, pl.Enum(["2.2", "1.1", "1.2", "9.9", "T1"])],
    ids=["string", "categorical", "enum"],
)
def test_key_columns_may_be_categorical(dtype: pl.DataType) -> None:
    keys = pl.String if dtype == pl.String else pl.Categorical
    values = pl.DataFrame(
        {
            "unit": pl.Series(["H1", "H1", "SO1"], dtype=keys),
            "period": pl.Series(["2023", "2023", "2023"], dtype=keys),
            "indicator": pl.Series(["1.1", "2.2", "1.2"], dtype=dtype),
            "value": [1.0, 12.0, 0.5],
        }
    )
    result = score(MINI, values, UNITS)
    totals = dict(zip(result.units["unit"], result.units["total"], strict=True))
    assert totals == {"H1": 22.0, "SO1": 12.5}

    bad = values.with_columns(pl.Series("indicator", ["1.1", "9.9", "1.2"], dtype=dtype))
    with pytest.raises(DataError, match=r"unknown indicator '9\.9'"):
        score(MINI, bad, UNITS)
