"""Benefits realisation: planned against actual over time, and benefits late or off track (pure).

A benefit's planned path runs flat at its baseline until realisation
``starts`` (by default the baseline's date), then in a straight line to its
target on its ``due`` date, and holds there.  Progress is the share of the
planned change (target less baseline) that a value has made, so that a
benefit that is to rise and one that is to fall are judged alike.  At an
as-of date (only actuals dated on or before it count):

- ``not_measurable``: no baseline, no target (or one equal to the baseline), or no due date;
- ``realised``: the latest actual has made the whole change;
- ``late``: the due date has passed and it has not;
- ``awaiting_data``: no actual yet;
- ``off_track``: the latest actual's progress is behind the planned share at its date by
  more than the benefit's tolerance (0.1 by default: ten points of the change);
- ``on_track``: otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from policingplan.portfolio.model import Actual, Benefit

STATUSES: tuple[str, ...] = ("realised", "on_track", "off_track", "late", "awaiting_data", "not_measurable")


def planned_share(benefit: Benefit, on: dt.date) -> Optional[float]:
    """The share of the change planned to be made by ``on`` (0 to 1); ``None`` if not measurable."""
    if not benefit.measurable:
        return None
    start = benefit.starts or benefit.baseline.date
    due = benefit.due
    if on <= start:
        return 0.0
    if on >= due:
        return 1.0
    return (on - start).days / (due - start).days


def planned_value(benefit: Benefit, on: dt.date) -> Optional[float]:
    """The value planned for ``on``; ``None`` if not measurable."""
    share = planned_share(benefit, on)
    if share is None:
        return None
    return benefit.baseline.value + share * (benefit.target - benefit.baseline.value)


def progress(benefit: Benefit, value: float) -> Optional[float]:
    """The share of the planned change that ``value`` has made (1 is the whole change; may be below 0)."""
    if not benefit.measurable:
        return None
    return (value - benefit.baseline.value) / (benefit.target - benefit.baseline.value)


def latest_actual(benefit: Benefit, as_of: dt.date) -> Optional[Actual]:
    """The latest actual dated on or before ``as_of``."""
    known = [a for a in benefit.actuals if a.date <= as_of]
    return max(known, key=lambda a: a.date) if known else None


@dataclass(frozen=True)
class Assessment:
    """A benefit at an as-of date."""

    status: str
    latest: Optional[Actual]
    progress: Optional[float]  # the latest actual's share of the change
    expected: Optional[float]  # the share planned by the latest actual's date
    planned_now: Optional[float]  # the value planned for the as-of date
    days_late: Optional[int]  # days past the due date, when late


def assess(benefit: Benefit, as_of: dt.date) -> Assessment:
    """Where ``benefit`` stands at ``as_of``: its status and the figures it was judged by."""
    if not benefit.measurable:
        return Assessment("not_measurable", latest_actual(benefit, as_of), None, None, None, None)
    latest = latest_actual(benefit, as_of)
    made = progress(benefit, latest.value) if latest else None
    expected = planned_share(benefit, latest.date) if latest else None
    planned_now = planned_value(benefit, as_of)
    if made is not None and made >= 1:
        status, late = "realised", None
    elif as_of > benefit.due:
        status, late = "late", (as_of - benefit.due).days
    elif latest is None:
        status, late = "awaiting_data", None
    elif made < expected - benefit.tolerance:
        status, late = "off_track", None
    else:
        status, late = "on_track", None
    return Assessment(status, latest, made, expected, planned_now, late)


@dataclass(frozen=True)
class SeriesPoint:
    date: dt.date
    planned: Optional[float]
    actual: Optional[float]


def series(benefit: Benefit, as_of: dt.date) -> list[SeriesPoint]:
    """Planned against actual over time: the baseline, where realisation starts, each actual up to
    ``as_of``, and the due date, each with its planned value (and its actual, where there is one)."""
    dates: dict[dt.date, Optional[float]] = {}
    if benefit.baseline is not None:
        dates[benefit.baseline.date] = benefit.baseline.value
    for when in (benefit.starts, benefit.due):
        if when is not None:
            dates.setdefault(when, None)
    for actual in sorted(benefit.actuals, key=lambda a: a.date):
        if actual.date <= as_of:
            dates[actual.date] = actual.value
    return [SeriesPoint(d, planned_value(benefit, d), dates[d]) for d in sorted(dates)]


__all__ = ["Assessment", "STATUSES", "SeriesPoint", "assess", "latest_actual", "planned_share", "planned_value",
           "progress", "series"]
