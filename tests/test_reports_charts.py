"""Chart specs carry the expected data and render offline to PNG and SVG."""

from __future__ import annotations

from typing import Any

import pytest

from dti.engine import DataError
from dti.reports import charts
from test_reports_sample import EXPECTED_2023, sample_result

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def values(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return list(spec["data"]["values"])


def test_bar_totals_has_every_unit_best_first_with_band_colours() -> None:
    spec = charts.bar_totals(sample_result(), "2023")
    rows = values(spec)
    assert [r["Điểm"] for r in rows] == sorted(EXPECTED_2023.values(), reverse=True)
    assert rows[0] == {
        "Đơn vị": "Huyện Bắc Trà My",
        "Nhóm": "Huyện",
        "Điểm": 98.0,
        "Xếp hạng": 1,
        "Xếp loại": "Tốt",
    }
    colour = spec["encoding"]["color"]
    assert colour["scale"]["domain"] == ["Tốt", "Khá", "Trung bình"]
    assert colour["scale"]["range"][0] == charts.BAND_COLOURS[0]
    assert spec["width"] == "container"
    assert spec["config"]["locale"]["number"]["decimal"] == ","


def test_bar_totals_for_one_group_names_it_in_the_title() -> None:
    spec = charts.bar_totals(sample_result(), "2023", "huyen")
    assert {r["Nhóm"] for r in values(spec)} == {"Huyện"}
    assert spec["title"] == "Điểm chuyển đổi số năm 2023 — Huyện"


def test_histogram_bins_the_scores() -> None:
    spec = charts.score_histogram(sample_result(), "2023", "so", bins=5)
    assert sorted(r["Điểm"] for r in values(spec)) == sorted(
        EXPECTED_2023[u] for u in ("GTVT", "TTTT", "XD", "YT", "TNMT", "NV")
    )
    assert spec["encoding"]["x"]["bin"] == {"maxbins": 5}


def test_group_pillar_averages_are_percent_of_pillar_max() -> None:
    rows = values(charts.group_pillar_averages(sample_result(), "2023"))
    by_key = {(r["Nhóm"], r["Trụ cột"]): r["Tỷ lệ điểm (%)"] for r in rows}
    # Huyện, Hạ tầng (max 40): 40, 40, 34, 14 points → 100, 100, 85, 35 % → mean 80.
    assert by_key[("Huyện", "Hạ tầng")] == 80.0
    assert set(by_key) == {(g, p) for g in ("Sở", "Huyện") for p in ("Hạ tầng", "Dịch vụ")}


def test_pillar_profile_compares_unit_group_average_and_leader() -> None:
    spec = charts.pillar_profile(sample_result(), "NT", "2023")
    rows = {(r["Chuỗi"], r["Trụ cột"]): r["Tỷ lệ điểm (%)"] for r in values(spec)}
    assert rows[("Huyện Núi Thành", "Dịch vụ")] == 87.17  # 52,3 of 60
    assert rows[("Trung bình nhóm", "Hạ tầng")] == 80.0
    assert rows[("Dẫn đầu: Huyện Bắc Trà My", "Dịch vụ")] == 96.67
    assert "yOffset" in spec["encoding"]  # grouped bars standing in for a radar


def test_unit_trend_has_both_years_and_the_group_mean() -> None:
    rows = values(charts.unit_trend(sample_result(), "NT"))
    mine = [(r["Năm"], r["Điểm"]) for r in rows if r["Chuỗi"] == "Huyện Núi Thành"]
    assert mine == [("2022", 87.3), ("2023", 92.3)]
    assert any(r["Chuỗi"] == "Trung bình nhóm" for r in rows)


@pytest.mark.parametrize(
    "make",
    [
        lambda r: charts.bar_totals(r, "2023"),
        lambda r: charts.score_histogram(r, "2023"),
        lambda r: charts.group_pillar_averages(r, "2023"),
        lambda r: charts.pillar_profile(r, "NT", "2023"),
        lambda r: charts.unit_trend(r, "NT"),
    ],
)
def test_every_chart_renders_png_and_svg(make: Any) -> None:
    spec = make(sample_result())
    png = charts.render(spec, "png")
    svg = charts.render(spec, "svg")
    assert png.startswith(PNG_MAGIC)
    assert svg.lstrip().startswith(b"<svg")
    assert spec["width"] == "container"  # render works on a copy


def test_svg_prints_vietnamese_labels_and_numbers() -> None:
    svg = charts.render(charts.bar_totals(sample_result(), "2023"), "svg").decode("utf-8")
    assert "Huyện Bắc Trà My" in svg and "Xếp loại" in svg
    assert 'width="' in svg


def test_render_refuses_unknown_formats() -> None:
    with pytest.raises(ValueError, match="unsupported format"):
        charts.render(charts.unit_trend(sample_result(), "NT"), "gif")  # type: ignore[arg-type]


def test_unknown_unit_is_a_data_error() -> None:
    with pytest.raises(DataError):
        charts.pillar_profile(sample_result(), "ZZ", "2023")
