"""``policingplan forecast``: year-end forecasts and the chance of meeting a target."""

from __future__ import annotations

import math
from collections import Counter
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich import box
from rich.table import Table

from policingplan.cli.common import console, fail, print_json, print_table
from policingplan.cli.stats_cmds import missing_column, read_csv_rows
from policingplan.formatting import fmt_int, fmt_pct
from policingplan.problems import Problem
from policingplan.periods import FinancialYear, Month, PeriodError

if TYPE_CHECKING:
    from policingplan.stats.forecast import YearEndForecast

REQUIRED_COLUMNS = ("month", "value")
ACCEPTED_COLUMNS = ("columns month (YYYY-MM) and value, optionally series, target and group; "
                    "or the file measures --csv writes")


class PolarityChoice(str, Enum):
    lower = "lower"
    higher = "higher"


def _number(text: str, file: str, line: int, column: str, accepted: str, allow_negative: bool) -> float | None:
    """A number from a cell; an empty cell is missing (None), never zero."""
    text = text.strip()
    if text == "":
        return None
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        value = math.nan
    if math.isnan(value) or math.isinf(value) or (value < 0 and not allow_negative):
        fail(str(Problem("not an accepted number", file, line, column, text, accepted)))
    return value


class SeriesFile:
    """What a forecast file holds: each series' monthly values (counts), each ratio series'
    numerators and denominators, targets and groups where given, and the source kinds."""

    def __init__(self) -> None:
        self.histories: dict[str | None, dict[Month, float | None]] = {}
        self.ratios: dict[str | None, tuple[dict[Month, float | None], dict[Month, float | None]]] = {}
        self.targets: dict[str | None, float] = {}
        self.groups: dict[str | None, str] = {}
        self.kinds: list[str] = []


def read_series_file(path: Path) -> SeriesFile:
    """Read the forecast CSV: each series' monthly values, and its target and group where given.

    A file that ``measures --csv`` wrote is read as it is: its series are named by the unit
    (with the measure, when it holds several), a ratio measure's rows (a denominator given)
    are forecast as a rate from their numerators and denominators, and its ``source``
    column names the source kind for the attribution.
    """
    file = str(path)
    rows = read_csv_rows(path)
    if not rows:
        fail(str(Problem("the file is empty", file, 1, accepted="a header row: " + ACCEPTED_COLUMNS)))
    header = [h.strip().lower() for h in rows[0]]
    for column in REQUIRED_COLUMNS:
        if column not in header:
            missing_column(file, header, column, ACCEPTED_COLUMNS)
    names = ("month", "value", "series", "target", "group", "measure", "unit", "period_kind", "numerator",
             "denominator", "source")
    position = {name: header.index(name) for name in names if name in header}

    def cell(row: list[str], name: str) -> str:
        return row[position[name]].strip() if name in position and position[name] < len(row) else ""

    data_rows = [(line, row) for line, row in enumerate(rows[1:], start=2) if any(c.strip() for c in row)]
    several_measures = len({cell(row, "measure") for _, row in data_rows}) > 1
    result = SeriesFile()
    per_series: dict[str, dict[str | None, tuple[object, int]]] = {"target": {}, "group": {}}
    for line, row in data_rows:
        if len(row) < len(header):
            fail(str(Problem(f"the row has {len(row)} cells, the header {len(header)}", file, line,
                             accepted=ACCEPTED_COLUMNS)))
        if "series" in position:
            name = cell(row, "series")
        elif "unit" in position:
            name = f"{cell(row, 'measure')} {cell(row, 'unit')}" if several_measures else cell(row, "unit")
        else:
            name = None
        if cell(row, "period_kind") not in ("", "month"):
            fail(str(Problem("forecast needs monthly values", file, line, "period_kind", cell(row, "period_kind"),
                             "a measure published by month (period_kind month)")))
        try:
            month = Month(row[position["month"]])
        except PeriodError:
            fail(str(Problem("not a month", file, line, "month", row[position["month"]],
                             "YYYY-MM with a month from 01 to 12, for example 2024-04")))
        source = cell(row, "source")
        if source and source not in result.kinds:
            result.kinds.append(source)
        if "denominator" in position and (cell(row, "denominator") or name in result.ratios):
            accepted = "a count of zero or more, or an empty cell for a missing month"
            numerator = _number(cell(row, "numerator"), file, line, "numerator", accepted, allow_negative=False)
            denominator = _number(cell(row, "denominator"), file, line, "denominator", accepted,
                                  allow_negative=False)
            nums, dens = result.ratios.setdefault(name, ({}, {}))
            if month in nums:
                fail(str(Problem(f"month {month} appears twice" + (f" for series {name!r}" if name else ""),
                                 file, line, "month", str(month), "one row per series and month")))
            nums[month], dens[month] = numerator, denominator
        else:
            value = _number(row[position["value"]], file, line, "value",
                            "a count of zero or more, or an empty cell for a missing month", allow_negative=False)
            series = result.histories.setdefault(name, {})
            if month in series:
                fail(str(Problem(f"month {month} appears twice" + (f" for series {name!r}" if name else ""),
                                 file, line, "month", str(month), "one row per series and month")))
            series[month] = value
        for column in ("target", "group"):
            if column not in position:
                continue
            raw = row[position[column]].strip()
            given = (_number(raw, file, line, column, "a number, or an empty cell", allow_negative=True)
                     if column == "target" else raw or None)
            if given is None:
                continue
            seen = per_series[column]
            if name in seen and seen[name][0] != given:
                fail(str(Problem(
                    f"a second {column} for series {name!r} (line {seen[name][1]} has {seen[name][0]})",
                    file, line, column, raw, f"one {column} per series")))
            seen[name] = (given, line)
    if not result.histories and not result.ratios:
        fail(str(Problem("no data rows", file, 2, accepted=ACCEPTED_COLUMNS)))
    result.targets = {name: value for name, (value, _) in per_series["target"].items()}
    result.groups = {name: value for name, (value, _) in per_series["group"].items()}
    return result


