"""Uploaded files in an S3 bucket (DTI_STORAGE=s3) on a real S3 API server (moto's, started by
tests/web/s3.py): evidence and values tables are objects, downloads still pass the permission
check, the sweep and backup and restore work on the bucket with checksums."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from tests.web.conftest import entry
from tests.web.liveproc import REPO
from tests.web.s3 import Bucket, client, drop_bucket, new_bucket, objects, s3_endpoint, s3_storage
from tests.web.test_backup_restore import fresh_target
from tests.web.test_period_import import csv, started
from tests.web.test_permissions import client_for
from tests.web.test_uploads import PDF

from dti.web.assessments.models import Evidence, ImportState
from dti.web.assessments.services import evidence_add, evidence_delete
from dti.web.ops.storage import sweep
from dti.web.settings import storages_from_env

__all__ = ["fresh_target", "s3_endpoint", "s3_storage"]  # fixtures used by the tests below

DAY = 24 * 3600


def _upload(world: dict[str, Any], data: bytes = PDF) -> Evidence:
    return evidence_add(
        actor=world["users"]["reporter"],
        entry=entry(world["mine"], "1.1"),
        upload=SimpleUploadedFile("qd.pdf", data),
    )


def _disk(settings: Any) -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_the_storage_setting_chooses_the_disk_or_a_bucket() -> None:
    assert storages_from_env({})["default"]["BACKEND"].endswith("FileSystemStorage")
    s3 = storages_from_env(
        {"DTI_STORAGE": "s3", "DTI_S3_BUCKET": "dti", "DTI_S3_ENDPOINT_URL": "http://s3:9000"}
    )["default"]
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    assert s3["OPTIONS"]["bucket_name"] == "dti"
    assert s3["OPTIONS"]["endpoint_url"] == "http://s3:9000"
    assert s3["OPTIONS"]["default_acl"] is None  # private: nothing public
    with pytest.raises(ValueError, match="DTI_S3_BUCKET"):
        storages_from_env({"DTI_STORAGE": "s3"})
    with pytest.raises(ValueError, match="expected filesystem or s3"):
        storages_from_env({"DTI_STORAGE": "ftp"})


def test_evidence_is_an_object_of_the_bucket_and_nothing_is_on_disk(
    world: dict[str, Any], s3_storage: Bucket, settings: Any
) -> None:
    evidence = _upload(world)
    assert s3_storage.objects() == {evidence.file.name: PDF}
    assert _disk(settings) == []


def test_the_download_streams_the_object_after_the_permission_check(
    world: dict[str, Any], s3_storage: Bucket
) -> None:
    evidence = _upload(world)
    url = reverse("evidence_download", args=[evidence.pk])
    assert client_for(world, "outsider").get(url).status_code == 404
    assert client_for(world, "verifier").get(url).status_code == 404  # still a draft
    response = client_for(world, "reporter").get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Location" not in response  # streamed by the view, not a redirect to the bucket
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]


def test_removing_a_document_deletes_its_object_unlinking_keeps_it(
    world: dict[str, Any], s3_storage: Bucket, django_capture_on_commit_callbacks: Any
) -> None:
    """Taking evidence off an indicator only unlinks the unit's document (it stays in the
    library, its object in the bucket); removing the document removes the object."""
    from dti.web.assessments.services.documents import document_delete

    evidence = _upload(world)
    document = evidence.document
    reporter = world["users"]["reporter"]
    with django_capture_on_commit_callbacks(execute=True):
        evidence_delete(actor=reporter, evidence=evidence)
    assert list(s3_storage.objects()) == [document.file.name]
    with django_capture_on_commit_callbacks(execute=True):
        document_delete(actor=reporter, document=document)
    assert s3_storage.objects() == {}


def test_a_failed_upload_deletes_its_object(
    world: dict[str, Any], s3_storage: Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dti.web.assessments.services.evidence as service

    def failing(**kwargs: Any) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(service, "audit_record", failing)
    with pytest.raises(RuntimeError):
        _upload(world)
    assert not Evidence.objects.exists()
    assert s3_storage.objects() == {}


def test_a_values_table_is_stored_in_the_bucket_and_read_back_from_it(
    world: dict[str, Any], s3_storage: Bucket, settings: Any
) -> None:
    job = started(world, csv("so-a,2023,1.1,1,,", "so-b,2023,2.2,15,,"))
    assert (job.state, job.units) == (ImportState.DONE, 2)
    assert job.file.name in s3_storage.objects()
    assert _disk(settings) == []


def test_the_sweep_removes_only_old_objects_no_row_names(
    world: dict[str, Any], s3_storage: Bucket
) -> None:
    evidence = _upload(world)
    s3 = client(s3_storage.endpoint)
    for key in ("evidence/ab12cd34/killed-upload.pdf", "imports/ef56ab78/killed.csv", "other/x"):
        s3.put_object(Bucket=s3_storage.name, Key=key, Body=b"x")

    young = sweep()  # everything was written just now: within the grace period
    assert young.removed == [] and young.kept == 1
    assert sorted(young.young) == [
        "evidence/ab12cd34/killed-upload.pdf",
        "imports/ef56ab78/killed.csv",
    ]
    later = sweep(now=time.time() + 2 * DAY)
    assert sorted(later.removed) == sorted(young.young) and later.kept == 1
    assert set(s3_storage.objects()) == {evidence.file.name, "other/x"}  # outside the areas


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _restore(env: dict[str, str], backup: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "dti_restore", str(backup)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db(transaction=True)  # SQLite's backup API waits for an open transaction
def test_a_bucket_is_backed_up_with_checksums_and_restored_into_another(
    world: dict[str, Any], s3_storage: Bucket, tmp_path: Path, fresh_target: dict[str, str]
) -> None:
    _upload(world)
    _upload(world, PDF + b"% second\n")
    stored = s3_storage.objects()
    backup = tmp_path / "backup"
    call_command("dti_backup", str(backup))
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["storage"] == f"s3:{s3_storage.name}"
    assert {
        name.removeprefix("media/"): info["sha256"]
        for name, info in manifest["files"].items()
        if name.startswith("media/")
    } == {key: _sha(data) for key, data in stored.items()}

    target = new_bucket(s3_storage.endpoint)
    try:
        env = {**fresh_target, **Bucket(s3_storage.endpoint, target).env()}
        result = _restore(env, backup)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "restored and verified" in result.stdout
        assert objects(s3_storage.endpoint, target) == stored
        again = _restore(env, backup)  # over a bucket that is not empty any more: refused
        assert again.returncode != 0 and "not empty" in again.stderr
    finally:
        drop_bucket(s3_storage.endpoint, target)


@pytest.mark.django_db(transaction=True)
def test_a_file_system_backup_restores_into_a_bucket(
    world: dict[str, Any],
    s3_endpoint: str,
    settings: Any,
    tmp_path: Path,
    fresh_target: dict[str, str],
) -> None:
    """How an installation moves its evidence from the disk to object storage."""
    evidence = _upload(world)
    backup = tmp_path / "backup"
    call_command("dti_backup", str(backup))
    assert json.loads((backup / "manifest.json").read_text())["storage"] == "filesystem"
    target = new_bucket(s3_endpoint)
    try:
        result = _restore({**fresh_target, **Bucket(s3_endpoint, target).env()}, backup)
        assert result.returncode == 0, result.stdout + result.stderr
        assert objects(s3_endpoint, target) == {evidence.file.name: PDF}
    finally:
        drop_bucket(s3_endpoint, target)
