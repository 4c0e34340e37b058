"""Target setting as a service: allocation, the plan's own unit targets checked, requirement
trajectories, partner alignment and rate targets (``docs/target-setting.md``).

Every face (the command line's ``targets``, ``requirement`` and ``partners``, the
web application, published documents) calls these functions and shows what they
return.  The figures come from the pure core in :mod:`policingplan.targets`; this
module chooses the inputs (a plan, a units table, the warehouse), builds the
results, and turns every mistake into a :class:`~policingplan.problems.UserError`
carrying every problem.

Partner targets set on another baseline year are converted with each unit's
volumes counted by the plan's own counting rules in the warehouse
(:func:`policingplan.data.measures.measure_values`), the one counting engine;
when the warehouse holds no records of the measure's source, the plan's data
files are loaded into a temporary warehouse and counted there.
"""

from __future__ import annotations

import math
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Optional, Sequence, Union

from pydantic import Field

from policingplan.attribution import attribution, attribution_line
from policingplan.formatting import fmt_pct
from policingplan.plan.model import Plan
from policingplan.problems import Problem, UserError
from policingplan.results import Notice, Result, notice, register_notices

if TYPE_CHECKING:  # the core (numpy, scipy) is imported by each function
    from policingplan.targets.allocation import Allocation, UnitInput
    from policingplan.targets.requirement import RequirementTrajectory

#: The label of an allocation that is not the plan's own targets.
FRESH = "A fresh allocation, not the plan's targets"
Number = Union[int, float]

register_notices({
    "targets.fresh-unit-targets": FRESH + ": not every unit target has a value, so the unit targets are a stretch "
                                          "allocation of the force target.",
    "targets.no-data-source": "No data source is given for {measure}, so partner targets on another baseline year "
                              "cannot be converted.",
    "targets.data-file-not-found": "{file} was not found in the data directory ({data_dir}); set POLICINGPLAN_DATA_DIR.",
    "targets.data-file-unreadable": "{file} could not be read: {problem}",
    "targets.unit-targets-over": "The units' own targets add up to {achieved_change_text}, {over:,} crimes over the "
                                 "corporate figure: with them the projection is {projected_change_text}.",
})


def _whole(value: float) -> Number:
    """A count as JSON gives it: a whole number without ``.0``."""
    return int(value) if float(value).is_integer() else value


# --- results -------------------------------------------------------------------------------------


class UnitAllocationRow(Result):
    """One unit's whole-number target, and why."""

    unit: str
    baseline: Number
    reduction: float = Field(description="The reduction the whole-number target represents (0.055 is -5.5%).")
    target: int
    reason: str
    name: Optional[str] = Field(None, exclude=True, description="The unit's name in the plan.")


class AllocationResult(Result):
    """A corporate reduction shared out among units (``targets allocate UNITS_CSV``)."""

    method: str
    reduction: float
    required_total: int = Field(description="floor(Σ baseline × (1 − reduction)): the most crimes the units may record.")
    target_total: int
    meets: bool
    feasible: bool
    best_reachable_reduction: float = Field(description="The largest reduction the caps allow.")
    units: list[UnitAllocationRow]
    baseline_total: float = Field(exclude=True)
    achieved_reduction: float = Field(exclude=True)
    notes: list[Notice] = Field(default_factory=list, exclude=True)
    infeasible_reason: Optional[str] = Field(None, exclude=True)


class TrajectoryFigures(Result):
    """Where a planned change leaves the force against a requirement (``requirement`` with the figures)."""

    projected_change: float
    meets: bool
    shortfall: Optional[int] = Field(description="Crimes over the required volume at the deadline (0 when met).")
    required_in_year_change: float
    latest_change: float = Field(exclude=True)
    planned_change: float = Field(exclude=True)
    required_change: float = Field(exclude=True)


class RequirementProjection(Result):
    """A plan's requirement projected through the change planned (inside a targets result)."""

    id: str
    projected_change: float
    meets: bool
    shortfall: Optional[int]
    required_in_year_change: float
    name: str = Field(exclude=True)
    latest_change: float = Field(exclude=True)
    planned_change: float = Field(exclude=True)
    required_change: float = Field(exclude=True)


