"""A source's records as the values table (``dti.io.connectors.mapping``), without Django:
every record's unit mapped, every measured leaf read, numbers as JSON gives them or as the
readers parse text; what is wrong located by page, row and key, all at once."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dti.io.connectors import Fetched, Mapping, Page, Record, SourceError, Wanted, measured_frame

WANTED = [Wanted("1.2", "online", "total"), Wanted("1.3", "points")]


def _fetched(*pages: list[dict[str, Any]]) -> Fetched:
    import datetime as dt

    records = [Record(r, n, i) for n, page in enumerate(pages, 1) for i, r in enumerate(page, 1)]
    stamps = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    return Fetched(
        records=records,
        pages=[Page(n, f"GET http://s/p{n}", 200, stamps, b"{}") for n in range(1, len(pages) + 1)],
    )


def _frame(fetched: Fetched, mapping: Mapping | None = None, units: set[str] | None = None) -> Any:
    return measured_frame(
        fetched,
        mapping or Mapping(unit_key="id", units={"S1": "so-a", "S2": "so-b"}),
        WANTED,
        units=units or {"so-a", "so-b"},
        period="2024",
    )


def test_records_become_one_row_per_unit_and_measured_leaf() -> None:
    frame = _frame(
        _fetched(
            [{"id": "S1", "online": 8, "total": 10, "points": 3}],
            [{"id": "S2", "online": "4,5", "total": "1.000.000", "points": 0}],
        )
    )
    rows = {(r["unit"], r["indicator"]): r for r in frame.iter_rows(named=True)}
    assert (rows["so-a", "1.2"]["value"], rows["so-a", "1.2"]["denominator"]) == (8, 10)
    assert rows["so-a", "1.3"]["denominator"] is None
    assert (rows["so-b", "1.2"]["value"], rows["so-b", "1.2"]["denominator"]) == (4.5, 1_000_000)
    assert (rows["so-b", "1.2"]["page"], rows["so-b", "1.2"]["position"]) == (2, 1)


def test_field_names_are_mapped_to_the_sources_keys() -> None:
    mapping = Mapping(unit_key="ma", fields={"online": "truc_tuyen", "total": "tong"})
    frame = measured_frame(
        _fetched([{"ma": "so-a", "truc_tuyen": 1, "tong": 2, "points": 1}]),
        mapping,
        WANTED,
        units={"so-a"},
        period="2024",
    )
    assert frame.filter(frame["indicator"] == "1.2")["value"].to_list() == [1]


def test_every_problem_is_reported_at_once_and_located() -> None:
    with pytest.raises(SourceError) as refused:
        _frame(
            _fetched(
                [
                    {"id": "S1", "online": 1, "total": 2, "points": 1},
                    {"id": "S9", "online": 1, "total": 2, "points": 1},
                    {"id": "S1", "online": 1, "total": 2, "points": 1},
                ],
                [{"id": "S2", "online": "1.800", "total": None, "points": "nhiều"}],
            )
        )
    found = {(p.code, p.file, p.row, p.column) for p in refused.value.problems}
    assert found == {
        ("source_unit_unknown", "http://s/p1", 2, "id"),
        ("source_duplicate_unit", "http://s/p1", 3, "id"),
        ("number_ambiguous", "http://s/p2", 1, "online"),
        ("source_value_missing", "http://s/p2", 1, "total"),
        ("not_a_number", "http://s/p2", 1, "points"),
    }
    assert not refused.value.transient


def test_a_key_no_record_carries_is_a_changed_schema() -> None:
    with pytest.raises(SourceError) as refused:
        _frame(_fetched([{"id": "S1", "online": 1, "sum": 2, "points": 1}]))
    (problem,) = refused.value.problems
    assert problem.code == "source_schema_changed"
    assert problem.params["keys"] == ("total",)


@settings(max_examples=40, deadline=None, database=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 10**9), st.integers(1, 10**9), st.floats(0, 1e6, allow_nan=False)),
        max_size=30,
    ),
    st.randoms(use_true_random=False),
)
def test_each_measured_figure_lands_on_its_unit_unchanged(
    drawn: list[tuple[int, int, float]], rng: Any
) -> None:
    figures = {f"S{i:04d}": f for i, f in enumerate(drawn)}
    records = [
        {"id": sid, "online": on, "total": tot, "points": pts}
        for sid, (on, tot, pts) in figures.items()
    ]
    rng.shuffle(records)  # the source's order is its own
    mapping = Mapping(unit_key="id", units={sid: f"u-{sid}" for sid in figures})
    frame = _frame(_fetched(records), mapping, {f"u-{sid}" for sid in figures})
    assert frame.height == 2 * len(figures)
    for row in frame.iter_rows(named=True):
        on, tot, pts = figures[row["source_unit"]]
        assert row["unit"] == f"u-{row['source_unit']}"
        if row["indicator"] == "1.2":
            assert (row["value"], row["denominator"]) == (on, tot)
        else:
            assert row["value"] == pts
