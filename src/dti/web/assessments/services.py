"""Every write of the assessment workflow. Each function is keyword-only, runs in one
transaction, checks role + unit + state + deadline, and writes its audit events.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dti.engine import CompiledFramework, DataError, Problem, ScoreResult, score
from dti.io.tables import TEMPLATE_VALUES_SHEET, read_values
from dti.web.accounts.models import Role
from dti.web.accounts.policy import require_reporter_of, require_role
from dti.web.assessments.calculations import (
    Summary,
    UnitRow,
    ValueRow,
    run,
    summaries,
    summarise,
)
from dti.web.assessments.models import (
    Assessment,
    Evidence,
    IndicatorEntry,
    Period,
    PeriodFramework,
    SiteVisitNote,
    Status,
    Verdict,
)
from dti.web.assessments.period_values import period_batches
from dti.web.assessments.uploads import ALLOWED_EXTENSIONS, detect_type
from dti.web.assessments.workflow import (
    SELF_EDITABLE,
    TRANSITIONS,
    VERIFY_EDITABLE,
    Deadline,
)
from dti.web.audit.models import AuditEvent
from dti.web.audit.services import audit_changes, audit_record, change_events
from dti.web.bulk import update_fields
from dti.web.errors import DeadlinePassed, InvalidInput, InvalidState, StaleVersion
from dti.web.frameworks.models import FrameworkVersion
from dti.web.frameworks.selectors import framework_compiled, framework_parsed, leaves_for_group
from dti.web.ops.faults import pause_point
from dti.web.ops.names import checked_upload_name
from dti.web.ops.scan import scan_upload
from dti.web.registry.models import Province, Unit, UnitGroup

REOPEN_GRACE = dt.timedelta(days=7)
# Statuses whose verified score is computed (verification has begun).
VERIFIED_SIDE = frozenset(
    {Status.UNDER_VERIFICATION, Status.VERIFIED, Status.APPROVED, Status.PUBLISHED}
)
# Where the template's columns are, for messages about an uploaded workbook.
_TEMPLATE_COLUMNS = {
    "indicator": "A (Mã chỉ số)",
    "value": "E (Giá trị)",
    "denominator": "F (Mẫu số)",
    "applicable": "G (Không áp dụng)",
}


# -- helpers --------------------------------------------------------------------------------


def self_deadline(assessment: Assessment) -> dt.datetime:
    return assessment.self_deadline_override or assessment.period.self_deadline


def _check_deadline(assessment: Assessment, kind: Deadline, now: dt.datetime) -> None:
    if kind == Deadline.SELF and now > self_deadline(assessment):
        raise DeadlinePassed(_("The self-assessment deadline has passed."))
    if kind == Deadline.VERIFICATION and now > assessment.period.verification_deadline:
        raise DeadlinePassed(_("The verification deadline has passed."))


def _locked(assessment: Assessment) -> Assessment:
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("period", "unit__group", "framework")
        .get(pk=assessment.pk)
    )


def _check_self_edit(actor: Any, assessment: Assessment, now: dt.datetime) -> None:
    require_reporter_of(actor, assessment)
    if assessment.status not in SELF_EDITABLE:
        raise InvalidState(_("The self-assessment can only change while it is a draft."))
    _check_deadline(assessment, Deadline.SELF, now)


def _check_verify_edit(actor: Any, assessment: Assessment, now: dt.datetime) -> None:
    require_role(actor, Role.VERIFIER)
    if assessment.status not in VERIFY_EDITABLE:
        raise InvalidState(_("Indicators can only be verified while verification is open."))
    _check_deadline(assessment, Deadline.VERIFICATION, now)


def _unit_row(assessment: Assessment) -> UnitRow:
    unit = assessment.unit
    return UnitRow(unit=unit.code, name=unit.name, group=unit.group.code)


def _self_row(assessment: Assessment, e: IndicatorEntry) -> ValueRow:
    return ValueRow(
        assessment.unit.code,
        assessment.period.code,
        e.indicator,
        e.self_value,
        e.self_denominator,
        e.self_applicable,
    )


def _verified_row(assessment: Assessment, e: IndicatorEntry) -> ValueRow:
    if e.verdict != Verdict.ADJUSTED:
        return _self_row(assessment, e)
    return ValueRow(
        assessment.unit.code,
        assessment.period.code,
        e.indicator,
        e.verified_value,
        e.verified_denominator,
        e.verified_applicable,
    )


def _rows_replacing(
    assessment: Assessment,
    current: IndicatorEntry,
    row_of: Callable[[Assessment, IndicatorEntry], ValueRow],
    value: float | None,
    denominator: float | None,
    applicable: bool,
    entries: list[IndicatorEntry] | None = None,
) -> list[ValueRow]:
    """Every entry's row as ``row_of`` reads it, except ``current``'s, which gets the new data:
    what the engine must accept before one indicator's save is written. ``entries``: all of
    the assessment's, in position order, if the caller has loaded them."""
    if entries is None:
        entries = list(assessment.entries.order_by("position"))
    return [
        ValueRow(
            assessment.unit.code,
            assessment.period.code,
            e.indicator,
            value,
            denominator,
            applicable,
        )
        if e.pk == current.pk
        else row_of(assessment, e)
        for e in entries
    ]


