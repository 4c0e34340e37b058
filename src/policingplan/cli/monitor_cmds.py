"""``policingplan monitor``: where each target stands at an as-of month, and the roll-up.

Thin glue over :func:`policingplan.services.monitor.monitor_folder`; the
printers are in :mod:`policingplan.cli.monitor_print`.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Optional

import typer

from policingplan.cli.common import fail, print_json
from policingplan.problems import UserError

WAREHOUSE_HELP = "The warehouse directory (default: $POLICINGPLAN_WAREHOUSE or .policingplan/warehouse)."


def _load_command(plan_dir: Path, warehouse: Optional[Path]) -> str:
    command = ["policingplan", "data", "load", "--plan", str(plan_dir)]
    if warehouse is not None:
        command += ["--warehouse", str(warehouse)]
    return shlex.join(command)


def monitor_command(
    plan_dir: Path = typer.Argument(..., help="The plan folder."),
    as_of: Optional[str] = typer.Option(
        None, "--as-of", help="The month to stand at, YYYY-MM (default: the latest month loaded for every measure)."),
    unit: Optional[str] = typer.Option(None, "--unit", help="One unit's targets: 'force' or a unit code or name."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: the plan, the as-of month, each target with its names, the roll-up and the attribution."),
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", help=WAREHOUSE_HELP),
) -> None:
    """Each target's position at the as-of month: year to date, year-end forecast, chance of meeting it, SPC."""
    from policingplan.services.monitor import DataNotLoaded, NoMonthlyData, monitor_folder

    try:
        result = monitor_folder(plan_dir, warehouse, as_of=as_of, unit=unit)
    except (DataNotLoaded, NoMonthlyData) as exc:
        fail(f"{exc}; load the plan's data with: {_load_command(plan_dir, warehouse)}")
    except UserError as exc:
        fail(str(exc))
    if as_json:
        print_json(result)
        return
    from policingplan.cli.monitor_print import print_monitor

    print_monitor(result)


def register(app: typer.Typer) -> None:
    app.command("monitor")(monitor_command)
