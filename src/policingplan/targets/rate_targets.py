"""Rate targets at small volumes: how a sanction detection target behaves
(``docs/conventions.md#rates-and-small-numbers``).

A homicide whose suspect killed themselves counts as a homicide but can never
be a sanction detection, so it lowers the highest rate that can be reached.
At about 170 homicides a year the observed rate also moves by chance: this
module turns a candidate target into the chance of meeting it, given a true
rate, so that "80% or 85%?" is answered in numbers.  The arithmetic is in
:mod:`policingplan.stats.rates`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from policingplan.formatting import fmt_pct
from policingplan.stats.rates import highest_achievable_rate, probability_of_meeting_rate_target, wilson_interval


@dataclass(frozen=True)
class ObservedRate:
    """A year's detections and cases, with the rate and its Wilson 95% interval."""

    label: str
    cases: int
    detections: int

    @property
    def rate(self) -> float:
        return self.detections / self.cases

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.detections, self.cases)


@dataclass(frozen=True)
class RateTargetChance:
    """The chance of showing at least ``target_rate`` over ``volume`` cases when the true rate is ``true_rate``.

    ``highest_achievable`` allows for ``never_sanctionable`` cases; when it is
    below the target, the target cannot be met whatever the true rate of the
    other cases.
    """

    target_rate: float
    true_rate: float
    volume: float
    never_sanctionable: int
    highest_achievable: float
    probability: float


def chance_of_meeting_rate_target(
    target_rate: float,
    true_rate: float,
    volume: int,
    never_sanctionable: int = 0,
) -> RateTargetChance:
    """P(observed rate ≥ ``target_rate``) over ``volume`` cases, of which ``never_sanctionable`` can never be detected.

    The other cases are detected with probability ``true_rate`` each
    (binomial); the rate is judged over all ``volume`` cases.
    """
    if volume != int(volume) or volume < 1:
        raise ValueError(f"volume must be a whole number of cases, at least 1, not {volume!r}")
    if never_sanctionable < 0 or never_sanctionable > volume:
        raise ValueError(f"never_sanctionable must lie between 0 and the volume ({volume}), not {never_sanctionable!r}")
    highest = highest_achievable_rate(volume, never_sanctionable)
    sanctionable = volume - never_sanctionable
    if sanctionable == 0:
        probability = 1.0 if target_rate <= 0 else 0.0
    else:
        # Meeting target_rate over all cases needs this many detections among the others.
        needed = math.ceil(target_rate * volume - 1e-9)
        probability = (
            0.0
            if needed > sanctionable
            else probability_of_meeting_rate_target(true_rate, sanctionable, needed / sanctionable)
        )
    return RateTargetChance(
        target_rate=target_rate,
        true_rate=true_rate,
        volume=volume,
        never_sanctionable=never_sanctionable,
        highest_achievable=highest,
        probability=probability,
    )


def rate_target_table(
    targets: Sequence[float], true_rates: Sequence[float], volume: int, never_sanctionable: Sequence[int] = (0,)
) -> list[RateTargetChance]:
    """Every combination of target, true rate and never-sanctionable count, in that order."""
    return [
        chance_of_meeting_rate_target(target, true_rate, volume, never)
        for never in never_sanctionable
        for target in targets
        for true_rate in true_rates
    ]


def describe_rate_target(chance: RateTargetChance) -> str:
    """The chance in words, for a report."""
    lead = (
        f"With a true rate of {fmt_pct(chance.true_rate)} over {chance.volume:,} cases"
        + (f", {chance.never_sanctionable} of which can never be sanctioned," if chance.never_sanctionable else "")
    )
    if chance.highest_achievable < chance.target_rate:
        return (
            f"{lead} a {fmt_pct(chance.target_rate, 0)} target cannot be met: "
            f"the highest rate achievable is {fmt_pct(chance.highest_achievable)}."
        )
    return f"{lead} the chance of showing {fmt_pct(chance.target_rate, 0)} or more is {fmt_pct(chance.probability, 0)}."
