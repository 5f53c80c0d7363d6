"""Queue again the pulls whose consumer died (what the queue's schedule does every 5 minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Queue again the pulls a killed consumer left running (nothing of them was written)."

    def handle(self, *args: Any, **options: Any) -> None:
        from dti.web.connectors.tasks import pulls_resume

        resumed = pulls_resume()
        self.stdout.write(f"{len(resumed)} pull(s) queued again: {resumed}")
