"""The Django app of the web application."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "policingplan.web"
    label = "web"
    verbose_name = "Policing plan"
    default_auto_field = "django.db.models.BigAutoField"
