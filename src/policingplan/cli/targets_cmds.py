"""``policingplan targets``, ``requirement`` and ``partners``: target setting on the command line.

Thin glue over :mod:`policingplan.targets`: read a units CSV or a plan folder,
call the pure functions, print a table or JSON.  See ``docs/target-setting.md``.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.markup import escape as esc
from rich.table import Table
from typer.core import TyperGroup

from policingplan.attribution import JSON_KEY
from policingplan.cli.common import EXIT_INFEASIBLE, console, fail, print_json, print_table
from policingplan.cli.values import parse_fraction, parse_unit_fractions, read_fraction
from policingplan.formatting import fmt_int, fmt_pct
from policingplan.plan.io import read_plan
from policingplan.plan.source import parse_csv
from policingplan.problems import Problem, UserError

if TYPE_CHECKING:  # the target-setting core (numpy, scipy) is imported by each command, so --help starts fast
    from policingplan.plan.model import Plan
    from policingplan.targets.allocation import Allocation, UnitInput
    from policingplan.targets.partners import PartnerAlignmentSummary
    from policingplan.targets.plan_check import UnitTargetCheck
    from policingplan.targets.requirement import RequirementTrajectory

REQUIRED_COLUMNS = ("unit", "baseline")
OPTIONAL_COLUMNS = ("population", "peer_group", "proposed_reduction", "min_reduction", "max_reduction")
FRACTION = "a fraction such as 0.055, or a percentage such as 5.5%, for a 5.5% reduction (more than -1, at most 1)"
REDUCTION = "a reduction from 0 up to 1, as a fraction such as 0.055 or a percentage such as 5.5%"
CHANGE = "a signed fraction above -1, such as -0.134, or a percentage such as -13.4%, for a 13.4% reduction"
RATE = "a rate from 0 to 1, as a fraction such as 0.80 or a percentage such as 80%"
FRESH = "A fresh allocation, not the plan's targets"
FRACTION_ACCEPTED = f"{FRACTION}, or blank"
#: The allocation methods, as :data:`policingplan.targets.allocation.METHODS` names them (a test keeps them equal).
METHODS = ("stretch", "uniform", "negotiated")
METHOD_HELP = "How to share the reduction: stretch (more from units above their peers' rate), uniform, or negotiated (proposals first)."
PLAN_COMMAND = "plan"


class TargetsGroup(TyperGroup):
    """``targets allocate UNITS_CSV`` and ``targets PLAN_DIR``: a first word that is not a
    subcommand is taken as a plan folder (short for ``targets plan PLAN_DIR``)."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        first = next((a for a in args if not a.startswith("-")), None)
        if args and args[0] not in ("--help", "-h") and first is not None and first not in self.commands:
            args = [PLAN_COMMAND, *args]
        return super().parse_args(ctx, args)


targets_app = typer.Typer(
    cls=TargetsGroup,
    no_args_is_help=True,
    help=(
        "Unit targets that add up to the force target: the plan's own checked, or a fresh allocation.\n\n"
        "[bold]policingplan targets PLAN_DIR[/]: the plan's own unit targets, checked against its force target "
        "(short for [bold]targets plan PLAN_DIR[/]).\n\n"
        "[bold]policingplan targets allocate PLAN_DIR[/]: a fresh allocation of the plan's inputs, labelled as one.\n\n"
        "[bold]policingplan targets allocate UNITS_CSV --reduction 5.5%[/]: units from a CSV file."
    ),
)


