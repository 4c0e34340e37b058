"""``policingplan spc``: a Making Data Count XmR chart of one column of a CSV file.

Glue: the file is read and charted by :mod:`policingplan.services.stats`; the
chart is shown by :mod:`policingplan.cli.stats_print`.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

import typer

from policingplan.cli.common import print_json
from policingplan.cli.stats_print import print_chart, report_user_error
from policingplan.problems import UserError

if TYPE_CHECKING:
    from policingplan.services.stats import SpcInput

#: How the command line names the options that a service's problems may name.
FIELDS = {"rebase_at": "--rebase-at"}


class DirectionChoice(str, Enum):
    increase = "increase"
    decrease = "decrease"
    neutral = "neutral"


def read_series(path: Path, column: str | None) -> SpcInput:
    """The series in ``path`` (read and checked by the service); every problem ends the command."""
    from policingplan.services.stats import read_spc_input

    try:
        return read_spc_input(path, column)
    except UserError as exc:
        report_user_error(exc)


def spc_command(
    csv_file: Path = typer.Argument(
        ..., help="CSV file with one value a row, in time order: a column y, or the file measures --csv writes."),
    column: Optional[str] = typer.Option(
        None, "--column", help="The column that holds the values (default: y, else value)."),
    direction: DirectionChoice = typer.Option(
        DirectionChoice.increase, "--direction", help="Which way is improvement: increase, decrease or neutral."
    ),
    target: Optional[float] = typer.Option(None, "--target", help="The target, for the assurance icon."),
    rebase_at: Optional[List[int]] = typer.Option(
        None, "--rebase-at", help="The 1-based point that starts a new group (repeat for more)."
    ),
    fix_after: Optional[int] = typer.Option(
        None, "--fix-after", min=2, help="Compute each group's limits from its first N points."
    ),
    no_screen: bool = typer.Option(False, "--no-screen", help="Keep large moving ranges (no outlier screening)."),
    shift_length: int = typer.Option(7, "--shift-length", min=6, max=8, help="Points in a row for a shift: 6, 7 or 8."),
    trend_length: int = typer.Option(7, "--trend-length", min=6, max=8, help="Points in a row for a trend: 6, 7 or 8."),
    two_of_three_includes_outside: bool = typer.Option(
        False,
        "--two-of-three-includes-outside",
        help="The 2023 variant: points beyond the limits also count towards two of three.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: points, variation, assurance, warnings."),
) -> None:
    """An XmR chart (NHS Making Data Count): limits, special causes, variation and assurance."""
    from policingplan.services.stats import spc_chart  # numpy: imported when the command runs, not at start-up

    series = read_series(csv_file, column)
    try:
        chart = spc_chart(
            series,
            direction=direction.value,
            target=target,
            rebase_at=rebase_at or (),
            fix_after=fix_after,
            screen=not no_screen,
            shift_length=shift_length,
            trend_length=trend_length,
            two_of_three_includes_outside=two_of_three_includes_outside,
            fields=FIELDS,
        )
    except UserError as exc:
        report_user_error(exc)
    if as_json:
        print_json(chart)
        return
    print_chart(chart, target)


def register(app: typer.Typer) -> None:
    app.command("spc")(spc_command)
