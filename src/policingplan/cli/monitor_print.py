"""How ``policingplan monitor`` prints a :class:`~policingplan.services.monitor.MonitorResult` (display only).

Each target's position as one table on a wide terminal and one block a target
on a narrow one, every unit at a glance, the roll-up, the warnings and the
attribution.  The figures are the result's; this module only formats them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from policingplan.attribution import attribution_line
from policingplan.cli.common import console
from policingplan.cli.monitor_layout import Cell, Fit, as_cell, best_fit
from policingplan.formatting import fmt_int, fmt_num
from policingplan.cli.monitor_text import (
    ASSURANCE_TEXT,
    STATUS_STYLE,
    VARIATION_TEXT,
    amount,
    forecast_text,
    interval_text,
    lookup,
    status_text,
    styled,
    target_text,
)
from policingplan.plan.model import FORCE

if TYPE_CHECKING:  # the service (DuckDB, ibis) is imported by the command, so --help starts fast
    from policingplan.services.monitor import MonitoredTarget, MonitorResult

#: Below this width the targets are shown one block each (label and value) rather than as one wide table.
WIDE_FROM = 120
#: How far a target's label and value lines stand in from its name.
BLOCK_INDENT = 2


def _unit_name(code: str, name: str) -> str:
    return "the force" if code == FORCE else name


def _print_title(title: str) -> None:
    console.print()  # a blank line sets each part apart
    console.print(title, style="bold", highlight=False)


def _positions_fit(positions: list[MonitoredTarget]) -> Fit:
    table = Table()
    for column, justify in (("Measure", "left"), ("Target", "right"), ("Year to date", "right"),
                            ("Forecast (80% interval)", "right"), ("P(meet target)", "left"),
                            ("Variation (SPC)", "left"), ("Assurance", "left")):
        table.add_column(column, justify=justify, overflow="fold")
    rows = [[p.measure_name, target_text(p), amount(p.year_to_date, p.kind), forecast_text(p),
             status_text(p.status, p.p_meet_target), lookup(VARIATION_TEXT, p.variation),
             lookup(ASSURANCE_TEXT, p.assurance)] for p in positions]
    return Fit.of(table, rows)


def _position_pairs(position: MonitoredTarget, together: bool) -> list[list[str]]:
    """A target's labels and values: two pairs a line (``together``), else one."""
    left = [("Target", target_text(position)), ("Year to date", amount(position.year_to_date, position.kind)),
            ("Forecast", amount(position.forecast_total, position.kind)), ("80% interval", interval_text(position))]
    right = [("P(meet target)", status_text(position.status, position.p_meet_target)),
             ("Variation (SPC)", lookup(VARIATION_TEXT, position.variation)),
             ("Assurance", lookup(ASSURANCE_TEXT, position.assurance)), ("", "")]
    if together:
        return [[a, b, c, d] for (a, b), (c, d) in zip(left, right)]
    return [[a, b] for a, b in left + right[:-1]]


def _block_grid(columns: int) -> Table:
    grid = Table.grid(padding=(0, 2))
    for index in range(columns):
        grid.add_column(style="dim" if index % 2 == 0 else None)
    return grid


def _print_position_blocks(positions: list[MonitoredTarget], width: int) -> None:
    """One block a target: its name, then its labels and values, aligned alike in every block."""
    width -= BLOCK_INDENT
    chosen = None
    for together in (True, False):
        rows = [row for p in positions for row in _position_pairs(p, together)]
        fit = Fit.of(_block_grid(len(rows[0])), rows)
        chosen = (together, fit.widths(width))
        if fit.needs(fit.body) <= width:  # two pairs a line only when no value wraps
            break
    together, widths = chosen
    for position in positions:
        console.print()
        console.print(position.measure_name, style="bold", highlight=False)
        rows = _position_pairs(position, together)
        block = Fit.of(_block_grid(len(rows[0])), rows).filled(widths)
        console.print(Padding(block, (0, 0, 0, BLOCK_INDENT), expand=False))


def print_positions(positions: list[MonitoredTarget], title: str) -> None:
    width = console.width
    _print_title(title)
    table = _positions_fit(positions).render(width) if width >= WIDE_FROM else None
    if table is not None:
        console.print(table)
    elif positions:
        _print_position_blocks(positions, width)


def _units_fits(result: MonitorResult) -> list[Fit]:
    """One row per unit, one column per measure with unit targets: the status and P(meet)."""
    if result.units is None or not result.units.measures:
        return []
    measures = result.units.measures
    by_key = {(p.unit, p.measure): p for p in result.targets}
    fits = []
    for worst_heading, worded in (("Worst (of all its targets)", True), ("Worst (how many)", False)):
        table = Table()
        table.add_column("Unit", overflow="fold")
        for measure in measures:
            table.add_column(measure.name, overflow="fold")
        table.add_column(worst_heading, overflow="fold")
        rows = []
        for unit in result.units.units:
            cells = []
            for measure in measures:
                position = by_key.get((unit.code, measure.id))
                cells.append("" if position is None else
                             status_text(position.status, position.p_meet_target, short=True))
            symbol, word, style = STATUS_STYLE[unit.status]
            shown = f"{unit.count} of {unit.targets} {word}" if worded else f"{unit.count} of {unit.targets}"
            rows.append([unit.name, *cells, styled(symbol, shown, style)])
        fits.append(Fit.of(table, rows))
    return fits


