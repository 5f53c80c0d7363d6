"""The whole period rescored in one pass (one engine call per framework, one query for the
entries, bulk writes), and a group moved to a corrected version of its framework."""

from __future__ import annotations

import dataclasses

import polars as pl
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dti.engine import score
from dti.web.accounts.actors import Actor
from dti.web.accounts.policy import require_period_admin
from dti.web.assessments.calculations import summaries
from dti.web.assessments.models import Assessment, Period, PeriodFramework
from dti.web.assessments.period_values import period_batches
from dti.web.assessments.services.correction import correction_refusal
from dti.web.assessments.services.scores import SCORE_FIELDS, pillar_names, store_scores
from dti.web.assessments.workflow import FROZEN, VERIFIED_SIDE
from dti.web.audit.actions import AuditAction
from dti.web.audit.models import AuditEvent
from dti.web.audit.services import HEAD_FIELDS, audit_changes, audit_insert, audit_link
from dti.web.bulk import update_fields
from dti.web.errors import InvalidInput, NotFound
from dti.web.frameworks.models import FrameworkVersion
from dti.web.frameworks.selectors import framework_compiled, framework_parsed
from dti.web.registry.models import UnitGroup


@dataclasses.dataclass(frozen=True)
class RecomputeReport:
    recomputed: int
    changed: int  # assessments whose self or verified score moved
    frozen: int  # approved or published: left as they are


def locked_for_scoring(assessments: QuerySet[Assessment]) -> list[Assessment]:
    """``assessments`` locked against saves, with what scoring them reads (unit and group;
    ``period_batches`` adds each framework, read once); in key order, so that two period-wide
    writers never deadlock. The stored points and pillars are not read (scoring rewrites
    them): decoding 5,000 of each cost more than the engine."""
    return list(
        assessments.select_related("unit__group")
        .defer("points", "pillars")
        .select_for_update(of=("self",))
        .order_by("pk")
    )


def period_recompute(
    *, actor: Actor | None, period: Period, reason: str = "", check_role: bool = True
) -> RecomputeReport:
    """Rescore every open assessment of the period — one engine call per framework, one query
    for the entries, bulk writes — e.g. after a framework correction. Each moved score is
    audited. The assessments are locked against saves meanwhile; readers are never blocked."""
    if check_role:
        require_period_admin(actor, period)
    with transaction.atomic():
        assessments = locked_for_scoring(period.assessments.exclude(status__in=FROZEN))
        events: list[AuditEvent] = []
        now = timezone.now()
        for batch in period_batches(assessments):
            compiled = framework_compiled(batch.framework)
            own = summaries(score(compiled, batch.values(period.code), batch.units))
            on_verified_side = {a.unit.code for a in batch.assessments if a.status in VERIFIED_SIDE}
            verified = {}
            if on_verified_side:
                values = batch.values(period.code, verified_for=VERIFIED_SIDE)
                units = batch.units.filter(pl.col("unit").is_in(on_verified_side))
                values = values.filter(pl.col("unit").is_in(on_verified_side))
                verified = summaries(score(compiled, values, units))
            names = pillar_names(compiled)
            for assessment in batch.assessments:
                code = assessment.unit.code
                events += store_scores(
                    assessment, own[code], verified.get(code), names, actor=actor, reason=reason
                )
                assessment.updated_at = now
        # Linked in Python first: the scores' UPDATE also moves each audit chain's head.
        audit_link(events)
        update_fields(assessments, [*SCORE_FIELDS, *HEAD_FIELDS])
        audit_insert(events)
        frozen = period.assessments.filter(status__in=FROZEN).count()
    return RecomputeReport(
        recomputed=len(assessments),
        changed=len({e.object_id for e in events}),
        frozen=frozen,
    )


def period_framework_correct(
    *, actor: Actor | None, period: Period, group: UnitGroup, version: FrameworkVersion, reason: str
) -> RecomputeReport:
    """Score a group of the period on a corrected version of its framework (points, rules,
    thresholds, bands — the same leaves), then recompute the period. Refused while any
    assessment of the group is approved or published (reopen it first), and when the leaves
    differ (that is a new framework, for a new period)."""
    require_period_admin(actor, period)
    if not reason.strip():
        raise InvalidInput(_("Give the reason for the correction."))
    with transaction.atomic():
        try:
            assigned = PeriodFramework.objects.select_for_update().get(period=period, group=group)
        except PeriodFramework.DoesNotExist as exc:
            raise NotFound(
                _("Group %(group)s has no framework in this period.") % {"group": group.code}
            ) from exc
        members = period.assessments.filter(unit__group=group)
        refusal = correction_refusal(
            framework_parsed(assigned.framework), framework_parsed(version), group, list(members)
        )
        if refusal is not None:
            raise refusal
        audit_changes(
            actor=actor,
            action=AuditAction.FRAMEWORK_CORRECT,
            obj=assigned,
            before={"framework": str(assigned.framework)},
            after={"framework": str(version)},
            reason=reason,
        )
        assigned.framework = version
        assigned.save(update_fields=["framework"])
        members.update(framework=version)
        return period_recompute(actor=actor, period=period, reason=reason, check_role=False)