def _user_errors(command):
    """Turn a user's mistake found in the core (a :class:`UserError`) into a one-line error."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except UserError as exc:
            fail(str(exc))

    return wrapper


# --- reading input -------------------------------------------------------------------------------


def _number(text: str, file: str, line: int, column: str, accepted: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        fail(str(Problem("not a number", file=file, line=line, column=column, value=text, accepted=accepted)))
    return value


def _fraction_cell(text: str, file: str, line: int, column: str) -> float:
    value = read_fraction(text)
    if value is None:
        fail(str(Problem("not a number", file=file, line=line, column=column, value=text, accepted=FRACTION_ACCEPTED)))
    return value


def read_units_csv(path: Path) -> list[UnitInput]:
    """The units of a UNITS_CSV file; the first problem ends the command with a one-line error."""
    from policingplan.targets.allocation import AllocationInputError, UnitInput

    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(str(Problem("the file does not exist", file=file, accepted="a CSV file of units")))
    except UnicodeDecodeError as exc:
        fail(str(Problem(f"the file is not UTF-8 text ({exc.reason})", file=file, accepted="a UTF-8 CSV file")))
    except OSError as exc:
        fail(str(Problem(f"cannot read the file: {exc.strerror or exc}", file=file, accepted="a readable CSV file")))
    table, problems = parse_csv(text, file)
    if problems.errors:
        fail(str(problems.errors[0]))
    columns = ", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
    if not table.header:
        fail(str(Problem("the file is empty", file=file, line=1, value="",
                         accepted=f"a header row ({columns}), then one row per unit")))
    for name in REQUIRED_COLUMNS:
        if name not in table.header:
            fail(str(Problem(f"the column {name!r} is missing", file=file, line=table.header_line, column=name,
                             value=",".join(table.header), accepted=f"a header with unit and baseline; optional: {', '.join(OPTIONAL_COLUMNS)}")))
    for name in table.header:
        if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            fail(str(Problem("unknown column", file=file, line=table.header_line, column=name, value=name, accepted=columns)))
    if not table.rows:
        fail(str(Problem("there are no units", file=file, accepted="a header row, then one row per unit")))

    units, lines = [], {}
    for row, line in zip(table.rows, table.lines):
        cells = {k: (v or "").strip() for k, v in row.items()}
        unit = cells.get("unit", "")
        if not unit:
            fail(str(Problem("the unit is blank", file=file, line=line, column="unit", value="", accepted="a unit name or code")))
        if unit in lines:
            fail(str(Problem(f"the unit is given twice (first at line {lines[unit]})", file=file, line=line,
                             column="unit", value=unit, accepted="each unit once")))
        lines[unit] = line
        values: dict[str, object] = {"unit": unit}
        values["baseline"] = _number(cells.get("baseline", ""), file, line, "baseline", "a number of crimes above 0, such as 21384")
        if cells.get("population"):
            values["population"] = _number(cells["population"], file, line, "population", "a number of residents, or blank")
        if cells.get("peer_group"):
            values["peer_group"] = cells["peer_group"]
        for name in ("proposed_reduction", "min_reduction", "max_reduction"):
            if cells.get(name):
                values[name] = _fraction_cell(cells[name], file, line, name)
        try:
            units.append(UnitInput(**values))
        except AllocationInputError as exc:
            fail(str(Problem(str(exc).split(": ", 1)[-1], file=file, line=line, column=exc.field_name,
                             value=cells.get(exc.field_name or "", exc.value), accepted=exc.accepted)))
    return units


def _load(plan_dir: Path) -> Plan:
    from policingplan.cli.plan_cmds import report_invalid

    plan, problems = read_plan(plan_dir)
    if plan is None:
        report_invalid(plan_dir, problems)
    return plan


def _reduction_option(text: Optional[str]) -> Optional[float]:
    if text is None:
        return None
    return parse_fraction(text, "--reduction", minimum=0, maximum=1, include_minimum=True, include_maximum=False,
                          what="a reduction", accepted=REDUCTION)


def _attribution(kinds) -> tuple[list[str], Optional[str]]:
    """The attribution of figures derived from sources of these kinds: for JSON, and the table's footer line."""
    from policingplan.attribution import attribution, attribution_line

    kinds = [k for k in kinds if k]
    return attribution(kinds), attribution_line(kinds)


def _print_attribution(line: Optional[str]) -> None:
    if line:
        console.print(esc(line), highlight=False, style="dim")


# --- printing ------------------------------------------------------------------------------------


def _given_pct(fraction: float, signed: bool = False) -> str:
    """A figure the user gave, with the places it needs: ``0.055`` → ``5.5%``, ``0.0693`` → ``6.93%``."""
    places = 1 if round(fraction * 100, 1) == round(fraction * 100, 4) else 2
    return fmt_pct(fraction, places, signed=signed)


def _met(ok: bool) -> str:
    return "[green]met[/]" if ok else "[bold red]NOT met[/]"


def _unit_label(unit: str, names: Optional[dict[str, str]]) -> str:
    return f"{unit} {names[unit]}" if names and unit in names else unit


