"""The Django app of investment."""

from django.apps import AppConfig


class InvestmentConfig(AppConfig):
    name = "policingplan.web.investment"
    label = "investment"
    verbose_name = "Investment"
    default_auto_field = "django.db.models.BigAutoField"
