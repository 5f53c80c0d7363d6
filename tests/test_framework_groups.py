"""Children that are alternatives for different unit groups under one parent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from dti.engine import FrameworkError, parse_framework

MINI = Path(__file__).parent / "fixtures" / "mini.yaml"


def with_alternatives(so_max: float, huyen_max: float) -> dict[str, Any]:
    raw: dict[str, Any] = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    services = raw["tree"][1]  # 2.1 (30) + 2.2 (20) + 2.3 (10, districts only) = 60
    services["children"].append(
        {
            "code": "2.4",
            "name": {"vi": "Chỉ riêng sở"},
            "max": so_max,
            "applies_to": ["so"],
            "rule": {"type": "boolean"},
        }
    )
    services["children"][2]["max"] = huyen_max
    return raw


def test_group_alternatives_under_one_parent_are_accepted() -> None:
    # Departments: 30 + 20 + 10 (2.4) = 60; districts: 30 + 20 + 10 (2.3) = 60.
    framework = parse_framework(with_alternatives(so_max=10, huyen_max=10))
    assert [leaf.code for leaf in framework.leaves()][-2:] == ["2.3", "2.4"]


def test_a_group_may_reach_less_than_the_parent() -> None:
    # Districts reach 30 + 20 + 4 = 54: their applicable maximum is simply lower.
    parse_framework(with_alternatives(so_max=10, huyen_max=4))


def test_the_fullest_group_must_reach_the_parent_exactly() -> None:
    with pytest.raises(
        FrameworkError,
        match="node 2, field 'max': children's max points add up to 62, not the node's 60",
    ):
        parse_framework(with_alternatives(so_max=12, huyen_max=10))
