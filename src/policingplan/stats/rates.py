"""Rates and their uncertainty: Wilson and exact Poisson intervals, the Poisson
z-score for a change between two counts, small-number flags, sanction
detection rates, and the chance of meeting a rate target
(``docs/conventions.md#rates-and-small-numbers``).

See ``docs/statistics.md`` for worked examples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

#: Fewer events than this are "small numbers": rates and changes swing widely by chance.
SMALL_NUMBER_THRESHOLD = 30


def _check_confidence(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, not {confidence!r}")
    return float(confidence)


def _check_count(name: str, value: float) -> None:
    if value < 0 or math.isnan(value):
        raise ValueError(f"{name} must be a count of at least 0, not {value!r}")


def wilson_interval(successes: float, trials: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for the proportion ``successes / trials``.

    It always lies within [0, 1] and behaves well for small numbers and for
    proportions near 0 or 1.  Needs 0 ≤ successes ≤ trials and trials > 0.
    """
    confidence = _check_confidence(confidence)
    _check_count("successes", successes)
    if not trials > 0:
        raise ValueError(f"trials must be more than 0, not {trials!r}")
    if successes > trials:
        raise ValueError(f"successes ({successes}) cannot exceed trials ({trials}) for a proportion")
    z = float(stats.norm.isf((1 - confidence) / 2))
    p = successes / trials
    z2n = z * z / trials
    centre = (p + z2n / 2) / (1 + z2n)
    half = z * math.sqrt(p * (1 - p) / trials + z2n / (4 * trials)) / (1 + z2n)
    lower = 0.0 if successes == 0 else max(0.0, float(centre - half))
    upper = 1.0 if successes == trials else min(1.0, float(centre + half))
    return lower, upper


def poisson_interval(count: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval for the mean of a Poisson count.

    The lower bound is 0 when the count is 0.
    """
    confidence = _check_confidence(confidence)
    _check_count("count", count)
    if count != int(count):
        raise ValueError(f"count must be a whole number, not {count!r}")
    alpha = 1 - confidence
    lower = 0.0 if count == 0 else float(stats.chi2.ppf(alpha / 2, 2 * count) / 2)
    upper = float(stats.chi2.isf(alpha / 2, 2 * count + 2) / 2)
    return lower, upper


@dataclass(frozen=True)
class PoissonChange:
    """The Poisson z-score for a change between two counts, with its two-sided p-value."""

    current: float
    previous: float
    z: float
    p_value: float
    small_numbers: bool


def poisson_change_z(current: float, previous: float) -> PoissonChange:
    """z = 2(√current − √previous), with a two-sided p-value from the normal distribution.

    The square root stabilises a Poisson count's variance at 1/4, so this z
    treats ``previous`` as the expected count and asks whether ``current`` is
    consistent with it; |z| > 1.96 is beyond chance at the 5% level.
    """
    _check_count("current", current)
    _check_count("previous", previous)
    z = 2 * (math.sqrt(current) - math.sqrt(previous))
    return PoissonChange(
        current=current,
        previous=previous,
        z=z,
        p_value=float(2 * stats.norm.sf(abs(z))),
        small_numbers=is_small_number(min(current, previous)),
    )


def is_small_number(events: float) -> bool:
    """True when there are fewer than :data:`SMALL_NUMBER_THRESHOLD` events."""
    return events < SMALL_NUMBER_THRESHOLD


def sanction_detection_rate(detections: float, offences: float) -> float | None:
    """Sanction detections ÷ offences recorded in the same period; ``None`` with no offences.

    It can exceed 1 (100%), because a detection in the period can belong to a
    crime recorded in an earlier one.
    """
    _check_count("detections", detections)
    _check_count("offences", offences)
    return None if offences == 0 else detections / offences


def highest_achievable_rate(cases: float, never_sanctionable: float) -> float | None:
    """The highest sanction detection rate possible when some cases can never be
    sanctioned (a homicide whose suspect killed themselves): (cases − those) ÷ cases.
    ``None`` with no cases."""
    _check_count("cases", cases)
    _check_count("never_sanctionable", never_sanctionable)
    if never_sanctionable > cases:
        raise ValueError(f"never_sanctionable ({never_sanctionable}) cannot exceed cases ({cases})")
    return None if cases == 0 else (cases - never_sanctionable) / cases


def _detections_needed(volume: np.ndarray, target_rate: float) -> np.ndarray:
    """The fewest detections d with d / volume ≥ target_rate, for each volume."""
    needed = np.ceil(volume * target_rate)
    # Guard against rounding in volume * target_rate, in both directions.
    needed = np.where((needed - 1) / np.maximum(volume, 1) >= target_rate, needed - 1, needed)
    needed = np.where(needed / np.maximum(volume, 1) < target_rate, needed + 1, needed)
    return np.maximum(needed, 0)


def probability_of_meeting_rate_target(
    true_rate: float, volume: float, target_rate: float, volume_is_expected: bool = False
) -> float:
    """P(observed detections ÷ volume ≥ target_rate) when detections ~ Binomial(volume, true_rate).

    With ``volume_is_expected`` the volume itself is uncertain: it is drawn from
    a Poisson distribution with mean ``volume`` and the probability is averaged
    over it, given at least one case (with none there is no rate to judge).
    """
    if not 0 <= true_rate <= 1:
        raise ValueError(f"true_rate must lie between 0 and 1, not {true_rate!r}")
    if not 0 <= target_rate <= 1:
        raise ValueError(f"target_rate must lie between 0 and 1, not {target_rate!r}")
    if volume_is_expected:
        if not volume > 0:
            raise ValueError(f"the expected volume must be more than 0, not {volume!r}")
        lo = max(1, int(stats.poisson.ppf(1e-12, volume)))
        hi = max(lo, int(stats.poisson.isf(1e-12, volume)) + 1)
        volumes = np.arange(lo, hi + 1)
        weights = stats.poisson.pmf(volumes, volume)
        weights = weights / (weights.sum())
        chance = stats.binom.sf(_detections_needed(volumes, target_rate) - 1, volumes, true_rate)
        return float(np.clip(np.dot(weights, chance), 0.0, 1.0))
    if volume != int(volume) or volume < 1:
        raise ValueError(f"volume must be a whole number of cases, at least 1, not {volume!r}")
    needed = _detections_needed(np.array([float(volume)]), target_rate)[0]
    return float(stats.binom.sf(needed - 1, int(volume), true_rate))
