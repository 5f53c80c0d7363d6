"""Room: audit — writing audit events; called by every data-changing service inside its
transaction. Every action is an :class:`~dti.web.audit.actions.AuditAction` (stored as its
string)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from django.db import models

from dti.web.accounts.actors import Actor
from dti.web.audit.actions import AuditAction
from dti.web.audit.models import AuditEvent

if TYPE_CHECKING:
    from dti.web.assessments.models import Assessment


class EventDetails(TypedDict, total=False):
    """What an event may say besides who did what to which object (see :func:`audit_event`)."""

    assessment: Assessment | None
    field: str
    old: Any
    new: Any
    reason: str


class ChangeDetails(TypedDict, total=False):
    """What a change's events may say besides the fields (see :func:`change_events`)."""

    assessment: Assessment | None
    reason: str


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def audit_event(
    *,
    actor: Actor | None,
    action: AuditAction,
    obj: models.Model,
    assessment: Assessment | None = None,
    field: str = "",
    old: Any = None,
    new: Any = None,
    reason: str = "",
) -> AuditEvent:
    """An event not yet saved (for ``bulk_create`` where thousands are written at once);
    ``actor`` None (a loader's call): no one."""
    return AuditEvent(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        assessment=assessment,
        field=field,
        old=_jsonable(old),
        new=_jsonable(new),
        reason=reason,
    )


def audit_record(
    *, actor: Actor | None, action: AuditAction, obj: models.Model, **details: Unpack[EventDetails]
) -> AuditEvent:
    """One saved event (see :func:`audit_event`)."""
    event = audit_event(actor=actor, action=action, obj=obj, **details)
    event.save()
    return event


def change_events(
    *,
    actor: Actor | None,
    action: AuditAction,
    obj: models.Model,
    before: dict[str, Any],
    after: dict[str, Any],
    assessment: Assessment | None = None,
    reason: str = "",
) -> list[AuditEvent]:
    """One unsaved event per field whose value changed."""
    return [
        audit_event(
            actor=actor,
            action=action,
            obj=obj,
            assessment=assessment,
            field=name,
            old=before.get(name),
            new=value,
            reason=reason,
        )
        for name, value in after.items()
        if before.get(name) != value
    ]


def audit_changes(
    *,
    actor: Actor | None,
    action: AuditAction,
    obj: models.Model,
    before: dict[str, Any],
    after: dict[str, Any],
    **details: Unpack[ChangeDetails],
) -> list[AuditEvent]:
    """One saved event per field whose value changed (see :func:`change_events`)."""
    return AuditEvent.objects.bulk_create(
        change_events(actor=actor, action=action, obj=obj, before=before, after=after, **details)
    )
