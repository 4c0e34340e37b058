"""What-if: change the corporate reduction, a floor, a cap or a proposal, and see the
new allocation and the new trajectory against the requirement at once.

Pure functions: the web application and the command line call the same ones.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Mapping, Optional

from policingplan.targets.allocation import Allocation, AllocationInputError, UnitInput, allocate_unit_targets
from policingplan.targets.requirement import RequirementTrajectory, requirement_trajectory


@dataclass(frozen=True)
class RequirementInputs:
    """A requirement as the trajectory needs it: its baseline volume, the latest
    cumulative change and the cumulative change required (signed fractions)."""

    baseline: Optional[float]
    latest_change: float
    required_change: float


@dataclass(frozen=True)
class TargetSetting:
    """Everything a round of target setting starts from."""

    units: tuple[UnitInput, ...]
    reduction: float
    method: str = "stretch"
    requirement: Optional[RequirementInputs] = None


@dataclass(frozen=True)
class TargetSettingResult:
    """The allocation and, where there is a requirement, the trajectory with the corporate reduction planned."""

    setting: TargetSetting
    allocation: Allocation
    trajectory: Optional[RequirementTrajectory]


@dataclass(frozen=True)
class WhatIf:
    """Changes to try.  Floors, caps and proposals map a unit to a positive fraction, or to
    ``None`` to remove it."""

    reduction: Optional[float] = None
    method: Optional[str] = None
    floors: Mapping[str, Optional[float]] = field(default_factory=dict)
    caps: Mapping[str, Optional[float]] = field(default_factory=dict)
    proposals: Mapping[str, Optional[float]] = field(default_factory=dict)


@dataclass(frozen=True)
class UnitChange:
    unit: str
    before: int
    after: int

    @property
    def difference(self) -> int:
        return self.after - self.before


@dataclass(frozen=True)
class WhatIfResult:
    before: TargetSettingResult
    after: TargetSettingResult
    changed_units: tuple[UnitChange, ...]


def set_targets(setting: TargetSetting) -> TargetSettingResult:
    """Allocate the reduction and project the requirement with that reduction as the plan."""
    allocation = allocate_unit_targets(setting.units, setting.reduction, setting.method)
    trajectory = None
    if setting.requirement is not None:
        trajectory = requirement_trajectory(
            setting.requirement.baseline,
            setting.requirement.latest_change,
            -setting.reduction,
            setting.requirement.required_change,
        )
    return TargetSettingResult(setting=setting, allocation=allocation, trajectory=trajectory)


def apply_what_if(setting: TargetSetting, changes: WhatIf) -> TargetSetting:
    """The setting with ``changes`` applied; an unknown unit is an error naming it."""
    known = {u.unit for u in setting.units}
    for label, mapping in (("floor", changes.floors), ("cap", changes.caps), ("proposal", changes.proposals)):
        for unit in mapping:
            if unit not in known:
                raise AllocationInputError(
                    f"a {label} was given for {unit!r}, which is not one of the units",
                    unit, label, unit, ", ".join(sorted(known)) if len(known) <= 40 else f"one of the {len(known)} units",
                )
    units = tuple(
        dataclasses.replace(
            u,
            min_reduction=changes.floors.get(u.unit, u.min_reduction),
            max_reduction=changes.caps.get(u.unit, u.max_reduction),
            proposed_reduction=changes.proposals.get(u.unit, u.proposed_reduction),
        )
        for u in setting.units
    )
    return dataclasses.replace(
        setting,
        units=units,
        reduction=setting.reduction if changes.reduction is None else changes.reduction,
        method=setting.method if changes.method is None else changes.method,
    )


def what_if(setting: TargetSetting, changes: WhatIf) -> WhatIfResult:
    """The allocation and trajectory before and after ``changes``, and each unit whose target moved."""
    before = set_targets(setting)
    after = set_targets(apply_what_if(setting, changes))
    moved = tuple(
        UnitChange(old.unit, old.target, new.target)
        for old, new in zip(before.allocation.units, after.allocation.units)
        if old.target != new.target
    )
    return WhatIfResult(before=before, after=after, changed_units=moved)

