"""Peer comparison: a unit's rate per 1,000 residents against its peer group
(its most similar group), with a band that says whether the difference is
beyond chance (``docs/conventions.md#peer-comparison``).

The peer rate is the group's pooled rate (its offences ÷ its residents) with
the unit itself left out.  Whether the difference is beyond chance is the exact
conditional test for two Poisson rates: given the total count of the unit and
its peers, the unit's share is binomial with the unit's share of the residents
when the rates are equal.  Inverting it (Clopper–Pearson) gives an exact
interval for the ratio of the unit's rate to its peers'; the band is "in line
with" peers when that interval contains 1.  See ``docs/statistics.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal, Mapping

from scipy import stats

Polarity = Literal["lower", "higher", "neutral"]
Band = Literal["better than", "in line with", "worse than", "higher than", "lower than"]


def rate_per_1000(count: float, population: float) -> float:
    """Events per 1,000 residents."""
    if not population > 0:
        raise ValueError(f"population must be more than 0, not {population!r}")
    return 1000 * count / population


@dataclass(frozen=True)
class PeerComparison:
    """A unit's rate against its peers' pooled rate, with the ratio's interval and the band."""

    unit: str
    peers: tuple[str, ...]
    unit_count: float
    unit_population: float
    peer_count: float
    peer_population: float
    unit_rate: float
    peer_rate: float
    rate_ratio: float
    ratio_interval: tuple[float, float]
    p_value: float
    confidence: float
    band: Band


def compare_with_peers(
    unit: str,
    counts: Mapping[str, float],
    populations: Mapping[str, float],
    peers: Iterable[str],
    polarity: Polarity = "lower",
    confidence: float = 0.95,
) -> PeerComparison:
    """Compare ``unit``'s rate per 1,000 residents with the pooled rate of ``peers``.

    ``polarity`` says which is better: ``"lower"`` (crime), ``"higher"``
    (detections), or ``"neutral"`` (the band is "higher than" or "lower than").
    The unit is left out of its own peer group.  Counts must be whole numbers.
    """
    if polarity not in ("lower", "higher", "neutral"):
        raise ValueError(f"polarity must be lower, higher or neutral, not {polarity!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, not {confidence!r}")
    peer_units = tuple(p for p in dict.fromkeys(peers) if p != unit)
    if not peer_units:
        raise ValueError(f"{unit} has no peers to compare with")
    for name in (unit, *peer_units):
        if name not in counts or name not in populations:
            raise ValueError(f"{name} needs both a count and a population")
        if counts[name] < 0 or counts[name] != int(counts[name]):
            raise ValueError(f"the count for {name} must be a whole number of at least 0, not {counts[name]!r}")
        if not populations[name] > 0:
            raise ValueError(f"the population of {name} must be more than 0, not {populations[name]!r}")

    unit_count = int(counts[unit])
    unit_population = float(populations[unit])
    peer_count = int(sum(counts[p] for p in peer_units))
    peer_population = float(sum(populations[p] for p in peer_units))
    unit_rate = rate_per_1000(unit_count, unit_population)
    peer_rate = rate_per_1000(peer_count, peer_population)

    total = unit_count + peer_count
    population_share = unit_population / (unit_population + peer_population)
    odds_to_ratio = peer_population / unit_population
    if total == 0:
        interval, p_value = (0.0, float("inf")), 1.0
        ratio = float("nan")
    else:
        share = stats.binomtest(unit_count, total, population_share).proportion_ci(confidence, method="exact")
        interval = (_share_to_ratio(share.low, odds_to_ratio), _share_to_ratio(share.high, odds_to_ratio))
        lower_tail = stats.binom.cdf(unit_count, total, population_share)
        upper_tail = stats.binom.sf(unit_count - 1, total, population_share)
        p_value = float(min(1.0, 2 * min(lower_tail, upper_tail)))
        ratio = unit_rate / peer_rate if peer_rate > 0 else float("inf")

    return PeerComparison(
        unit=unit,
        peers=peer_units,
        unit_count=unit_count,
        unit_population=unit_population,
        peer_count=peer_count,
        peer_population=peer_population,
        unit_rate=unit_rate,
        peer_rate=peer_rate,
        rate_ratio=ratio,
        ratio_interval=interval,
        p_value=p_value,
        confidence=confidence,
        band=_band(interval, polarity),
    )


def _share_to_ratio(share: float, odds_to_ratio: float) -> float:
    """The unit's share of the events → the ratio of its rate to its peers' rate."""
    if share >= 1:
        return float("inf")
    return float(share / (1 - share) * odds_to_ratio)


def _band(interval: tuple[float, float], polarity: Polarity) -> Band:
    low, high = interval
    if low <= 1 <= high:
        return "in line with"
    unit_higher = low > 1
    if polarity == "neutral":
        return "higher than" if unit_higher else "lower than"
    if polarity == "lower":
        return "worse than" if unit_higher else "better than"
    return "better than" if unit_higher else "worse than"
