"""Quảng Nam 2020 ICT-application index (187/QĐ-UBND): published figures via the engine."""

from __future__ import annotations

import polars as pl
import pytest

from dti.data import load_dataset
from dti.engine import ScoreResult

TOP_ELEVEN = [
    "QN-SNNPTNT",
    "QN-SGTVT",
    "QN-STTTT",
    "QN-STC",
    "QN-VPUBND",
    "QN-STNMT",
    "QN-SKHDT",
    "QN-SLDTBXH",
    "QN-BQLKKT",
    "QN-SVHTTDL",
    "QN-SCT",
]


@pytest.fixture(scope="module")
def result() -> ScoreResult:
    return load_dataset("quang-nam-2020").score()


def _units(result: ScoreResult, group: str) -> pl.DataFrame:
    return result.units.filter(pl.col("group") == group).sort("rank")


def _row(result: ScoreResult, unit: str) -> dict[str, object]:
    return result.units.filter(pl.col("unit") == unit).row(0, named=True)


def test_nineteen_departments_all_good(result: ScoreResult) -> None:
    """ "có 19 sở, ban, ngành được xếp hạng … Các sở, ban, ngành đều được xếp hạng Tốt." """
    departments = _units(result, "so")
    assert departments.height == 19
    assert set(departments["band_name"]) == {"Tốt"}


def test_eleven_departments_at_90_in_published_order(result: ScoreResult) -> None:
    """ "Các sở có thứ hạng cao theo thứ tự từ cao xuống là Sở Nông nghiệp và Phát triển nông thôn,
    Sở Giao thông vận tải, Sở TT&TT, Sở Tài chính, Văn phòng UBND tỉnh, Sở Tài nguyên và Môi
    trường, Sở Kế hoạch và Đầu tư, Sở Lao động - Thương binh và Xã hội, Ban Quản lý Khu Kinh tế mở
    Chu Lai; Sở Văn hóa Thể thao và Du lịch; Sở Công thương là những sở, ban, ngành có tổng điểm từ
    90 trở lên." """
    departments = _units(result, "so")
    top = departments.filter(pl.col("score") >= 90)
    assert top["unit"].to_list() == TOP_ELEVEN
    assert top["rank"].to_list() == list(range(1, 12))


def test_other_departments_between_80_and_89_5(result: ScoreResult) -> None:
    """ "Các sở còn lại có tổng điểm từ 80 – 89,5." """
    rest = _units(result, "so").filter(~pl.col("unit").is_in(TOP_ELEVEN))
    assert rest.height == 8
    assert (rest["score"].min(), rest["score"].max()) == (80.0, 89.5)


def test_thang_binh_and_tam_ky_on_top(result: ScoreResult) -> None:
    """ "Huyện Thăng Bình, TP. Tam Kỳ có số điểm cao là 96 và 95,5." """
    assert (_row(result, "QN-THANGBINH")["score"], _row(result, "QN-THANGBINH")["rank"]) == (96, 1)
    assert (_row(result, "QN-TAMKY")["score"], _row(result, "QN-TAMKY")["rank"]) == (95.5, 2)


def test_hoi_an_84_1(result: ScoreResult) -> None:
    """ "TP. Hội An được 84,1 điểm." """
    row = _row(result, "QN-HOIAN")
    assert (row["score"], row["band_name"]) == (84.1, "Tốt")


def test_districts_13_good_5_fair_between_74_and_79(result: ScoreResult) -> None:
    """ "Có 13 huyện, thị xã, thành phố được xếp loại tốt và 5 huyện được xếp loại khá với mức điểm
    từ 74 - 79 điểm." """
    districts = _units(result, "huyen")
    assert districts.height == 18
    group = result.groups.filter(pl.col("group") == "huyen").row(0, named=True)
    assert (group["band_tot"], group["band_kha"]) == (13, 5)
    fair = districts.filter(pl.col("band") == "kha")
    assert (fair["score"].min(), fair["score"].max()) == (74.0, 79.0)


def _department_rows(indicator: str) -> pl.DataFrame:
    dataset = load_dataset("quang-nam-2020")
    departments = dataset.units.filter(pl.col("group") == "so")["unit"]
    return dataset.values["values"].filter(
        (pl.col("indicator") == indicator) & pl.col("unit").is_in(departments.implode())
    )


def test_province_online_services_level_3() -> None:
    """ "tỷ lệ DVCTT mức 3 đạt 30% (539/1800)" — 3.2 counts procedures online at level 3 or higher
    and 3.3 those at level 4, per department; over the 19 departments, level 3 alone is 539."""
    level3_or_higher, level4 = _department_rows("3.2"), _department_rows("3.3")
    assert level3_or_higher.height == level4.height == 19
    assert level3_or_higher["denominator"].sum() == 1800
    level3 = level3_or_higher["value"].sum() - level4["value"].sum()
    assert level3 == 539
    assert round(level3 / 1800 * 100) == 30


def test_province_online_services_level_4() -> None:
    """ "tỷ lệ DVCTT mức 4: 14% (253/1800)" """
    level4 = _department_rows("3.3")
    assert (level4["value"].sum(), level4["denominator"].sum()) == (253, 1800)
    assert round(253 / 1800 * 100) == 14


def test_online_service_rows_score_through_the_engine() -> None:
    """The same rows, scored: points are the leaf's 6 points × the share of procedures."""
    dataset = load_dataset("quang-nam-2020")
    scored = dataset.score().indicators.filter(pl.col("indicator").is_in(["3.2", "3.3"]))
    rows = dataset.values["values"].filter(pl.col("indicator").is_in(["3.2", "3.3"]))
    joined = scored.join(rows, on=["unit", "period", "indicator"])
    expected = (joined["value"] / joined["denominator"] * 6).to_list()
    assert joined["points"].to_list() == pytest.approx(expected)


def test_level_4_within_level_3_or_higher() -> None:
    """Every unit's level-4 services are among its services at level 3 or higher."""
    values = load_dataset("quang-nam-2020").values["values"]
    wide = values.filter(pl.col("indicator").is_in(["3.2", "3.3"])).pivot(
        on="indicator", index="unit", values="value"
    )
    assert (wide["3.3"] <= wide["3.2"]).all()
