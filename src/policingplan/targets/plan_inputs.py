"""Target-setting inputs taken from a plan: its unit targets, units, force targets and requirements.

Pure: it takes a :class:`~policingplan.plan.model.Plan` already read.  Every
problem is a :class:`~policingplan.problems.UserError` that names the plan
field at fault.
"""

from __future__ import annotations

import math
from typing import Optional

from policingplan.formatting import fmt_pct
from policingplan.plan.model import FORCE, ExternalRequirement, Plan, Polarity, Target, TargetKind
from policingplan.plan import target_meaning
from policingplan.problems import UserError
from policingplan.periods import FinancialYear, PeriodError
from policingplan.results import Notice, notice, register_notices
from policingplan.targets.allocation import UnitInput
from policingplan.targets.partners import UnitTargetVolume
from policingplan.targets.requirement import RequirementTrajectory, requirement_trajectory
from policingplan.targets.whatif import RequirementInputs


register_notices({
    "targets.requirement-outturn": "{requirement}: {change_text} by {period} against {baseline_period}; the plan's "
                                   "{plan_period} force target is applied to that.",
    "targets.outturn-years-between": "The latest outturn is for {period}, not the year before {plan_period}: the years "
                                     "between are taken as no change.",
    "targets.deadline-not-plan-year": "The requirement's deadline is {deadline_period}; this projects to the end of "
                                      "{plan_period} only.",
})


def measures_with_unit_targets(plan: Plan) -> list[str]:
    """The measures that have unit targets in the plan's period, in plan order."""
    ids = {t.measure for t in plan.targets if t.scope != FORCE and t.period == plan.period}
    return [m.id for m in plan.measures if m.id in ids]


def choose_measure(plan: Plan, measure: Optional[str]) -> str:
    """``measure`` if the plan has unit targets for it, or the only measure that has them."""
    candidates = measures_with_unit_targets(plan)
    if measure is not None:
        if measure not in candidates:
            raise UserError(
                f"the plan {plan.id} has no unit targets for {plan.period} for the measure {measure!r}; "
                f"accepted: {', '.join(candidates) or 'none (add unit targets to unit_targets.csv)'}"
            )
        return measure
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise UserError(f"unit_targets.csv: the plan {plan.id} has no unit targets for {plan.period}; "
                        "accepted: one row per unit (measure, scope, period, kind, baseline_period, baseline, value)")
    raise UserError(f"--measure: the plan {plan.id} has unit targets for several measures, so choose one; "
                    f"accepted: {', '.join(candidates)}")


def force_target(plan: Plan, measure: str) -> Target:
    for target in plan.targets_for(measure, FORCE):
        if target.period == plan.period:
            return target
    raise UserError(f"plan.yaml, targets: the plan {plan.id} has no force target for {measure} in {plan.period}; "
                    f"accepted: a target with measure {measure}, scope force and period {plan.period}")


def planned_change(target: Target) -> float:
    """The force target as a signed change: its value, or the midpoint of a range
    (decided in :mod:`policingplan.plan.target_meaning`)."""
    change = target_meaning.planned_change(target)
    if change is not None:
        return change
    raise UserError(
        f"the force target for {target.measure} in {target.period} is a {target.kind} target; "
        "accepted: a change (value) or a range (minimum and maximum) of signed fractions"
    )


def corporate_reduction(plan: Plan, measure: str) -> float:
    """The force target for ``measure`` as a positive reduction (a range gives its midpoint)."""
    return -planned_change(force_target(plan, measure))


def unit_targets(plan: Plan, measure: str) -> list[Target]:
    return [t for t in plan.targets_for(measure) if t.scope != FORCE and t.period == plan.period]


def unit_inputs(plan: Plan, measure: str) -> list[UnitInput]:
    """Each unit's baseline, proposal, floor and cap from its target; population and peer group from the unit."""
    units = {u.code: u for u in plan.units}
    inputs = []
    for target in unit_targets(plan, measure):
        if target.baseline is None:
            raise UserError(
                f"unit_targets.csv: the {measure} target for {target.scope} has no baseline; "
                "accepted: the unit's volume in the baseline period, such as 21384"
            )
        unit = units.get(target.scope)
        inputs.append(
            UnitInput(
                unit=target.scope,
                baseline=float(target.baseline),
                population=None if unit is None else unit.population,
                peer_group=None if unit is None else unit.peer_group,
                proposed_reduction=target.proposed_reduction,
                min_reduction=target.min_reduction,
                max_reduction=target.max_reduction,
            )
        )
    return inputs


