from django.apps import AppConfig


class Config(AppConfig):
    name = "dti.web.registry"
    label = "registry"
    default_auto_field = "django.db.models.BigAutoField"
