"""Score raw indicator values: rules → points → totals, pillars, completion counts, bands, ranks.

Everything is array arithmetic over all rows at once (NumPy for rules and sums, Polars for the
per-group ranking): there is no Python loop per unit, per period or per indicator. The only loops
are over rule *positions* (tiers, levels), which are a handful whatever the input size.

Input contract (Polars frames; string or categorical key columns):

* ``values``: ``unit, period, indicator, value[, denominator][, applicable][, row]`` — one row
  per unit × period × leaf indicator. ``row`` (optional) is the row number in the user's file,
  quoted in error messages. A missing ``value`` means "nothing entered" and scores 0.
* ``units``: ``unit, name, group[, parent][, predecessors]``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from dti.engine.compiled import (
    F64,
    I64,
    CompiledFramework,
    LeafKind,
    RuleType,
    classify,
    compile_framework,
)
from dti.engine.direct import GIVEN_AS, expand_direct
from dti.engine.errors import DataError, Problem
from dti.engine.framework import Framework, ReportAs
from dti.engine.history import attach_previous, attach_previous_pillars, without_previous
from dti.engine.lineage import Registry
from dti.engine.ranking import group_summary, rank_within

__all__ = ["ScoreResult", "round_published", "score"]

_EPS = 1e-9
MAX_PROBLEMS_PER_CHECK = 20


class ScoreResult:
    """Results of one framework over one or more periods.

    ``units``: one row per unit × period. ``pillars``: one row per unit × period × pillar.
    ``groups``: one row per period × group, derived from ``units`` on first use unless given
    (a save scores one unit and never reads it). ``indicators``: one row per input value with
    its points, applicable maximum and completion level.
    """

    def __init__(
        self,
        *,
        framework: Framework,
        units: pl.DataFrame,
        pillars: pl.DataFrame,
        indicators: pl.DataFrame,
        groups: pl.DataFrame | None = None,
    ) -> None:
        self.framework = framework
        self.units = units
        self.pillars = pillars
        self.indicators = indicators
        if groups is not None:
            self.__dict__["groups"] = groups

    @cached_property
    def groups(self) -> pl.DataFrame:
        return group_summary(self.units, self.framework)

    def with_units(self, units: pl.DataFrame) -> ScoreResult:
        """The same result over other unit rows (e.g. with earlier periods' rows added); its
        group summary is derived from them."""
        return ScoreResult(
            framework=self.framework,
            units=units,
            pillars=self.pillars,
            indicators=self.indicators,
        )


def round_published(x: F64, decimals: int, rounding: str = "half_up") -> F64:
    """Round as a published table does: half away from zero by default (760.385 → 760.39)."""
    factor = 10.0**decimals
    if rounding == "half_even":
        return np.round(x * factor) / factor
    # The epsilon absorbs binary noise (760.385 is stored as 760.38499999…).
    return np.sign(x) * np.floor(np.abs(x) * factor + 0.5 + _EPS * factor) / factor


# Below this many rows, per-call overheads (query plans, joins) outweigh vectorised work.
_SMALL = 2_048


def _encode(series: pl.Series, lookup: dict[str, int]) -> I64:
    """Map a string/categorical column to integer ids (-1 where unknown or null)."""
    if isinstance(series.dtype, (pl.Categorical, pl.Enum)):
        # Translate the (few) distinct categories once, then index by the physical codes.
        # (``cat.get_categories`` is gone in Polars 2; an Enum's physical codes index its
        # ``dtype.categories``, a Categorical's index a shared pool, hence ``unique``.)
        if isinstance(series.dtype, pl.Enum):
            names = series.dtype.categories
            ids = np.arange(len(names), dtype=np.int64)
        else:
            names = series.unique().drop_nulls()
            ids = names.to_physical().cast(pl.Int64).to_numpy()
        size = int(ids.max()) + 1 if len(ids) else 0
        table = np.full(size + 1, -1, dtype=np.int64)  # the extra last slot is for nulls
        table[ids] = [lookup.get(c, -1) for c in names.cast(pl.String).to_list()]
        physical = series.to_physical()
        if physical.null_count():
            physical = physical.cast(pl.Int64).fill_null(size)
        return np.asarray(table[physical.to_numpy()], dtype=np.int64)
    if series.len() <= _SMALL:  # a unit's own save: a dict lookup beats building a plan
        return np.fromiter(
            (lookup.get(v, -1) if v is not None else -1 for v in series.cast(pl.String)),
            dtype=np.int64,
            count=series.len(),
        )
    mapped = series.cast(pl.String).replace_strict(lookup, default=-1, return_dtype=pl.Int64)
    return np.asarray(mapped.fill_null(-1).to_numpy(), dtype=np.int64)


def _distinct(series: pl.Series) -> list[str]:
    """The distinct non-null values of a key column, as strings."""
    if isinstance(series.dtype, pl.Enum) and not series.null_count():
        present = np.bincount(series.to_physical().to_numpy(), minlength=1) > 0
        categories = series.dtype.categories.to_list()
        return [categories[i] for i in np.flatnonzero(present)]
    return [str(v) for v in series.unique().drop_nulls().cast(pl.String).to_list()]


def _float_column(values: pl.DataFrame, name: str) -> F64:
    if name not in values.columns:
        return np.full(values.height, np.nan)
    column = values[name].cast(pl.Float64)
    if column.null_count():
        column = column.fill_null(np.nan)
    return np.asarray(column.to_numpy(), dtype=np.float64)  # may be a read-only view


class _Problems:
    """Collects vectorised check failures as located problems, a bounded number per check."""

    def __init__(self, values: pl.DataFrame, source: str | None, codes: Sequence[str]):
        self.values = values
        self.source = source
        self.codes = codes
        self.items: list[Problem] = []

    def _row(self, i: int) -> int:
        """The user's row number: the ``row`` column if given, else the 1-based position."""
        if "row" in self.values.columns:
            row = self.values["row"][i]
            if row is not None:
                return int(row)
        return i + 1

    def check(
        self,
        bad: npt.NDArray[np.bool_],
        column: str,
        message: Callable[[int], str],
        ind: I64 | None = None,
    ) -> None:
        if bad.any():  # the common case, all good, costs one pass
            self.report(np.flatnonzero(bad), column, message, ind)

    def report(
        self, where: I64, column: str, message: Callable[[int], str], ind: I64 | None = None
    ) -> None:
        """Add a problem for each of the (ascending) row positions ``where``."""
        for i in where[:MAX_PROBLEMS_PER_CHECK]:
            node = self.codes[ind[i]] if ind is not None and ind[i] >= 0 else None
            self.items.append(
                Problem(
                    message(int(i)),
                    file=self.source,
                    row=self._row(int(i)),
                    column=column,
                    node=node,
                )
            )
        if len(where) > MAX_PROBLEMS_PER_CHECK:
            self.items.append(
                Problem(
                    f"… {len(where) - MAX_PROBLEMS_PER_CHECK} more rows with the same problem",
                    file=self.source,
                    column=column,
                )
            )


class _Kind(IntEnum):
    """What a row's value is, from its leaf's rule: each kind is scored and checked as a block."""

    BOOLEAN = 0
    COUNT = 1
    POINTS = 2
    RATIO_FRACTION = 3  # ratio rule on value / denominator (or a fraction)
    RATIO_PERCENT = 4  # ratio rule on a percentage
    TIERS_VALUE = 5
    TIERS_RATIO = 6  # tiers on value / denominator (or a fraction)


def _leaf_kinds(cf: CompiledFramework) -> npt.NDArray[np.int8]:
    kinds = np.empty(cf.n_leaves, dtype=np.int8)
    ratio, tiers = cf.rule == RuleType.RATIO, cf.rule == RuleType.TIERS
    kinds[cf.rule == RuleType.BOOLEAN] = _Kind.BOOLEAN
    kinds[cf.rule == RuleType.COUNT] = _Kind.COUNT
    kinds[cf.rule == RuleType.POINTS] = _Kind.POINTS
    kinds[ratio & ~cf.ratio_percent] = _Kind.RATIO_FRACTION
    kinds[ratio & cf.ratio_percent] = _Kind.RATIO_PERCENT
    kinds[tiers & ~cf.tier_on_ratio] = _Kind.TIERS_VALUE
    kinds[tiers & cf.tier_on_ratio] = _Kind.TIERS_RATIO
    return kinds


@dataclass(frozen=True, eq=False)
class _Block:
    """The rows of one kind, with their leaves, values and denominators.

    Either a list of row positions (``rows``; arrays are 1-D, one entry per row), or, when
    the rows form a grid (see :func:`_grid_pattern`), some columns of that grid (``cols`` of
    ``width``; values are 2-D ``keys × columns`` and ``leaf`` is one row that broadcasts).
    The rule arithmetic is the same elementwise either way.
    """

    leaf: I64
    value: F64  # as entered: NaN where nothing was entered
    denom: F64  # NaN where no denominator was given; empty unless a fraction kind
    rows: I64 | None = None
    cols: I64 | None = None
    width: int = 0

    def positions(self, mask: npt.NDArray[np.bool_]) -> I64:
        """Row positions (ascending) of the entries where ``mask`` holds."""
        if self.rows is not None:
            return self.rows[mask]
        assert self.cols is not None
        key, col = np.nonzero(mask)
        return np.asarray(key * self.width + self.cols[col], dtype=np.int64)

    def take(self, column: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """This block's entries of a per-row array."""
        if self.rows is not None:
            return column[self.rows]
        assert self.cols is not None
        return np.take(column.reshape(-1, self.width), self.cols, axis=1)

    def put(self, column: F64, values: F64) -> None:
        """Write this block's entries into a per-row array."""
        if self.rows is not None:
            column[self.rows] = values
        else:
            column.reshape(-1, self.width)[:, self.cols] = values


def _grid_pattern(ind: I64, up: I64, n_leaves: int) -> I64 | None:
    """The indicator sequence every unit × period repeats, if the rows come as such blocks.

    Data entered from a template has, for each unit and period in turn, the same indicators
    in the same order. The rows then form a grid (unit × period by indicator) that can be
    scored column by column, without per-row index arrays; and no row can repeat.
    """
    n = len(ind)
    head = up[: n_leaves + 1] != up[0] if n else np.zeros(0, dtype=np.bool_)
    if not head.any():
        if n == 0 or n > n_leaves:
            return None
        width = n
    else:
        width = int(head.argmax())
    if n % width:
        return None
    pattern = ind[:width]
    if len(np.unique(pattern)) != width:
        return None
    grid = up.reshape(-1, width)
    first = grid[:, 0]
    if not ((ind.reshape(-1, width) == pattern).all() and (grid == first[:, None]).all()):
        return None
    if not (first[1:] > first[:-1]).all():
        return None
    return pattern


def _blocks(
    cf: CompiledFramework, ind: I64, value: F64, denom: F64, pattern: I64 | None
) -> dict[_Kind, _Block]:
    """Split the rows by kind (rows of an unknown indicator belong to none)."""
    leaf_kinds = _leaf_kinds(cf)
    fraction = (_Kind.RATIO_FRACTION, _Kind.TIERS_RATIO)
    no_denominator = np.empty(0)
    blocks: dict[_Kind, _Block] = {}
    if pattern is not None:  # a grid: split its columns
        width = len(pattern)
        pattern_kinds = leaf_kinds[pattern]
        value_grid, denom_grid = value.reshape(-1, width), denom.reshape(-1, width)
        for kind in np.unique(pattern_kinds):
            cols = np.flatnonzero(pattern_kinds == kind)
            blocks[_Kind(kind)] = _Block(
                leaf=pattern[cols][None, :],
                value=np.take(value_grid, cols, axis=1),
                denom=np.take(denom_grid, cols, axis=1) if kind in fraction else no_denominator,
                cols=cols,
                width=width,
            )
        return blocks
    used = [_Kind(k) for k in np.unique(leaf_kinds)]
    if len(used) == 1 and ind.min(initial=0) >= 0:
        positions = {used[0]: np.arange(len(ind), dtype=np.int64)}
    else:
        row_kind = np.append(leaf_kinds, -1)[ind]  # index -1 (unknown indicator) → -1
        positions = {kind: np.flatnonzero(row_kind == kind) for kind in used}
        del row_kind
    for kind, rows in positions.items():
        blocks[kind] = _Block(
            leaf=ind[rows],
            value=value[rows],
            denom=denom[rows] if kind in fraction else no_denominator,
            rows=rows,
        )
    return blocks


def _fraction(v: F64, denom: F64) -> F64:
    """``value / denominator``, or the value itself where no denominator was given."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(np.isnan(denom), v, v / denom)
        return np.where(ratio < np.inf, ratio, 0.0)  # NaN or +inf (e.g. inf / inf) → 0


def _kind_points(cf: CompiledFramework, kind: _Kind, block: _Block) -> F64:
    """Points of one block of rows, by their leaves' rule (same shape as ``block.value``)."""
    leaf = block.leaf
    if kind == _Kind.BOOLEAN:
        return np.asarray(cf.max[leaf] * (block.value >= 0.5), dtype=np.float64)
    v = np.fmax(block.value, 0.0)  # NaN (nothing entered) → 0; valid values are ≥ 0
    if kind == _Kind.POINTS:
        return v
    if kind == _Kind.COUNT:
        return np.minimum(v * cf.per_item[leaf], cf.max[leaf])
    if kind in (_Kind.RATIO_FRACTION, _Kind.RATIO_PERCENT):
        ratio = v / 100.0 if kind == _Kind.RATIO_PERCENT else _fraction(v, block.denom)
        return np.where(
            ratio + _EPS < cf.ratio_floor[leaf],
            0.0,
            cf.max[leaf] * np.minimum(ratio / cf.ratio_target[leaf], 1.0),
        )
    # Tiers: the number of thresholds reached picks the points.
    x = _fraction(v, block.denom) if kind == _Kind.TIERS_RATIO else v
    x += _EPS
    reached = np.zeros(x.shape, dtype=np.int64)
    for k in range(cf.tier_min.shape[1]):  # loop over tier positions, not rows
        reached += x >= cf.tier_min[:, k][leaf]
    return np.asarray(cf.tier_points[leaf, reached], dtype=np.float64)


def _rule_points(cf: CompiledFramework, n_rows: int, blocks: dict[_Kind, _Block]) -> F64:
    """Points for every row by its leaf's rule, each kind of row computed as one block.

    Only rows that passed validation are scored as they are; rows marked not applicable may
    hold anything and are zeroed by the caller. Nothing entered (NaN) scores 0.
    """
    parts = [(block, _kind_points(cf, kind, block)) for kind, block in blocks.items()]
    grid = [(block.cols, part) for block, part in parts if block.cols is not None]
    if grid and len(grid) == len(parts):
        # The columns of a grid: side by side, then back into the indicators' order (two
        # passes over the table rather than one strided write per kind).
        order = np.concatenate([cols for cols, _ in grid])
        side_by_side = np.concatenate([part for _, part in grid], axis=1)
        return np.asarray(np.take(side_by_side, np.argsort(order), axis=1).ravel())
    points = np.zeros(n_rows)
    for block, part in parts:
        block.put(points, part)
    return points


def _validate_values(
    cf: CompiledFramework,
    problems: _Problems,
    ind: I64,
    group: I64 | None,
    applicable: npt.NDArray[np.bool_],
    value: F64,
    denom: F64,
    blocks: dict[_Kind, _Block],
) -> None:
    """Check values against their leaf's rule, block by block.

    The usual all-good case is decided without building per-row masks for the whole table;
    the rows of a problem are still reported in row order.
    """
    codes = cf.codes
    ok_ind = ind >= 0
    safe_ind = np.maximum(ind, 0)
    every_row_applicable = bool(applicable.all())
    if group is not None and not cf.applies.all():
        known = ok_ind & (group >= 0)
        flat = np.where(known, np.maximum(group, 0) * cf.n_leaves + safe_ind, 0)
        problems.check(
            known & ~cf.applies.ravel()[flat],
            "indicator",
            lambda i: (
                f"indicator {codes[ind[i]]} does not apply to group {cf.group_codes[group[i]]}"
            ),
            ind,
        )
    if not every_row_applicable:
        problems.check(
            ok_ind & ~applicable & ~cf.na_allowed[safe_ind],
            "applicable",
            lambda i: f"indicator {codes[ind[i]]} cannot be marked not applicable",
            ind,
        )
    negative = value < 0  # NaN (nothing entered) compares False
    if negative.any():
        problems.check(
            negative & ok_ind & applicable,
            "value",
            lambda i: f"value {value[i]:g} is negative",
            ind,
        )

    def bad_rows(kinds: Sequence[_Kind], test: Callable[[_Block], npt.NDArray[np.bool_]]) -> I64:
        """Rows (ascending) of the given kinds failing ``test``, among applicable rows."""
        found = []
        for kind in kinds:
            block = blocks.get(kind)
            if block is None or not block.value.size:
                continue
            bad = test(block)
            if not every_row_applicable:
                bad &= block.take(applicable)
            if bad.any():
                found.append(block.positions(bad))
        if not found:
            return np.empty(0, dtype=np.int64)
        return found[0] if len(found) == 1 else np.sort(np.concatenate(found))

    problems.report(
        bad_rows(
            [_Kind.BOOLEAN],
            lambda b: (b.value != 0) & (b.value != 1) & ~np.isnan(b.value),
        ),
        "value",
        lambda i: f"value {value[i]:g} must be 1 (done) or 0 (not done)",
        ind,
    )
    problems.report(
        bad_rows([_Kind.POINTS], lambda b: b.value > cf.max[b.leaf] + _EPS),
        "value",
        lambda i: f"points {value[i]:g} exceed the maximum {cf.max[ind[i]]:g}",
        ind,
    )
    fraction = [_Kind.RATIO_FRACTION, _Kind.TIERS_RATIO]
    problems.report(
        bad_rows(fraction, lambda b: ~np.isnan(b.value) & (b.denom <= 0)),
        "denominator",
        lambda i: (
            f"denominator {denom[i]:g} must be positive "
            "(mark the indicator not applicable if there is nothing to count)"
        ),
        ind,
    )
    problems.report(
        bad_rows(fraction, lambda b: (b.denom > 0) & (b.value > b.denom + _EPS)),
        "value",
        lambda i: f"numerator {value[i]:g} exceeds the denominator {denom[i]:g}",
        ind,
    )
    problems.report(
        bad_rows(fraction, lambda b: np.isnan(b.denom) & (b.value > 1 + _EPS)),
        "denominator",
        lambda i: f"value {value[i]:g} needs a denominator (or give a fraction between 0 and 1)",
        ind,
    )
    problems.report(
        bad_rows([_Kind.RATIO_PERCENT], lambda b: b.value > 100 + _EPS),
        "value",
        lambda i: f"percentage {value[i]:g} exceeds 100",
        ind,
    )


def score(
    framework: Framework | CompiledFramework,
    values: pl.DataFrame,
    units: pl.DataFrame,
    *,
    source: str | None = None,
    lineage: pl.DataFrame | None = None,
    previous: pl.DataFrame | None = None,
) -> ScoreResult:
    """Score every unit × period in ``values`` under one framework.

    ``lineage`` (``date, kind, from, to, weight, basis``) adds reorganisation events to the
    units table's ``predecessors``; ``previous`` (``unit, period, score``) supplies earlier
    results scored separately, for the change against the previous period.

    Raises :class:`DataError` listing every located problem; nothing is returned partially.
    """
    cf = framework if isinstance(framework, CompiledFramework) else compile_framework(framework)
    fw = cf.framework
    _require_columns(values, ("unit", "period", "indicator", "value"), source)
    _require_columns(units, ("unit", "name", "group"), "units")

    unit_codes = units["unit"].cast(pl.String).to_list()
    unit_lookup = {u: i for i, u in enumerate(unit_codes)}
    group_lookup = {g: i for i, g in enumerate(cf.group_codes)}
    unit_group = _encode(units["group"], group_lookup)
    # Rows giving a node's result directly become rows of its leaves with fixed points.
    direct = expand_direct(cf, values, unit_lookup, unit_group, source)
    if direct is not None:
        values = direct.values
    periods = sorted(_distinct(values["period"]))
    period_lookup = {p: i for i, p in enumerate(periods)}
    n_periods = max(len(periods), 1)

    ind = _encode(values["indicator"], cf.index)
    unit = _encode(values["unit"], unit_lookup)
    period = _encode(values["period"], period_lookup)
    value = _float_column(values, "value")
    denom = _float_column(values, "denominator")
    applicable = (
        values["applicable"].fill_null(True).to_numpy().astype(np.bool_)
        if "applicable" in values.columns
        else np.ones(values.height, dtype=np.bool_)
    )

    problems = _Problems(values, source, cf.codes)
    if direct is not None:
        problems.items.extend(direct.problems)
    ind_raw = values["indicator"]
    known_ind = bool(ind.min(initial=0) >= 0)
    known_unit = bool(unit.min(initial=0) >= 0)
    known_period = bool(period.min(initial=0) >= 0)
    if not known_ind:
        problems.check(ind < 0, "indicator", lambda i: f"unknown indicator {ind_raw[i]!r}")
    unit_raw = values["unit"]
    if not known_unit:
        problems.check(
            unit < 0, "unit", lambda i: f"unit {unit_raw[i]!r} is not in the units table", ind
        )
    if not known_period:
        problems.check(period < 0, "period", lambda i: "period is empty", ind)
    group: I64 | None = None  # not needed when every indicator applies to every unit's group
    if not cf.applies.all() or unit_group.min(initial=0) < 0:
        group = unit_group[np.maximum(unit, 0)]
        if not known_unit:
            group[unit < 0] = -1
        problems.check(
            (unit >= 0) & (group < 0),
            "unit",
            lambda i: (
                f"unit {unit_raw[i]!r} belongs to a group this framework does not cover "
                f"({', '.join(cf.group_codes)})"
            ),
            ind,
        )
    n_leaves = cf.n_leaves
    n_up = len(unit_codes) * n_periods
    up = unit * n_periods  # dense unit × period key
    up += period
    del unit, period
    known_keys = known_ind and known_unit and known_period
    pattern = _grid_pattern(ind, up, n_leaves) if known_keys else None
    blocks = _blocks(cf, ind, value, denom, pattern)
    _validate_values(cf, problems, ind, group, applicable, value, denom, blocks)
    del group
    if known_keys and pattern is None:  # (rows in a grid cannot repeat)
        cell = up * n_leaves
        cell += ind
        # Rows usually come sorted; cells that strictly increase cannot repeat.
        counts = (
            np.bincount(cell, minlength=n_up * n_leaves)
            if len(cell) > 1 and not (cell[1:] > cell[:-1]).all()
            else np.zeros(1, dtype=np.int64)
        )
        if counts.max(initial=0) > 1:
            given_as = values[GIVEN_AS] if direct is not None else None

            def duplicate(i: int) -> str:
                where = (
                    f"unit {unit_raw[i]!r}, period {values['period'][i]!r}, "
                    f"indicator {cf.codes[ind[i]]}"
                )
                if given_as is not None and given_as[i] is not None:
                    return (
                        f"{where} is part of node {given_as[i]}, which is given directly: "
                        f"give either {given_as[i]} or its components, not both"
                    )
                return f"duplicate row for {where}"

            problems.check(counts[cell] > 1, "indicator", duplicate, ind)
        del cell, counts
    if problems.items:
        raise DataError(problems.items)

    # Points per row; then per unit × period ("key") sums with bincount. The masks below are
    # only built when some rows need them (N/A rows, bonus/penalty rows, zero-maximum leaves).
    every_row_applicable = bool(applicable.all())
    points = _rule_points(cf, len(ind), blocks)
    del blocks
    if direct is not None:
        points = np.where(np.isnan(direct.points), points, direct.points)
    full_max = cf.max[ind]
    if every_row_applicable:
        leaf_max = full_max
    else:
        points = np.where(applicable, points, 0.0)
        leaf_max = np.where(applicable, full_max, 0.0)
    tree_leaf = cf.kind == LeafKind.TREE
    kind = cf.kind[ind] if not tree_leaf.all() else None
    tree = kind == LeafKind.TREE if kind is not None else None  # None: every row

    present = np.bincount(up, minlength=n_up) > 0
    keys = np.flatnonzero(present)
    key_unit, key_period = keys // n_periods, keys % n_periods
    key_group = unit_group[key_unit]
    zeros = np.zeros(len(keys))

    def per_key(weights: F64, rows: npt.NDArray[np.bool_] | None = None) -> F64:
        """Sum of ``weights`` per key, over the rows selected by ``rows`` (all if None)."""
        if rows is None:
            return np.bincount(up, weights=weights, minlength=n_up)[keys].astype(np.float64)
        at = np.flatnonzero(rows)
        return np.bincount(up[at], weights=weights[at], minlength=n_up)[keys].astype(np.float64)

    def count_per_key(rows: npt.NDArray[np.bool_]) -> I64:
        return np.bincount(up[rows], minlength=n_up)[keys].astype(np.int64)

    tree_points = per_key(points, tree)
    if kind is None:
        bonus, penalty = zeros, zeros
    else:
        bonus = np.minimum(per_key(points, kind == LeafKind.BONUS), cf.bonus_cap)
        penalty = np.minimum(per_key(points, kind == LeafKind.PENALTY), cf.penalty_cap)
    na_rows = None if every_row_applicable else ~applicable if tree is None else tree & ~applicable
    na_max = zeros if na_rows is None else per_key(full_max, na_rows)
    applicable_max = cf.group_max[key_group] - na_max
    total = np.maximum(tree_points + bonus - penalty, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(applicable_max > 0, total / applicable_max * 100.0, 0.0)

    scale = fw.scale
    if scale.report == ReportAs.RESCALED:
        raw_score = percent / 100.0 * scale.total
    elif scale.report == ReportAs.INDEX:
        raw_score = total / scale.total
    else:
        raw_score = total
    published = round_published(raw_score, scale.decimals, scale.rounding)
    if scale.report == ReportAs.RAW:
        with np.errstate(divide="ignore", invalid="ignore"):  # every leaf N/A: maximum 0
            band_basis = np.where(applicable_max > 0, published / applicable_max * 100.0, 0.0)
    elif scale.report == ReportAs.INDEX:
        band_basis = published * 100.0
    else:
        band_basis = published / scale.total * 100.0
    band = classify(band_basis, cf.band_min, cf.band_strict)

    # Completion levels: per applicable tree leaf; leaves with no row count at the lowest level.
    positive_leaf = cf.max > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        if every_row_applicable and positive_leaf.all():
            leaf_percent = points / leaf_max * 100.0
        else:
            leaf_percent = np.where(leaf_max > 0, points / leaf_max * 100.0, 0.0)
    n_levels = len(cf.level_codes)
    detail = values.height <= INDICATOR_DETAIL_LIMIT  # per-row levels are wanted
    level: I64 | None = None
    if tree is None and every_row_applicable and positive_leaf.all() and not detail:
        level_key = classify(leaf_percent, cf.level_min, cf.level_strict, base=up * n_levels)
    elif tree is None and every_row_applicable and positive_leaf.all():
        level = classify(leaf_percent, cf.level_min, cf.level_strict)
        level_key = up * n_levels + level
    else:
        level = classify(leaf_percent, cf.level_min, cf.level_strict)
        level_rows = np.flatnonzero(
            (tree if tree is not None else True) & applicable & positive_leaf[ind]
        )
        level_key = up[level_rows] * n_levels + level[level_rows]
    del leaf_percent
    level_counts = np.bincount(level_key, minlength=n_up * n_levels).reshape(n_up, n_levels)[keys]
    del level_key
    if na_rows is None:
        not_applicable = np.zeros(len(keys), dtype=np.int64)
        na_counted = not_applicable
    else:
        not_applicable = count_per_key(na_rows)
        # Leaves worth no points are outside the completion counts, whether N/A or not.
        na_counted = count_per_key(na_rows & positive_leaf[ind])
    missing = cf.group_leaf_count[key_group] - level_counts.sum(axis=1) - na_counted
    level_counts[:, -1] += missing

    # Pillars.
    n_pillars = len(cf.pillar_codes)
    pillar_key = up * n_pillars + cf.pillar[ind]
    at = np.flatnonzero(tree) if tree is not None else None
    pillar_points = np.bincount(
        pillar_key if at is None else pillar_key[at],
        weights=points if at is None else points[at],
        minlength=n_up * n_pillars,
    ).reshape(n_up, n_pillars)[keys]
    if na_rows is None:
        pillar_na = np.zeros((len(keys), n_pillars))
    else:
        at = np.flatnonzero(na_rows)
        pillar_na = (
            np.bincount(pillar_key[at], weights=full_max[at], minlength=n_up * n_pillars)
            .reshape(n_up, n_pillars)[keys]
            .astype(np.float64)
        )
    del pillar_key, at
    pillar_max = cf.group_pillar_max[key_group] - pillar_na

    unit_table = units.select(pl.col("unit").cast(pl.String), pl.col("name").cast(pl.String))
    key_unit_codes = unit_table["unit"].gather(key_unit)
    period_codes = pl.Series("period", periods, dtype=pl.String).gather(key_period)
    decimals = scale.decimals
    frame = pl.DataFrame(
        {
            "unit": key_unit_codes,
            "name": unit_table["name"].gather(key_unit),
            "group": pl.Series(cf.group_codes, dtype=pl.String).gather(key_group),
            "period": period_codes,
            "framework": pl.repeat(fw.code, len(keys), dtype=pl.String, eager=True),
            "points": round_published(tree_points, 6),
            "bonus": round_published(bonus, 6),
            "penalty": round_published(penalty, 6),
            "total": round_published(total, 6),
            "applicable_max": round_published(applicable_max, 6),
            "percent": round_published(percent, 4),
            "score_exact": raw_score,
            "score": published,
            "band": pl.Series(cf.band_codes, dtype=pl.String).gather(band),
            "band_name": pl.Series([b.name.vi for b in fw.bands], dtype=pl.String).gather(band),
            **{
                f"n_{code}": level_counts[:, j].astype(np.int64)
                for j, code in enumerate(cf.level_codes)
            },
            "n_not_applicable": not_applicable.astype(np.int64),
        }
    )
    frame = rank_within(frame)
    # One period and nothing earlier (every save of a unit): no change to derive.
    registry = (
        None
        if len(periods) <= 1 and previous is None
        else Registry.build(units.with_columns(pl.col("unit").cast(pl.String)), lineage)
    )
    if registry is None:
        frame = without_previous(frame)
    else:
        frame = attach_previous(
            frame, registry, method=fw.history, decimals=decimals, previous=previous
        )
    pillars = pl.DataFrame(
        {
            "unit": key_unit_codes.gather(np.repeat(np.arange(len(keys)), n_pillars)),
            "period": period_codes.gather(np.repeat(np.arange(len(keys)), n_pillars)),
            "pillar": pl.Series(cf.pillar_codes, dtype=pl.String).gather(
                np.tile(np.arange(n_pillars), len(keys))
            ),
            "points": round_published(pillar_points.ravel().astype(np.float64), 6),
            "max": round_published(pillar_max.ravel(), 6),
            **_own_previous_pillars(
                pillar_points.astype(np.float64), keys, key_period, n_up, periods
            ),
        }
    )
    pillars = attach_previous_pillars(pillars, registry, method=fw.history)
    indicators = (
        pl.DataFrame(
            {
                "unit": values["unit"].cast(pl.String),
                "period": values["period"].cast(pl.String),
                "indicator": values["indicator"].cast(pl.String),
                "points": points,
                "max": leaf_max,
                "applicable": applicable,
                "level": pl.Series(cf.level_codes, dtype=pl.String).gather(level),
            }
        )
        if detail and level is not None
        else pl.DataFrame()
    )
    return ScoreResult(
        framework=fw,
        units=frame,
        pillars=pillars,
        indicators=indicators,
    )


def _own_previous_pillars(
    pillar_points: F64, keys: I64, key_period: I64, n_up: int, periods: list[str]
) -> dict[str, pl.Series]:
    """Each pillar's own value in the previous period, found by key arithmetic: the same unit
    one period earlier is the key just before (``unit × n_periods + period``). Units without
    one are left null for the lineage derivation."""
    n_pillars = pillar_points.shape[1]
    position = np.full(n_up, -1, dtype=np.int64)
    position[keys] = np.arange(len(keys))
    has_prior = key_period > 0
    prior = np.where(has_prior, position[np.where(has_prior, keys - 1, 0)], -1)
    own = prior >= 0
    previous = np.full(pillar_points.shape, np.nan)
    previous[own] = pillar_points[prior[own]]
    prior_period = np.where(has_prior, key_period - 1, len(periods))
    return {
        "previous_period": pl.Series([*periods, None], dtype=pl.String).gather(
            np.repeat(prior_period, n_pillars)
        ),
        "previous_points": pl.Series(round_published(previous.ravel(), 6)).fill_nan(None),
    }


# Per-value detail is for scorecards and exports; at benchmark scale (10 M values) it would only
# cost memory, so it is skipped above this many rows.
INDICATOR_DETAIL_LIMIT = 2_000_000


def _require_columns(frame: pl.DataFrame, columns: Sequence[str], source: str | None) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            [Problem(f"required column {c!r} is missing", file=source, column=c) for c in missing]
        )
