"""Trajectories against a multi-year external requirement such as PSA1
(``docs/conventions.md#requirement-trajectories``).

Changes are signed fractions measured from the requirement's baseline
period: −0.134 is a 13.4% reduction.  Cumulative changes multiply, they do not
add: −13.4% and then a further −5.5% is 0.866 × 0.945 = 0.818, so −18.2%.

The shortfall is the gap in crimes at the deadline between the projected
volume and the required volume, baseline × (1 + projected) − baseline ×
(1 + required), rounded up to a whole crime (meeting the requirement needs at
least that many fewer crimes).  It is 0 when the requirement is met.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional, Sequence, Union

import numpy as np

#: Shortfalls within this fraction of a crime of a whole number are not rounded up further.
_CRIME_TOLERANCE = 1e-6


@dataclass(frozen=True)
class RequirementTrajectory:
    """Where the plan leaves the force against a requirement, in changes and in crimes.

    ``probability_of_meeting`` is the share of the forecast's year-end volumes
    at or better than the required volume, or ``None`` without a forecast.
    """

    baseline: Optional[float]
    latest_change: float
    planned_change: float
    required_change: float
    projected_change: float
    meets: bool
    shortfall: Optional[int]
    required_in_year_change: float
    lower_is_better: bool = True
    probability_of_meeting: Optional[float] = None

    @property
    def projected_volume(self) -> Optional[float]:
        return None if self.baseline is None else self.baseline * (1 + self.projected_change)

    @property
    def required_volume(self) -> Optional[float]:
        return None if self.baseline is None else self.baseline * (1 + self.required_change)


def _check_change(name: str, value: float) -> float:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value > -1):
        raise ValueError(f"{name} must be a signed fraction above -1 (such as -0.134), not {value!r}")
    return float(value)


def compound_change(*changes: float) -> float:
    """The cumulative change of successive changes: (1 + a)(1 + b)… − 1."""
    return math.prod(1 + c for c in changes) - 1


def requirement_trajectory(
    baseline: Optional[float],
    latest_change: float,
    planned_change: float,
    required_change: float,
    forecast: Optional[Union[Sequence[float], Callable[[float], float]]] = None,
    lower_is_better: bool = True,
) -> RequirementTrajectory:
    """Project the latest outturn through the planned change and compare with the requirement.

    ``latest_change`` is the cumulative change from the requirement's baseline
    reached so far; ``planned_change`` the change planned for the year to
    the deadline; ``required_change`` the cumulative change required.
    ``forecast`` (needs ``baseline``) is the forecast of the deadline year's
    volume: either draws from its distribution, or a function giving
    P(volume ≤ v).  The probability of meeting is the chance of a volume at
    or better than baseline × (1 + required).  Without a baseline volume the
    shortfall in crimes is ``None``.
    """
    latest_change = _check_change("latest_change", latest_change)
    planned_change = _check_change("planned_change", planned_change)
    required_change = _check_change("required_change", required_change)
    if baseline is not None and not (math.isfinite(baseline) and baseline > 0):
        raise ValueError(f"the baseline must be a volume above 0, not {baseline!r}")

    projected = compound_change(latest_change, planned_change)
    meets = projected <= required_change + 1e-12 if lower_is_better else projected >= required_change - 1e-12
    in_year = (1 + required_change) / (1 + latest_change) - 1

    shortfall: Optional[int] = None
    if baseline is not None:
        gap = baseline * (1 + projected) - baseline * (1 + required_change)
        if not lower_is_better:
            gap = -gap
        shortfall = 0 if meets else int(math.ceil(gap - _CRIME_TOLERANCE))

    probability = None
    if forecast is not None:
        if baseline is None:
            raise ValueError("a forecast needs the baseline volume, to turn the requirement into a volume")
        required_volume = baseline * (1 + required_change)
        if callable(forecast):
            at_most = float(forecast(required_volume))
            probability = at_most if lower_is_better else 1 - at_most
        else:
            draws = np.asarray(forecast, dtype=float)
            if draws.size == 0 or not np.all(np.isfinite(draws)):
                raise ValueError("the forecast needs at least one finite draw of the year-end volume")
            hits = draws <= required_volume if lower_is_better else draws >= required_volume
            probability = float(np.mean(hits))

    return RequirementTrajectory(
        baseline=baseline,
        latest_change=latest_change,
        planned_change=planned_change,
        required_change=required_change,
        projected_change=projected,
        meets=bool(meets),
        shortfall=shortfall,
        required_in_year_change=in_year,
        lower_is_better=lower_is_better,
        probability_of_meeting=probability,
    )
