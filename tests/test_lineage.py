"""Units over time: effective dates, merge/split/rename events, history carried across them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from dti.engine import (
    DataError,
    HistoryMethod,
    Registry,
    compile_framework,
    load_framework,
    score,
)
from dti.engine.lineage import EDGE_SCHEMA

MINI = load_framework(Path(__file__).parent / "fixtures" / "mini.yaml")
REFORM = dt.date(2025, 7, 1)


def units_table(rows: list[tuple[str, str, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "unit": [r[0] for r in rows],
            "name": [f"Đơn vị {r[0]}" for r in rows],
            "group": [r[1] for r in rows],
            "predecessors": [r[2] for r in rows],
        }
    )


def edges(*rows: tuple[str, str, str, float | None]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"date": REFORM, "kind": kind, "from": src, "to": dst, "weight": w, "basis": "NQ 1"}
            for kind, src, dst, w in rows
        ],
        schema=EDGE_SCHEMA,
    )


def values_for(unit_points: dict[tuple[str, str], float]) -> pl.DataFrame:
    """One expert-points row (indicator 2.2, max 20) per unit × period."""
    return pl.DataFrame(
        {
            "unit": [u for u, _ in unit_points],
            "period": [p for _, p in unit_points],
            "indicator": ["2.2"] * len(unit_points),
            "value": list(unit_points.values()),
        }
    )


def framework(method: HistoryMethod) -> object:
    return compile_framework(MINI.model_copy(update={"history": method}))


def previous_of(result_units: pl.DataFrame, unit: str) -> tuple[float | None, bool]:
    row = result_units.filter(pl.col("unit") == unit).sort("period").row(-1, named=True)
    return row["previous_score"], row["previous_derived"]


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        (HistoryMethod.MEAN, 15.0),  # (10 + 20) / 2
        (HistoryMethod.WEIGHTED, 17.5),  # 10 × 0.25 + 20 × 0.75
        (HistoryMethod.SUM, 30.0),
    ],
)
def test_merged_unit_is_compared_with_a_value_derived_from_its_predecessors(
    method: HistoryMethod, expected: float
) -> None:
    units = units_table([("A", "so", None), ("B", "so", None), ("C", "so", "A:0.25;B:0.75")])
    values = values_for({("A", "2024"): 10, ("B", "2024"): 20, ("C", "2025"): 18})
    result = score(framework(method), values, units)  # type: ignore[arg-type]
    assert previous_of(result.units, "C") == (expected, True)
    c = result.units.filter(pl.col("unit") == "C").row(0, named=True)
    assert c["change"] == pytest.approx(18 - expected)


def test_predecessors_keep_their_own_results_untouched() -> None:
    units = units_table([("A", "so", None), ("B", "so", None), ("C", "so", "A;B")])
    values = values_for({("A", "2024"): 10, ("B", "2024"): 20, ("C", "2025"): 18})
    result = score(MINI, values, units)
    own = result.units.filter(pl.col("period") == "2024").sort("unit")
    assert own.select("unit", "score").rows() == [("A", 10.0), ("B", 20.0)]


@pytest.mark.parametrize(
    ("method", "weight", "expected"),
    [
        (HistoryMethod.MEAN, None, 16.0),  # a split copies an index-like value
        (HistoryMethod.WEIGHTED, 0.3, 16.0),
        (HistoryMethod.SUM, 0.25, 4.0),  # counts divide by the successor's share
        (HistoryMethod.SUM, None, 8.0),  # equal shares between the two successors
    ],
)
def test_split_copies_or_divides_by_the_declared_method(
    method: HistoryMethod, weight: float | None, expected: float
) -> None:
    units = units_table([("A", "so", None), ("X", "so", None), ("Y", "so", None)])
    lineage = edges(("split", "A", "X", weight), ("split", "A", "Y", None))
    values = values_for({("A", "2024"): 16, ("X", "2025"): 12, ("Y", "2025"): 14})
    result = score(framework(method), values, units, lineage=lineage)  # type: ignore[arg-type]
    assert previous_of(result.units, "X") == (expected, True)


def test_rename_carries_history_over_unchanged() -> None:
    units = units_table([("OLD", "so", None), ("NEW", "so", "OLD")])
    values = values_for({("OLD", "2024"): 11, ("NEW", "2025"): 13})
    result = score(MINI, values, units)
    assert previous_of(result.units, "NEW") == (11.0, True)


def test_history_is_derived_through_several_reorganisations() -> None:
    # 2024: A, B, C.  B renamed to B2; then A and B2 merged into D; C kept its code.
    units = units_table(
        [
            ("A", "so", None),
            ("B", "so", None),
            ("B2", "so", "B"),
            ("C", "so", None),
            ("D", "so", "A;B2"),
        ]
    )
    values = values_for(
        {
            ("A", "2024"): 10,
            ("B", "2024"): 14,
            ("C", "2024"): 5,
            ("D", "2025"): 15,
            ("C", "2025"): 6,
        }
    )
    result = score(MINI, values, units)
    assert previous_of(result.units, "D") == (12.0, True)
    assert previous_of(result.units, "C") == (5.0, False)


def test_transfer_of_a_part_does_not_change_either_units_comparison() -> None:
    units = units_table([("A", "so", None), ("B", "so", None)])
    lineage = edges(("transfer", "A", "B", 0.1))
    values = values_for({("A", "2024"): 10, ("B", "2024"): 14, ("A", "2025"): 9, ("B", "2025"): 15})
    result = score(MINI, values, units, lineage=lineage)
    assert previous_of(result.units, "B") == (14.0, False)


def test_pillar_history_is_derived_the_same_way() -> None:
    units = units_table([("A", "so", None), ("B", "so", None), ("C", "so", "A;B")])
    values = values_for({("A", "2024"): 10, ("B", "2024"): 20, ("C", "2025"): 18})
    result = score(MINI, values, units)
    row = result.pillars.filter((pl.col("unit") == "C") & (pl.col("pillar") == "2")).row(
        0, named=True
    )
    assert (row["previous_points"], row["previous_derived"], row["change"]) == (15.0, True, 3.0)


def test_group_average_change_uses_each_periods_own_units() -> None:
    units = units_table([("A", "so", None), ("B", "so", None), ("C", "so", "A;B")])
    values = values_for({("A", "2024"): 10, ("B", "2024"): 20, ("C", "2025"): 18})
    groups = score(MINI, values, units).groups.filter(pl.col("period") == "2025")
    assert groups["mean_change_percent"].item() == pytest.approx(20.0)


def test_units_on_a_date_respect_effective_dates() -> None:
    units = units_table([("H1", "huyen", None), ("X1", "xa", None), ("X2", "xa", "X1")])
    units = units.with_columns(
        valid_from=pl.Series([None, None, REFORM], dtype=pl.Date),
        valid_to=pl.Series([dt.date(2025, 6, 30), dt.date(2025, 6, 30), None], dtype=pl.Date),
    )
    registry = Registry.build(units)
    assert registry.on(dt.date(2025, 6, 30))["unit"].to_list() == ["H1", "X1"]
    assert registry.on(REFORM)["unit"].to_list() == ["X2"]


def test_family_tree_shows_every_party_of_a_merge() -> None:
    units = units_table(
        [("A", "xa", None), ("B", "xa", None), ("C", "xa", "A;B"), ("Z", "xa", None)]
    )
    registry = Registry.build(units)
    family = registry.family("A").sort("from")
    assert family.select("from", "to", "kind").rows() == [("A", "C", "merge"), ("B", "C", "merge")]


@pytest.mark.parametrize(
    ("lineage_rows", "message"),
    [
        ((("merge", "A", "NOPE", None),), "unit 'NOPE' is not in the units table"),
        ((("fuse", "A", "B", None),), "unknown kind 'fuse'"),
        ((("split", "A", "B", -1.0),), "weight must be positive"),
        ((("rename", "A", "B", None), ("rename", "B", "A", None)), "lineage has a cycle"),
    ],
)
def test_bad_lineage_is_refused_with_row_and_column(
    lineage_rows: tuple[tuple[str, str, str, float | None], ...], message: str
) -> None:
    units = units_table([("A", "so", None), ("B", "so", None)])
    with pytest.raises(DataError, match=message):
        Registry.build(units, edges(*lineage_rows))
