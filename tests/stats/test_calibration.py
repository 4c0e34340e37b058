"""Reliability, the Brier score's parts, coverage and the count of units meeting: hand-worked cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import multivariate_normal, norm

from policingplan.stats.calibration import (
    brier_parts, common_correlation, count_interval, count_meeting, coverage, poisson_binomial, reliability_table,
)


def test_reliability_table_bins_by_fifths_with_the_last_bin_closed():
    p = [0.1, 0.1, 0.3, 0.5, 0.9, 1.0, 0.2]
    met = [0, 1, 0, 1, 1, 1, 0]
    bins = reliability_table(p, met)
    assert [(b.lower, b.upper, b.cases) for b in bins] == [
        (0.0, 0.2, 2), (0.2, 0.4, 2), (0.4, 0.6, 1), (0.6, 0.8, 0), (0.8, 1.0, 2)]
    assert bins[0].mean_probability == pytest.approx(0.1) and bins[0].share_met == 0.5
    assert bins[1].mean_probability == pytest.approx(0.25) and bins[1].share_met == 0.0
    assert bins[3].mean_probability is None and bins[3].share_met is None
    assert bins[4].mean_probability == pytest.approx(0.95) and bins[4].share_met == 1.0


def test_brier_parts_worked_by_hand():
    # Two bins, each with one probability: the decomposition is exact.
    # Bin 0.2: 4 cases, 1 met; bin 0.8: 6 cases, 4 met.  Base rate 5/10.
    p = [0.2] * 4 + [0.8] * 6
    met = [1, 0, 0, 0] + [1, 1, 1, 1, 0, 0]
    parts = brier_parts(p, met)
    score = (0.8 ** 2 + 3 * 0.2 ** 2 + 4 * 0.2 ** 2 + 2 * 0.8 ** 2) / 10  # = 0.22
    assert parts.score == pytest.approx(score) == pytest.approx(0.22)
    assert parts.reliability == pytest.approx((4 * (0.2 - 0.25) ** 2 + 6 * (0.8 - 4 / 6) ** 2) / 10)
    assert parts.resolution == pytest.approx((4 * (0.25 - 0.5) ** 2 + 6 * (4 / 6 - 0.5) ** 2) / 10)
    assert parts.uncertainty == pytest.approx(0.25)
    assert parts.within_bins == pytest.approx(0.0, abs=1e-12)
    assert parts.reliability - parts.resolution + parts.uncertainty == pytest.approx(parts.score)


def test_brier_parts_leave_a_within_bin_remainder_when_probabilities_differ_in_a_bin():
    parts = brier_parts([0.1, 0.3], [0, 1])  # two bins of one
    assert parts.score == pytest.approx((0.01 + 0.49) / 2)
    assert parts.reliability - parts.resolution + parts.uncertainty + parts.within_bins == pytest.approx(parts.score)
    one_bin = brier_parts([0.05, 0.15], [0, 1])  # same bin, different probabilities
    assert one_bin.within_bins != pytest.approx(0.0)


@pytest.mark.parametrize("p, met", [([1.2], [1]), ([0.5], [2]), ([0.5, 0.5], [1])])
def test_bad_inputs_are_refused(p, met):
    with pytest.raises(ValueError):
        brier_parts(p, met)


def test_coverage_counts_the_ends_as_inside():
    assert coverage([0, 0, 0, 0], [10, 10, 10, 10], [0, 10, 11, -1]) == 0.5


def test_poisson_binomial_matches_enumeration():
    p = [0.2, 0.5, 0.9]
    pmf = poisson_binomial(p)
    by_hand = np.zeros(4)
    for a in (0, 1):
        for b in (0, 1):
            for c in (0, 1):
                by_hand[a + b + c] += (p[0] if a else 1 - p[0]) * (p[1] if b else 1 - p[1]) * (p[2] if c else 1 - p[2])
    assert pmf == pytest.approx(by_hand)


def test_count_meeting_without_shared_movement_is_poisson_binomial():
    p = [0.1, 0.4, 0.7, 0.95]
    count = count_meeting(p, rho=0.0)
    assert count.pmf == pytest.approx(tuple(poisson_binomial(p)))
    assert count.expected == pytest.approx(sum(p))


def test_count_meeting_with_shared_movement_matches_the_bivariate_normal():
    # Two units, each P = 0.5, latent correlation rho: P(both meet) = P(Z1 < 0, Z2 < 0)
    # = 1/4 + asin(rho) / (2 pi) (Sheppard's formula).
    rho = 0.4
    count = count_meeting([0.5, 0.5], rho)
    both = 0.25 + math.asin(rho) / (2 * math.pi)
    assert count.pmf[2] == pytest.approx(both, abs=1e-6)
    assert count.pmf[0] == pytest.approx(both, abs=1e-6)
    assert count.pmf[1] == pytest.approx(1 - 2 * both, abs=1e-6)
    # Unequal probabilities against scipy's bivariate normal.
    p = [0.3, 0.8]
    z = norm.ppf(p)
    joint = multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]]).cdf(z)
    assert count_meeting(p, rho).pmf[2] == pytest.approx(joint, abs=1e-5)


def test_shared_movement_keeps_the_mean_and_widens_the_interval():
    p = [0.6] * 32
    alone, together = count_meeting(p, 0.0), count_meeting(p, 0.3)
    assert alone.expected == together.expected == pytest.approx(19.2)
    mean_together = sum(k * v for k, v in enumerate(together.pmf))
    assert mean_together == pytest.approx(19.2, abs=1e-6)
    low_a, high_a = alone.interval(0.8)
    low_t, high_t = together.interval(0.8)
    assert high_t - low_t > high_a - low_a
    assert low_t <= 19 <= high_t


def test_count_interval_is_equal_tailed():
    pmf = [0.05, 0.1, 0.7, 0.1, 0.05]  # cumulative 0.05, 0.15, 0.85, 0.95, 1
    assert count_interval(pmf, 0.8) == (1, 3)
    assert count_interval(pmf, 0.5) == (2, 2)
    assert count_interval([0.0, 0.0, 1.0], 0.8) == (2, 2)


def test_common_correlation_recovers_a_planted_factor():
    rng = np.random.default_rng(7)
    units, origins, rho = 30, 400, 0.35
    shared = rng.standard_normal(origins)
    own = rng.standard_normal((units, origins))
    scales = rng.uniform(0.05, 0.4, size=(units, 1))
    errors = scales * (math.sqrt(rho) * shared + math.sqrt(1 - rho) * own)
    errors[0, :50] = np.nan
    assert common_correlation(errors) == pytest.approx(rho, abs=0.08)
    independent = scales * rng.standard_normal((units, origins))
    assert common_correlation(independent) == pytest.approx(0.0, abs=0.05)


def test_common_correlation_needs_enough_units_and_origins():
    assert common_correlation(np.zeros((2, 50))) is None
    assert common_correlation(np.random.default_rng(1).standard_normal((5, 4))) is None
