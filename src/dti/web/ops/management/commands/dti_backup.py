"""``manage.py dti_backup OUT_DIR``: database, evidence files and a manifest of checksums."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dti.web.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump -Fc or SQLite's backup API) and the evidence files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out_dir", type=Path, help="a new or empty directory")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup(options["out_dir"])
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        except subprocess.CalledProcessError as exc:
            raise CommandError(f"{exc.cmd[0]} failed: {exc.stderr.decode()[-2000:]}") from exc
        media = sum(1 for name in manifest["files"] if name.startswith("media/"))
        self.stdout.write(
            f"backup written to {options['out_dir']}: {manifest['database']}, {media} evidence "
            f"files, {sum(manifest['rows'].values())} rows, scores {manifest['scores_sha256'][:12]}"
        )
