"""Data-quality warnings over stored values: the framework's ``quality`` rules, judged by the
engine (:func:`dti.engine.quality_warnings`) on the values that count now.

Reads only. The same functions serve a unit's form after each save, the verifier's page, the
values import, a pull from a connector (:func:`period_quality` over the units it wrote) and a
snapshot (:func:`batch_quality` over what the snapshot already loaded). Year-over-year jumps
compare with the province's latest earlier period, unit by unit under the same code and
indicator (a merged unit has no earlier values of its own, so it is not compared).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

import polars as pl
from django.db.models import Q, QuerySet

from dti.engine import Problem, QualityWarning, quality_warnings
from dti.engine.messages import Message
from dti.web.assessments.models import Assessment, Period
from dti.web.assessments.period_values import FrameworkBatch, period_batches
from dti.web.assessments.workflow import VERIFIED_SIDE
from dti.web.frameworks.selectors import framework_parsed
from dti.web.problems import problem_message

__all__ = [
    "assessment_quality",
    "assessments_to_score",
    "batch_quality",
    "counted_values",
    "period_quality",
    "previous_values",
    "warning_records",
    "warning_texts",
]


def assessments_to_score(assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """``assessments`` with what scoring them reads (unit, group, framework), without each
    row's copy of the framework's YAML: the batch's one version loads it once when parsed
    (5,000 copies of a 100-leaf framework are 50 MB read for nothing)."""
    return (
        assessments.select_related("unit__group", "framework")
        .defer("framework__yaml_text")
        .order_by("pk")
    )


def counted_values(batch: FrameworkBatch, period: Period) -> pl.DataFrame:
    """The values that count now: the verifier's where an entry was adjusted and the
    assessment is on the verified side, else the unit's own."""
    return batch.values(period.code, verified_for=VERIFIED_SIDE)


def previous_values(period: Period, units: Collection[str]) -> pl.DataFrame | None:
    """The values that count of ``units`` in the province's latest period before ``period``
    (``None`` when there is none)."""
    same_province = (
        Q(province__isnull=True) if period.province_id is None else Q(province=period.province_id)
    )
    earlier = Period.objects.filter(same_province, year__lt=period.year).order_by("-year").first()
    if earlier is None or not units:
        return None
    batches = period_batches(
        assessments_to_score(earlier.assessments.filter(unit__code__in=list(units)))
    )
    frames = [counted_values(b, earlier) for b in batches]
    return pl.concat(frames) if frames else None


def batch_quality(
    batch: FrameworkBatch, values: pl.DataFrame, previous: pl.DataFrame | None
) -> list[QualityWarning]:
    """The warnings of ``batch``'s framework over its ``values`` (already loaded)."""
    return quality_warnings(framework_parsed(batch.framework), values, previous)


def period_quality(
    *, period: Period, units: Collection[str] | None = None
) -> dict[str, list[QualityWarning]]:
    """Every unit's warnings in ``period`` (only ``units``, by code, when given): what a
    save, an import or a pull calls after writing. Units without a warning are absent."""
    assessments = period.assessments.all()
    if units is not None:
        assessments = assessments.filter(unit__code__in=list(units))
    batches = period_batches(assessments_to_score(assessments))
    if not any(framework_parsed(b.framework).quality for b in batches):
        return {}
    previous = previous_values(period, [a.unit.code for b in batches for a in b.assessments])
    out: dict[str, list[QualityWarning]] = {}
    for batch in batches:
        for warning in batch_quality(batch, counted_values(batch, period), previous):
            out.setdefault(warning.unit, []).append(warning)
    return out


def assessment_quality(assessment: Assessment) -> list[QualityWarning]:
    """The unit's warnings on its form and on the verifier's page."""
    if not framework_parsed(assessment.framework).quality:
        return []  # (no query for the frameworks that declare no rule)
    found = period_quality(period=assessment.period, units=[assessment.unit.code])
    return found.get(assessment.unit.code, [])


def warning_records(warnings: Iterable[QualityWarning]) -> list[dict[str, Any]]:
    """Warnings as JSON to store (on a snapshot, an import): code and parameters, rendered in
    the reader's language when shown."""
    return [
        {
            "unit": w.unit,
            "indicator": w.indicator,
            "code": w.message.code,
            "params": w.message.params,
        }
        for w in warnings
    ]


def warning_texts(warnings: Sequence[QualityWarning] | Sequence[dict[str, Any]]) -> list[str]:
    """Warnings (or their stored records) said in the active language."""
    texts = []
    for w in warnings:
        message = Message(w["code"], w["params"]) if isinstance(w, dict) else w.message
        texts.append(problem_message(Problem(message)))
    return texts
