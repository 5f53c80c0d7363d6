"""The 2025 frameworks (after the 2025 reform) and the crosswalks from their 2022 predecessors."""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from dti.cli import main
from dti.engine import (
    BooleanRule,
    CountRule,
    Framework,
    Node,
    PointsRule,
    RatioRule,
    TiersRule,
    compile_framework,
    load_framework,
    score,
)
from dti.engine.crosswalk import load_crosswalk

FRAMEWORK_DIR = Path(__file__).resolve().parents[1] / "src" / "dti" / "frameworks"
CROSSWALK_DIR = FRAMEWORK_DIR / "crosswalks"
NEW_2025 = ["dti-cap-xa-tay-ninh-2025", "dti-cap-tinh-405-2025", "dti-so-nganh-2025"]
SHARED_LEVELS = [
    ("hoan_thanh", 90, False),
    ("co_ban_hoan_thanh", 50, False),
    ("thap", 0, True),
    ("chua_thuc_hien", 0, False),
]


def _load(code: str) -> Framework:
    return load_framework(FRAMEWORK_DIR / f"{code}.yaml")


def _full_value(node: Node) -> float:
    """The value (without a denominator) that earns a leaf its full points."""
    rule = node.rule
    if isinstance(rule, BooleanRule):
        return 1.0
    if isinstance(rule, RatioRule):
        return 100.0 if rule.input == "percent" else 1.0
    if isinstance(rule, TiersRule):
        assert rule.basis == "value"
        return max(t.min for t in rule.tiers)
    if isinstance(rule, CountRule):
        return float(math.ceil(node.max / rule.per_item))
    assert isinstance(rule, PointsRule)
    return node.max


def _score(fw: Framework, rows: list[tuple[str, str, str, float]], units: dict[str, str]):
    """Score ``rows`` of (unit, period, indicator, value); ``units`` maps unit → group."""
    values = pl.DataFrame(
        rows,
        schema={
            "unit": pl.String,
            "period": pl.String,
            "indicator": pl.String,
            "value": pl.Float64,
        },
        orient="row",
    )
    unit_frame = pl.DataFrame(
        {
            "unit": list(units),
            "name": [f"Đơn vị {u}" for u in units],
            "group": list(units.values()),
        }
    )
    return score(fw, values, unit_frame)


def _full_marks(fw: Framework, unit: str, group: str, period: str = "2025"):
    """A row for every leaf that applies to ``group``, each worth its full points."""
    tree_leaves = fw.leaves()
    # The compiled columns are the tree leaves first, then the bonus and penalty items.
    applies = compile_framework(fw).applies[fw.group_codes().index(group)][: len(tree_leaves)]
    leaves = [n for n, ok in zip(tree_leaves, applies, strict=True) if ok]
    return [(unit, period, n.code, _full_value(n)) for n in leaves]


def _leaf_count(node: Node) -> int:
    return sum(1 for n, _ in node.walk() if n.is_leaf)


# -- every new file ------------------------------------------------------------------------


@pytest.mark.parametrize("code", NEW_2025)
def test_new_framework_validates(code: str):
    fw = _load(code)
    assert fw.code == code
    assert fw.status in ("official", "partial", "reconstructed")
    assert fw.status_note
    assert 2025 in fw.years
    assert fw.history == "mean"
    levels = [(lv.code, lv.min_percent, lv.strict) for lv in fw.completion_levels]
    assert levels == SHARED_LEVELS
    for node, _ in fw.walk():
        assert node.name.en, f"{node.code} has no English name"
        if node.is_leaf:
            assert node.description, f"{node.code} has no description"


@pytest.mark.parametrize("code", NEW_2025)
def test_new_framework_passes_cli_validate(code: str):
    result = CliRunner().invoke(main, ["validate", str(FRAMEWORK_DIR / f"{code}.yaml")])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


@pytest.mark.parametrize("code", NEW_2025)
def test_full_marks_reach_the_maximum_in_every_group(code: str):
    fw = _load(code)
    for group in fw.group_codes():
        units = _score(fw, _full_marks(fw, "u", group), {"u": group}).units
        assert units["percent"][0] == pytest.approx(100.0)
        assert units["n_hoan_thanh"][0] == len(_full_marks(fw, "u", group))


# -- Tây Ninh commune/ward set 2025 (62 indicators, 960 points) ---------------------------


def test_tay_ninh_structure():
    fw = _load("dti-cap-xa-tay-ninh-2025")
    assert len(fw.leaves()) == 62
    assert [p.max for p in fw.tree] == [80, 100, 100, 520, 80, 80]
    assert sum(p.max for p in fw.tree) == 960
    assert [_leaf_count(p) for p in fw.tree] == [7, 5, 6, 32, 4, 8]
    assert [p.name.vi for p in fw.tree] == [
        "Hạ tầng và Nền tảng số",
        "Nhân lực số",
        "An toàn thông tin, an ninh mạng",
        "Hoạt động chính quyền số",
        "Hoạt động Kinh tế số",
        "Hoạt động Xã hội số",
    ]
    assert fw.group_codes() == ["xa", "phuong"]
    assert fw.scale.total == 960
    assert fw.scale.report == "raw"
    assert fw.scale.decimals == 2
    assert fw.bonus is None and fw.penalty is None
    assert list(compile_framework(fw).group_max) == [960, 960]


