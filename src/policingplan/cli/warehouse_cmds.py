"""``policingplan data load`` and ``data status``: the warehouse from the command line.

Thin glue over :mod:`policingplan.services.data`; ``measures`` is in ``measures_cmds.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from policingplan.cli.common import fail, print_json
from policingplan.cli.groups import data_app
from policingplan.data.kinds import SOURCE_KINDS
from policingplan.problems import UserError

WAREHOUSE_HELP = "The warehouse directory (default: $POLICINGPLAN_WAREHOUSE or .policingplan/warehouse)."


def load_command(
    kind: Optional[str] = typer.Argument(None, help=f"The source kind: {', '.join(SOURCE_KINDS)}."),
    files: Optional[list[Path]] = typer.Argument(None, help="The files to load, all or none."),
    plan_dir: Optional[Path] = typer.Option(
        None, "--plan", help="Load every data source file a plan names; with KIND FILE..., load those files. "
        "Either way, report the categories loaded that no counting rule of the plan names."),
    data_dir: Optional[Path] = typer.Option(
        None, "--data-dir", help="Where a plan's data files are (default: $POLICINGPLAN_DATA_DIR or the project's data/ folder)."),
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", help=WAREHOUSE_HELP),
    vintage: Optional[str] = typer.Option(
        None, "--vintage", help="The files' vintage (publication date, YYYY-MM-DD) where the file does not state it."),
    as_json: bool = typer.Option(False, "--json", help="Print the load report as JSON."),
) -> None:
    """Load files into the warehouse atomically and print the load report."""
    from policingplan.cli.data_cmds import print_notes
    from policingplan.cli.data_progress import bytes_progress
    from policingplan.cli.load_print import print_load
    from policingplan.services.data import load_files, load_plan

    plan = None
    if plan_dir is not None:
        try:
            plan = load_plan(plan_dir)
        except UserError as exc:
            fail(escape(str(exc)))
    if plan is not None and kind is None and not files:
        if not any(source.files for source in plan.data_sources):
            fail(escape(f"the plan in {plan_dir} names no data sources (data_sources in plan.yaml)"))
    else:
        if kind is None or not files:
            fail("give a source kind and one or more files (policingplan data load KIND FILE...), "
                 "or --plan PLAN_DIR")
        if kind not in SOURCE_KINDS:
            fail(f"unknown source kind {kind!r}; accepted: {', '.join(SOURCE_KINDS)}")
    try:
        with bytes_progress(quiet=as_json) as on_read:
            result = load_files(warehouse, kind=kind, files=files or [], plan=plan, data_dir=data_dir,
                                vintage=vintage, on_read=on_read)
    except UserError as exc:
        fail(escape(str(exc)))
    print_notes(escape(str(note)) for note in result.notes)
    print_load(result, as_json)
    if not result.ok:
        raise typer.Exit(1)


def status_command(
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", help=WAREHOUSE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the status as JSON."),
) -> None:
    """List the loads and the rows held for each source kind."""
    from policingplan.cli.load_print import print_status
    from policingplan.services.data import warehouse_status

    status = warehouse_status(warehouse)
    if as_json:
        print_json(status)
        return
    print_status(status)


def register(app: typer.Typer) -> None:
    """Add ``data load`` and ``data status`` to the ``data`` group, and ``measures`` to the application."""
    from policingplan.cli import measures_cmds

    data_app.command("load")(load_command)
    data_app.command("status")(status_command)
    measures_cmds.register(app)
