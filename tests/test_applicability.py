"""Indicators that do not apply — marked N/A by a unit, or not for its group — leave the maximum."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from dti.engine import Framework, ReportAs, load_framework, parse_framework, score

MINI_PATH = Path(__file__).parent / "fixtures" / "mini.yaml"
MINI = load_framework(MINI_PATH)

UNITS = pl.DataFrame(
    {"unit": ["SO1", "H1"], "name": ["Sở Một", "Huyện Một"], "group": ["so", "huyen"]}
)
SCHEMA = {
    "unit": pl.String,
    "period": pl.String,
    "indicator": pl.String,
    "value": pl.Float64,
    "denominator": pl.Float64,
    "applicable": pl.Boolean,
}

# A department (so) that did everything it could: 10 + 20 + 10 + 30 + 20 = 90 of 90.
FULL_SO = [
    ("1.1", 1.0, None),
    ("1.2", 8.0, 10.0),
    ("1.3", 5.0, None),
    ("2.1", 0.9, None),
    ("2.2", 20.0, None),
]


def frame(rows: list[tuple[Any, ...]], unit: str = "SO1") -> pl.DataFrame:
    full = [(unit, "2023", *r, *([True] if len(r) == 3 else [])) for r in rows]
    return pl.DataFrame(full, schema=SCHEMA, orient="row")


def unit_row(framework: Framework, values: pl.DataFrame, unit: str = "SO1") -> dict[str, Any]:
    result = score(framework, values, UNITS)
    (found,) = result.units.filter(pl.col("unit") == unit).to_dicts()
    return found


def rescaled(framework: Framework) -> Framework:
    return framework.model_copy(
        update={"scale": framework.scale.model_copy(update={"report": ReportAs.RESCALED})}
    )


def test_group_applies_to_excludes_a_leaf_from_the_maximum() -> None:
    so = unit_row(MINI, frame(FULL_SO))
    assert so["applicable_max"] == 90.0  # 2.3 applies to districts only
    assert so["total"] == 90.0
    assert so["percent"] == 100.0
    assert so["n_not_applicable"] == 0

    huyen = unit_row(MINI, frame([*FULL_SO, ("2.3", 100.0, None)], unit="H1"), unit="H1")
    assert huyen["applicable_max"] == 100.0
    assert huyen["total"] == 100.0


def test_a_leaf_marked_not_applicable_leaves_the_maximum_and_the_points() -> None:
    rows = [r for r in FULL_SO if r[0] != "1.3"] + [("1.3", 5.0, None, False)]
    so = unit_row(MINI, frame(rows))
    assert so["applicable_max"] == 80.0
    assert so["points"] == 80.0  # the 10 points a value of 5 would give are not counted
    assert so["percent"] == 100.0
    assert so["n_not_applicable"] == 1


def test_percent_and_rescaled_score_use_the_applicable_maximum() -> None:
    # 1.1 done (10) and 2.2 at 14 points; 1.3 not applicable: 24 of 80.
    rows = [("1.1", 1.0, None), ("2.2", 14.0, None), ("1.3", None, None, False)]
    raw = unit_row(MINI, frame(rows))
    assert (raw["total"], raw["applicable_max"]) == (24.0, 80.0)
    assert raw["percent"] == 30.0
    assert raw["score"] == 24.0

    scaled = unit_row(rescaled(MINI), frame(rows))
    assert scaled["percent"] == 30.0
    assert scaled["score"] == 30.0  # 24 / 80 of a scale total of 100
    assert scaled["score_exact"] == pytest.approx(30.0)


def test_index_report_divides_by_the_scale_total() -> None:
    fw = MINI.model_copy(
        update={"scale": MINI.scale.model_copy(update={"report": ReportAs.INDEX, "decimals": 4})}
    )
    so = unit_row(fw, frame([("1.1", 1.0, None), ("2.2", 14.0, None)]))
    assert so["score"] == 0.24


def test_not_applicable_leaf_leaves_its_pillar_maximum() -> None:
    rows = [r for r in FULL_SO if r[0] != "1.3"] + [("1.3", None, None, False)]
    result = score(MINI, frame(rows), UNITS)
    pillars = {r["pillar"]: (r["points"], r["max"]) for r in result.pillars.to_dicts()}
    assert pillars == {"1": (30.0, 30.0), "2": (50.0, 50.0)}


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param(
            FULL_SO,
            {"hoan_thanh": 5, "co_ban": 0, "thap": 0, "chua": 0},
            id="all complete",
        ),
        pytest.param(
            [("1.1", 1.0, None)],
            {"hoan_thanh": 1, "co_ban": 0, "thap": 0, "chua": 4},
            id="missing rows count as not done",
        ),
        pytest.param(
            [("1.1", 1.0, None), ("1.2", 3.0, 10.0), ("2.1", 0.5, None), ("2.2", 1.0, None)],
            # 1.2: 7.5 of 20 -> 37.5 % (low); 2.1: 20 of 30 (basic); 2.2: 1 of 20 (low)
            {"hoan_thanh": 1, "co_ban": 1, "thap": 2, "chua": 1},
            id="levels by percent of the leaf maximum",
        ),
        pytest.param(
            [("1.1", 0.0, None), ("1.3", None, None, False)],
            {"hoan_thanh": 0, "co_ban": 0, "thap": 0, "chua": 4},
            id="zero points and not-applicable",
        ),
        pytest.param(
            [],
            {"hoan_thanh": 0, "co_ban": 0, "thap": 0, "chua": 5},
            id="only a bonus row",
        ),
    ],
)
def test_completion_counts(rows: list[tuple[Any, ...]], expected: dict[str, int]) -> None:
    values = frame([*rows, ("T1", 1.0, None)])
    so = unit_row(MINI, values)
    assert {code: so[f"n_{code}"] for code in expected} == expected
    applicable_leaves = 5 - so["n_not_applicable"]
    assert sum(expected.values()) == applicable_leaves


def test_applies_to_on_a_pillar_is_inherited_by_its_leaves() -> None:
    raw = yaml.safe_load(MINI_PATH.read_text(encoding="utf-8"))
    raw = copy.deepcopy(raw)
    raw["tree"][1]["applies_to"] = ["huyen"]  # the whole services pillar: districts only
    raw["tree"][1]["children"][2].pop("applies_to")
    fw = parse_framework(raw)
    so = unit_row(fw, frame([("1.1", 1.0, None)]))
    assert so["applicable_max"] == 40.0
    assert so["percent"] == 25.0
    assert so["n_chua"] == 2  # 1.2 and 1.3 missing; the services leaves are not counted
    huyen = unit_row(fw, frame([("2.3", 50.0, None)], unit="H1"), unit="H1")
    assert huyen["applicable_max"] == 100.0


def test_a_zero_maximum_leaf_marked_not_applicable_does_not_upset_the_counts() -> None:
    raw = yaml.safe_load(MINI_PATH.read_text(encoding="utf-8"))
    pillar = raw["tree"][0]
    pillar["children"].append(
        {
            "code": "1.4",
            "name": {"vi": "Chỉ để theo dõi"},
            "max": 0,
            "rule": {"type": "boolean"},
            "na_allowed": True,
        }
    )
    fw = parse_framework(raw)
    so = unit_row(fw, frame([("1.1", 1.0, None), ("1.4", None, None, False)]))
    assert so["applicable_max"] == 90.0
    assert {so["n_hoan_thanh"], so["n_chua"]} == {1, 4}
    assert so["n_hoan_thanh"] + so["n_co_ban"] + so["n_thap"] + so["n_chua"] == 5


def test_a_unit_with_every_leaf_not_applicable_scores_zero_percent() -> None:
    raw = yaml.safe_load(MINI_PATH.read_text(encoding="utf-8"))
    for pillar in raw["tree"]:
        for leaf in pillar["children"]:
            leaf["na_allowed"] = True
    fw = parse_framework(raw)
    rows = [(code, None, None, False) for code in ("1.1", "1.2", "1.3", "2.1", "2.2")]
    so = unit_row(fw, frame(rows))  # warnings are errors in this suite: no division by zero
    assert (so["applicable_max"], so["total"], so["percent"]) == (0.0, 0.0, 0.0)
    assert so["n_not_applicable"] == 5
    assert so["band"] == "tb"
