"""``policingplan show``: the plan as a Rich tree (display only; the words are the plan service's)."""

from __future__ import annotations

from rich.markup import escape as esc
from rich.tree import Tree

from policingplan.formatting import fmt_date, fmt_int, fmt_money
from policingplan.plan.model import FORCE, Plan
from policingplan.services.plan import (
    describe_partner_target,
    describe_requirement,
    describe_target,
    peer_group_counts,
    unit_target_counts,
)


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{fmt_int(n)} {one if n == 1 else (many or one + 's')}"


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

    unit_targets = unit_target_counts(plan)
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
        listing = ", ".join(f"{fmt_int(n)} {esc(group)}" for group, n in peer_group_counts(plan).items())
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


__all__ = ["plan_tree"]
