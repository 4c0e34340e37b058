"""What-if: change the reduction, a floor, a cap or a proposal; allocation and trajectory at once."""

from __future__ import annotations

import pytest

from policingplan.targets.allocation import AllocationInputError, UnitInput
from policingplan.targets.whatif import RequirementInputs, TargetSetting, WhatIf, set_targets, what_if

SETTING = TargetSetting(
    units=(
        UnitInput("A", 400_000, proposed_reduction=0.05),
        UnitInput("B", 212_000, proposed_reduction=0.06, max_reduction=0.08),
    ),
    reduction=0.055,
    method="negotiated",
    requirement=RequirementInputs(baseline=612_000, latest_change=-0.134, required_change=-0.194),
)


def test_base_setting_misses_psa1():
    result = set_targets(SETTING)
    assert result.allocation.meets
    assert result.trajectory.planned_change == -0.055 and not result.trajectory.meets


def test_raising_the_reduction_to_693_percent_meets_psa1_and_moves_units():
    result = what_if(SETTING, WhatIf(reduction=0.0693))
    assert result.after.trajectory.meets and not result.before.trajectory.meets
    assert result.after.allocation.meets
    assert {c.unit for c in result.changed_units} == {"A", "B"}
    assert all(c.difference < 0 for c in result.changed_units)


def test_a_lower_cap_moves_the_difference_to_the_other_unit():
    base = set_targets(SETTING).allocation
    result = what_if(SETTING, WhatIf(caps={"B": 0.03}))
    after = result.after.allocation
    assert after.unit("B").reduction <= 0.03
    assert after.unit("A").target < base.unit("A").target
    assert after.target_total <= after.required_total


def test_a_cap_too_low_everywhere_is_infeasible_not_relaxed():
    result = what_if(SETTING, WhatIf(caps={"A": 0.02, "B": 0.02}))
    assert not result.after.allocation.feasible
    assert result.after.allocation.best_reachable_reduction == pytest.approx(0.02)


def test_removing_a_cap_and_changing_a_proposal_and_floor():
    result = what_if(SETTING, WhatIf(caps={"B": None}, proposals={"A": 0.02}, floors={"B": 0.07}))
    b = result.after.allocation.unit("B")
    assert b.reduction >= 0.07
    assert result.after.setting.units[1].max_reduction is None


def test_an_unknown_unit_is_an_error_naming_it():
    with pytest.raises(AllocationInputError, match="'Z'"):
        what_if(SETTING, WhatIf(floors={"Z": 0.01}))
