"""Properties that hold for any valid data (hypothesis)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dti.engine import Framework, load_framework, parse_framework, score

MINI_PATH = Path(__file__).parent / "fixtures" / "mini.yaml"
MINI = load_framework(MINI_PATH)


def _everything_na_allowed() -> Framework:
    raw = yaml.safe_load(MINI_PATH.read_text(encoding="utf-8"))
    for pillar in raw["tree"]:
        for leaf in pillar["children"]:
            leaf["na_allowed"] = True
    return parse_framework(raw)


MINI_NA = _everything_na_allowed()
MAXIMA = {leaf.code: leaf.max for leaf in MINI.leaves()} | {"T1": 5.0, "P1": 10.0}
TREE_LEAVES = [leaf.code for leaf in MINI.leaves()]
ALL_LEAVES = [*TREE_LEAVES, "T1", "P1"]
PROPERTY = settings(max_examples=40, deadline=None, database=None)

UNITS = pl.DataFrame(
    {
        "unit": [f"S{i}" for i in range(8)] + [f"H{i}" for i in range(8)],
        "name": [f"Đơn vị {i}" for i in range(16)],
        "group": ["so"] * 8 + ["huyen"] * 8,
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

Raw = tuple[float | None, float | None]  # value, denominator

unit_interval = st.floats(0, 1, allow_nan=False)


@st.composite
def raw_pair(draw: st.DrawFn, code: str) -> tuple[Raw, Raw]:
    """Two valid raw entries for a leaf, the second never smaller than the first."""
    if code == "1.1":
        lo, hi = sorted(draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=2, max_size=2)))
        return (lo, None), (hi, None)
    if code in ("1.2", "2.1"):  # a fraction, or a numerator with its denominator
        if draw(st.booleans()):
            den = float(draw(st.integers(1, 400)))
            a, b = sorted(draw(st.lists(st.integers(0, int(den)), min_size=2, max_size=2)))
            return (float(a), den), (float(b), den)
        lo, hi = sorted(draw(st.lists(unit_interval, min_size=2, max_size=2)))
        return (lo, None), (hi, None)
    if code in ("1.3", "P1"):
        lo, hi = sorted(draw(st.lists(st.integers(0, 12), min_size=2, max_size=2)))
        return (float(lo), None), (float(hi), None)
    if code == "2.3":
        lo, hi = sorted(draw(st.lists(st.floats(0, 100), min_size=2, max_size=2)))
        return (lo, None), (hi, None)
    top = MAXIMA[code]  # expert points: 2.2 and the bonus T1
    lo, hi = sorted(draw(st.lists(st.floats(0, top), min_size=2, max_size=2)))
    return (lo, None), (hi, None)


@st.composite
def raw_entry(draw: st.DrawFn, code: str) -> Raw:
    """One valid raw entry, or nothing entered."""
    if draw(st.integers(0, 9)) == 0:
        return (None, None)
    low, high = draw(raw_pair(code))
    return draw(st.sampled_from([low, high]))


@st.composite
def unit_values(draw: st.DrawFn, group: str = "huyen") -> dict[str, Raw]:
    codes = [c for c in ALL_LEAVES if group == "huyen" or c != "2.3"]
    present = draw(st.lists(st.sampled_from(codes), unique=True))
    return {code: draw(raw_entry(code)) for code in present}


def rows_for(
    unit: str, entries: dict[str, Raw], not_applicable: frozenset[str] = frozenset()
) -> list[tuple[Any, ...]]:
    return [
        (unit, "2023", code, value, den, code not in not_applicable)
        for code, (value, den) in entries.items()
    ]


def frame(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def totals_of(result_units: pl.DataFrame) -> dict[str, float]:
    return dict(zip(result_units["unit"], result_units["total"], strict=True))


@PROPERTY
@given(entries=unit_values())
def test_every_leaf_scores_between_zero_and_its_maximum(entries: dict[str, Raw]) -> None:
    result = score(MINI, frame(rows_for("H0", entries)), UNITS)
    for code, points in zip(
        result.indicators["indicator"], result.indicators["points"], strict=True
    ):
        assert 0.0 <= points <= MAXIMA[code] + 1e-9, (code, points)


@st.composite
def one_increase(draw: st.DrawFn) -> tuple[dict[str, Raw], str, Raw]:
    base = draw(unit_values())
    code = draw(st.sampled_from(ALL_LEAVES))
    low, high = draw(raw_pair(code))
    return {**base, code: low}, code, high


@PROPERTY
@given(case=one_increase())
def test_a_higher_raw_value_never_lowers_the_points(case: tuple[dict[str, Raw], str, Raw]) -> None:
    base, code, higher = case
    rows = rows_for("H0", base) + rows_for("H1", {**base, code: higher})
    result = score(MINI, frame(rows), UNITS)
    points = {
        (u, i): p for u, i, p in result.indicators.select("unit", "indicator", "points").iter_rows()
    }
    assert points[("H1", code)] >= points[("H0", code)]
    totals = totals_of(result.units)
    if code == "P1":  # more incidents: a higher penalty can only lower the total
        assert totals["H1"] <= totals["H0"]
    else:
        assert totals["H1"] >= totals["H0"]


@st.composite
def several_units(draw: st.DrawFn) -> list[tuple[str, dict[str, Raw]]]:
    names = draw(
        st.lists(st.sampled_from(UNITS["unit"].to_list()), min_size=1, max_size=10, unique=True)
    )
    return [(u, draw(unit_values("so" if u.startswith("S") else "huyen"))) for u in names]


@PROPERTY
@given(units=several_units())
def test_rank_order_agrees_with_the_published_scores(
    units: list[tuple[str, dict[str, Raw]]],
) -> None:
    rows = [r for unit, entries in units for r in rows_for(unit, entries)]
    if not rows:
        return
    result = score(MINI, frame(rows), UNITS)
    for (_period, _group), part in result.units.group_by(["period", "group"]):
        scored = list(zip(part["score"], part["rank"], strict=True))
        for score_a, rank_a in scored:
            # "min" ranking: one more than the number of strictly better published scores.
            assert rank_a == 1 + sum(1 for score_b, _ in scored if score_b > score_a)
            for score_b, rank_b in scored:
                if score_a > score_b:
                    assert rank_a < rank_b
                elif score_a == score_b:
                    assert rank_a == rank_b


@st.composite
def with_exclusions(draw: st.DrawFn) -> tuple[dict[str, Raw], frozenset[str]]:
    entries = draw(unit_values())
    excluded = frozenset(draw(st.lists(st.sampled_from(TREE_LEAVES), unique=True)))
    for code in excluded:
        entries.setdefault(code, draw(raw_entry(code)))
    return entries, excluded


@PROPERTY
@given(case=with_exclusions())
def test_excluding_an_indicator_removes_exactly_its_maximum(
    case: tuple[dict[str, Raw], frozenset[str]],
) -> None:
    entries, excluded = case
    entries = {**entries, "T1": entries.get("T1", (1.0, None))}  # so both units have a row
    rows = rows_for("H0", entries, excluded)
    # The same unit without the excluded rows at all: same points, full maximum.
    rows += rows_for("H1", {c: v for c, v in entries.items() if c not in excluded})
    result = score(MINI_NA, frame(rows), UNITS)
    by_unit = {r["unit"]: r for r in result.units.to_dicts()}
    assert by_unit["H0"]["applicable_max"] == 100.0 - sum(MAXIMA[c] for c in excluded)
    assert by_unit["H1"]["applicable_max"] == 100.0
    assert by_unit["H0"]["total"] == by_unit["H1"]["total"]
    assert by_unit["H0"]["n_not_applicable"] == len(excluded)
    levels = ["n_hoan_thanh", "n_co_ban", "n_thap", "n_chua"]
    assert sum(by_unit["H0"][c] for c in levels) == len(TREE_LEAVES) - len(excluded)


@PROPERTY
@given(units=several_units())
def test_total_is_pillars_plus_bonus_minus_penalty(
    units: list[tuple[str, dict[str, Raw]]],
) -> None:
    rows = [r for unit, entries in units for r in rows_for(unit, entries)]
    if not rows:
        return
    result = score(MINI, frame(rows), UNITS)
    pillar_sums = dict(result.pillars.group_by("unit").agg(pl.col("points").sum()).iter_rows())
    for row in result.units.to_dicts():
        expected = max(pillar_sums[row["unit"]] + row["bonus"] - row["penalty"], 0.0)
        assert abs(row["total"] - expected) <= 1e-5
        assert abs(row["points"] - pillar_sums[row["unit"]]) <= 1e-5
        assert 0.0 <= row["bonus"] <= 5.0
        assert 0.0 <= row["penalty"] <= 10.0
        assert 0.0 <= row["total"] <= row["applicable_max"] + 5.0
