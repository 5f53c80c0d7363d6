"""Phase 6 of scoring: ranks within each period × group, and the change against the previous
period (through the units' lineage when they were reorganised)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dti.engine.framework import Framework
from dti.engine.history import attach_previous, attach_previous_pillars, without_previous
from dti.engine.lineage import Registry
from dti.engine.ranking import rank_within

__all__ = ["Compared", "rank_and_compare"]


@dataclass(frozen=True, slots=True, eq=False)
class Compared:
    """The ranked unit and pillar tables, each with its previous-period columns."""

    units: pl.DataFrame
    pillars: pl.DataFrame


def rank_and_compare(
    fw: Framework,
    unit_rows: pl.DataFrame,
    pillar_rows: pl.DataFrame,
    *,
    units: pl.DataFrame,
    periods: list[str],
    lineage: pl.DataFrame | None,
    previous: pl.DataFrame | None,
) -> Compared:
    ranked = rank_within(unit_rows)
    # One period and nothing earlier (every save of a unit): no change to derive.
    registry = (
        None
        if len(periods) <= 1 and previous is None
        else Registry.build(units.with_columns(pl.col("unit").cast(pl.String)), lineage)
    )
    if registry is None:
        ranked = without_previous(ranked)
    else:
        ranked = attach_previous(
            ranked,
            registry,
            method=fw.history,
            decimals=fw.scale.decimals,
            rounding=fw.scale.rounding,
            partial=fw.history_partial,
            previous=previous,
        )
    pillars = attach_previous_pillars(
        pillar_rows, registry, method=fw.history, partial=fw.history_partial
    )
    return Compared(ranked, pillars)
