"""The frameworks shipped in src/dti/frameworks: they validate and keep their sourced structure."""

from __future__ import annotations

import itertools
from pathlib import Path

import polars as pl
import pytest

from dti.engine import Framework, compile_framework, load_framework, score

FRAMEWORK_DIR = Path(__file__).resolve().parents[1] / "src" / "dti" / "frameworks"
SHIPPED = sorted(FRAMEWORK_DIR.glob("*.yaml"))
EXPECTED = {
    "dti-cap-huyen-2022",
    "dti-cap-xa-2022",
    "dti-so-nganh-2022",
    "ict-2020",
    "dti-cap-tinh-922-2022",
}


def _load(code: str) -> Framework:
    return load_framework(FRAMEWORK_DIR / f"{code}.yaml")


def _leaf_count(node) -> int:
    return sum(1 for n, _ in node.walk() if n.is_leaf)


def _score_one(
    fw: Framework, group: str, values: dict[str, float], na: frozenset[str] | set[str] = frozenset()
):
    """Score one unit: every leaf of ``group`` gets a row (0 unless given, or not applicable)."""
    applies = compile_framework(fw).applies[fw.group_codes().index(group)]
    leaves = [n for n, ok in zip(fw.leaves(), applies, strict=True) if ok]
    rows = [
        {
            "unit": "u",
            "period": "2022",
            "indicator": n.code,
            "value": None if n.code in na else values.get(n.code, 0.0),
            "applicable": n.code not in na,
        }
        for n in leaves
    ]
    frame = pl.DataFrame(
        rows,
        schema={
            "unit": pl.String,
            "period": pl.String,
            "indicator": pl.String,
            "value": pl.Float64,
            "applicable": pl.Boolean,
        },
    )
    units = pl.DataFrame({"unit": ["u"], "name": ["Đơn vị"], "group": [group]})
    return score(fw, frame, units)


# -- every file --------------------------------------------------------------------------


def test_all_expected_frameworks_are_shipped():
    assert {p.stem for p in SHIPPED} >= EXPECTED


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_framework_validates(path: Path):
    fw = load_framework(path)
    assert fw.code == path.stem
    assert fw.status in ("official", "partial", "reconstructed")
    assert fw.status_note
    assert fw.sources
    assert sum(p.max for p in fw.tree) == pytest.approx(fw.scale.total)
    for node, _ in fw.walk():
        assert node.name.vi.strip()
        assert node.name.en, f"{node.code} has no English name"
        if node.is_leaf:
            assert node.description, f"{node.code} has no description"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_completion_levels_are_the_shared_convention(path: Path):
    fw = load_framework(path)
    levels = [(lv.code, lv.min_percent, lv.strict) for lv in fw.completion_levels]
    assert levels == [
        ("hoan_thanh", 90, False),
        ("co_ban_hoan_thanh", 50, False),
        ("thap", 0, True),
        ("chua_thuc_hien", 0, False),
    ]


# -- district set (Lào Cai pillars, 72 components) ----------------------------------------

LAO_CAI_BANDS = [
    ("dan_dat", 75, True),
    ("nang_cao", 50, True),
    ("hinh_thanh", 25, True),
    ("khoi_dong", 0, False),
]


def test_district_pillars_and_leaf_count():
    fw = _load("dti-cap-huyen-2022")
    assert [p.max for p in fw.tree] == [100, 100, 100, 100, 100, 200, 150, 150]
    assert [p.name.vi for p in fw.tree] == [
        "Nhận thức số",
        "Thể chế số",
        "Hạ tầng số",
        "Nhân lực số",
        "An toàn thông tin mạng",
        "Hoạt động chính quyền số",
        "Hoạt động kinh tế số",
        "Hoạt động xã hội số",
    ]
    assert len(fw.leaves()) == 72
    assert fw.group_codes() == ["huyen"]
    assert [(b.code, b.min_percent, b.strict) for b in fw.bands] == LAO_CAI_BANDS
    assert fw.scale.total == 1000
    assert fw.scale.report == "raw"


def test_district_uses_every_rule_type():
    fw = _load("dti-cap-huyen-2022")
    assert {n.rule.type for n in fw.leaves()} == {"boolean", "ratio", "tiers", "count", "points"}
    assert any(n.rule.type == "ratio" and n.rule.input == "percent" for n in fw.leaves())


def test_district_not_applicable_leaves_sum_to_235():
    fw = _load("dti-cap-huyen-2022")
    na_max = [n.max for n in fw.leaves() if n.na_allowed]
    # Designed so that all not-applicable-able leaves together are exactly 235 points
    # (Gia Viễn 2022: 511,18/765 → 1,000 − 765 = 235 points not applicable).
    assert sum(na_max) == 235
    assert any(
        sum(subset) == 235
        for r in range(1, len(na_max) + 1)
        for subset in itertools.combinations(na_max, r)
    )


