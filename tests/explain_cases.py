"""Frameworks exercising every rule type and way of reporting, and hypothesis strategies for
valid values of their indicators (shared by the trace's and the band planner's tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import yaml
from hypothesis import strategies as st

from dti.engine import Framework, parse_framework

MINI_PATH = Path(__file__).parent / "fixtures" / "mini.yaml"


def _variant(report: str, decimals: int, *, tiers_on_value: bool, na: bool) -> Framework:
    raw = yaml.safe_load(MINI_PATH.read_text(encoding="utf-8"))
    raw["scale"] = {"total": 100, "report": report, "decimals": decimals}
    if report == "index":
        raw["scale"]["total"] = 100
    for pillar in raw["tree"]:
        for leaf in pillar["children"]:
            leaf["na_allowed"] = na or leaf.get("na_allowed", False)
            if tiers_on_value and leaf["code"] == "1.3":
                leaf["rule"] = {
                    "type": "tiers",
                    "tiers": [
                        {"min": 1, "points": 4},
                        {"min": 3, "points": 7},
                        {"min": 6, "points": 10},
                    ],
                }
    return parse_framework(raw)


# Raw points and counts (the fixture), rescaled with tiers on a value, an index with N/A.
FRAMEWORKS = {
    "raw": _variant("raw", 2, tiers_on_value=False, na=False),
    "rescaled": _variant("rescaled", 2, tiers_on_value=True, na=True),
    "index": _variant("index", 3, tiers_on_value=True, na=True),
}
UNITS = pl.DataFrame(
    {
        "unit": ["H0", "H1", "H2", "S0"],
        "name": ["Huyện 0", "Huyện 1", "Huyện 2", "Sở 0"],
        "group": ["huyen", "huyen", "huyen", "so"],
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
Entry = tuple[float | None, float | None, bool]  # value, denominator, applicable


@st.composite
def entry(draw: st.DrawFn, fw: Framework, code: str) -> Entry:
    node = fw.node(code)
    rule = node.rule
    assert rule is not None
    if node.na_allowed and draw(st.integers(0, 6)) == 0:
        return (None, None, False)
    if draw(st.integers(0, 9)) == 0:
        return (None, None, True)
    if rule.type == "boolean":
        return (float(draw(st.sampled_from([0, 1]))), None, True)
    if rule.type in ("ratio", "tiers") and (rule.type == "ratio" and rule.input == "percent"):
        return (draw(st.floats(0, 100)), None, True)
    if (rule.type == "ratio") or (rule.type == "tiers" and rule.basis == "ratio"):
        if draw(st.booleans()):
            den = float(draw(st.integers(1, 400)))
            return (float(draw(st.integers(0, int(den)))), den, True)
        return (draw(st.floats(0, 1)), None, True)
    if rule.type in ("count", "tiers"):
        return (float(draw(st.integers(0, 12))), None, True)
    return (draw(st.floats(0, node.max)), None, True)


def leaf_codes(fw: Framework, group: str) -> list[str]:
    codes = [leaf.code for leaf in fw.leaves()]
    codes += [item.code for item in fw.adjustment_items("bonus") + fw.adjustment_items("penalty")]
    return [
        c for c in codes if fw.node(c).applies_to is None or group in (fw.node(c).applies_to or [])
    ]


@st.composite
def unit_entries(draw: st.DrawFn, fw: Framework, group: str = "huyen") -> dict[str, Entry]:
    present = draw(st.lists(st.sampled_from(leaf_codes(fw, group)), unique=True, min_size=1))
    return {code: draw(entry(fw, code)) for code in present}


def frame(unit: str, entries: dict[str, Entry], period: str = "2023") -> pl.DataFrame:
    rows: list[tuple[Any, ...]] = [
        (unit, period, code, value, den, applicable)
        for code, (value, den, applicable) in entries.items()
    ]
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")
