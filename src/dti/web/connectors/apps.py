from __future__ import annotations

from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "dti.web.connectors"
    label = "connectors"
    verbose_name = "Connectors"
    default_auto_field = "django.db.models.BigAutoField"
