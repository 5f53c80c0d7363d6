from django.apps import AppConfig


class Config(AppConfig):
    name = "dti.web.assessments"
    label = "assessments"
    default_auto_field = "django.db.models.BigAutoField"
