"""``policingplan monitor``: where each target stands at an as-of month, and the roll-up."""

from __future__ import annotations

import math
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.cells import cell_len
from rich.console import RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from policingplan import settings
from policingplan.cli.common import console, fail, print_json
from policingplan.formatting import fmt_int, fmt_pct
from policingplan.plan.model import FORCE, Plan
from policingplan.problems import UserError
from policingplan.periods import Month, PeriodError

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


#: Below this width the targets are shown one block each (label and value) rather than as one wide table.
WIDE_FROM = 120
#: How far a target's label and value lines stand in from its name.
BLOCK_INDENT = 2


@dataclass(frozen=True)
class _Cell:
    """A cell's Rich markup, and an indent that every line of it keeps when it wraps."""

    markup: str
    indent: int = 0

    def lines(self) -> list[str]:
        return Text.from_markup(self.markup).plain.split("\n")

    def shortest(self) -> int:
        """The narrowest the cell can be without breaking a word (or a number)."""
        return self.indent + max((cell_len(word) for line in self.lines() for word in line.split()), default=0)

    def widest(self) -> int:
        return self.indent + max((cell_len(line) for line in self.lines()), default=0)

    def renderable(self) -> RenderableType:
        if self.indent:
            return Padding(Text.from_markup(self.markup), (0, 0, 0, self.indent))
        return self.markup


def _cell(value: str | _Cell) -> _Cell:
    return value if isinstance(value, _Cell) else _Cell(value)


def _overhead(table: Table) -> int:
    """The columns' padding and the borders: what a table takes beyond its cells."""
    columns = len(table.columns)
    _, right, _, left = table.padding
    padding = (left + right) * columns - (0 if table.pad_edge else left + right)
    borders = (2 if table.box and table.show_edge else 0) + (columns - 1 if table.box else 0)
    return padding + borders


@dataclass
class _Fit:
    """A table and the widths its columns need: to keep every word whole (``least``), to wrap no
    cell of the body (``body``), and to wrap nothing, headings included (``full``)."""

    table: Table
    rows: list[list[_Cell]]
    least: list[int]
    body: list[int]
    full: list[int]

    @classmethod
    def of(cls, table: Table, rows: list[list[str | _Cell]]) -> "_Fit":
        cells = [[_cell(value) for value in row] for row in rows]
        headers = [_Cell(str(column.header)) for column in table.columns]
        least = [max([h.shortest()] + [row[i].shortest() for row in cells]) for i, h in enumerate(headers)]
        body = [max([least[i]] + [row[i].widest() for row in cells]) for i in range(len(headers))]
        full = [max(body[i], h.widest()) for i, h in enumerate(headers)]
        return cls(table, cells, least, body, full)

    def needs(self, widths: list[int]) -> int:
        return sum(widths) + _overhead(self.table)

    def widths(self, width: int) -> list[int] | None:
        """Each column's width to fit ``width``; ``None`` when a word would break."""
        available = width - _overhead(self.table)
        if sum(self.least) > available:
            return None
        widths = list(self.least)
        for wanted in (self.body, self.full):
            spare = available - sum(widths)
            # The columns that need least more are widened first: a narrow column of figures is
            # kept on one line, and a long name is the one that wraps.
            for index in sorted(range(len(widths)), key=lambda i: wanted[i] - widths[i]):
                more = min(max(wanted[index] - widths[index], 0), spare)
                widths[index] += more
                spare -= more
        return widths

    def filled(self, widths: list[int] | None) -> Table:
        """The table with its rows and these widths (``None``: Rich's own)."""
        if widths is not None:
            for column, column_width in zip(self.table.columns, widths):
                column.width = column_width
        for row in self.rows:
            self.table.add_row(*(cell.renderable() for cell in row))
        return self.table

    def render(self, width: int) -> Table | None:
        """The table with its columns' widths set to fit ``width``; ``None`` when a word would break."""
        widths = self.widths(width)
        return None if widths is None else self.filled(widths)


