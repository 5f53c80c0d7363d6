from django.apps import AppConfig


class Config(AppConfig):
    name = "dti.web.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"