class CheckedRequirementProjection(RequirementProjection):
    """The requirement projected through the plan's force target, and through its units' own targets."""

    with_unit_targets: Optional[TrajectoryFigures] = Field(
        None, description="The projection with the units' own targets, where they miss the corporate figure.")


class FreshAllocationResult(Result):
    """A fresh allocation of a plan's inputs, with any what-if changes; never the plan's own targets."""

    fresh_allocation: bool = True
    label: str = FRESH
    plan: str
    measure: str
    period: str
    method: str
    reduction: float
    required_total: int
    target_total: int
    meets: bool
    feasible: bool
    best_reachable_reduction: float
    units: list[UnitAllocationRow]
    plan_target_total: Optional[int] = Field(description="The plan's own unit targets added up (None unless all have values).")
    differ_from_plan: list[str] = Field(description="The units whose target here is not the plan's own.")
    requirement: Optional[RequirementProjection] = None
    attribution: list[str]
    baseline_total: float = Field(exclude=True)
    achieved_reduction: float = Field(exclude=True)
    notes: list[Notice] = Field(default_factory=list, exclude=True)
    infeasible_reason: Optional[str] = Field(None, exclude=True)
    plan_name: str = Field(exclude=True)
    measure_name: str = Field(exclude=True)
    attribution_line: Optional[str] = Field(None, exclude=True)


class CorporateFigureResult(Result):
    change: float
    basis: str
    baseline_total: Number
    required_total: int


class CheckedUnit(Result):
    unit: str
    name: Optional[str]
    baseline: Number
    change: float
    target: int


class ChangedUnit(Result):
    unit: str
    name: Optional[str]
    plan_target: int
    allocated_target: int
    difference: int


class AllocationComparison(Result):
    method: Optional[str] = Field(description="The allocation method that reproduces most of the plan's targets.")
    changed: list[ChangedUnit]
    note: Optional[Notice] = Field(description="Why no fresh allocation could be compared (codes targets.no-comparison-*).")


class PlanTargetsCheck(Result):
    """The plan's own unit targets against its corporate figure (``targets PLAN_DIR``)."""

    plan: str
    targets: str = "plan"
    measure: str
    period: str
    corporate: CorporateFigureResult
    required_total: int
    target_total: int
    achieved_change: float
    meets: bool
    slack: int = Field(description="required_total − target_total: crimes to spare (negative: over).")
    units: list[CheckedUnit]
    allocation: AllocationComparison
    requirement: Optional[CheckedRequirementProjection] = None
    attribution: list[str]
    plan_name: str = Field(exclude=True)
    measure_name: str = Field(exclude=True)
    changed_words: str = Field(exclude=True)
    margin: int = Field(exclude=True, description="Crimes to spare, or over: the slack without its sign.")
    attribution_line: Optional[str] = Field(None, exclude=True)


class PlanRequirementResult(Result):
    """A plan's requirement (PSA1) projected through its force target (``requirement PLAN_DIR``)."""

    projected_change: float
    meets: bool
    shortfall: Optional[int]
    required_in_year_change: float
    requirement: str
    measure: str
    baseline_period: str
    deadline_period: str
    baseline: Optional[Number]
    latest_change: float
    planned_change: float
    required_change: float
    notes: list[Notice] = Field(description="On the outturn used, the years and the units' own targets.")
    attribution: list[str]
    name: str = Field(exclude=True)
    attribution_line: Optional[str] = Field(None, exclude=True)


class PartnerRow(Result):
    """One partner target beside the unit's own, both as crimes in the plan's period."""

    unit: str
    measure: str
    agreement: str
    partner: Optional[str]
    period: str
    unit_target: int
    unit_change: float
    partner_change: float
    partner_baseline_period: Optional[str]
    partner_period: str
    comparable: bool
    partner_volume: Optional[int] = Field(description="The partner target as whole crimes in the plan's period.")
    partner_change_on_plan_baseline: Optional[float]
    gap: Optional[int] = Field(description="partner_volume − unit_target (negative: the partners ask for more).")
    binds: Optional[str]
    reason: str
    illustrative: bool
    name: Optional[str] = Field(None, exclude=True)


