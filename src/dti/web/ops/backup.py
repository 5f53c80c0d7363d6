"""Backup and restore of the database and the evidence files, with a manifest of checksums.

A backup directory holds ``database.dump`` (``pg_dump -Fc``) or ``database.sqlite3`` (SQLite's
online backup API), ``media/`` (every stored file: evidence, values tables) and
``manifest.json``: the SHA-256 of every file, the row count of every table and a checksum of
every stored score, so that a restore can prove it brought back what was saved.

The stored files are read and written through the storage's API (the ``default`` storage:
MEDIA_ROOT or an S3 bucket, settings.storages_from_env), so a backup of either restores into
either: restoring a file-system backup with ``DTI_STORAGE=s3`` is how an installation moves its
evidence into a bucket. Each file's SHA-256 is taken of the bytes as they were read from the
storage, and after a restore of the bytes read back from it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connection

from dti.web.ops.storage import stored_files

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    pass


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_stored(storage: Storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def storage_kind(storage: Storage) -> str:
    """What the manifest says the files came from: ``filesystem`` or ``s3:<bucket>``."""
    bucket = getattr(storage, "bucket_name", None)
    return f"s3:{bucket}" if bucket else "filesystem"


def row_counts() -> dict[str, int]:
    """Rows per model of every installed app (sorted by label)."""
    return {
        model._meta.label: model._default_manager.count()
        for model in sorted(apps.get_models(), key=lambda m: m._meta.label)
        if model._meta.managed and not model._meta.proxy
    }


def scores_checksum() -> str:
    """SHA-256 over every assessment's status, scores and points (ordered by key)."""
    from dti.web.assessments.models import Assessment

    digest = hashlib.sha256()
    fields = (
        "pk",
        "status",
        "self_score",
        "verified_score",
        "self_band",
        "verified_band",
        "points",
    )
    for row in Assessment.objects.order_by("pk").values_list(*fields):
        digest.update(json.dumps(row, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db: dict[str, Any]) -> list[str]:
    return [
        "--host",
        str(db.get("HOST") or "127.0.0.1"),
        "--port",
        str(db.get("PORT") or 5432),
        "--username",
        str(db.get("USER") or "postgres"),
    ]


def backup(out_dir: Path) -> dict[str, Any]:
    """Write a backup into ``out_dir`` (created; must be empty) and return its manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if any(out_dir.iterdir()):
        raise BackupError(f"{out_dir} is not empty")
    db = connection.settings_dict
    vendor = connection.vendor
    if vendor == "postgresql":
        target = out_dir / "database.dump"
        # pg_dump from PATH; its arguments come from settings, never from a request.
        subprocess.run(  # noqa: S603
            [  # noqa: S607
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--file",
                str(target),
                *_pg_args(db),
                str(db["NAME"]),
            ],
            check=True,
            env=_pg_env(db),
            capture_output=True,
        )
    elif vendor == "sqlite":
        target = out_dir / "database.sqlite3"
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
    else:  # pragma: no cover - only the two supported databases
        raise BackupError(f"unsupported database {vendor}")
    # Counts and checksums are taken after the dump: a backup is meant to run while the
    # application is stopped or idle (see benchmarks/README.md, "Backup and restore").
    storage = default_storage
    files: dict[str, dict[str, Any]] = {}
    for name in stored_files(storage):
        copy = out_dir / "media" / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with storage.open(name, "rb") as source, copy.open("wb") as out:
            for block in iter(lambda: source.read(1024 * 1024), b""):
                digest.update(block)
                out.write(block)
        files[f"media/{name}"] = {"sha256": digest.hexdigest(), "size": copy.stat().st_size}
    files[target.name] = {"sha256": sha256_file(target), "size": target.stat().st_size}
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "vendor": vendor,
        "storage": storage_kind(storage),
        "database": target.name,
        "files": files,
        "rows": row_counts(),
        "scores_sha256": scores_checksum(),
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def verify_files(in_dir: Path) -> dict[str, Any]:
    """The manifest, after checking every file in it against its checksum."""
    manifest: dict[str, Any] = json.loads((in_dir / MANIFEST).read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    bad = [
        name
        for name, info in manifest["files"].items()
        if not (in_dir / name).is_file() or sha256_file(in_dir / name) != info["sha256"]
    ]
    if bad:
        raise BackupError(f"damaged or missing files in the backup: {', '.join(bad[:10])}")
    return manifest


def restore(in_dir: Path) -> dict[str, Any]:
    """Restore ``in_dir`` into the configured (empty) database and media root, then verify."""
    manifest = verify_files(in_dir)
    vendor = connection.vendor
    if vendor == "sqlite":  # a fresh machine: the database's directory may not exist yet
        Path(str(connection.settings_dict["NAME"])).parent.mkdir(parents=True, exist_ok=True)
    if manifest["vendor"] != vendor:
        raise BackupError(f"the backup is of {manifest['vendor']}, the target is {vendor}")
    if connection.introspection.table_names():
        raise BackupError("the target database is not empty: restore into a fresh database")
    storage = default_storage
    if next(stored_files(storage), None) is not None:
        raise BackupError(f"the target storage ({storage_kind(storage)}) is not empty")
    db = connection.settings_dict
    dump = in_dir / manifest["database"]
    if vendor == "postgresql":
        connection.close()
        subprocess.run(  # noqa: S603
            [  # noqa: S607
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                str(db["NAME"]),
                *_pg_args(db),
                str(dump),
            ],
            check=True,
            env=_pg_env(db),
            capture_output=True,
        )
    else:
        connection.close()
        name = Path(str(db["NAME"]))
        name.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(dump)
        destination = sqlite3.connect(name)
        try:
            source.backup(destination)
        finally:
            source.close()
            destination.close()
    for relative in manifest["files"]:
        if relative.startswith("media/"):
            name = relative.removeprefix("media/")
            with (in_dir / relative).open("rb") as handle:
                saved = storage.save(name, File(handle))
            if saved != name:  # the storage chose another name: no row would find it
                raise BackupError(f"{relative}: stored as {saved}")
    problems = []
    counts = row_counts()
    for label, expected in manifest["rows"].items():
        if counts.get(label) != expected:
            problems.append(f"{label}: {counts.get(label)} rows, the backup had {expected}")
    if scores_checksum() != manifest["scores_sha256"]:
        problems.append("the scores differ from the backup's checksum")
    for relative, info in manifest["files"].items():
        name = relative.removeprefix("media/")
        if name != relative and sha256_stored(storage, name) != info["sha256"]:
            problems.append(f"{relative}: checksum differs after restore")
    if problems:
        raise BackupError("restored, but not identical: " + "; ".join(problems))
    return manifest
