"""The plan checked as a whole: do its own unit targets meet its force target?

A plan promises a corporate (force) figure and gives each unit a target.  The
central promise of variable target setting is that the units' targets,
added up, meet the corporate figure.  This module checks that on the plan's
own ``unit_targets.csv`` (not on a fresh allocation):

- each unit's target as whole crimes, as
  :func:`~policingplan.targets.plan_inputs.plan_unit_target_volumes` computes
  it (baseline × (1 + value), rounded down);
- the corporate figure: the units' baselines added up × (1 + the force
  target's planned change), rounded down.  The planned change of a range is
  its midpoint (decided once, in :mod:`policingplan.plan.target_meaning`):
  the figure the plan plans to and allocates, so
  the figure its unit targets must deliver;
- where they fall short, which units' targets differ from a fresh allocation
  of the plan's own inputs (baselines, populations, peer groups, proposals,
  floors and caps), by the method that reproduces most of the plan's targets.

Pure: it takes a :class:`~policingplan.plan.model.Plan` already read, and
reads no file.  See ``docs/target-setting.md#the-plans-own-unit-targets``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from policingplan.formatting import fmt_int, fmt_pct
from policingplan.plan.model import FORCE, MeasureKind, Plan, Polarity, Target, TargetKind
from policingplan.problems import Problem, UserError
from policingplan.results import Notice, notice, register_notices
from policingplan.targets import plan_inputs
from policingplan.targets.allocation import METHODS, AllocationInputError, allocate_unit_targets
from policingplan.targets.partners import UnitTargetVolume

_NO_FRESH = "no fresh allocation to compare with: "
register_notices({
    "targets.no-comparison-not-a-reduction": _NO_FRESH + "the force target is not a reduction",
    "targets.no-comparison-inputs": _NO_FRESH + "{reason}",
    "targets.no-comparison-infeasible": _NO_FRESH + "the plan's floors and caps cannot meet the corporate figure",
})

UNIT_TARGETS_FILE = "unit_targets.csv"
#: How many changed units an error names before it says how many more there are.
NAMED_CHANGES = 5


@dataclass(frozen=True)
class CorporateFigure:
    """The most crimes the units may record together, and where it comes from."""

    measure: str
    period: str
    change: float
    basis: str
    baseline_total: float
    required_total: int

    @property
    def reduction(self) -> float:
        return -self.change


def corporate_figure(plan: Plan, measure: str, baselines: list[float]) -> CorporateFigure:
    """The corporate figure for ``measure`` on the units' ``baselines``: their sum × (1 + the planned change)."""
    target = plan_inputs.force_target(plan, measure)
    change = plan_inputs.planned_change(target)
    total = math.fsum(baselines)
    return CorporateFigure(
        measure=measure,
        period=plan.period,
        change=change,
        basis=describe_basis(target),
        baseline_total=total,
        required_total=int(math.floor(total * (1 + change) + 1e-7)),
    )


def describe_basis(target: Target) -> str:
    """Where the planned change comes from, in words: the force target, or the midpoint of its range."""
    if target.kind == TargetKind.range.value:
        return (f"the midpoint of the force target's range, {fmt_pct(target.minimum, signed=True)} to "
                f"{fmt_pct(target.maximum, signed=True)}")
    return "the force target"


@dataclass(frozen=True)
class UnitTargetChange:
    """A unit whose target in the plan differs from the fresh allocation of the plan's inputs."""

    unit: str
    name: Optional[str]
    baseline: float
    plan_target: int
    allocated_target: int

    @property
    def difference(self) -> int:
        return self.plan_target - self.allocated_target

    def label(self) -> str:
        return f"{self.name} ({self.unit})" if self.name else self.unit


@dataclass(frozen=True)
class UnitTargetCheck:
    """The plan's own unit targets for one measure against its corporate figure.

    ``slack`` is ``required_total − target_total``: the crimes to spare
    (negative: the crimes over).  ``method`` is the allocation method that
    reproduces most of the plan's targets (``None`` when no fresh allocation
    could be made: ``allocation_note`` says why, a notice coded
    ``targets.no-comparison-*``); ``changed`` the units whose targets differ
    from it.
    """

    measure: str
    period: str
    units: tuple[UnitTargetVolume, ...]
    names: dict[str, str]
    figure: CorporateFigure
    method: Optional[str] = None
    changed: tuple[UnitTargetChange, ...] = ()
    allocation_note: Optional[Notice] = None

    @property
    def target_total(self) -> int:
        return sum(u.target for u in self.units)

    @property
    def required_total(self) -> int:
        return self.figure.required_total

    @property
    def slack(self) -> int:
        return self.required_total - self.target_total

    @property
    def meets(self) -> bool:
        return self.slack >= 0

    @property
    def achieved_change(self) -> float:
        return self.target_total / self.figure.baseline_total - 1

    def changed_words(self, limit: int = NAMED_CHANGES) -> str:
        """The changed units in words, largest difference first, at most ``limit`` named."""
        if self.method is None:
            return "" if self.allocation_note is None else str(self.allocation_note)
        if not self.changed:
            return f"every unit's target is the {self.method} allocation of the plan's own inputs"
        ordered = sorted(self.changed, key=lambda c: (-abs(c.difference), c.unit))
        parts = [
            f"{c.label()} {fmt_int(c.plan_target)} ({fmt_pct(c.plan_target / c.baseline - 1, signed=True)}) where the "
            f"allocation gives {fmt_int(c.allocated_target)} ({fmt_pct(c.allocated_target / c.baseline - 1, signed=True)})"
            for c in ordered[:limit]
        ]
        more = len(ordered) - limit
        tail = f", and {more} more unit{'s' if more > 1 else ''}" if more > 0 else ""
        return f"changed from the {self.method} allocation of the plan's own inputs: " + "; ".join(parts) + tail

    def verdict(self) -> str:
        """One sentence: the total against the corporate figure, met or not, by how many crimes."""
        figure = self.figure
        head = (
            f"the {self.measure} unit targets for {self.period} add up to {fmt_int(self.target_total)} crimes "
            f"({fmt_pct(self.achieved_change, 2, signed=True)} on {fmt_int(figure.baseline_total)}), against a "
            f"corporate figure of at most {fmt_int(figure.required_total)} ({fmt_pct(figure.change, signed=True)}, "
            f"{figure.basis})"
        )
        if self.meets:
            return f"{head}: met, {fmt_int(self.slack)} crimes to spare"
        return f"{head}: NOT met, {fmt_int(-self.slack)} crimes over"

    def problem(self) -> Optional[Problem]:
        """The error ``validate`` reports when the units' targets do not meet the corporate figure."""
        if self.meets:
            return None
        figure = self.figure
        changes = self.changed_words()
        return Problem(
            f"{self.measure}, {self.period}: the units' targets add up to {fmt_int(self.target_total)} crimes, "
            f"{fmt_int(-self.slack)} crimes over the corporate figure of at most {fmt_int(figure.required_total)} "
            f"({fmt_pct(figure.change, signed=True)} on {fmt_int(figure.baseline_total)}, {figure.basis})"
            + (f"; {changes}" if changes else ""),
            file=UNIT_TARGETS_FILE,
            column="value",
            accepted=f"unit targets that add up to at most {fmt_int(self.required_total)} crimes, such as a fresh "
                     f"allocation ('policingplan targets allocate PLAN_DIR --measure {self.measure}')",
        )