def _print_allocation(allocation: Allocation, title: str, names: Optional[dict[str, str]] = None) -> None:
    table = Table(title=title, title_justify="left", show_lines=False)
    table.add_column("Unit", overflow="fold")
    table.add_column("Baseline", justify="right", overflow="fold")
    table.add_column("Reduction", justify="right", overflow="fold")
    table.add_column("Target", justify="right", overflow="fold")
    table.add_column("Why", overflow="fold")
    for unit in allocation.units:
        table.add_row(esc(_unit_label(unit.unit, names)), fmt_int(unit.baseline), fmt_pct(unit.reduction), fmt_int(unit.target), esc(unit.reason))
    print_table(table)
    console.print(
        f"Corporate reduction {_given_pct(allocation.reduction)} ({allocation.method} method): at most "
        f"{fmt_int(allocation.required_total)} crimes on a baseline of {fmt_int(allocation.baseline_total)}.",
        highlight=False,
    )
    console.print(
        f"The units' targets add up to {fmt_int(allocation.target_total)} "
        f"({fmt_pct(allocation.achieved_reduction, 2)} reduction): corporate figure {_met(allocation.meets)}.",
        highlight=False,
    )
    if not allocation.feasible:
        infeasible = allocation.notes[0].removeprefix("Infeasible: ")
        console.print(f"[bold red]Infeasible:[/] {esc(infeasible)}", highlight=False)
    else:
        if allocation.best_reachable_reduction < 1:
            console.print(
                f"The largest reduction the caps allow: {fmt_pct(allocation.best_reachable_reduction, 2)} "
                "(a unit without a cap is not limited).",
                highlight=False,
            )
        for note in allocation.notes:
            console.print(f"Note: {esc(note)}", highlight=False)