def print_units(result: MonitorResult) -> None:
    fits = _units_fits(result)
    if not fits:
        return
    _print_title("Units: chance of meeting each target (▲ likely, ● in the balance, ✗ unlikely)")
    table = best_fit(fits, console.width)
    if table is None:  # too narrow for the grid: one line per unit, wrapped between words
        headers = [str(column.header) for column in fits[-1].table.columns]
        for row in fits[-1].rows:
            parts = [f"{header} {cell.markup}" for header, cell in zip(headers[1:-1], row[1:-1]) if cell.markup]
            console.print(f"{row[0].markup}: " + ", ".join(parts) + f"; worst {row[-1].markup}", highlight=False)
        return
    console.print(table)


def _rollup_rows(result: MonitorResult) -> list[list[str | Cell]]:
    rows: list[list[str | Cell]] = []
    for priority in result.rollup.priorities:
        items = [(Cell(f"[bold]{priority.name}[/]"), priority)] + [(Cell(o.name, 2), o) for o in priority.objectives]
        for label, item in items:
            counts = item.counts
            shown = styled("–", "no target", "dim") if item.status == "no_target" else status_text(item.status, None)
            rows.append([label, shown, str(counts.likely), str(counts.in_the_balance), str(counts.unlikely),
                         str(counts.not_assessed), lookup(VARIATION_TEXT, item.spc)])
    return rows


def print_rollup(result: MonitorResult) -> None:
    rows = _rollup_rows(result)
    fits = []
    for headings in (("Likely", "In the balance", "Unlikely", "Not assessed"), ("▲", "●", "✗", "–")):
        table = Table()
        table.add_column("Priority / objective", overflow="fold")
        table.add_column("Status", overflow="fold")
        for heading in headings:
            table.add_column(heading, justify="right", overflow="fold")
        table.add_column("SPC", overflow="fold")
        fits.append(Fit.of(table, rows))
    _print_title(f"Roll-up for {_unit_name(result.rollup.unit, result.rollup.unit_name)} (worst status; counts of "
                 "each: ▲ likely, ● in the balance, ✗ unlikely, – not assessed)")
    table = best_fit(fits, console.width)
    if table is None:  # too narrow for a table: one line each, wrapped between words
        for row in rows:
            label, status, *counts, spc = row
            cell = as_cell(label)
            console.print(Padding(Text.from_markup(f"{cell.markup}: {status}; ▲ {counts[0]} ● {counts[1]} "
                                                   f"✗ {counts[2]} – {counts[3]}; SPC {spc}"), (0, 0, 0, cell.indent)),
                          highlight=False)
        return
    console.print(table)


def print_warnings(positions: list[MonitoredTarget]) -> None:
    shown = [(p, w) for p in positions for w in p.warnings]
    if not shown:
        return
    _print_title("Warnings:")
    grid = Table.grid()
    grid.add_column(width=4)  # a hanging indent: a warning's wrapped lines stand under its first word
    grid.add_column()
    for position, warning in shown:
        grid.add_row("  • ", Text(f"{position.measure_name} ({_unit_name(position.unit, position.unit_name)}): "
                                  f"{warning}"))
    console.print(grid)


def print_units_meeting(result: MonitorResult) -> None:
    if not result.units_meeting:
        return
    _print_title("Units expected to meet their targets (80% interval, allowing for units moving together):")
    for m in result.units_meeting:
        low, high = m.interval_80
        console.print(f"  • {m.measure_name}: {fmt_num(m.expected, 1)} of {fmt_int(m.units)} "
                      f"({fmt_int(low)} to {fmt_int(high)})", highlight=False, markup=False)


def print_monitor(result: MonitorResult) -> None:
    """The whole of ``monitor``'s human output."""
    if result.plan.illustrative:
        console.print("[bold]Illustrative plan built on real data, not an official one.[/]")
    console.print(f"{result.plan.name}: position at the end of {result.as_of_label} "
                  f"({result.months_elapsed} of 12 months)", highlight=False)
    shown_unit = result.rollup.unit
    shown = [p for p in result.targets if p.unit == shown_unit]
    print_positions(shown, f"Targets for {_unit_name(shown_unit, result.rollup.unit_name)}")
    print_units(result)
    print_units_meeting(result)
    print_rollup(result)
    print_warnings(shown)
    legend = ["P(meet target): ▲ likely at 80% or more, ✗ unlikely at 20% or less, ● in the balance between.",
              result.reliability.meaning, result.reliability.record, "See docs/monitoring.md."]
    console.print(" ".join(part for part in legend if part), highlight=False, markup=False)
    line = attribution_line(result.sources)
    if line is not None:
        console.print(line, highlight=False, markup=False)
