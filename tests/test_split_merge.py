"""A commune split between several new communes, each also formed by a merge (about 300 of
them on 1 July 2025): the edge is both, recorded ``split_merge``, and a sum counts the split
commune once across its successors."""

from __future__ import annotations

import polars as pl
import pytest

from dti.engine import EventKind, HistoryMethod, Registry, derive_previous
from dti.engine.lineage import edges_from_predecessors

UNITS = pl.DataFrame(
    {
        "unit": ["A", "B", "C", "X", "Y"],
        "name": ["A", "B", "C", "X", "Y"],
        "group": ["xa"] * 5,
        "predecessors": [None, None, None, "A;B", "A;C"],
    }
)


def test_the_kind_is_inferred_as_split_and_merge() -> None:
    kinds = {
        (src, dst): kind
        for kind, src, dst in edges_from_predecessors(UNITS).select("kind", "from", "to").rows()
    }
    assert kinds == {
        ("A", "X"): EventKind.SPLIT_MERGE,
        ("A", "Y"): EventKind.SPLIT_MERGE,
        ("B", "X"): EventKind.MERGE,
        ("C", "Y"): EventKind.MERGE,
    }


@pytest.mark.parametrize(
    ("method", "x", "y"),
    [
        # A's 100 is halved between X and Y: the sums add up to the communes' 100 + 10 + 20.
        (HistoryMethod.SUM, 60.0, 70.0),
        (HistoryMethod.MEAN, 55.0, 60.0),
    ],
)
def test_a_sum_takes_only_the_split_commune_s_share(
    method: HistoryMethod, x: float, y: float
) -> None:
    registry = Registry.build(UNITS)
    history = pl.DataFrame(
        {"unit": ["A", "B", "C"], "period": ["p2024"] * 3, "score": [100.0, 10.0, 20.0]}
    )
    wanted = pl.DataFrame({"unit": ["X", "Y"], "previous_period": ["p2024", "p2024"]})
    out = derive_previous(history, wanted, registry, method=method, value="score")
    assert dict(out.select("unit", "previous_score").rows()) == {"X": x, "Y": y}
