"""A small scored result for the report tests (two groups, two years, a tie, a hostile name).

Other ``test_reports_*`` modules import :func:`sample_result`; the tests here pin the facts the
report tests rely on, so a change in the sample shows up in one place.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from dti.engine import Framework, ScoreResult, load_framework, score

MINI = Path(__file__).parent / "fixtures" / "mini.yaml"
FORMULA_NAME = '=HYPERLINK("http://evil.example","Sở Nội vụ")'

UNITS = [
    ("GTVT", "Sở Giao thông vận tải", "so"),
    ("TTTT", "Sở Thông tin và Truyền thông", "so"),
    ("XD", "Sở Xây dựng", "so"),
    ("YT", "Sở Y tế", "so"),
    ("TNMT", "Sở Tài nguyên và Môi trường", "so"),
    ("NV", FORMULA_NAME, "so"),
    ("BTM", "Huyện Bắc Trà My", "huyen"),
    ("NT", "Huyện Núi Thành", "huyen"),
    ("DG", "Huyện Đông Giang", "huyen"),
    ("HD", "Huyện Hiệp Đức", "huyen"),
]
# 2023 values: 1.1 boolean, 1.2 fraction, 1.3 count, 2.1 ratio tiers, 2.2 points, 2.3 percent.
# Scores are raw points; bands go by the share of the applicable maximum (90 for a sở, which
# has no 2.3; 100 for a huyện): tốt ≥ 80 %, khá ≥ 60 %.
VALUES_2023 = {
    "GTVT": (1, 0.8, 5, 0.8, 19.5, None),  # 89,5 tốt
    "TTTT": (1, 0.8, 5, 0.8, 15, None),  # 85 tốt
    "XD": (1, 0.8, 5, 0.5, 12, None),  # 72 = 80 % tốt (tied 3rd)
    "YT": (1, 0.8, 5, 0.5, 12, None),  # 72 tốt (tied 3rd)
    "TNMT": (1, 0.4, 5, 0.5, 15.25, None),  # 65,25 khá
    "NV": (0, 0.4, 2, 0.3, 10.39, None),  # 34,39 trung bình
    "BTM": (1, 0.8, 5, 0.8, 18, 100),  # 98 tốt
    "NT": (1, 0.8, 5, 0.8, 14.3, 80),  # 92,3 tốt
    "DG": (1, 0.8, 2, 0.5, 10, 50),  # 69 khá
    "HD": (0, 0.4, 2, 0.5, 16.4, 50),  # 55,4 trung bình
}
INDICATORS = ("1.1", "1.2", "1.3", "2.1", "2.2", "2.3")
EXPECTED_2023 = {
    "GTVT": 89.5,
    "TTTT": 85.0,
    "XD": 72.0,
    "YT": 72.0,
    "TNMT": 65.25,
    "NV": 34.39,
    "BTM": 98.0,
    "NT": 92.3,
    "DG": 69.0,
    "HD": 55.4,
}


def sample_framework() -> Framework:
    return load_framework(MINI)


def sample_units() -> pl.DataFrame:
    return pl.DataFrame(UNITS, schema=["unit", "name", "group"], orient="row")


def sample_values() -> pl.DataFrame:
    """2023 as above; 2022 the same with 5 expert points fewer (so every mean rose)."""
    rows = []
    for period, less in (("2022", 5.0), ("2023", 0.0)):
        for unit, values in VALUES_2023.items():
            for indicator, value in zip(INDICATORS, values, strict=True):
                if value is None:
                    continue
                if indicator == "2.2":
                    value = max(value - less, 0.0)
                rows.append((unit, period, indicator, float(value)))
    return pl.DataFrame(rows, schema=["unit", "period", "indicator", "value"], orient="row")


def sample_result() -> ScoreResult:
    return score(sample_framework(), sample_values(), sample_units())


def test_the_sample_scores_as_its_comments_say() -> None:
    units = sample_result().units.filter(pl.col("period") == "2023")
    got = dict(units.select("unit", "score").iter_rows())
    assert got == EXPECTED_2023
    ranks = dict(units.select("unit", "rank").iter_rows())
    assert ranks["XD"] == ranks["YT"] == 3
    assert ranks["NT"] == 2
