"""``manage.py dti_storage_sweep``: remove uploaded files no row names (left by a killed
process between writing a file and committing its row), once older than the grace period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dti.web.ops.storage import grace_period, sweep


class Command(BaseCommand):
    help = (
        "Remove the evidence and import files that no row references and that are older than "
        "the grace period (DTI_STORAGE_GRACE_MINUTES, default one day). Run it from cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--grace-minutes",
            type=float,
            default=None,
            help="keep unreferenced files younger than this (default: the setting)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be removed, remove nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        minutes = options["grace_minutes"]
        if minutes is not None and minutes < 0:
            raise CommandError("--grace-minutes cannot be negative")
        grace = grace_period() if minutes is None else dt.timedelta(minutes=minutes)
        result = sweep(grace=grace, dry_run=options["dry_run"])
        verb = "would remove" if options["dry_run"] else "removed"
        for name in result.removed:
            self.stdout.write(f"{verb} {name}")
        self.stdout.write(
            f"{verb} {len(result.removed)} unreferenced files; kept {result.kept} referenced "
            f"and {len(result.young)} unreferenced younger than {grace}"
        )
