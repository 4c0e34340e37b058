"""``policingplan validate``, ``show`` and ``schema``: the plan folder on the command line."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import NoReturn, Optional

import typer
from rich.markup import escape as esc
from rich.tree import Tree

from policingplan import settings
from policingplan.cli.common import EXIT_INVALID, console, err_console, fail, print_json, print_problems
from policingplan.formatting import fmt_date, fmt_int, fmt_money
from policingplan.plan.describe import (
    describe_partner_target,
    describe_requirement,
    describe_target,
)
from policingplan.plan.io import read_plan
from policingplan.plan.model import FORCE, Plan
from policingplan.plan.schema import plan_json_schema, plan_json_schema_text
from policingplan.plan.validate import plan_summary
from policingplan.problems import Problem, ProblemList

PLAN_DIR_HELP = "The plan folder: plan.yaml, the CSV tables and narrative/*.md."
VALIDATE_WAREHOUSE_HELP = (
    "The warehouse whose categories to check against the plan's counting rules (default: "
    "$POLICINGPLAN_WAREHOUSE or .policingplan/warehouse, where it exists).")


def _problem_json(problem: Problem) -> dict:
    data = problem.to_dict()
    return {key: data[key] for key in ("file", "line", "column", "value", "message", "accepted", "held_back")}


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{fmt_int(n)} {one if n == 1 else (many or one + 's')}"


def summary_line(summary: dict) -> str:
    """The plan's counts in one sentence."""
    return (
        f"{_count(summary['priorities'], 'priority', 'priorities')}, "
        f"{_count(summary['objectives'], 'objective')}, "
        f"{_count(summary['measures'], 'measure')} ({_count(summary['cpas'], 'CPA')}), "
        f"{_count(summary['targets'], 'target')} ({fmt_int(summary['force_targets'])} force, "
        f"{fmt_int(summary['unit_targets'])} unit), "
        f"{_count(summary['units'], 'unit')}, "
        f"{_count(summary['partner_targets'], 'partner target')}"
    )


def report_invalid(plan_dir: Path, problems: ProblemList) -> NoReturn:
    """Every problem of a plan that cannot be read, then exit 1: one line when there is one."""
    errors, warnings = problems.errors, problems.warnings
    if len(errors) == 1 and not warnings:
        fail(str(errors[0]))
    print_problems(errors + warnings, heading=f"{plan_dir}: {_count(len(errors), 'error')}")
    raise typer.Exit(EXIT_INVALID)


def _check_categories(plan: Plan, warehouse: Optional[Path]) -> tuple[str | None, list, list[Problem]]:
    """The plan's counting rules against the categories in the warehouse (docs/categories.md).

    Returns the warehouse checked (``None`` when none was, or it holds none of the kinds that
    the rules count by category), the findings, and the warnings to print.
    """
    directory = warehouse if warehouse is not None else settings.warehouse_dir()
    if directory.exists() and not directory.is_dir():
        fail(f"--warehouse {directory}: this is a file, not a folder; accepted: a warehouse folder, "
             f"as 'policingplan data load --plan PLAN_DIR --warehouse DIR' fills")
    if not directory.is_dir():
        if warehouse is None:
            return None, [], []
        return None, [], [Problem(
            f"the warehouse {directory} does not exist, so the categories in the data were not checked "
            "against the counting rules", column="--warehouse", value=str(directory),
            accepted="a warehouse folder, as 'policingplan data load --plan PLAN_DIR --warehouse DIR' fills",
            severity="warning")]
    from dataclasses import replace

    from policingplan.data.drift import CHECKED_KINDS, not_counted_problems, warehouse_drift
    from policingplan.data.readers import ATTRIBUTES
    from policingplan.data.warehouse import Warehouse

    store = Warehouse(directory)
    problems = [replace(problem, severity="warning") for measure in plan.measures
                if measure.rule is not None and measure.source in ATTRIBUTES
                for problem in not_counted_problems(measure, ATTRIBUTES[measure.source])]
    counted = {m.source for m in plan.measures if m.rule is not None} & set(CHECKED_KINDS)
    if not counted & store.loaded_kinds():
        return None, [], problems
    findings = warehouse_drift(store, plan.measures)
    return str(directory), findings, problems + [finding.problem() for finding in findings]


def validate(
    plan_dir: Path = typer.Argument(..., help=PLAN_DIR_HELP),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", help=VALIDATE_WAREHOUSE_HELP),
) -> None:
    """Check a plan folder and report every problem found, each with its file and line.

    With a warehouse, also report, for each measure, the categories in the data that its
    counting rule neither names nor leaves out on purpose (a renamed category, say), as warnings.
    """
    plan, problems = read_plan(plan_dir)
    errors, warnings = problems.errors, problems.warnings
    summary = plan_summary(plan) if plan is not None else None
    checked, findings = None, []
    if plan is not None:
        checked, findings, category_warnings = _check_categories(plan, warehouse)
        warnings = warnings + category_warnings
        from policingplan.targets.plan_check import unit_target_problems  # the plan as a whole: unit targets meet the force's

        unmet = unit_target_problems(plan)
        if unmet:
            errors, problems, plan = errors + unmet, ProblemList([*errors, *unmet, *warnings]), None
    if json_output:
        print_json(
            {
                "ok": plan is not None,
                "summary": summary,
                "errors": [_problem_json(p) for p in errors],
                "warnings": [_problem_json(p) for p in warnings],
                "categories": {"warehouse": checked, "findings": [f.to_dict() for f in findings]},
            }
        )
        if plan is None:
            raise typer.Exit(EXIT_INVALID)
        return
    if plan is None:
        report_invalid(plan_dir, problems)
    if warnings:
        print_problems(warnings, heading=f"{plan_dir}: {_count(len(warnings), 'warning')}")
    console.print(
        f"[green]Valid:[/] {esc(plan.name)} ({plan.period}), version {esc(plan.version)}, {plan.status}", highlight=False
    )
    console.print(summary_line(summary), highlight=False)
    if checked is not None and not findings:
        console.print(f"Categories: the warehouse {esc(checked)} holds none that a counting rule leaves out "
                      "without a word", highlight=False, soft_wrap=True)


