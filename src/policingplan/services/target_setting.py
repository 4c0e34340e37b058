"""Target setting as the web application's pages show it: the figures that
:mod:`policingplan.services.targets` computes, with the few a page needs beside them.

- :func:`target_measures`: the measures that have unit targets in the plan's year, with
  their force target in words and how many units and partner targets each has;
- :func:`plan_target_setting`: the plan's own unit targets checked against the corporate
  figure (:func:`~policingplan.services.targets.plan_targets_check`), each with the reason
  the plan gives for it;
- :func:`what_if_target_setting`: a fresh allocation with what-if changes
  (:func:`~policingplan.services.targets.fresh_plan_allocation`): one floor or cap for
  every unit, or a unit's own, and each unit's target beside the plan's own; with the crimes
  to spare or over that the allocation leaves;
- :func:`requirement_track`: a requirement (PSA1) as a trajectory of years, from its
  baseline through its outturns and the plan's year to its deadline, in crimes where the
  baseline volume is known (:func:`~policingplan.services.targets.plan_requirement`).

Every figure comes from the services and the pure core; nothing here reads a file.
"""

from __future__ import annotations

from typing import Mapping, Optional, Union

from pydantic import Field

from policingplan.formatting import fmt_pct
from policingplan.plan.model import FORCE, Plan
from policingplan.results import Result

Number = Union[int, float]


class MeasureChoice(Result):
    """A measure with unit targets in the plan's year."""

    id: str
    name: str
    cpa: bool
    force_target: Optional[str] = Field(description="The force target in words, such as '5% on 2022/23'.")
    units: int = Field(description="How many units have a target for it in the plan's year.")
    partner_targets: int = Field(description="How many partner (LAA, CSP) targets the plan records for it.")


class MeasureChoices(Result):
    """The measures a page of target setting can show, in plan order."""

    plan: str
    period: str
    measures: list[MeasureChoice]
    plan_name: str = Field(exclude=True)


class SettingRow(Result):
    """One unit's target: the plan's own, or a fresh allocation's beside the plan's own."""

    unit: str
    name: Optional[str]
    baseline: Number
    change: float = Field(description="The target's change on the baseline (signed: -0.05 is a 5% reduction).")
    target: int
    reason: Optional[str] = Field(description="Why: the plan's rationale, or the allocation's reason.")
    plan_target: Optional[int] = Field(None, description="The plan's own target (in a fresh allocation).")
    difference: Optional[int] = Field(None, description="target - plan_target (negative: fewer crimes than the plan's).")
    floor: Optional[float] = Field(None, description="The smallest reduction the unit is given (positive fraction).")
    cap: Optional[float] = Field(None, description="The largest reduction the unit is given (positive fraction).")
    proposal: Optional[float] = Field(None, description="The unit's own proposal (positive fraction).")


class TrackStep(Result):
    """A year on a requirement's trajectory: the cumulative change from its baseline, and the crimes."""

    period: str
    what: str = Field(description="baseline, outturn, projected or required.")
    change: float
    volume: Optional[int] = Field(description="The baseline volume changed by ``change``, where the baseline is known.")


class TargetSettingTable(Result):
    """The unit targets of one measure against the corporate figure: the plan's own, or a what-if."""

    what_if: bool = Field(description="A fresh allocation with what-if changes, not the plan's own targets.")
    plan: str
    measure: str
    period: str
    method: Optional[str] = Field(description="The allocation method (for the plan's own: the one that reproduces most).")
    reduction: float = Field(description="The corporate reduction (positive: 0.05 is -5%).")
    basis: Optional[str] = Field(description="Where the corporate figure comes from, in words.")
    baseline_total: Number
    required_total: int = Field(description="The most crimes the units' targets may add up to.")
    target_total: int
    achieved_change: float = Field(description="The units' targets' change on the baseline, together (signed).")
    meets: bool
    slack: int = Field(description="required_total - target_total: crimes to spare (negative: over).")
    margin: int = Field(description="The slack without its sign.")
    feasible: bool
    infeasible_reason: Optional[str]
    best_reachable_reduction: Optional[float] = Field(description="The largest reduction the caps allow (what-if).")
    units: list[SettingRow]
    plan_target_total: Optional[int] = Field(description="The plan's own unit targets added up.")
    differ_from_plan: int = Field(description="How many units' targets here are not the plan's own.")
    allocation_words: Optional[str] = Field(description="How the plan's targets compare with a fresh allocation.")
    requirement: Optional[list[TrackStep]] = Field(description="The measure's requirement with this reduction, if any.")
    requirement_name: Optional[str]
    requirement_meets: Optional[bool]
    requirement_shortfall: Optional[int]
    requirement_in_year_change: Optional[float]
    notes: list[str]
    attribution: list[str]
    plan_name: str = Field(exclude=True)
    measure_name: str = Field(exclude=True)