class PartnerAlignmentResult(Result):
    """Each unit's target beside its partner targets, and the corporate sum with the more stretching adopted."""

    measure: str
    period: str
    required_total: int
    unit_total: int
    stretched_total: int
    meets: bool
    slack: int
    partner_targets: list[PartnerRow]
    notes: list[Notice] = Field(description="On partner targets left out, the unit targets used and the data counted.")
    unit_targets: str = Field(description="'plan' (the plan's own unit targets) or 'fresh allocation'.")
    attribution: list[str]
    plan_name: str = Field(exclude=True)
    measure_name: str = Field(exclude=True)
    own_meets: bool = Field(exclude=True, description="The units' own targets meet the corporate figure.")
    own_margin: int = Field(exclude=True, description="Crimes to spare, or over, with the units' own targets.")
    margin: int = Field(exclude=True, description="Crimes to spare, or over, with every more stretching target.")
    summary_notes: list[Notice] = Field(default_factory=list, exclude=True)
    input_notes: list[Notice] = Field(default_factory=list, exclude=True)
    attribution_line: Optional[str] = Field(None, exclude=True)


class RateChance(Result):
    """The chance of showing at least ``target_rate`` over ``volume`` cases at a true rate."""

    target_rate: float
    true_rate: float
    volume: Number
    never_sanctionable: int
    highest_achievable: float
    probability: float
    sentence: str = Field(exclude=True)


class RateTargetTable(Result):
    """Every combination of candidate target and true rate (``targets rate``); --json prints ``chances``."""

    targets: list[float]
    true_rates: list[float]
    volume: int
    never_sanctionable: int
    chances: list[RateChance]


# --- builders ------------------------------------------------------------------------------------


def _attribution_of(plan: Plan, measure_id: str) -> tuple[list[str], Optional[str]]:
    kinds = [k for k in [plan.measure(measure_id).source] if k]
    return attribution(kinds), attribution_line(kinds)


def _unit_rows(allocation: "Allocation", names: Optional[Mapping[str, str]] = None) -> list[UnitAllocationRow]:
    return [UnitAllocationRow(unit=u.unit, baseline=_whole(u.baseline), reduction=u.reduction, target=u.target,
                              reason=u.reason, name=(names or {}).get(u.unit)) for u in allocation.units]


def _allocation_fields(allocation: "Allocation", names: Optional[Mapping[str, str]] = None) -> dict:
    return {
        "method": allocation.method, "reduction": allocation.reduction, "required_total": allocation.required_total,
        "target_total": allocation.target_total, "meets": allocation.meets, "feasible": allocation.feasible,
        "best_reachable_reduction": allocation.best_reachable_reduction, "units": _unit_rows(allocation, names),
        "baseline_total": allocation.baseline_total, "achieved_reduction": allocation.achieved_reduction,
        "notes": list(allocation.notes),
        "infeasible_reason": _infeasible_reason(allocation),
    }


def _infeasible_reason(allocation: "Allocation") -> Optional[str]:
    """Why an allocation is infeasible: its ``targets.infeasible`` notice's sentence after "Infeasible: "."""
    if allocation.feasible:
        return None
    found = next(n for n in allocation.notes if n.code == "targets.infeasible")
    return found.text.removeprefix("Infeasible: ")


def trajectory_figures(trajectory: "RequirementTrajectory") -> TrajectoryFigures:
    """A requirement trajectory of the core as a result."""
    return TrajectoryFigures(
        projected_change=trajectory.projected_change, meets=trajectory.meets, shortfall=trajectory.shortfall,
        required_in_year_change=trajectory.required_in_year_change, latest_change=trajectory.latest_change,
        planned_change=trajectory.planned_change, required_change=trajectory.required_change)


