from __future__ import annotations

from django.apps import AppConfig


class SnapshotsConfig(AppConfig):
    name = "dti.web.snapshots"
    label = "snapshots"
    verbose_name = "Snapshots"
