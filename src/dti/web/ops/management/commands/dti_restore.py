"""``manage.py dti_restore IN_DIR``: into a fresh database and storage, then verified."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dti.web.ops.backup import BackupError, restore, verify_files
from dti.web.results.page_cache import new_generation


class Command(BaseCommand):
    help = (
        "Restore a dti_backup directory into the configured empty database and media root; "
        "checks file checksums first and row counts and score checksums after."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("in_dir", type=Path)
        parser.add_argument(
            "--check-only", action="store_true", help="only verify the backup's file checksums"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["check_only"]:
                manifest = verify_files(options["in_dir"])
                self.stdout.write(f"backup intact: {len(manifest['files'])} files")
                return
            manifest = restore(options["in_dir"])
            new_generation()  # pages cached from the database before the restore are retired
        except (BackupError, OSError, KeyError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        except subprocess.CalledProcessError as exc:
            raise CommandError(f"{exc.cmd[0]} failed: {exc.stderr.decode()[-2000:]}") from exc
        self.stdout.write(
            f"restored and verified: {sum(manifest['rows'].values())} rows, "
            f"{sum(1 for n in manifest['files'] if n.startswith('media/'))} evidence files, "
            f"scores {manifest['scores_sha256'][:12]}"
        )
