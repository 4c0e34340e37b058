"""``python -m policingplan.web import_instance ARCHIVE``: a new instance restored from an archive (``policingplan import``)."""

from django.core.management.base import BaseCommand

from policingplan.problems import UserError
from policingplan.web import backup


class Command(BaseCommand):
    help = ("Restore an archive written by export_instance into a new instance: an empty database "
            "($DATABASE_URL) and an empty or new warehouse folder. Nothing is written when the archive is damaged "
            "or the instance already holds data.")

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The archive to restore.")
        parser.add_argument("--warehouse", default=None,
                            help="The warehouse folder to create (default: $POLICINGPLAN_WAREHOUSE or "
                                 ".policingplan/warehouse); it must be empty or absent.")
        parser.add_argument("--plan-dir", default=None,
                            help="Where to write the archive's plan folder, when it carries one "
                                 "(default: $POLICINGPLAN_WEB_PLAN).")
        parser.add_argument("--database", default="default", help="The database alias (default: default).")

    def handle(self, *args, **options):
        try:
            backup.import_instance(options["archive"], warehouse=options["warehouse"], plan_dir=options["plan_dir"],
                                   using=options["database"], say=self.stdout.write)
        except UserError as exc:
            self.stderr.write(f"Error: {exc}")
            raise SystemExit(1) from None
