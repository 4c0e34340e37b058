"""``policingplan validate``, ``show`` and ``schema``: the plan folder on the command line.

Thin glue over :mod:`policingplan.services.plan`; the tree that ``show`` prints is
in :mod:`policingplan.cli.plan_tree`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, Optional

import typer
from rich.markup import escape as esc

from policingplan.cli.common import EXIT_INVALID, console, err_console, fail, print_json, print_problems
from policingplan.formatting import fmt_int
from policingplan.problems import ProblemList, UserError

if TYPE_CHECKING:  # the service is imported by the command
    from policingplan.services.plan import PlanSummary

PLAN_DIR_HELP = "The plan folder: plan.yaml, the CSV tables and narrative/*.md."
VALIDATE_WAREHOUSE_HELP = (
    "The warehouse whose categories to check against the plan's counting rules (default: "
    "$POLICINGPLAN_WAREHOUSE or .policingplan/warehouse, where it exists).")


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{fmt_int(n)} {one if n == 1 else (many or one + 's')}"


def summary_line(summary: PlanSummary) -> str:
    """The plan's counts in one sentence."""
    return (
        f"{_count(summary.priorities, 'priority', 'priorities')}, "
        f"{_count(summary.objectives, 'objective')}, "
        f"{_count(summary.measures, 'measure')} ({_count(summary.cpas, 'CPA')}), "
        f"{_count(summary.targets, 'target')} ({fmt_int(summary.force_targets)} force, "
        f"{fmt_int(summary.unit_targets)} unit), "
        f"{_count(summary.units, 'unit')}, "
        f"{_count(summary.partner_targets, 'partner target')}"
    )


def report_invalid(plan_dir: Path, problems: ProblemList) -> NoReturn:
    """Every problem of a plan that cannot be read, then exit 1: one line when there is one."""
    errors, warnings = problems.errors, problems.warnings
    if len(errors) == 1 and not warnings:
        fail(str(errors[0]))
    print_problems(errors + warnings, heading=f"{plan_dir}: {_count(len(errors), 'error')}")
    raise typer.Exit(EXIT_INVALID)


def validate(
    plan_dir: Path = typer.Argument(..., help=PLAN_DIR_HELP),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", help=VALIDATE_WAREHOUSE_HELP),
) -> None:
    """Check a plan folder and report every problem found, each with its file and line.

    With a warehouse, also report, for each measure, the categories in the data that its
    counting rule neither names nor leaves out on purpose (a renamed category, say), as warnings.
    """
    from policingplan.services.plan import validate as validate_plan

    try:
        result = validate_plan(plan_dir, warehouse)
    except UserError as exc:
        fail(str(exc))
    if json_output:
        print_json(result)
        if not result.ok:
            raise typer.Exit(EXIT_INVALID)
        return
    if not result.ok:
        report_invalid(plan_dir, result.problems())
    warnings = result.problems().warnings
    summary, checked = result.summary, result.categories.warehouse
    if warnings:
        print_problems(warnings, heading=f"{plan_dir}: {_count(len(warnings), 'warning')}")
    console.print(
        f"[green]Valid:[/] {esc(summary.name)} ({summary.period}), version {esc(summary.version)}, {summary.status}",
        highlight=False,
    )
    console.print(summary_line(summary), highlight=False)
    if checked is not None and not result.categories.findings:
        console.print(f"Categories: the warehouse {esc(checked)} holds none that a counting rule leaves out "
                      "without a word", highlight=False, soft_wrap=True)


def show(
    plan_dir: Path = typer.Argument(..., help=PLAN_DIR_HELP),
    json_output: bool = typer.Option(False, "--json", help="Print the plan as JSON."),
) -> None:
    """Show a plan as a tree: priorities, objectives, measures (CPAs marked) and targets."""
    from policingplan.services.plan import InvalidPlan, show as show_plan

    try:
        plan = show_plan(plan_dir)
    except InvalidPlan as exc:
        report_invalid(plan_dir, ProblemList(exc.problems))
    if json_output:
        print_json(plan)
        return
    from policingplan.attribution import attribution_line
    from policingplan.cli.plan_tree import plan_tree

    console.print(plan_tree(plan), highlight=False)
    line = attribution_line(source.kind for source in plan.data_sources)
    if line:  # the plan's baselines and figures are drawn from these sources
        console.print(line, highlight=False, markup=False, soft_wrap=True)


def schema(
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the schema to this file."),
) -> None:
    """Print (or write) the JSON Schema of a plan, generated from the model."""
    from policingplan.services import plan as plan_service

    if output is None:
        print_json(plan_service.schema())
        return
    try:
        output.write_text(plan_service.schema_text(), encoding="utf-8")
    except OSError as exc:
        fail(f"{output}: cannot write the schema ({exc.strerror}); accepted: a path in an existing folder")
    err_console.print(f"Wrote {output}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
    app.command("show")(show)
    app.command("schema")(schema)
