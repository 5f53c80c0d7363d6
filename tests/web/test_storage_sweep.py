"""Upload files and their rows: a file no row names is swept once older than the grace period;
a referenced one never is; a failed upload removes its own file. (The SIGKILL between the write
and the commit is in test_faults_server.py, on PostgreSQL.)"""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from tests.web.conftest import entry
from tests.web.test_uploads import PDF

from dti.web.assessments.models import Evidence
from dti.web.assessments.services import evidence_add
from dti.web.ops.backup import backup
from dti.web.ops.storage import referenced_names, sweep

DAY = 24 * 3600


def _files(media: Path) -> set[str]:
    return {p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()}


def _make(media: Path, name: str, *, age: float, data: bytes = b"x") -> Path:
    path = media / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


def _upload(world: dict[str, Any]) -> Evidence:
    return evidence_add(
        actor=world["users"]["reporter"],
        entry=entry(world["mine"], "1.1"),
        upload=SimpleUploadedFile("qd.pdf", PDF),
    )


def test_the_sweep_removes_only_old_files_no_row_names(
    world: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    media = Path(settings.MEDIA_ROOT)
    evidence = _upload(world)
    stored = media / evidence.file.name
    os.utime(stored, (time.time() - 3 * DAY,) * 2)  # old, but referenced
    _make(media, "evidence/ab12cd34/killed-upload.pdf", age=2 * DAY)
    _make(media, "imports/ef56ab78/killed-import.csv", age=2 * DAY)
    _make(media, "evidence/0badc0de/in-flight.pdf", age=60)  # a transaction still open
    _make(media, "other/not-an-upload-area.txt", age=9 * DAY)
    outside = _make(tmp_path, "outside/secret.txt", age=9 * DAY)
    (media / "evidence" / "link.pdf").symlink_to(outside)
    before = _files(media)
    assert evidence.file.name in referenced_names()

    dry = sweep(dry_run=True)
    assert sorted(dry.removed) == [
        "evidence/ab12cd34/killed-upload.pdf",
        "imports/ef56ab78/killed-import.csv",
    ]
    assert dry.young == ["evidence/0badc0de/in-flight.pdf"] and dry.kept == 1
    assert _files(media) == before

    done = sweep()
    assert done.removed == dry.removed
    assert _files(media) == before - set(dry.removed)
    assert stored.read_bytes() == PDF
    assert outside.read_text() == "x" and (media / "evidence" / "link.pdf").is_symlink()
    # The directories emptied are removed by a later run, once as old as the grace period.
    emptied = media / "evidence" / "ab12cd34"
    assert emptied.is_dir()
    os.utime(emptied, (time.time() - 2 * DAY,) * 2)
    sweep()
    assert not emptied.exists() and stored.parent.is_dir()


def test_the_command_reports_and_honours_the_grace_period(
    world: dict[str, Any], settings: Any
) -> None:
    media = Path(settings.MEDIA_ROOT)
    _make(media, "evidence/ab12cd34/orphan.pdf", age=600)
    out = io.StringIO()
    call_command("dti_storage_sweep", "--dry-run", stdout=out)
    assert "would remove 0 unreferenced files" in out.getvalue()
    call_command("dti_storage_sweep", "--grace-minutes", "5", "--dry-run", stdout=out)
    assert "would remove evidence/ab12cd34/orphan.pdf" in out.getvalue()
    assert _files(media) == {"evidence/ab12cd34/orphan.pdf"}
    call_command("dti_storage_sweep", "--grace-minutes", "5", stdout=out)
    assert "removed 1 unreferenced files" in out.getvalue()
    assert _files(media) == set()


def test_the_queue_sweeps_every_hour(world: dict[str, Any], settings: Any) -> None:
    import datetime as dt

    from huey.contrib.djhuey import HUEY

    from dti.web.ops.tasks import storage_sweep_task

    at_minute_23 = dt.datetime(2024, 3, 1, 9, 23)  # huey's schedule is in UTC
    due = {type(t) for t in HUEY.read_periodic(at_minute_23)}
    later = {type(t) for t in HUEY.read_periodic(at_minute_23 + dt.timedelta(minutes=1))}
    assert storage_sweep_task.task_class in due and storage_sweep_task.task_class not in later
    media = Path(settings.MEDIA_ROOT)
    _make(media, "evidence/ab12cd34/orphan.pdf", age=2 * DAY)
    storage_sweep_task()  # immediate mode in the tests: run now, as the consumer would
    assert _files(media) == set()


def test_a_failed_upload_deletes_its_own_file(
    world: dict[str, Any], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error after the file is written (here the audit record) rolls the row back and takes
    the file with it: nothing is left for the sweep."""
    import dti.web.assessments.services.evidence as service

    def failing(**kwargs: Any) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(service, "audit_record", failing)
    with pytest.raises(RuntimeError):
        _upload(world)
    assert not Evidence.objects.exists()
    assert _files(Path(settings.MEDIA_ROOT)) == set()


@pytest.mark.django_db(transaction=True)  # SQLite's backup API waits for an open transaction
def test_a_backup_holds_the_referenced_files(
    world: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    media = Path(settings.MEDIA_ROOT)
    evidence = _upload(world)
    _make(media, "evidence/ab12cd34/orphan.pdf", age=2 * DAY)
    sweep()
    manifest = backup(tmp_path / "backup")
    media_files = {n for n in manifest["files"] if n.startswith("media/")}
    assert media_files == {f"media/{evidence.file.name}"}
    assert (tmp_path / "backup" / "media" / evidence.file.name).read_bytes() == PDF
