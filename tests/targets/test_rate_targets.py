"""Homicide sanction detection targets at about 170 homicides a year (report paragraph 17).

Published: 2006, 172 homicides and 147 sanction detections (85.5%); 2007, 163 and 134 (82.2%).
"""

from __future__ import annotations

import pytest
from scipy import stats

from policingplan.targets.rate_targets import (
    ObservedRate,
    chance_of_meeting_rate_target,
    describe_rate_target,
    rate_target_table,
)

YEARS = (ObservedRate("2006", 172, 147), ObservedRate("2007", 163, 134))
EXPECTED_VOLUME = 170


def test_published_rates_and_their_intervals_straddle_85_percent():
    assert [round(y.rate * 100, 1) for y in YEARS] == [85.5, 82.2]
    for year in YEARS:
        low, high = year.interval
        # An 85% target lies inside both years' 95% intervals; 80% inside neither's upper half.
        assert low < 0.85 < high
        assert low < year.rate < high


def test_80_percent_is_likely_and_85_percent_a_long_shot_at_the_2007_rate():
    true_rate = 134 / 163
    at_80 = chance_of_meeting_rate_target(0.80, true_rate, EXPECTED_VOLUME)
    at_85 = chance_of_meeting_rate_target(0.85, true_rate, EXPECTED_VOLUME)
    # 80% of 170 is 136 detections; 85% is 144.5, so 145.
    assert at_80.probability == pytest.approx(stats.binom.sf(135, 170, true_rate))
    assert at_85.probability == pytest.approx(stats.binom.sf(144, 170, true_rate))
    assert at_80.probability > 0.75
    assert at_85.probability < 0.20


def test_even_at_the_2006_rate_85_percent_is_close_to_a_coin_toss():
    at_85 = chance_of_meeting_rate_target(0.85, 147 / 172, EXPECTED_VOLUME)
    assert 0.45 < at_85.probability < 0.65


def test_cases_that_can_never_be_sanctioned_lower_the_ceiling():
    # A suicide bombing with many victims: 52 of 170 homicides with no sanction possible.
    chance = chance_of_meeting_rate_target(0.80, 0.95, EXPECTED_VOLUME, never_sanctionable=52)
    assert chance.highest_achievable == pytest.approx(118 / 170)
    assert chance.probability == 0.0
    assert "cannot be met" in describe_rate_target(chance)
    # Five murder-suicides: 136 detections are needed from 165 sanctionable cases.
    five = chance_of_meeting_rate_target(0.80, 134 / 163, EXPECTED_VOLUME, never_sanctionable=5)
    assert five.probability == pytest.approx(stats.binom.sf(135, 165, 134 / 163))
    assert five.probability < chance_of_meeting_rate_target(0.80, 134 / 163, EXPECTED_VOLUME).probability


def test_table_covers_every_combination_in_order():
    table = rate_target_table([0.80, 0.85], [0.822, 0.855], EXPECTED_VOLUME, never_sanctionable=[0, 3])
    assert len(table) == 8
    assert [(c.never_sanctionable, c.target_rate, c.true_rate) for c in table[:2]] == [(0, 0.80, 0.822), (0, 0.80, 0.855)]
    assert "the chance of showing 80% or more is" in describe_rate_target(table[0])
