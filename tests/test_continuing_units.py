"""Mergers in which the successor keeps a predecessor's name and code (issue #16).

Every province merger of 1 July 2025 kept one predecessor's name: Nghị quyết 202/2025/QH15
(12/6/2025) joined Quảng Nam to TP. Đà Nẵng, Bình Dương and Bà Rịa – Vũng Tàu to TP. Hồ Chí
Minh, Sóc Trăng and Hậu Giang to TP. Cần Thơ. The 2024 values of the merged provinces were
"giá trị trung bình cộng các chỉ số chính của DTI các tỉnh trước sáp nhập" (huengaynay.vn
159011, 20/10/2025; /work/shared/reference/frameworks/national-405-bkhcn-2025.md).

Published figures: the 2022 provincial DTI table, dti.gov.vn/xep-hang-2022 (TP. Đà Nẵng 0.8002,
TP. Hồ Chí Minh 0.7163, Thừa Thiên - Huế 0.6975; main indices in
tests/fixtures/dti-2022-cap-tinh-top5.csv) and Quảng Nam's 2022 DTI 0.5808 (same table, quoted in
src/dti/frameworks/dti-cap-tinh-922-2022.yaml). The "2025" rows of the continuing cities are
illustrative (their 2025 results are not in the sources): only the derived 2022 side is tested.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dti.catalog import resolve_framework
from dti.engine import DataError, Registry, ScoreResult, score

FW = resolve_framework("dti-cap-tinh-922-2022")
TABLE = pl.read_csv(Path(__file__).parent / "fixtures" / "dti-2022-cap-tinh-top5.csv")
CODES = {"TP. Đà Nẵng": "DN", "TP. Hồ Chí Minh": "HCM", "Thừa Thiên - Huế": "HUE"}
MAIN = ["1", "2", "3", "4", "5", "7", "8", "9"]
COLUMNS = [c for c in TABLE.columns if c not in ("province", "rank", "pdti")]
MERGED = dt.date(2025, 7, 1)
BASIS = "Nghị quyết 202/2025/QH15"


def main_indices(unit: str, period: str) -> list[tuple[str, str, str, float | None]]:
    province = next(p for p, c in CODES.items() if c == unit)
    row = TABLE.filter(pl.col("province") == province).row(0, named=True)
    return [(unit, period, code, row[col]) for code, col in zip(MAIN, COLUMNS, strict=True)]


def values(rows: list[tuple[str, str, str, float | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "unit": pl.String,
            "period": pl.String,
            "indicator": pl.String,
            "value": pl.Float64,
        },
        orient="row",
    )


def units(codes: list[str], ended: tuple[str, ...] = ()) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "unit": codes,
            "name": codes,
            "group": ["tinh"] * len(codes),
            "valid_to": [MERGED - dt.timedelta(days=1) if c in ended else None for c in codes],
        },
        schema={"unit": pl.String, "name": pl.String, "group": pl.String, "valid_to": pl.Date},
    )


def lineage(edges: list[tuple[str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(MERGED, kind, src, dst, None, BASIS) for kind, src, dst in edges],
        schema={
            "date": pl.Date,
            "kind": pl.String,
            "from": pl.String,
            "to": pl.String,
            "weight": pl.Float64,
            "basis": pl.String,
        },
        orient="row",
    )


def row(result: ScoreResult, unit: str, period: str) -> dict[str, object]:
    (found,) = result.units.filter(
        (pl.col("unit") == unit) & (pl.col("period") == period)
    ).to_dicts()
    return found


# Đà Nẵng's 2022 indices, Quảng Nam's 2022 DTI as its total (the framework's root), and an
# illustrative 2025 row for the continuing city.
DA_NANG = values(
    [
        *main_indices("DN", "2022"),
        ("QNAM", "2022", FW.code, 0.5808),
        *main_indices("DN", "2025"),
    ]
)


@pytest.mark.parametrize(
    "edges",
    [
        pytest.param([("absorb", "QNAM", "DN")], id="absorb"),
        pytest.param([("merge", "DN", "DN"), ("merge", "QNAM", "DN")], id="merge naming itself"),
    ],
)
def test_da_nang_is_compared_with_the_mean_of_da_nang_and_quang_nam(
    edges: list[tuple[str, str, str]],
) -> None:
    """(0.8002 + 0.5808) / 2 = 0.6905, marked derived — not Đà Nẵng's own 0.8002."""
    result = score(FW, DA_NANG, units(["DN", "QNAM"], ended=("QNAM",)), lineage=lineage(edges))
    da_nang = row(result, "DN", "2025")
    assert da_nang["previous_period"] == "2022"
    assert da_nang["previous_score"] == 0.6905
    assert da_nang["previous_derived"] is True
    assert da_nang["previous_partial"] is False
    # The predecessors' own 2022 results are untouched.
    assert row(result, "DN", "2022")["score"] == 0.8002
    assert row(result, "QNAM", "2022")["score"] == 0.5808


