"""Quảng Nam 2022 DTI (1206/QĐ-UBND): every published figure, from raw values via the engine."""

from __future__ import annotations

import polars as pl
import pytest

from dti.data import load_dataset
from dti.engine import ScoreResult


@pytest.fixture(scope="module")
def result() -> ScoreResult:
    return load_dataset("quang-nam-2022").score()


def _row(result: ScoreResult, unit: str) -> dict[str, object]:
    return result.units.filter(pl.col("unit") == unit).row(0, named=True)


def _group(result: ScoreResult, group: str) -> dict[str, object]:
    return result.groups.filter(pl.col("group") == group).row(0, named=True)


def test_transport_department_leads_with_976(result: ScoreResult) -> None:
    """ "đơn vị dẫn đầu cấp sở là sở Giao thông vận tải tỉnh đạt 976 điểm" """
    row = _row(result, "QN-SGTVT")
    assert (row["rank"], row["score"], row["band_name"]) == (1, 976, "Tốt")


def test_twenty_departments_17_good_3_fair(result: ScoreResult) -> None:
    """ "nhóm sở, ban ngành gồm có 20 đơn vị, trong số này có 17 đơn vị xếp loại tốt và 3 đơn vị
    xếp loại khá" """
    group = _group(result, "so")
    assert (group["n"], group["band_tot"], group["band_kha"]) == (20, 17, 3)


@pytest.mark.parametrize(
    ("unit", "points", "rank"),
    [("QN-SXD", 877, 18), ("QN-SYT", 859, 19), ("QN-STNMT", 844, 20)],
)
def test_the_three_fair_departments(result: ScoreResult, unit: str, points: int, rank: int) -> None:
    """ "3 đơn vị xếp loại khá thuộc diện thấp là sở Xây dựng gồm 877 điểm, sở Y tế đạt 859 điểm
    và sở Tài nguyên và Môi trường đứng thấp nhất với số điểm 844" """
    row = _row(result, unit)
    assert (row["score"], row["band_name"], row["rank"]) == (points, "Khá", rank)


def test_environment_department_is_last(result: ScoreResult) -> None:
    """ "đối với sở và huyện đạt chỉ số xếp hạng thấp nhất là sở Tài nguyên và Môi trường và UBND
    huyện Hiệp Đức" """
    assert _group(result, "so")["last"] == ["QN-STNMT"]
    assert _group(result, "huyen")["last"] == ["QN-HIEPDUC"]


def test_bac_tra_my_leads_districts_with_953(result: ScoreResult) -> None:
    """ "đơn vị cấp huyện dẫn đầu cấp huyện là UBND huyện Bắc Trà My đạt 953 điểm" """
    row = _row(result, "QN-BACTRAMY")
    assert (row["rank"], row["score"]) == (1, 953)
    assert _group(result, "huyen")["leaders"] == ["QN-BACTRAMY"]


def test_nui_thanh_third_with_943(result: ScoreResult) -> None:
    """ "huyện Núi Thành đứng vị trí thứ 03 đối với cấp huyện, thành phố với 943 điểm" """
    row = _row(result, "QN-NUITHANH")
    assert (row["rank"], row["score"], row["group_size"]) == (3, 943, 18)


def test_districts_10_good_8_fair(result: ScoreResult) -> None:
    """ "gồm có 10 địa phương xếp loại tốt và 8 địa phương xếp loại khá" """
    group = _group(result, "huyen")
    assert (group["n"], group["band_tot"], group["band_kha"]) == (18, 10, 8)


@pytest.mark.parametrize(
    ("unit", "points", "rank"),
    [("QN-DONGGIANG", 744, 16), ("QN-NAMTRAMY", 725, 17), ("QN-HIEPDUC", 700, 18)],
)
def test_last_three_districts(result: ScoreResult, unit: str, points: int, rank: int) -> None:
    """ "3 vị trí xếp thấp nhất là gồm huyện Đông Giang đạt 744 điểm, huyện Nam Trà My 725 điểm và
    huyện Hiệp Đức chỉ đạt 700 điểm" """
    row = _row(result, unit)
    assert (row["score"], row["rank"], row["band_name"]) == (points, rank, "Khá")


def test_scale_is_1000_points(result: ScoreResult) -> None:
    """ "Thang điểm đánh giá 1.000 điểm." """
    assert set(result.units["applicable_max"].to_list()) == {1000.0}


def test_scores_are_exact_at_two_decimals(result: ScoreResult) -> None:
    """Published as whole points; the raw totals land on them at two decimals as well."""
    exact = result.units.select((pl.col("score_exact") - pl.col("score")).abs().max()).item()
    assert exact < 0.005


def test_band_thresholds_fit_every_published_figure() -> None:
    """Tốt ≥ 90 %, Khá ≥ 70 %: 877 is Khá, 700 is Khá (the README derives them)."""
    for framework in load_dataset("quang-nam-2022").frameworks.values():
        assert framework.band_for_percent(87.7).code == "kha"
        assert framework.band_for_percent(70.0).code == "kha"
        assert framework.band_for_percent(90.33).code == "tot"  # 2023: Sở Ngoại vụ, tốt
        assert framework.band_for_percent(85.42).code == "kha"  # 2023: Tây Giang, khá
