"""The Django app of planning cycle."""

from django.apps import AppConfig


class CycleConfig(AppConfig):
    name = "policingplan.web.cycle"
    label = "cycle"
    verbose_name = "Planning cycle"
    default_auto_field = "django.db.models.BigAutoField"
