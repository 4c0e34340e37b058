"""``python -m policingplan.web export_instance ARCHIVE``: the whole instance as one archive (``policingplan export``)."""

from django.core.management.base import BaseCommand

from policingplan.problems import UserError
from policingplan.web import backup


class Command(BaseCommand):
    help = ("Write the whole instance (the database's records, the warehouse and the plan folder shown) as one "
            "archive (.tar.gz), to restore on a new machine with import_instance.")

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The archive to write, such as instance.tar.gz.")
        parser.add_argument("--warehouse", default=None,
                            help="The warehouse folder (default: $POLICINGPLAN_WAREHOUSE or .policingplan/warehouse).")
        parser.add_argument("--plan-dir", default=None, help="The plan folder shown (default: $POLICINGPLAN_WEB_PLAN).")
        parser.add_argument("--database", default="default", help="The database alias (default: default).")

    def handle(self, *args, **options):
        try:
            backup.export_instance(options["archive"], warehouse=options["warehouse"], plan_dir=options["plan_dir"],
                                   using=options["database"], say=self.stdout.write)
        except UserError as exc:
            self.stderr.write(f"Error: {exc}")
            raise SystemExit(1) from None
