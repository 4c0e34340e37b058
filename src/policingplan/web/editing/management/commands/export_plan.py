"""``python -m policingplan.web export_plan --out FOLDER [--label LABEL]``: a plan version written as a plan folder."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from policingplan.problems import UserError


class Command(BaseCommand):
    help = ("Write a version of the plan (default: the one the pages show) as a plan folder, whole or not at all; "
            "`policingplan validate` reads it.")

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="The folder to write (replaced if it exists).")
        parser.add_argument("--label", dest="label", default=None,
                            help="The version's label, such as 1.1 (default: the published version shown).")
        parser.add_argument("--plan-id", default=None, help="The plan's id (default: the settings' plan).")

    def handle(self, *args, out: str, label: str | None, plan_id: str | None, **options):
        from policingplan.web.editing import export, store
        from policingplan.web.editing.models import PlanVersion

        store.ensure_imported()
        plan_id = plan_id or store.settings_plan_id()
        if label is None:
            version = store.shown_version(plan_id)
            if version is None:
                raise CommandError(f"the plan {plan_id!r} has no published version")
        else:
            version = PlanVersion.objects.filter(plan_id=plan_id, label=label).first()
            if version is None:
                known = ", ".join(PlanVersion.objects.filter(plan_id=plan_id).order_by("id")
                                  .values_list("label", flat=True))
                raise CommandError(f"--label: the plan {plan_id!r} has no version {label!r}; it has {known or 'none'}")
        try:
            export.write(version, out)
        except (UserError, OSError) as exc:
            raise CommandError(f"--out {out}: the folder cannot be written ({exc})") from None
        self.stdout.write(f"Wrote version {version.label} ({version.status_name.lower()}) of {version.plan_id} "
                          f"to {out}")
