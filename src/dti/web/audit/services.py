"""Writing audit events; called by every data-changing service inside its transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from dti.web.audit.models import AuditEvent

if TYPE_CHECKING:
    from dti.web.assessments.models import Assessment


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
    actor: Any,
    action: str,
    obj: models.Model,
    assessment: Assessment | None = None,
    field: str = "",
    old: Any = None,
    new: Any = None,
    reason: str = "",
) -> AuditEvent:
    """An event not yet saved (for ``bulk_create`` where thousands are written at once)."""
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


def audit_record(**kwargs: Any) -> AuditEvent:
    event = audit_event(**kwargs)
    event.save()
    return event


def change_events(
    *,
    actor: Any,
    action: str,
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


def audit_changes(**kwargs: Any) -> list[AuditEvent]:
    """One saved event per field whose value changed (see :func:`change_events`)."""
    return AuditEvent.objects.bulk_create(change_events(**kwargs))
