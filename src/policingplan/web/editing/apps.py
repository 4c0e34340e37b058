"""The Django app of plan editing."""

from django.apps import AppConfig


class EditingConfig(AppConfig):
    name = "policingplan.web.editing"
    label = "editing"
    verbose_name = "Plan editing"
    default_auto_field = "django.db.models.BigAutoField"
