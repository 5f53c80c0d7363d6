"""Gia Viễn (Ninh Bình) 2022: self-assessment and verification, via the engine."""

from __future__ import annotations

import polars as pl
import pytest

from dti.data import load_dataset
from dti.engine import ScoreResult

DISTRICT = "GV-GIAVIEN"
FOUNDATION = ("1", "2", "3", "4", "5")


@pytest.fixture(scope="module")
def assessed() -> ScoreResult:
    return load_dataset("gia-vien-2022").score("values")


@pytest.fixture(scope="module")
def verified() -> ScoreResult:
    return load_dataset("gia-vien-2022").score("verified")


def _district(result: ScoreResult) -> dict[str, object]:
    return result.units.filter(pl.col("unit") == DISTRICT).row(0, named=True)


def test_self_assessment_511_18_of_765(assessed: ScoreResult) -> None:
    """ "Theo kết quả tự đánh giá mức độ chuyển đổi số của UBND huyện năm 2022, tổng số điểm đạt
    được là 511,18/765 điểm." """
    row = _district(assessed)
    assert (row["score"], row["applicable_max"]) == (511.18, 765.0)


def test_41_of_72_completed_or_basically_completed(assessed: ScoreResult) -> None:
    """ "Huyện đã hoàn thành và cơ bản hoàn thành 41/72 chỉ số" """
    row = _district(assessed)
    assert row["n_hoan_thanh"] + row["n_co_ban_hoan_thanh"] == 41


def test_31_of_72_low_or_not_done(assessed: ScoreResult) -> None:
    """ "có 31/72 chỉ số hoàn thành thấp hoặc chưa thực hiện được" — the 12 indicators not
    deployed (not applicable, the 235 points outside 765) count among them."""
    row = _district(assessed)
    low = row["n_thap"] + row["n_chua_thuc_hien"] + row["n_not_applicable"]
    assert low == 31
    assert row["n_not_applicable"] == 12
    total = low + row["n_hoan_thanh"] + row["n_co_ban_hoan_thanh"]
    assert total == 72


def _commune_levels(result: ScoreResult) -> pl.DataFrame:
    detail = result.indicators.filter(pl.col("unit") != DISTRICT)
    return detail.with_columns(
        foundation=pl.col("indicator").str.split(".").list.first().is_in(FOUNDATION),
        done=pl.col("level").is_in(["hoan_thanh", "co_ban_hoan_thanh"]),
    )


def test_most_communes_complete_the_25_foundation_indicators(verified: ScoreResult) -> None:
    """ "đa số các xã, thị trấn đã hoàn thành và cơ bản hoàn thành 25/50 chỉ số thuộc các nhóm:
    Nhận thức số, Thể chế số, Hạ tầng số; Nhân lực số; An toàn thông tin mạng. Thực hiện ở mức
    thấp hoặc chưa thực hiện được 25/50 chỉ số thuộc các nhóm: Hoạt động chính quyền số; Hoạt động
    kinh tế số; Hoạt động xã hội số." — after verification."""
    per_commune = (
        _commune_levels(verified)
        .group_by("unit")
        .agg(
            n=pl.len(),
            done=pl.col("done").sum(),
            foundation_done=(pl.col("done") & pl.col("foundation")).sum(),
            activity_done=(pl.col("done") & ~pl.col("foundation")).sum(),
        )
    )
    assert (per_commune["n"] == 50).all()
    assert (per_commune["foundation_done"] == 25).all()
    exactly = per_commune.filter((pl.col("done") == 25) & (pl.col("activity_done") == 0))
    assert exactly.height > per_commune.height / 2  # "đa số": most, not necessarily all


def test_verification_covers_the_8_pillars_and_two_site_visits() -> None:
    """ "Tổ Công tác đã tập trung thẩm tra, xác minh, đánh giá 8 chỉ số … và kiểm tra thực tế tại
    xã Gia Phương và Gia Vượng." """
    dataset = load_dataset("gia-vien-2022")
    verification = dataset.manifest["verification"]
    assert len(verification["pillars_verified"]) == 8
    framework = dataset.frameworks["huyen"]
    assert verification["pillars_verified"] == [p.name.vi for p in framework.tree]
    visits = [v["unit"] for v in verification["site_visits"]]
    assert visits == ["GV-GIAPHUONG", "GV-GIAVUONG"]
    names = dict(dataset.units.select("unit", "name").iter_rows())
    assert [names[v] for v in visits] == ["UBND xã Gia Phương", "UBND xã Gia Vượng"]


def test_every_verification_change_has_a_reason() -> None:
    """The verified file differs from the self-assessment only where a reason is given."""
    dataset = load_dataset("gia-vien-2022")
    keys = ["unit", "period", "indicator"]
    both = dataset.values["values"].join(dataset.values["verified"], on=keys, suffix="_v")
    changed = both.filter(
        (pl.col("value") != pl.col("value_v")) | (pl.col("denominator") != pl.col("denominator_v"))
    )
    with_reason = both.filter(pl.col("reason").fill_null("") != "")
    assert changed.height > 0
    assert sorted(changed["indicator"]) == sorted(with_reason["indicator"])
    visited = set(changed.filter(pl.col("unit") != DISTRICT)["unit"])
    assert visited == {"GV-GIAPHUONG", "GV-GIAVUONG"}


def test_verified_district_score_is_not_higher(
    assessed: ScoreResult, verified: ScoreResult
) -> None:
    """Verification only removed points the evidence did not support (reconstructed)."""
    assert _district(verified)["total"] < _district(assessed)["total"]
