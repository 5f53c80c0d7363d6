"""A unit's scorecard as data and as PDF."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest

from dti.engine import DataError, score
from dti.reports.scorecard import adjustments_between, scorecard_pdf, unit_scorecard
from test_reports_sample import sample_framework, sample_result, sample_units, sample_values


def verified_result() -> pl.DataFrame:
    """Verifiers found no LAN at Núi Thành (1.1: 1 → 0)."""
    values = sample_values().with_columns(
        pl.when((pl.col("unit") == "NT") & (pl.col("indicator") == "1.1"))
        .then(0.0)
        .otherwise(pl.col("value"))
        .alias("value")
    )
    return adjustments_between(sample_result(), score(sample_framework(), values, sample_units()))


def test_scorecard_facts() -> None:
    card = unit_scorecard(sample_result(), "NT", "2023")
    assert (card.name, card.rank, card.group_size, card.band_name) == (
        "Huyện Núi Thành",
        2,
        4,
        "Tốt",
    )
    assert card.score == 92.3 and card.leader_name == "Huyện Bắc Trà My"
    assert card.group_mean == pytest.approx(78.675)
    services = next(p for p in card.pillars if p.pillar == "2")
    assert (services.points, services.max, services.percent) == (52.3, 60.0, 87.17)
    assert services.leader_percent == 96.67
    assert card.trend == (("2022", 87.3), ("2023", 92.3))
    assert card.weakest[0].indicator == "2.2"  # 14,3 of 20
    assert all(line.percent == 100.0 for line in card.strongest[:4])
    assert card.not_done == ()


def test_indicators_not_done_include_those_never_entered() -> None:
    card = unit_scorecard(sample_result(), "NV", "2023")
    # Sở Nội vụ: no LAN (1.1 = 0); 2.3 does not apply to a sở.
    assert [line.indicator for line in card.not_done] == ["1.1"]
    values = sample_values().filter(~((pl.col("unit") == "NV") & (pl.col("indicator") == "2.2")))
    partial = score(sample_framework(), values, sample_units())
    card = unit_scorecard(partial, "NV", "2023")
    missing = [line for line in card.not_done if line.indicator == "2.2"]
    assert missing and missing[0].level == "Chưa nhập" and missing[0].max == 20.0


def test_verifier_adjustments() -> None:
    adjustments = verified_result()
    assert adjustments.filter(pl.col("period") == "2023").to_dicts() == [
        {
            "unit": "NT",
            "period": "2023",
            "indicator": "1.1",
            "assessed": 10.0,
            "verified": 0.0,
            "change": -10.0,
        }
    ]
    card = unit_scorecard(sample_result(), "NT", "2023", adjustments=adjustments)
    assert [(a.indicator, a.name, a.change) for a in card.adjustments] == [
        ("1.1", "Có mạng LAN", -10.0)
    ]


def test_unknown_unit_is_a_data_error() -> None:
    with pytest.raises(DataError, match="unit 'ZZ'"):
        unit_scorecard(sample_result(), "ZZ")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_scorecard_pdf_has_the_unit_pillars_and_chart(tmp_path: Path) -> None:
    pdf = scorecard_pdf(sample_result(), "NT", "2023", adjustments=verified_result())
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "card.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    for expected in (
        "Huyện Núi Thành",
        "92,30",
        "Dịch vụ",
        "Điều chỉnh khi thẩm định",
        "Có mạng LAN",
    ):
        assert expected in text, expected
    images = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True
    ).stdout
    assert len(images.strip().splitlines()) >= 3  # header lines + the embedded chart


def test_bonus_and_penalty_items_are_not_indicators_of_the_scorecard() -> None:
    """A penalty at 0 (no security incident) is good news, not an indicator "not done"."""
    from dti.engine import load_framework

    framework = load_framework(Path(__file__).parent / "fixtures" / "mini.yaml")
    units = pl.DataFrame({"unit": ["A"], "name": ["Sở A"], "group": ["so"]})
    values = pl.DataFrame(
        {
            "unit": "A",
            "period": "2024",
            "indicator": ["1.1", "1.2", "1.3", "2.1", "2.2", "T1", "P1"],
            "value": [1.0, 1.0, 1.0, 0.9, 10.0, 2.0, 0.0],
        }
    )
    card = unit_scorecard(score(framework, values, units), "A", frameworks=[framework])
    shown = {line.indicator for line in (*card.strongest, *card.weakest, *card.not_done)}
    assert shown.isdisjoint({"T1", "P1"})
    assert {line.indicator for line in card.weakest} >= {"1.3", "2.2"}
