"""Roll target statuses up to objectives and priorities (docs/conventions.md#roll-ups).

The rules, for one unit (the force or one borough) at a time:

1. A target's status comes from P(meet): ``likely``, ``in_the_balance``,
   ``unlikely``, or ``not_assessed`` when there is no probability.
2. An objective takes the *worst* status among the targets of its measures
   for that unit (``unlikely`` < ``in_the_balance`` < ``likely``).  Targets
   that are not assessed never decide it; with no assessed target the
   objective is ``not_assessed``.  It carries the count of each status.
3. A priority takes the worst status among its objectives by the same rule,
   and counts each target once even when two of its objectives share a measure.
4. SPC rolls up beside it: ``concern`` when any target's latest point is a
   special cause of concern, else ``improvement`` when any is a special cause
   of improvement, else ``common_cause`` (``None`` with no SPC at all).

Across the units, each unit takes the worst status of all its targets
(:func:`unit_statuses`), with how many of its targets have that status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from policingplan.monitor.core import Status, TargetPosition
from policingplan.plan.model import FORCE, Plan

#: Statuses from worst to best; ``not_assessed`` never decides a roll-up.
STATUS_ORDER: tuple[Status, ...] = ("unlikely", "in_the_balance", "likely")
ALL_STATUSES: tuple[Status, ...] = STATUS_ORDER + ("not_assessed",)


@dataclass(frozen=True)
class ObjectiveStatus:
    id: str
    name: str
    status: Status
    counts: dict[str, int]
    spc: str | None
    measures: tuple[str, ...]


@dataclass(frozen=True)
class PriorityStatus:
    id: str
    name: str
    status: Status
    counts: dict[str, int]
    spc: str | None
    objectives: tuple[ObjectiveStatus, ...]


def worst_status(statuses: Iterable[Status]) -> Status:
    """The worst assessed status, or ``not_assessed`` when none is assessed."""
    ranked = [STATUS_ORDER.index(s) for s in statuses if s in STATUS_ORDER]
    return STATUS_ORDER[min(ranked)] if ranked else "not_assessed"


def status_counts(positions: Iterable[TargetPosition]) -> dict[str, int]:
    """How many targets have each status (every status present, zero or more)."""
    counts = {s: 0 for s in ALL_STATUSES}
    for position in positions:
        counts[position.status] += 1
    return counts


def spc_summary(positions: Iterable[TargetPosition]) -> str | None:
    """``concern`` over ``improvement`` over ``common_cause``; ``None`` without SPC."""
    variations = {p.variation for p in positions if p.variation}
    if "special_cause_concern" in variations:
        return "concern"
    if "special_cause_improvement" in variations:
        return "improvement"
    return "common_cause" if variations else None


def roll_up(plan: Plan, positions: Iterable[TargetPosition], unit: str = FORCE) -> list[PriorityStatus]:
    """The plan's priorities and objectives with the statuses of ``unit``'s targets rolled up."""
    by_measure: dict[str, list[TargetPosition]] = {}
    for position in positions:
        if position.unit == unit:
            by_measure.setdefault(position.measure, []).append(position)
    priorities = []
    for priority in plan.priorities:
        objectives = []
        seen: dict[tuple[str, str, str], TargetPosition] = {}
        for objective in priority.objectives:
            own = [p for m in objective.measures for p in by_measure.get(m, [])]
            for p in own:
                seen[(p.measure, p.unit, p.period)] = p
            objectives.append(ObjectiveStatus(
                id=objective.id, name=objective.name,
                status=worst_status(p.status for p in own),
                counts=status_counts(own), spc=spc_summary(own),
                measures=tuple(objective.measures),
            ))
        priorities.append(PriorityStatus(
            id=priority.id, name=priority.name,
            status=worst_status(o.status for o in objectives),
            counts=status_counts(seen.values()), spc=spc_summary(seen.values()),
            objectives=tuple(objectives),
        ))
    return priorities


@dataclass(frozen=True)
class UnitStatus:
    """A unit's worst status over all its targets, and how many of them have it (all of them when none
    is assessed)."""

    code: str
    name: str
    status: Status
    count: int
    targets: int


def unit_statuses(plan: Plan, positions: Iterable[TargetPosition]) -> list[UnitStatus]:
    """Each of the plan's units that has a target among ``positions``, in the plan's order."""
    by_unit: dict[str, list[TargetPosition]] = {}
    for position in positions:
        by_unit.setdefault(position.unit, []).append(position)
    statuses = []
    for unit in plan.units:
        own = by_unit.get(unit.code)
        if not own:
            continue
        worst = worst_status(p.status for p in own)
        count = status_counts(own)[worst] if worst != "not_assessed" else len(own)
        statuses.append(UnitStatus(code=unit.code, name=unit.name, status=worst, count=count, targets=len(own)))
    return statuses