def _projection(requirement, trajectory: "RequirementTrajectory", checked: bool = False,
                with_units: Optional["RequirementTrajectory"] = None) -> RequirementProjection:
    figures = trajectory_figures(trajectory).model_dump()
    figures.update(id=requirement.id, name=requirement.name, latest_change=trajectory.latest_change,
                   planned_change=trajectory.planned_change, required_change=trajectory.required_change)
    if not checked:
        return RequirementProjection(**figures)
    return CheckedRequirementProjection(**figures,
                                        with_unit_targets=None if with_units is None else trajectory_figures(with_units))


def _allocation_error(exc: Exception) -> UserError:
    accepted = getattr(exc, "accepted", None)
    return UserError(str(exc) + (f"; accepted: {accepted}" if accepted else ""))


# --- plans ---------------------------------------------------------------------------------------


def load_plan(plan_dir: Path) -> Plan:
    """The plan in ``plan_dir``; a plan that cannot be read raises UserError with every problem
    (its message the first error's).

    Not :func:`policingplan.services.plan.load` (nor :func:`policingplan.services.data.load_plan`),
    which both give :func:`policingplan.plan.io.load_plan`'s error: that carries the errors
    only, and its message adds "(and N more problems)".  This one carries the warnings after
    the errors, so that ``targets``, ``partners`` and ``requirement`` on a plan with one error
    and a warning (an orphan narrative file) list both under "PLAN_DIR: 1 error" rather than
    print the error alone; with several errors the two print the same.  Kept so that the
    target-setting commands' error output is unchanged.  One loader for every service needs
    :func:`policingplan.services.plan.load` to carry the warnings too; this can then delegate.
    """
    from policingplan.plan.io import read_plan

    plan, problems = read_plan(plan_dir)
    if plan is None:
        errors = problems.errors
        raise UserError(str(errors[0]) if errors else f"{plan_dir}: the plan cannot be read", errors + problems.warnings)
    return plan


# --- targets allocate UNITS_CSV -------------------------------------------------------------------


def allocate_from_units(units: Sequence["UnitInput"], reduction: float, method: str = "stretch") -> AllocationResult:
    """Share ``reduction`` (0.055 is −5.5%) among ``units`` by ``method``."""
    from policingplan.targets.allocation import AllocationInputError, allocate_unit_targets

    try:
        allocation = allocate_unit_targets(units, reduction, method)
    except AllocationInputError as exc:
        raise _allocation_error(exc) from None
    return AllocationResult(**_allocation_fields(allocation))


def allocate_from_text(text: str, label: str, reduction: float, method: str = "stretch") -> AllocationResult:
    """Allocate among the units of a units table's ``text`` (``label`` names the file in problems).

    Raises UserError carrying every problem of the table."""
    from policingplan.targets.units_input import parse_unit_inputs

    units, problems = parse_unit_inputs(text, label)
    if problems.errors:
        raise UserError(str(problems.errors[0]), problems.errors)
    return allocate_from_units(units, reduction, method)


