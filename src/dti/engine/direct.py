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
from dti.engine.messages import Message, say
from dti.engine.scoring.columns import small

__all__ = ["DirectRows", "expand_direct"]

# The column naming the node a row was expanded from (null on rows entered as they are).
GIVEN_AS = "given_as"


@dataclass(frozen=True, eq=False)
class DirectRows:
    """``values`` with direct rows replaced by leaf rows, the points of those leaf rows (NaN on
    ordinary rows, whose points come from their rules), and the part of each row's maximum
    that is not applicable (a node given with an applicable maximum below its own; else 0)."""

    values: pl.DataFrame
    points: F64
    na_part: F64
    problems: list[Problem]


def _direct_positions(cf: CompiledFramework, indicator: pl.Series) -> I64:
    """Row positions whose indicator is a direct-input node (cheap for categorical columns)."""
    codes = list(cf.direct)
    if small(indicator.len()):  # a unit's save: a set lookup, no query
        wanted = set(codes)
        found = [i for i, c in enumerate(indicator.cast(pl.String).to_list()) if c in wanted]
        return np.array(found, dtype=np.int64)
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


def _marked_not_applicable(
    values: pl.DataFrame, direct: pl.DataFrame
) -> dict[tuple[str, str], set[str]]:
    """Per (unit, period) given some node directly: the leaves marked not applicable in the
    same table (no value), which are then outside the node's applicable maximum."""
    if "applicable" not in values.columns:
        return {}
    keys = direct.select(pl.col("unit").cast(pl.String), pl.col("period").cast(pl.String))
    na = values.filter(~pl.col("applicable").fill_null(True) & pl.col("value").is_null()).select(
        pl.col("unit").cast(pl.String),
        pl.col("period").cast(pl.String),
        pl.col("indicator").cast(pl.String),
    )
    out: dict[tuple[str, str], set[str]] = {}
    for unit, period, leaf in na.join(keys.unique(), on=["unit", "period"]).iter_rows():
        out.setdefault((unit, period), set()).add(leaf)
    return out


@dataclass(frozen=True, slots=True)
class _Given:
    """One row giving a node: which leaves it covers and their points and N/A parts."""

    leaves: I64
    points: F64
    na_part: F64


class _Expander:
    def __init__(self, cf: CompiledFramework, direct: pl.DataFrame, source: str | None):
        self.cf = cf
        self.direct = direct
        self.source = source
        self.problems: list[Problem] = []
        self.codes = direct["indicator"].cast(pl.String).to_list()

    def problem(self, i: int, column: str, message: Message) -> None:
        row = self.direct["row"][i]
        self.problems.append(
            Problem(message, file=self.source, row=int(row), column=column, node=self.codes[i])
        )

    def given(self, i: int, leaves: I64, v: float, applicable_max: float) -> _Given:
        """Check row ``i``'s value and spread it over ``leaves``."""
        cf, code = self.cf, self.codes[i]
        node = cf.direct[code]
        node_max = float(cf.max[leaves].sum())
        if np.isnan(applicable_max):
            applicable_max = node_max
        elif applicable_max < 0 or applicable_max > node_max + EPS:
            self.problem(
                i,
                "applicable_max",
                say(
                    "applicable_max_out_of_range",
                    applicable_max=applicable_max,
                    node=code,
                    maximum=node_max,
                ),
            )
            applicable_max = node_max
        total = cf.framework.scale.total
        if v < 0:
            self.problem(i, "value", say("value_negative", value=v))
        elif node.input == "index" and v > 1 + EPS:
            self.problem(i, "value", say("index_out_of_range", value=v, node=code))
        elif node.input == "points" and v > applicable_max + EPS:
            self.problem(
                i,
                "value",
                say("points_exceed_node", points=v, node=code, maximum=applicable_max),
            )
        elif node.input == "scale" and v > total + EPS:
            self.problem(i, "value", say("score_exceeds_scale", score=v, node=code, total=total))
        if np.isnan(v):
            share = 0.0  # nothing entered
        elif node.input == "index":
            share = v
        elif node.input == "scale":
            share = v / total
        else:
            share = v / applicable_max if applicable_max > 0 else 0.0
        applicable = applicable_max / node_max if node_max > 0 else 0.0
        return _Given(
            leaves, cf.max[leaves] * applicable * share, cf.max[leaves] * (1 - applicable)
        )


