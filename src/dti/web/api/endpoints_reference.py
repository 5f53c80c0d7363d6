"""Frameworks, units and periods: reference data, open to everyone (progress needs a token)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router

from dti.web.accounts.policy import can_see_progress
from dti.web.api.auth import caller
from dti.web.api.errors import READ_ERRORS, not_found
from dti.web.api.schemas import (
    MAX_ID,
    Code,
    FrameworkDetailOut,
    FrameworkOut,
    PeriodDetailOut,
    PeriodOut,
    UnitOut,
)
from dti.web.api.selectors import framework_groups, tree_nodes
from dti.web.assessments.models import Period
from dti.web.assessments.selectors import period_progress
from dti.web.frameworks.models import FrameworkVersion
from dti.web.registry.models import Unit

router = Router(tags=["reference"])
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _framework(v: FrameworkVersion) -> dict[str, Any]:
    return {
        "id": v.pk,
        "code": v.code,
        "version": v.version,
        "name": v.name,
        "sha256": v.sha256,
        "uploaded_at": v.uploaded_at,
    }


@router.get("/frameworks", response={200: list[FrameworkOut], **READ_ERRORS})
def framework_list(request: HttpRequest) -> Any:
    caller(request)
    return [_framework(v) for v in FrameworkVersion.objects.all()]


@router.get("/frameworks/{framework_id}", response={200: FrameworkDetailOut, **READ_ERRORS})
def framework_detail(request: HttpRequest, framework_id: PathId) -> Any:
    caller(request)
    version = FrameworkVersion.objects.filter(pk=framework_id).first()
    if version is None:
        raise not_found(_("No such framework."))
    return {
        **_framework(version),
        "groups": framework_groups(version),
        "nodes": tree_nodes(version),
    }


def _unit(u: Unit) -> dict[str, Any]:
    return {
        "id": u.pk,
        "code": u.code,
        "name": u.name,
        "kind": u.kind,
        "group": {"code": u.group.code, "name": u.group.name},
        "parent": u.parent.code if u.parent else None,
        "active": u.active,
        "valid_from": u.valid_from,
        "valid_to": u.valid_to,
        "basis": u.basis,
        "predecessors": [
            {
                "code": link.predecessor.code,
                "kind": link.kind,
                "date": link.date,
                "weight": link.weight,
                "basis": link.basis,
            }
            for link in u.lineage_from.all()
        ],
    }


@router.get("/units", response={200: list[UnitOut], **READ_ERRORS})
def unit_list(
    request: HttpRequest,
    group: Annotated[Code | None, Query(description="a unit group code")] = None,
    on: Annotated[
        dt.date | None,
        Query(
            ge=dt.date(1900, 1, 1),
            le=dt.date(2200, 12, 31),
            description="units that existed on this day",
        ),
    ] = None,
) -> Any:
    caller(request)
    units = Unit.objects.select_related("group", "parent").prefetch_related(
        "lineage_from__predecessor"
    )
    if group is not None:
        units = units.filter(group__code=group)
    if on is not None:
        units = units.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )
    return [_unit(u) for u in units]


def _period(p: Period) -> dict[str, Any]:
    return {
        "id": p.pk,
        "year": p.year,
        "name": p.name,
        "self_deadline": p.self_deadline,
        "verification_deadline": p.verification_deadline,
        "frameworks": [
            {
                "group": pf.group.code,
                "framework_id": pf.framework_id,
                "framework": str(pf.framework),
            }
            for pf in p.frameworks.all()
        ],
    }


@router.get("/periods", response={200: list[PeriodOut], **READ_ERRORS})
def period_list(request: HttpRequest) -> Any:
    caller(request)
    periods = Period.objects.prefetch_related("frameworks__group", "frameworks__framework")
    return [_period(p) for p in periods]


@router.get("/periods/{period_id}", response={200: PeriodDetailOut, **READ_ERRORS})
def period_detail(request: HttpRequest, period_id: PathId) -> Any:
    user = caller(request)
    period = Period.objects.filter(pk=period_id).first()
    if period is None:
        raise not_found(_("No such period."))
    progress = None
    if can_see_progress(user, period):  # the counts say how far drafts are: the province's
        p = period_progress(period)
        progress = {
            "total": p.total,
            "by_status": p.by_status,
            "submitted": p.submitted,
            "verified": p.verified,
        }
    return {**_period(period), "progress": progress}