def _best_fit(candidates: list[_Fit], width: int) -> Table | None:
    """The first layout whose body fits unwrapped; else the one that wraps least; ``None`` if none fits."""
    for candidate in candidates:
        if candidate.needs(candidate.body) <= width:
            return candidate.render(width)
    possible = [c for c in candidates if c.needs(c.least) <= width]
    if not possible:
        return None
    return min(possible, key=lambda c: c.needs(c.body)).render(width)


def _print_title(title: str) -> None:
    console.print()  # a blank line sets each part apart
    console.print(title, style="bold", highlight=False)


def _positions_fit(plan: Plan, positions: list[TargetPosition]) -> _Fit:
    table = Table()
    for column, justify in (("Measure", "left"), ("Target", "right"), ("Year to date", "right"),
                            ("Forecast (80% interval)", "right"), ("P(meet target)", "left"),
                            ("Variation (SPC)", "left"), ("Assurance", "left")):
        table.add_column(column, justify=justify, overflow="fold")
    rows = [[plan.measure(p.measure).name, _target_text(p), _amount(p.year_to_date, p.kind), _forecast_text(p),
             status_text(p.status, p.p_meet_target), _lookup(VARIATION_TEXT, p.variation),
             _lookup(ASSURANCE_TEXT, p.assurance)] for p in positions]
    return _Fit.of(table, rows)


def _interval_text(position: TargetPosition) -> str:
    if position.interval_80 is None:
        return "–"
    low, high = position.interval_80
    return f"{_amount(low, position.kind)}–{_amount(high, position.kind)}"


def _position_pairs(position: TargetPosition, together: bool) -> list[list[str]]:
    """A target's labels and values: two pairs a line (``together``), else one."""
    left = [("Target", _target_text(position)), ("Year to date", _amount(position.year_to_date, position.kind)),
            ("Forecast", _amount(position.forecast_total, position.kind)), ("80% interval", _interval_text(position))]
    right = [("P(meet target)", status_text(position.status, position.p_meet_target)),
             ("Variation (SPC)", _lookup(VARIATION_TEXT, position.variation)),
             ("Assurance", _lookup(ASSURANCE_TEXT, position.assurance)), ("", "")]
    if together:
        return [[a, b, c, d] for (a, b), (c, d) in zip(left, right)]
    return [[a, b] for a, b in left + right[:-1]]


def _block_grid(columns: int) -> Table:
    grid = Table.grid(padding=(0, 2))
    for index in range(columns):
        grid.add_column(style="dim" if index % 2 == 0 else None)
    return grid


def _print_position_blocks(plan: Plan, positions: list[TargetPosition], width: int) -> None:
    """One block a target: its name, then its labels and values, aligned alike in every block."""
    width -= BLOCK_INDENT
    chosen = None
    for together in (True, False):
        rows = [row for p in positions for row in _position_pairs(p, together)]
        fit = _Fit.of(_block_grid(len(rows[0])), rows)
        chosen = (together, fit.widths(width))
        if fit.needs(fit.body) <= width:  # two pairs a line only when no value wraps
            break
    together, widths = chosen
    for position in positions:
        console.print()
        console.print(plan.measure(position.measure).name, style="bold", highlight=False)
        rows = _position_pairs(position, together)
        block = _Fit.of(_block_grid(len(rows[0])), rows).filled(widths)
        console.print(Padding(block, (0, 0, 0, BLOCK_INDENT), expand=False))


def _print_positions(plan: Plan, positions: list[TargetPosition], title: str) -> None:
    width = console.width
    _print_title(title)
    table = _positions_fit(plan, positions).render(width) if width >= WIDE_FROM else None
    if table is not None:
        console.print(table)
    elif positions:
        _print_position_blocks(plan, positions, width)


