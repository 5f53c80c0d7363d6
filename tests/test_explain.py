"""The trace of a score: its arithmetic lands on what the scorer publishes (every rule type,
every way of reporting), step by step."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dti.engine import Framework, LeafKind, Registry, RuleType, compile_framework, score
from dti.engine.explain import explain, previous_trace
from explain_cases import FRAMEWORKS, UNITS, Entry, frame, unit_entries

PROPERTY = settings(max_examples=60, deadline=None, database=None)
close = pytest.approx


@st.composite
def framework_and_entries(draw: st.DrawFn) -> tuple[str, dict[str, Entry]]:
    name = draw(st.sampled_from(sorted(FRAMEWORKS)))
    return name, draw(unit_entries(FRAMEWORKS[name]))


@PROPERTY
@given(case=framework_and_entries())
def test_the_traces_arithmetic_adds_up_to_the_published_score(
    case: tuple[str, dict[str, Entry]],
) -> None:
    name, entries = case
    fw = FRAMEWORKS[name]
    values = frame("H0", entries)
    result = score(fw, values, UNITS)
    trace = explain(fw, values, unit="H0", period="2023", group="huyen")
    published = result.units.row(0, named=True)
    engine_points = dict(
        zip(result.indicators["indicator"], result.indicators["points"], strict=True)
    )
    for line in trace.indicators:
        assert line.points == close(engine_points.get(line.indicator, 0.0), abs=1e-9)
        assert 0.0 <= line.points <= line.max + 1e-9
    pillar_points = dict(zip(result.pillars["pillar"], result.pillars["points"], strict=True))
    pillar_max = dict(zip(result.pillars["pillar"], result.pillars["max"], strict=True))
    for pillar in trace.pillars:
        assert pillar.points == close(pillar_points[pillar.pillar], abs=1e-6)
        assert pillar.max == close(pillar_max[pillar.pillar], abs=1e-6)
    # The way up: pillars → tree points → total → applicable maximum → score → band.
    assert sum(p.points for p in trace.pillars) == close(trace.tree_points)
    assert trace.total == close(max(trace.tree_points + trace.bonus - trace.penalty, 0.0))
    assert trace.applicable_max == close(trace.full_max - trace.not_applicable_max)
    assert trace.total == close(published["total"], abs=1e-6)
    assert trace.applicable_max == close(published["applicable_max"], abs=1e-6)
    assert trace.percent == close(published["percent"], abs=1e-4)
    assert trace.exact == close(published["score_exact"], abs=1e-9)
    assert trace.score == published["score"]
    assert trace.band == published["band"]


def _only(entries: dict[str, Entry]) -> pl.DataFrame:
    return frame("H0", entries)


@pytest.mark.parametrize(
    ("code", "entry", "points", "codes"),
    [
        ("1.1", (1.0, None, True), 10.0, ["explain_boolean_done"]),
        ("1.1", (0.0, None, True), 0.0, ["explain_boolean_not_done"]),
        ("1.2", (30.0, 50.0, True), 15.0, ["explain_fraction", "explain_ratio"]),
        ("1.2", (0.1, None, True), 0.0, ["explain_fraction_given", "explain_ratio_below_floor"]),
        ("2.3", (40.0, None, True), 4.0, ["explain_percent_input", "explain_ratio"]),
        ("2.1", (0.6, None, True), 20.0, ["explain_fraction_given", "explain_tier"]),
        ("2.1", (0.1, None, True), 0.0, ["explain_fraction_given", "explain_tier_none"]),
        ("2.2", (12.5, None, True), 12.5, ["explain_points"]),
        ("P1", (3.0, None, True), 10.0, ["explain_count"]),
        ("1.2", (None, None, True), 0.0, ["explain_nothing_entered"]),
    ],
)
def test_each_rule_says_its_steps(code: str, entry: Entry, points: float, codes: list[str]) -> None:
    trace = explain(
        FRAMEWORKS["raw"], _only({code: entry}), unit="H0", period="2023", group="huyen"
    )
    line = trace.indicator(code)
    assert line.points == close(points)
    assert [step.code for step in line.steps] == codes


def test_a_ratio_step_names_the_rule_parameters() -> None:
    trace = explain(
        FRAMEWORKS["raw"],
        _only({"1.2": (30.0, 50.0, True)}),
        unit="H0",
        period="2023",
        group="huyen",
    )
    line = trace.indicator("1.2")
    assert line.rule == RuleType.RATIO
    assert dict(line.parameters) == {"target": 0.8, "floor": 0.2, "percent": 0.0}
    assert line.steps[1].params == {"maximum": 20.0, "ratio": 0.6, "target": 0.8, "points": 15.0}


def test_not_applicable_leaves_the_maximum_and_rescales() -> None:
    fw = FRAMEWORKS["rescaled"]
    values = _only({"1.1": (1.0, None, True), "2.1": (None, None, False)})
    trace = explain(fw, values, unit="H0", period="2023", group="huyen")
    assert trace.indicator("2.1").max == 0.0
    assert trace.not_applicable_max == 30.0
    assert trace.applicable_max == 70.0
    assert trace.exact == close(10 / 70 * 100)
    assert [s.code for s in trace.steps][-4:] == [
        "explain_percent",
        "explain_rescaled",
        "explain_rounded",
        "explain_band",
    ]


def test_a_pillar_given_directly_is_explained_as_its_share() -> None:
    fw = FRAMEWORKS["raw"].model_copy()
    raw = fw.model_dump(mode="json", exclude_none=True)
    raw["tree"][0]["direct_input"] = "points"
    direct = Framework.model_validate(raw)
    values = frame("H0", {"1": (20.0, None, True)})
    trace = explain(direct, values, unit="H0", period="2023", group="huyen")
    result = score(direct, values, UNITS)
    assert trace.pillars[0].points == close(20.0)
    assert {line.given_as for line in trace.indicators if line.pillar == "1"} == {"1"}
    assert trace.score == result.units["score"][0]


def test_bonus_and_penalty_are_capped_in_the_trace() -> None:
    trace = explain(
        FRAMEWORKS["raw"],
        _only({"T1": (5.0, None, True), "P1": (4.0, None, True)}),
        unit="H0",
        period="2023",
        group="huyen",
    )
    assert trace.indicator("P1").kind == LeafKind.PENALTY
    assert (trace.penalty_raw, trace.penalty) == (10.0, 10.0)
    assert trace.total == 0.0  # 0 + 5 − 10, floored at 0


def test_an_unknown_group_is_refused() -> None:
    with pytest.raises(KeyError):
        explain(
            compile_framework(FRAMEWORKS["raw"]), _only({}), unit="H0", period="2023", group="xa"
        )


def test_a_merged_units_previous_value_names_its_predecessors_and_method() -> None:
    fw = FRAMEWORKS["raw"]
    units = pl.DataFrame(
        {
            "unit": ["A", "B", "AB"],
            "name": ["A", "B", "A+B"],
            "group": ["huyen"] * 3,
            "predecessors": [None, None, "A;B"],
        }
    )
    values = pl.concat(
        [
            frame("A", {"1.1": (1.0, None, True)}, "2022"),
            frame("B", {"1.2": (0.8, None, True)}, "2022"),
            frame("AB", {"1.1": (1.0, None, True)}, "2023"),
        ]
    )
    result = score(fw, values, units)
    row = result.units.filter((pl.col("unit") == "AB") & (pl.col("period") == "2023")).row(
        0, named=True
    )
    assert row["previous_derived"]
    previous = previous_trace(row, Registry.build(units), fw.history)
    assert previous is not None
    assert previous.predecessors == ("A", "B")
    assert previous.method == fw.history
    assert previous.score == close(15.0)  # the mean of 10 and 20
    assert previous.steps[0].code == f"explain_previous_{fw.history.value}"
    assert not math.isnan(previous.score)
