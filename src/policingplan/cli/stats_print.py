"""How ``policingplan spc`` shows a chart, and how the statistics commands report a file's problems."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

import typer
from rich import box
from rich.table import Table

from policingplan.attribution import attribution_line
from policingplan.cli.common import EXIT_INVALID, console, err_console, fail, print_problems, print_table
from policingplan.formatting import fmt_num
from policingplan.problems import UserError

if TYPE_CHECKING:
    from policingplan.services.stats import SpcChart, SpcPointResult


def report_user_error(exc: UserError) -> NoReturn:
    """End the command: one line for one problem; every problem under a heading when there are more."""
    problems = exc.problems
    if len(problems) <= 1:
        fail(str(problems[0]) if problems else str(exc))
    files = list(dict.fromkeys(p.file for p in problems if p.file))
    print_problems(problems, heading=f"{files[0] if len(files) == 1 else 'The input'}: the problems found")
    raise typer.Exit(EXIT_INVALID)


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
_RULE_WORDS = {
    "outside_limits": ("above upper limit", "below lower limit"),
    "trend": ("rising trend", "falling trend"),
    "two_of_three": ("2 of 3 beyond upper 2σ", "2 of 3 beyond lower 2σ"),
    "shift": ("run above mean", "run below mean"),
}


def _signal(point: SpcPointResult) -> str:
    if point.point_type is None:
        return "[dim]– missing[/]"
    if point.point_type == "common_cause":
        return "· common cause"
    words, style = _SIGNAL_STYLE[point.point_type]
    high = point.side == "high"
    arrow = "▲" if high else "▼"
    return f"[{style}]{arrow} {words}[/]: {_RULE_WORDS[point.rule][0 if high else 1]}"


def print_chart(chart: SpcChart, target: float | None) -> None:
    """The chart as a table, the variation and assurance in words, the attribution; warnings to stderr."""
    present = [p.y for p in chart.points if p.y is not None]
    whole = all(float(v).is_integer() for v in present)
    value_places, limit_places = (0, 1) if whole else (2, 3)
    table = Table(title="XmR chart (Making Data Count)", title_justify="left", box=box.HORIZONTALS, pad_edge=False)
    table.add_column("Point", justify="right")
    table.add_column("Value", justify="right")
    table.add_column("Mean", justify="right")
    table.add_column("Lower\nlimit", justify="right")
    table.add_column("Upper\nlimit", justify="right")
    table.add_column("Signal", no_wrap=True)
    previous = None
    for point in chart.points:
        if previous is not None and point.group != previous.group:
            table.add_section()  # a rebase: a new group with its own limits
        previous = point
        table.add_row(
            str(point.index),
            fmt_num(point.y, value_places),
            fmt_num(point.mean, limit_places),
            fmt_num(point.lpl, limit_places),
            fmt_num(point.upl, limit_places),
            _signal(point),
        )
    print_table(table)
    footer = attribution_line(chart.sources)
    if footer:
        console.print(footer, highlight=False, markup=False, soft_wrap=True)
    latest = next((p for p in chart.points if p.index == chart.latest), None)
    variation = "None (no values)" if latest is None else _signal(latest)
    console.print(f"Variation (latest point): {variation}")
    if target is not None:
        shown = fmt_num(target, 0 if float(target).is_integer() else 2)
        console.print(f"Assurance against the target {shown}: {_ASSURANCE_WORDS[chart.assurance]}")
    else:
        console.print(f"Assurance: {_ASSURANCE_WORDS[None]}")
    for warning in chart.warnings:
        err_console.print(f"[yellow]Warning:[/] {warning}", highlight=False)
