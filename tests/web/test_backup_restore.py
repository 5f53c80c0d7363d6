"""`dti_backup` then `dti_restore` into a fresh database and storage: same rows, same scores,
same evidence bytes, and the application serves the restored copy."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from tests.web.conftest import PASSWORD, advance, entry
from tests.web.liveproc import REPO, login, running, server_env, use_argon2
from tests.web.test_uploads import PDF

from dti.web.ops.backup import row_counts, scores_checksum, sha256_file

pytestmark = pytest.mark.django_db(transaction=True)

PROBE = """
import json, django
django.setup()
from pathlib import Path
from django.conf import settings
from dti.web.ops.backup import row_counts, scores_checksum, sha256_file
root = Path(settings.MEDIA_ROOT)
files = {p.relative_to(root).as_posix(): sha256_file(p) for p in root.rglob("*") if p.is_file()}
print(json.dumps({"rows": row_counts(), "scores": scores_checksum(), "files": files}))
"""


@pytest.fixture
def fresh_target(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment variables pointing at an empty database and an empty storage."""
    var = tmp_path / "restored"
    if connection.vendor != "postgresql":
        yield server_env(DTI_VAR_DIR=str(var))
        return
    import psycopg

    name = f"dti_restore_{secrets.token_hex(4)}"
    db = connection.settings_dict
    dsn = f"host={db['HOST']} port={db['PORT']} user={db['USER'] or 'postgres'} dbname=postgres"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST']}:{db['PORT']}/{name}"
        yield server_env(DTI_VAR_DIR=str(var), DTI_DATABASE_URL=url)
    finally:
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_backup_restores_into_a_fresh_database_and_the_app_runs_on_it(
    world: dict[str, Any], settings: Any, tmp_path: Path, fresh_target: dict[str, str]
) -> None:
    from dti.web.assessments.services import evidence_add

    reporter = world["users"]["reporter"]
    use_argon2(reporter, PASSWORD)
    evidence = evidence_add(
        actor=reporter, entry=entry(world["mine"], "1.1"), upload=SimpleUploadedFile("qd.pdf", PDF)
    )
    advance(world, world["theirs"], "published")
    media = Path(settings.MEDIA_ROOT)
    expected = {
        "rows": row_counts(),
        "scores": scores_checksum(),
        "files": {
            p.relative_to(media).as_posix(): sha256_file(p) for p in media.rglob("*") if p.is_file()
        },
    }
    assert expected["files"] and expected["rows"]["assessments.Assessment"] == 3

    backup = tmp_path / "backup"
    call_command("dti_backup", str(backup))
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["rows"] == expected["rows"]
    with pytest.raises(CommandError, match="not empty"):  # never over an existing backup
        call_command("dti_backup", str(backup))

    result = _manage(fresh_target, "dti_restore", str(backup))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "restored and verified" in result.stdout
    probe = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REPO,
        env=fresh_target,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.returncode == 0, probe.stderr
    assert json.loads(probe.stdout) == expected

    # A second restore over the restored copy is refused: it is not empty any more.
    again = _manage(fresh_target, "dti_restore", str(backup))
    assert again.returncode != 0 and "not empty" in again.stderr

    with running(fresh_target, tmp_path / "server.log") as server:
        client = login(server.base, "reporter", PASSWORD)
        page = client.get(f"{server.base}/assessments/{world['mine'].pk}/")
        assert page.status_code == 200 and "Sở Giao thông vận tải" in page.text
        download = client.get(f"{server.base}/evidence/{evidence.pk}/")
        assert download.status_code == 200 and download.content == PDF
        public = client.get(f"{server.base}/public/2023/", follow_redirects=True)
        assert public.status_code == 200 and "Sở Xây dựng" in public.text


def test_a_damaged_backup_is_refused_before_anything_is_restored(
    world: dict[str, Any], tmp_path: Path, fresh_target: dict[str, str]
) -> None:
    from dti.web.assessments.services import evidence_add

    evidence_add(
        actor=world["users"]["reporter"],
        entry=entry(world["mine"], "1.1"),
        upload=SimpleUploadedFile("qd.pdf", PDF),
    )
    backup = tmp_path / "backup"
    call_command("dti_backup", str(backup))
    damaged = next((backup / "media").rglob("*.pdf"))
    damaged.write_bytes(damaged.read_bytes() + b"x")
    result = _manage(fresh_target, "dti_restore", str(backup))
    assert result.returncode != 0 and "damaged" in result.stderr
    assert not (Path(fresh_target["DTI_VAR_DIR"]) / "media").exists()
