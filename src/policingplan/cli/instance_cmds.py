"""``policingplan export`` and ``policingplan import``: a whole instance moved to a new machine.

The records live in the web application's database, so, as ``policingplan serve`` does, these
commands run ``python -m policingplan.web`` in a child process (the command line never imports
Django: docs/architecture.md) and return its exit code.  ``--help`` loads nothing of the web.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def _run_web(*arguments: str) -> None:
    """``python -m policingplan.web ARGUMENTS``; its exit code becomes this command's."""
    import subprocess
    import sys

    code = subprocess.call([sys.executable, "-m", "policingplan.web", *arguments])
    if code:
        raise typer.Exit(code)


def _options(warehouse: Optional[Path], plan_dir: Optional[Path]) -> list[str]:
    options: list[str] = []
    if warehouse is not None:
        options += ["--warehouse", str(warehouse)]
    if plan_dir is not None:
        options += ["--plan-dir", str(plan_dir)]
    return options


def export_command(
    archive: Path = typer.Argument(..., help="The archive to write (.tar.gz), such as instance.tar.gz."),
    warehouse: Optional[Path] = typer.Option(
        None, "--warehouse", help="The warehouse folder (default: $POLICINGPLAN_WAREHOUSE or .policingplan/warehouse)."),
    plan_dir: Optional[Path] = typer.Option(
        None, "--plan-dir", help="The plan folder the application shows (default: $POLICINGPLAN_WEB_PLAN)."),
) -> None:
    """Write the whole instance as one archive: the database's records (users and their roles, the audit
    trail, plan versions, the planning cycle, the investment fund), the warehouse, and the plan folder.

    The database is $DATABASE_URL (default SQLite in .policingplan/web.sqlite3).  The secret key is not
    exported.  Restore the archive on the new machine with policingplan import (docs/deployment.md).
    """
    _run_web("export_instance", str(archive), *_options(warehouse, plan_dir))


def import_command(
    archive: Path = typer.Argument(..., help="The archive written by policingplan export."),
    warehouse: Optional[Path] = typer.Option(
        None, "--warehouse",
        help="The warehouse folder to create, empty or absent (default: $POLICINGPLAN_WAREHOUSE or "
             ".policingplan/warehouse)."),
    plan_dir: Optional[Path] = typer.Option(
        None, "--plan-dir", help="Where the archive's plan folder goes, when it carries one "
                                 "(default: $POLICINGPLAN_WEB_PLAN)."),
) -> None:
    """Restore an archive into a new instance: an empty database ($DATABASE_URL) and an empty warehouse folder.

    Every file of the archive is checked against its SHA-256 first; the database is migrated and every
    record loaded in one transaction; nothing is written when the archive is damaged or the instance
    already holds data.
    """
    _run_web("import_instance", str(archive), *_options(warehouse, plan_dir))


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)
    app.command("import")(import_command)
