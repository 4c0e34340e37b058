"""``policingplan spc``: a Making Data Count XmR chart of one column of a CSV file."""

from __future__ import annotations

import csv
import io
import math
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, List, NoReturn, Optional

import typer
from rich import box
from rich.table import Table

from policingplan.cli.common import console, err_console, fail, print_json, print_table
from policingplan.formatting import fmt_num
from policingplan.problems import Problem

if TYPE_CHECKING:
    from policingplan.stats.spc import SpcPoint, SpcResult

MISSING_MARKERS = ("", "NA")
ACCEPTED_VALUE = "a number such as 1234, -3.5 or 1,234, or an empty cell or NA for a missing value"


class DirectionChoice(str, Enum):
    increase = "increase"
    decrease = "decrease"
    neutral = "neutral"


def read_csv_rows(path: Path) -> list[list[str]]:
    """Every row of a CSV file in UTF-8 (a byte-order mark is allowed).

    A file that cannot be read, is not UTF-8 or is not valid CSV ends the
    command with a one-line error naming the file and the line.
    """
    file = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        fail(str(Problem(f"cannot read the file: {exc.strerror or exc}", file, accepted="a readable CSV file in UTF-8")))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(str(Problem("the file is not UTF-8 text", file, data[: exc.start].count(b"\n") + 1,
                         value=f"byte 0x{data[exc.start]:02X}",
                         accepted="a CSV file saved in UTF-8 (in Excel: CSV UTF-8)")))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return list(reader)
    except csv.Error as exc:
        fail(str(Problem(f"not a valid CSV file: {exc}", file, reader.line_num, accepted="a comma-separated file")))


def missing_column(file: str, header: list[str], column: str, accepted: str) -> NoReturn:
    """End the command: ``column`` is not in the header (saying so when the file is not comma-separated)."""
    separator = next((s for s in (";", "\t", "|") if len(header) == 1 and s in header[0]), None)
    message = f"there is no column {column!r}"
    if separator is not None:
        message += f": the header looks separated by {separator!r}, not by commas"
        accepted = "a comma-separated file with " + accepted
    fail(str(Problem(message, file, 1, column, ",".join(header), accepted)))


#: The columns that name a series in the file that ``measures --csv`` writes.
SERIES_COLUMNS = ("measure", "unit")


def _column_position(file: str, header: list[str], column: str | None) -> int:
    """Where the values are: the column asked for, else ``y``, else ``value`` (as ``measures --csv`` writes)."""
    folded = [h.lower() for h in header]
    candidates = [column] if column is not None else ["y", "value"]
    for name in candidates:
        if name in header:
            return header.index(name)
        if name.lower() in folded:
            return folded.index(name.lower())
    missing_column(file, header, candidates[0],
                   "a column named with --column, or y, or value (as measures --csv writes)")


def read_series(path: Path, column: str | None) -> tuple[list[float | None], list[str], list[str]]:
    """The values of one series in file order, the source kinds behind them, and warnings.

    The values are in ``column`` (by default ``y``, or ``value``); empty cells and ``NA``
    are missing (None).  A file written by ``measures --csv`` must hold one series (one
    measure for one unit); its ``source`` column names the source kind, for the attribution.
    Blank lines after the last value are ignored; a blank line between values is a missing
    value.  Any other problem ends the command with a one-line error.
    """
    file = str(path)
    rows = read_csv_rows(path)
    if not rows or not any(cell.strip() for cell in rows[0]):
        fail(str(Problem("the file has no header row", file, 1,
                         accepted=f"a header row naming a column {column or 'y'!r}")))
    header = [cell.strip() for cell in rows[0]]
    position = _column_position(file, header, column)
    while len(rows) > 1 and not any(cell.strip() for cell in rows[-1]):
        rows.pop()

    def cell_of(row: list[str], name: str) -> str:
        index = header.index(name)
        return row[index].strip() if index < len(row) else ""

    series = [name for name in SERIES_COLUMNS if name in header]
    if series:
        found = list(dict.fromkeys(tuple(cell_of(row, name) for name in series)
                                   for row in rows[1:] if any(c.strip() for c in row)))
        if len(found) > 1:
            shown = ", ".join(" ".join(key) for key in found[:3]) + (", …" if len(found) > 3 else "")
            fail(str(Problem(f"the file holds {len(found)} series ({shown}); spc charts one", file, None,
                             "/".join(series), accepted="one measure for one unit: write the file with "
                             "policingplan measures PLAN --measure ID --unit CODE --csv")))
    kinds = []
    if "source" in header:
        kinds = list(dict.fromkeys(cell_of(row, "source") for row in rows[1:] if cell_of(row, "source")))
    warnings = []
    if "month" in header:
        from policingplan.periods import Month, PeriodError

        try:
            months = [Month(cell_of(row, "month")) for row in rows[1:] if cell_of(row, "month")]
        except PeriodError:
            months = []  # years or financial years: no months to check
        gaps = [f"{a}–{b}" for a, b in zip(months, months[1:]) if b != a + 1] if months else []
        if gaps:
            warnings.append(f"the months are not consecutive ({', '.join(gaps[:3])}): the chart takes the "
                            "rows in file order, so a month with no row is not on it")
    values: list[float | None] = []
    for line, row in enumerate(rows[1:], start=2):
        cell = row[position].strip() if position < len(row) else ""
        if cell in MISSING_MARKERS:
            values.append(None)
            continue
        try:
            value = float(cell.replace(",", ""))
        except ValueError:
            value = math.nan
        if math.isnan(value) or math.isinf(value):
            fail(str(Problem("not a number", file, line, header[position], cell, ACCEPTED_VALUE)))
        values.append(value)
    if not values:
        fail(str(Problem("the file has no values", file, 2, header[position], accepted="one value a row, in time order")))
    return values, kinds, warnings


