"""The Django app of investment."""

from django.apps import AppConfig


class InvestmentConfig(AppConfig):
    name = "policingplan.web.investment"
    label = "investment"
    verbose_name = "Investment"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """A plan folder exported from the application carries its portfolio: plan editing's export writes
        ``portfolio.yaml`` from the application's state (:func:`.state.export_files`)."""
        from policingplan.web.editing import export
        from policingplan.web.investment.state import export_files

        if export_files not in export.EXTRA_FILES:
            export.EXTRA_FILES.append(export_files)