def allocate_from_path(path: Path, reduction: float, method: str = "stretch") -> AllocationResult:
    """Allocate among the units of the units table at ``path`` (UTF-8 CSV)."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        problem = Problem("the file does not exist", file=file, accepted="a CSV file of units")
    except UnicodeDecodeError as exc:
        problem = Problem(f"the file is not UTF-8 text ({exc.reason})", file=file, accepted="a UTF-8 CSV file")
    except OSError as exc:
        problem = Problem(f"cannot read the file: {exc.strerror or exc}", file=file, accepted="a readable CSV file")
    else:
        return allocate_from_text(text, file, reduction, method)
    raise UserError(str(problem), [problem])


# --- targets allocate PLAN_DIR / targets PLAN_DIR with a what-if ---------------------------------------


def allocation_units(plan: Plan, measure: Optional[str] = None) -> dict[str, str]:
    """The units a fresh allocation of the plan shares out among: code → name (for options naming them)."""
    from policingplan.targets import plan_inputs

    measure_id = plan_inputs.choose_measure(plan, measure)
    names = {u.code: u.name for u in plan.units}
    return {u.unit: names.get(u.unit, u.unit) for u in plan_inputs.unit_inputs(plan, measure_id)}


def fresh_plan_allocation(
    plan: Plan, measure: Optional[str] = None, method: str = "stretch", reduction: Optional[float] = None,
    floors: Optional[Mapping[str, Optional[float]]] = None, caps: Optional[Mapping[str, Optional[float]]] = None,
    proposals: Optional[Mapping[str, Optional[float]]] = None,
) -> FreshAllocationResult:
    """A fresh allocation of the plan's inputs with any what-if changes (floors, caps and proposals by
    unit code, ``None`` removing one), and the trajectory against the measure's first requirement."""
    from policingplan.targets import plan_inputs
    from policingplan.targets.allocation import AllocationInputError
    from policingplan.targets.whatif import TargetSetting, WhatIf, apply_what_if, set_targets

    measure_id = plan_inputs.choose_measure(plan, measure)
    requirements = plan_inputs.requirements_for(plan, measure_id)
    setting = TargetSetting(
        units=tuple(plan_inputs.unit_inputs(plan, measure_id)),
        reduction=plan_inputs.corporate_reduction(plan, measure_id),
        method=method,
        requirement=plan_inputs.requirement_inputs(plan, requirements[0]) if requirements else None,
    )
    changes = WhatIf(reduction=reduction, floors=dict(floors or {}), caps=dict(caps or {}), proposals=dict(proposals or {}))
    try:
        result = set_targets(apply_what_if(setting, changes))
    except AllocationInputError as exc:
        raise _allocation_error(exc) from None
    allocation = result.allocation
    own = plan_inputs.plan_unit_target_volumes(plan, measure_id)
    own_targets = {u.unit: u.target for u in own} if own is not None else {}
    names = {u.code: u.name for u in plan.units}
    texts, line = _attribution_of(plan, measure_id)
    return FreshAllocationResult(
        plan=plan.id, measure=measure_id, period=plan.period, **_allocation_fields(allocation, names),
        plan_target_total=sum(own_targets.values()) if own is not None else None,
        differ_from_plan=[u.unit for u in allocation.units if u.unit in own_targets and own_targets[u.unit] != u.target],
        requirement=None if result.trajectory is None else _projection(requirements[0], result.trajectory),
        attribution=texts, plan_name=plan.name, measure_name=plan.measure(measure_id).name, attribution_line=line,
    )


# --- targets PLAN_DIR --------------------------------------------------------------------------------


def plan_targets_check(plan: Plan, measure: Optional[str] = None, plan_label: Optional[str] = None) -> PlanTargetsCheck:
    """The plan's own unit targets checked against its force target, with the requirement projected
    through the force target and, where the units' targets miss, through theirs.

    ``plan_label`` names the plan folder in an error (the plan's id by default)."""
    from policingplan.targets import plan_check, plan_inputs
    from policingplan.targets.requirement import requirement_trajectory

    where = plan_label or plan.id
    measure_id = plan_inputs.choose_measure(plan, measure)
    plan_inputs.force_target(plan, measure_id)  # an error naming plan.yaml when there is none
    why_not = plan_check.checkable(plan, measure_id)
    if why_not is not None:
        raise UserError(
            f"{where}: the plan's own {measure_id} unit targets cannot be checked against its force target: "
            f"{why_not}; accepted: a baseline and a change value for every unit in unit_targets.csv, or a fresh "
            f"allocation: policingplan targets allocate {where} --measure {measure_id}")
    check = plan_check.check_unit_targets(plan, measure_id)
    requirements = plan_inputs.requirements_for(plan, measure_id)
    projection = None
    if requirements:
        trajectory = plan_inputs.plan_requirement_trajectory(plan, requirements[0])
        with_units = None
        if not check.meets:
            inputs = plan_inputs.requirement_inputs(plan, requirements[0])
            with_units = requirement_trajectory(inputs.baseline, inputs.latest_change, check.achieved_change,
                                                inputs.required_change)
        projection = _projection(requirements[0], trajectory, checked=True, with_units=with_units)
    figure = check.figure
    texts, line = _attribution_of(plan, measure_id)
    return PlanTargetsCheck(
        plan=plan.id, measure=check.measure, period=check.period,
        corporate=CorporateFigureResult(change=figure.change, basis=figure.basis,
                                        baseline_total=_whole(figure.baseline_total), required_total=figure.required_total),
        required_total=check.required_total, target_total=check.target_total, achieved_change=check.achieved_change,
        meets=check.meets, slack=check.slack, margin=abs(check.slack),
        units=[CheckedUnit(unit=u.unit, name=check.names.get(u.unit), baseline=_whole(u.baseline),
                           change=u.target / u.baseline - 1, target=u.target) for u in check.units],
        allocation=AllocationComparison(
            method=check.method, note=check.allocation_note,
            changed=[ChangedUnit(unit=c.unit, name=c.name, plan_target=c.plan_target,
                                 allocated_target=c.allocated_target, difference=c.difference) for c in check.changed]),
        requirement=projection, attribution=texts, plan_name=plan.name, measure_name=plan.measure(measure_id).name,
        changed_words=check.changed_words(), attribution_line=line,
    )


