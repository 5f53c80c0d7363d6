"""Stored files and the rows that name them: written before the row commits, swept when no row
ever did.

An uploaded file (evidence, a period's values table) is written to its final name *inside* the
transaction that creates its row, and flushed to disk (:func:`make_durable`) before that
transaction commits. So a row that committed (an upload the user saw acknowledged) always has
its file. The other order cannot be made safe: a file written after the commit is lost when the
process dies in between, and an on-commit rename of a pending file leaves a committed row
without its file.

What can be left is the opposite: a file no row names, when the process is killed (SIGKILL, a
recycled worker, a power cut) between the write and the commit, or when an ambiguous commit
fails. A transaction that fails with an exception deletes its file itself
(:func:`delete_on_error`); for the kills, :func:`sweep` (``manage.py dti_storage_sweep``, run
from cron or a timer) removes every file under the upload areas that no row references and
that is older than the grace period. On an S3 bucket (``DTI_STORAGE=s3``) the same
holds: an upload is one PUT, acknowledged by the server before the row commits, and the sweep
lists the bucket's objects through the storage's API (:func:`stored_files`). The grace period
(``DTI_STORAGE_GRACE_MINUTES``, one day)
is far longer than any request (gunicorn's ``timeout``): a file that young may belong to an
upload whose transaction is still open. The sweep lists the files before it reads the
references, so a row that commits meanwhile is seen.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.db import models

log = logging.getLogger(__name__)

__all__ = [
    "AREAS",
    "SweepResult",
    "delete_on_error",
    "is_local",
    "make_durable",
    "referenced_names",
    "stored_files",
    "sweep",
]

# The directories under MEDIA_ROOT that uploads are written into (the ``upload_to`` of
# Document.file and ValuesImport.file); nothing outside them is ever swept.
AREAS = ("evidence", "imports")
DEFAULT_GRACE = dt.timedelta(days=1)


def grace_period() -> dt.timedelta:
    minutes = getattr(settings, "DTI_STORAGE_GRACE_MINUTES", None)
    return DEFAULT_GRACE if minutes is None else dt.timedelta(minutes=float(minutes))


def is_local(storage: Storage) -> bool:
    """Whether the storage is a directory of this machine (else a remote bucket)."""
    try:
        storage.path("")
    except NotImplementedError:
        return False
    return True


def stored_files(storage: Storage, prefix: str = "") -> Iterator[str]:
    """Every stored name under ``prefix`` (a directory, "" for all), walked through the
    storage's own API: the same for a directory and a bucket."""
    try:
        directories, files = storage.listdir(prefix)
    except FileNotFoundError:  # a directory not made yet (nothing uploaded)
        return
    base = f"{prefix.rstrip('/')}/" if prefix else ""
    for name in sorted(files):
        yield base + name
    for directory in sorted(directories):
        yield from stored_files(storage, base + directory)


def make_durable(storage: Storage, name: str) -> None:
    """fsync a stored file and its directory (a file system storage only), so that the row
    about to commit never names a file a power cut could take back."""
    try:
        path = Path(storage.path(name))
    except NotImplementedError:  # remote storage: its own durability
        return
    for target, flags in ((path, os.O_RDONLY), (path.parent, os.O_RDONLY | os.O_DIRECTORY)):
        fd = os.open(target, flags)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def delete_on_error(storage: Storage) -> Iterator[list[str]]:
    """Inside an ``atomic`` block: the names appended to the yielded list are deleted if the
    block raises (its transaction, or savepoint, rolls back: no row can name them)."""
    names: list[str] = []
    try:
        yield names
    except BaseException:
        for name in names:
            try:
                storage.delete(name)
            except OSError:  # the sweep removes it later
                log.warning("could not delete %s after a rollback", name, exc_info=True)
        raise


def referenced_names() -> set[str]:
    """Every stored name a row of any model's file field holds."""
    names: set[str] = set()
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            if isinstance(model_field, models.FileField):
                rows = model._default_manager.exclude(**{model_field.name: ""}).values_list(
                    model_field.name, flat=True
                )
                names.update(str(n) for n in rows if n)
    return names


@dataclass
class SweepResult:
    removed: list[str] = field(default_factory=list)  # unreferenced and older than the grace
    young: list[str] = field(default_factory=list)  # unreferenced, within the grace: kept
    kept: int = 0  # referenced by a row


def sweep(
    *,
    grace: dt.timedelta | None = None,
    now: float | None = None,
    dry_run: bool = False,
    root: Path | None = None,
) -> SweepResult:
    """Remove the files under :data:`AREAS` that no row names and that are older than
    ``grace``; then the directories that this left empty (and as old)."""
    grace = grace_period() if grace is None else grace
    cutoff = (time.time() if now is None else now) - grace.total_seconds()
    if root is None and not is_local(default_storage):
        return _sweep_remote(default_storage, cutoff, dry_run=dry_run)
    root = Path(root or settings.MEDIA_ROOT)
    found: list[tuple[str, Path, float]] = []
    for area in AREAS:
        base = root / area
        if not base.is_dir() or base.is_symlink():
            continue
        for directory, _dirs, files in os.walk(base):  # symbolic links are not followed
            for file_name in files:
                path = Path(directory) / file_name
                try:
                    info = path.lstat()
                except FileNotFoundError:  # deleted meanwhile (evidence removed)
                    continue
                if stat.S_ISREG(info.st_mode):  # not a symbolic link or anything else
                    found.append((path.relative_to(root).as_posix(), path, info.st_mtime))
    referenced = referenced_names()  # read after the listing: see the module's docstring
    result = SweepResult()
    for name, path, mtime in found:
        if name in referenced:
            result.kept += 1
        elif mtime >= cutoff:
            result.young.append(name)
        else:
            result.removed.append(name)
            if not dry_run:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
    if not dry_run:
        _remove_empty_directories(root, cutoff)
    return result


def _sweep_remote(storage: Storage, cutoff: float, *, dry_run: bool) -> SweepResult:
    """:func:`sweep` on a bucket: objects have no directories to remove, nor links to avoid."""
    found: list[tuple[str, float]] = []
    for area in AREAS:
        for name in stored_files(storage, area):
            try:
                modified = storage.get_modified_time(name).timestamp()
            except Exception:  # the client's own error (botocore's), unless it is still there
                if storage.exists(name):
                    raise
                continue  # deleted meanwhile (evidence removed)
            found.append((name, modified))
    referenced = referenced_names()  # read after the listing: see the module's docstring
    result = SweepResult()
    for name, modified in found:
        if name in referenced:
            result.kept += 1
        elif modified >= cutoff:
            result.young.append(name)
        else:
            result.removed.append(name)
            if not dry_run:
                storage.delete(name)
    return result


def _remove_empty_directories(root: Path, cutoff: float) -> None:
    for area in AREAS:
        base = root / area
        if not base.is_dir() or base.is_symlink():
            continue
        for directory, _dirs, _files in os.walk(base, topdown=False):
            path = Path(directory)
            if path == base or any(path.iterdir()):
                continue
            # An upload may have just made the directory it is about to write into.
            if path.lstat().st_mtime < cutoff:
                with contextlib.suppress(OSError):  # not empty any more: rmdir refuses
                    path.rmdir()
