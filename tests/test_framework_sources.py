"""A framework leaf declares where its value comes from: ``source: declared`` (the default) or
``source: {kind: measured, connector, field[, denominator]}``; a wrong declaration is refused
with the node and field named."""

from __future__ import annotations

from typing import Any

import pytest
from tests.test_framework_validation import mini_raw, node, problems_of

from dti.engine import ValueSource, parse_framework


def _with_source(path: tuple[int, ...], source: Any) -> dict[str, Any]:
    raw = mini_raw()
    node(raw, *path)["source"] = source
    return raw


def test_a_measured_leaf_names_its_connector_and_field() -> None:
    raw = _with_source(
        (0, 1),
        {
            "kind": "measured",
            "connector": "dvc",
            "field": "ho_so_truc_tuyen",
            "denominator": "tong",
        },
    )
    framework = parse_framework(raw)
    assert framework.measured_leaves() == {
        "1.2": ValueSource(
            kind="measured", connector="dvc", field="ho_so_truc_tuyen", denominator="tong"
        )
    }
    assert framework.node("1.2").measured and not framework.node("1.1").measured


def test_declared_is_the_default_and_may_be_written_as_a_word() -> None:
    framework = parse_framework(_with_source((0, 0), "declared"))
    assert framework.node("1.1").source == ValueSource(kind="declared")
    assert framework.measured_leaves() == {}


@pytest.mark.parametrize(
    ("path", "source", "code", "field"),
    [
        ((0, 1), {"kind": "measured", "field": "x"}, "source_measured_needs", "source.connector"),
        ((0, 1), {"kind": "measured", "connector": "dvc"}, "source_measured_needs", "source.field"),
        ((0, 1), {"kind": "declared", "connector": "dvc"}, "source_declared_reads", "source"),
        (
            (0, 0),
            {"kind": "measured", "connector": "dvc", "field": "x", "denominator": "y"},
            "source_denominator_without_ratio",
            "source.denominator",
        ),
        (
            (0,),
            {"kind": "measured", "connector": "dvc", "field": "x"},
            "source_not_on_leaf",
            "source",
        ),
    ],
)
def test_a_wrong_source_is_refused_with_its_node_and_field(
    path: tuple[int, ...], source: Any, code: str, field: str
) -> None:
    problems = problems_of(_with_source(path, source))
    assert [(p.code, p.field) for p in problems] == [(code, field)]
    assert problems[0].node == node(mini_raw(), *path)["code"]


def test_an_unknown_kind_is_a_structural_problem() -> None:
    problems = problems_of(_with_source((0, 1), {"kind": "guessed"}))
    assert problems and all(p.node == "1.2" for p in problems)
