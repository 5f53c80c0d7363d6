"""A unit's scores: computed by the engine from its entries and stored on the assessment
(never typed by hand), every score that moves audited."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from dti.engine import CompiledFramework
from dti.web.accounts.actors import Actor
from dti.web.assessments.calculations import Summary, run, summarise
from dti.web.assessments.models import Assessment, IndicatorEntry
from dti.web.assessments.services._common import self_row, unit_row, verified_row
from dti.web.assessments.workflow import VERIFIED_SIDE
from dti.web.audit.actions import AuditAction
from dti.web.audit.models import AuditEvent
from dti.web.audit.services import HEAD_FIELDS, audit_insert, audit_link, change_events
from dti.web.frameworks.selectors import framework_compiled

SCORE_FIELDS = [
    "points",
    "self_score",
    "self_percent",
    "self_band",
    "applicable_max",
    "verified_score",
    "verified_percent",
    "verified_band",
    "pillars",
    "updated_at",
]


def store_scores(
    assessment: Assessment,
    own: Summary,
    verified: Summary | None,
    pillar_names: Mapping[str, str],
    *,
    actor: Actor | None,
    reason: str = "",
) -> list[AuditEvent]:
    """Put the engine's summaries on the assessment (not saved); return the unsaved audit
    events of the scores that moved."""
    assessment.points = {
        code: [own.points.get(code), verified.points.get(code) if verified else None]
        for code in own.points
    }
    before = {"self_score": assessment.self_score, "verified_score": assessment.verified_score}
    assessment.self_score = own.score
    assessment.self_percent = own.percent
    assessment.self_band = own.band
    assessment.applicable_max = own.applicable_max
    assessment.verified_score = verified.score if verified else None
    assessment.verified_percent = verified.percent if verified else None
    assessment.verified_band = verified.band if verified else ""
    by_pillar = {p["pillar"]: p for p in (verified.pillars if verified else [])}
    assessment.pillars = [
        {
            **p,
            "name": pillar_names.get(str(p["pillar"]), str(p["pillar"])),
            "verified": by_pillar.get(p["pillar"], {}).get("points"),
        }
        for p in own.pillars
    ]
    after = {"self_score": assessment.self_score, "verified_score": assessment.verified_score}
    return change_events(
        actor=actor,
        action=AuditAction.SCORE_RECOMPUTE,
        obj=assessment,
        assessment=assessment,
        before=before,
        after=after,
        reason=reason,
    )


def pillar_names(compiled: CompiledFramework) -> dict[str, str]:
    return {p.code: p.name.vi for p in compiled.framework.tree}


def assessment_recompute(
    *,
    assessment: Assessment,
    actor: Actor | None = None,
    entries: list[IndicatorEntry] | None = None,
    own: Summary | None = None,
    events: list[AuditEvent] | None = None,
) -> Assessment:
    """Score the assessment with the engine and store the results (never typed by hand).
    ``entries``: all of its entries in position order, when the caller has them loaded;
    ``own``: the unit's own data already scored (by the validation of the save); ``events``:
    the caller's unsaved audit events, written in the same insert as the score's."""
    # No savepoint when called inside a caller's transaction: a failure rolls back the caller's
    # whole change anyway, and the two round trips are a tenth of a save.
    with transaction.atomic(savepoint=False):
        compiled = framework_compiled(assessment.framework)
        unit = unit_row(assessment)
        verified_side = assessment.status in VERIFIED_SIDE
        if entries is None and (own is None or verified_side):
            entries = list(assessment.entries.order_by("position"))
        if own is None:
            assert entries is not None
            own = summarise(
                run(compiled, [self_row(assessment, e) for e in entries], [unit]), unit.unit
            )
        verified = None
        if verified_side:
            assert entries is not None
            verified = summarise(
                run(compiled, [verified_row(assessment, e) for e in entries], [unit]), unit.unit
            )
        moved = store_scores(assessment, own, verified, pillar_names(compiled), actor=actor)
        written = [*(events or []), *moved]
        # Linked before the save: the scores' UPDATE also moves the audit chain's head.
        audit_link(written)
        assessment.save(update_fields=[*SCORE_FIELDS, *HEAD_FIELDS])
        audit_insert(written)
    return assessment
