"""Change against the previous period, for a unit itself and for a unit formed by a merge."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from dti.engine import DataError, Framework, HistoryMethod, ScoreResult, load_framework, score

RANKING = load_framework(Path(__file__).parent / "fixtures" / "ranking.yaml")  # total 0..1000


def values_for(totals: dict[tuple[str, str], float]) -> pl.DataFrame:
    """(unit, period) -> total, entered as expert points on the two leaves."""
    rows = []
    for (unit, period), total in totals.items():
        a = min(total, 600.0)
        rows += [(unit, period, "A.1", a), (unit, period, "B.1", round(total - a, 9))]
    return pl.DataFrame(rows, schema=["unit", "period", "indicator", "value"], orient="row")


def units_table(predecessors: dict[str, str | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "unit": list(predecessors),
            "name": [f"Tỉnh {u}" for u in predecessors],
            "group": ["tinh"] * len(predecessors),
            "predecessors": list(predecessors.values()),
        },
        schema={
            "unit": pl.String,
            "name": pl.String,
            "group": pl.String,
            "predecessors": pl.String,
        },
    )


def row(result: ScoreResult, unit: str, period: str) -> dict[str, object]:
    (found,) = result.units.filter(
        (pl.col("unit") == unit) & (pl.col("period") == period)
    ).to_dicts()
    return found


# A and B exist in 2022; in 2023 they are merged into M; C goes on unchanged.
TOTALS = {
    ("A", "2022"): 600.0,
    ("B", "2022"): 400.0,
    ("C", "2022"): 500.0,
    ("M", "2023"): 550.0,
    ("C", "2023"): 560.25,
}


def test_change_against_the_previous_period_of_the_same_unit() -> None:
    result = score(
        RANKING, values_for(TOTALS), units_table({"A": None, "B": None, "C": None, "M": "A;B"})
    )
    current = row(result, "C", "2023")
    assert current["previous_period"] == "2022"
    assert current["previous_score"] == 500.0
    assert current["change"] == 60.25
    assert current["change_percent"] == pytest.approx(12.05)
    assert current["previous_derived"] is False


def test_the_first_period_has_nothing_to_compare_with() -> None:
    result = score(
        RANKING, values_for(TOTALS), units_table({"A": None, "B": None, "C": None, "M": "A;B"})
    )
    first = row(result, "C", "2022")
    assert first["previous_period"] is None
    assert first["previous_score"] is None
    assert first["change"] is None
    assert first["previous_derived"] is False


def with_history(method: HistoryMethod) -> Framework:
    return RANKING.model_copy(update={"history": method})


@pytest.mark.parametrize(
    ("method", "predecessors", "expected_previous"),
    [
        pytest.param(HistoryMethod.MEAN, "A;B", 500.0, id="mean"),
        pytest.param(HistoryMethod.MEAN, " A ; B ", 500.0, id="mean with spaces"),
        pytest.param(HistoryMethod.MEAN, "A:0.7;B:0.3", 500.0, id="mean ignores weights"),
        pytest.param(HistoryMethod.WEIGHTED, "A:0.7;B:0.3", 540.0, id="weighted"),
        pytest.param(HistoryMethod.WEIGHTED, "A:7;B:3", 540.0, id="weighted, unnormalised"),
        pytest.param(HistoryMethod.SUM, "A;B", 1000.0, id="sum"),
    ],
)
def test_a_merged_unit_is_compared_with_a_value_derived_from_its_predecessors(
    method: HistoryMethod, predecessors: str, expected_previous: float
) -> None:
    units = units_table({"A": None, "B": None, "C": None, "M": predecessors})
    result = score(with_history(method), values_for(TOTALS), units)
    merged = row(result, "M", "2023")
    assert merged["previous_derived"] is True
    assert merged["previous_period"] == "2022"
    assert merged["previous_score"] == pytest.approx(expected_previous)
    assert merged["change"] == pytest.approx(550.0 - expected_previous)
    assert merged["change_percent"] == pytest.approx(
        round((550.0 - expected_previous) / expected_previous * 100, 2)
    )


@pytest.mark.parametrize("method", list(HistoryMethod))
def test_predecessors_own_results_are_unchanged_by_the_merge(method: HistoryMethod) -> None:
    fw = with_history(method)
    with_lineage = score(
        fw, values_for(TOTALS), units_table({"A": None, "B": None, "C": None, "M": "A:0.7;B:0.3"})
    )
    without = score(
        fw, values_for(TOTALS), units_table({"A": None, "B": None, "C": None, "M": None})
    )
    predecessors = pl.col("unit").is_in(["A", "B", "C"])
    assert with_lineage.units.filter(predecessors).equals(without.units.filter(predecessors))
    # Without lineage the merged unit has nothing to compare with.
    assert row(without, "M", "2023")["previous_score"] is None
    assert row(without, "M", "2023")["previous_derived"] is False


def test_a_merge_into_a_unit_that_has_its_own_value_alongside_its_predecessors_is_refused() -> None:
    """M existed in 2022 beside A and B, and is recorded as formed from them: whether M went on
    and took them in (absorb) or is a new unit cannot be told, so nothing is guessed."""
    totals = {**TOTALS, ("M", "2022"): 100.0}
    with pytest.raises(DataError, match="record the event as 'absorb'") as caught:
        score(
            RANKING,
            values_for(totals),
            units_table({"A": None, "B": None, "C": None, "M": "A;B"}),
        )
    assert "unit 'M' has its own value for 2022" in str(caught.value)


def test_a_unit_that_existed_before_and_took_others_in_is_compared_with_all_of_them() -> None:
    """Naming M among its own predecessors says that M went on: its 2022 value is derived
    from M, A and B together."""
    totals = {**TOTALS, ("M", "2022"): 200.0}
    result = score(
        RANKING, values_for(totals), units_table({"A": None, "B": None, "C": None, "M": "M;A;B"})
    )
    merged = row(result, "M", "2023")
    assert merged["previous_score"] == pytest.approx(400.0)
    assert merged["previous_derived"] is True


def test_only_predecessors_with_a_previous_score_count() -> None:
    totals = {k: v for k, v in TOTALS.items() if k != ("B", "2022")}
    result = score(
        RANKING, values_for(totals), units_table({"A": None, "B": None, "C": None, "M": "A;B"})
    )
    merged = row(result, "M", "2023")
    assert merged["previous_score"] == 600.0
    assert merged["previous_derived"] is True


def test_group_mean_change_follows_the_periods() -> None:
    result = score(
        RANKING, values_for(TOTALS), units_table({"A": None, "B": None, "C": None, "M": "A;B"})
    )
    (summary,) = result.groups.filter(pl.col("period") == "2023").to_dicts()
    assert summary["previous_mean"] == pytest.approx(500.0)
    assert summary["mean"] == pytest.approx((550.0 + 560.25) / 2)
    assert summary["mean_change_percent"] == pytest.approx((555.125 - 500.0) / 500.0 * 100)


def test_one_period_alone_gets_the_same_columns_as_one_compared_with_nothing() -> None:
    """The shortcut for a single period (every save of a unit) must not change the result."""
    fw = load_framework(Path(__file__).parent / "fixtures" / "mini.yaml")
    values = pl.DataFrame(
        {
            "unit": ["A", "A", "B"],
            "period": ["2024"] * 3,
            "indicator": ["1.1", "2.2", "1.1"],
            "value": [1.0, 12.0, 0.0],
        }
    )
    units = pl.DataFrame({"unit": ["A", "B"], "name": ["A", "B"], "group": ["so", "so"]})
    nothing = pl.DataFrame(schema={"unit": pl.String, "period": pl.String, "score": pl.Float64})
    alone = score(fw, values, units)
    compared = score(fw, values, units, previous=nothing)
    assert alone.units.equals(compared.units)
    assert alone.pillars.equals(compared.pillars)
