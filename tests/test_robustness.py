"""Rank intervals under perturbations (``dti.engine.robustness``): tables of cases and
properties that hold for any valid data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dti.engine import Perturbations, load_framework, parse_framework, robustness, score
from dti.engine.robustness_ranks import interval_ranks, min_ranks, nearest_neighbours

MINI_PATH = Path(__file__).parent / "fixtures" / "mini.yaml"
MINI = load_framework(MINI_PATH)
SCHEMA = {
    "unit": pl.String,
    "period": pl.String,
    "indicator": pl.String,
    "value": pl.Float64,
    "denominator": pl.Float64,
    "applicable": pl.Boolean,
}
NOTHING = Perturbations(na_as_zero=False)
PROPERTY = settings(max_examples=40, deadline=None, database=None)


def _rescaled() -> Any:
    raw = yaml.safe_load(MINI_PATH.read_text(encoding="utf-8"))
    raw["scale"]["report"] = "rescaled"
    return parse_framework(raw)


MINI_RESCALED = _rescaled()


def units_of(codes: list[str], group: str = "so") -> pl.DataFrame:
    return pl.DataFrame({"unit": codes, "name": [f"Đơn vị {c}" for c in codes], "group": group})


def frame(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    """Rows ``(unit, indicator, value[, denominator[, applicable]])`` of period 2023."""
    full = [(*r, None, True)[:5] if len(r) < 5 else r for r in rows]
    full = [(u, "2023", i, v, d, a) for u, i, v, d, a in full]
    return pl.DataFrame(full, schema=SCHEMA, orient="row")


def values(unit: str, expert: float, lan: float = 1.0, ratio: float = 0.5) -> list[tuple[Any, ...]]:
    """A unit of the mini framework whose totals are set by its expert points (2.2)."""
    return [(unit, "1.1", lan), (unit, "1.2", ratio), (unit, "2.2", expert)]


def by_unit(report_units: pl.DataFrame, column: str) -> dict[str, Any]:
    return dict(zip(report_units["unit"], report_units[column], strict=True))


# -- ranks ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([5.0, 3.0, 5.0, 1.0], [1, 3, 1, 4]),
        ([1.0, 1.0, 1.0], [1, 1, 1]),
        ([0.5], [1]),
        ([2.0, 4.0, 3.0, 4.0, 2.0], [4, 1, 3, 1, 4]),
    ],
)
def test_min_ranks_share_the_best_rank_and_skip_the_next(
    scores: list[float], expected: list[int]
) -> None:
    assert min_ranks(np.array([scores]))[0].tolist() == expected


def test_min_ranks_rank_every_draw_on_its_own() -> None:
    draws = np.array([[3.0, 2.0, 1.0], [1.0, 2.0, 3.0]])
    assert min_ranks(draws).tolist() == [[1, 2, 3], [3, 2, 1]]


def test_interval_ranks_pit_each_unit_at_its_best_against_the_others_at_their_worst() -> None:
    low, high = np.array([10.0, 9.5, 5.0]), np.array([10.4, 10.2, 5.0])
    best, worst = interval_ranks(low, high)
    assert best.tolist() == [1, 1, 3]
    assert worst.tolist() == [2, 2, 3]


def test_nearest_neighbours_name_the_closest_other_score() -> None:
    gap, neighbour = nearest_neighbours(np.array([10.0, 4.0, 9.0, 3.5]))
    assert gap.tolist() == [1.0, 0.5, 1.0, 0.5]
    assert neighbour.tolist() == [2, 3, 0, 1]


# -- scenarios --------------------------------------------------------------------------------


def test_declared_values_rank_the_unit_as_it_declared() -> None:
    counted = frame(values("A", 10.0) + values("B", 12.0))
    declared = frame(values("A", 15.0) + values("B", 12.0))
    report = robustness(
        MINI, counted, units_of(["A", "B"]), declared=declared, perturbations=NOTHING
    )
    assert by_unit(report.units, "rank") == {"A": 2, "B": 1}
    assert by_unit(report.units, "rank_declared") == {"A": 1, "B": 2}
    assert by_unit(report.units, "rank_best") == {"A": 1, "B": 1}
    assert by_unit(report.units, "rank_worst") == {"A": 2, "B": 2}


def test_a_unit_without_declared_values_keeps_its_counted_score_among_the_declared() -> None:
    counted = frame(values("A", 10.0) + values("B", 12.0) + values("C", 11.0))
    declared = frame(values("A", 13.0) + values("B", 12.0))
    units = units_of(["A", "B", "C"])
    report = robustness(MINI, counted, units, declared=declared, perturbations=NOTHING)
    assert by_unit(report.units, "rank_declared") == {"A": 1, "B": 2, "C": 3}


def test_not_applicable_as_zero_lowers_a_rescaled_unit_that_marked_leaves_not_applicable() -> None:
    # A: 40.5 of 90 applicable (45 %), B: 44.5 of 100; counted of 100, A has 40.5.
    rows = [*values("A", 18.0), ("A", "1.3", None, None, False), *values("B", 20.0)]
    rows.append(("B", "1.3", 1.0))
    report = robustness(MINI_RESCALED, frame(rows), units_of(["A", "B"]))
    assert by_unit(report.units, "rank") == {"A": 1, "B": 2}
    assert by_unit(report.units, "rank_na_zero") == {"A": 2, "B": 1}


def test_values_within_their_precision_can_swap_two_units_a_hair_apart() -> None:
    # 1.2 is a fraction: 0.501 against 0.5 is 0.025 points apart; ±0.005 covers it.
    counted = frame(values("A", 10.0, ratio=0.501) + values("B", 10.0) + values("C", 5.0))
    report = robustness(
        MINI, counted, units_of(["A", "B", "C"]), perturbations=Perturbations(value_decimals=2)
    )
    assert by_unit(report.units, "rank_precision_best") == {"A": 1, "B": 1, "C": 3}
    assert by_unit(report.units, "rank_precision_worst") == {"A": 2, "B": 2, "C": 3}
    assert by_unit(report.units, "stable") == {"A": False, "B": False, "C": True}


def test_weight_draws_spread_units_strong_in_different_pillars() -> None:
    # A is strong in pillar 1, B in pillar 2, with equal-looking totals.
    a = [("A", "1.1", 1.0), ("A", "1.2", 0.8), ("A", "1.3", 5.0), ("A", "2.2", 0.0)]
    b = [("B", "1.1", 0.0), ("B", "1.2", 0.0), ("B", "2.2", 20.0), ("B", "2.1", 20.0, 50.0)]
    p = Perturbations(weight_range=0.3, draws=200, seed=7, na_as_zero=False)
    report = robustness(MINI, frame(a + b), units_of(["A", "B"]), perturbations=p)
    assert by_unit(report.units, "rank_weights_best") == {"A": 1, "B": 1}
    assert by_unit(report.units, "rank_weights_worst") == {"A": 2, "B": 2}


def test_the_same_seed_gives_the_same_report_and_another_seed_may_not() -> None:
    rows = [r for i in range(12) for r in values(f"U{i}", float(i), ratio=0.1 * (i % 7))]
    units = units_of([f"U{i}" for i in range(12)])
    p = Perturbations(weight_range=0.5, draws=100, seed=1)
    first = robustness(MINI, frame(rows), units, perturbations=p).units
    assert first.equals(robustness(MINI, frame(rows), units, perturbations=p).units)
    other = robustness(
        MINI, frame(rows), units, perturbations=Perturbations(weight_range=0.5, draws=100, seed=2)
    ).units
    assert not first.select("rank_weights_median").equals(other.select("rank_weights_median"))


def test_near_ties_are_flagged_within_the_margin_and_name_the_other_unit() -> None:
    counted = frame(values("A", 10.05) + values("B", 10.0) + values("C", 2.0))
    units = units_of(["A", "B", "C"])
    wide = robustness(MINI, counted, units, perturbations=Perturbations(tie_margin=0.1))
    assert by_unit(wide.units, "near_tie") == {"A": True, "B": True, "C": False}
    assert by_unit(wide.units, "nearest_unit") == {"A": "B", "B": "A", "C": "B"}
    narrow = robustness(MINI, counted, units, perturbations=Perturbations(tie_margin=0.01))
    assert not any(narrow.units["near_tie"])


def test_a_score_just_above_a_band_threshold_is_flagged_with_the_band_below() -> None:
    # 10 + 20 + 10 + 30 + 2.09 = 72.09 of the 90 points that apply to a department: 80.1 %.
    rows = [("A", "1.1", 1.0), ("A", "1.2", 0.8), ("A", "1.3", 5.0), ("A", "2.1", 1.0)]
    rows += [("A", "2.2", 2.09)]
    rows += values("B", 3.0)
    units = units_of(["A", "B"])
    report = robustness(MINI, frame(rows), units, perturbations=Perturbations(band_margin=0.2))
    got = report.units.filter(pl.col("unit") == "A").row(0, named=True)
    assert got["score"] == pytest.approx(72.09)
    assert got["band"] == "tot"
    assert got["band_across"] == "kha"
    assert got["band_gap"] == pytest.approx(0.1)
    assert got["band_edge"] is True
    narrow = robustness(MINI, frame(rows), units, perturbations=Perturbations(band_margin=0.05))
    assert not narrow.units.filter(pl.col("unit") == "A")["band_edge"].item()


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"weight_range": 1.0}, "weight_range"),
        ({"weight_range": -0.1}, "weight_range"),
        ({"draws": -1}, "draws"),
        ({"tie_margin": -1.0}, "margins"),
    ],
)
def test_perturbations_out_of_range_are_refused(kwargs: dict[str, Any], word: str) -> None:
    with pytest.raises(ValueError, match=word):
        Perturbations(**kwargs)


# -- properties -------------------------------------------------------------------------------


@st.composite
def period_values(draw: st.DrawFn) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Counted and declared values for 2–9 units of each group, some leaves N/A."""
    rows: list[tuple[Any, ...]] = []
    declared: list[tuple[Any, ...]] = []
    codes: list[str] = []
    groups: list[str] = []
    for group in ("so", "huyen"):
        for i in range(draw(st.integers(2, 9))):
            unit = f"{group}{i}"
            codes.append(unit)
            groups.append(group)
            entries: list[tuple[Any, ...]] = [
                (unit, "1.1", float(draw(st.integers(0, 1)))),
                (unit, "1.2", draw(st.floats(0, 1))),
                (unit, "2.1", float(draw(st.integers(0, 40))), 40.0),
                (unit, "2.2", draw(st.sampled_from([0.0, 5.0, 10.0, 12.5, 20.0]))),
                (unit, "P1", float(draw(st.integers(0, 2)))),
            ]
            if draw(st.booleans()):
                entries.append((unit, "1.3", None, None, False))
            else:
                entries.append((unit, "1.3", float(draw(st.integers(0, 6)))))
            if group == "huyen":
                entries.append((unit, "2.3", draw(st.floats(0, 100))))
            rows += entries
            changed = draw(st.sampled_from([None, 0.0, 20.0]))
            declared += [
                (*e[:2], changed, *e[3:]) if e[1] == "2.2" and changed is not None else e
                for e in entries
            ]
    units = pl.DataFrame({"unit": codes, "name": codes, "group": groups})
    return frame(rows), frame(declared), units