def _validate(
    assessment: Assessment, rows: list[ValueRow], source: str | None = None
) -> ScoreResult:
    """Let the engine judge the data; its problems are the user's messages. The result scores
    ``rows``: a caller saving exactly these rows need not score them again."""
    try:
        return run(
            framework_compiled(assessment.framework), rows, [_unit_row(assessment)], source=source
        )
    except DataError as exc:
        raise InvalidInput(
            _("The data were refused."), problems=[p.message for p in exc.problems]
        ) from exc


def _entry_values(entry: IndicatorEntry, prefix: str) -> dict[str, Any]:
    return {
        f"{prefix}_value": getattr(entry, f"{prefix}_value"),
        f"{prefix}_denominator": getattr(entry, f"{prefix}_denominator"),
        f"{prefix}_applicable": getattr(entry, f"{prefix}_applicable"),
    }


# -- periods --------------------------------------------------------------------------------


def period_open(
    *,
    actor: Any,
    year: int,
    name: str,
    self_deadline: dt.datetime,
    verification_deadline: dt.datetime,
    frameworks: Mapping[UnitGroup, FrameworkVersion],
    check_role: bool = True,
    province: Province | None = None,
    units: Iterable[Unit] | None = None,
) -> Period:
    """Open a period: one assessment per active unit of every assigned group (or per unit of
    ``units`` only, e.g. the units a published ranking covered)."""
    if check_role:
        require_role(actor, Role.ADMIN)
    if verification_deadline < self_deadline:
        raise InvalidInput(_("The verification deadline must follow the self-assessment one."))
    if not frameworks:
        raise InvalidInput(_("Assign a framework to at least one unit group."))
    problems = []
    for group, version in frameworks.items():
        if group.code not in framework_parsed(version).group_codes():
            problems.append(
                _("Framework %(fw)s has no group %(group)s.")
                % {"fw": version.code, "group": group.code}
            )
    if problems:
        raise InvalidInput(_("The framework assignment is wrong."), problems=problems)
    with transaction.atomic():
        if Period.objects.filter(year=year, province=province).exists():
            raise InvalidInput(_("A period for %(year)s already exists.") % {"year": year})
        period = Period.objects.create(
            province=province,
            year=year,
            name=name,
            self_deadline=self_deadline,
            verification_deadline=verification_deadline,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action="period_open",
            obj=period,
            new={
                "year": year,
                "frameworks": {g.code: str(v) for g, v in frameworks.items()},
                "self_deadline": self_deadline.isoformat(),
                "verification_deadline": verification_deadline.isoformat(),
            },
        )
        for group, version in frameworks.items():
            PeriodFramework.objects.create(period=period, group=group, framework=version)
            leaves = leaves_for_group(framework_parsed(version), group.code)
            members = Unit.objects.filter(group=group).select_related("group")
            if units is None:
                members = members.filter(active=True)
            else:
                members = members.filter(pk__in=[u.pk for u in units])
            for unit in members:
                assessment = Assessment.objects.create(period=period, unit=unit, framework=version)
                IndicatorEntry.objects.bulk_create(
                    IndicatorEntry(assessment=assessment, indicator=leaf.code, position=i)
                    for i, leaf in enumerate(leaves)
                )
                assessment_recompute(assessment=assessment, actor=actor)
    return period