def expand_direct(
    cf: CompiledFramework,
    values: pl.DataFrame,
    unit_lookup: dict[str, int],
    unit_group: I64,
    source: str | None,
) -> DirectRows | None:
    """Expand the rows that give a node directly; ``None`` when there are none.

    A row may carry the node's ``applicable_max`` (its maximum less the parts not applicable
    to the unit), or the node's not-applicable leaves may be marked in the same table; the
    value is then out of that applicable maximum."""
    if not cf.direct:
        return None
    where = _direct_positions(cf, values["indicator"])
    if not len(where):
        return None
    if "row" not in values.columns:
        values = values.with_row_index("row", offset=1)
    direct = values[where]
    expander = _Expander(cf, direct, source)
    marked = _marked_not_applicable(values, direct)
    value = direct["value"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    applicable_max = (
        direct["applicable_max"].cast(pl.Float64).fill_null(np.nan).to_numpy()
        if "applicable_max" in direct.columns
        else np.full(len(where), np.nan)
    )
    if "denominator" in direct.columns:
        for at in np.flatnonzero(direct["denominator"].is_not_null().to_numpy()).tolist():
            expander.problem(
                at, "denominator", say("direct_without_denominator", node=expander.codes[at])
            )
    keys = direct.select(pl.col("unit").cast(pl.String), pl.col("period").cast(pl.String)).rows()
    rows_out: list[int] = []
    given: list[_Given] = []
    for i, (unit_code, period) in enumerate(keys):
        node = cf.direct[expander.codes[i]]
        unit = unit_lookup.get(unit_code, -1)
        group = int(unit_group[unit]) if unit >= 0 else -1
        leaves = node.leaves if group < 0 else node.leaves[cf.applies[group, node.leaves]]
        na = marked.get((unit_code, period))
        if na:
            leaves = leaves[[cf.codes[j] not in na for j in leaves]]
        part = expander.given(i, leaves, float(value[i]), float(applicable_max[i]))
        rows_out.extend([i] * len(leaves))
        given.append(part)
    return _assemble(cf, values, direct, where, rows_out, given, expander.problems)


def _assemble(
    cf: CompiledFramework,
    values: pl.DataFrame,
    direct: pl.DataFrame,
    where: I64,
    rows_out: list[int],
    given: list[_Given],
    problems: list[Problem],
) -> DirectRows:
    keep = np.ones(values.height, dtype=np.bool_)
    keep[where] = False
    ordinary = values.filter(pl.Series(keep)).with_columns(
        pl.col("indicator").cast(pl.String), pl.lit(None, dtype=pl.String).alias(GIVEN_AS)
    )
    leaves = np.concatenate([g.leaves for g in given]) if given else np.empty(0, np.int64)
    leaf_codes = pl.Series("indicator", [cf.codes[j] for j in leaves], dtype=pl.String)
    expanded = direct[rows_out].with_columns(
        leaf_codes,
        pl.lit(None, dtype=values["value"].dtype).alias("value"),
        pl.col("indicator").cast(pl.String).alias(GIVEN_AS),
    )
    for column in ("denominator", "applicable_max"):
        if column in expanded.columns:
            expanded = expanded.with_columns(pl.lit(None, dtype=values[column].dtype).alias(column))
    zeros = np.zeros(ordinary.height)
    points = np.concatenate([np.full(ordinary.height, np.nan), *(g.points for g in given)])
    na_part = np.concatenate([zeros, *(g.na_part for g in given)])
    return DirectRows(pl.concat([ordinary, expanded]), points, na_part, problems)
