"""Room: values import — reading the stored file and checking it before anything is written.

The file must be a values table (not one unit's template) with rows, every row of the job's
period; every unit it names must have an assessment in the period whose data may still change.
Every problem is located and refuses the whole import.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
from django.utils.translation import gettext as _

from dti.engine import DataError
from dti.io.tables import ReadProgress, read_values
from dti.web.assessments.models import Assessment, ValuesImport
from dti.web.assessments.period_import.progress import mark
from dti.web.assessments.workflow import SELF_EDITABLE
from dti.web.errors import InvalidInput
from dti.web.problems import problem_texts

EXTENSIONS = (".xlsx", ".csv")
MAX_PROBLEMS = 200


def refused(exc: DataError) -> InvalidInput:
    """The engine's or the reader's problems as the import's refusal."""
    return InvalidInput(
        _("The file has problems; nothing was written."),
        problems=problem_texts(exc.problems, limit=MAX_PROBLEMS),
    )


def job_file_read(job: ValuesImport) -> pl.DataFrame:
    """The job's values table, read with its progress on the job row, checked: rows there
    are, all of the job's period."""

    def heard(progress: ReadProgress) -> None:
        total = max(progress.total - 1, progress.rows) if progress.total else None
        mark(job, rows_done=progress.rows, rows_total=total)  # (the header row is not data)

    with job.file.open("rb") as stored, tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / job.original_name
        with path.open("wb") as out:
            for chunk in stored.chunks():
                out.write(chunk)
        try:
            frame, template = read_values(path, progress=heard)
        except DataError as exc:
            raise refused(exc) from exc
    if template is not None:
        raise InvalidInput(
            _(
                "This is one unit's self-assessment template: import it on that unit's page. "
                "Here, upload a values table (unit, period, indicator, value)."
            )
        )
    if not frame.height:
        raise InvalidInput(_("The file has no rows of values."))
    code = job.period.code
    elsewhere = frame.filter(pl.col("period") != code)
    if elsewhere.height:
        raise InvalidInput(
            _("Every row must be of period %(code)s.") % {"code": code},
            problems=[
                _("row %(row)s: period %(got)s") % {"row": row, "got": got}
                for row, got in elsewhere.select("row", "period").head(MAX_PROBLEMS).iter_rows()
            ],
        )
    return frame


def check_units(frame: pl.DataFrame, assessments: list[Assessment]) -> None:
    """Every unit of the file has an assessment here whose own data may change."""
    status = {a.unit.code: a.get_status_display() for a in assessments}
    editable = {a.unit.code for a in assessments if a.status in SELF_EDITABLE}
    problems = []
    first_rows = frame.group_by("unit", maintain_order=True).agg(pl.col("row").min())
    for unit, row in first_rows.iter_rows():
        if unit not in status:
            problems.append(
                _("row %(row)s: unit %(unit)s has no assessment in this period")
                % {"row": row, "unit": unit}
            )
        elif unit not in editable:
            problems.append(
                _(
                    "row %(row)s: unit %(unit)s is %(status)s; its data can only change "
                    "through verification or after a reopening"
                )
                % {"row": row, "unit": unit, "status": status[unit]}
            )
    if problems:
        raise InvalidInput(
            _("Some rows are for units whose data cannot be written; nothing was written."),
            problems=problems[:MAX_PROBLEMS],
        )
