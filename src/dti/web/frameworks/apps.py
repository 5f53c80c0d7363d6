from django.apps import AppConfig


class Config(AppConfig):
    name = "dti.web.frameworks"
    label = "frameworks"
    default_auto_field = "django.db.models.BigAutoField"
