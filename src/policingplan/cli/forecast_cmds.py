"""``policingplan forecast``: year-end forecasts and the chance of meeting a target.

Glue: the file is read and forecast by :mod:`policingplan.services.stats`; the
forecasts are shown by :mod:`policingplan.cli.forecast_print`.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from policingplan.cli.common import fail, print_json
from policingplan.cli.stats_print import report_user_error
from policingplan.problems import UserError

#: How the command line names the options that a service's problems may name.
FIELDS = {"year": "--year", "as_of": "--as-of"}


class PolarityChoice(str, Enum):
    lower = "lower"
    higher = "higher"


def forecast(
    csv_file: Path = typer.Argument(
        ..., help="CSV with columns month (YYYY-MM) and value; optional series, target and group. "
                  "Or the file measures --csv writes (a ratio measure is forecast as its year rate)."),
    year: str = typer.Option(..., "--year", help="The financial year, for example 2024/25."),
    as_of: str = typer.Option(..., "--as-of", help="The last month to use, within the year, for example 2024-09."),
    target_text: str | None = typer.Option(
        None, "--target", help="The target for every series without a target column: a count, "
                               "or a rate as a fraction or a percentage (0.45 or 45%)."),
    polarity: PolarityChoice = typer.Option(PolarityChoice.lower, "--polarity",
                                            help="lower: meeting means at most the target; higher: at least."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: one object per series."),
) -> None:
    """Forecast each series' year-end total, with 80% and 95% intervals and P(meeting the target).

    Uses only the months up to --as-of.  An empty value is a missing month, never zero.
    Series that share a group (the same measure in different boroughs, say) are
    pooled: each borrows its peers' seasonal pattern and recent movement.
    """
    from policingplan.cli.forecast_print import print_forecasts
    from policingplan.cli.values import read_fraction
    from policingplan.services.stats import year_end_forecasts_from_path  # numpy and scipy: when it runs

    target = None
    if target_text is not None:
        target = read_fraction(target_text)
        if target is None:
            fail(f"--target: not a number (found {target_text!r}); accepted: a count such as 12000, "
                 "or a rate as a fraction or a percentage such as 0.45 or 45%")
    try:
        result = year_end_forecasts_from_path(csv_file, year, as_of, target, polarity.value, fields=FIELDS)
    except UserError as exc:
        report_user_error(exc)
    if as_json:
        print_json(result.forecasts)
    else:
        print_forecasts(result)


def register(app: typer.Typer) -> None:
    app.command("forecast")(forecast)