def period_set_deadlines(
    *,
    actor: Any,
    period: Period,
    self_deadline: dt.datetime,
    verification_deadline: dt.datetime,
    reason: str,
) -> Period:
    require_role(actor, Role.ADMIN)
    if not reason.strip():
        raise InvalidInput(_("A reason is required."))
    if verification_deadline < self_deadline:
        raise InvalidInput(_("The verification deadline must follow the self-assessment one."))
    with transaction.atomic():
        before = {
            "self_deadline": period.self_deadline.isoformat(),
            "verification_deadline": period.verification_deadline.isoformat(),
        }
        period.self_deadline, period.verification_deadline = self_deadline, verification_deadline
        period.save(update_fields=["self_deadline", "verification_deadline"])
        after = {
            "self_deadline": self_deadline.isoformat(),
            "verification_deadline": verification_deadline.isoformat(),
        }
        audit_changes(
            actor=actor,
            action="period_deadlines",
            obj=period,
            before=before,
            after=after,
            reason=reason,
        )
    return period


# -- scores ---------------------------------------------------------------------------------


def store_scores(
    assessment: Assessment,
    own: Summary,
    verified: Summary | None,
    pillar_names: Mapping[str, str],
    *,
    actor: Any,
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
        action="score_recompute",
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
    actor: Any = None,
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
        unit = _unit_row(assessment)
        verified_side = assessment.status in VERIFIED_SIDE
        if entries is None and (own is None or verified_side):
            entries = list(assessment.entries.order_by("position"))
        if own is None:
            assert entries is not None
            own = summarise(
                run(compiled, [_self_row(assessment, e) for e in entries], [unit]), unit.unit
            )
        verified = None
        if verified_side:
            assert entries is not None
            verified = summarise(
                run(compiled, [_verified_row(assessment, e) for e in entries], [unit]), unit.unit
            )
        moved = store_scores(assessment, own, verified, pillar_names(compiled), actor=actor)
        assessment.save(update_fields=SCORE_FIELDS)
        AuditEvent.objects.bulk_create([*(events or []), *moved])
    return assessment


# -- the whole period ---------------------------------------------------------------------------

# Results of these change only through an audited reopening, never by a recompute.
FROZEN = frozenset({Status.APPROVED, Status.PUBLISHED})
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


@dataclasses.dataclass(frozen=True)
class RecomputeReport:
    recomputed: int
    changed: int  # assessments whose self or verified score moved
    frozen: int  # approved or published: left as they are


def locked_for_scoring(assessments: QuerySet[Assessment]) -> list[Assessment]:
    """``assessments`` locked against saves, with what scoring them reads (unit, group,
    framework); in key order, so that two period-wide writers never deadlock."""
    return list(
        assessments.select_related("unit__group", "framework")
        .select_for_update(of=("self",))
        .order_by("pk")
    )


def period_recompute(
    *, actor: Any, period: Period, reason: str = "", check_role: bool = True
) -> RecomputeReport:
    """Rescore every open assessment of the period — one engine call per framework, one query
    for the entries, bulk writes — e.g. after a framework correction. Each moved score is
    audited. The assessments are locked against saves meanwhile; readers are never blocked."""
    if check_role:
        require_role(actor, Role.ADMIN)
    with transaction.atomic():
        assessments = locked_for_scoring(period.assessments.exclude(status__in=FROZEN))
        events = []
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
        update_fields(assessments, SCORE_FIELDS)
        AuditEvent.objects.bulk_create(events, batch_size=2000)
        frozen = period.assessments.filter(status__in=FROZEN).count()
    return RecomputeReport(
        recomputed=len(assessments),
        changed=len({e.object_id for e in events}),
        frozen=frozen,
    )


def period_framework_correct(
    *, actor: Any, period: Period, group: UnitGroup, version: FrameworkVersion, reason: str
) -> RecomputeReport:
    """Score a group of the period on a corrected version of its framework (points, rules,
    thresholds, bands — the same leaves), then recompute the period. Refused while any
    assessment of the group is approved or published (reopen it first), and when the leaves
    differ (that is a new framework, for a new period)."""
    require_role(actor, Role.ADMIN)
    if not reason.strip():
        raise InvalidInput(_("Give the reason for the correction."))
    with transaction.atomic():
        assigned = PeriodFramework.objects.select_for_update().get(period=period, group=group)
        current = framework_parsed(assigned.framework)
        corrected = framework_parsed(version)
        old = [n.code for n in leaves_for_group(current, group.code)]
        new = [n.code for n in leaves_for_group(corrected, group.code)]
        if old != new:
            missing, added = sorted(set(old) - set(new)), sorted(set(new) - set(old))
            raise InvalidInput(
                _("The corrected framework must have the same indicators."),
                problems=[
                    *(_("Indicator %(code)s is missing.") % {"code": c} for c in missing),
                    *(_("Indicator %(code)s is new.") % {"code": c} for c in added),
                ]
                or [_("The indicators are in another order.")],
            )
        members = period.assessments.filter(unit__group=group)
        if members.filter(status__in=FROZEN).exists():
            raise InvalidState(
                _("Results of this group are approved or published: reopen them first.")
            )
        audit_changes(
            actor=actor,
            action="framework_correct",
            obj=assigned,
            before={"framework": str(assigned.framework)},
            after={"framework": str(version)},
            reason=reason,
        )
        assigned.framework = version
        assigned.save(update_fields=["framework"])
        members.update(framework=version)
        return period_recompute(actor=actor, period=period, reason=reason, check_role=False)


# -- the unit's self-assessment ----------------------------------------------------------------


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
    actor: Any,
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
        assessment = _locked(entry.assessment)
        _check_self_edit(actor, assessment, now)
        # Read under the lock, once: the entry's values before the change, and every entry for
        # the validation (the unit's side only: a draft has no verified side to score).
        entries = list(assessment.entries.only(*_SELF_SIDE).order_by("position"))
        current = next((e for e in entries if e.pk == entry.pk), None)
        if current is None:
            raise IndicatorEntry.DoesNotExist
        if not applicable:
            value = denominator = None
        rows = _rows_replacing(
            assessment, current, _self_row, value, denominator, applicable, entries
        )
        scored = _validate(assessment, rows)
        changes = {
            "self_value": value,
            "self_denominator": denominator,
            "self_applicable": applicable,
            "explanation": explanation,
        }
        # The conditional UPDATE is the lock: it matches nothing if someone saved in between.
        updated = IndicatorEntry.objects.filter(pk=current.pk, version=version).update(
            **changes, version=F("version") + 1, updated_at=now
        )
        if not updated:
            raise StaleVersion(
                _(
                    "Someone else saved indicator %(code)s after you opened it. "
                    "Reload the page to see their values, then enter yours again."
                )
                % {"code": current.indicator}
            )
        before = {**_entry_values(current, "self"), "explanation": current.explanation}
        events = change_events(
            actor=actor,
            action="entry_save_self",
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


def assessment_import_workbook(
    *,
    actor: Any,
    assessment: Assessment,
    path: Path,
    file_name: str,
    now: dt.datetime | None = None,
) -> int:
    """Apply a filled-in template; all or nothing. Returns the number of indicators read."""
    now = now or timezone.now()
    with transaction.atomic():
        assessment = _locked(assessment)
        _check_self_edit(actor, assessment, now)
        checked_upload_name(file_name)
        if path.suffix.lower() != ".xlsx" or not file_name.lower().endswith(".xlsx"):
            raise InvalidInput(_("Upload the .xlsx self-assessment template."))
        scan_upload(path, file_name)
        try:
            frame, meta = read_values(path)
        except DataError as exc:
            raise InvalidInput(
                _("The workbook has problems; nothing was saved."),
                problems=[str(dataclasses.replace(p, file=file_name)) for p in exc.problems],
            ) from exc
        if meta is None:
            raise InvalidInput(_("This is not the self-assessment template of this platform."))
        expected = {
            "unit": assessment.unit.code,
            "period": assessment.period.code,
            "framework": assessment.framework.code,
            "group": assessment.unit.group.code,
        }
        got = dataclasses.asdict(meta)
        wrong = [
            _("%(field)s is %(got)s, expected %(expected)s")
            % {"field": key, "got": got[key], "expected": value}
            for key, value in expected.items()
            if got[key] != value
        ]
        if wrong:
            raise InvalidInput(
                _("This workbook was made for another unit, period or framework."),
                problems=wrong,
            )
        uploaded = list(frame.iter_rows(named=True))
        rows = [
            ValueRow(
                meta.unit,
                meta.period,
                r["indicator"],
                r["value"],
                r["denominator"],
                bool(r["applicable"]),
                int(r["row"]),
            )
            for r in uploaded
        ]
        try:
            run(
                framework_compiled(assessment.framework),
                rows,
                [_unit_row(assessment)],
                source=file_name,
            )
        except DataError as exc:
            raise InvalidInput(
                _("The workbook has problems; nothing was saved."),
                problems=[str(_in_template(p)) for p in exc.problems],
            ) from exc
        _apply_self_rows(
            actor=actor,
            assessment=assessment,
            rows=[
                SelfInput(
                    r["indicator"],
                    r["value"],
                    r["denominator"],
                    bool(r["applicable"]),
                    str(r["explanation"]) if r.get("explanation") else None,
                )
                for r in uploaded
            ],
            reason=file_name,
            action="entry_import",
            now=now,
        )
        pause_point("import")  # crash tests: everything written, nothing committed yet
    return len(uploaded)


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
    actor: Any,
    assessment: Assessment,
    rows: list[SelfInput],
    reason: str = "",
    now: dt.datetime | None = None,
) -> int:
    """Save many indicators of one assessment at once (all or nothing, engine-validated)."""
    now = now or timezone.now()
    with transaction.atomic():
        assessment = _locked(assessment)
        _check_self_edit(actor, assessment, now)
        current = {e.indicator: e for e in assessment.entries.all()}
        given = {r.indicator: r for r in rows}
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
        ] + [_self_row(assessment, e) for code, e in current.items() if code not in given]
        _validate(assessment, values)
        _apply_self_rows(
            actor=actor,
            assessment=assessment,
            rows=rows,
            reason=reason,
            action="entry_save_self",
            now=now,
        )
    return len(rows)


