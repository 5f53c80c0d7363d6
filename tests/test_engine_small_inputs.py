"""The small-input path (a unit's save: Python lists instead of Polars queries) gives exactly
the tables of the general path, for every rule type, and a unit scored alone gets exactly the
numbers it gets among others; the grid sums add as bincount does, to the bit (hypothesis)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from dti.engine import CompiledFramework, ScoreResult, compile_framework, parse_framework, score
from dti.engine.scoring import aggregate, columns
from dti.engine.scoring.aggregate import grid_sums

MINI_PATH = Path(__file__).parent / "fixtures" / "mini.yaml"


def _every_rule_type() -> CompiledFramework:
    """The mini framework (boolean, ratio on a fraction and on a percentage, tiers on a ratio,
    count, points, a bonus and a penalty) with a tiers-on-value leaf added and every leaf
    allowed to be marked not applicable."""
    raw = yaml.safe_load(MINI_PATH.read_text(encoding="utf-8"))
    services = raw["tree"][1]
    services["max"] += 10
    raw["scale"]["total"] += 10
    services["children"].append(
        {
            "code": "2.4",
            "name": {"vi": "Số hệ thống", "en": "Systems"},
            "max": 10,
            "rule": {
                "type": "tiers",
                "basis": "value",
                "tiers": [
                    {"min": 2, "points": 3},
                    {"min": 5, "points": 6},
                    {"min": 9, "points": 10},
                ],
            },
        }
    )
    for pillar in raw["tree"]:
        for leaf in pillar["children"]:
            leaf["na_allowed"] = True
    return compile_framework(parse_framework(raw))


CF = _every_rule_type()
UNITS = pl.DataFrame(
    {
        "unit": ["A", "B", "C"],
        "name": ["Sở A", "Huyện B", "Huyện C"],
        "group": ["so", "huyen", "huyen"],
    }
)
SCHEMA = {
    "unit": pl.String,
    "period": pl.String,
    "indicator": pl.String,
    "value": pl.Float64,
    "denominator": pl.Float64,
    "applicable": pl.Boolean,
}
PROPERTY = settings(max_examples=60, deadline=None, database=None)
Row = tuple[str, str, str, float | None, float | None, bool | None]


@st.composite
def entry(draw: st.DrawFn, code: str) -> tuple[float | None, float | None]:
    """A valid value (and denominator) for the leaf ``code``, or nothing entered."""
    if draw(st.integers(0, 5)) == 0:
        return None, None
    if code == "1.1":
        return draw(st.sampled_from([0.0, 1.0])), None
    if code in ("1.2", "2.1"):  # a numerator over its denominator, or a fraction
        if draw(st.booleans()):
            den = draw(st.integers(1, 300))
            return float(draw(st.integers(0, den))), float(den)
        return draw(st.floats(0, 1)), None
    if code in ("1.3", "2.4", "P1"):
        return float(draw(st.integers(0, 12))), None
    if code == "2.3":
        return draw(st.floats(0, 100)), None
    top = 5.0 if code == "T1" else 20.0  # expert points: 2.2 and the bonus T1
    return draw(st.floats(0, top)), None


@st.composite
def unit_rows(draw: st.DrawFn, unit: str) -> list[Row]:
    """Some of the leaves of one unit, in any order, some marked not applicable."""
    codes = [c for c in CF.codes if unit != "A" or c != "2.3"]  # 2.3: districts only
    present = draw(st.lists(st.sampled_from(codes), unique=True, min_size=1))
    rows: list[Row] = []
    for code in present:
        value, den = draw(entry(code))
        # null reads as applicable; a bonus or penalty cannot be marked not applicable
        applicable = (
            draw(st.sampled_from([True, None]))
            if code in ("T1", "P1")
            else draw(st.sampled_from([True, True, True, True, None, False]))
        )
        rows.append((unit, "2025", code, value, den, applicable))
    return rows


def frame(rows: list[Row]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


@contextmanager
def general_path() -> Iterator[None]:
    """Score as a large input is scored (Polars queries), whatever the size."""
    saved = columns.SMALL
    columns.SMALL = -1
    try:
        yield
    finally:
        columns.SMALL = saved


def tables(result: ScoreResult) -> dict[str, pl.DataFrame]:
    return {"units": result.units, "pillars": result.pillars, "indicators": result.indicators}


def assert_same(left: dict[str, pl.DataFrame], right: dict[str, pl.DataFrame]) -> None:
    for name, table in left.items():
        assert set(table.columns) == set(right[name].columns), name
        assert_frame_equal(table, right[name], check_exact=True)


@PROPERTY
@given(rows=unit_rows("B"))
def test_a_units_save_gives_the_general_paths_tables_exactly(rows: list[Row]) -> None:
    values, unit = frame(rows), UNITS.filter(pl.col("unit") == "B")
    small = score(CF, values, unit)
    with general_path():
        general = score(CF, values, unit)
    assert_same(tables(small), tables(general))


@PROPERTY
@given(rows=unit_rows("A"))
def test_the_small_path_keeps_the_inputs_categorical_keys(rows: list[Row]) -> None:
    keys = {c: pl.Categorical() for c in ("unit", "period", "indicator")}
    values, unit = frame(rows).cast(keys), UNITS.filter(pl.col("unit") == "A")  # type: ignore[arg-type]
    small = score(CF, values, unit)
    with general_path():
        general = score(CF, values, unit)
    assert_same(tables(small), tables(general))


@PROPERTY
@given(a=unit_rows("A"), b=unit_rows("B"), c=unit_rows("C"))
def test_a_unit_scored_alone_gets_the_numbers_it_gets_among_others(
    a: list[Row], b: list[Row], c: list[Row]
) -> None:
    together = score(CF, frame([*a, *b, *c]), UNITS)
    alone = score(CF, frame(b), UNITS.filter(pl.col("unit") == "B"))

    def of_b(table: pl.DataFrame, *order: str) -> pl.DataFrame:
        return table.filter(pl.col("unit") == "B").sort(*order)

    unranked: Any = pl.exclude("rank", "group_size")
    assert_frame_equal(
        of_b(together.units, "unit").select(unranked),
        alone.units.select(unranked),
        check_exact=True,
    )
    assert_frame_equal(
        of_b(together.pillars, "pillar"), alone.pillars.sort("pillar"), check_exact=True
    )
    assert_frame_equal(
        of_b(together.indicators, "indicator"),
        alone.indicators.sort("indicator"),
        check_exact=True,
    )


@PROPERTY
@given(
    grid=st.integers(1, 9).flatmap(
        lambda width: st.lists(
            st.lists(st.floats(-1e6, 1e6), min_size=width, max_size=width),
            min_size=1,
            max_size=40,
        )
    ),
    data=st.data(),
)
def test_grid_sums_add_in_bincounts_order_to_the_bit(
    grid: list[list[float]], data: st.DataObject
) -> None:
    values = np.array(grid)
    n_keys, width = values.shape
    group = np.array(data.draw(st.lists(st.integers(-1, 2), min_size=width, max_size=width)))
    whole = grid_sums(values, group, 3)
    with small_grid_chunks():
        chunked = grid_sums(values, group, 3)
    key = np.repeat(np.arange(n_keys), width) * 3 + np.tile(group, n_keys)
    counted = np.flatnonzero(np.tile(group, n_keys) >= 0)
    expected = np.bincount(
        key[counted], weights=values.ravel()[counted], minlength=n_keys * 3
    ).reshape(n_keys, 3)
    assert whole.tobytes() == expected.tobytes()
    assert chunked.tobytes() == expected.tobytes()


@contextmanager
def small_grid_chunks() -> Iterator[None]:
    """Chunks of three keys, so that a small grid is summed in several chunks."""
    saved = aggregate.GRID_CHUNK
    aggregate.GRID_CHUNK = 3
    try:
        yield
    finally:
        aggregate.GRID_CHUNK = saved