# --- requirement -------------------------------------------------------------------------------------


def requirement_from_figures(baseline: Optional[float], latest_change: float, planned_change: float,
                             required_change: float) -> TrajectoryFigures:
    """A requirement's trajectory from the figures: signed cumulative changes, and the baseline volume."""
    from policingplan.targets.requirement import requirement_trajectory

    if baseline is not None and not (math.isfinite(baseline) and baseline > 0):
        raise UserError(f"--baseline: not a number of crimes above 0 (found {baseline:g}); accepted: a volume such as 612000")
    try:
        return trajectory_figures(requirement_trajectory(baseline, latest_change, planned_change, required_change))
    except ValueError as exc:
        raise UserError(str(exc)) from None


def plan_requirement(plan: Plan, requirement_id: Optional[str] = None,
                     plan_label: Optional[str] = None) -> PlanRequirementResult:
    """The plan's requirement (the one named, or its only one) projected through its force target, with
    notes on the outturn used and on what the units' own targets would give where they miss."""
    from policingplan.targets import plan_inputs

    where = plan_label or plan.id
    chosen = [r for r in plan.requirements if requirement_id is None or r.id == requirement_id]
    if not plan.requirements:
        raise UserError(f"{where}: the plan has no external requirement (plan.yaml, requirements); accepted: a plan with one, "
                        "such as examples/london-2007-08, or the figures --latest-change, --planned-change and --required-change")
    if not chosen:
        raise UserError(f"{where}: no requirement {requirement_id!r} (--requirement); accepted: "
                        f"{', '.join(r.id for r in plan.requirements)}")
    if len(chosen) > 1:
        raise UserError(f"{where}: the plan has several requirements; choose one with --requirement: "
                        f"{', '.join(r.id for r in chosen)}")
    found = chosen[0]
    trajectory = plan_inputs.plan_requirement_trajectory(plan, found)
    notes = plan_inputs.requirement_notes(plan, found) + _unit_target_note(plan, found)
    texts, line = _attribution_of(plan, found.measure)
    return PlanRequirementResult(
        projected_change=trajectory.projected_change, meets=trajectory.meets, shortfall=trajectory.shortfall,
        required_in_year_change=trajectory.required_in_year_change, requirement=found.id, measure=found.measure,
        baseline_period=found.baseline_period, deadline_period=found.deadline_period, baseline=found.baseline,
        latest_change=trajectory.latest_change, planned_change=trajectory.planned_change,
        required_change=trajectory.required_change, notes=notes, attribution=texts, name=found.name,
        attribution_line=line)


def _unit_target_note(plan: Plan, requirement) -> list[Notice]:
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
    return [notice("targets.unit-targets-over", achieved_change=check.achieved_change,
                   achieved_change_text=fmt_pct(check.achieved_change, 2, signed=True), over=-check.slack,
                   projected_change=with_units.projected_change,
                   projected_change_text=fmt_pct(with_units.projected_change, signed=True))]


# --- targets rate ------------------------------------------------------------------------------------


