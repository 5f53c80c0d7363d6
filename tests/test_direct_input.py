"""A node's result given directly (``direct_input``) instead of its components."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dti.engine import DataError, FrameworkError, parse_framework, score

RAW = yaml.safe_load((Path(__file__).parent / "fixtures" / "mini.yaml").read_text())


def framework(pillar_1: str | None = "index", pillar_2: str | None = "points") -> Any:
    raw = copy.deepcopy(RAW)
    for node, how in zip(raw["tree"], (pillar_1, pillar_2), strict=True):
        if how:
            node["direct_input"] = how
    return parse_framework(raw)


FW = framework()
UNITS = pl.DataFrame(
    {
        "unit": ["SO1", "SO2", "H1"],
        "name": ["Sở Một", "Sở Hai", "Huyện Một"],
        "group": ["so", "so", "huyen"],
    }
)


def rows(data: list[tuple[str, str, float | None, float | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        data,
        schema={
            "unit": pl.String,
            "indicator": pl.String,
            "value": pl.Float64,
            "denominator": pl.Float64,
        },
        orient="row",
    ).with_columns(pl.lit("2023").alias("period"))


# SO1 by components: pillar 1 = 10 + 20 × (0.4 / 0.8) + 0 = 20 of 40 (an index of 0.5);
# pillar 2 = 20 (tier 0.5) + 15 = 35 of 50 (pillar 2's maximum for a department).
COMPONENTS = [
    ("SO1", "1.1", 1.0, None),
    ("SO1", "1.2", 4.0, 10.0),
    ("SO1", "1.3", 0.0, None),
    ("SO1", "2.1", 0.5, None),
    ("SO1", "2.2", 15.0, None),
]


def by_unit(result: Any) -> dict[str, dict[str, Any]]:
    return {r["unit"]: r for r in result.units.to_dicts()}


def test_an_index_and_points_given_directly_score_as_the_same_components() -> None:
    direct = [("SO2", "1", 0.5, None), ("SO2", "2", 35.0, None)]
    units = by_unit(score(FW, rows(COMPONENTS + direct), UNITS))
    assert units["SO2"]["total"] == pytest.approx(units["SO1"]["total"]) == 55.0
    assert units["SO2"]["applicable_max"] == units["SO1"]["applicable_max"] == 90.0
    assert units["SO1"]["rank"] == units["SO2"]["rank"] == 1  # a tie, shared


def test_pillars_of_a_direct_node_carry_its_points() -> None:
    result = score(FW, rows([("SO2", "1", 0.25, None), ("SO2", "2", 50.0, None)]), UNITS)
    pillars = {r["pillar"]: (r["points"], r["max"]) for r in result.pillars.to_dicts()}
    assert pillars == {"1": (10.0, 40.0), "2": (50.0, 50.0)}


def test_points_given_directly_are_out_of_the_units_applicable_maximum() -> None:
    # A district has indicator 2.3 too: pillar 2's maximum is 60 for it, 50 for a department.
    result = by_unit(score(FW, rows([("H1", "2", 60.0, None), ("SO2", "2", 50.0, None)]), UNITS))
    assert result["H1"]["points"] == 60.0
    assert result["SO2"]["points"] == 50.0
    with pytest.raises(DataError, match="exceed node 2's applicable maximum 50"):
        score(FW, rows([("SO2", "2", 60.0, None)]), UNITS)


def test_one_unit_may_mix_a_direct_node_with_components_of_another() -> None:
    mixed = [("SO1", "1", 0.5, None), *[r for r in COMPONENTS if r[1].startswith("2")]]
    assert by_unit(score(FW, rows(mixed), UNITS))["SO1"]["total"] == 55.0


def test_a_node_given_directly_and_by_components_is_refused_naming_both() -> None:
    with pytest.raises(DataError) as caught:
        score(FW, rows([*COMPONENTS, ("SO1", "1", 0.5, None)]), UNITS)
    text = str(caught.value)
    assert "part of node 1, which is given directly" in text
    assert "give either 1 or its components" in text


def test_out_of_range_direct_values_are_refused_with_their_rows() -> None:
    with pytest.raises(DataError) as caught:
        score(
            FW,
            rows([("SO1", "1", 1.5, None), ("SO2", "1", -0.1, None), ("SO2", "2", 3.0, 9.0)]),
            UNITS,
            source="data.csv",
        )
    problems = {(p.row, p.column, p.node) for p in caught.value.problems}
    assert problems == {(1, "value", "1"), (2, "value", "1"), (3, "denominator", "2")}
    assert "must lie between 0 and 1" in str(caught.value)


def test_a_node_without_direct_input_is_still_an_unknown_indicator() -> None:
    with pytest.raises(DataError, match="unknown indicator '1'"):
        score(framework(None, None), rows([("SO1", "1", 0.5, None)]), UNITS)


def test_direct_input_on_a_leaf_is_a_framework_error() -> None:
    raw = copy.deepcopy(RAW)
    raw["tree"][0]["children"][0]["direct_input"] = "index"
    with pytest.raises(FrameworkError) as caught:
        parse_framework(raw)
    (problem,) = caught.value.problems
    assert (problem.node, problem.field) == ("1.1", "direct_input")


def test_categorical_columns_are_expanded_too() -> None:
    values = rows([("SO2", "1", 0.5, None), ("SO2", "2", 35.0, None)]).with_columns(
        pl.col("indicator").cast(pl.Categorical), pl.col("unit").cast(pl.Categorical)
    )
    assert by_unit(score(FW, values, UNITS))["SO2"]["total"] == 55.0


@settings(max_examples=60, deadline=None)
@given(st.floats(0, 1), st.floats(0, 1))
def test_a_direct_index_earns_exactly_that_share_of_the_maximum(a: float, b: float) -> None:
    result = by_unit(score(FW, rows([("SO2", "1", a, None), ("SO2", "2", b * 50, None)]), UNITS))
    assert result["SO2"]["total"] == pytest.approx(40 * a + 50 * b, abs=1e-5)
