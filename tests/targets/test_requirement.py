"""Requirement trajectories: the PSA1 figures of MPA report 8a (docs/conventions.md#requirement-trajectories)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from policingplan.services.targets import trajectory_figures
from policingplan.targets.requirement import compound_change, requirement_trajectory


def test_psa1_reproduces_the_report():
    trajectory = requirement_trajectory(612_000, -0.134, -0.055, -0.194)
    # 0.866 × 0.945 = 0.818: −18.2% by 2007/08.
    assert round(trajectory.projected_change * 100, 1) == -18.2
    assert not trajectory.meets
    # 1 − 0.806 ÷ 0.866 = 6.93% needed in the year.
    assert round(trajectory.required_in_year_change * 100, 2) == -6.93
    # 612,000 × (0.81837 − 0.806) = 7,570.4 crimes, rounded up: about 7,600.
    assert trajectory.shortfall == 7571
    assert round(trajectory.shortfall, -2) == 7600


def test_the_change_needed_in_the_year_meets_it_exactly():
    needed = requirement_trajectory(612_000, -0.134, -0.055, -0.194).required_in_year_change
    met = requirement_trajectory(612_000, -0.134, needed, -0.194)
    assert met.meets and met.shortfall == 0
    assert met.projected_change == pytest.approx(-0.194)


def test_more_than_enough_is_met_with_no_shortfall():
    trajectory = requirement_trajectory(612_000, -0.134, -0.08, -0.194)
    assert trajectory.meets and trajectory.shortfall == 0
    assert trajectory_figures(trajectory).model_dump() == {  # what --json prints
        "projected_change": pytest.approx(0.866 * 0.92 - 1),
        "meets": True,
        "shortfall": 0,
        "required_in_year_change": pytest.approx(0.806 / 0.866 - 1),
    }


def test_without_a_baseline_there_is_no_shortfall_in_crimes():
    trajectory = requirement_trajectory(None, -0.134, -0.055, -0.194)
    assert trajectory.shortfall is None and not trajectory.meets


def test_higher_is_better_requirement():
    # A detection rate to raise by 10% on its baseline; +4% so far, +5% planned: +9.2%.
    trajectory = requirement_trajectory(1000, 0.04, 0.05, 0.10, lower_is_better=False)
    assert not trajectory.meets
    assert trajectory.shortfall == math.ceil(1000 * (1.10 - 1.04 * 1.05) - 1e-6)


def test_probability_of_meeting_from_forecast_draws():
    required_volume = 612_000 * 0.806
    draws = np.array([required_volume - 100, required_volume + 100, required_volume - 1, required_volume + 5000])
    trajectory = requirement_trajectory(612_000, -0.134, -0.055, -0.194, forecast=draws)
    assert trajectory.probability_of_meeting == 0.5


def test_probability_of_meeting_from_a_forecast_distribution():
    # A normal forecast of the year-end centred on the planned 18.2%, sd 5,000 crimes.
    from scipy import stats

    centre = 612_000 * 0.866 * 0.945
    trajectory = requirement_trajectory(612_000, -0.134, -0.055, -0.194, forecast=stats.norm(centre, 5_000).cdf)
    assert trajectory.probability_of_meeting == pytest.approx(stats.norm.cdf((612_000 * 0.806 - centre) / 5_000))
    assert 0.05 < trajectory.probability_of_meeting < 0.1


def test_compound_change_multiplies():
    assert compound_change(-0.134, -0.055) == pytest.approx(0.866 * 0.945 - 1)
    assert compound_change() == 0


@pytest.mark.parametrize("bad", [-1.0, -1.5, math.nan])
def test_a_change_of_minus_100_percent_or_less_is_refused(bad):
    with pytest.raises(ValueError, match="latest_change"):
        requirement_trajectory(612_000, bad, -0.055, -0.194)