def rate_target_chances(targets: Sequence[float], true_rates: Sequence[float], volume: int,
                        never_sanctionable: int = 0) -> RateTargetTable:
    """The chance of meeting each candidate rate target at each true rate over ``volume`` cases."""
    from policingplan.targets.rate_targets import describe_rate_target, rate_target_table

    try:
        chances = rate_target_table(list(targets), list(true_rates), volume, (never_sanctionable,))
    except ValueError as exc:
        raise UserError(str(exc)) from None
    return RateTargetTable(
        targets=list(targets), true_rates=list(true_rates), volume=volume, never_sanctionable=never_sanctionable,
        chances=[RateChance(target_rate=c.target_rate, true_rate=c.true_rate, volume=c.volume,
                            never_sanctionable=c.never_sanctionable, highest_achievable=c.highest_achievable,
                            probability=c.probability, sentence=describe_rate_target(c)) for c in chances])


# --- partners ----------------------------------------------------------------------------------------


def counted_unit_volumes(plan: Plan, measure_id: str, warehouse_dir: Optional[Path] = None,
                         data_dir: Optional[Path] = None) -> tuple[dict[str, dict[str, float]], list[Notice]]:
    """Each unit's volume of ``measure_id`` by period, counted by the plan's compiled counting rule
    (:func:`~policingplan.data.measures.measure_values`), with notes on what could not be counted
    (notices coded ``targets.no-data-source``, ``targets.data-file-not-found``, ``targets.data-file-unreadable``).

    From the warehouse at ``warehouse_dir`` (the settings' by default) when it holds the measure's
    source; otherwise from the plan's data files under ``data_dir`` (the settings' by default),
    loaded into a temporary warehouse.  Monthly volumes are also summed into financial years
    (``2021/22``), a year only where all twelve of its months are counted.
    """
    from policingplan import settings
    from policingplan.data.files import plan_data_files
    from policingplan.data.measures import SourceNotLoaded, measure_values
    from policingplan.data.warehouse import Warehouse

    measure = plan.measure(measure_id)
    no_source = [notice("targets.no-data-source", measure=measure_id)]
    if not measure.source or measure.rule is None:
        return {}, no_source
    warehouse = Warehouse(warehouse_dir if warehouse_dir is not None else settings.warehouse_dir())
    if measure.source in warehouse.loaded_kinds():
        try:
            return _by_period(measure_values(plan, warehouse, measure_id)), []
        except SourceNotLoaded:
            pass
    base = data_dir if data_dir is not None else settings.data_dir()
    files = list(plan_data_files(plan, base, measure.source))
    if not files:
        return {}, no_source
    notes: list[Notice] = []
    with tempfile.TemporaryDirectory(prefix="policingplan-partners-") as directory:
        scratch = Warehouse(directory)
        for kind, name, path in files:
            if not path.is_file():
                notes.append(notice("targets.data-file-not-found", file=name, data_dir=str(base), kind=kind))
                continue
            report = scratch.load_files([(kind, path)])
            if not report.ok:
                notes.append(notice("targets.data-file-unreadable", file=name, kind=kind,
                                    problem=str(report.problems.errors[0])))
        if measure.source not in scratch.loaded_kinds():
            return {}, notes
        return _by_period(measure_values(plan, scratch, measure_id)), notes


def _by_period(table) -> dict[str, dict[str, float]]:
    """Measure values as ``{unit: {period: count}}``, months also summed into whole financial years."""
    from policingplan.periods import Month

    volumes: dict[str, dict[str, float]] = defaultdict(dict)
    years: dict[tuple[str, str], float] = defaultdict(float)
    months: dict[tuple[str, str], set[str]] = defaultdict(set)
    columns = (table.column(name).to_pylist() for name in ("unit", "month", "period_kind", "numerator"))
    for unit, period, kind, count in zip(*columns):
        if count is None:
            continue
        volumes[unit][period] = volumes[unit].get(period, 0.0) + count
        if kind == "month":
            year = str(Month(period).financial_year)
            years[(unit, year)] += count
            months[(unit, year)].add(period)
    for (unit, year), seen in months.items():
        if len(seen) == 12:
            volumes[unit][year] = years[(unit, year)]
    return {unit: dict(by_period) for unit, by_period in volumes.items()}


