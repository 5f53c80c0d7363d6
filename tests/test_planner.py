"""The band planner: its plans, applied and scored, reach the goal; the fewest indicators
first, the most points per effort among them."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dti.engine import RuleType, score
from dti.engine.planner import Plan, plan_band, score_for_rank
from explain_cases import FRAMEWORKS, UNITS, Entry, frame, unit_entries

PROPERTY = settings(max_examples=60, deadline=None, database=None)


def applied(values: pl.DataFrame, plan: Plan) -> pl.DataFrame:
    """``values`` with the plan's steps entered."""
    taken = {s.indicator for s in plan.steps}
    kept = values.filter(~pl.col("indicator").is_in(list(taken)))
    rows = [("H0", "2023", s.indicator, s.value, s.denominator, True) for s in plan.steps]
    return pl.concat([kept, pl.DataFrame(rows, schema=values.schema, orient="row")])


@st.composite
def framework_and_entries(draw: st.DrawFn) -> tuple[str, dict[str, Entry]]:
    name = draw(st.sampled_from(sorted(FRAMEWORKS)))
    return name, draw(unit_entries(FRAMEWORKS[name]))


@PROPERTY
@given(case=framework_and_entries())
def test_applying_a_plan_reaches_the_next_band(case: tuple[str, dict[str, Entry]]) -> None:
    name, entries = case
    fw = FRAMEWORKS[name]
    values = frame("H0", entries)
    planned = plan_band(fw, values, unit="H0", period="2023", group="huyen")
    assume(not planned.reached and planned.plans)
    bands = [b.code for b in fw.bands]
    sizes = {len(p.steps) for p in planned.plans}
    assert len(sizes) == 1  # every plan offered is of the smallest size found
    for plan in planned.plans:
        result = score(fw, applied(values, plan), UNITS)
        assert result.units["score"][0] == plan.score
        assert bands.index(result.units["band"][0]) <= bands.index(planned.goal_band or "")
    efficiency = [p.efficiency for p in planned.plans]
    assert efficiency == sorted(efficiency, reverse=True)


@PROPERTY
@given(case=framework_and_entries(), target=st.floats(0, 100))
def test_applying_a_plan_reaches_a_target_score(
    case: tuple[str, dict[str, Entry]], target: float
) -> None:
    name, entries = case
    fw = FRAMEWORKS[name]
    if fw.scale.report == "index":
        target /= 100
    values = frame("H0", entries)
    planned = plan_band(fw, values, unit="H0", period="2023", group="huyen", score=target)
    assume(planned.plans)
    for plan in planned.plans:
        result = score(fw, applied(values, plan), UNITS)
        assert result.units["score"][0] >= target - 1e-9


def test_one_missing_yes_no_is_the_whole_plan() -> None:
    # 79 points of 100 ("Khá"): the LAN (10 points) lifts it to "Tốt" on its own.
    entries: dict[str, Entry] = {
        "1.1": (0.0, None, True),
        "1.2": (0.8, None, True),
        "1.3": (5.0, None, True),
        "2.1": (0.8, None, True),
        "2.2": (19.0, None, True),
    }
    planned = plan_band(
        FRAMEWORKS["raw"], frame("H0", entries), unit="H0", period="2023", group="huyen"
    )
    assert (planned.score, planned.band, planned.goal_band) == (79.0, "kha", "tot")
    first = planned.plans[0]
    assert [(s.indicator, s.rule, s.effort) for s in first.steps] == [
        ("1.1", RuleType.BOOLEAN, 1.0)
    ]
    assert first.score == 89.0


def test_a_ratio_step_enters_the_numerator_that_reaches_the_target() -> None:
    entries: dict[str, Entry] = {"1.1": (1.0, None, True), "1.2": (10.0, 40.0, True)}
    planned = plan_band(
        FRAMEWORKS["raw"], frame("H0", entries), unit="H0", period="2023", group="huyen", score=30
    )
    step = next(s for p in planned.plans for s in p.steps if s.indicator == "1.2")
    assert (step.value, step.denominator) == (32.0, 40.0)  # 0.8 of 40, the target
    assert step.effort == pytest.approx((0.8 - 0.25) / 0.8)


def test_expert_points_and_penalties_are_not_planned() -> None:
    entries: dict[str, Entry] = {"2.2": (0.0, None, True), "P1": (2.0, None, True)}
    planned = plan_band(
        FRAMEWORKS["raw"], frame("H0", entries), unit="H0", period="2023", group="huyen", score=95
    )
    assert planned.plans == ()  # 95 needs the expert points: nothing the unit can plan


def test_the_best_band_has_nothing_left_to_plan() -> None:
    entries: dict[str, Entry] = {
        "1.1": (1.0, None, True),
        "1.2": (1.0, None, True),
        "1.3": (5.0, None, True),
        "2.1": (1.0, None, True),
        "2.2": (20.0, None, True),
    }
    planned = plan_band(
        FRAMEWORKS["raw"], frame("H0", entries), unit="H0", period="2023", group="huyen"
    )
    assert planned.reached and planned.plans == ()


def test_a_target_rank_is_the_score_now_at_that_rank() -> None:
    assert score_for_rank([70.0, 82.5, 82.5, 60.0], 2) == 82.5
    assert score_for_rank([70.0, 82.5, 82.5, 60.0], 3) == 70.0
    assert score_for_rank([70.0], 5) == -math.inf
    with pytest.raises(ValueError, match="at least 1"):
        score_for_rank([70.0], 0)
