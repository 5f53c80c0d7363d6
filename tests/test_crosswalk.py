"""Comparisons across two framework versions through a crosswalk."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from dti.engine import FrameworkError, Registry, parse_framework, score
from dti.engine.crosswalk import Crosswalk, compare_versions, load_crosswalk

FIXTURE = Path(__file__).parent / "fixtures" / "mini.yaml"


def old_and_new() -> tuple[Any, Any]:
    raw = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    old = parse_framework(raw)
    new_raw = copy.deepcopy(raw)
    new_raw["code"] = "test-mini-v2"
    new_raw["replaces"] = "test-mini"
    # v2 drops 1.3 (video conferencing, 10) and adds 2.4 (AI use, 10); renumbers 1.2 → 1.5.
    infra = new_raw["tree"][0]
    infra["children"] = [c for c in infra["children"] if c["code"] != "1.3"]
    infra["children"][1]["code"] = "1.5"
    infra["max"] = 30
    new_raw["tree"][1]["children"].append(
        {"code": "2.4", "name": {"vi": "Ứng dụng AI"}, "max": 10, "rule": {"type": "boolean"}}
    )
    new_raw["tree"][1]["max"] = 70
    return old, parse_framework(new_raw)


CROSSWALK = Crosswalk.model_validate(
    {
        "from": "test-mini",
        "to": "test-mini-v2",
        "mappings": [
            {"from": ["1.1"], "to": ["1.1"]},
            {"from": ["1.2"], "to": ["1.5"], "note": "renumbered"},
            {"from": ["2"], "to": ["2.1", "2.2", "2.3"]},
        ],
    }
)


def test_unmapped_nodes_are_listed_on_each_side() -> None:
    old, new = old_and_new()
    assert [n.code for n in CROSSWALK.unmapped(old, "from")] == ["1.3"]
    assert [n.code for n in CROSSWALK.unmapped(new, "to")] == ["2.4"]


def test_change_on_the_comparable_part_is_reported_apart_from_the_total() -> None:
    old, new = old_and_new()
    units = pl.DataFrame({"unit": ["A"], "name": ["Sở A"], "group": ["so"]})
    old_values = pl.DataFrame(
        {
            "unit": "A",
            "period": "2024",
            "indicator": ["1.1", "1.3", "2.2"],
            "value": [1.0, 5.0, 10.0],
        }
    )
    new_values = pl.DataFrame(
        {
            "unit": "A",
            "period": "2025",
            "indicator": ["1.1", "2.4", "2.2"],
            "value": [1.0, 1.0, 14.0],
        }
    )
    registry = Registry.build(units)
    row = compare_versions(
        score(old, old_values, units), score(new, new_values, units), CROSSWALK, registry
    ).row(0, named=True)
    # Total: old 10 + 10 + 10 = 30 → new 10 + 10 + 14 = 34.
    assert (row["previous_score"], row["score"], row["change"]) == (30.0, 34.0, 4.0)
    # Comparable part (1.1, 1.2/1.5, pillar 2 without 2.4): 20 of 80 → 24 of 80.
    assert (row["previous_comparable_points"], row["comparable_points"]) == (20.0, 24.0)
    assert row["comparable_change_points_of_percent"] == pytest.approx(5.0)
    assert row["derived"] is False


def test_crosswalk_naming_unknown_or_overlapping_nodes_is_refused() -> None:
    old, new = old_and_new()
    bad = Crosswalk.model_validate(
        {
            "from": "test-mini",
            "to": "test-mini-v2",
            "mappings": [{"from": ["9.9"], "to": ["1.1"]}, {"from": ["2", "2.1"], "to": ["2"]}],
        }
    )
    with pytest.raises(FrameworkError) as err:
        bad.check(old, new)
    text = str(err.value)
    assert "node 9.9, field 'from': no node '9.9' in test-mini" in text
    assert "node 2.1, field 'from': mapped twice" in text


def test_crosswalk_file_loads_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "cw.yaml"
    path.write_text("from: a\nto: b\nmappings:\n  - {from: ['1'], to: ['1', '2']}\n")
    assert load_crosswalk(path).mappings[0].new == ["1", "2"]
