"""Target-setting inputs from the London 2007/08 example plan, checked against the project's data."""

from __future__ import annotations

import csv
import math

import pytest

from policingplan.data.files import open_text
from policingplan.plan.io import load_plan
from policingplan.targets import plan_inputs
from policingplan.targets.allocation import allocate_unit_targets

GLA_OFFENCES = "gla-recorded-offences-by-borough-fy_1999-00_2009-10.csv.gz"


@pytest.fixture(scope="module")
def london_plan(project_root):
    return load_plan(project_root / "examples" / "london-2007-08")


def gla_offences(london_dir, year_ending: str) -> dict[str, int]:
    """Total notifiable offences of the 32 boroughs (codes E09000002-33) for the FY starting in April of the year."""
    with open_text(london_dir / GLA_OFFENCES) as handle:
        return {
            row["Code"]: int(row["Value"])
            for row in csv.DictReader(handle)
            if row["Code"].startswith("E09") and row["Code"] != "E09000001" and row["Year"] == f"{year_ending}-12-31"
        }


def test_the_bcs_comparator_target_is_the_one_with_unit_targets(london_plan):
    assert plan_inputs.choose_measure(london_plan, None) == "bcs-comparator-crimes"
    # "a further reduction of between 5 and 6%": the midpoint.
    assert plan_inputs.corporate_reduction(london_plan, "bcs-comparator-crimes") == pytest.approx(0.055)
    assert plan_inputs.baseline_period(london_plan, "bcs-comparator-crimes") == "2006/07"


def test_stretch_allocation_over_the_32_boroughs_meets_the_corporate_figure(london_plan, london_dir):
    units = plan_inputs.unit_inputs(london_plan, "bcs-comparator-crimes")
    offences = gla_offences(london_dir, "2006")
    assert len(units) == 32 == len(offences)
    assert {u.unit: u.baseline for u in units} == offences
    assert all(u.population and u.peer_group for u in units)

    allocation = allocate_unit_targets(units, 0.055, "stretch")
    assert allocation.required_total == math.floor(sum(offences.values()) * 0.945)
    assert allocation.feasible and allocation.meets
    assert allocation.target_total == allocation.required_total
    westminster = allocation.unit("E09000033")
    # Westminster's rate is the furthest above its peers', so it is asked for the most.
    assert westminster.reduction == max(u.reduction for u in allocation.units) > 0.055
    assert "above its peer group's" in westminster.reason


def test_psa1_trajectory_from_the_plan(london_plan):
    (psa1,) = plan_inputs.requirements_for(london_plan, "bcs-comparator-crimes")
    trajectory = plan_inputs.plan_requirement_trajectory(london_plan, psa1)
    assert round(trajectory.projected_change * 100, 1) == -18.2
    assert round(trajectory.required_in_year_change * 100, 2) == -6.93
    assert not trajectory.meets and round(trajectory.shortfall, -2) == 7600
    assert plan_inputs.latest_outturn(psa1, london_plan.period) == ("2006/07", -0.134)
