"""Rates and intervals, checked against published figures, textbook values and
direct enumeration, plus the invariants that must hold for any input."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from policingplan.stats.rates import (
    SMALL_NUMBER_THRESHOLD,
    highest_achievable_rate,
    is_small_number,
    poisson_change_z,
    poisson_interval,
    probability_of_meeting_rate_target,
    sanction_detection_rate,
    wilson_interval,
)


def test_wilson_interval_matches_the_textbook_example():
    # Newcombe (1998), Statistics in Medicine 17:857, table I: 81/263 → 0.2553 to 0.3662.
    low, high = wilson_interval(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    # and 15/148 → 0.0624 to 0.1605.
    low, high = wilson_interval(15, 148)
    assert (round(low, 4), round(high, 4)) == (0.0624, 0.1605)


def test_wilson_interval_at_the_edges():
    assert wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(10, 10)[1] == 1.0
    # With no successes the upper bound is z² / (n + z²).
    z = stats.norm.isf(0.025)
    assert wilson_interval(0, 10)[1] == pytest.approx(z * z / (10 + z * z))


def test_wilson_interval_refuses_impossible_input():
    for args in ((11, 10), (-1, 10), (0, 0), (5, 10, 1.0), (5, 10, 0)):
        with pytest.raises(ValueError):
            wilson_interval(*args)


def test_homicide_sanction_detection_rates_from_the_published_figures():
    # 2006: 172 homicides, 147 sanction detections (85.5%); 2007: 163, 134 (82.2%).
    assert round(sanction_detection_rate(147, 172) * 100, 1) == 85.5
    assert round(sanction_detection_rate(134, 163) * 100, 1) == 82.2
    low, high = wilson_interval(134, 163)
    assert low < 0.80 < 0.85 < high  # neither target is beyond chance at this volume


def test_the_sanction_detection_rate_can_exceed_one_and_needs_offences():
    assert sanction_detection_rate(12, 10) == 1.2
    assert sanction_detection_rate(3, 0) is None


def test_highest_achievable_rate():
    assert highest_achievable_rate(172, 4) == pytest.approx(168 / 172)
    assert highest_achievable_rate(0, 0) is None
    with pytest.raises(ValueError):
        highest_achievable_rate(5, 6)


def test_poisson_interval_matches_garwood_table_values():
    # Garwood (1936); the usual table: 0 → (0, 3.689), 1 → (0.0253, 5.572), 10 → (4.795, 18.39).
    assert poisson_interval(0) == (0.0, pytest.approx(3.6889, abs=1e-4))
    low, high = poisson_interval(1)
    assert (round(low, 4), round(high, 3)) == (0.0253, 5.572)
    low, high = poisson_interval(10)
    assert (round(low, 3), round(high, 2)) == (4.795, 18.39)


def test_poisson_interval_has_exact_tail_probabilities():
    low, high = poisson_interval(7, 0.90)
    assert stats.poisson.sf(6, low) == pytest.approx(0.05, abs=1e-9)  # P(X >= 7 | low) = 5%
    assert stats.poisson.cdf(7, high) == pytest.approx(0.05, abs=1e-9)  # P(X <= 7 | high) = 5%


def test_poisson_change_z():
    change = poisson_change_z(121, 100)
    assert change.z == 2 * (11 - 10)
    assert change.p_value == pytest.approx(2 * stats.norm.sf(2))
    assert not change.small_numbers
    assert poisson_change_z(12, 20).small_numbers
    assert poisson_change_z(100, 100).p_value == 1.0


def test_small_number_flag():
    assert SMALL_NUMBER_THRESHOLD == 30
    assert is_small_number(29) and not is_small_number(30)


def test_probability_of_meeting_a_rate_target_by_enumeration():
    # 160 homicides, true rate 82%: meeting 80% needs at least 128 detections.
    expected = sum(math.comb(160, d) * 0.82**d * 0.18 ** (160 - d) for d in range(128, 161))
    assert probability_of_meeting_rate_target(0.82, 160, 0.80) == pytest.approx(expected, rel=1e-9)
    # 85% needs 136 (0.85 × 160 = 136 exactly).
    expected_85 = sum(math.comb(160, d) * 0.82**d * 0.18 ** (160 - d) for d in range(136, 161))
    assert probability_of_meeting_rate_target(0.82, 160, 0.85) == pytest.approx(expected_85, rel=1e-9)
    assert probability_of_meeting_rate_target(0.82, 160, 0.80) == pytest.approx(0.7795, abs=5e-5)


def test_a_target_met_exactly_counts_as_met():
    # 7 detections of 10 at a 70% target: exactly 0.7, which meets it.
    assert probability_of_meeting_rate_target(1.0, 10, 0.7) == 1.0
    assert probability_of_meeting_rate_target(0.7, 10, 0.7) == pytest.approx(stats.binom.sf(6, 10, 0.7))


def test_an_uncertain_volume_mixes_over_a_poisson_volume():
    direct = sum(
        stats.poisson.pmf(v, 20) * stats.binom.sf(math.ceil(0.8 * v - 1e-12) - 1, v, 0.82)
        for v in range(1, 80)
    ) / (1 - stats.poisson.pmf(0, 20))
    assert probability_of_meeting_rate_target(0.82, 20, 0.80, volume_is_expected=True) == pytest.approx(
        direct, rel=1e-9
    )


def test_probability_of_meeting_rises_with_the_true_rate():
    chances = [probability_of_meeting_rate_target(r, 160, 0.80) for r in (0.70, 0.78, 0.80, 0.82, 0.90)]
    assert chances == sorted(chances)
    assert chances[0] < 0.01 and chances[-1] > 0.99


@settings(max_examples=300, deadline=None)
@given(trials=st.integers(1, 100_000), fraction=st.floats(0, 1), confidence=st.floats(0.5, 0.999))
def test_wilson_interval_lies_within_0_and_1_and_contains_the_estimate(trials, fraction, confidence):
    successes = round(fraction * trials)
    low, high = wilson_interval(successes, trials, confidence)
    assert 0.0 <= low <= successes / trials <= high <= 1.0


@settings(max_examples=300, deadline=None)
@given(trials=st.integers(1, 100_000), fraction=st.floats(0, 1))
def test_wilson_intervals_are_nested(trials, fraction):
    successes = round(fraction * trials)
    low80, high80 = wilson_interval(successes, trials, 0.80)
    low95, high95 = wilson_interval(successes, trials, 0.95)
    assert low95 <= low80 and high80 <= high95


@settings(max_examples=300, deadline=None)
@given(count=st.integers(0, 1_000_000))
def test_poisson_intervals_are_nested_and_contain_the_count(count):
    low80, high80 = poisson_interval(count, 0.80)
    low95, high95 = poisson_interval(count, 0.95)
    assert 0.0 <= low95 <= low80 <= count <= high80 <= high95
