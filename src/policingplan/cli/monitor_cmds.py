"""``policingplan monitor``: where each target stands at an as-of month, and the roll-up."""

from __future__ import annotations

import math
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.table import Table

from policingplan import settings
from policingplan.cli.common import console, fail, print_json
from policingplan.formatting import fmt_int, fmt_pct
from policingplan.plan.model import FORCE, Plan
from policingplan.problems import UserError
from policingplan.stats.periods import Month, PeriodError

if TYPE_CHECKING:  # the warehouse (DuckDB, ibis) and the statistics are imported by the command, so --help starts fast
    from policingplan.monitor.core import TargetPosition

WAREHOUSE_HELP = "The warehouse directory (default: $POLICINGPLAN_WAREHOUSE or .policingplan/warehouse)."

#: How each status is shown: a symbol and a word carry it as well as the colour.
STATUS_STYLE = {
    "likely": ("▲", "likely", "green"),
    "in_the_balance": ("●", "in the balance", "yellow"),
    "unlikely": ("✗", "unlikely", "red"),
    "not_assessed": ("–", "not assessed", "dim"),
}
VARIATION_TEXT = {
    "common_cause": ("·", "common cause", ""),
    "special_cause_improvement": ("✓", "improvement", "blue"),
    "special_cause_concern": ("!", "concern", "dark_orange"),
    "special_cause_neutral_high": ("↑", "neutral high", "magenta"),
    "special_cause_neutral_low": ("↓", "neutral low", "magenta"),
    "improvement": ("✓", "improvement", "blue"),
    "concern": ("!", "concern", "dark_orange"),
}
ASSURANCE_TEXT = {
    "consistent_pass": ("✓", "consistent pass", "blue"),
    "consistent_fail": ("✗", "consistent fail", "dark_orange"),
    "inconsistent": ("~", "inconsistent", ""),
}


def _styled(symbol: str, word: str, style: str) -> str:
    text = f"{symbol} {word}"
    return f"[{style}]{text}[/]" if style else text


def status_text(position_status: str, p_meet: float | None, short: bool = False) -> str:
    """``▲ likely (82%)``, ``✗ unlikely (3%)``: the symbol and word carry the status without colour.

    ``short`` gives the symbol and the chance only (``✗ 3%``), for the units' grid with its legend.
    """
    symbol, word, style = STATUS_STYLE[position_status]
    if short:
        return _styled(symbol, fmt_pct(p_meet, 0) if p_meet is not None else word, style)
    if p_meet is not None:
        word = f"{word} ({fmt_pct(p_meet, 0)})"
    return _styled(symbol, word, style)


def _lookup(table: dict, key: str | None) -> str:
    if key is None:
        return "–"
    symbol, word, style = table.get(key, ("", key.replace("_", " "), ""))
    return _styled(symbol, word, style)


def _amount(value: float | None, kind: str) -> str:
    if value is None:
        return "–"
    return fmt_pct(value) if kind == "ratio" else fmt_int(value)


def _target_text(position: TargetPosition) -> str:
    if position.target is None:
        return "–"
    sign = {"lower": "≤ ", "higher": "≥ "}.get(position.polarity, "")
    target = position.target
    if position.kind != "ratio":  # whole crimes that meet it: at most 222,947 for a target of 222,947.9
        if position.polarity == "lower":
            target = math.floor(target + 1e-9)
        elif position.polarity == "higher":
            target = math.ceil(target - 1e-9)
    return sign + _amount(target, position.kind)


def _forecast_text(position: TargetPosition) -> str:
    if position.forecast_total is None:
        return "–"
    text = _amount(position.forecast_total, position.kind)
    if position.interval_80 is not None:
        low, high = position.interval_80
        text += f" ({_amount(low, position.kind)}–{_amount(high, position.kind)})"
    return text


def _load_command(plan_dir: Path, warehouse: Optional[Path]) -> str:
    command = ["policingplan", "data", "load", "--plan", str(plan_dir)]
    if warehouse is not None:
        command += ["--warehouse", str(warehouse)]
    return shlex.join(command)


def _unit_code(plan: Plan, text: str) -> str:
    if text.lower() == FORCE:
        return FORCE
    for unit in plan.units:
        if text.upper() == unit.code.upper() or text.lower() == unit.name.lower():
            return unit.code
    example = f", such as {plan.units[0].code} ({plan.units[0].name})" if plan.units else ""
    fail(f"--unit {text!r} is not a unit of the plan; accepted: {FORCE}, or a unit code or name of the plan{example}")


def _unit_name(plan: Plan, code: str) -> str:
    if code == FORCE:
        return "the force"
    try:
        return plan.unit(code).name
    except KeyError:
        return code