def test_the_units_table_may_name_the_continuing_unit_among_its_predecessors() -> None:
    table = units(["DN", "QNAM"], ended=("QNAM",)).with_columns(
        predecessors=pl.Series(["DN;QNAM", None], dtype=pl.String)
    )
    result = score(FW, DA_NANG, table)
    assert row(result, "DN", "2025")["previous_score"] == 0.6905


def test_pillars_of_the_continuing_unit_are_derived_from_all_its_predecessors() -> None:
    result = score(
        FW,
        DA_NANG,
        units(["DN", "QNAM"], ended=("QNAM",)),
        lineage=lineage([("absorb", "QNAM", "DN")]),
    )
    pillars = result.pillars.filter((pl.col("unit") == "DN") & (pl.col("period") == "2025"))
    own = result.pillars.filter(pl.col("period") == "2022")
    for pillar in ("I", "II"):
        got = pillars.filter(pl.col("pillar") == pillar).row(0, named=True)
        both = own.filter(pl.col("pillar") == pillar)["points"]
        assert got["previous_points"] == pytest.approx(both.mean())
        assert got["previous_derived"] is True


def test_a_plain_merge_into_the_namesake_is_refused_with_a_clear_message() -> None:
    """Recorded as an ordinary merge, Quảng Nam → Đà Nẵng would have compared Đà Nẵng with its
    own 0.8002 alone without a word; now the lineage must say that Đà Nẵng went on."""
    with pytest.raises(DataError) as caught:
        score(
            FW,
            values([*DA_NANG.rows(), *main_indices("HCM", "2022")]),
            units(["DN", "QNAM", "HCM"], ended=("QNAM",)),
            lineage=lineage([("merge", "QNAM", "DN"), ("merge", "HCM", "DN")]),
        )
    text = str(caught.value)
    assert "unit 'DN' has its own value for 2022" in text
    assert "record the event as 'absorb'" in text


def test_absorbing_some_and_merging_others_without_naming_itself_is_refused() -> None:
    with pytest.raises(DataError, match="record every edge into 'DN' as 'absorb'"):
        Registry.build(
            units(["DN", "QNAM", "HCM"]),
            lineage([("absorb", "QNAM", "DN"), ("merge", "HCM", "DN")]),
        )


def test_a_unit_cannot_succeed_itself_alone() -> None:
    with pytest.raises(DataError, match="cannot succeed itself"):
        Registry.build(units(["DN"]), lineage([("merge", "DN", "DN")]))


def test_a_derived_mean_ending_in_5_is_rounded_half_up_as_published() -> None:
    """(0.8002 + 0.6975) / 2 = 0.74885: published at 4 decimals, half up, that is 0.7489. In
    binary floating point 0.74885 is 0.748849999…, which Polars' round made 0.7488. The pairing
    of Đà Nẵng with Huế is illustrative (Huế did not merge); the two figures are published."""
    result = score(
        FW,
        values(
            [*main_indices("DN", "2022"), *main_indices("HUE", "2022"), *main_indices("DN", "2025")]
        ),
        units(["DN", "HUE"], ended=("HUE",)),
        lineage=lineage([("absorb", "HUE", "DN")]),
    )
    assert pl.Series([(0.8002 + 0.6975) / 2]).round(4)[0] == 0.7488  # the old rounding
    assert row(result, "DN", "2025")["previous_score"] == 0.7489


HCM = values([*main_indices("HCM", "2022"), *main_indices("HCM", "2025")])
HCM_UNITS = units(["HCM", "BD", "BRVT"], ended=("BD", "BRVT"))
HCM_LINEAGE = lineage([("absorb", "BD", "HCM"), ("absorb", "BRVT", "HCM")])


def test_a_derivation_missing_predecessors_says_so() -> None:
    """Bình Dương's and Bà Rịa – Vũng Tàu's 2022 values are not in the table: the comparable
    value of the continuing TP. Hồ Chí Minh is its own 2022 score alone (0.7164 from the
    published indices, 0.7163 printed: see tests/test_national_922.py), marked partial, naming
    them."""
    result = score(FW, HCM, HCM_UNITS, lineage=HCM_LINEAGE)
    city = row(result, "HCM", "2025")
    assert city["previous_score"] == row(result, "HCM", "2022")["score"] == 0.7164
    assert city["previous_derived"] is True
    assert city["previous_partial"] is True
    assert city["previous_missing"] == "BD;BRVT"