def _apply_self_rows(
    *,
    actor: Any,
    assessment: Assessment,
    rows: list[SelfInput],
    reason: str,
    action: str,
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
        before = {**_entry_values(entry, "self"), "explanation": entry.explanation}
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


def _in_template(problem: Problem) -> Problem:
    if problem.row is None:
        return problem
    return dataclasses.replace(
        problem,
        sheet=problem.sheet or TEMPLATE_VALUES_SHEET,
        column=_TEMPLATE_COLUMNS.get(problem.column or "", problem.column),
    )


def evidence_add(
    *,
    actor: Any,
    entry: IndicatorEntry,
    upload: UploadedFile | None = None,
    url: str = "",
    now: dt.datetime | None = None,
) -> Evidence:
    """Attach a file (type checked from its bytes, size limited) or a link to an indicator."""
    now = now or timezone.now()
    with transaction.atomic():
        assessment = _locked(entry.assessment)
        _check_self_edit(actor, assessment, now)
        if (upload is None) == (not url):
            raise InvalidInput(_("Attach either a file or a link."))
        evidence = Evidence(entry=entry, uploaded_by=actor, url=url)
        if upload is not None:
            name = checked_upload_name(upload.name)
            if upload.size is None or upload.size > settings.DTI_EVIDENCE_MAX_BYTES:
                raise InvalidInput(
                    _("The file is larger than %(mb)s MB.")
                    % {"mb": settings.DTI_EVIDENCE_MAX_BYTES // (1024 * 1024)}
                )
            if Path(name).suffix.lower() not in ALLOWED_EXTENSIONS:
                raise InvalidInput(
                    _("Only PDF, images and Office documents are accepted (%(exts)s).")
                    % {"exts": ", ".join(sorted(ALLOWED_EXTENSIONS))}
                )
            detected = _detect_upload(upload, name)
            if detected is None:
                raise InvalidInput(
                    _("The content of %(name)s does not match its type.") % {"name": name}
                )
            evidence.original_name = name
            evidence.content_type = detected[1]
            evidence.size = upload.size
            upload.seek(0)
            evidence.file.save(name, File(upload), save=False)
        evidence.full_clean()
        evidence.save()
        audit_record(
            actor=actor,
            action="evidence_add",
            obj=evidence,
            assessment=assessment,
            field=entry.indicator,
            new=evidence.original_name or evidence.url,
        )
    return evidence


def _detect_upload(upload: UploadedFile, name: str) -> tuple[str, str] | None:
    temporary = getattr(upload, "temporary_file_path", None)
    if temporary is not None:
        scan_upload(Path(temporary()), name)
        return detect_type(Path(temporary()), name)
    with tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        scan_upload(Path(handle.name), name)
        return detect_type(Path(handle.name), name)


def evidence_delete(*, actor: Any, evidence: Evidence, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        assessment = _locked(evidence.entry.assessment)
        _check_self_edit(actor, assessment, now)
        audit_record(
            actor=actor,
            action="evidence_delete",
            obj=evidence,
            assessment=assessment,
            field=evidence.entry.indicator,
            old=evidence.original_name or evidence.url,
        )
        stored = evidence.file.name if evidence.file else None
        evidence.delete()
        if stored:
            storage = evidence.file.storage
            transaction.on_commit(lambda: storage.delete(stored))


# -- verification ---------------------------------------------------------------------------


def entry_verify(
    *,
    actor: Any,
    entry: IndicatorEntry,
    version: int,
    adjust: bool,
    value: float | None = None,
    denominator: float | None = None,
    applicable: bool = True,
    reason: str = "",
    now: dt.datetime | None = None,
) -> IndicatorEntry:
    """Accept the unit's data for one indicator, or adjust it with a mandatory reason."""
    now = now or timezone.now()
    with transaction.atomic():
        assessment = _locked(entry.assessment)
        _check_verify_edit(actor, assessment, now)
        current = IndicatorEntry.objects.get(pk=entry.pk, assessment=assessment)
        if adjust and not reason.strip():
            raise InvalidInput(_("An adjustment needs a reason."))
        if adjust:
            if not applicable:
                value = denominator = None
            rows = _rows_replacing(
                assessment, current, _verified_row, value, denominator, applicable
            )
            _validate(assessment, rows)
        else:
            value, denominator = current.self_value, current.self_denominator
            applicable = current.self_applicable
        changes: dict[str, Any] = {
            "verdict": Verdict.ADJUSTED if adjust else Verdict.ACCEPTED,
            "verified_value": value,
            "verified_denominator": denominator,
            "verified_applicable": applicable,
            "verifier_reason": reason.strip(),
        }
        updated = IndicatorEntry.objects.filter(pk=current.pk, version=version).update(
            **changes, verified_by=actor, verified_at=now, version=F("version") + 1, updated_at=now
        )
        if not updated:
            raise StaleVersion(
                _("Indicator %(code)s was changed by someone else; reload and try again.")
                % {"code": current.indicator}
            )
        before = {
            "verdict": current.verdict,
            **_entry_values(current, "verified"),
            "verifier_reason": current.verifier_reason,
        }
        audit_changes(
            actor=actor,
            action="entry_verify",
            obj=current,
            assessment=assessment,
            before=before,
            after={**changes, "verdict": str(changes["verdict"])},
            reason=reason.strip(),
        )
        assessment_recompute(assessment=assessment, actor=actor)
    return IndicatorEntry.objects.get(pk=current.pk)


def site_visit_note_add(
    *, actor: Any, assessment: Assessment, visited_on: dt.date, text: str
) -> SiteVisitNote:
    require_role(actor, Role.VERIFIER)
    if not text.strip():
        raise InvalidInput(_("The note is empty."))
    with transaction.atomic():
        assessment = _locked(assessment)
        if assessment.status not in VERIFY_EDITABLE:
            raise InvalidState(_("Notes can only be added while verification is open."))
        note = SiteVisitNote.objects.create(
            assessment=assessment, author=actor, visited_on=visited_on, text=text.strip()
        )
        audit_record(
            actor=actor,
            action="site_visit_note_add",
            obj=note,
            assessment=assessment,
            new=text.strip(),
        )
    return note


# -- the workflow ---------------------------------------------------------------------------


def assessment_transition(
    *,
    actor: Any,
    assessment: Assessment,
    name: str,
    reason: str = "",
    now: dt.datetime | None = None,
    new_deadline: dt.datetime | None = None,
) -> Assessment:
    """Move one assessment along the state machine (see :mod:`.workflow`)."""
    now = now or timezone.now()
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise InvalidInput(_("Unknown action."))
    with transaction.atomic():
        assessment = _locked(assessment)
        require_role(actor, *transition.roles)
        if Role.REPORTER in transition.roles:
            require_reporter_of(actor, assessment)
        if assessment.status not in transition.sources:
            raise InvalidState(
                _("%(action)s is not possible while the assessment is %(status)s.")
                % {
                    "action": transition.label,
                    "status": Status(assessment.status).label,
                }
            )
        reason = reason.strip()
        if transition.needs_reason and not reason:
            raise InvalidInput(_("A reason is required."))
        _check_deadline(assessment, transition.deadline, now)
        old = assessment.status
        if name == "finish_verification":
            _accept_pending(actor=actor, assessment=assessment, now=now)
        stamp = {
            Status.SUBMITTED: "submitted_at",
            Status.VERIFIED: "verified_at",
            Status.APPROVED: "approved_at",
            Status.PUBLISHED: "published_at",
        }.get(transition.target)
        if stamp:
            setattr(assessment, stamp, now)
        if name.startswith("reopen"):
            assessment.reopen_count += 1
            if name == "reopen_to_draft" and now > assessment.period.self_deadline:
                assessment.self_deadline_override = new_deadline or now + REOPEN_GRACE
            if transition.target in (Status.DRAFT, Status.UNDER_VERIFICATION):
                assessment.approved_at = assessment.published_at = None
        assessment.status = transition.target
        assessment.save()
        audit_record(
            actor=actor,
            action=f"transition_{name}",
            obj=assessment,
            assessment=assessment,
            field="status",
            old=str(old),
            new=str(transition.target),
            reason=reason,
        )
        if (old in VERIFIED_SIDE) != (transition.target in VERIFIED_SIDE):
            assessment_recompute(assessment=assessment, actor=actor)
        if Status.PUBLISHED in (old, transition.target):
            # Hook for dti.web.results: published results are cached under a per-period
            # counter; entering or leaving "published" (publish, reopen, republish) bumps it
            # in this same transaction, so no stale ranking outlives the change.
            from dti.web.results.services import published_version_bump

            published_version_bump(period_id=assessment.period_id)
        pause_point(name)  # crash tests: the transition is written, not yet committed
    return assessment


def _accept_pending(*, actor: Any, assessment: Assessment, now: dt.datetime) -> None:
    """Finishing verification accepts every indicator the verifier did not touch."""
    from dti.web.audit.models import AuditEvent

    pending = assessment.entries.filter(verdict=Verdict.PENDING)
    events = [
        AuditEvent(
            actor=actor,
            action="entry_verify",
            object_type=IndicatorEntry._meta.label_lower,
            object_id=str(pk),
            assessment=assessment,
            field="verdict",
            old=str(Verdict.PENDING),
            new=str(Verdict.ACCEPTED),
            reason=_("accepted when verification finished"),
        )
        for pk in pending.values_list("pk", flat=True)
    ]
    pending.update(
        verdict=Verdict.ACCEPTED,
        verified_value=F("self_value"),
        verified_denominator=F("self_denominator"),
        verified_applicable=F("self_applicable"),
        verified_by=actor,
        verified_at=now,
        version=F("version") + 1,
    )
    AuditEvent.objects.bulk_create(events)


def period_transition_all(
    *, actor: Any, period: Period, name: str, reason: str = "", now: dt.datetime | None = None
) -> int:
    """Apply one transition to every assessment of the period where it is possible."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise InvalidInput(_("Unknown action."))
    require_role(actor, *transition.roles)
    count = 0
    with transaction.atomic():
        targets: Iterable[Assessment] = period.assessments.filter(
            status__in=list(transition.sources)
        ).select_related("period", "unit__group", "framework")
        for assessment in targets:
            assessment_transition(
                actor=actor, assessment=assessment, name=name, reason=reason, now=now
            )
            count += 1
    return count