def _measure_label(plan: Plan, measure_id: str) -> str:
    try:
        measure = plan.measure(measure_id)
    except KeyError:
        return esc(measure_id)
    label = f"{esc(measure.name)} [dim]({esc(measure.id)})[/]"
    if measure.cpa:
        label = f"[bold magenta]CPA[/] {label}"
    return label


def plan_tree(plan: Plan) -> Tree:
    """The plan as a Rich tree: priorities → objectives → measures → targets, and the rest."""
    title = f"[bold]{esc(plan.name)}[/] ({plan.period}), {esc(plan.organisation)}"
    tree = Tree(title)
    if plan.strategy:
        s = plan.strategy
        agreed = f", agreed {esc(s.agreed)}" if s.agreed else ""
        tree.add(f"Strategy: {esc(s.name)}, {s.first_year} to {s.last_year}{agreed}")
    tree.add(f"Version {plan.version}, {plan.status}" + (" (illustrative plan)" if plan.illustrative else ""))

    unit_targets = Counter(t.measure for t in plan.targets if t.scope != FORCE)
    priorities = tree.add("[bold]Strategic priorities[/]")
    for priority in plan.priorities:
        p_node = priorities.add(f"[bold]{esc(priority.name)}[/]")
        for plan_name in priority.delivery_plans:
            p_node.add(f"[dim]Delivery plan:[/] {esc(plan_name)}")
        for objective in priority.objectives:
            o_node = p_node.add(f"Objective: {esc(objective.name)}")
            for measure_id in objective.measures:
                m_node = o_node.add(_measure_label(plan, measure_id))
                measure = next((m for m in plan.measures if m.id == measure_id), None)
                for target in plan.targets_for(measure_id, FORCE):
                    t_node = m_node.add(f"Force target {esc(describe_target(target, measure))}")
                    for activity in target.activities:
                        extra = f" [dim]Resources: {esc(activity.resources)}[/]" if activity.resources else ""
                        t_node.add(f"Activity: {esc(activity.description)}{extra}")
                if unit_targets.get(measure_id):
                    m_node.add(f"{_count(unit_targets[measure_id], 'unit target')}")

    if plan.requirements:
        node = tree.add("[bold]External requirements[/]")
        for requirement in plan.requirements:
            node.add(esc(describe_requirement(requirement)))
    if plan.units:
        groups = Counter(u.peer_group or "no peer group" for u in plan.units)
        listing = ", ".join(f"{fmt_int(n)} {esc(group)}" for group, n in sorted(groups.items()))
        tree.add(f"[bold]Units[/]: {fmt_int(len(plan.units))} ({listing})")
    if plan.partner_targets:
        names = {u.code: u.name for u in plan.units}
        node = tree.add("[bold]Partner targets[/]")
        for partner in plan.partner_targets:
            node.add(esc(describe_partner_target(partner, names.get(partner.unit))))
    if plan.narrative:
        node = tree.add("[bold]Narrative[/]")
        for section in plan.narrative:
            node.add(f"{esc(section.title)} [dim]({esc(section.file)})[/]")
    if plan.investments:
        node = tree.add("[bold]Investments[/]")
        for investment in plan.investments:
            condition = f". {esc(investment.condition)}" if investment.condition else ""
            node.add(f"{esc(investment.name)}: {fmt_money(investment.amount)}{condition}")
    if plan.milestones:
        node = tree.add("[bold]Milestones[/]")
        for milestone in plan.milestones:
            done = " (done)" if milestone.done else ""
            node.add(f"{fmt_date(milestone.due)}: {esc(milestone.name)}{done}")
    if plan.amendments:
        node = tree.add("[bold]Version history[/]")
        for amendment in plan.amendments:
            meeting = f", {esc(amendment.meeting)}" if amendment.meeting else ""
            a_node = node.add(f"{esc(amendment.version)} ({fmt_date(amendment.date)}{meeting}): {esc(amendment.summary)}")
            if amendment.reason:
                a_node.add(f"[dim]Why:[/] {esc(amendment.reason)}")
            for change in amendment.changes:
                a_node.add(esc(change))
    return tree


def show(
    plan_dir: Path = typer.Argument(..., help=PLAN_DIR_HELP),
    json_output: bool = typer.Option(False, "--json", help="Print the plan as JSON."),
) -> None:
    """Show a plan as a tree: priorities, objectives, measures (CPAs marked) and targets."""
    plan, problems = read_plan(plan_dir)
    if plan is None:
        report_invalid(plan_dir, problems)
    if json_output:
        print_json(plan.model_dump(mode="json"))
        return
    console.print(plan_tree(plan), highlight=False)
    from policingplan.attribution import attribution_line

    line = attribution_line(source.kind for source in plan.data_sources)
    if line:  # the plan's baselines and figures are drawn from these sources
        console.print(line, highlight=False, markup=False, soft_wrap=True)


def schema(
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the schema to this file."),
) -> None:
    """Print (or write) the JSON Schema of a plan, generated from the model."""
    if output is None:
        print_json(plan_json_schema())
        return
    try:
        output.write_text(plan_json_schema_text(), encoding="utf-8")
    except OSError as exc:
        fail(f"{output}: cannot write the schema ({exc.strerror}); accepted: a path in an existing folder")
    err_console.print(f"Wrote {output}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
    app.command("show")(show)
    app.command("schema")(schema)