class RequirementTrack(Result):
    """A requirement's trajectory: the years from its baseline to its deadline, and the gap."""

    requirement: str
    name: str
    measure: str
    measure_name: str
    baseline_period: str
    deadline_period: str
    baseline: Optional[Number]
    steps: list[TrackStep]
    latest_change: float
    planned_change: float
    projected_change: float
    required_change: float
    meets: bool
    shortfall: Optional[int] = Field(description="Crimes over the required volume at the deadline (0 when met).")
    required_in_year_change: float
    gap: float = Field(description="projected_change - required_change (positive: short of the requirement).")
    notes: list[str]
    source: Optional[str]
    attribution: list[str]


def _whole(value: float) -> Number:
    return int(value) if float(value).is_integer() else value


def _volume(baseline: Optional[float], change: float) -> Optional[int]:
    return None if baseline is None else int(round(baseline * (1 + change)))


def target_measures(plan: Plan) -> MeasureChoices:
    """The measures with unit targets in the plan's year (in plan order), with their force target in words."""
    from policingplan.services.plan import describe_target
    from policingplan.targets import plan_inputs

    choices = []
    for measure_id in plan_inputs.measures_with_unit_targets(plan):
        measure = plan.measure(measure_id)
        force = next((t for t in plan.targets_for(measure_id, FORCE) if t.period == plan.period), None)
        choices.append(MeasureChoice(
            id=measure_id, name=measure.name, cpa=bool(measure.cpa),
            force_target=None if force is None else describe_target(force, measure),
            units=len(plan_inputs.unit_targets(plan, measure_id)),
            partner_targets=sum(1 for p in plan.partner_targets if p.measure == measure_id)))
    return MeasureChoices(plan=plan.id, period=plan.period, measures=choices, plan_name=plan.name)


def _inputs(plan: Plan, measure_id: str) -> dict:
    from policingplan.targets import plan_inputs

    return {u.unit: u for u in plan_inputs.unit_inputs(plan, measure_id)}


def _steps(requirement, plan: Plan, projected_change: float) -> list[TrackStep]:
    """The requirement's years: its baseline, its outturns before the plan's year, the projection, the requirement."""
    from policingplan.periods import FinancialYear, PeriodError

    steps = [TrackStep(period=requirement.baseline_period, what="baseline", change=0.0,
                       volume=_volume(requirement.baseline, 0.0))]
    outturns = []
    for period, change in requirement.outturns.items():
        try:
            if FinancialYear(period) < FinancialYear(plan.period):
                outturns.append((FinancialYear(period), period, float(change)))
        except PeriodError:  # a period the plan's validation reports
            continue
    steps += [TrackStep(period=period, what="outturn", change=change, volume=_volume(requirement.baseline, change))
              for _, period, change in sorted(outturns)]
    steps.append(TrackStep(period=plan.period, what="projected", change=projected_change,
                           volume=_volume(requirement.baseline, projected_change)))
    steps.append(TrackStep(period=requirement.deadline_period, what="required", change=requirement.required_change,
                           volume=_volume(requirement.baseline, requirement.required_change)))
    return steps


def plan_target_setting(plan: Plan, measure: str, plan_label: Optional[str] = None) -> TargetSettingTable:
    """The plan's own unit targets for ``measure`` against its corporate figure, each with the plan's reason."""
    from policingplan.services.targets import plan_targets_check
    from policingplan.targets import plan_inputs

    check = plan_targets_check(plan, measure, plan_label)
    inputs = _inputs(plan, check.measure)
    rationale = {t.scope: t.rationale for t in plan_inputs.unit_targets(plan, check.measure)}
    rows = [SettingRow(unit=u.unit, name=u.name, baseline=u.baseline, change=u.change, target=u.target,
                       reason=rationale.get(u.unit), floor=inputs[u.unit].min_reduction if u.unit in inputs else None,
                       cap=inputs[u.unit].max_reduction if u.unit in inputs else None,
                       proposal=inputs[u.unit].proposed_reduction if u.unit in inputs else None)
            for u in check.units]
    projection = check.requirement
    requirement = next((r for r in plan.requirements if projection and r.id == projection.id), None)
    notes = []
    if projection is not None and projection.with_unit_targets is not None:
        notes.append(f"With the units' own targets the requirement's projection is "
                     f"{fmt_pct(projection.with_unit_targets.projected_change, signed=True)}: requirement "
                     f"{'met' if projection.with_unit_targets.meets else 'not met'}.")
    return TargetSettingTable(
        what_if=False, plan=plan.id, measure=check.measure, period=check.period, method=check.allocation.method,
        reduction=-check.corporate.change, basis=check.corporate.basis, baseline_total=check.corporate.baseline_total,
        required_total=check.required_total, target_total=check.target_total, achieved_change=check.achieved_change,
        meets=check.meets, slack=check.slack, margin=abs(check.slack), feasible=True, infeasible_reason=None,
        best_reachable_reduction=None, units=rows, plan_target_total=check.target_total, differ_from_plan=0,
        allocation_words=check.changed_words or None,
        requirement=None if requirement is None else _steps(requirement, plan, projection.projected_change),
        requirement_name=None if projection is None else projection.name,
        requirement_meets=None if projection is None else projection.meets,
        requirement_shortfall=None if projection is None else projection.shortfall,
        requirement_in_year_change=None if projection is None else projection.required_in_year_change,
        notes=notes, attribution=check.attribution, plan_name=check.plan_name, measure_name=check.measure_name)