def test_tay_ninh_4_22_has_eleven_sub_items_totalling_230():
    fw = _load("dti-cap-xa-tay-ninh-2025")
    node = fw.node("4.22")
    assert [c.code for c in node.children] == [f"4.22.{i}" for i in range(1, 12)]
    assert all(c.is_leaf for c in node.children)
    assert sum(c.max for c in node.children) == 230
    assert node.max == 230
    assert fw.node("4.22.10").max == 30


def test_tay_ninh_names_and_points_are_the_sheets():
    fw = _load("dti-cap-xa-tay-ninh-2025")
    # Verbatim, typos included (kept so that imported sheets match).
    assert "đảm đảm" in fw.node("3.2").name.vi
    assert "đã dược phê duyệt" in fw.node("3.3").name.vi
    assert fw.node("4.22.7").name.vi.startswith("Bán hành")
    assert fw.node("1.4").name.vi == "Mức độ ứng dụng AI"
    assert fw.node("2.1").max == 30
    assert {n.max for n in fw.leaves()} == {10, 20, 30}


def test_tay_ninh_bands_are_the_named_placeholders():
    fw = _load("dti-cap-xa-tay-ninh-2025")
    assert [(b.code, b.min_percent) for b in fw.bands] == [
        ("tot", 90),
        ("kha", 70),
        ("trung_binh", 50),
        ("kem", 0),
    ]
    assert "NOT official" in fw.status_note


def test_tay_ninh_commune_and_ward_are_ranked_separately():
    fw = _load("dti-cap-xa-tay-ninh-2025")
    rows = _full_marks(fw, "X1", "xa") + _full_marks(fw, "P1", "phuong")
    rows += [("X2", "2025", "1.1", 0.5), ("P2", "2025", "2.1", 1.0)]
    units = _score(fw, rows, {"X1": "xa", "X2": "xa", "P1": "phuong", "P2": "phuong"}).units
    scores = dict(zip(units["unit"], units["score"], strict=True))
    assert scores == {"X1": 960, "P1": 960, "X2": 5, "P2": 15}
    bands = dict(zip(units["unit"], units["band"], strict=True))
    assert bands["X1"] == "tot" and bands["X2"] == "kem"


def test_tay_ninh_self_run_systems_can_be_not_applicable():
    fw = _load("dti-cap-xa-tay-ninh-2025")
    assert {n.code for n in fw.leaves() if n.na_allowed} == {"3.1", "3.2", "3.3"}


# -- national provincial DTI 405/QĐ-BKHCN -----------------------------------------------


def test_405_main_indicators():
    fw = _load("dti-cap-tinh-405-2025")
    assert len(fw.leaves()) == 8
    assert fw.replaces == "dti-cap-tinh-922-2022"
    assert [n.name.vi for n in fw.leaves()] == [
        "Nhận thức số",
        "Thể chế số",
        "Hạ tầng số",
        "Nhân lực số",
        "An toàn thông tin mạng",
        "Hoạt động chính quyền số",
        "Hoạt động kinh tế số",
        "Hoạt động xã hội số",
    ]
    # Working assumption (405's weights were not found), stated in the file.
    assert [n.max for n in fw.leaves()] == [100, 100, 100, 100, 100, 200, 150, 150]
    assert all(isinstance(n.rule, RatioRule) for n in fw.leaves())
    assert "Đô thị thông minh" not in {n.name.vi for n, _ in fw.walk()}
    assert fw.scale.total == 1000
    assert fw.scale.report == "index"
    assert fw.scale.decimals == 4
    assert fw.group_codes() == ["tinh"]
    assert [b.code for b in fw.bands] == ["khong_xep_loai"]
    assert "WORKING ASSUMPTION" in fw.status_note


def test_405_index_is_the_weighted_mean_of_the_main_indices():
    fw = _load("dti-cap-tinh-405-2025")
    index = [0.9, 0.8, 0.7, 0.6, 0.5, 0.85, 0.75, 0.65]
    rows = [("T", "2024", n.code, v) for n, v in zip(fw.leaves(), index, strict=True)]
    expected = sum(v * n.max for n, v in zip(fw.leaves(), index, strict=True)) / 1000
    assert _score(fw, rows, {"T": "tinh"}).units["score"][0] == pytest.approx(round(expected, 4))


# -- departments 2025 (Đà Nẵng 2386 structure) ------------------------------------------


def test_department_2025_groups_have_different_maxima():
    fw = _load("dti-so-nganh-2025")
    assert fw.replaces == "dti-so-nganh-2022"
    assert fw.group_codes() == ["co_tthc", "khong_tthc"]
    assert fw.scale.report == "rescaled"
    assert [p.name.vi for p in fw.tree] == [
        "Nhận thức số",
        "Thể chế số",
        "Hạ tầng số",
        "Ứng dụng công nghệ số",
        "Dịch vụ công trực tuyến",
        "Nhân lực số",
    ]
    assert fw.node("5").applies_to == ["co_tthc"]
    group_max = list(compile_framework(fw).group_max)
    assert group_max == [1000, 800]
    assert group_max[0] != group_max[1]


