"""The national provincial DTI (Quyết định 922/QĐ-BTTTT) reproduces the published 2022 table.

Source: Bộ Thông tin và Truyền thông, "Báo cáo xếp hạng — Đánh giá mức độ chuyển đổi số năm
2022", dti.gov.vn/xep-hang-2022, table "Xếp hạng chi tiết": per province the eight scored
main-indicator indices (Nhận thức số … Hoạt động xã hội số) and the provincial DTI (PDTI).
The five leading provinces are in tests/fixtures/dti-2022-cap-tinh-top5.csv.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from dti.catalog import resolve_framework
from dti.engine import score

TABLE = pl.read_csv(Path(__file__).parent / "fixtures" / "dti-2022-cap-tinh-top5.csv")
# Columns of the published table → main-indicator codes of the 922 framework ("6", Đô thị
# thông minh, carries no points and is not in the table).
COLUMNS = {
    "nhan_thuc_so": "1",
    "the_che_so": "2",
    "ha_tang_so": "3",
    "nhan_luc_so": "4",
    "an_toan_thong_tin_mang": "5",
    "hoat_dong_chinh_quyen_so": "7",
    "hoat_dong_kinh_te_so": "8",
    "hoat_dong_xa_hoi_so": "9",
}


@pytest.fixture(scope="module")
def results() -> pl.DataFrame:
    framework = resolve_framework("dti-cap-tinh-922-2022")
    units = TABLE.select(
        pl.col("province").alias("unit"),
        pl.col("province").alias("name"),
        pl.lit("tinh").alias("group"),
    )
    values = TABLE.unpivot(
        on=list(COLUMNS), index="province", variable_name="column", value_name="value"
    ).select(
        pl.col("province").alias("unit"),
        pl.lit("2022").alias("period"),
        pl.col("column").replace_strict(COLUMNS).alias("indicator"),
        "value",
    )
    return score(framework, values, units).units.join(
        TABLE.select(pl.col("province").alias("unit"), "pdti", pl.col("rank").alias("published")),
        on="unit",
    )


def test_published_dti_is_reproduced_to_four_decimals(results: pl.DataFrame) -> None:
    """ "1 TP. Đà Nẵng … 0.8002; 3 Quảng Ninh … 0.7024; 4 Thừa Thiên - Huế … 0.6975;
    5 TP. Cần Thơ … 0.6924" (dti.gov.vn/xep-hang-2022)."""
    exact = results.filter(pl.col("unit") != "TP. Hồ Chí Minh")
    assert exact.height == 4
    assert (exact["score"] == exact["pdti"]).all()


def test_the_one_difference_is_the_rounding_of_the_published_inputs(
    results: pl.DataFrame,
) -> None:
    """ "2 TP. Hồ Chí Minh 0.8917 0.9000 0.8258 0.6267 0.5580 0.8406 0.7611 0.3590 0.7163".

    The published indices are themselves rounded to 4 decimals. Their weighted sum is
    0.716355 — exactly on a rounding boundary — so 0.7163 (from the unrounded indices) and
    0.7164 (from the rounded ones) are both consistent with the table; no rule applied to the
    published inputs can tell them apart. The rank is unaffected.
    """
    row = results.filter(pl.col("unit") == "TP. Hồ Chí Minh").row(0, named=True)
    assert row["score_exact"] == pytest.approx(0.716355)
    # Eight inputs each off by at most 0.00005 (weights summing to 1,000) put the true sum in
    # [0.716305, 0.716405]; the published 0.7163 stands for [0.71625, 0.71635): they overlap.
    true_low, true_high = row["score_exact"] - 0.00005, row["score_exact"] + 0.00005
    published_low, published_high = row["pdti"] - 0.00005, row["pdti"] + 0.00005
    assert true_low < published_high and published_low <= true_high
    assert row["score"] != row["pdti"]  # the boundary case is real, not hidden
    assert row["rank"] == 2


def test_published_ranks_are_reproduced(results: pl.DataFrame) -> None:
    """ "XẾP HẠNG DTI … 1 TP. Đà Nẵng, 2 TP. Hồ Chí Minh, 3 Quảng Ninh, 4 Thừa Thiên - Huế,
    5 TP. Cần Thơ" (dti.gov.vn/xep-hang-2022)."""
    assert (results["rank"] == results["published"]).all()


def test_unrounded_index_is_kept_beside_the_published_value(results: pl.DataFrame) -> None:
    """Quảng Ninh's weighted sum is 0.702445, published as 0.7024."""
    row = results.filter(pl.col("unit") == "Quảng Ninh").row(0, named=True)
    assert row["score_exact"] == pytest.approx(0.702445)
    assert row["score"] == 0.7024