def _units_fits(plan: Plan, positions: list[TargetPosition]) -> list[_Fit]:
    """One row per unit, one column per measure with unit targets: the status and P(meet)."""
    from policingplan.monitor.rollup import status_counts, worst_status

    measures = [m.id for m in plan.measures if any(p.measure == m.id and p.unit != FORCE for p in positions)]
    if not measures:
        return []
    by_key = {(p.unit, p.measure): p for p in positions}
    fits = []
    for worst_heading, worded in (("Worst (of all its targets)", True), ("Worst (how many)", False)):
        table = Table()
        table.add_column("Unit", overflow="fold")
        for measure in measures:
            table.add_column(plan.measure(measure).name, overflow="fold")
        table.add_column(worst_heading, overflow="fold")
        rows = []
        for unit in plan.units:
            own = [p for p in positions if p.unit == unit.code]
            if not own:
                continue
            cells = []
            for measure in measures:
                position = by_key.get((unit.code, measure))
                cells.append("" if position is None else
                             status_text(position.status, position.p_meet_target, short=True))
            worst = worst_status(p.status for p in own)
            symbol, word, style = STATUS_STYLE[worst]
            count = status_counts(own)[worst] if worst != "not_assessed" else len(own)
            shown = f"{count} of {len(own)} {word}" if worded else f"{count} of {len(own)}"
            rows.append([unit.name, *cells, _styled(symbol, shown, style)])
        fits.append(_Fit.of(table, rows))
    return fits


def _print_units(plan: Plan, positions: list[TargetPosition]) -> None:
    fits = _units_fits(plan, positions)
    if not fits:
        return
    _print_title("Units: chance of meeting each target (▲ likely, ● in the balance, ✗ unlikely)")
    table = _best_fit(fits, console.width)
    if table is None:  # too narrow for the grid: one line per unit, wrapped between words
        headers = [str(column.header) for column in fits[-1].table.columns]
        for row in fits[-1].rows:
            parts = [f"{header} {cell.markup}" for header, cell in zip(headers[1:-1], row[1:-1]) if cell.markup]
            console.print(f"{row[0].markup}: " + ", ".join(parts) + f"; worst {row[-1].markup}", highlight=False)
        return
    console.print(table)


def _rollup_rows(plan: Plan, positions: list[TargetPosition], unit: str) -> list[list[str | _Cell]]:
    from policingplan.monitor.rollup import roll_up

    rows: list[list[str | _Cell]] = []
    for priority in roll_up(plan, positions, unit):
        items = [(_Cell(f"[bold]{priority.name}[/]"), priority)] + [(_Cell(o.name, 2), o) for o in priority.objectives]
        for label, item in items:
            counts = item.counts
            shown = status_text(item.status, None) if any(counts.values()) else _styled("–", "no target", "dim")
            rows.append([label, shown, str(counts["likely"]), str(counts["in_the_balance"]), str(counts["unlikely"]),
                         str(counts["not_assessed"]), _lookup(VARIATION_TEXT, item.spc)])
    return rows


def _print_rollup(plan: Plan, positions: list[TargetPosition], unit: str) -> None:
    rows = _rollup_rows(plan, positions, unit)
    fits = []
    for headings in (("Likely", "In the balance", "Unlikely", "Not assessed"), ("▲", "●", "✗", "–")):
        table = Table()
        table.add_column("Priority / objective", overflow="fold")
        table.add_column("Status", overflow="fold")
        for heading in headings:
            table.add_column(heading, justify="right", overflow="fold")
        table.add_column("SPC", overflow="fold")
        fits.append(_Fit.of(table, rows))
    _print_title(f"Roll-up for {_unit_name(plan, unit)} (worst status; counts of each: "
                 "▲ likely, ● in the balance, ✗ unlikely, – not assessed)")
    table = _best_fit(fits, console.width)
    if table is None:  # too narrow for a table: one line each, wrapped between words
        for row in rows:
            label, status, *counts, spc = row
            cell = _cell(label)
            console.print(Padding(Text.from_markup(f"{cell.markup}: {status}; ▲ {counts[0]} ● {counts[1]} "
                                                   f"✗ {counts[2]} – {counts[3]}; SPC {spc}"), (0, 0, 0, cell.indent)),
                          highlight=False)
        return
    console.print(table)