def _print_trajectory(trajectory: RequirementTrajectory, name: Optional[str] = None) -> None:
    heading = f"{name}: " if name else ""
    console.print(
        f"{esc(heading)}{fmt_pct(trajectory.latest_change, signed=True)} so far, then "
        f"{_given_pct(trajectory.planned_change, signed=True)} planned, gives "
        f"{fmt_pct(trajectory.projected_change, signed=True)} against {fmt_pct(trajectory.required_change, signed=True)} "
        f"required: requirement {_met(trajectory.meets)}.",
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


# --- targets allocate / targets PLAN_DIR ---------------------------------------------------------


def _unit_names(plan: Plan) -> dict[str, str]:
    return {u.code: u.name for u in plan.units}


@targets_app.command("allocate")
@_user_errors
def allocate(
    source: Path = typer.Argument(..., metavar="UNITS_CSV|PLAN_DIR", help="A CSV with columns unit, baseline; optional population, peer_group, proposed_reduction, min_reduction, max_reduction. Or a plan folder: its units and unit targets' baselines, proposals, floors and caps."),
    reduction: Optional[str] = typer.Option(None, "--reduction", metavar="FRACTION", help="The corporate reduction: 0.055 or 5.5%. Needed with UNITS_CSV; with PLAN_DIR the plan's force target by default."),
    method: str = typer.Option("stretch", "--method", metavar="METHOD", help=METHOD_HELP),
    measure: Optional[str] = typer.Option(None, "--measure", metavar="ID", help="With PLAN_DIR: the measure (needed when several have unit targets)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Allocate a corporate reduction across the units of UNITS_CSV, or make a fresh allocation of a plan's.

    With PLAN_DIR the result is labelled "A fresh allocation, not the plan's
    targets": the plan's own unit targets are shown and checked by
    'policingplan targets PLAN_DIR'.  Exit 3 if the caps make it infeasible.
    """
    if method not in METHODS:
        fail(f"--method: unknown method (found {method!r}); accepted: {', '.join(METHODS)}")
    fraction = _reduction_option(reduction)
    if source.is_dir():
        _fresh_plan_allocation(source, measure, method, fraction, [], [], [], as_json)
        return
    if measure is not None:
        fail(f"--measure: only with a PLAN_DIR (found {measure!r} with the file {source}); accepted: a plan folder, "
             "or no --measure with a units CSV")
    if fraction is None:
        fail(f"--reduction: missing; accepted: {REDUCTION} (needed with a units CSV)")
    from policingplan.targets.allocation import allocate_unit_targets

    units = read_units_csv(source)
    allocation = allocate_unit_targets(units, fraction, method)
    if as_json:
        print_json(allocation.to_dict())
    else:
        _print_allocation(allocation, f"{source.name}: unit targets")
    if not allocation.feasible:
        raise typer.Exit(EXIT_INFEASIBLE)


def _fresh_plan_allocation(
    plan_dir: Path, measure: Optional[str], method: str, reduction: Optional[float],
    floor: list[str], cap: list[str], proposal: list[str], as_json: bool,
) -> None:
    """A fresh allocation of the plan's inputs, with any what-if changes; labelled as not the plan's targets."""
    from policingplan.targets import plan_inputs
    from policingplan.targets.allocation import AllocationInputError
    from policingplan.targets.whatif import TargetSetting, WhatIf, apply_what_if, set_targets

    plan = _load(plan_dir)
    measure_id = plan_inputs.choose_measure(plan, measure)
    requirements = plan_inputs.requirements_for(plan, measure_id)
    units = plan_inputs.unit_inputs(plan, measure_id)
    names = _unit_names(plan)
    known = {u.unit: names.get(u.unit, u.unit) for u in units}
    setting = TargetSetting(
        units=tuple(units),
        reduction=plan_inputs.corporate_reduction(plan, measure_id),
        method=method,
        requirement=plan_inputs.requirement_inputs(plan, requirements[0]) if requirements else None,
    )
    changes = WhatIf(
        reduction=reduction,
        floors=parse_unit_fractions(floor, known, "--floor"),
        caps=parse_unit_fractions(cap, known, "--cap"),
        proposals=parse_unit_fractions(proposal, known, "--proposal"),
    )
    try:
        result = set_targets(apply_what_if(setting, changes))
    except AllocationInputError as exc:
        fail(str(exc) + (f"; accepted: {exc.accepted}" if exc.accepted else ""))
    allocation = result.allocation
    own = plan_inputs.plan_unit_target_volumes(plan, measure_id)
    own_targets = {u.unit: u.target for u in own} if own is not None else {}
    differ = [u.unit for u in allocation.units if u.unit in own_targets and own_targets[u.unit] != u.target]
    texts, line = _attribution([plan.measure(measure_id).source])
    if as_json:
        data = {
            "fresh_allocation": True,
            "label": FRESH,
            "plan": plan.id,
            "measure": measure_id,
            "period": plan.period,
            **allocation.to_dict(),
            "plan_target_total": sum(own_targets.values()) if own is not None else None,
            "differ_from_plan": differ,
        }
        if result.trajectory is not None:
            data["requirement"] = {"id": requirements[0].id, **result.trajectory.to_dict()}
        data[JSON_KEY] = texts
        print_json(data)
    else:
        what_if = reduction is not None or floor or cap or proposal
        title = (f"{FRESH}: {plan.name}, {plan.measure(measure_id).name}, {plan.period}"
                 + (" (what if)" if what_if else ""))
        _print_allocation(allocation, title, names)
        if own is not None:
            console.print(
                f"The plan's own unit targets add up to {fmt_int(sum(own_targets.values()))}; "
                + (f"{fmt_int(len(differ))} of the {fmt_int(len(allocation.units))} units' targets here differ from them."
                   if differ else "every unit's target here is the plan's own.")
                + " 'policingplan targets PLAN_DIR' shows the plan's own.",
                highlight=False,
            )
        if result.trajectory is not None:
            _print_trajectory(result.trajectory, requirements[0].name)
        _print_attribution(line)
    if not allocation.feasible:
        raise typer.Exit(EXIT_INFEASIBLE)


def _print_check(check: UnitTargetCheck, title: str) -> None:
    table = Table(title=title, title_justify="left")
    table.add_column("Unit", overflow="fold")
    table.add_column("Baseline", justify="right", overflow="fold")
    table.add_column("Change", justify="right", overflow="fold")
    table.add_column("Target", justify="right", overflow="fold")
    for unit in check.units:
        table.add_row(esc(_unit_label(unit.unit, check.names)), fmt_int(unit.baseline),
                      fmt_pct(unit.target / unit.baseline - 1, signed=True), fmt_int(unit.target))
    print_table(table)
    figure = check.figure
    console.print(
        f"Corporate figure: at most {fmt_int(figure.required_total)} crimes, {fmt_pct(figure.change, signed=True)} on "
        f"{fmt_int(figure.baseline_total)} ({esc(figure.basis)}).",
        highlight=False,
    )
    counted = (f"{fmt_int(check.slack)} crimes to spare" if check.meets else f"{fmt_int(-check.slack)} crimes over")
    console.print(
        f"The units' targets add up to {fmt_int(check.target_total)} ({fmt_pct(check.achieved_change, 2, signed=True)}): "
        f"corporate figure {_met(check.meets)}, {counted}.",
        highlight=False,
    )
    changes = check.changed_words()
    if changes:
        console.print(esc(changes[0].upper() + changes[1:] + "."), highlight=False)


@targets_app.command(PLAN_COMMAND)
@_user_errors
def plan_targets(
    plan_dir: Path = typer.Argument(..., metavar="PLAN_DIR", help="The plan folder: plan.yaml and its CSV tables."),
    measure: Optional[str] = typer.Option(None, "--measure", metavar="ID", help="The measure (needed when several have unit targets)."),
    method: Optional[str] = typer.Option(None, "--method", metavar="METHOD", help="What if: a fresh allocation by this method. " + METHOD_HELP),
    reduction: Optional[str] = typer.Option(None, "--reduction", metavar="FRACTION", help="What if: a fresh allocation of a corporate reduction other than the plan's (0.065 or 6.5%)."),
    floor: list[str] = typer.Option([], "--floor", metavar="UNIT=FRACTION", help="What if: a unit's floor, such as Westminster=8% or E09000033=0.08 (UNIT=none removes it). Repeat for more units."),
    cap: list[str] = typer.Option([], "--cap", metavar="UNIT=FRACTION", help="What if: a unit's cap, UNIT=FRACTION (or UNIT=none); a unit by code or name."),
    proposal: list[str] = typer.Option([], "--proposal", metavar="UNIT=FRACTION", help="What if: a unit's proposal, UNIT=FRACTION (or UNIT=none); a unit by code or name."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """The plan's own unit targets, checked against its force target: met or not, by how many crimes.

    The corporate figure is the units' baselines added up times (1 + the force
    target), a range's midpoint; the units whose targets differ from a fresh
    allocation of the plan's inputs are named.  A what-if option (--reduction,
    --method, --floor, --cap, --proposal) shows a fresh allocation instead,
    labelled as one, with the trajectory against any requirement; nothing is
    written to the plan.  Exit 3 if the caps make it infeasible.
    """
    if method is not None and method not in METHODS:
        fail(f"--method: unknown method (found {method!r}); accepted: {', '.join(METHODS)}")
    fraction = _reduction_option(reduction)
    if method is not None or fraction is not None or floor or cap or proposal:
        _fresh_plan_allocation(plan_dir, measure, method or "stretch", fraction, floor, cap, proposal, as_json)
        return
    from policingplan.targets import plan_check, plan_inputs
    from policingplan.targets.requirement import requirement_trajectory

    plan = _load(plan_dir)
    measure_id = plan_inputs.choose_measure(plan, measure)
    plan_inputs.force_target(plan, measure_id)  # a one-line error when there is none
    why_not = plan_check.checkable(plan, measure_id)
    if why_not is not None:
        fail(f"{plan_dir}: the plan's own {measure_id} unit targets cannot be checked against its force target: "
             f"{why_not}; accepted: a baseline and a change value for every unit in unit_targets.csv, or a fresh "
             f"allocation: policingplan targets allocate {plan_dir} --measure {measure_id}")
    check = plan_check.check_unit_targets(plan, measure_id)
    requirements = plan_inputs.requirements_for(plan, measure_id)
    trajectory = units_trajectory = None
    if requirements:
        trajectory = plan_inputs.plan_requirement_trajectory(plan, requirements[0])
        if not check.meets:
            inputs = plan_inputs.requirement_inputs(plan, requirements[0])
            units_trajectory = requirement_trajectory(inputs.baseline, inputs.latest_change, check.achieved_change,
                                                      inputs.required_change)
    texts, line = _attribution([plan.measure(measure_id).source])
    if as_json:
        data = {"plan": plan.id, "targets": "plan", **check.to_dict()}
        if trajectory is not None:
            data["requirement"] = {"id": requirements[0].id, **trajectory.to_dict()}
            if units_trajectory is not None:
                data["requirement"]["with_unit_targets"] = units_trajectory.to_dict()
        data[JSON_KEY] = texts
        print_json(data)
        return
    _print_check(check, f"{plan.name}: the plan's unit targets for {plan.measure(measure_id).name}, {plan.period}")
    if trajectory is not None:
        _print_trajectory(trajectory, requirements[0].name)
        if units_trajectory is not None:
            console.print(
                f"With the units' own targets ({fmt_pct(check.achieved_change, 2, signed=True)} in the year) the "
                f"projection is {fmt_pct(units_trajectory.projected_change, signed=True)}: requirement "
                f"{_met(units_trajectory.meets)}.",
                highlight=False,
            )
    _print_attribution(line)


# --- rate targets --------------------------------------------------------------------------------


@targets_app.command("rate")
@_user_errors
def rate_target(
    target_text: list[str] = typer.Option(["0.80", "0.85"], "--target", metavar="RATE", help="A candidate target rate, such as 0.80 or 80%; repeat for several."),
    true_rate_text: list[str] = typer.Option(["0.822", "0.855"], "--true-rate", metavar="RATE", help="A true detection rate to test, such as 0.822 or 82.2%; repeat for several."),
    volume: int = typer.Option(170, "--volume", metavar="CASES", help="Cases expected in the year (about 170 homicides in London)."),
    never: int = typer.Option(0, "--never-sanctionable", metavar="CASES", help="Cases that can never become a sanction detection (a suspect's suicide)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: one object per target and true rate."),
) -> None:
    """The chance of meeting a rate target, such as homicide sanction detections at 80% or 85%.

    The defaults are the report's case: about 170 homicides a year, and the
    true rates of 2007 (82.2%) and 2006 (85.5%).
    """
    from policingplan.targets.rate_targets import describe_rate_target, rate_target_table

    if volume < 1:
        fail(f"--volume: not a number of cases of 1 or more (found {volume}); accepted: a whole number such as 170")
    if not 0 <= never <= volume:
        fail(f"--never-sanctionable: {never} is outside 0 to the volume ({volume}); accepted: a whole number in that range")
    target, true_rate = ([parse_fraction(text, option, minimum=0, maximum=1, include_minimum=True,
                                         what="a rate between 0 and 1", accepted=RATE) for text in texts]
                         for option, texts in (("--target", target_text), ("--true-rate", true_rate_text)))
    chances = rate_target_table(target, true_rate, volume, (never,))
    if as_json:
        print_json([chance.to_dict() for chance in chances])
        return
    table = Table(title=f"Chance of meeting a rate target over {fmt_int(volume)} cases", title_justify="left")
    table.add_column("Target")
    for rate in true_rate:
        table.add_column(f"true rate {_given_pct(rate)}", justify="right")
    for goal in target:
        row = [c for c in chances if c.target_rate == goal]
        table.add_row(f"{_given_pct(goal)} or more", *(fmt_pct(c.probability, 0) for c in row))
    print_table(table)
    for chance in chances:
        console.print(esc(describe_rate_target(chance)), highlight=False)


# --- requirement ---------------------------------------------------------------------------------


@_user_errors
def requirement(
    plan_dir: Optional[Path] = typer.Argument(None, metavar="PLAN_DIR", help="A plan folder: use its requirement, outturns and force target."),
    baseline: Optional[float] = typer.Option(None, "--baseline", metavar="CRIMES", help="The requirement's baseline volume, such as 612000 (for the shortfall in crimes)."),
    latest_text: Optional[str] = typer.Option(None, "--latest-change", metavar="FRACTION", help="Cumulative change from the baseline so far, such as -0.134 or -13.4%."),
    planned_text: Optional[str] = typer.Option(None, "--planned-change", metavar="FRACTION", help="The change planned for the year, such as -0.055 or -5.5%."),
    required_text: Optional[str] = typer.Option(None, "--required-change", metavar="FRACTION", help="The cumulative change required, such as -0.194 or -19.4%."),
    requirement_id: Optional[str] = typer.Option(None, "--requirement", metavar="ID", help="With PLAN_DIR: which requirement (needed when there are several)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of sentences."),
) -> None:
    """Will the plan meet a multi-year requirement such as PSA1? The projection, the shortfall and the change needed.

    Give PLAN_DIR, or the figures: --latest-change, --planned-change and
    --required-change (signed fractions or percentages), with --baseline for
    the shortfall in crimes.  With PLAN_DIR the plan's own force target is
    projected, and a note says what the units' own targets would give where
    they do not add up to it.
    """
    from policingplan.targets import plan_inputs
    from policingplan.targets.requirement import requirement_trajectory

    latest_change, planned_change, required_change = (
        None if text is None else parse_fraction(text, option, minimum=-1, maximum=math.inf,
                                                 what="a change above -100%", accepted=CHANGE)
        for option, text in (("--latest-change", latest_text), ("--planned-change", planned_text),
                             ("--required-change", required_text)))
    figures = {"--baseline": baseline, "--latest-change": latest_change, "--planned-change": planned_change,
               "--required-change": required_change}
    if plan_dir is not None:
        given = [name for name, value in figures.items() if value is not None]
        if given:
            fail(f"{', '.join(given)}: give either PLAN_DIR or the figures, not both; accepted: PLAN_DIR alone, or the four options")
        plan = _load(plan_dir)
        chosen = [r for r in plan.requirements if requirement_id is None or r.id == requirement_id]
        if not plan.requirements:
            fail(f"{plan_dir}: the plan has no external requirement (plan.yaml, requirements); accepted: a plan with one, "
                 "such as examples/london-2007-08, or the figures --latest-change, --planned-change and --required-change")
        if not chosen:
            fail(f"{plan_dir}: no requirement {requirement_id!r} (--requirement); accepted: {', '.join(r.id for r in plan.requirements)}")
        if len(chosen) > 1:
            fail(f"{plan_dir}: the plan has several requirements; choose one with --requirement: {', '.join(r.id for r in chosen)}")
        found = chosen[0]
        trajectory = plan_inputs.plan_requirement_trajectory(plan, found)
        notes = plan_inputs.requirement_notes(plan, found) + _unit_target_note(plan, found)
        data = {
            **trajectory.to_dict(),
            "requirement": found.id,
            "measure": found.measure,
            "baseline_period": found.baseline_period,
            "deadline_period": found.deadline_period,
            "baseline": found.baseline,
            "latest_change": trajectory.latest_change,
            "planned_change": trajectory.planned_change,
            "required_change": trajectory.required_change,
            "notes": notes,
        }
        kinds = [plan.measure(found.measure).source]
        data[JSON_KEY] = _attribution(kinds)[0]
        name = found.name
    else:
        missing = [name for name, value in figures.items() if value is None and name != "--baseline"]
        if missing:
            fail(f"{', '.join(missing)}: missing; accepted: PLAN_DIR, or --latest-change, --planned-change and "
                 "--required-change as signed fractions (-0.134 is a 13.4% reduction), with --baseline")
        if baseline is not None and not (math.isfinite(baseline) and baseline > 0):
            fail(f"--baseline: not a number of crimes above 0 (found {baseline:g}); accepted: a volume such as 612000")
        try:
            trajectory = requirement_trajectory(baseline, latest_change, planned_change, required_change)
        except ValueError as exc:
            fail(f"{exc}")
        data, notes, name, kinds = trajectory.to_dict(), [], None, []
    if as_json:
        print_json(data)
        return
    _print_trajectory(trajectory, name)
    for note in notes:
        console.print(f"Note: {esc(note)}", highlight=False)
    _print_attribution(_attribution(kinds)[1])


def _unit_target_note(plan: Plan, requirement) -> list[str]:
    """Where the plan's own unit targets do not add up to its force target: what they would give."""
    from policingplan.targets import plan_check, plan_inputs
    from policingplan.targets.requirement import requirement_trajectory

    if requirement.measure not in plan_inputs.measures_with_unit_targets(plan):
        return []
    check = plan_check.check_unit_targets(plan, requirement.measure)
    if check is None or check.meets:
        return []
    inputs = plan_inputs.requirement_inputs(plan, requirement)
    with_units = requirement_trajectory(inputs.baseline, inputs.latest_change, check.achieved_change, inputs.required_change)
    return [f"The units' own targets add up to {fmt_pct(check.achieved_change, 2, signed=True)}, "
            f"{fmt_int(-check.slack)} crimes over the corporate figure: with them the projection is "
            f"{fmt_pct(with_units.projected_change, signed=True)}."]


# --- partners ------------------------------------------------------------------------------------


def _known_volumes(plan: Plan, measure_id: str) -> tuple[dict[str, dict[str, float]], list[str]]:
    """Each unit's volume by period for ``measure_id``, from the plan's data source of the measure's kind."""
    from policingplan.data.files import plan_data_files
    from policingplan.data.readers import read_source
    from policingplan.settings import data_dir
    from policingplan.targets.partners import unit_volumes_by_period

    measure = plan.measure(measure_id)
    count_rule = measure.rule.count if measure.rule is not None else None
    files = list(plan_data_files(plan, data_dir(), measure.source)) if measure.source else []
    if not measure.source or count_rule is None or not files:
        return {}, [f"No data source is given for {measure_id}, so partner targets on another baseline year cannot be converted."]
    records: list[dict] = []
    notes = []
    for kind, file, path in files:
        if not path.is_file():
            notes.append(f"{file} was not found in the data directory ({data_dir()}); set POLICINGPLAN_DATA_DIR.")
            continue
        result = read_source(kind, path)
        if not result.ok:
            notes.append(f"{file} could not be read: {result.problems.errors[0]}")
            continue
        records += result.table.to_pylist()
    return unit_volumes_by_period(records, count_rule), notes


def _print_partners(summary: PartnerAlignmentSummary, title: str, names: dict[str, str]) -> None:
    table = Table(title=title, title_justify="left")
    table.add_column("Unit", overflow="fold")
    table.add_column("Partner target", overflow="fold")
    table.add_column("As crimes", justify="right", overflow="fold")
    table.add_column("Unit target", justify="right", overflow="fold")
    table.add_column("Gap", justify="right", overflow="fold")
    table.add_column("Binds", overflow="fold")
    for a in summary.alignments:
        partner = f"{a.agreement} {fmt_pct(a.partner_change, signed=True)}" + (f" on {a.partner_baseline_period}" if a.partner_baseline_period else "")
        table.add_row(
            esc(_unit_label(a.unit, names)),
            esc(partner + (" (illustrative)" if a.illustrative else "")),
            "not comparable" if a.partner_volume is None else fmt_int(math.floor(a.partner_volume + 1e-7)),
            f"{fmt_int(a.unit_target)} ({fmt_pct(a.unit_change, signed=True)})",
            "–" if a.gap is None else f"{round(a.gap):+,}",
            a.binds or "–",
        )
    print_table(table)
    for a in summary.alignments:
        console.print(f"[bold]{esc(_unit_label(a.unit, names))}[/]: {esc(a.reason)}", highlight=False)
    own_slack = summary.required_total - summary.unit_total
    console.print(
        f"The units' own targets add up to {fmt_int(summary.unit_total)} crimes against at most "
        f"{fmt_int(summary.required_total)}: corporate figure {_met(own_slack >= 0)}, "
        f"{fmt_int(abs(own_slack))} crimes {'to spare' if own_slack >= 0 else 'over'}.",
        highlight=False,
    )
    console.print(
        f"Adopting every more stretching target: {fmt_int(summary.stretched_total)} crimes against at most "
        f"{fmt_int(summary.required_total)}: corporate figure {_met(summary.meets)}, "
        f"{fmt_int(abs(summary.slack))} crimes {'to spare' if summary.slack >= 0 else 'over'}.",
        highlight=False,
    )
    for note in summary.notes:
        console.print(f"Note: {esc(note)}", highlight=False)


@_user_errors
def partners(
    plan_dir: Path = typer.Argument(..., metavar="PLAN_DIR", help="The plan folder: its partner_targets.csv beside its unit targets."),
    measure: Optional[str] = typer.Option(None, "--measure", metavar="ID", help="The measure (needed when several have unit targets)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Set each unit's target beside the target it agreed with its partners (LAA/CDRP), as crimes in the plan's year.

    The unit targets are the plan's own where every one has a value, otherwise
    a stretch allocation of the force target (labelled as a fresh allocation).
    A partner target on another baseline year is converted with the unit's
    volumes from the plan's data.
    """
    from policingplan.targets import plan_inputs
    from policingplan.targets.allocation import allocate_unit_targets, required_total
    from policingplan.targets.partners import align_partner_targets, unit_target_volumes

    plan = _load(plan_dir)
    measure_id = plan_inputs.choose_measure(plan, measure)
    reduction = plan_inputs.corporate_reduction(plan, measure_id)
    units = plan_inputs.unit_inputs(plan, measure_id)
    notes: list[str] = []
    volumes = plan_inputs.plan_unit_target_volumes(plan, measure_id)
    if volumes is None:
        volumes = unit_target_volumes(allocate_unit_targets(units, reduction, "stretch"))
        notes.append(f"{FRESH}: not every unit target has a value, so the unit targets are a stretch allocation "
                     "of the force target.")
    known, data_notes = {}, []
    needs_data = [p for p in plan.partner_targets if p.measure == measure_id and p.baseline_period
                  and p.baseline_period != plan_inputs.baseline_period(plan, measure_id)]
    if needs_data:
        known, data_notes = _known_volumes(plan, measure_id)
    summary = align_partner_targets(
        volumes,
        required_total([u.baseline for u in units], reduction),
        plan.partner_targets,
        measure_id,
        plan.period,
        plan_inputs.baseline_period(plan, measure_id),
        unit_volumes=known,
    )
    all_notes = [*notes, *data_notes, *summary.notes]
    texts, line = _attribution([plan.measure(measure_id).source])
    if as_json:
        print_json({**summary.to_dict(), "unit_targets": "plan" if not notes else "fresh allocation",
                    "notes": all_notes, JSON_KEY: texts})
        return
    _print_partners(summary, f"{plan.name}: partner targets for {plan.measure(measure_id).name}, {plan.period}",
                    {u.code: u.name for u in plan.units})
    for note in notes + data_notes:
        console.print(f"Note: {esc(note)}", highlight=False)
    _print_attribution(line)


def register(app: typer.Typer) -> None:
    app.add_typer(targets_app, name="targets")
    app.command("requirement")(requirement)
    app.command("partners")(partners)
