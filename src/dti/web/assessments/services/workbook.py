"""The unit's self-assessment template: written with what the unit has entered so far, and
uploaded back filled in — checked against the unit, period and framework it was made for,
judged by the engine, applied all or nothing; only rows whose data differ are written and
audited (a workbook downloaded with the values comes back mostly unchanged)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dti.engine import DataError, Problem
from dti.io.cells import neutralise
from dti.io.tables import TEMPLATE_VALUES_SHEET, TemplateInfo, read_values
from dti.io.template import FilledRow, write_template
from dti.web.accounts.actors import Actor
from dti.web.accounts.policy import require_self_edit
from dti.web.assessments.calculations import ValueRow, run
from dti.web.assessments.models import Assessment, Evidence
from dti.web.assessments.services._common import locked, unit_row
from dti.web.assessments.services.entries import SelfInput, apply_self_rows
from dti.web.audit.actions import AuditAction
from dti.web.errors import InvalidInput
from dti.web.frameworks.selectors import framework_compiled, framework_parsed
from dti.web.ops.faults import pause_point
from dti.web.ops.names import checked_upload_name
from dti.web.ops.scan import scan_upload
from dti.web.problems import problem_texts

# Where the template's columns are, for messages about an uploaded workbook.
_TEMPLATE_COLUMNS = {
    "indicator": "A (Mã chỉ số)",
    "value": "E (Giá trị)",
    "denominator": "F (Mẫu số)",
    "applicable": "G (Không áp dụng)",
}


def _read_template(path: Path, file_name: str) -> tuple[list[dict[str, Any]], TemplateInfo]:
    """The rows of an uploaded template and what it says it was made for."""
    if path.suffix.lower() != ".xlsx" or not file_name.lower().endswith(".xlsx"):
        raise InvalidInput(_("Upload the .xlsx self-assessment template."))
    scan_upload(path, file_name)
    try:
        frame, meta = read_values(path)
    except DataError as exc:
        raise InvalidInput(
            _("The workbook has problems; nothing was saved."),
            problems=problem_texts(dataclasses.replace(p, file=file_name) for p in exc.problems),
        ) from exc
    if meta is None:
        raise InvalidInput(_("This is not the self-assessment template of this platform."))
    return list(frame.iter_rows(named=True)), meta


def _check_made_for(assessment: Assessment, meta: TemplateInfo) -> None:
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


def _judge(
    assessment: Assessment, meta: TemplateInfo, uploaded: list[dict[str, Any]], file_name: str
) -> None:
    """The engine's verdict on the uploaded rows, located in the template's own columns."""
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
            framework_compiled(assessment.framework), rows, [unit_row(assessment)], source=file_name
        )
    except DataError as exc:
        raise InvalidInput(
            _("The workbook has problems; nothing was saved."),
            problems=problem_texts(_in_template(p) for p in exc.problems),
        ) from exc


def template_values(assessment: Assessment) -> dict[str, FilledRow]:
    """What the unit has entered, by indicator, for its template: a workbook downloaded in the
    middle of the work continues it (values, explanations and the links attached)."""
    links: dict[int, list[str]] = {}
    for entry_id, url in (
        Evidence.objects.filter(entry__assessment=assessment)
        .exclude(document__url="")
        .values_list("entry_id", "document__url")
    ):
        links.setdefault(entry_id, []).append(url)
    return {
        e.indicator: FilledRow(
            value=e.self_value if e.self_applicable else None,
            denominator=e.self_denominator if e.self_applicable else None,
            not_applicable=not e.self_applicable,
            explanation=e.explanation,
            evidence="\n".join(links.get(e.pk, [])),
        )
        for e in assessment.entries.all()
    }


def assessment_template(assessment: Assessment) -> bytes:
    """The unit's self-assessment workbook, filled with what it has entered so far."""
    with tempfile.TemporaryDirectory() as tmp:
        path = write_template(
            framework_parsed(assessment.framework),
            assessment.unit.group.code,
            Path(tmp) / "template.xlsx",
            unit=assessment.unit.code,
            period=assessment.period.code,
            values=template_values(assessment),
        )
        return path.read_bytes()


def assessment_import_workbook(
    *,
    actor: Actor,
    assessment: Assessment,
    path: Path,
    file_name: str,
    now: dt.datetime | None = None,
) -> int:
    """Apply a filled-in template; all or nothing. Returns the number of indicators read."""
    now = now or timezone.now()
    with transaction.atomic():
        assessment = locked(assessment)
        require_self_edit(actor, assessment, now)
        checked_upload_name(file_name)
        uploaded, meta = _read_template(path, file_name)
        _check_made_for(assessment, meta)
        _judge(assessment, meta, uploaded, file_name)
        apply_self_rows(
            actor=actor,
            assessment=assessment,
            rows=[
                SelfInput(
                    r["indicator"],
                    r["value"],
                    r["denominator"],
                    bool(r["applicable"]),
                    _explanation(r.get("explanation")),
                )
                for r in uploaded
            ],
            reason=file_name,
            action=AuditAction.ENTRY_IMPORT,
            now=now,
        )
        pause_point("import")  # crash tests: everything written, nothing committed yet
    return len(uploaded)


def _explanation(cell: Any) -> str | None:
    """An explanation cell as the unit meant it (None: empty, leave the explanation as it is).
    The template writes text that would start a formula behind an apostrophe; read back, the
    apostrophe goes, so an explanation downloaded and uploaded unchanged stays unchanged."""
    if not cell:
        return None
    text = str(cell)
    if text.startswith("'") and neutralise(text[1:]) != text[1:]:
        return text[1:]
    return text


def _in_template(problem: Problem) -> Problem:
    if problem.row is None:
        return problem
    return dataclasses.replace(
        problem,
        sheet=problem.sheet or TEMPLATE_VALUES_SHEET,
        column=_TEMPLATE_COLUMNS.get(problem.column or "", problem.column),
    )