def plan_unit_target_volumes(plan: Plan, measure: str) -> Optional[list[UnitTargetVolume]]:
    """The plan's own unit targets as whole crimes (baseline × (1 + value), rounded down),
    or ``None`` unless every unit target has a change value."""
    volumes = []
    for target in unit_targets(plan, measure):
        if target.kind != TargetKind.change.value or target.value is None or target.baseline is None:
            return None
        volumes.append(
            UnitTargetVolume(target.scope, float(target.baseline), int(math.floor(target.baseline * (1 + target.value) + 1e-7)))
        )
    return volumes


def baseline_period(plan: Plan, measure: str) -> str:
    """The baseline period the unit targets share (the year before the plan's, if they name none)."""
    periods = {t.baseline_period for t in unit_targets(plan, measure) if t.baseline_period}
    if len(periods) > 1:
        raise UserError(
            f"the {measure} unit targets use several baseline periods ({', '.join(sorted(periods))}); "
            "accepted: one baseline period for every unit"
        )
    if periods:
        return periods.pop()
    return str(FinancialYear(plan.period) - 1)


def requirements_for(plan: Plan, measure: str) -> list[ExternalRequirement]:
    return [r for r in plan.requirements if r.measure == measure]


def latest_outturn(requirement: ExternalRequirement, plan_period: str) -> tuple[str, float]:
    """The latest outturn before ``plan_period``: its period and cumulative change."""
    before = []
    for period, change in requirement.outturns.items():
        try:
            if FinancialYear(period) < FinancialYear(plan_period):
                before.append((FinancialYear(period), period, change))
        except PeriodError:
            continue
    if not before:
        raise UserError(
            f"the requirement {requirement.id} has no outturn before {plan_period}; "
            "accepted: outturns such as '2006/07: -0.134' (cumulative change from its baseline)"
        )
    _, period, change = max(before)
    return period, float(change)


def requirement_inputs(plan: Plan, requirement: ExternalRequirement) -> RequirementInputs:
    _, latest = latest_outturn(requirement, plan.period)
    return RequirementInputs(baseline=requirement.baseline, latest_change=latest, required_change=requirement.required_change)


def plan_requirement_trajectory(plan: Plan, requirement: ExternalRequirement) -> RequirementTrajectory:
    """The requirement projected through the plan's force target for its measure."""
    inputs = requirement_inputs(plan, requirement)
    polarity = plan.measure(requirement.measure).polarity
    return requirement_trajectory(
        inputs.baseline,
        inputs.latest_change,
        planned_change(force_target(plan, requirement.measure)),
        inputs.required_change,
        lower_is_better=polarity != Polarity.higher.value,
    )


def requirement_notes(plan: Plan, requirement: ExternalRequirement) -> list[Notice]:
    """What the reader should know about the projection: which outturn, which years (codes
    ``targets.requirement-outturn``, ``targets.outturn-years-between``, ``targets.deadline-not-plan-year``)."""
    period, change = latest_outturn(requirement, plan.period)
    notes = [notice("targets.requirement-outturn", requirement=requirement.name, requirement_id=requirement.id,
                    change=change, change_text=fmt_pct(change, signed=True), period=period,
                    baseline_period=requirement.baseline_period, plan_period=plan.period)]
    if FinancialYear(period) + 1 != FinancialYear(plan.period):
        notes.append(notice("targets.outturn-years-between", period=period, plan_period=plan.period))
    try:
        deadline_differs = FinancialYear(requirement.deadline_period) != FinancialYear(plan.period)
    except PeriodError:
        deadline_differs = True
    if deadline_differs:
        notes.append(notice("targets.deadline-not-plan-year", deadline_period=requirement.deadline_period,
                            plan_period=plan.period))
    return notes
