"""``policingplan requirement`` and ``policingplan partners``: a requirement's trajectory, and unit
targets beside the targets agreed with partners.

Thin glue over :mod:`policingplan.services.targets`; registered by
:func:`policingplan.cli.targets_cmds.register`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Optional

import typer

from policingplan.cli.common import fail, print_json
from policingplan.cli.targets_common import load_plan, user_errors
from policingplan.cli.values import parse_fraction

CHANGE = "a signed fraction above -1, such as -0.134, or a percentage such as -13.4%, for a 13.4% reduction"
PARTNERS_WAREHOUSE_HELP = (
    "The warehouse to count the units' volumes in, for a partner target on another baseline year (default: "
    "$POLICINGPLAN_WAREHOUSE or .policingplan/warehouse); when it holds none of the measure's source, the "
    "plan's data files are counted in a temporary one.")


@user_errors
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
    from policingplan.cli.targets_print import print_requirement
    from policingplan.services import targets

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
        result = targets.plan_requirement(load_plan(plan_dir), requirement_id, plan_label=str(plan_dir))
        if as_json:
            print_json(result)
        else:
            print_requirement(result, result.name, result.notes, result.attribution_line)
        return
    missing = [name for name, value in figures.items() if value is None and name != "--baseline"]
    if missing:
        fail(f"{', '.join(missing)}: missing; accepted: PLAN_DIR, or --latest-change, --planned-change and "
             "--required-change as signed fractions (-0.134 is a 13.4% reduction), with --baseline")
    trajectory = targets.requirement_from_figures(baseline, latest_change, planned_change, required_change)
    if as_json:
        print_json(trajectory)
    else:
        print_requirement(trajectory)


@user_errors
def partners(
    plan_dir: Path = typer.Argument(..., metavar="PLAN_DIR", help="The plan folder: its partner_targets.csv beside its unit targets."),
    measure: Optional[str] = typer.Option(None, "--measure", metavar="ID", help="The measure (needed when several have unit targets)."),
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", metavar="DIR", help=PARTNERS_WAREHOUSE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Set each unit's target beside the target it agreed with its partners (LAA/CDRP), as crimes in the plan's year.

    The unit targets are the plan's own where every one has a value, otherwise
    a stretch allocation of the force target (labelled as a fresh allocation).
    A partner target on another baseline year is converted with the unit's
    volumes, counted by the plan's counting rules as the measures are.
    """
    from policingplan.cli.targets_print import print_partners
    from policingplan.services import targets

    summary = targets.partner_alignment(load_plan(plan_dir), measure, warehouse_dir=warehouse)
    if as_json:
        print_json(summary)
    else:
        print_partners(summary)