perturbations = st.builds(
    Perturbations,
    value_decimals=st.one_of(st.none(), st.integers(0, 3)),
    na_as_zero=st.booleans(),
    weight_range=st.floats(0, 0.9),
    draws=st.integers(0, 40),
    seed=st.integers(0, 2**32 - 1),
)


@PROPERTY
@given(data=period_values(), p=perturbations, framework=st.sampled_from([MINI, MINI_RESCALED]))
def test_every_interval_contains_the_actual_rank(
    data: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame], p: Perturbations, framework: Any
) -> None:
    counted, declared, units = data
    report = robustness(framework, counted, units, declared=declared, perturbations=p).units
    assert (report["rank_best"] <= report["rank"]).all()
    assert (report["rank"] <= report["rank_worst"]).all()
    if "rank_precision_best" in report.columns:
        assert (report["rank_precision_best"] <= report["rank"]).all()
        assert (report["rank"] <= report["rank_precision_worst"]).all()
    assert (report["rank_worst"] <= report["group_size"]).all()


@PROPERTY
@given(data=period_values(), framework=st.sampled_from([MINI, MINI_RESCALED]))
def test_no_perturbation_gives_a_point_interval_at_the_published_rank(
    data: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame], framework: Any
) -> None:
    counted, _declared, units = data
    report = robustness(framework, counted, units, declared=counted, perturbations=NOTHING).units
    assert report["stable"].all()
    assert report["rank_best"].equals(report["rank"])
    assert report["rank_worst"].equals(report["rank"])
    published = score(framework, counted, units).units.select("unit", "rank", "score", "band")
    joined = report.join(published, on="unit", suffix="_published")
    assert joined["rank"].equals(joined["rank_published"])
    assert joined["score"].equals(joined["score_published"])
    assert joined["band"].equals(joined["band_published"])


@PROPERTY
@given(data=period_values(), seed=st.integers(0, 1000), draws=st.integers(1, 30))
def test_weight_draws_over_a_zero_range_change_nothing(
    data: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame], seed: int, draws: int
) -> None:
    counted, _declared, units = data
    # The smallest range the report accepts: every factor within 1e-12 of 1.
    p = Perturbations(weight_range=1e-12, draws=draws, seed=seed, na_as_zero=False)
    report = robustness(MINI_RESCALED, counted, units, perturbations=p).units
    assert report["rank_weights_best"].equals(report["rank"])
    assert report["rank_weights_worst"].equals(report["rank"])
