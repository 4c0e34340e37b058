"""``policingplan targets``: the plan's own unit targets checked, a fresh allocation, and rate targets.

Thin glue over :mod:`policingplan.services.targets`: parse the options, call the
service, print its result (:mod:`policingplan.cli.targets_print`) or its JSON.
``requirement`` and ``partners`` are in :mod:`policingplan.cli.targets_partners`;
:func:`register` adds them all.  See ``docs/target-setting.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from typer.core import TyperGroup

from policingplan.cli.common import EXIT_INFEASIBLE, fail, print_json
from policingplan.cli.targets_common import REDUCTION, load_plan, reduction_option, user_errors
from policingplan.cli.values import parse_fraction, parse_unit_fractions

RATE = "a rate from 0 to 1, as a fraction such as 0.80 or a percentage such as 80%"
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


def _check_method(method: Optional[str]) -> None:
    if method is not None and method not in METHODS:
        fail(f"--method: unknown method (found {method!r}); accepted: {', '.join(METHODS)}")


@targets_app.command("allocate")
@user_errors
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
    _check_method(method)
    fraction = reduction_option(reduction)
    if source.is_dir():
        _fresh_plan_allocation(source, measure, method, fraction, [], [], [], as_json)
        return
    if measure is not None:
        fail(f"--measure: only with a PLAN_DIR (found {measure!r} with the file {source}); accepted: a plan folder, "
             "or no --measure with a units CSV")
    if fraction is None:
        fail(f"--reduction: missing; accepted: {REDUCTION} (needed with a units CSV)")
    from policingplan.cli.targets_print import print_allocation
    from policingplan.services import targets

    allocation = targets.allocate_from_path(source, fraction, method)
    if as_json:
        print_json(allocation)
    else:
        print_allocation(allocation, f"{source.name}: unit targets")
    if not allocation.feasible:
        raise typer.Exit(EXIT_INFEASIBLE)


def _fresh_plan_allocation(
    plan_dir: Path, measure: Optional[str], method: str, reduction: Optional[float],
    floor: list[str], cap: list[str], proposal: list[str], as_json: bool,
) -> None:
    """A fresh allocation of the plan's inputs, with any what-if changes; labelled as not the plan's targets."""
    from policingplan.cli.targets_print import print_fresh_allocation
    from policingplan.services import targets

    plan = load_plan(plan_dir)
    known = targets.allocation_units(plan, measure)
    result = targets.fresh_plan_allocation(
        plan, measure, method, reduction,
        floors=parse_unit_fractions(floor, known, "--floor"),
        caps=parse_unit_fractions(cap, known, "--cap"),
        proposals=parse_unit_fractions(proposal, known, "--proposal"),
    )
    if as_json:
        print_json(result)
    else:
        print_fresh_allocation(result, what_if=reduction is not None or bool(floor or cap or proposal))
    if not result.feasible:
        raise typer.Exit(EXIT_INFEASIBLE)


@targets_app.command(PLAN_COMMAND)
@user_errors
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
    _check_method(method)
    fraction = reduction_option(reduction)
    if method is not None or fraction is not None or floor or cap or proposal:
        _fresh_plan_allocation(plan_dir, measure, method or "stretch", fraction, floor, cap, proposal, as_json)
        return
    from policingplan.cli.targets_print import print_check
    from policingplan.services import targets

    check = targets.plan_targets_check(load_plan(plan_dir), measure, plan_label=str(plan_dir))
    if as_json:
        print_json(check)
    else:
        print_check(check)


@targets_app.command("rate")
@user_errors
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
    if volume < 1:
        fail(f"--volume: not a number of cases of 1 or more (found {volume}); accepted: a whole number such as 170")
    if not 0 <= never <= volume:
        fail(f"--never-sanctionable: {never} is outside 0 to the volume ({volume}); accepted: a whole number in that range")
    target, true_rate = ([parse_fraction(text, option, minimum=0, maximum=1, include_minimum=True,
                                         what="a rate between 0 and 1", accepted=RATE) for text in texts]
                         for option, texts in (("--target", target_text), ("--true-rate", true_rate_text)))
    from policingplan.cli.targets_print import print_rate_table
    from policingplan.services import targets

    result = targets.rate_target_chances(target, true_rate, volume, never)
    if as_json:
        print_json(result.chances)
    else:
        print_rate_table(result)


def register(app: typer.Typer) -> None:
    from policingplan.cli import targets_partners

    app.add_typer(targets_app, name="targets")
    app.command("requirement")(targets_partners.requirement)
    app.command("partners")(targets_partners.partners)