def what_if_target_setting(
    plan: Plan, measure: str, method: str = "stretch", reduction: Optional[float] = None,
    floor: Optional[float] = None, cap: Optional[float] = None,
    floors: Optional[Mapping[str, Optional[float]]] = None, caps: Optional[Mapping[str, Optional[float]]] = None,
    proposals: Optional[Mapping[str, Optional[float]]] = None,
) -> TargetSettingTable:
    """A fresh allocation of ``measure`` with what-if changes: ``floor`` and ``cap`` for every unit (positive
    fractions), then each unit's own in ``floors``, ``caps`` and ``proposals`` (by unit code)."""
    from policingplan.services.targets import fresh_plan_allocation
    from policingplan.targets import plan_inputs

    inputs = _inputs(plan, measure) if measure in plan_inputs.measures_with_unit_targets(plan) else {}
    every_floor = {code: floor for code in inputs} if floor is not None else {}
    every_cap = {code: cap for code in inputs} if cap is not None else {}
    floors = {**every_floor, **(floors or {})}
    caps = {**every_cap, **(caps or {})}
    result = fresh_plan_allocation(plan, measure, method=method, reduction=reduction, floors=floors, caps=caps,
                                   proposals=proposals)
    own = plan_inputs.plan_unit_target_volumes(plan, result.measure)
    own_targets = {u.unit: u.target for u in own} if own is not None else {}
    rows = []
    for u in result.units:
        given = inputs.get(u.unit)
        plan_target = own_targets.get(u.unit)
        rows.append(SettingRow(
            unit=u.unit, name=u.name, baseline=u.baseline, change=-u.reduction, target=u.target, reason=u.reason,
            plan_target=plan_target, difference=None if plan_target is None else u.target - plan_target,
            floor=floors.get(u.unit, given.min_reduction if given else None),
            cap=caps.get(u.unit, given.max_reduction if given else None),
            proposal=(proposals or {}).get(u.unit, given.proposed_reduction if given else None)))
    projection = result.requirement
    requirement = next((r for r in plan.requirements if projection and r.id == projection.id), None)
    slack = result.required_total - result.target_total
    return TargetSettingTable(
        what_if=True, plan=plan.id, measure=result.measure, period=result.period, method=result.method,
        reduction=result.reduction, basis=None, baseline_total=_whole(result.baseline_total),
        required_total=result.required_total, target_total=result.target_total,
        achieved_change=-result.achieved_reduction, meets=result.meets, slack=slack, margin=abs(slack),
        feasible=result.feasible, infeasible_reason=result.infeasible_reason,
        best_reachable_reduction=result.best_reachable_reduction if result.best_reachable_reduction < 1 else None,
        units=rows, plan_target_total=result.plan_target_total, differ_from_plan=len(result.differ_from_plan),
        allocation_words=None,
        requirement=None if requirement is None else _steps(requirement, plan, projection.projected_change),
        requirement_name=None if projection is None else projection.name,
        requirement_meets=None if projection is None else projection.meets,
        requirement_shortfall=None if projection is None else projection.shortfall,
        requirement_in_year_change=None if projection is None else projection.required_in_year_change,
        notes=[str(n) for n in result.notes if n.code != "targets.infeasible"], attribution=result.attribution,
        plan_name=result.plan_name, measure_name=result.measure_name)


def requirement_track(plan: Plan, requirement_id: Optional[str] = None,
                      plan_label: Optional[str] = None) -> RequirementTrack:
    """The plan's requirement (the one named, or its only one) as a trajectory from its baseline to its deadline."""
    from policingplan.services.targets import plan_requirement

    result = plan_requirement(plan, requirement_id, plan_label)
    found = next(r for r in plan.requirements if r.id == result.requirement)
    return RequirementTrack(
        requirement=result.requirement, name=result.name, measure=result.measure,
        measure_name=plan.measure(result.measure).name, baseline_period=result.baseline_period,
        deadline_period=result.deadline_period, baseline=result.baseline,
        steps=_steps(found, plan, result.projected_change), latest_change=result.latest_change,
        planned_change=result.planned_change, projected_change=result.projected_change,
        required_change=result.required_change, meets=result.meets, shortfall=result.shortfall,
        required_in_year_change=result.required_in_year_change,
        gap=result.projected_change - result.required_change,
        notes=[str(n) for n in result.notes], source=found.source, attribution=result.attribution)


RESULTS = (MeasureChoices, TargetSettingTable, RequirementTrack)

__all__ = [
    "MeasureChoice", "MeasureChoices", "RESULTS", "RequirementTrack", "SettingRow", "TargetSettingTable", "TrackStep",
    "plan_target_setting", "requirement_track", "target_measures", "what_if_target_setting",
]
