"""Results published at a coarser level than the framework's leaves (issue #16): a whole
framework's total (its root), and a node's result with its applicable maximum.

Sources quoted in each test:
* Gia Viễn (Ninh Bình) 2022 self-assessment: "tổng số điểm đạt được là 511,18/765 điểm" —
  Trang thông tin điện tử UBND huyện Gia Viễn, "Thẩm tra, xác minh kết quả tự đánh giá mức độ
  chuyển đổi số năm 2022 của UBND huyện" (Cẩm Vân, 10/7/2023); src/dti/data/gia-vien-2022;
* the provincial DTI 2022 table, dti.gov.vn/xep-hang-2022
  (tests/fixtures/dti-2022-cap-tinh-top5.csv);
* Quảng Nam's DTI 2022 (1206/QĐ-UBND, 13/6/2023): "sở Giao thông vận tải tỉnh đạt 976 điểm",
  Sở Xây dựng 877, Sở Y tế 859, "sở Tài nguyên và Môi trường đứng thấp nhất với số điểm 844"
  (src/dti/data/quang-nam-2022/dataset.yaml).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dti.catalog import resolve_framework
from dti.engine import DataError, score

SCHEMA = {
    "unit": pl.String,
    "period": pl.String,
    "indicator": pl.String,
    "value": pl.Float64,
    "applicable": pl.Boolean,
    "applicable_max": pl.Float64,
}


def values(rows: list[tuple[object, ...]]) -> pl.DataFrame:
    padded = [(*r, *(None,) * (6 - len(r))) for r in rows]
    return pl.DataFrame(padded, schema=SCHEMA, orient="row")


def units(codes: list[str], group: str) -> pl.DataFrame:
    return pl.DataFrame({"unit": codes, "name": codes, "group": [group] * len(codes)})


DISTRICT = resolve_framework("dti-cap-huyen-2022")
NA_LEAVES = [leaf.code for leaf in DISTRICT.leaves() if leaf.na_allowed]  # worth 235


def test_a_districts_total_of_its_applicable_points_is_one_row() -> None:
    """ "511,18/765 điểm": the district's total given on the framework's root, with 765
    applicable points (235 not applicable)."""
    result = score(
        DISTRICT,
        values([("GV-GIAVIEN", "2022", DISTRICT.code, 511.18, True, 765.0)]),
        units(["GV-GIAVIEN"], "huyen"),
    )
    (row,) = result.units.to_dicts()
    assert (row["total"], row["applicable_max"], row["score"]) == (511.18, 765.0, 511.18)
    assert row["percent"] == pytest.approx(66.8209, abs=1e-4)
    assert row["band"] == "nang_cao"  # Lào Cai bands: more than 50 %, at most 75 %


def test_the_not_applicable_parts_may_be_marked_in_the_same_table_instead() -> None:
    """The same 511,18/765, with the twelve leaves that may be N/A (235 points in the shipped
    set; which ones Gia Viễn marked is not known) marked not applicable beside the total."""
    rows: list[tuple[object, ...]] = [("GV-GIAVIEN", "2022", DISTRICT.code, 511.18)]
    rows += [("GV-GIAVIEN", "2022", code, None, False) for code in NA_LEAVES]
    (row,) = score(DISTRICT, values(rows), units(["GV-GIAVIEN"], "huyen")).units.to_dicts()
    assert (row["total"], row["applicable_max"]) == (511.18, 765.0)
    assert row["n_not_applicable"] == 12


def test_an_applicable_maximum_above_the_nodes_own_is_refused() -> None:
    with pytest.raises(DataError, match="applicable maximum 1200 of node dti-cap-huyen-2022"):
        score(
            DISTRICT,
            values([("GV-GIAVIEN", "2022", DISTRICT.code, 511.18, True, 1200.0)]),
            units(["GV-GIAVIEN"], "huyen"),
        )


def test_a_pillar_with_its_applicable_maximum_rescales_its_leaves() -> None:
    """A pillar given as points of its applicable part: 8 (An toàn thông tin mạng, 100 points,
    of which 5.1 and 5.2 may be N/A) given as 42.63 of its applicable maximum. Illustrative
    figures on the shipped set (only the form is tested here)."""
    fw = DISTRICT.model_copy(deep=True)
    node = fw.node("5")
    object.__setattr__(node, "direct_input", "points")
    na_max = sum(fw.node(c).max for c in ("5.1", "5.2"))
    result = score(
        fw,
        values([("H", "2022", "5", 42.63, True, 100 - na_max)]),
        units(["H"], "huyen"),
    )
    (pillar,) = result.pillars.filter(pl.col("pillar") == "5").to_dicts()
    assert (pillar["points"], pillar["max"]) == (42.63, 100 - na_max)
    (row,) = result.units.to_dicts()
    assert row["applicable_max"] == 1000 - na_max


def test_a_national_table_of_totals_alone_ranks_as_published() -> None:
    """Only the provincial DTI of each province (dti.gov.vn/xep-hang-2022, "XẾP HẠNG DTI"):
    each row names the framework's root; the index and the ranks are those printed."""
    fw = resolve_framework("dti-cap-tinh-922-2022")
    table = pl.read_csv(Path(__file__).parent / "fixtures" / "dti-2022-cap-tinh-top5.csv")
    rows = [(p, "2022", fw.code, v) for p, v in table.select("province", "pdti").iter_rows()]
    result = score(fw, values(rows), units(table["province"].to_list(), "tinh"))
    got = result.units.join(
        table.select(pl.col("province").alias("unit"), "pdti", "rank"), on="unit"
    )
    assert (got["score"] == got["pdti"]).all()
    assert (got["rank"] == got["rank_right"]).all()


