"""The checks on the input rows: keys known, indicators applicable, values within their rule,
no row twice. Each adds located problems; none raises (the caller raises them all at once)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import polars as pl

from dti.engine.compiled import EPS, I64, CompiledFramework
from dti.engine.direct import GIVEN_AS
from dti.engine.messages import Message, say
from dti.engine.scoring.blocks import FRACTION_KINDS, Block, Kind
from dti.engine.scoring.problems import Problems

__all__ = ["check_duplicates", "check_keys", "check_values"]

Bools = npt.NDArray[np.bool_]


def check_keys(
    cf: CompiledFramework,
    problems: Problems,
    values: pl.DataFrame,
    ind: I64,
    unit: I64,
    period: I64,
    unit_group: I64,
) -> tuple[bool, I64 | None]:
    """Check every row's indicator, unit, period and the unit's group.

    Returns whether every key is known, and each row's group id (``None`` when not needed:
    every indicator applies to every unit's group, and every unit has a known group).
    """
    ind_raw, unit_raw = values["indicator"], values["unit"]
    known_ind = bool(ind.min(initial=0) >= 0)
    known_unit = bool(unit.min(initial=0) >= 0)
    known_period = bool(period.min(initial=0) >= 0)
    if not known_ind:
        problems.check(
            ind < 0, "indicator", lambda i: say("unknown_indicator", indicator=ind_raw[i])
        )
    if not known_unit:
        problems.check(
            unit < 0, "unit", lambda i: say("unit_not_in_units_table", unit=unit_raw[i]), ind
        )
    if not known_period:
        problems.check(period < 0, "period", lambda i: say("period_empty"), ind)
    group: I64 | None = None
    if not cf.applies.all() or unit_group.min(initial=0) < 0:
        group = unit_group[np.maximum(unit, 0)]
        if not known_unit:
            group[unit < 0] = -1
        problems.check(
            (unit >= 0) & (group < 0),
            "unit",
            lambda i: say("unit_group_not_covered", unit=unit_raw[i], groups=tuple(cf.group_codes)),
            ind,
        )
    return known_ind and known_unit and known_period, group


def check_values(
    cf: CompiledFramework,
    problems: Problems,
    ind: I64,
    group: I64 | None,
    applicable: Bools,
    value: npt.NDArray[np.float64],
    denom: npt.NDArray[np.float64],
    blocks: dict[Kind, Block],
) -> None:
    """Check values against their leaf's rule, block by block.

    The usual all-good case is decided without building per-row masks for the whole table;
    the rows of a problem are still reported in row order.
    """
    # None: every row is applicable, so no row needs to be left out of the rule checks.
    only = None if applicable.all() else applicable
    _check_applicability(cf, problems, ind, group, only)
    negative = value < 0  # NaN (nothing entered) compares False
    if negative.any():
        problems.check(
            negative & (ind >= 0) & applicable,
            "value",
            lambda i: say("value_negative", value=float(value[i])),
            ind,
        )

    def bad(kinds: Sequence[Kind], test: Callable[[Block], Bools]) -> I64:
        return _bad_rows(blocks, kinds, test, only)

    problems.report(
        bad([Kind.BOOLEAN], lambda b: (b.value != 0) & (b.value != 1) & ~np.isnan(b.value)),
        "value",
        lambda i: say("boolean_not_0_1", value=float(value[i])),
        ind,
    )
    problems.report(
        bad([Kind.POINTS], lambda b: b.value > cf.max[b.leaf] + EPS),
        "value",
        lambda i: say("points_exceed_max", points=float(value[i]), maximum=float(cf.max[ind[i]])),
        ind,
    )
    problems.report(
        bad(FRACTION_KINDS, lambda b: ~np.isnan(b.value) & (b.denom <= 0)),
        "denominator",
        lambda i: say("denominator_not_positive", denominator=float(denom[i])),
        ind,
    )
    problems.report(
        bad(FRACTION_KINDS, lambda b: (b.denom > 0) & (b.value > b.denom + EPS)),
        "value",
        lambda i: say(
            "numerator_exceeds_denominator",
            numerator=float(value[i]),
            denominator=float(denom[i]),
        ),
        ind,
    )
    problems.report(
        bad(FRACTION_KINDS, lambda b: np.isnan(b.denom) & (b.value > 1 + EPS)),
        "denominator",
        lambda i: say("value_needs_denominator", value=float(value[i])),
        ind,
    )
    problems.report(
        bad([Kind.RATIO_PERCENT], lambda b: b.value > 100 + EPS),
        "value",
        lambda i: say("percentage_exceeds_100", value=float(value[i])),
        ind,
    )


def _check_applicability(
    cf: CompiledFramework,
    problems: Problems,
    ind: I64,
    group: I64 | None,
    applicable: Bools | None,
) -> None:
    """Indicators must apply to the unit's group, and be marked N/A only where allowed
    (``applicable`` is None when every row is)."""
    codes = cf.codes
    ok_ind = ind >= 0
    safe_ind = np.maximum(ind, 0)
    if group is not None and not cf.applies.all():
        known = ok_ind & (group >= 0)
        flat = np.where(known, np.maximum(group, 0) * cf.n_leaves + safe_ind, 0)
        problems.check(
            known & ~cf.applies.ravel()[flat],
            "indicator",
            lambda i: say(
                "indicator_not_for_group",
                indicator=codes[ind[i]],
                group=cf.group_codes[group[i]],
            ),
            ind,
        )
    if applicable is not None:
        problems.check(
            ok_ind & ~applicable & ~cf.na_allowed[safe_ind],
            "applicable",
            lambda i: say("indicator_na_not_allowed", indicator=codes[ind[i]]),
            ind,
        )


def _bad_rows(
    blocks: dict[Kind, Block],
    kinds: Sequence[Kind],
    test: Callable[[Block], Bools],
    applicable: Bools | None,
) -> I64:
    """Rows (ascending) of the given kinds failing ``test``, among applicable rows (all rows
    when ``applicable`` is None)."""
    found = []
    for kind in kinds:
        block = blocks.get(kind)
        if block is None or not block.value.size:
            continue
        bad = test(block)
        if applicable is not None:
            bad &= block.take(applicable)
        if bad.any():
            found.append(block.positions(bad))
    if not found:
        return np.empty(0, dtype=np.int64)
    return found[0] if len(found) == 1 else np.sort(np.concatenate(found))


def check_duplicates(
    cf: CompiledFramework,
    problems: Problems,
    values: pl.DataFrame,
    ind: I64,
    up: I64,
    n_up: int,
    given_directly: bool,
) -> None:
    """No unit × period × indicator twice (a leaf of a node given directly counts as given)."""
    n_leaves = cf.n_leaves
    cell = up * n_leaves
    cell += ind
    # Rows usually come sorted; cells that strictly increase cannot repeat.
    if len(cell) <= 1 or (cell[1:] > cell[:-1]).all():
        return
    counts = np.bincount(cell, minlength=n_up * n_leaves)
    if counts.max(initial=0) <= 1:
        return
    unit_raw = values["unit"]
    given_as = values[GIVEN_AS] if given_directly else None

    def duplicate(i: int) -> Message:
        where = {"unit": unit_raw[i], "period": values["period"][i], "indicator": cf.codes[ind[i]]}
        if given_as is not None and given_as[i] is not None:
            return say("given_directly_and_components", node=given_as[i], **where)
        return say("duplicate_row", **where)

    problems.check(counts[cell] > 1, "indicator", duplicate, ind)
