"""Writing audit events; called by every data-changing service inside its transaction.

Every event goes through here, because here it is linked into its hash chain
(:mod:`dti.web.audit.chain`) before the one insert:

* an event with an assessment joins that assessment's chain, whose head (sequence, hash) is
  kept on the assessment row; the caller holds that row's lock (``locked``,
  ``locked_for_scoring``) or has just created it, so no one else appends meanwhile;
* an event without one joins the global chain, whose head row is locked here
  (``select_for_update``) until the transaction ends.

A writer that forgot the lock cannot fork a chain either: (chain, sequence) is unique, so the
second of two appends of the same link fails.

:func:`audit_record` and :func:`audit_changes` write at once (and save the assessment's head);
callers that save the assessment anyway link first (:func:`audit_link`), save the assessment
with :data:`HEAD_FIELDS`, then :func:`audit_insert` — no extra query for the chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import models

from dti.web.accounts.actors import Actor
from dti.web.audit.actions import AuditAction
from dti.web.audit.chain import GLOBAL, HASHED, chain_of, event_hash
from dti.web.audit.models import AuditChainHead, AuditEvent
from dti.web.bulk import insert_rows, update_fields

if TYPE_CHECKING:
    from dti.web.assessments.models import Assessment

# The assessment's fields that hold the head of its audit chain.
HEAD_FIELDS = ["audit_sequence", "audit_hash"]
_LABEL_LENGTH = AuditEvent._meta.get_field("object_label").max_length or 200


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def _label(obj: models.Model) -> str:
    """What the object is called, kept in the event for when the object is gone. Read from
    what is loaded, never with a query (events are made by the thousand)."""
    own = getattr(obj, "audit_label", None)
    label = own() if callable(own) else str(obj)
    return str(label)[:_LABEL_LENGTH]


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
    label: str | None = None,
) -> AuditEvent:
    """An event not yet linked nor saved (see :func:`audit_write`)."""
    signed_in = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent(
        actor=signed_in,
        actor_name=signed_in.get_username() if signed_in is not None else "",
        action=str(action),
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_label=_label(obj) if label is None else label[:_LABEL_LENGTH],
        assessment=assessment,
        field=field,
        old=_jsonable(old),
        new=_jsonable(new),
        reason=reason,
    )


def _link(event: AuditEvent, sequence: int, prev_hash: str) -> str:
    event.chain = chain_of(event.assessment_id)
    event.sequence = sequence
    event.prev_hash = prev_hash
    event.hash = event_hash({name: getattr(event, name) for name in HASHED})
    return event.hash


def audit_link(events: Sequence[AuditEvent]) -> list[Assessment]:
    """Link ``events`` in order into their chains (nothing is inserted). The assessments whose
    heads moved are returned with their new heads set, not saved: the caller saves them with
    :data:`HEAD_FIELDS` in the same transaction. The global chain's head is locked and saved
    here."""
    heads: dict[int, tuple[int, str]] = {}
    instances: dict[int, list[Assessment]] = {}
    global_events = []
    for event in events:
        assessment = event.assessment
        if assessment is None:
            global_events.append(event)
            continue
        if assessment.pk not in heads:
            heads[assessment.pk] = (assessment.audit_sequence, assessment.audit_hash)
            instances[assessment.pk] = [assessment]
        elif all(a is not assessment for a in instances[assessment.pk]):
            instances[assessment.pk].append(assessment)
        sequence, prev = heads[assessment.pk]
        heads[assessment.pk] = (sequence + 1, _link(event, sequence + 1, prev))
    if global_events:
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(chain=GLOBAL)
        for event in global_events:
            head.sequence += 1
            head.hash = _link(event, head.sequence, head.hash)
        head.save()
    moved = []
    for pk, (sequence, digest) in heads.items():
        for assessment in instances[pk]:
            assessment.audit_sequence, assessment.audit_hash = sequence, digest
        moved.append(instances[pk][0])
    return moved


def audit_insert(events: Sequence[AuditEvent]) -> list[AuditEvent]:
    """Insert linked events (one statement per 2,000)."""
    return AuditEvent.objects.bulk_create(events, batch_size=2_000)


_ROW_FIELDS = (
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "assessment_id",
    "field",
    "old",
    "new",
    "reason",
    "chain",
    "sequence",
    "prev_hash",
    "hash",
)


def audit_rows_append(rows: Sequence[dict[str, Any]], assessments: dict[int, Assessment]) -> int:
    """Events of assessments given as plain values (the fields of :func:`audit_event`'s
    result, ``assessment_id`` among them), linked in order into their chains and inserted with
    one ``executemany``, for a writer of tens of thousands (a pull): no model instance each.
    The heads move on the given ``assessments`` (not saved: the caller saves them with
    :data:`HEAD_FIELDS` in the same transaction, as after :func:`audit_link`)."""
    for values in rows:
        assessment = assessments[values["assessment_id"]]
        values["old"], values["new"] = _jsonable(values["old"]), _jsonable(values["new"])
        values["chain"] = chain_of(assessment.pk)
        values["sequence"] = assessment.audit_sequence + 1
        values["prev_hash"] = assessment.audit_hash
        values["hash"] = event_hash({name: values[name] for name in HASHED})
        assessment.audit_sequence, assessment.audit_hash = values["sequence"], values["hash"]
    return insert_rows(AuditEvent, _ROW_FIELDS, [[v[n] for n in _ROW_FIELDS] for v in rows])


def audit_write(events: Sequence[AuditEvent]) -> list[AuditEvent]:
    """Link, insert and save the chains' heads: the events are in the trail."""
    moved = audit_link(events)
    inserted = audit_insert(events)
    update_fields(moved, HEAD_FIELDS)
    return inserted


def audit_record(
    *,
    actor: Actor | None,
    action: AuditAction,
    obj: models.Model,
    assessment: Assessment | None = None,
    field: str = "",
    old: Any = None,
    new: Any = None,
    reason: str = "",
    label: str | None = None,
) -> AuditEvent:
    """One event, written."""
    event = audit_event(
        actor=actor,
        action=action,
        obj=obj,
        assessment=assessment,
        field=field,
        old=old,
        new=new,
        reason=reason,
        label=label,
    )
    audit_write([event])
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
    label: str | None = None,
) -> list[AuditEvent]:
    """One unlinked, unsaved event per field whose value changed."""
    if label is None:
        label = _label(obj)
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
            label=label,
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
    assessment: Assessment | None = None,
    reason: str = "",
) -> list[AuditEvent]:
    """One written event per field whose value changed (see :func:`change_events`)."""
    return audit_write(
        change_events(
            actor=actor,
            action=action,
            obj=obj,
            before=before,
            after=after,
            assessment=assessment,
            reason=reason,
        )
    )
