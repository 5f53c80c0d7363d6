"""Ranks within (period, group) on the published score; bands; per-group statistics."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from dti.engine import ScoreResult, load_framework, round_published, score

FIXTURES = Path(__file__).parent / "fixtures"
RANKING = load_framework(FIXTURES / "ranking.yaml")  # two points leaves, total 0..1000


def run(totals: dict[tuple[str, str], float], groups: dict[str, str]) -> ScoreResult:
    """Score units whose totals are given: (unit, period) -> total, split over the two leaves."""
    rows = []
    for (unit, period), total in totals.items():
        a = min(total, 600.0)
        rows.append((unit, period, "A.1", a))
        rows.append((unit, period, "B.1", round(total - a, 9)))
    values = pl.DataFrame(rows, schema=["unit", "period", "indicator", "value"], orient="row")
    units = pl.DataFrame(
        {
            "unit": list(groups),
            "name": [f"Đơn vị {u}" for u in groups],
            "group": list(groups.values()),
        }
    )
    return score(RANKING, values, units)


def ranks(result: ScoreResult, period: str = "2023") -> dict[str, int]:
    frame = result.units.filter(pl.col("period") == period)
    return dict(zip(frame["unit"], frame["rank"], strict=True))


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        pytest.param([800, 700, 700, 600], [1, 2, 2, 4], id="tie in the middle"),
        pytest.param([800, 800, 700, 600], [1, 1, 3, 4], id="tie at the top"),
        pytest.param([800, 700, 600, 600], [1, 2, 3, 3], id="tie at the bottom"),
        pytest.param([500, 500, 500, 500], [1, 1, 1, 1], id="all tied"),
        pytest.param([900, 800, 800, 800, 100], [1, 2, 2, 2, 5], id="three tied"),
        pytest.param([100, 300, 200], [3, 1, 2], id="input order does not matter"),
    ],
)
def test_ties_share_the_best_rank_and_the_next_is_skipped(
    scores: list[float], expected: list[int]
) -> None:
    units = [f"U{i}" for i in range(len(scores))]
    result = run(
        {(u, "2023"): s for u, s in zip(units, scores, strict=True)}, dict.fromkeys(units, "tinh")
    )
    got = ranks(result)
    assert [got[u] for u in units] == expected
    assert result.units["group_size"].to_list() == [len(scores)] * len(scores)


def test_ranks_are_per_period_and_group() -> None:
    groups = {"T1": "tinh", "T2": "tinh", "T3": "tinh", "B1": "bo", "B2": "bo"}
    totals = {
        ("T1", "2022"): 300,
        ("T2", "2022"): 500,
        ("T3", "2022"): 400,
        ("B1", "2022"): 100,
        ("B2", "2022"): 900,
        ("T1", "2023"): 700,
        ("T2", "2023"): 600,
        ("T3", "2023"): 650,
        ("B1", "2023"): 990,
        ("B2", "2023"): 10,
    }
    result = run(totals, groups)
    assert ranks(result, "2022") == {"T1": 3, "T2": 1, "T3": 2, "B1": 2, "B2": 1}
    assert ranks(result, "2023") == {"T1": 1, "T2": 3, "T3": 2, "B1": 1, "B2": 2}
    sizes = dict(zip(result.units["group"], result.units["group_size"], strict=False))
    assert sizes == {"tinh": 3, "bo": 2}
    # Output is ordered by period, group, rank.
    keys = result.units.select("period", "group", "rank").rows()
    assert keys == sorted(keys)


def test_ranking_uses_the_published_rounded_score() -> None:
    groups = dict.fromkeys(["P", "Q", "R", "S"], "tinh")
    result = run(
        {
            ("P", "2023"): 760.385,
            ("Q", "2023"): 760.39,
            ("R", "2023"): 760.384,
            ("S", "2023"): 760.3951,
        },
        groups,
    )
    frame = result.units.sort("unit")
    assert frame["score"].to_list() == [760.39, 760.39, 760.38, 760.4]
    assert frame["score_exact"].to_list() == pytest.approx([760.385, 760.39, 760.384, 760.3951])
    # 760.385 and 760.39 are both published as 760.39, so they tie.
    assert ranks(result) == {"S": 1, "P": 2, "Q": 2, "R": 4}


@pytest.mark.parametrize(
    ("exact", "decimals", "rounding", "published"),
    [
        pytest.param(760.385, 2, "half_up", 760.39, id="half up"),
        pytest.param(760.375, 2, "half_up", 760.38, id="half up below"),
        pytest.param(2.675, 2, "half_up", 2.68, id="binary noise absorbed"),
        pytest.param(-1.005, 2, "half_up", -1.01, id="half away from zero"),
        pytest.param(0.5, 0, "half_up", 1.0, id="no decimals"),
        pytest.param(0.6349, 3, "half_up", 0.635, id="index three decimals"),
        pytest.param(0.125, 2, "half_even", 0.12, id="half even down"),
        pytest.param(0.375, 2, "half_even", 0.38, id="half even up"),
    ],
)
def test_round_published(exact: float, decimals: int, rounding: str, published: float) -> None:
    assert round_published(np.array([exact]), decimals, rounding)[0] == published


@pytest.mark.parametrize(
    ("total", "band"),
    [
        pytest.param(1000, "xuat_sac", id="full marks"),
        pytest.param(900.01, "xuat_sac", id="just above strict 90"),
        pytest.param(900, "tot", id="exactly strict 90 is not above it"),
        pytest.param(899.99, "tot", id="just below strict 90"),
        pytest.param(570, "tot", id="exactly non-strict 57 reaches it"),
        pytest.param(569.999, "tot", id="rounds up to 57 when published"),
        pytest.param(569.99, "kha", id="just below non-strict 57"),
        pytest.param(290.01, "kha", id="just above strict 29"),
        pytest.param(290, "yeu", id="exactly strict 29 is not above it"),
        pytest.param(0, "yeu", id="zero"),
    ],
)
def test_band_thresholds(total: float, band: str) -> None:
    result = run({("U", "2023"): total}, {"U": "tinh"})
    assert result.units["band"].to_list() == [band]
    names = {b.code: b.name.vi for b in RANKING.bands}
    assert result.units["band_name"].to_list() == [names[band]]


def test_group_summary() -> None:
    groups = {"T1": "tinh", "T2": "tinh", "T3": "tinh", "T4": "tinh", "B1": "bo", "B2": "bo"}
    totals = {
        ("T1", "2022"): 500,
        ("T2", "2022"): 300,
        ("T3", "2022"): 400,
        ("T4", "2022"): 400,
        ("B1", "2022"): 800,
        ("B2", "2022"): 600,
        ("T1", "2023"): 950,
        ("T2", "2023"): 950,
        ("T3", "2023"): 200,
        ("T4", "2023"): 500,
        ("B1", "2023"): 700,
    }
    summary = run(totals, groups).groups
    assert summary.select("period", "group").rows() == [
        ("2022", "bo"),
        ("2022", "tinh"),
        ("2023", "bo"),
        ("2023", "tinh"),
    ]
    rows = {(r["period"], r["group"]): r for r in summary.to_dicts()}

    tinh_2023 = rows[("2023", "tinh")]
    assert tinh_2023["n"] == 4
    assert tinh_2023["mean"] == pytest.approx(650.0)
    assert tinh_2023["median"] == pytest.approx(725.0)
    assert (tinh_2023["min"], tinh_2023["max"]) == (200.0, 950.0)
    assert tinh_2023["leaders"] == ["T1", "T2"]
    assert tinh_2023["last"] == ["T3"]
    assert {k: tinh_2023[f"band_{k}"] for k in ("xuat_sac", "tot", "kha", "yeu")} == {
        "xuat_sac": 2,
        "tot": 0,
        "kha": 1,
        "yeu": 1,
    }
    assert tinh_2023["previous_period"] == "2022"
    assert tinh_2023["previous_mean"] == pytest.approx(400.0)
    assert tinh_2023["mean_change_percent"] == pytest.approx(62.5)

    tinh_2022 = rows[("2022", "tinh")]
    assert tinh_2022["leaders"] == ["T1"]
    assert tinh_2022["last"] == ["T2"]
    assert tinh_2022["median"] == pytest.approx(400.0)
    assert tinh_2022["previous_mean"] is None
    assert tinh_2022["mean_change_percent"] is None

    bo_2023 = rows[("2023", "bo")]
    assert (bo_2023["n"], bo_2023["leaders"], bo_2023["last"]) == (1, ["B1"], ["B1"])
    assert bo_2023["mean_change_percent"] == pytest.approx((700 - 700) / 700 * 100)
    assert rows[("2022", "bo")]["mean"] == pytest.approx(700.0)


def test_pillar_points_sum_to_the_unit_points() -> None:
    result = run({("U", "2023"): 750.5}, {"U": "tinh"})
    pillars = result.pillars
    assert pillars.select("pillar", "points", "max").rows() == [
        ("A", 600.0, 600.0),
        ("B", 150.5, 400.0),
    ]
    assert result.units["points"].item() == pytest.approx(pillars["points"].sum())


def test_a_single_unit_is_first_of_one() -> None:
    result = run({("X", "2023"): 10.0}, {"X": "tinh"})
    assert result.units.select("rank", "group_size").row(0) == (1, 1)


def test_group_statistics_follow_the_unit_rows_they_are_derived_from() -> None:
    result = run(
        {("X", "2023"): 700.0, ("Y", "2023"): 500.0, ("Z", "2023"): 300.0},
        {"X": "tinh", "Y": "tinh", "Z": "tinh"},
    )
    assert result.groups["mean"].to_list() == [500.0]
    fewer = result.with_units(result.units.filter(pl.col("unit") != "Z"))
    assert fewer.groups["mean"].to_list() == [600.0]
    assert fewer.groups["leaders"].to_list() == [["X"]]
