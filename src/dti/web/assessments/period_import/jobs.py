"""Room: values import — the job: storing the upload, starting it in the background, running it.

The upload is checked and stored and answered at once; a task of the queue, run by a consumer
process (:mod:`dti.web.assessments.tasks`), reads it (see :mod:`.reading`), then applies it
(:mod:`.applying`) and records how it ended on the job row.
Any problem fails the whole import with located messages and nothing written.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from dti.engine import DataError
from dti.io.workbook_safety import check_workbook_archive
from dti.web.accounts.actors import Actor
from dti.web.accounts.policy import require_period_admin
from dti.web.assessments.models import ImportState, Period, ValuesImport
from dti.web.assessments.period_import.applying import job_apply
from dti.web.assessments.period_import.progress import live_key, mark, report_written
from dti.web.assessments.period_import.reading import (
    EXTENSIONS,
    MAX_PROBLEMS,
    job_file_read,
    refused,
)
from dti.web.errors import InvalidInput, NotFound, ServiceError
from dti.web.ops.names import checked_upload_name
from dti.web.ops.scan import scan_upload
from dti.web.ops.storage import delete_on_error, make_durable

log = logging.getLogger(__name__)


def values_import_start(*, actor: Actor, period: Period, upload: UploadedFile) -> ValuesImport:
    """Check and store the upload, then start applying it once this transaction commits."""
    require_period_admin(actor, period)
    name = checked_upload_name(upload.name)
    if Path(name).suffix.lower() not in EXTENSIONS:
        raise InvalidInput(_("Upload a values table (.xlsx or .csv)."))
    if upload.size is None or upload.size > settings.DTI_WORKBOOK_MAX_BYTES:
        raise InvalidInput(
            _("The file is larger than %(mb)s MB.")
            % {"mb": settings.DTI_WORKBOOK_MAX_BYTES // (1024 * 1024)}
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{Path(name).suffix.lower()}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        scan_upload(path, name)
        if path.suffix == ".xlsx":  # not a workbook, or a zip bomb: refused before it is stored
            try:
                check_workbook_archive(path, name=name)
            except DataError as exc:
                raise refused(exc) from exc
        storage = ValuesImport._meta.get_field("file").storage
        # Written and flushed before the row commits; see dti.web.ops.storage.
        with transaction.atomic(), delete_on_error(storage) as written:
            job = ValuesImport(
                period=period,
                original_name=name,
                uploaded_by=actor,
                step=_("Waiting to start"),
                language=get_language() or settings.LANGUAGE_CODE,
                heartbeat_at=timezone.now(),
            )
            with path.open("rb") as handle:
                job.file.save(name, File(handle), save=False)
            written.append(job.file.name)
            make_durable(storage, job.file.name)
            job.save()
            # Robust: with the broker down the upload is still stored and answered; the job
            # then waits as queued and the page shows it interrupted once its heartbeat is old.
            transaction.on_commit(lambda: _in_background(job.pk), robust=True)
    return job


def _in_background(job_id: int) -> None:
    from dti.web.assessments.tasks import values_import_task  # the task module imports this one

    values_import_task(job_id)


def values_import_run(job_id: int) -> ValuesImport:
    """Apply a stored import (the queue's task; tests call it directly), its steps and problems
    written in the language of whoever started it."""
    language = (
        ValuesImport.objects.filter(pk=job_id).values_list("language", flat=True).first() or "vi"
    )
    with override(language):
        return _run(job_id)


def _run(job_id: int) -> ValuesImport:
    # Claimed by one conditional UPDATE: a second runner of the same job finds it taken.
    claimed = ValuesImport.objects.filter(pk=job_id, state=ImportState.QUEUED).update(
        state=ImportState.RUNNING, heartbeat_at=timezone.now()
    )
    job = ValuesImport.objects.select_related("period", "uploaded_by").filter(pk=job_id).first()
    if job is None:
        raise NotFound(f"No values import {job_id}.")
    if not claimed:
        return job
    mark(job, step=_("Reading the file"))
    try:
        frame = job_file_read(job)
        mark(
            job,
            step=_("Checking and writing %(n)s rows") % {"n": f"{frame.height:,}"},
            rows_done=frame.height,
            rows_total=frame.height,
        )
        report_written(job, 0)
        units, changed, warnings = job_apply(job, frame)
    except ServiceError as error:
        mark(
            job,
            state=ImportState.FAILED,
            step=_shown(error.message),
            problems=[_shown(p) for p in error.problems[:MAX_PROBLEMS]],
            finished_at=timezone.now(),
        )
    except Exception:
        log.exception("values import %s failed", job.pk)
        mark(
            job,
            state=ImportState.FAILED,
            step=_("The import stopped on an unexpected error; nothing was written."),
            finished_at=timezone.now(),
        )
    else:
        mark(
            job,
            state=ImportState.DONE,
            step=_("Done"),
            units=units,
            changed=changed,
            warnings=warnings,
            finished_at=timezone.now(),
        )
    finally:
        cache.delete(live_key(job.pk))  # the job row tells the rest
    return job


def _shown(text: str, limit: int = 500) -> str:
    """A message as it can be stored and shown: a binary file's header quoted in it carries
    NUL and control characters (PostgreSQL's JSON refuses NUL), and it can be long."""
    printable = "".join(c if c.isprintable() else "\ufffd" for c in text)
    return printable if len(printable) <= limit else printable[: limit - 1] + "…"