def test_a_rescaled_framework_takes_the_published_score() -> None:
    """Quảng Nam's departments 2022 as printed (976, 877, 859, 844 of 1,000) on the rescaled
    department set: ranks 1–4, Tốt for 976 and Khá for the others (as published)."""
    fw = resolve_framework("dti-so-nganh-2022")
    printed = {"QN-SGTVT": 976.0, "QN-SXD": 877.0, "QN-SYT": 859.0, "QN-STNMT": 844.0}
    rows = [(u, "2022", fw.code, v) for u, v in printed.items()]
    result = score(fw, values(rows), units(list(printed), "co_tthc"))
    got = {r["unit"]: (r["score"], r["rank"], r["band"]) for r in result.units.to_dicts()}
    assert got == {
        "QN-SGTVT": (976.0, 1, "tot"),
        "QN-SXD": (877.0, 2, "kha"),
        "QN-SYT": (859.0, 3, "kha"),
        "QN-STNMT": (844.0, 4, "kha"),
    }


def test_the_root_and_a_pillar_of_the_same_unit_are_refused() -> None:
    with pytest.raises(DataError, match="give either dti-cap-huyen-2022 or its components"):
        score(
            DISTRICT,
            values([("H", "2022", DISTRICT.code, 500.0), ("H", "2022", "1.1", 20.0)]),
            units(["H"], "huyen"),
        )


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 100_000).map(lambda n: n / 100),  # an applicable maximum, 2 decimals
    st.floats(0, 1),
)
def test_a_total_of_its_applicable_maximum_is_reported_as_given(
    applicable: float, share: float
) -> None:
    """Whatever part of the district set applies, a total given on the root with its
    applicable maximum is that total of that maximum: the percentage and the band follow."""
    applicable = min(applicable, 1000.0)
    total = round(applicable * share, 2)
    (row,) = score(
        DISTRICT,
        values([("H", "2022", DISTRICT.code, total, True, applicable)]),
        units(["H"], "huyen"),
    ).units.to_dicts()
    assert row["total"] == pytest.approx(total, abs=0.005)
    assert row["applicable_max"] == pytest.approx(applicable)
    assert row["percent"] == pytest.approx(100 * total / applicable, abs=1e-3)
    expected = next(
        b.code
        for b in DISTRICT.bands
        if (row["percent"] > b.min_percent if b.strict else row["percent"] >= b.min_percent)
    )
    assert row["band"] == expected