def checkable(plan: Plan, measure: str) -> Optional[str]:
    """Why the unit targets for ``measure`` cannot be checked against a corporate figure (``None``: they can)."""
    try:
        the_measure = plan.measure(measure)
    except KeyError:
        return f"the plan has no measure {measure!r}"
    if the_measure.kind != MeasureKind.count.value:
        return f"{measure} is a {the_measure.kind} measure, whose units' figures do not add up to the force's"
    if the_measure.polarity != Polarity.lower.value:
        return f"{measure} is not a measure where lower is better, so there is no reduction to share"
    targets = plan_inputs.unit_targets(plan, measure)
    if not targets:
        return f"the plan has no unit targets for {measure} in {plan.period}"
    if not any(t.period == plan.period for t in plan.targets_for(measure, FORCE)):
        return f"the plan has no force target for {measure} in {plan.period}"
    if any(t.kind != TargetKind.change.value or t.value is None or t.baseline is None for t in targets):
        return f"not every {measure} unit target has a baseline and a change value"
    return None


def _fresh_allocation(plan: Plan, measure: str, units: list[UnitTargetVolume], figure: CorporateFigure,
                      names: dict[str, str]) -> tuple[Optional[str], tuple[UnitTargetChange, ...], Optional[Notice]]:
    """The method whose fresh allocation reproduces most of the plan's targets, and the units that differ from it
    (or, when no fresh allocation can be made, a notice that says why)."""
    if not 0 <= figure.reduction < 1:
        return None, (), notice("targets.no-comparison-not-a-reduction", change=figure.change)
    try:
        inputs = plan_inputs.unit_inputs(plan, measure)
    except UserError as exc:
        return None, (), notice("targets.no-comparison-inputs", reason=str(exc))
    best = None
    for method in METHODS:  # stretch first: it wins a tie
        try:
            allocation = allocate_unit_targets(inputs, figure.reduction, method)
        except AllocationInputError:
            continue
        if not allocation.feasible:
            continue
        allocated = {u.unit: u.target for u in allocation.units}
        matches = sum(1 for u in units if allocated.get(u.unit) == u.target)
        if best is None or matches > best[0]:
            best = (matches, method, allocated)
        if matches == len(units):  # every target reproduced: no other method can do better
            break
    if best is None:
        return None, (), notice("targets.no-comparison-infeasible")
    _, method, allocated = best
    changed = tuple(
        UnitTargetChange(u.unit, names.get(u.unit), u.baseline, u.target, allocated[u.unit])
        for u in units if u.unit in allocated and allocated[u.unit] != u.target
    )
    return method, changed, None


def check_unit_targets(plan: Plan, measure: str) -> Optional[UnitTargetCheck]:
    """The plan's own unit targets for ``measure`` against its corporate figure; ``None`` when
    :func:`checkable` says they cannot be checked."""
    if checkable(plan, measure) is not None:
        return None
    units = plan_inputs.plan_unit_target_volumes(plan, measure)
    if units is None:  # pragma: no cover - checkable() has ruled this out
        return None
    names = {u.code: u.name for u in plan.units}
    figure = corporate_figure(plan, measure, [u.baseline for u in units])
    method, changed, note = _fresh_allocation(plan, measure, units, figure, names)
    return UnitTargetCheck(measure=measure, period=plan.period, units=tuple(units), names=names, figure=figure,
                           method=method, changed=changed, allocation_note=note)


def check_plan_unit_targets(plan: Plan) -> list[UnitTargetCheck]:
    """Every measure whose unit targets can be checked, in plan order."""
    checks = []
    for measure in plan_inputs.measures_with_unit_targets(plan):
        check = check_unit_targets(plan, measure)
        if check is not None:
            checks.append(check)
    return checks


def unit_target_problems(plan: Plan) -> list[Problem]:
    """An error for each measure whose unit targets do not meet the corporate figure."""
    return [problem for check in check_plan_unit_targets(plan) if (problem := check.problem()) is not None]