def test_department_2025_full_marks_are_1000_in_each_group():
    fw = _load("dti-so-nganh-2025")
    rows = _full_marks(fw, "A", "co_tthc") + _full_marks(fw, "B", "khong_tthc")
    units = _score(fw, rows, {"A": "co_tthc", "B": "khong_tthc"}).units.sort("unit")
    assert units["applicable_max"].to_list() == [1000, 800]
    assert units["total"].to_list() == [1000, 800]
    assert units["score"].to_list() == [1000, 1000]
    assert units["band"].to_list() == ["xuat_sac", "xuat_sac"]
    assert len(_full_marks(fw, "A", "co_tthc")) == 27
    assert len(_full_marks(fw, "B", "khong_tthc")) == 22


def test_department_2025_bonus_and_penalty_are_reported_apart():
    fw = _load("dti-so-nganh-2025")
    assert fw.bonus is not None and fw.penalty is not None
    assert fw.bonus.cap == 50 and fw.penalty.cap == 50
    assert [i.code for i in fw.bonus.items] == ["T1", "T2"]
    assert [i.code for i in fw.penalty.items] == ["P1", "P2"]
    rows = [
        *_full_marks(fw, "A", "co_tthc"),
        ("A", "2025", "T1", 5.0),  # 5 initiatives × 10 = 50, capped at the item's 30
        ("A", "2025", "T2", 1.0),  # 20
        ("A", "2025", "P1", 1.0),  # 20
        ("A", "2025", "P2", 2.0),  # 10
    ]
    result = _score(fw, rows, {"A": "co_tthc"})
    unit = result.units.row(0, named=True)
    assert unit["bonus"] == 50  # 30 + 20, within the cap of 50
    assert unit["penalty"] == 30
    assert unit["points"] == 1000
    assert unit["total"] == 1000 + 50 - 30
    assert unit["score"] == 1020  # rescaled on the applicable maximum, bonus included
    # Bonus and penalty items are outside the tree: not in the pillars, not in the maximum.
    assert unit["applicable_max"] == 1000
    assert result.pillars["points"].sum() == pytest.approx(unit["points"])


def test_department_2025_bonus_is_capped():
    fw = _load("dti-so-nganh-2025")
    rows = [("A", "2025", "T1", 10.0), ("A", "2025", "T2", 1.0), ("A", "2025", "P1", 5.0)]
    unit = _score(fw, rows, {"A": "co_tthc"}).units.row(0, named=True)
    assert unit["bonus"] == 50
    assert unit["penalty"] == 40  # P1 is capped at its own maximum of 40 (cap 50)
    assert unit["total"] == 10


def test_department_2025_is_marked_reconstructed():
    fw = _load("dti-so-nganh-2025")
    assert fw.status == "reconstructed"
    assert "2386/QĐ-UBND" in {s.decision for s in fw.sources}
    assert "NOT official" in fw.status_note


# -- crosswalks ---------------------------------------------------------------------------

CROSSWALKS = {
    "dti-cap-tinh-922-2022__dti-cap-tinh-405-2025.yaml": (["6"], []),
    "dti-so-nganh-2022__dti-so-nganh-2025.yaml": (["6.4"], ["4.7"]),
}


def test_every_crosswalk_file_is_tested():
    assert {p.name for p in CROSSWALK_DIR.glob("*.yaml")} >= set(CROSSWALKS)


@pytest.mark.parametrize("name", sorted(CROSSWALKS))
def test_crosswalk_checks_and_lists_the_expected_unmapped_nodes(name: str):
    crosswalk = load_crosswalk(CROSSWALK_DIR / name)
    old, new = _load(crosswalk.old), _load(crosswalk.new)
    assert name == f"{old.code}__{new.code}.yaml"
    assert new.replaces == old.code
    crosswalk.check(old, new, file=name)
    unmapped_old, unmapped_new = CROSSWALKS[name]
    assert [n.code for n in crosswalk.unmapped(old, "from")] == unmapped_old
    assert [n.code for n in crosswalk.unmapped(new, "to")] == unmapped_new


def test_922_to_405_maps_main_indicators_one_to_one():
    crosswalk = load_crosswalk(CROSSWALK_DIR / "dti-cap-tinh-922-2022__dti-cap-tinh-405-2025.yaml")
    old, new = _load(crosswalk.old), _load(crosswalk.new)
    pairs = [(m.old, m.new) for m in crosswalk.mappings]
    assert all(len(a) == 1 and len(b) == 1 for a, b in pairs)
    names = [(old.node(a[0]).name.vi, new.node(b[0]).name.vi) for a, b in pairs]
    assert all(a == b for a, b in names), names
    assert old.node("6").name.vi == "Đô thị thông minh"
    assert old.node("6").max == 0
