"""The unit's own data: one indicator saved, or many at once (all or nothing,
engine-validated, every changed field audited, the scores following)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dti.web.accounts.actors import Actor
from dti.web.accounts.policy import require_not_measured, require_self_edit
from dti.web.assessments.calculations import ValueRow, summarise
from dti.web.assessments.models import Assessment, IndicatorEntry
from dti.web.assessments.services._common import (
    entry_values,
    locked,
    rows_replacing,
    self_row,
    validate,
    versioned_update,
)
from dti.web.assessments.services.scores import assessment_recompute
from dti.web.audit.actions import AuditAction
from dti.web.audit.models import AuditEvent
from dti.web.audit.services import change_events
from dti.web.bulk import update_fields
from dti.web.errors import NotFound, StaleVersion
from dti.web.frameworks.selectors import framework_measured

# The fields of an entry that a save of the unit's data reads and answers with.
_SELF_SIDE = (
    "assessment_id",
    "indicator",
    "position",
    "self_value",
    "self_denominator",
    "self_applicable",
    "explanation",
    "version",
)


def entry_save_self(
    *,
    actor: Actor,
    entry: IndicatorEntry,
    version: int,
    value: float | None,
    denominator: float | None,
    applicable: bool,
    explanation: str = "",
    now: dt.datetime | None = None,
) -> IndicatorEntry:
    """Save the unit's data for one indicator; refused if ``version`` is stale."""
    now = now or timezone.now()
    with transaction.atomic():
        assessment = locked(entry.assessment)
        require_self_edit(actor, assessment, now)
        # Read under the lock, once: the entry's values before the change, and every entry for
        # the validation (the unit's side only: a draft has no verified side to score).
        entries = list(assessment.entries.only(*_SELF_SIDE).order_by("position"))
        current = next((e for e in entries if e.pk == entry.pk), None)
        if current is None:
            raise NotFound(_("The indicator is not part of this assessment."))
        if not applicable:
            value = denominator = None
        _refuse_measured(
            assessment,
            {current.indicator: (value, denominator, applicable)},
            {current.indicator: current},
        )
        rows = rows_replacing(
            assessment, current, self_row, value, denominator, applicable, entries
        )
        scored = validate(assessment, rows)
        changes = {
            "self_value": value,
            "self_denominator": denominator,
            "self_applicable": applicable,
            "explanation": explanation,
        }
        versioned_update(
            current,
            version,
            now,
            _(
                "Someone else saved indicator %(code)s after you opened it. "
                "Reload the page to see their values, then enter yours again."
            )
            % {"code": current.indicator},
            **changes,
        )
        before = {**entry_values(current, "self"), "explanation": current.explanation}
        events = change_events(
            actor=actor,
            action=AuditAction.ENTRY_SAVE_SELF,
            obj=current,
            assessment=assessment,
            before=before,
            after=changes,
        )
        own = summarise(scored, assessment.unit.code)
        assessment = assessment_recompute(
            assessment=assessment, actor=actor, own=own, events=events
        )
    # What the conditional UPDATE wrote, without reading it back; the assessment carries the
    # new scores for the caller's answer.
    for field, written in changes.items():
        setattr(current, field, written)
    current.version, current.updated_at, current.assessment = version + 1, now, assessment
    return current


@dataclasses.dataclass(frozen=True, slots=True)
class SelfInput:
    """One indicator's data as a unit enters it (explanation None = leave unchanged)."""

    indicator: str
    value: float | None
    denominator: float | None
    applicable: bool = True
    explanation: str | None = None


def assessment_save_values(
    *,
    actor: Actor,
    assessment: Assessment,
    rows: list[SelfInput],
    reason: str = "",
    now: dt.datetime | None = None,
) -> int:
    """Save many indicators of one assessment at once (all or nothing, engine-validated)."""
    now = now or timezone.now()
    with transaction.atomic():
        assessment = locked(assessment)
        require_self_edit(actor, assessment, now)
        current = {e.indicator: e for e in assessment.entries.all()}
        given = {r.indicator: r for r in rows}
        _refuse_measured(
            assessment,
            {
                r.indicator: (r.value, r.denominator, True) if r.applicable else (None, None, False)
                for r in rows
            },
            current,
        )
        values = [
            ValueRow(
                assessment.unit.code,
                assessment.period.code,
                r.indicator,
                r.value,
                r.denominator,
                r.applicable,
                i + 1,
            )
            for i, r in enumerate(rows)
        ] + [self_row(assessment, e) for code, e in current.items() if code not in given]
        validate(assessment, values)
        apply_self_rows(
            actor=actor,
            assessment=assessment,
            rows=rows,
            reason=reason,
            action=AuditAction.ENTRY_SAVE_SELF,
            now=now,
        )
    return len(rows)


