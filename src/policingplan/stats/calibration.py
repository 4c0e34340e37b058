"""How good past probabilities were, and how many units will meet their targets (pure).

Two questions a committee asks of a probability, answered with numbers:

- **Were past probabilities right?** :func:`reliability_table` bins past
  P(meet) and sets each bin's mean probability beside the share of those
  targets that were met; :func:`brier_parts` gives the Brier score with its
  reliability, resolution and uncertainty parts (Murphy, 1973), so that a
  score can be read: reliability is how far the probabilities sit from the
  shares met (lower is better), resolution how far the bins' shares met spread
  from the overall share (higher is better), uncertainty the score a constant
  at the overall share would get.  :func:`coverage` is the share of outturns
  inside their intervals.
- **How many units will meet their targets?**  Units of one force move
  together: when crime rises across London late in the year, many boroughs
  miss at once.  :func:`count_meeting` gives the distribution of the number of
  units that meet their targets when each unit's chance is its own P(meet)
  but the units share a common, force-wide movement.  The dependence is a
  one-factor Gaussian copula: unit *u* meets when
  ``sqrt(rho) * C + sqrt(1 - rho) * E_u < z_u`` with ``z_u = Phi^-1(p_u)``,
  ``C`` the shared movement and ``E_u`` the unit's own, all standard normal.
  Each unit's own probability is left exactly as it was (the copula changes
  only how the units move together), so the expected count is the sum of the
  P(meet)s whatever ``rho`` is; only the spread of the count grows with
  ``rho``.  Given ``C`` the units are independent, so the count given ``C`` is
  Poisson-binomial (computed exactly); ``C`` is integrated out by
  Gauss-Hermite quadrature.  No random numbers: the same inputs give the same
  answer.  :func:`common_correlation` estimates ``rho`` from the units' past
  forecast errors at the same origins.

``docs/methods.md`` ("Shared movement") says why this method, and what the
backtest found.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy.special import ndtr, ndtri

#: The bins of the reliability table: P(meet) in fifths.
DEFAULT_EDGES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)

#: Gauss-Hermite nodes for integrating over the shared movement.
_QUADRATURE_NODES = 48


@dataclass(frozen=True)
class ReliabilityBin:
    """One bin of a reliability table: P(meet) in [lower, upper), the last bin closed."""

    lower: float
    upper: float
    cases: int
    mean_probability: float | None
    share_met: float | None


@dataclass(frozen=True)
class BrierParts:
    """The Brier score and its parts: ``score ≈ reliability − resolution + uncertainty``.

    The identity is exact when every probability in a bin is the same;
    ``within_bins`` is what is left (``score − (reliability − resolution +
    uncertainty)``), from the spread of probabilities inside the bins.
    """

    cases: int
    score: float
    reliability: float
    resolution: float
    uncertainty: float
    within_bins: float
    base_rate: float


def _paired(probabilities: Sequence[float], outcomes: Sequence[bool | int]) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(probabilities, dtype=float)
    o = np.asarray(outcomes, dtype=float)
    if p.shape != o.shape or p.ndim != 1:
        raise ValueError("probabilities and outcomes must be two lists of the same length")
    if p.size and (np.nanmin(p) < 0 or np.nanmax(p) > 1):
        raise ValueError("a probability lies outside 0 to 1")
    if not np.all(np.isin(o, (0.0, 1.0))):
        raise ValueError("an outcome is neither met (1) nor missed (0)")
    return p, o


def _bin_index(p: np.ndarray, edges: Sequence[float]) -> np.ndarray:
    inner = np.asarray(edges[1:-1], dtype=float)
    return np.searchsorted(inner, p, side="right")


def reliability_table(probabilities: Sequence[float], outcomes: Sequence[bool | int],
                      edges: Sequence[float] = DEFAULT_EDGES) -> list[ReliabilityBin]:
    """P(meet) in bins against the share met, with the number of cases in each bin."""
    p, o = _paired(probabilities, outcomes)
    index = _bin_index(p, edges)
    bins = []
    for k in range(len(edges) - 1):
        chosen = index == k
        n = int(chosen.sum())
        bins.append(ReliabilityBin(
            lower=float(edges[k]), upper=float(edges[k + 1]), cases=n,
            mean_probability=float(p[chosen].mean()) if n else None,
            share_met=float(o[chosen].mean()) if n else None,
        ))
    return bins


def brier_parts(probabilities: Sequence[float], outcomes: Sequence[bool | int],
                edges: Sequence[float] = DEFAULT_EDGES) -> BrierParts:
    """The Brier score (mean of (p − met)²) with its reliability, resolution and uncertainty."""
    p, o = _paired(probabilities, outcomes)
    n = p.size
    if n == 0:
        raise ValueError("no cases to score")
    score = float(np.mean((p - o) ** 2))
    base = float(o.mean())
    reliability = resolution = 0.0
    for b in reliability_table(p, o, edges):
        if b.cases:
            reliability += b.cases * (b.mean_probability - b.share_met) ** 2
            resolution += b.cases * (b.share_met - base) ** 2
    reliability /= n
    resolution /= n
    uncertainty = base * (1 - base)
    return BrierParts(cases=n, score=score, reliability=reliability, resolution=resolution,
                      uncertainty=uncertainty, within_bins=score - (reliability - resolution + uncertainty),
                      base_rate=base)


def coverage(lower: Sequence[float], upper: Sequence[float], actual: Sequence[float]) -> float:
    """The share of ``actual`` values that lie within their ``[lower, upper]`` intervals."""
    lo, hi, x = (np.asarray(v, dtype=float) for v in (lower, upper, actual))
    if not (lo.shape == hi.shape == x.shape) or x.size == 0:
        raise ValueError("lower, upper and actual must be lists of the same, non-zero length")
    return float(np.mean((lo <= x) & (x <= hi)))


def poisson_binomial(probabilities: Sequence[float]) -> np.ndarray:
    """P(exactly k of the independent events happen), k = 0 … n, by the exact recursion."""
    pmf = np.zeros(len(probabilities) + 1)
    pmf[0] = 1.0
    for i, p in enumerate(probabilities, start=1):
        pmf[1:i + 1] = pmf[1:i + 1] * (1 - p) + pmf[:i] * p
        pmf[0] *= 1 - p
    return pmf


@dataclass(frozen=True)
class CountMeeting:
    """How many of ``units`` meet their targets: the distribution, its mean and an interval."""

    units: int
    expected: float
    pmf: tuple[float, ...]
    rho: float

    def interval(self, level: float = 0.8) -> tuple[int, int]:
        """The equal-tailed interval holding at least ``level`` of the probability."""
        return count_interval(self.pmf, level)


def count_meeting(probabilities: Sequence[float], rho: float) -> CountMeeting:
    """The number of units meeting their targets, when their chances move together by ``rho``.

    ``probabilities`` are the units' own P(meet); ``rho`` (0 to below 1) the
    share of the latent variation that all units share.  ``rho = 0`` gives the
    independent (Poisson-binomial) count.  See the module's description.
    """
    p = np.clip(np.asarray(probabilities, dtype=float), 0.0, 1.0)
    if not 0.0 <= rho < 1.0:
        raise ValueError(f"rho must lie in 0 to below 1 (found {rho})")
    if p.size == 0:
        return CountMeeting(units=0, expected=0.0, pmf=(1.0,), rho=rho)
    if rho == 0.0:
        pmf = poisson_binomial(p)
    else:
        nodes, weights = np.polynomial.hermite_e.hermegauss(_QUADRATURE_NODES)
        weights = weights / weights.sum()
        with np.errstate(divide="ignore"):
            z = ndtri(p)  # ±inf for 0 and 1, which stay 0 and 1 below
        pmf = np.zeros(p.size + 1)
        for c, w in zip(nodes, weights):
            conditional = ndtr((z - math.sqrt(rho) * c) / math.sqrt(1.0 - rho))
            pmf += w * poisson_binomial(conditional)
    pmf = np.clip(pmf, 0.0, None)
    pmf /= pmf.sum()
    return CountMeeting(units=int(p.size), expected=float(p.sum()), pmf=tuple(float(v) for v in pmf), rho=float(rho))


def count_interval(pmf: Sequence[float], level: float = 0.8) -> tuple[int, int]:
    """The equal-tailed interval of a count's distribution holding at least ``level`` of it."""
    cdf = np.cumsum(np.asarray(pmf, dtype=float))
    tail = (1.0 - level) / 2.0
    lower = int(np.searchsorted(cdf, tail - 1e-12, side="right"))
    upper = int(np.searchsorted(cdf, 1.0 - tail - 1e-12, side="left"))
    return lower, min(upper, len(pmf) - 1)