def _print_warnings(plan: Plan, positions: list[TargetPosition]) -> None:
    shown = [(p, w) for p in positions for w in p.warnings]
    if not shown:
        return
    _print_title("Warnings:")
    grid = Table.grid()
    grid.add_column(width=4)  # a hanging indent: a warning's wrapped lines stand under its first word
    grid.add_column()
    for position, warning in shown:
        grid.add_row("  • ", Text(f"{plan.measure(position.measure).name} ({_unit_name(plan, position.unit)}): "
                                  f"{warning}"))
    console.print(grid)


def _attribution_kinds(plan: Plan, positions: list[TargetPosition]) -> list[str]:
    """The source kinds behind the figures shown: those of the measures whose targets are monitored."""
    kinds: list[str] = []
    for measure_id in dict.fromkeys(p.measure for p in positions):
        source = plan.measure(measure_id).source
        if source and source not in kinds:
            kinds.append(source)
    return kinds


def _json_name(plan: Plan, unit: str) -> str:
    return plan.organisation if unit == FORCE else _unit_name(plan, unit)


def monitor_json(plan: Plan, month: Month, positions: list[TargetPosition], scope: str | None) -> dict:
    """What ``monitor --json`` prints: the plan, the as-of month, each target (its keys as
    :data:`~policingplan.monitor.core.JSON_KEYS`, then names beside the ids), the roll-up the table
    shows, and the attribution."""
    from policingplan.attribution import JSON_KEY, attribution
    from policingplan.monitor.rollup import roll_up

    shown_unit = scope or FORCE

    def status_item(item) -> dict:
        # As the table shows it: an item with no target for the unit is "no_target", not "not_assessed".
        status = item.status if any(item.counts.values()) else "no_target"
        return {"id": item.id, "name": item.name, "status": status, "counts": dict(item.counts), "spc": item.spc}

    priorities = []
    for priority in roll_up(plan, positions, shown_unit):
        objectives = [{**status_item(o), "measures": [{"id": m, "name": plan.measure(m).name} for m in o.measures]}
                      for o in priority.objectives]
        priorities.append({**status_item(priority), "objectives": objectives})
    return {
        "plan": {"id": plan.id, "name": plan.name, "period": plan.period, "version": plan.version,
                 "illustrative": plan.illustrative},
        "as_of": str(month),
        "as_of_label": month.label(),
        "months_elapsed": month.fy_index,
        "unit": None if scope is None else {"code": scope, "name": _json_name(plan, scope)},
        "targets": [{**p.to_dict(), "status": p.status, "measure_name": plan.measure(p.measure).name,
                     "unit_name": _json_name(plan, p.unit)} for p in positions],
        "rollup": {"unit": shown_unit, "unit_name": _json_name(plan, shown_unit), "priorities": priorities},
        JSON_KEY: attribution(_attribution_kinds(plan, positions)),
    }


def monitor_command(
    plan_dir: Path = typer.Argument(..., help="The plan folder."),
    as_of: Optional[str] = typer.Option(
        None, "--as-of", help="The month to stand at, YYYY-MM (default: the latest month loaded for every measure)."),
    unit: Optional[str] = typer.Option(None, "--unit", help="One unit's targets: 'force' or a unit code or name."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: the plan, the as-of month, each target with its names, the roll-up and the attribution."),
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
        print_json(monitor_json(plan, month, positions, scope))
        return
    from policingplan.attribution import attribution_line

    if plan.illustrative:
        console.print("[bold]Illustrative plan built on real data, not an official one.[/]")
    console.print(f"{plan.name}: position at the end of {month.label()} ({month.fy_index} of 12 months)",
                  highlight=False)
    shown_unit = scope or FORCE
    shown = [p for p in positions if p.unit == shown_unit]
    _print_positions(plan, shown, f"Targets for {_unit_name(plan, shown_unit)}")
    if scope is None:
        _print_units(plan, positions)
    _print_rollup(plan, positions, shown_unit)
    _print_warnings(plan, shown)
    console.print("P(meet target): ▲ likely at 80% or more, ✗ unlikely at 20% or less, ● in the balance between. "
                  "See docs/monitoring.md.", highlight=False)
    line = attribution_line(_attribution_kinds(plan, positions))
    if line is not None:
        console.print(line, highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.command("monitor")(monitor_command)
