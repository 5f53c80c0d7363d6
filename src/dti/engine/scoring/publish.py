"""Phase 4 of scoring: totals as published — rescaled, rounded — and their performance bands."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dti.engine.compiled import F64, I64, CompiledFramework, classify
from dti.engine.framework import ReportAs
from dti.engine.scoring.aggregate import Totals
from dti.engine.scoring.result import round_published

__all__ = ["Published", "publish_scores"]


@dataclass(frozen=True, slots=True, eq=False)
class Published:
    """Per key: the score as the framework reports it, exact and rounded, and its band id."""

    exact: F64
    rounded: F64
    band: I64


def publish_scores(cf: CompiledFramework, totals: Totals) -> Published:
    scale = cf.framework.scale
    if scale.report == ReportAs.RESCALED:
        exact = totals.percent / 100.0 * scale.total
    elif scale.report == ReportAs.INDEX:
        exact = totals.total / scale.total
    else:
        exact = totals.total
    rounded = round_published(exact, scale.decimals, scale.rounding)
    # Bands are thresholds on a percentage of the maximum, taken from the published figure.
    if scale.report == ReportAs.RAW:
        with np.errstate(divide="ignore", invalid="ignore"):  # every leaf N/A: maximum 0
            applicable_max = totals.applicable_max
            band_basis = np.where(applicable_max > 0, rounded / applicable_max * 100.0, 0.0)
    elif scale.report == ReportAs.INDEX:
        band_basis = rounded * 100.0
    else:
        band_basis = rounded / scale.total * 100.0
    return Published(exact, rounded, classify(band_basis, cf.band_min, cf.band_strict))
