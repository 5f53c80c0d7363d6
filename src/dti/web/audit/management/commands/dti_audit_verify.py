"""``manage.py dti_audit_verify``: check every hash chain of the audit trail; exit status 1
and the first broken link of each broken chain when one is broken."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dti.web.audit.verify import audit_verify


class Command(BaseCommand):
    help = "Check the audit trail's hash chains; report the first broken link of each."

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify()
        if not result.intact:
            for found in result.breaks:
                self.stderr.write(f"broken: {found}")
            raise CommandError(
                f"audit trail broken: {len(result.breaks)} of {result.chains} chains "
                f"({result.events} events checked)"
            )
        self.stdout.write(f"audit trail intact: {result.chains} chains, {result.events} events")
