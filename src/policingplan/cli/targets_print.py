"""How the target-setting commands print a service's result: tables and sentences in British formats.

Every figure comes from :mod:`policingplan.services.targets`; this module only lays it out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from rich.markup import escape as esc
from rich.table import Table

from policingplan.cli.common import console, print_table
from policingplan.formatting import fmt_int, fmt_pct

if TYPE_CHECKING:
    from policingplan.results import Notice
    from policingplan.services.targets import (AllocationResult, FreshAllocationResult, PartnerAlignmentResult,
                                               PlanRequirementResult, PlanTargetsCheck, RateTargetTable,
                                               RequirementProjection, TrajectoryFigures)


def given_pct(fraction: float, signed: bool = False) -> str:
    """A figure the user gave, with the places it needs: ``0.055`` → ``5.5%``, ``0.0693`` → ``6.93%``."""
    places = 1 if round(fraction * 100, 1) == round(fraction * 100, 4) else 2
    return fmt_pct(fraction, places, signed=signed)


def met(ok: bool) -> str:
    return "[green]met[/]" if ok else "[bold red]NOT met[/]"


def unit_label(unit: str, name: Optional[str]) -> str:
    return f"{unit} {name}" if name else unit


def print_attribution(line: Optional[str]) -> None:
    if line:
        console.print(esc(line), highlight=False, style="dim")


def print_notes(notes: "list[Notice]") -> None:
    """Each notice as a note, in its English sentence."""
    for note in notes:
        console.print(f"Note: {esc(str(note))}", highlight=False)


def print_allocation(allocation: "AllocationResult | FreshAllocationResult", title: str) -> None:
    table = Table(title=title, title_justify="left", show_lines=False)
    table.add_column("Unit", overflow="fold")
    table.add_column("Baseline", justify="right", overflow="fold")
    table.add_column("Reduction", justify="right", overflow="fold")
    table.add_column("Target", justify="right", overflow="fold")
    table.add_column("Why", overflow="fold")
    for unit in allocation.units:
        table.add_row(esc(unit_label(unit.unit, unit.name)), fmt_int(unit.baseline), fmt_pct(unit.reduction),
                      fmt_int(unit.target), esc(unit.reason))
    print_table(table)
    console.print(
        f"Corporate reduction {given_pct(allocation.reduction)} ({allocation.method} method): at most "
        f"{fmt_int(allocation.required_total)} crimes on a baseline of {fmt_int(allocation.baseline_total)}.",
        highlight=False,
    )
    console.print(
        f"The units' targets add up to {fmt_int(allocation.target_total)} "
        f"({fmt_pct(allocation.achieved_reduction, 2)} reduction): corporate figure {met(allocation.meets)}.",
        highlight=False,
    )
    if not allocation.feasible:
        console.print(f"[bold red]Infeasible:[/] {esc(allocation.infeasible_reason or '')}", highlight=False)
        return
    if allocation.best_reachable_reduction < 1:
        console.print(
            f"The largest reduction the caps allow: {fmt_pct(allocation.best_reachable_reduction, 2)} "
            "(a unit without a cap is not limited).",
            highlight=False,
        )
    print_notes(allocation.notes)


def print_trajectory(trajectory: "TrajectoryFigures | RequirementProjection | PlanRequirementResult",
                     name: Optional[str] = None) -> None:
    heading = f"{name}: " if name else ""
    console.print(
        f"{esc(heading)}{fmt_pct(trajectory.latest_change, signed=True)} so far, then "
        f"{given_pct(trajectory.planned_change, signed=True)} planned, gives "
        f"{fmt_pct(trajectory.projected_change, signed=True)} against {fmt_pct(trajectory.required_change, signed=True)} "
        f"required: requirement {met(trajectory.meets)}.",
        highlight=False,
    )
    if not trajectory.meets:
        crimes = f" (a shortfall of {fmt_int(trajectory.shortfall)} crimes)" if trajectory.shortfall is not None else ""
        console.print(
            f"Meeting it needs {fmt_pct(trajectory.required_in_year_change, 2, signed=True)} in the year rather than "
            f"{fmt_pct(trajectory.planned_change, 2, signed=True)}{crimes}.",
            highlight=False,
        )
    else:
        console.print(
            f"The requirement needs {fmt_pct(trajectory.required_in_year_change, 2, signed=True)} in the year; "
            f"the plan asks for {fmt_pct(trajectory.planned_change, 2, signed=True)}.",
            highlight=False,
        )


def print_fresh_allocation(result: "FreshAllocationResult", what_if: bool) -> None:
    title = f"{result.label}: {result.plan_name}, {result.measure_name}, {result.period}" + (" (what if)" if what_if else "")
    print_allocation(result, title)
    if result.plan_target_total is not None:
        differ = result.differ_from_plan
        console.print(
            f"The plan's own unit targets add up to {fmt_int(result.plan_target_total)}; "
            + (f"{fmt_int(len(differ))} of the {fmt_int(len(result.units))} units' targets here differ from them."
               if differ else "every unit's target here is the plan's own.")
            + " 'policingplan targets PLAN_DIR' shows the plan's own.",
            highlight=False,
        )
    if result.requirement is not None:
        print_trajectory(result.requirement, result.requirement.name)
    print_attribution(result.attribution_line)


def print_check(check: "PlanTargetsCheck") -> None:
    table = Table(title=f"{check.plan_name}: the plan's unit targets for {check.measure_name}, {check.period}",
                  title_justify="left")
    table.add_column("Unit", overflow="fold")
    table.add_column("Baseline", justify="right", overflow="fold")
    table.add_column("Change", justify="right", overflow="fold")
    table.add_column("Target", justify="right", overflow="fold")
    for unit in check.units:
        table.add_row(esc(unit_label(unit.unit, unit.name)), fmt_int(unit.baseline), fmt_pct(unit.change, signed=True),
                      fmt_int(unit.target))
    print_table(table)
    figure = check.corporate
    console.print(
        f"Corporate figure: at most {fmt_int(figure.required_total)} crimes, {fmt_pct(figure.change, signed=True)} on "
        f"{fmt_int(figure.baseline_total)} ({esc(figure.basis)}).",
        highlight=False,
    )
    counted = f"{fmt_int(check.margin)} crimes {'to spare' if check.meets else 'over'}"
    console.print(
        f"The units' targets add up to {fmt_int(check.target_total)} ({fmt_pct(check.achieved_change, 2, signed=True)}): "
        f"corporate figure {met(check.meets)}, {counted}.",
        highlight=False,
    )
    changes = check.changed_words
    if changes:
        console.print(esc(changes[0].upper() + changes[1:] + "."), highlight=False)
    requirement = check.requirement
    if requirement is not None:
        print_trajectory(requirement, requirement.name)
        with_units = requirement.with_unit_targets
        if with_units is not None:
            console.print(
                f"With the units' own targets ({fmt_pct(check.achieved_change, 2, signed=True)} in the year) the "
                f"projection is {fmt_pct(with_units.projected_change, signed=True)}: requirement {met(with_units.meets)}.",
                highlight=False,
            )
    print_attribution(check.attribution_line)


def print_rate_table(result: "RateTargetTable") -> None:
    table = Table(title=f"Chance of meeting a rate target over {fmt_int(result.volume)} cases", title_justify="left")
    table.add_column("Target")
    for rate in result.true_rates:
        table.add_column(f"true rate {given_pct(rate)}", justify="right")
    for goal in result.targets:
        row = [c for c in result.chances if c.target_rate == goal]
        table.add_row(f"{given_pct(goal)} or more", *(fmt_pct(c.probability, 0) for c in row))
    print_table(table)
    for chance in result.chances:
        console.print(esc(chance.sentence), highlight=False)


def print_requirement(result: "PlanRequirementResult | TrajectoryFigures", name: Optional[str] = None,
                      notes: "Optional[list[Notice]]" = None, line: Optional[str] = None) -> None:
    print_trajectory(result, name)
    print_notes(notes or [])
    print_attribution(line)


def print_partners(summary: "PartnerAlignmentResult") -> None:
    table = Table(title=f"{summary.plan_name}: partner targets for {summary.measure_name}, {summary.period}",
                  title_justify="left")
    table.add_column("Unit", overflow="fold")
    table.add_column("Partner target", overflow="fold")
    table.add_column("As crimes", justify="right", overflow="fold")
    table.add_column("Unit target", justify="right", overflow="fold")
    table.add_column("Gap", justify="right", overflow="fold")
    table.add_column("Binds", overflow="fold")
    for a in summary.partner_targets:
        partner = f"{a.agreement} {fmt_pct(a.partner_change, signed=True)}" + (
            f" on {a.partner_baseline_period}" if a.partner_baseline_period else "")
        table.add_row(
            esc(unit_label(a.unit, a.name)),
            esc(partner + (" (illustrative)" if a.illustrative else "")),
            "not comparable" if a.partner_volume is None else fmt_int(a.partner_volume),
            f"{fmt_int(a.unit_target)} ({fmt_pct(a.unit_change, signed=True)})",
            "–" if a.gap is None else f"{a.gap:+,}",
            a.binds or "–",
        )
    print_table(table)
    for a in summary.partner_targets:
        console.print(f"[bold]{esc(unit_label(a.unit, a.name))}[/]: {esc(a.reason)}", highlight=False)
    console.print(
        f"The units' own targets add up to {fmt_int(summary.unit_total)} crimes against at most "
        f"{fmt_int(summary.required_total)}: corporate figure {met(summary.own_meets)}, "
        f"{fmt_int(summary.own_margin)} crimes {'to spare' if summary.own_meets else 'over'}.",
        highlight=False,
    )
    console.print(
        f"Adopting every more stretching target: {fmt_int(summary.stretched_total)} crimes against at most "
        f"{fmt_int(summary.required_total)}: corporate figure {met(summary.meets)}, "
        f"{fmt_int(summary.margin)} crimes {'to spare' if summary.meets else 'over'}.",
        highlight=False,
    )
    print_notes(summary.summary_notes)
    print_notes(summary.input_notes)
    print_attribution(summary.attribution_line)