def common_correlation(errors: np.ndarray, min_units: int = 3, min_origins: int = 6) -> float | None:
    """The share of the units' forecast errors that they share: ``rho`` for :func:`count_meeting`.

    ``errors`` is units × origins: each unit's past log-ratio forecast errors
    at the same origins (NaN where there is none).  Each unit's errors are
    standardised; then, under one shared factor, the mean of *n* units'
    standardised errors has variance ``rho + (1 − rho) / n``, which gives
    ``rho``.  Origins with fewer than ``min_units`` units are left out; None
    when fewer than ``min_origins`` origins are left.  Clipped to 0 to 0.95.
    """
    e = np.asarray(errors, dtype=float)
    if e.ndim != 2 or e.shape[0] < min_units:
        return None
    mean = np.nanmean(e, axis=1, keepdims=True)
    sd = np.nanstd(e, axis=1, keepdims=True)
    usable = (np.sum(np.isfinite(e), axis=1, keepdims=True) >= min_origins) & (sd > 0)
    z = np.where(usable, (e - mean) / np.where(sd > 0, sd, 1.0), np.nan)
    counts = np.sum(np.isfinite(z), axis=0)
    keep = counts >= min_units
    if keep.sum() < min_origins:
        return None
    means = np.nanmean(z[:, keep], axis=0)
    n = counts[keep]
    # E[mean²] = rho + (1 − rho) / n, averaged over origins with their own n.
    estimates = (means ** 2 - 1.0 / n) / (1.0 - 1.0 / n)
    return float(np.clip(np.mean(estimates), 0.0, 0.95))


__all__ = [
    "BrierParts", "CountMeeting", "DEFAULT_EDGES", "ReliabilityBin", "brier_parts", "common_correlation",
    "count_interval", "count_meeting", "coverage", "poisson_binomial", "reliability_table",
]
