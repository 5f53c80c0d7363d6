"""Chart specs carry the expected data and render offline to PNG and SVG."""

from __future__ import annotations

import re
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


def test_histogram_counts_every_unit_once_in_round_intervals() -> None:
    spec = charts.score_histogram(sample_result(), "2023", "so", bins=5)
    rows = values(spec)
    assert sum(r["Số đơn vị"] for r in rows) == 6
    scores = [EXPECTED_2023[u] for u in ("GTVT", "TTTT", "XD", "YT", "TNMT", "NV")]
    for score in scores:
        assert any(r["Từ"] <= score < r["Đến"] for r in rows), score
    widths = {round(r["Đến"] - r["Từ"], 6) for r in rows}
    assert len(widths) == 1 and widths.pop() in (1, 2, 5, 10, 20, 50, 100)
    assert spec["encoding"]["y"]["axis"]["values"][0] == 0


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


# -- what a reader sees in the rendered SVG -----------------------------------------------------


def _svg_blocks(svg: bytes, role: str) -> list[list[str]]:
    """The texts of each element of one kind (``axis-label``: one block per axis,
    ``legend-label``) of a rendered chart."""
    text = svg.decode("utf-8")
    return [
        re.findall(r"<text[^>]*>([^<]*)</text>", part.split("</g>", 1)[0])
        for part in text.split(f'class="mark-text role-{role}"')[1:]
    ]


def _svg_texts(svg: bytes, role: str) -> list[str]:
    return [t for block in _svg_blocks(svg, role) for t in block]


ALL_CHARTS = {
    "totals": lambda r, lang: charts.bar_totals(r, "2023", language=lang),
    "histogram": lambda r, lang: charts.score_histogram(r, "2023", "so", language=lang),
    "pillars": lambda r, lang: charts.group_pillar_averages(r, "2023", language=lang),
    "profile": lambda r, lang: charts.pillar_profile(r, "NT", "2023", language=lang),
    "trend": lambda r, lang: charts.unit_trend(r, "NT", language=lang),
}


@pytest.mark.parametrize("width", [charts.NARROW_WIDTH, charts.PNG_WIDTH])
@pytest.mark.parametrize("name", sorted(ALL_CHARTS))
def test_no_chart_repeats_a_tick_label_at_phone_or_desktop_width(name: str, width: int) -> None:
    svg = charts.render(ALL_CHARTS[name](sample_result(), "vi"), "svg", width=width)
    for axis in _svg_blocks(svg, "axis-label"):
        numeric = [t for t in axis if re.fullmatch(r"[\d.,]+", t)]
        assert len(numeric) == len(set(numeric)), (name, axis)


def test_a_count_axis_has_integer_ticks_only() -> None:
    # the sample's departments: 0, 1, 1, 2, 2 was printed before the ticks were computed here
    svg = charts.render(ALL_CHARTS["histogram"](sample_result(), "vi"), "svg", width=360)
    _x_axis, y_axis = _svg_blocks(svg, "axis-label")
    assert y_axis == [str(n) for n in range(len(y_axis))], y_axis


@pytest.mark.parametrize("largest", [1, 2, 3, 5, 7, 12, 48, 230, 3321])
def test_count_ticks_are_distinct_integers_reaching_the_largest(largest: int) -> None:
    ticks = charts.count_ticks(largest)
    assert ticks[0] == 0 and ticks[-1] >= largest
    assert len(ticks) <= 7 and len(set(ticks)) == len(ticks)
    assert all(isinstance(t, int) for t in ticks)


def test_the_legend_names_every_series() -> None:
    result = sample_result()
    svg = charts.render(charts.group_pillar_averages(result, "2023"), "svg")
    assert set(_svg_texts(svg, "legend-label")) >= {"Sở", "Huyện"}
    svg = charts.render(charts.pillar_profile(result, "NT", "2023"), "svg")
    assert set(_svg_texts(svg, "legend-label")) == {
        "Huyện Núi Thành",
        "Trung bình nhóm",
        "Dẫn đầu: Huyện Bắc Trà My",
    }


@pytest.mark.parametrize("name", sorted(ALL_CHARTS))
def test_english_charts_print_no_vietnamese_label(name: str) -> None:
    spec = ALL_CHARTS[name](sample_result(), "en")
    assert spec["config"]["locale"]["number"]["decimal"] == "."
    svg = charts.render(spec, "svg").decode("utf-8")
    for word in ("Điểm", "Xếp loại", "Số đơn vị", "Trụ cột", "Trung bình", "Năm", "Nhóm"):
        assert f">{word}" not in svg, (name, word)


def test_pillar_charts_hold_one_frameworks_pillars() -> None:
    result = sample_result()
    by_framework = charts.pillar_frameworks(result)
    assert sum(len(g) for g in by_framework.values()) == 2
    for code in by_framework:
        spec = charts.group_pillar_averages(result, "2023", framework=code)
        assert {r["Nhóm"] for r in values(spec)} <= {"Sở", "Huyện"}
    with pytest.raises(DataError):
        charts.group_pillar_averages(result, "2023", framework="no-such-framework")


def test_bars_link_to_the_rows_behind_them() -> None:
    spec = charts.bar_totals(sample_result(), "2023", links={"NT": "/units/7/"})
    assert spec["encoding"]["href"]["condition"]["field"] == "href"
    linked = [r for r in values(spec) if "href" in r]
    assert [r["Đơn vị"] for r in linked] == ["Huyện Núi Thành"]
    svg = charts.render(spec, "svg").decode("utf-8")
    assert re.findall(r'<a xlink:href="([^"]*)"', svg) == ["/units/7/"]
