"""Phase 1 of scoring: the input frames read into integer-keyed arrays and checked.

Everything wrong with the data is found here and raised at once as a :class:`DataError`; the
later phases assume valid rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from dti.engine.compiled import F64, I64, CompiledFramework
from dti.engine.direct import expand_direct
from dti.engine.errors import DataError
from dti.engine.scoring.blocks import Block, Kind, grid_pattern, split_blocks
from dti.engine.scoring.checks import check_duplicates, check_keys, check_values
from dti.engine.scoring.columns import (
    bool_column,
    distinct,
    encode,
    float_column,
    require_columns,
)
from dti.engine.scoring.problems import Problems

__all__ = ["Inputs", "Rows", "read_inputs"]


@dataclass(frozen=True, slots=True, eq=False)
class Rows:
    """The valid input rows as arrays, keyed by a dense unit × period id (``up``).

    ``values`` is the input frame (with any directly given node expanded into its leaves),
    ``ind`` each row's leaf, ``up = unit × n_periods + period``.
    """

    values: pl.DataFrame
    units: pl.DataFrame
    unit_group: I64  # per unit of ``units``: its group's id
    periods: list[str]  # sorted; a period's id is its position
    n_periods: int  # at least 1, so that key arithmetic works on empty input
    n_up: int  # the number of possible unit × period keys
    ind: I64
    up: I64
    applicable: npt.NDArray[np.bool_]
    # the width of the grid the rows form (one row of ``width`` per key, see
    # :func:`grid_pattern`); 0 when they form none
    width: int = 0


@dataclass(frozen=True, slots=True, eq=False)
class Inputs:
    """The checked rows, their values split into blocks by rule kind, and the fixed points of
    the rows expanded from nodes given directly (NaN on other rows; ``None`` if none) and the
    part of their maxima not applicable (``None`` if no row has one)."""

    rows: Rows
    blocks: dict[Kind, Block]
    direct_points: F64 | None
    direct_na: F64 | None = None


def read_inputs(
    cf: CompiledFramework, values: pl.DataFrame, units: pl.DataFrame, source: str | None
) -> Inputs:
    """Encode the frames' keys and values, and check them; raise every problem found."""
    require_columns(values, ("unit", "period", "indicator", "value"), source)
    require_columns(units, ("unit", "name", "group"), "units")
    unit_codes = units["unit"].cast(pl.String).to_list()
    unit_lookup = {u: i for i, u in enumerate(unit_codes)}
    unit_group = encode(units["group"], {g: i for i, g in enumerate(cf.group_codes)})
    # Rows giving a node's result directly become rows of its leaves with fixed points.
    direct = expand_direct(cf, values, unit_lookup, unit_group, source)
    if direct is not None:
        values = direct.values
    periods = sorted(distinct(values["period"]))
    n_periods = max(len(periods), 1)

    ind = encode(values["indicator"], cf.index)
    unit = encode(values["unit"], unit_lookup)
    period = encode(values["period"], {p: i for i, p in enumerate(periods)})
    value = float_column(values, "value")
    denom = float_column(values, "denominator")
    applicable = bool_column(values, "applicable", default=True)

    problems = Problems(values, source, cf.codes)
    if direct is not None:
        problems.items.extend(direct.problems)
    known_keys, group = check_keys(cf, problems, values, ind, unit, period, unit_group)
    n_up = len(unit_codes) * n_periods
    up = unit * n_periods  # dense unit × period key
    up += period
    del unit, period
    pattern = grid_pattern(ind, up, cf.n_leaves) if known_keys else None
    blocks = split_blocks(cf, ind, value, denom, pattern)
    check_values(cf, problems, ind, group, applicable, value, denom, blocks)
    del group
    if known_keys and pattern is None:  # (rows in a grid cannot repeat)
        check_duplicates(cf, problems, values, ind, up, n_up, given_directly=direct is not None)
    if problems.items:
        raise DataError(problems.items)
    rows = Rows(
        values=values,
        units=units,
        unit_group=unit_group,
        periods=periods,
        n_periods=n_periods,
        n_up=n_up,
        ind=ind,
        up=up,
        applicable=applicable,
        width=0 if pattern is None else len(pattern),
    )
    if direct is None:
        return Inputs(rows, blocks, None)
    na_part = direct.na_part if bool((direct.na_part > 0).any()) else None
    return Inputs(rows, blocks, direct.points, na_part)