def apply_self_rows(
    *,
    actor: Actor,
    assessment: Assessment,
    rows: list[SelfInput],
    reason: str,
    action: AuditAction,
    now: dt.datetime,
) -> None:
    """Write validated rows, bump each changed entry's version, audit every changed field
    (in one insert with the rescoring's events), then rescore. Unchanged rows are not
    written; changed ones go in one batched UPDATE (the assessment is locked, so no other
    save can move a version meanwhile)."""
    loaded = list(assessment.entries.order_by("position"))
    entries = {e.indicator: e for e in loaded}
    events: list[AuditEvent] = []
    changed: list[IndicatorEntry] = []
    for r in rows:
        entry = entries[r.indicator]
        after: dict[str, Any] = {
            "self_value": r.value if r.applicable else None,
            "self_denominator": r.denominator if r.applicable else None,
            "self_applicable": r.applicable,
        }
        if r.explanation is not None:
            after["explanation"] = r.explanation
        before = {**entry_values(entry, "self"), "explanation": entry.explanation}
        moved = change_events(
            actor=actor,
            action=action,
            obj=entry,
            assessment=assessment,
            before=before,
            after=after,
            reason=reason,
        )
        if moved:
            for name, value in after.items():
                setattr(entry, name, value)
            entry.version += 1
            entry.updated_at = now
            changed.append(entry)
            events += moved
    update_fields(changed, _SELF_FIELDS)
    assessment_recompute(assessment=assessment, actor=actor, entries=loaded, events=events)


_SELF_FIELDS = [
    "self_value",
    "self_denominator",
    "self_applicable",
    "explanation",
    "version",
    "updated_at",
]


@dataclasses.dataclass(frozen=True, slots=True)
class EntryChange:
    """One indicator's data as the unit's form sends it, with the version it was loaded at."""

    indicator: str
    version: int
    value: float | None
    denominator: float | None
    applicable: bool = True
    explanation: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class EntriesSaved:
    """What a save of the form wrote: the assessment with its new scores, every entry the
    form sent (those changed carry their new version) and all of the assessment's entries as
    they now stand (their unit side: what the form's progress is counted from)."""

    assessment: Assessment
    entries: list[IndicatorEntry]
    changed: int
    all_entries: list[IndicatorEntry]


def assessment_save_entries(
    *,
    actor: Actor,
    assessment: Assessment,
    changes: list[EntryChange],
    now: dt.datetime | None = None,
) -> EntriesSaved:
    """Save several indicators of the unit's form at once: all or nothing, in one transaction.
    Every entry's version is checked (a stale one refuses the whole save, naming each stale
    indicator), the engine judges the data as they will be, and only entries whose data differ
    are written, versioned and audited."""
    now = now or timezone.now()
    with transaction.atomic():
        assessment = locked(assessment)
        require_self_edit(actor, assessment, now)
        entries = list(assessment.entries.only(*_SELF_SIDE).order_by("position"))
        by_code = {e.indicator: e for e in entries}
        unknown = [c.indicator for c in changes if c.indicator not in by_code]
        if unknown:
            raise NotFound(
                _("The indicator is not part of this assessment."), problems=sorted(unknown)
            )
        stale = [c.indicator for c in changes if by_code[c.indicator].version != c.version]
        if stale:
            raise StaleVersion(
                _(
                    "Someone else saved these indicators after you opened the page: reload it "
                    "to see their values, then enter yours again."
                ),
                problems=stale,
            )
        given = {c.indicator: c for c in changes}
        _refuse_measured(assessment, {c: _new_data(g) for c, g in given.items()}, by_code)
        code, period = assessment.unit.code, assessment.period.code
        rows = [
            ValueRow(
                code,
                period,
                e.indicator,
                *_new_data(given[e.indicator]),
            )
            if e.indicator in given
            else self_row(assessment, e)
            for e in entries
        ]
        scored = validate(assessment, rows)
        events: list[AuditEvent] = []
        written: list[IndicatorEntry] = []
        for change in changes:
            current = by_code[change.indicator]
            value, denominator, applicable = _new_data(change)
            after = {
                "self_value": value,
                "self_denominator": denominator,
                "self_applicable": applicable,
                "explanation": change.explanation,
            }
            before = {**entry_values(current, "self"), "explanation": current.explanation}
            moved = change_events(
                actor=actor,
                action=AuditAction.ENTRY_SAVE_SELF,
                obj=current,
                assessment=assessment,
                before=before,
                after=after,
            )
            if not moved:
                continue  # the same data: not written, not versioned, not audited
            versioned_update(current, change.version, now, _stale(current), **after)
            for field, new in after.items():
                setattr(current, field, new)
            current.version, current.updated_at = change.version + 1, now
            written.append(current)
            events += moved
        if written:
            own = summarise(scored, assessment.unit.code)
            assessment = assessment_recompute(
                assessment=assessment, actor=actor, own=own, events=events
            )
    for e in entries:
        e.assessment = assessment
    return EntriesSaved(
        assessment=assessment,
        entries=[by_code[c.indicator] for c in changes],
        changed=len(written),
        all_entries=entries,
    )


def _refuse_measured(
    assessment: Assessment,
    new: dict[str, tuple[float | None, float | None, bool]],
    current: dict[str, IndicatorEntry],
) -> None:
    """Refuse a change of a measured indicator's data (its explanation may change; the same
    values sent back, as a filled-in template does, are no change)."""
    measured = framework_measured(assessment.framework)
    if not measured:
        return
    moved = [
        code
        for code, data in new.items()
        if code in measured
        and code in current
        and data
        != (
            current[code].self_value,
            current[code].self_denominator,
            current[code].self_applicable,
        )
    ]
    require_not_measured(moved)


def _new_data(change: EntryChange) -> tuple[float | None, float | None, bool]:
    if not change.applicable:
        return None, None, False
    return change.value, change.denominator, True


def _stale(entry: IndicatorEntry) -> str:
    return _(
        "Someone else saved indicator %(code)s after you opened it. "
        "Reload the page to see their values, then enter yours again."
    ) % {"code": entry.indicator}