def _period_options(year: str, as_of: str) -> tuple[FinancialYear, Month]:
    try:
        financial_year = FinancialYear(year)
    except PeriodError:
        fail(str(Problem("not a financial year", column="--year", value=year,
                         accepted="a financial year written YYYY/YY, for example 2024/25")))
    try:
        month = Month(as_of)
    except PeriodError:
        fail(str(Problem("not a month", column="--as-of", value=as_of,
                         accepted="YYYY-MM with a month from 01 to 12, for example 2024-09")))
    if month not in financial_year:
        fail(str(Problem(f"the as-of month is not in the financial year {financial_year}", column="--as-of",
                         value=as_of,
                         accepted=f"a month from {financial_year.first_month} to {financial_year.last_month}")))
    return financial_year, month


def _interval(values: tuple[float | None, float | None]) -> str:
    return f"{fmt_int(values[0])}–{fmt_int(values[1])}"


def _chance(p: float | None) -> str:
    """A probability as a whole percentage, without rounding a real chance to 0% or 100%."""
    if p is not None and 0 < p < 0.005:
        return "<1%"
    if p is not None and 0.995 < p < 1:
        return ">99%"
    return fmt_pct(p, 0)


def _method_caption(results: list[YearEndForecast]) -> str:
    """The method of most series, then the series forecast otherwise (a column would crop narrow terminals)."""
    usual = Counter(result.method for result in results).most_common(1)[0][0]
    others: dict[str, list[str]] = {}
    for result in results:
        if result.method != usual:
            others.setdefault(result.method, []).append(result.series or "–")
    exceptions = "; ".join(f"{method} for {', '.join(names)}" for method, names in others.items())
    return f"Method: {usual}" + (f", except {exceptions}" if exceptions else "") + " (see docs/methods.md)"


def _show(results: list[YearEndForecast], rates: set = frozenset(), footer: str | None = None) -> None:
    year, as_of = results[0].year, Month(results[0].as_of)
    table = Table(title=f"Year-end forecasts for {year}, as of {as_of.label()}",
                  caption=_method_caption(results), box=box.SIMPLE_HEAD,
                  show_edge=False, pad_edge=False, collapse_padding=True)
    table.add_column("Series", min_width=10)
    for heading in ("To date", "Forecast", "80% range", "95% range", "Target", "P(meet)"):
        table.add_column(heading, justify="right", no_wrap=True)
    for result in results:
        if result.series in rates:  # a ratio measure: its year rate
            shown = (fmt_pct(result.year_to_date), fmt_pct(result.forecast_total),
                     f"{fmt_pct(result.interval_80[0])}–{fmt_pct(result.interval_80[1])}",
                     f"{fmt_pct(result.interval_95[0])}–{fmt_pct(result.interval_95[1])}",
                     fmt_pct(result.target))
        else:
            shown = (fmt_int(result.year_to_date), fmt_int(result.forecast_total), _interval(result.interval_80),
                     _interval(result.interval_95), fmt_int(result.target))
        table.add_row(result.series or "–", *shown, _chance(result.p_meet_target))
    print_table(table)
    if footer:
        console.print(footer, highlight=False, markup=False, soft_wrap=True)
    for result in results:
        for warning in result.warnings:
            console.print(f"[yellow]warning[/] {result.series or 'series'}: {warning}", highlight=False)


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
    # numpy and scipy: imported only when run
    from policingplan.attribution import JSON_KEY, attribution, attribution_line
    from policingplan.stats.forecast import forecast_ratio_year_end, forecast_year_end_many

    from policingplan.cli.values import read_fraction

    target = None
    if target_text is not None:
        target = read_fraction(target_text)
        if target is None:
            fail(f"--target: not a number (found {target_text!r}); accepted: a count such as 12000, "
                 "or a rate as a fraction or a percentage such as 0.45 or 45%")
    financial_year, month = _period_options(year, as_of)
    found = read_series_file(csv_file)
    results = []
    if found.histories:
        per_series = {name: found.targets.get(name, target) for name in found.histories}
        results += forecast_year_end_many(found.histories, financial_year, month, per_series, polarity.value,
                                          groups=found.groups or None)
    for name, (numerators, denominators) in found.ratios.items():
        results.append(forecast_ratio_year_end(numerators, denominators, financial_year, month,
                                               found.targets.get(name, target), polarity.value, series=name))
    if as_json:
        items = [result.to_dict() for result in results]
        if found.kinds:
            for item in items:
                item[JSON_KEY] = attribution(found.kinds)
        print_json(items)
    else:
        _show(results, set(found.ratios), attribution_line(found.kinds))


def register(app: typer.Typer) -> None:
    app.command("forecast")(forecast)
