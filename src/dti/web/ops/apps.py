from __future__ import annotations

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "dti.web.ops"
    label = "ops"
    default_auto_field = "django.db.models.BigAutoField"