def test_a_framework_may_refuse_partial_history() -> None:
    strict = FW.model_copy(update={"history_partial": "refuse"})
    with pytest.raises(DataError) as caught:
        score(strict, HCM, HCM_UNITS, lineage=HCM_LINEAGE)
    text = str(caught.value)
    assert "the 2022 value of 'HCM' cannot be derived" in text
    assert "BD, BRVT" in text


def test_before_the_event_the_continuing_unit_is_compared_with_itself() -> None:
    """2023 against 2022, both before 1 July 2025: Đà Nẵng alone (the 2023 row is
    illustrative)."""
    result = score(
        FW,
        values(
            [
                *main_indices("DN", "2022"),
                ("QNAM", "2022", FW.code, 0.5808),
                *main_indices("DN", "2023"),
            ]
        ),
        units(["DN", "QNAM"], ended=("QNAM",)),
        lineage=lineage([("absorb", "QNAM", "DN")]),
    )
    da_nang = row(result, "DN", "2023")
    assert (da_nang["previous_score"], da_nang["previous_derived"]) == (0.8002, False)


RANKING = Path(__file__).parent / "fixtures" / "ranking.yaml"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 100_000), min_size=2, max_size=4),
    st.integers(0, 100_000),
)
def test_a_continuing_units_previous_value_is_the_half_up_mean_of_all_its_sources(
    cents: list[int], current: int
) -> None:
    """Property: whatever the scores (in hundredths, as published), the continuing unit's
    previous value is their mean rounded half up at 2 decimals, and every source keeps its
    own result."""
    from decimal import ROUND_HALF_UP, Decimal

    from dti.engine import load_framework

    fw = load_framework(RANKING)
    codes = [f"U{i}" for i in range(len(cents))]

    def split(unit: str, period: str, total: float) -> list[tuple[str, str, str, float]]:
        a = min(total, 600.0)
        return [(unit, period, "A.1", a), (unit, period, "B.1", round(total - a, 9))]

    rows = [r for code, c in zip(codes, cents, strict=True) for r in split(code, "2024", c / 100)]
    rows += split("U0", "2025", current / 100)
    result = score(
        fw,
        values(rows),
        units(codes, ended=tuple(codes[1:])),
        lineage=lineage([("absorb", code, "U0") for code in codes[1:]]),
    )
    mean = (sum(Decimal(c) for c in cents) / len(cents) / 100).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    assert row(result, "U0", "2025")["previous_score"] == float(mean)
    for code, c in zip(codes, cents, strict=True):
        assert row(result, code, "2024")["score"] == c / 100


def _resolved(sources: list[float], method: str = "mean") -> Decimal:
    """The continuing unit U0's 2024 value derived from ``sources`` (U0's own first)."""
    from dti.engine.derivation import Resolver
    from dti.engine.framework import HistoryMethod

    codes = [f"U{i}" for i in range(len(sources))]
    registry = Registry.build(
        units(codes, ended=tuple(codes[1:])),
        lineage([("absorb", code, "U0") for code in codes[1:]]),
    )
    lookup = {(code, "2024"): v for code, v in zip(codes, sources, strict=True)}
    got = Resolver(lookup, registry, HistoryMethod(method)).value("U0", ("2024",), now="2025")
    assert got is not None and got.derived
    return got.value


def test_506_365_is_published_as_506_37() -> None:
    """The issue's case: the mean of 506,36 and 506,37 is 506,365 exactly, rounded half up at
    the published 2 decimals to 506,37 (NumPy's binary round gives 506,36)."""
    from dti.engine.rounding import round_decimal

    mean = _resolved([506.36, 506.37])
    assert mean == Decimal("506.365")
    assert round_decimal(mean, 2) == 506.37
    assert float(np.round((506.36 + 506.37) / 2, 2)) == 506.36  # the binary rounding


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-(10**7), 10**7), min_size=2, max_size=8),
    st.integers(0, 4),
    st.integers(0, 4),
)
def test_a_derived_mean_is_the_exact_decimal_mean_rounded_half_up(
    units_of: list[int], scale: int, decimals: int
) -> None:
    """Property: for sources with up to 4 decimals (what tables print) and any published
    precision, the derived value is the exact decimal mean, rounded half up (away from zero)."""
    from decimal import ROUND_HALF_UP

    from dti.engine.rounding import round_decimal

    exact = [Decimal(u).scaleb(-scale) for u in units_of]
    got = _resolved([float(x) for x in exact])
    truth = sum(exact, Decimal(0)) / len(exact)
    assert got == truth
    step = Decimal(1).scaleb(-decimals)
    assert round_decimal(got, decimals) == float(truth.quantize(step, ROUND_HALF_UP))
