"""Writes of the results app: the publication counter and the decision header."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.db.models import F

from dti.web.accounts.actors import Actor
from dti.web.accounts.policy import require_period_admin
from dti.web.assessments.models import Period
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_changes
from dti.web.results.models import Decision, PublishedVersion
from dti.web.results.page_cache import new_generation


def published_version_bump(period_id: int) -> None:
    """Invalidate every cached result of the period. The workflow's publication listener
    (registered by :class:`~dti.web.results.apps.ResultsConfig`): called inside the transaction
    of every transition that enters or leaves "published"."""
    PublishedVersion.objects.get_or_create(period_id=period_id)
    PublishedVersion.objects.filter(period_id=period_id).update(
        version=F("version") + 1, stamp=uuid.uuid4()
    )
    new_generation()


def decision_save(
    *,
    actor: Actor,
    period: Period,
    issuer: str,
    number: str,
    date: dt.date | None,
    title: str = "",
) -> Decision:
    """Record (or correct) the decision that announces the period's results; admin only."""
    require_period_admin(actor, period)
    with transaction.atomic():
        decision, _ = Decision.objects.select_for_update().get_or_create(period=period)
        fields = ("issuer", "number", "date", "title")
        before = {name: getattr(decision, name) for name in fields}
        decision.issuer, decision.number = issuer.strip(), number.strip()
        decision.date, decision.title = date, title.strip()
        decision.updated_by = actor
        decision.full_clean()
        decision.save()
        audit_changes(
            actor=actor,
            action=AuditAction.DECISION_SAVE,
            obj=decision,
            before=before,
            after={name: getattr(decision, name) for name in fields},
        )
        new_generation()  # the scorecards and the appendix carry the decision
    return decision