def _positions_table(plan: Plan, positions: list[TargetPosition], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    # On a narrow terminal a long word is folded onto the next line rather than cut off.
    for column, justify in (("Measure", "left"), ("Target", "right"), ("Year to date", "right"),
                            ("Forecast (80% interval)", "right"), ("P(meet target)", "left"),
                            ("Variation (SPC)", "left"), ("Assurance", "left")):
        table.add_column(column, justify=justify, overflow="fold")
    for position in positions:
        table.add_row(
            plan.measure(position.measure).name,
            _target_text(position),
            _amount(position.year_to_date, position.kind),
            _forecast_text(position),
            status_text(position.status, position.p_meet_target),
            _lookup(VARIATION_TEXT, position.variation),
            _lookup(ASSURANCE_TEXT, position.assurance),
        )
    return table


def _units_table(plan: Plan, positions: list[TargetPosition]) -> Table | None:
    """One row per unit, one column per measure with unit targets: the status and P(meet)."""
    from policingplan.monitor.rollup import status_counts, worst_status

    measures = [m.id for m in plan.measures if any(p.measure == m.id and p.unit != FORCE for p in positions)]
    if not measures:
        return None
    table = Table(title="Units: chance of meeting each target (▲ likely, ● in the balance, ✗ unlikely)",
                  title_justify="left")
    table.add_column("Unit", overflow="fold")
    for measure in measures:
        table.add_column(plan.measure(measure).name, overflow="fold")
    table.add_column("Worst (of all its targets)", overflow="fold")
    by_key = {(p.unit, p.measure): p for p in positions}
    for unit in plan.units:
        own = [p for p in positions if p.unit == unit.code]
        if not own:
            continue
        cells = []
        for measure in measures:
            position = by_key.get((unit.code, measure))
            cells.append("" if position is None else status_text(position.status, position.p_meet_target, short=True))
        worst = worst_status(p.status for p in own)
        symbol, word, style = STATUS_STYLE[worst]
        count = status_counts(own)[worst] if worst != "not_assessed" else len(own)
        table.add_row(unit.name, *cells, _styled(symbol, f"{count} of {len(own)} {word}", style))
    return table


def _rollup_table(plan: Plan, positions: list[TargetPosition], unit: str) -> Table:
    from policingplan.monitor.rollup import roll_up

    table = Table(title=f"Roll-up for {_unit_name(plan, unit)} (worst status; counts of each)", title_justify="left")
    for column in ("Priority / objective", "Status", "Likely", "In the balance", "Unlikely", "Not assessed", "SPC"):
        table.add_column(column, justify="right" if column in ("Likely", "In the balance", "Unlikely", "Not assessed") else "left",
                         overflow="fold")
    for priority in roll_up(plan, positions, unit):
        rows = [(f"[bold]{priority.name}[/]", priority)] + [(f"  {o.name}", o) for o in priority.objectives]
        for label, item in rows:
            counts = item.counts
            shown = status_text(item.status, None) if any(counts.values()) else _styled("–", "no target", "dim")
            table.add_row(label, shown, str(counts["likely"]),
                          str(counts["in_the_balance"]), str(counts["unlikely"]), str(counts["not_assessed"]),
                          _lookup(VARIATION_TEXT, item.spc))
    return table


def _print_warnings(plan: Plan, positions: list[TargetPosition]) -> None:
    shown = [(p, w) for p in positions for w in p.warnings]
    if not shown:
        return
    console.print("Warnings:", style="bold")
    for position, warning in shown:
        console.print(f"  {plan.measure(position.measure).name} ({_unit_name(plan, position.unit)}): {warning}",
                      highlight=False, markup=False)


def monitor_command(
    plan_dir: Path = typer.Argument(..., help="The plan folder."),
    as_of: Optional[str] = typer.Option(
        None, "--as-of", help="The month to stand at, YYYY-MM (default: the latest month loaded for every measure)."),
    unit: Optional[str] = typer.Option(None, "--unit", help="One unit's targets: 'force' or a unit code or name."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per target."),
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", help=WAREHOUSE_HELP),
) -> None:
    """Each target's position at the as-of month: year to date, year-end forecast, chance of meeting it, SPC."""
    from policingplan.data.measures import SourceNotLoaded
    from policingplan.data.warehouse import Warehouse
    from policingplan.monitor.warehouse import NoMonthlyData, monitor_plan
    from policingplan.plan.io import load_plan

    try:
        plan = load_plan(plan_dir)
    except UserError as exc:
        fail(str(exc))
    scope = _unit_code(plan, unit) if unit is not None else None
    if as_of is not None:
        try:
            Month(as_of)
        except PeriodError as exc:
            accepted = "" if "YYYY-MM" in str(exc) else "; accepted: a month as YYYY-MM, such as 2023-09"
            fail(f"--as-of: {exc}{accepted}")
    directory = warehouse if warehouse is not None else settings.warehouse_dir()
    if directory.exists() and not directory.is_dir():
        fail(f"--warehouse {directory}: this is a file, not a folder; accepted: a warehouse folder, "
             f"as 'policingplan data load --plan {plan_dir} --warehouse DIR' fills")
    store = Warehouse(directory)
    try:
        monitoring = monitor_plan(plan, store, as_of, unit=scope)
    except SourceNotLoaded as exc:
        fail(f"the warehouse {store.directory} holds no {exc.kind} data; load the plan's data with: "
             f"{_load_command(plan_dir, warehouse)}")
    except NoMonthlyData as exc:
        fail(f"{exc}; load the plan's data with: {_load_command(plan_dir, warehouse)}")
    except UserError as exc:
        fail(str(exc))
    month, positions = monitoring.as_of, monitoring.positions
    if as_json:
        print_json([p.to_dict() for p in positions])
        return
    if plan.illustrative:
        console.print("[bold]Illustrative plan built on real data, not an official one.[/]")
    console.print(f"{plan.name}: position at the end of {month.label()} ({month.fy_index} of 12 months)",
                  highlight=False, soft_wrap=True)
    shown_unit = scope or FORCE
    console.print(_positions_table(plan, [p for p in positions if p.unit == shown_unit],
                                   f"Targets for {_unit_name(plan, shown_unit)}"))
    if scope is None:
        units_table = _units_table(plan, positions)
        if units_table is not None:
            console.print(units_table)
    console.print(_rollup_table(plan, positions, shown_unit))
    _print_warnings(plan, [p for p in positions if p.unit == shown_unit])
    console.print("P(meet target): ▲ likely at 80% or more, ✗ unlikely at 20% or less, ● in the balance between. "
                  "See docs/monitoring.md.", highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("monitor")(monitor_command)
