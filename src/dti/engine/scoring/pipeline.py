"""The scoring pipeline: :func:`score` runs the phases in order, each handing the next a
frozen dataclass."""

from __future__ import annotations

import polars as pl

from dti.engine.compiled import CompiledFramework, compile_framework
from dti.engine.framework import Framework
from dti.engine.scoring.aggregate import completion_levels, find_keys, key_totals, pillar_sums
from dti.engine.scoring.compare import rank_and_compare
from dti.engine.scoring.frames import indicator_frame, key_labels, pillar_frame, unit_frame
from dti.engine.scoring.inputs import read_inputs
from dti.engine.scoring.points import leaf_points
from dti.engine.scoring.publish import publish_scores
from dti.engine.scoring.result import ScoreResult

__all__ = ["INDICATOR_DETAIL_LIMIT", "score"]

# Per-value detail is for scorecards and exports; at benchmark scale (10 M values) it would only
# cost memory, so it is skipped above this many rows.
INDICATOR_DETAIL_LIMIT = 2_000_000


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
    inputs = read_inputs(cf, values, units, source)
    leaf = leaf_points(cf, inputs)
    rows = inputs.rows
    del inputs  # its blocks (per-kind copies of the values) are not needed any more
    keys = find_keys(rows)
    detail = rows.values.height <= INDICATOR_DETAIL_LIMIT  # per-row levels are wanted
    totals = key_totals(cf, leaf, keys)
    completion = completion_levels(cf, leaf, keys, detail=detail)
    labels = key_labels(rows, keys)
    compared = rank_and_compare(
        cf.framework,
        unit_frame(cf, labels, keys, totals, publish_scores(cf, totals), completion),
        pillar_frame(cf, labels, keys, pillar_sums(cf, leaf, keys), rows.periods),
        units=rows.units,
        periods=rows.periods,
        lineage=lineage,
        previous=previous,
    )
    return ScoreResult(
        framework=cf.framework,
        units=compared.units,
        pillars=compared.pillars,
        indicators=indicator_frame(cf, leaf, completion, detail=detail),
    )
