"""Núi Thành 2022 infrastructure figures, as raw values of the district set (quang-nam-2022)."""

from __future__ import annotations

import polars as pl
import pytest

from dti.data import load_dataset

UNIT = "QN-NUITHANH"


@pytest.fixture(scope="module")
def rows() -> dict[str, dict[str, object]]:
    values = load_dataset("quang-nam-2022").values["values"]
    own = values.filter(pl.col("unit") == UNIT)
    return {r["indicator"]: r for r in own.iter_rows(named=True)}


@pytest.fixture(scope="module")
def points() -> dict[str, tuple[float, float]]:
    result = load_dataset("quang-nam-2022").score()
    own = result.indicators.filter(pl.col("unit") == UNIT)
    return {i: (p, m) for i, p, m in own.select("indicator", "points", "max").iter_rows()}


@pytest.mark.parametrize(
    ("indicator", "quote"),
    [
        ("3.1", "100% cơ quan hành chính Nhà nước cấp huyện và cấp xã sử dụng mạng LAN"),
        ("3.2", "100% cơ quan hành chính trên địa bàn huyện có kết nối Internet băng thông rộng"),
        ("3.3", "100% cán bộ, công chức, viên chức … được bố trí máy tính"),
        ("3.4", "100% cơ quan Nhà nước trên địa bàn huyện sử dụng các thiết bị số hóa"),
        (
            "3.5",
            "100% xã, thị trấn … được trang bị các thiết bị … Bộ phận tiếp nhận và trả kết quả",
        ),
        ("3.7", "100% các cơ quan, đơn vị, địa phương của huyện đã được cấp chứng thư số"),
        ("6.1.3", "100% cán bộ, công chức, viên chức từ huyện đến xã … tài khoản email công vụ"),
    ],
)
def test_full_coverage_figures(
    rows: dict[str, dict[str, object]],
    points: dict[str, tuple[float, float]],
    indicator: str,
    quote: str,
) -> None:
    """ "100% …" (article of 13/6/2023 on the 2022 results): numerator = denominator, published,
    and the engine gives the indicator's full points."""
    row = rows[indicator]
    assert row["value"] == row["denominator"]
    assert row["provenance"] == "published"
    earned, maximum = points[indicator]
    assert earned == maximum > 0, quote


def test_twenty_video_conference_points(
    rows: dict[str, dict[str, object]], points: dict[str, tuple[float, float]]
) -> None:
    """ "Hệ thống hội nghị truyền hình trực tuyến … (20 điểm cầu kết nối 4 cấp)" """
    assert rows["3.6.1"]["value"] == 20
    assert rows["3.6.1"]["provenance"] == "published"
    assert points["3.6.1"][0] == points["3.6.1"][1]


def test_all_17_communes_connected(rows: dict[str, dict[str, object]]) -> None:
    """ "Hệ thống hội nghị truyền hình trực tuyến từ UBND huyện đến 17/17 xã, thị trấn" """
    row = rows["3.6.2"]
    assert (row["value"], row["denominator"], row["provenance"]) == (17, 17, "published")
    assert (rows["3.5"]["value"], rows["3.5"]["denominator"]) == (17, 17)


def test_online_dossiers_at_least_first_half_figure(rows: dict[str, dict[str, object]]) -> None:
    """ "trong 6 tháng đầu năm 2022 đã có 557 hồ sơ thủ tục hành chính được giải quyết trên môi
    trường điện tử" — a half-year figure: the yearly count (reconstructed) is at least 557."""
    row = rows["6.2.2"]
    assert isinstance(row["value"], float)
    assert row["value"] >= 557
    assert row["provenance"] == "reconstructed"
    manifest = load_dataset("quang-nam-2022").manifest["nui_thanh"]
    assert any("557" in f["published"] for f in manifest["figures"])


def test_nui_thanh_still_third_with_its_published_values() -> None:
    """ "huyện Núi Thành đứng vị trí thứ 03 … với 943 điểm" — with the rows above in the data."""
    units = load_dataset("quang-nam-2022").score().units
    row = units.filter(pl.col("unit") == UNIT).row(0, named=True)
    assert (row["rank"], row["score"]) == (3, 943)