def read_values(path: Path, column: str | None) -> list[float | None]:
    """The values of ``column`` in file order (see :func:`read_series`)."""
    return read_series(path, column)[0]


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
    from policingplan.stats.spc import spc  # numpy: imported when the command runs, not at start-up

    from policingplan.attribution import JSON_KEY, attribution, attribution_line

    values, kinds, file_warnings = read_series(csv_file, column)
    for index in rebase_at or []:
        if not 2 <= index <= len(values):
            fail(str(Problem("there is no such point to rebase at", None, None, "--rebase-at", str(index),
                             f"a 1-based point number from 2 to {len(values)}")))
    result = spc(
        values,
        direction=direction.value,
        target=target,
        rebase_at=rebase_at or (),
        fix_after=fix_after,
        screen=not no_screen,
        shift_length=shift_length,
        trend_length=trend_length,
        two_of_three_includes_outside=two_of_three_includes_outside,
    )
    for warning in file_warnings:
        result.warnings.append(warning)
    if as_json:
        document = result.to_dict()
        if kinds:
            document[JSON_KEY] = attribution(kinds)
        print_json(document)
        return
    _print_chart(result, direction.value, target, attribution_line(kinds))


_SIGNAL_STYLE = {
    "special_cause_improvement": ("Improvement", "bold blue"),
    "special_cause_concern": ("Concern", "bold dark_orange"),
    "special_cause_neutral_high": ("High", "bold purple"),
    "special_cause_neutral_low": ("Low", "bold purple"),
}
_ASSURANCE_WORDS = {
    "consistent_pass": "The target will consistently be met (it lies outside the limits, on the right side).",
    "consistent_fail": "The target will consistently be missed (it lies outside the limits, on the wrong side).",
    "inconsistent": "The target will be met some months and missed in others (it lies within the limits).",
    None: "None (no target, or a neutral measure).",
}


def _is_high(point: SpcPoint, direction: str) -> bool:
    if point.point_type.endswith("_high"):
        return True
    if point.point_type.endswith("_low"):
        return False
    return (point.point_type == "special_cause_improvement") == (direction == "increase")


def _rule_words(point: SpcPoint, high: bool) -> str:
    return {
        "outside_limits": "above upper limit" if high else "below lower limit",
        "trend": "rising trend" if high else "falling trend",
        "two_of_three": "2 of 3 beyond upper 2σ" if high else "2 of 3 beyond lower 2σ",
        "shift": "run above mean" if high else "run below mean",
    }[point.rule]


def _signal(point: SpcPoint, direction: str) -> str:
    if point.point_type is None:
        return "[dim]– missing[/]"
    if point.point_type == "common_cause":
        return "· common cause"
    words, style = _SIGNAL_STYLE[point.point_type]
    high = _is_high(point, direction)
    arrow = "▲" if high else "▼"
    return f"[{style}]{arrow} {words}[/]: {_rule_words(point, high)}"


def _print_chart(result: SpcResult, direction: str, target: float | None, footer: str | None = None) -> None:
    present = [p.y for p in result.points if p.y is not None]
    whole = all(float(v).is_integer() for v in present)
    value_places, limit_places = (0, 1) if whole else (2, 3)
    table = Table(title="XmR chart (Making Data Count)", title_justify="left", box=box.HORIZONTALS, pad_edge=False)
    table.add_column("Point", justify="right")
    table.add_column("Value", justify="right")
    table.add_column("Mean", justify="right")
    table.add_column("Lower\nlimit", justify="right")
    table.add_column("Upper\nlimit", justify="right")
    table.add_column("Signal", no_wrap=True)
    for point in result.points:
        if point.index > 1 and point.group != result.points[point.index - 2].group:
            table.add_section()  # a rebase: a new group with its own limits
        table.add_row(
            str(point.index),
            fmt_num(point.y, value_places),
            fmt_num(point.mean, limit_places),
            fmt_num(point.lpl, limit_places),
            fmt_num(point.upl, limit_places),
            _signal(point, direction),
        )
    print_table(table)
    if footer:
        console.print(footer, highlight=False, markup=False, soft_wrap=True)
    last = next((p for p in reversed(result.points) if p.point_type is not None), None)
    variation = "None (no values)" if last is None else _signal(last, direction)
    console.print(f"Variation (latest point): {variation}")
    if target is not None:
        shown = fmt_num(target, 0 if float(target).is_integer() else 2)
        console.print(f"Assurance against the target {shown}: {_ASSURANCE_WORDS[result.assurance]}")
    else:
        console.print(f"Assurance: {_ASSURANCE_WORDS[None]}")
    for warning in result.warnings:
        err_console.print(f"[yellow]Warning:[/] {warning}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("spc")(spc_command)