def test_district_gia_vien_applicable_maximum_is_765():
    fw = _load("dti-cap-huyen-2022")
    na = {n.code for n in fw.leaves() if n.na_allowed}
    units = _score_one(fw, "huyen", {}, na).units
    assert units["applicable_max"][0] == 765
    assert units["n_not_applicable"][0] == len(na)


def test_district_nui_thanh_facts_score_full_marks():
    fw = _load("dti-cap-huyen-2022")
    values = {"3.1": 1.0, "3.2": 1.0, "3.3": 1.0, "3.6.1": 20, "3.6.2": 1.0, "3.7": 1.0}
    result = _score_one(fw, "huyen", values)
    points = dict(zip(result.indicators["indicator"], result.indicators["points"], strict=True))
    assert points["3.6.1"] == 10  # 20 video-conference points × 0.5 = the 10-point maximum
    assert sum(points[c] for c in values) == 10 + 10 + 15 + 10 + 10 + 10


# -- commune set (50 components, 25 + 25) ------------------------------------------------


def test_commune_leaf_split():
    fw = _load("dti-cap-xa-2022")
    assert len(fw.leaves()) == 50
    assert sum(_leaf_count(p) for p in fw.tree[:5]) == 25
    assert sum(_leaf_count(p) for p in fw.tree[5:]) == 25
    assert len(fw.tree) == 8
    assert fw.tree[0].max == 100  # Nhận thức số = 100 (Thanh Hóa commune set)
    assert fw.node("1.1").max == 20
    assert fw.group_codes() == ["xa"]
    assert [(b.code, b.min_percent, b.strict) for b in fw.bands] == LAO_CAI_BANDS


# -- provincial departments (Quảng Nam 2425) ---------------------------------------------


def test_department_groups_and_rescaling():
    fw = _load("dti-so-nganh-2022")
    assert [p.max for p in fw.tree] == [100, 100, 100, 100, 100, 500]
    assert fw.tree[5].name.vi == "Hoạt động chính quyền số"
    assert 40 <= len(fw.leaves()) <= 70
    assert fw.group_codes() == ["co_tthc", "khong_tthc"]
    assert fw.scale.report == "rescaled"
    cf = compile_framework(fw)
    assert list(cf.group_max) == [1000, 750]
    assert [b.code for b in fw.bands] == ["tot", "kha", "trung_binh", "yeu"]
    assert "NOT official" in fw.status_note


def test_department_without_procedures_is_reported_on_1000():
    fw = _load("dti-so-nganh-2022")
    applies = compile_framework(fw).applies[fw.group_codes().index("khong_tthc")]
    full = {n.code: (1.0 if n.rule.type in ("boolean", "ratio") else 0.0) for n in fw.leaves()}
    for n, ok in zip(fw.leaves(), applies, strict=True):
        if ok and n.rule.type == "ratio" and n.rule.input == "percent":
            full[n.code] = 100.0
    units = _score_one(fw, "khong_tthc", full).units
    assert units["applicable_max"][0] == 750
    assert 0 < units["score"][0] <= 1000
    assert units["score"][0] == pytest.approx(units["percent"][0] * 10, abs=0.01)


# -- ICT index 2020 (Quảng Nam 2683) ----------------------------------------------------


def test_ict_criteria_sum_to_100():
    fw = _load("ict-2020")
    assert len(fw.tree) == 5
    assert sum(p.max for p in fw.tree) == 100
    assert fw.tree[0].name.vi.startswith("Hạ tầng kỹ thuật công nghệ thông tin")
    assert 20 <= len(fw.leaves()) <= 40
    assert fw.group_codes() == ["so", "huyen"]
    assert list(compile_framework(fw).group_max) == [100, 100]
    assert [(b.code, b.min_percent) for b in fw.bands] == [
        ("tot", 80),
        ("kha", 65),
        ("trung_binh", 50),
        ("yeu", 0),
    ]
    names = [n.name.vi for n in fw.leaves()]
    assert any("mức độ 3" in name for name in names)
    assert any("mức độ 4" in name for name in names)


# -- national provincial DTI (922/QĐ-BTTTT) --------------------------------------------


def test_922_weights():
    fw = _load("dti-cap-tinh-922-2022")
    assert [n.max for n in fw.leaves()] == [100, 100, 100, 100, 100, 0, 200, 150, 150]
    assert all(n.rule.type == "ratio" for n in fw.leaves())
    assert [p.max for p in fw.tree] == [500, 500]
    assert fw.scale.report == "index"
    assert fw.scale.decimals == 4
    assert [b.code for b in fw.bands] == ["khong_xep_loai"]


def test_922_reproduces_published_da_nang_2022():
    fw = _load("dti-cap-tinh-922-2022")
    index = [1.0, 0.9, 0.8253, 0.8487, 0.7578, 0.0, 0.8575, 0.7836, 0.5197]
    values = {n.code: v for n, v in zip(fw.leaves(), index, strict=True)}
    assert _score_one(fw, "tinh", values).units["score"][0] == pytest.approx(0.8002)
