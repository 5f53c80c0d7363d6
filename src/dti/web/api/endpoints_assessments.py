"""Assessments (token only): read one with its entries' versions, and set the unit's own values.

Writes go through the web's services (``entry_save_self``): the same role and unit checks,
workflow state, deadline, engine validation, optimistic locking and audit trail; the audit
actor is the token's user.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router

from dti.web.accounts.policy import view_refusal, visible_periods
from dti.web.api.auth import TokenAuth, auth_user
from dti.web.api.errors import (
    READ_ERRORS,
    WRITE_ERRORS,
    ApiError,
    ErrorCode,
    ErrorDetail,
    ErrorOut,
    from_service,
    not_found,
)
from dti.web.api.schemas import (
    MAX_ID,
    AssessmentDetailOut,
    AssessmentOut,
    BatchIn,
    Code,
    EntryIn,
    SavedOut,
)
from dti.web.assessments import services
from dti.web.assessments.models import Assessment, IndicatorEntry, Period
from dti.web.assessments.selectors import assessments_for
from dti.web.assessments.workflow import self_deadline
from dti.web.errors import Forbidden, ServiceError

router = Router(tags=["assessments"], auth=TokenAuth())
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
PathCode = Annotated[Code, Path()]
TOKEN_READ = {**READ_ERRORS, 403: ErrorOut}


def _summary(a: Assessment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "period": a.period_id,
        "year": a.period.year,
        "unit_id": a.unit_id,
        "unit": a.unit.code,
        "unit_name": a.unit.name,
        "group": a.unit.group.code,
        "framework": str(a.framework),
        "status": a.status,
        "self_score": a.self_score,
        "self_band": a.self_band,
        "verified_score": a.verified_score,
        "verified_band": a.verified_band,
        "applicable_max": a.applicable_max,
        "updated_at": a.updated_at,
    }


def _entry(a: Assessment, e: IndicatorEntry) -> dict[str, Any]:
    points: list[float | None] = (a.points or {}).get(e.indicator, [None, None])
    return {
        "indicator": e.indicator,
        "position": e.position,
        "value": e.self_value,
        "denominator": e.self_denominator,
        "applicable": e.self_applicable,
        "explanation": e.explanation,
        "verdict": e.verdict,
        "version": e.version,
        "self_points": points[0],
        "verified_points": points[1],
    }


def _visible(request: HttpRequest, assessment_id: int) -> Assessment:
    """The assessment if the token's user may open it; otherwise 404, as on the web (a
    reporter of another unit learns nothing, not even that it exists)."""
    assessment = (
        Assessment.objects.select_related("period", "unit__group", "framework")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None:
        raise not_found(_("No such assessment."))
    refusal = view_refusal(auth_user(request), assessment)
    if isinstance(refusal, Forbidden):  # a verifier not assigned the unit
        raise from_service(refusal)
    if refusal is not None:
        raise not_found(_("No such assessment."))
    return assessment


@router.get("/periods/{period_id}/assessments", response={200: list[AssessmentOut], **TOKEN_READ})
def period_assessments(request: HttpRequest, period_id: PathId) -> Any:
    user = auth_user(request)
    if not visible_periods(user, Period.objects.filter(pk=period_id)).exists():
        raise not_found(_("No such period."))  # nor one of another province
    qs = assessments_for(auth_user(request)).filter(period_id=period_id)
    return [_summary(a) for a in qs]


@router.get("/assessments/{assessment_id}", response={200: AssessmentDetailOut, **TOKEN_READ})
def assessment_detail(request: HttpRequest, assessment_id: PathId) -> Any:
    a = _visible(request, assessment_id)
    return {
        **_summary(a),
        "self_deadline": self_deadline(a),
        "entries": [_entry(a, e) for e in a.entries.order_by("position")],
    }


def _saved(assessment_id: int, indicators: list[str]) -> dict[str, Any]:
    a = Assessment.objects.select_related("period", "unit__group", "framework").get(
        pk=assessment_id
    )
    entries = a.entries.filter(indicator__in=indicators).order_by("position")
    return {"assessment": _summary(a), "entries": [_entry(a, e) for e in entries]}


def _save(request: HttpRequest, entry: IndicatorEntry, data: EntryIn, loc: list[str | int]) -> None:
    try:
        services.entry_save_self(
            actor=auth_user(request),
            entry=entry,
            version=data.version,
            value=data.value,
            denominator=data.denominator,
            applicable=data.applicable,
            explanation=entry.explanation if data.explanation is None else data.explanation,
        )
    except ServiceError as error:
        raise from_service(error, loc) from error


@router.put(
    "/assessments/{assessment_id}/entries/{indicator}",
    response={200: SavedOut, **WRITE_ERRORS},
    description=(
        "Set the unit's own data for one indicator. `version` is the entry's current version "
        "(from GET /assessments/{id}); a stale one answers 409 `conflict` and saves nothing."
    ),
)
def entry_put(
    request: HttpRequest, assessment_id: PathId, indicator: PathCode, data: EntryIn
) -> Any:
    a = _visible(request, assessment_id)
    entry = a.entries.filter(indicator=indicator).first()
    if entry is None:
        raise not_found(
            _("The assessment has no indicator %(indicator)s.") % {"indicator": indicator}
        )
    entry.assessment = a
    _save(request, entry, data, ["indicator", indicator])
    return _saved(a.pk, [indicator])


@router.put(
    "/assessments/{assessment_id}/entries",
    response={200: SavedOut, **WRITE_ERRORS},
    description=(
        "Set several indicators at once, all or nothing: each goes through the same checks as "
        "a single save; the first refusal cancels the whole batch."
    ),
)
def entries_put(request: HttpRequest, assessment_id: PathId, data: BatchIn) -> Any:
    a = _visible(request, assessment_id)
    entries = {e.indicator: e for e in a.entries.all()}
    codes = [item.indicator for item in data.entries]
    problems = [
        ErrorDetail(loc=["body", "entries", i, "indicator"], message=f"unknown indicator {code}")
        for i, code in enumerate(codes)
        if code not in entries
    ] + [
        ErrorDetail(loc=["body", "entries", i, "indicator"], message=f"{code} given twice")
        for i, code in enumerate(codes)
        if code in codes[:i]
    ]
    if problems:
        raise ApiError(ErrorCode.INVALID, _("The batch was refused; nothing was saved."), problems)
    with transaction.atomic():
        for i, item in enumerate(data.entries):
            entry = entries[item.indicator]
            entry.assessment = a
            _save(request, entry, item, ["body", "entries", i, item.indicator])
    return _saved(a.pk, codes)
