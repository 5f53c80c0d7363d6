"""Room: registry — a units import run in the background, its progress kept where every
process sees it (the cache), so the page can show it while the one transaction is open.

The uploads are stored in a private temporary directory and answered at once; a thread runs
:func:`units_import` and reports each step. A job is the starter's own: another user asking
for it is told it does not exist. Nothing is written unless the whole import succeeds, so a
job that dies leaves nothing behind but its temporary files.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, connections
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from dti.web.accounts.actors import Actor
from dti.web.accounts.policy import require_administer_units
from dti.web.errors import InvalidInput, NotFound, ServiceError
from dti.web.registry.models import Province
from dti.web.registry.services.units_import import units_import

__all__ = ["UnitsImportJob", "units_import_job", "units_import_start"]

log = logging.getLogger(__name__)
_TTL = 6 * 3600
EXTENSIONS = (".xlsx", ".csv")


@dataclass
class UnitsImportJob:
    """What the progress page shows."""

    id: str
    user_id: int
    state: str = "running"  # running, done, failed
    step: str = ""
    done: int = 0
    total: int = 0
    units: int = 0
    message: str = ""
    problems: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.time)

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.total) if self.total else None

    @property
    def running(self) -> bool:
        return self.state == "running"


def _key(job_id: str) -> str:
    return f"units-import:{job_id}"


def _save(job: UnitsImportJob) -> None:
    cache.set(_key(job.id), asdict(job), timeout=_TTL)


def units_import_job(*, actor: Actor, job_id: str) -> UnitsImportJob:
    """The job, if ``actor`` started it."""
    data = cache.get(_key(job_id))
    if data is None or data["user_id"] != getattr(actor, "pk", None):
        raise NotFound(_("No such units import."))
    return UnitsImportJob(**data)


def units_import_start(
    *,
    actor: Actor,
    province: Province | None,
    upload: UploadedFile,
    lineage: UploadedFile | None = None,
) -> UnitsImportJob:
    """Store the uploads and start importing them; the job tells how it goes."""
    require_administer_units(actor, province)
    parts = [(f, Path(f.name or "").suffix.lower()) for f in (upload, lineage) if f is not None]
    if any(suffix not in EXTENSIONS for _f, suffix in parts):
        raise InvalidInput(_("Upload an .xlsx or .csv file."))
    tmp = Path(tempfile.mkdtemp(prefix="dti-units-"))
    paths = []
    for stem, (part, suffix) in zip(("units", "lineage"), parts, strict=False):
        path = tmp / f"{stem}{suffix}"
        with path.open("wb") as handle:
            for chunk in part.chunks():
                handle.write(chunk)
        paths.append(path)
    job = UnitsImportJob(id=secrets.token_urlsafe(12), user_id=actor.pk, step=_("Waiting"))
    _save(job)
    names = (upload.name or "", (lineage.name or "") if lineage is not None else "")
    # A thread does not inherit the request's language: it is handed over.
    args = (job, actor, province, paths, names, tmp, get_language() or settings.LANGUAGE_CODE)
    in_memory = getattr(connection, "is_in_memory_db", lambda: False)
    inline = bool(getattr(settings, "HUEY", {}).get("immediate"))
    if inline or (connection.vendor == "sqlite" and in_memory()):
        # The in-memory SQLite of the test run refuses a second connection's writes, and a
        # queue that runs its tasks in the caller (the tests') asks for the same: run here.
        _run(*args)
    else:
        name = f"units-import-{job.id}"
        threading.Thread(target=_run_and_close, args=args, name=name, daemon=True).start()
    return units_import_job(actor=actor, job_id=job.id)


def _run_and_close(*args: object) -> None:
    try:
        _run(*args)  # type: ignore[arg-type]
    finally:
        connections.close_all()  # this thread's own connections


def _run(
    job: UnitsImportJob,
    actor: Actor,
    province: Province | None,
    paths: list[Path],
    names: tuple[str, str],
    tmp: Path,
    language: str,
) -> None:
    with override(language):
        _steps(job, actor, province, paths, names, tmp)


def _steps(
    job: UnitsImportJob,
    actor: Actor,
    province: Province | None,
    paths: list[Path],
    names: tuple[str, str],
    tmp: Path,
) -> None:
    def report(step: str, done: int, total: int) -> None:
        job.step, job.done, job.total = step, done, total
        _save(job)

    try:
        job.units = units_import(
            actor=actor,
            path=paths[0],
            lineage_path=paths[1] if len(paths) > 1 else None,
            province=province,
            progress=report,
            names=names,
        )
    except ServiceError as error:
        job.state, job.message, job.problems = "failed", error.message, error.problems
    except Exception:
        log.exception("units import %s failed", job.id)
        job.state = "failed"
        job.message = _("The import stopped on an unexpected error; nothing was saved.")
    else:
        job.state, job.step = "done", _("Done")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        _save(job)
