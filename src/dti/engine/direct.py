"""Results given directly for a node (``direct_input``) instead of its components.

A national table publishes each province's main-indicator *index*; a decision's appendix lists
each unit's pillar *points*, and a province moving to dti has nothing else for its past years.
Such a row is expanded into the node's leaves that apply to the unit, each earning the node's
fraction of its own maximum. Totals, pillars, bands and ranks then come out exactly as if the
components had been entered at that fraction, and one unit may give a node directly while
another (or the same unit, for another node) enters components.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from dti.engine.compiled import EPS, F64, I64, CompiledFramework
from dti.engine.errors import Problem

__all__ = ["DirectRows", "expand_direct"]

# The column naming the node a row was expanded from (null on rows entered as they are).
GIVEN_AS = "given_as"


@dataclass(frozen=True, eq=False)
class DirectRows:
    """``values`` with direct rows replaced by leaf rows, and the points of those leaf rows
    (NaN on ordinary rows, whose points come from their rules)."""

    values: pl.DataFrame
    points: F64
    problems: list[Problem]


def _direct_positions(cf: CompiledFramework, indicator: pl.Series) -> I64:
    """Row positions whose indicator is a direct-input node (cheap for categorical columns)."""
    codes = list(cf.direct)
    if isinstance(indicator.dtype, (pl.Categorical, pl.Enum)):
        categories = (
            indicator.dtype.categories
            if isinstance(indicator.dtype, pl.Enum)
            else indicator.unique().drop_nulls()
        )
        if not categories.cast(pl.String).is_in(codes).any():
            return np.empty(0, dtype=np.int64)
    mask = indicator.cast(pl.String).is_in(codes).fill_null(False)
    return np.flatnonzero(mask.to_numpy()).astype(np.int64)


def expand_direct(
    cf: CompiledFramework,
    values: pl.DataFrame,
    unit_lookup: dict[str, int],
    unit_group: I64,
    source: str | None,
) -> DirectRows | None:
    """Expand the rows that give a node directly; ``None`` when there are none."""
    if not cf.direct:
        return None
    where = _direct_positions(cf, values["indicator"])
    if not len(where):
        return None
    if "row" not in values.columns:
        values = values.with_row_index("row", offset=1)
    direct = values[where]
    node_codes = direct["indicator"].cast(pl.String).to_list()
    unit_codes = direct["unit"].cast(pl.String).to_list()
    value = direct["value"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    has_denominator = (
        direct["denominator"].is_not_null().to_numpy()
        if "denominator" in direct.columns
        else np.zeros(len(where), dtype=np.bool_)
    )
    rows_out: list[int] = []
    leaves_out: list[int] = []
    points_out: list[float] = []
    problems: list[Problem] = []

    def problem(i: int, column: str, message: str) -> None:
        row = direct["row"][i]
        problems.append(
            Problem(message, file=source, row=int(row), column=column, node=node_codes[i])
        )

    for i, (node_code, unit_code) in enumerate(zip(node_codes, unit_codes, strict=True)):
        node = cf.direct[node_code]
        unit = unit_lookup.get(unit_code, -1)
        group = int(unit_group[unit]) if unit >= 0 else -1
        leaves = node.leaves if group < 0 else node.leaves[cf.applies[group, node.leaves]]
        node_max = float(cf.max[leaves].sum())
        v = float(value[i])
        if has_denominator[i]:
            problem(i, "denominator", f"node {node_code} is given directly: no denominator")
        if v < 0:
            problem(i, "value", f"value {v:g} is negative")
        elif node.input == "index" and v > 1 + EPS:
            problem(i, "value", f"index {v:g} of node {node_code} must lie between 0 and 1")
        elif node.input == "points" and v > node_max + EPS:
            problem(i, "value", f"points {v:g} exceed node {node_code}'s maximum {node_max:g}")
        if np.isnan(v):
            fraction = 0.0  # nothing entered
        elif node.input == "index":
            fraction = v
        else:
            fraction = v / node_max if node_max > 0 else 0.0
        rows_out.extend([i] * len(leaves))
        leaves_out.extend(leaves.tolist())
        points_out.extend((cf.max[leaves] * fraction).tolist())

    keep = np.ones(values.height, dtype=np.bool_)
    keep[where] = False
    ordinary = values.filter(pl.Series(keep)).with_columns(
        pl.col("indicator").cast(pl.String), pl.lit(None, dtype=pl.String).alias(GIVEN_AS)
    )
    leaf_codes = pl.Series("indicator", [cf.codes[j] for j in leaves_out], dtype=pl.String)
    expanded = direct[rows_out].with_columns(
        leaf_codes,
        pl.lit(None, dtype=values["value"].dtype).alias("value"),
        pl.col("indicator").cast(pl.String).alias(GIVEN_AS),
    )
    if "denominator" in expanded.columns:
        expanded = expanded.with_columns(
            pl.lit(None, dtype=values["denominator"].dtype).alias("denominator")
        )
    points = np.concatenate([np.full(ordinary.height, np.nan), np.array(points_out)])
    return DirectRows(pl.concat([ordinary, expanded]), points, problems)