def partner_alignment(plan: Plan, measure: Optional[str] = None, warehouse_dir: Optional[Path] = None,
                      data_dir: Optional[Path] = None) -> PartnerAlignmentResult:
    """Each unit's target beside the targets it agreed with its partners, as crimes in the plan's year.

    The unit targets are the plan's own where every one has a value, otherwise a stretch allocation
    of the force target (said in a note).  A partner target on another baseline year is converted
    with the unit's volumes counted by :func:`counted_unit_volumes`."""
    from policingplan.targets import plan_inputs
    from policingplan.targets.allocation import allocate_unit_targets, required_total
    from policingplan.targets.partners import align_partner_targets, unit_target_volumes, whole_crimes

    measure_id = plan_inputs.choose_measure(plan, measure)
    reduction = plan_inputs.corporate_reduction(plan, measure_id)
    units = plan_inputs.unit_inputs(plan, measure_id)
    notes: list[Notice] = []
    volumes = plan_inputs.plan_unit_target_volumes(plan, measure_id)
    if volumes is None:
        volumes = unit_target_volumes(allocate_unit_targets(units, reduction, "stretch"))
        notes.append(notice("targets.fresh-unit-targets", measure=measure_id, method="stretch"))
    baseline_period = plan_inputs.baseline_period(plan, measure_id)
    known: dict[str, dict[str, float]] = {}
    data_notes: list[Notice] = []
    if any(p.measure == measure_id and p.baseline_period and p.baseline_period != baseline_period
           for p in plan.partner_targets):
        known, data_notes = counted_unit_volumes(plan, measure_id, warehouse_dir, data_dir)
    summary = align_partner_targets(volumes, required_total([u.baseline for u in units], reduction),
                                    plan.partner_targets, measure_id, plan.period, baseline_period, unit_volumes=known)
    names = {u.code: u.name for u in plan.units}
    texts, line = _attribution_of(plan, measure_id)
    own_slack = summary.required_total - summary.unit_total
    return PartnerAlignmentResult(
        measure=summary.measure, period=summary.period, required_total=summary.required_total,
        unit_total=summary.unit_total, stretched_total=summary.stretched_total, meets=summary.meets,
        slack=summary.slack,
        partner_targets=[PartnerRow(
            unit=a.unit, measure=a.measure, agreement=a.agreement, partner=a.partner, period=a.period,
            unit_target=a.unit_target, unit_change=a.unit_change, partner_change=a.partner_change,
            partner_baseline_period=a.partner_baseline_period, partner_period=a.partner_period,
            comparable=a.comparable,
            partner_volume=None if a.partner_volume is None else whole_crimes(a.partner_volume),
            partner_change_on_plan_baseline=a.partner_change_on_plan_baseline,
            gap=None if a.gap is None else round(a.gap), binds=a.binds, reason=a.reason,
            illustrative=a.illustrative, name=names.get(a.unit)) for a in summary.alignments],
        notes=[*notes, *data_notes, *summary.notes],
        unit_targets="plan" if not notes else "fresh allocation",
        attribution=texts, plan_name=plan.name, measure_name=plan.measure(measure_id).name,
        own_meets=own_slack >= 0, own_margin=abs(own_slack), margin=abs(summary.slack),
        summary_notes=list(summary.notes), input_notes=[*notes, *data_notes], attribution_line=line,
    )


RESULTS = (AllocationResult, FreshAllocationResult, PlanTargetsCheck, TrajectoryFigures, PlanRequirementResult,
           PartnerAlignmentResult, RateTargetTable)

__all__ = [
    "FRESH", "RESULTS", "AllocationResult", "FreshAllocationResult", "PartnerAlignmentResult", "PlanRequirementResult",
    "PlanTargetsCheck", "RateTargetTable", "TrajectoryFigures", "allocate_from_path", "allocate_from_text",
    "allocate_from_units", "allocation_units", "counted_unit_volumes", "fresh_plan_allocation", "load_plan",
    "partner_alignment", "plan_requirement", "plan_targets_check", "rate_target_chances", "requirement_from_figures",
]
