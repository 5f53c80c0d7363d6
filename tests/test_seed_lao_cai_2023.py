"""Lào Cai 2023 DTI (684/QĐ-UBND) with its 2022 predecessor year, via the engine."""

from __future__ import annotations

import polars as pl
import pytest

from dti.data import load_dataset
from dti.engine import ScoreResult


@pytest.fixture(scope="module")
def result() -> ScoreResult:
    return load_dataset("lao-cai-2023").score()


def _ranked(result: ScoreResult, group: str, period: str = "2023") -> list[str]:
    units = result.units.filter((pl.col("group") == group) & (pl.col("period") == period))
    return units.sort("rank")["unit"].to_list()


def _group(result: ScoreResult, group: str, period: str = "2023") -> dict[str, object]:
    groups = result.groups.filter((pl.col("group") == group) & (pl.col("period") == period))
    return groups.row(0, named=True)


def test_leaders_with_procedures(result: ScoreResult) -> None:
    """ "Đứng đầu khối các cơ quan có thủ tục hành chính là Sở Lao động - Thương binh và Xã hội; Sở
    Y tế, Sở Thông tin và Truyền thông, Sở Giáo dục và Đào tạo; Sở Tài chính." """
    assert _ranked(result, "co_tthc")[:5] == [
        "LC-SLDTBXH",
        "LC-SYT",
        "LC-STTTT",
        "LC-SGDDT",
        "LC-STC",
    ]


def test_labour_department_731_61_advanced(result: ScoreResult) -> None:
    """Results article (doingoailaocai.vn): "Sở LĐ-TB&XH 731,61/1000 = 73,16% → nâng cao";
    "17/18 agencies with TTHC at nâng cao"."""
    units = result.units.filter(pl.col("period") == "2023")
    row = units.filter(pl.col("unit") == "LC-SLDTBXH").row(0, named=True)
    assert (row["score"], row["band_name"]) == (731.61, "Mức nâng cao")
    group = _group(result, "co_tthc")
    assert (group["n"], group["band_nang_cao"]) == (18, 17)


def test_leaders_without_procedures(result: ScoreResult) -> None:
    """ "Các cơ quan dẫn đầu gồm: Văn phòng Tỉnh ủy; Đài Phát thanh - Truyền hình tỉnh; Ban Tổ chức
    Tỉnh ủy; Ban Tuyên giáo Tỉnh ủy; Tỉnh đoàn." """
    assert _ranked(result, "khong_tthc")[:5] == [
        "LC-VPTU",
        "LC-DAIPTTH",
        "LC-BTCTU",
        "LC-BTGTU",
        "LC-TINHDOAN",
    ]


def test_average_without_procedures_up_11_1_percent(result: ScoreResult) -> None:
    """ "Khối các cơ quan không có thủ tục hành chính điểm trung bình tăng 11,1% so với năm
    2022." """
    group = _group(result, "khong_tthc")
    assert group["previous_period"] == "2022"
    assert round(group["mean_change_percent"], 1) == 11.1


def test_scores_rose_on_2022(result: ScoreResult) -> None:
    """ "điểm DTI nói chung của các cơ quan đều tăng cao so với năm 2022" """
    units = result.units.filter(pl.col("period") == "2023")
    assert (units["change"] > 0).all()


def test_district_leaders(result: ScoreResult) -> None:
    """ "Các địa phương dẫn đầu là thành phố Lào Cai, huyện Bắc Hà, huyện Văn Bàn." """
    ranked = _ranked(result, "huyen")
    assert len(ranked) == 9
    assert ranked[:3] == ["LC-TPLAOCAI", "LC-BACHA", "LC-VANBAN"]


def test_lao_cai_city_only_leading_unit_with_760_39(result: ScoreResult) -> None:
    """ "năm 2023, thành phố Lào Cai là đơn vị duy nhất đạt mức xếp hạng “dẫn dắt” với tổng số
    điểm 760,39/1.000." """
    units = result.units.filter(pl.col("period") == "2023")
    row = units.filter(pl.col("unit") == "LC-TPLAOCAI").row(0, named=True)
    assert (row["score"], row["applicable_max"], row["band"]) == (760.39, 1000.0, "dan_dat")
    assert units.filter(pl.col("band") == "dan_dat")["unit"].to_list() == ["LC-TPLAOCAI"]


def test_averages_above_half(result: ScoreResult) -> None:
    """ "Kết quả chuyển đổi số trung bình có điểm số đạt trên 50%" """
    means = result.groups.filter(pl.col("period") == "2023")["mean"]
    assert (means > 500).all()
