"""Statistical process control: the NHS "Making Data Count" XmR chart.

Follows ``METHODS.md`` §6, which fixes the conventions of the R package
NHSRplotthedots v0.2.2: limits at mean ± 2.66 × the mean moving range, outlier
screening of moving ranges, rebasing, "fix after n points", the four
special-cause rules and their precedence, point types, and the assurance icon.
See ``docs/statistics.md`` for the conventions, the options and worked examples.

Missing values (``None`` or NaN) keep their place in the series.  As in
NHSRplotthedots, a moving range that touches a missing value is dropped (never
computed across the gap) and the mean ignores it.  A missing point has no point
type (``None``) and breaks every run: a shift, a trend or a two-of-three window
never spans a gap.  It is never treated as zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Literal, Sequence

import numpy as np

Direction = Literal["increase", "decrease", "neutral"]
Assurance = Literal["consistent_pass", "consistent_fail", "inconsistent"]

#: Limits lie this many mean moving ranges from the mean (3σ for an XmR chart).
LIMIT_FACTOR = 2.66
#: The 2σ lines used by the two-of-three rule: two thirds of the way to the limits.
CLOSE_FACTOR = 2 * (LIMIT_FACTOR / 3)
#: With screening, moving ranges at or above this many mean moving ranges are dropped.
SCREEN_FACTOR = 3.267
#: A group with fewer points than this has trial limits and gets a warning.
MIN_POINTS_FOR_FIRM_LIMITS = 13
#: Run lengths the options accept for the shift and trend rules.
ALLOWED_RUN_LENGTHS = (6, 7, 8)

POINT_TYPES = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)
RULES = ("outside_limits", "trend", "two_of_three", "shift")

_RULE_CODE = {0: None, 1: "outside_limits", 2: "trend", 3: "two_of_three", 4: "shift"}
_POLARITY = {"increase": 1, "decrease": -1, "neutral": 0}


@dataclass(frozen=True, slots=True)
class SpcPoint:
    """One point of an XmR chart, with its group's limits and its classification.

    ``index`` and ``group`` are 1-based.  Limits are NaN when the group has too
    few values to compute them; ``y`` and ``point_type`` are ``None`` for a
    missing value.
    """

    index: int
    y: float | None
    mean: float
    lpl: float
    upl: float
    lower_2sigma: float
    upper_2sigma: float
    group: int
    rule: str | None
    point_type: str | None


@dataclass(frozen=True)
class SpcResult:
    """An XmR chart: its points, the variation and assurance icons, and warnings."""

    points: list[SpcPoint]
    variation: str | None
    assurance: Assurance | None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``policingplan spc --json`` (NaN becomes ``None``)."""
        return {
            "points": [
                {
                    "index": p.index,
                    "y": p.y,
                    "mean": _or_none(p.mean),
                    "lpl": _or_none(p.lpl),
                    "upl": _or_none(p.upl),
                    "point_type": p.point_type,
                }
                for p in self.points
            ],
            "variation": self.variation,
            "assurance": self.assurance,
            "warnings": list(self.warnings),
        }


def _or_none(value: float) -> float | None:
    return None if math.isnan(value) else value


def spc(
    values: Sequence[float | None] | np.ndarray,
    direction: Direction = "increase",
    target: float | None = None,
    rebase_at: Iterable[int] = (),
    fix_after: int | None = None,
    screen: bool = True,
    shift_length: int = 7,
    trend_length: int = 7,
    two_of_three_includes_outside: bool = False,
) -> SpcResult:
    """Compute an XmR chart for ``values`` in time order.

    ``direction`` is the improvement direction (``"neutral"`` gives neutral
    high/low points and no assurance).  ``rebase_at`` holds the 1-based index
    of the first point of each new group.  ``fix_after`` computes each group's
    limits from its first ``fix_after`` points.  ``screen`` drops moving ranges
    at or above 3.267 × the mean moving range.  ``shift_length`` and
    ``trend_length`` (6, 7 or 8) set the run lengths.  With
    ``two_of_three_includes_outside`` (the 2023 variant) points beyond the
    limits also count towards the two-of-three rule.

    Raises ``ValueError`` for an option outside what is accepted.
    """
    if direction not in _POLARITY:
        raise ValueError(f"direction must be increase, decrease or neutral, not {direction!r}")
    for name, length in (("shift_length", shift_length), ("trend_length", trend_length)):
        if length not in ALLOWED_RUN_LENGTHS:
            raise ValueError(f"{name} must be 6, 7 or 8, not {length!r}")
    if fix_after is not None and (isinstance(fix_after, bool) or int(fix_after) != fix_after or fix_after < 2):
        raise ValueError(f"fix_after must be a whole number of points, at least 2, not {fix_after!r}")

    y = _as_float_array(values)
    n = len(y)
    starts = _group_starts(rebase_at, n)
    polarity = _POLARITY[direction]

    mean = np.full(n, np.nan)
    amr = np.full(n, np.nan)
    rule = np.zeros(n, dtype=np.int8)
    side = np.zeros(n, dtype=np.int8)  # +1 high, -1 low: the direction of the signal
    warnings: list[str] = []

    bounds = list(zip(starts, starts[1:] + [n]))
    for number, (lo, hi) in enumerate(bounds, start=1):
        g_mean, g_amr = _group_centre_and_spread(y[lo:hi], fix_after, screen)
        mean[lo:hi] = g_mean
        amr[lo:hi] = g_amr
        rule[lo:hi], side[lo:hi] = _classify_group(
            y[lo:hi], g_mean, g_amr, shift_length, trend_length, two_of_three_includes_outside
        )
        size = hi - lo
        span = f"points {lo + 1}–{hi}" if size > 1 else f"point {lo + 1}"
        if size < MIN_POINTS_FOR_FIRM_LIMITS:
            warnings.append(
                f"Group {number} ({span}) has {size} points, fewer than {MIN_POINTS_FOR_FIRM_LIMITS}: "
                "its limits are trial limits, which will change as points are added."
            )
        if math.isnan(g_amr):
            warnings.append(
                f"Group {number} ({span}) has no two consecutive values, so it has no limits."
            )

    lpl = mean - LIMIT_FACTOR * amr
    upl = mean + LIMIT_FACTOR * amr
    lower_2sigma = mean - CLOSE_FACTOR * amr
    upper_2sigma = mean + CLOSE_FACTOR * amr

    present = ~np.isnan(y)
    point_types = _point_types(rule, side, polarity, present)
    group_of = np.repeat(np.arange(1, len(bounds) + 1), [hi - lo for lo, hi in bounds])

    y_list = y.tolist()
    points = [
        SpcPoint(
            index=i + 1,
            y=y_list[i] if present[i] else None,
            mean=m,
            lpl=lo_,
            upl=hi_,
            lower_2sigma=l2,
            upper_2sigma=u2,
            group=g,
            rule=_RULE_CODE[r],
            point_type=t,
        )
        for i, (m, lo_, hi_, l2, u2, g, r, t) in enumerate(
            zip(
                mean.tolist(),
                lpl.tolist(),
                upl.tolist(),
                lower_2sigma.tolist(),
                upper_2sigma.tolist(),
                group_of.tolist(),
                rule.tolist(),
                point_types,
            )
        )
    ]

    observed = [p for p in points if p.point_type is not None]
    variation = observed[-1].point_type if observed else None
    if points and not present[-1] and observed:
        warnings.append(
            f"The last point ({n}) is missing; the variation icon describes point {observed[-1].index}."
        )
    assurance = _assurance(target, direction, lpl[-1] if n else np.nan, upl[-1] if n else np.nan, warnings)
    return SpcResult(points=points, variation=variation, assurance=assurance, warnings=warnings)


def _as_float_array(values: Sequence[float | None] | np.ndarray) -> np.ndarray:
    if isinstance(values, np.ndarray):
        return values.astype(float, copy=True).ravel()
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def _group_starts(rebase_at: Iterable[int], n: int) -> list[int]:
    """0-based start of each group, from the 1-based first points of new groups."""
    starts = {0}
    for index in rebase_at:
        if isinstance(index, bool) or int(index) != index or not 2 <= index <= n:
            raise ValueError(
                f"a rebase point must be the 1-based index of a point from 2 to {n}, not {index!r}"
            )
        starts.add(int(index) - 1)
    return sorted(starts)


def _group_centre_and_spread(y: np.ndarray, fix_after: int | None, screen: bool) -> tuple[float, float]:
    """The group's mean and (screened) mean moving range, from its first ``fix_after`` points."""
    basis = y if fix_after is None else y[:fix_after]
    if np.all(np.isnan(basis)):
        return math.nan, math.nan
    mean = float(np.nanmean(basis))
    mr = np.abs(np.diff(basis))
    mr = mr[~np.isnan(mr)]
    if mr.size == 0:
        return mean, math.nan
    amr = float(np.mean(mr))
    if screen and amr > 0:  # with no spread at all there is nothing to screen
        amr = float(np.mean(mr[mr < SCREEN_FACTOR * amr]))
    return mean, amr


def _classify_group(
    y: np.ndarray,
    mean: float,
    amr: float,
    shift_length: int,
    trend_length: int,
    two_of_three_includes_outside: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """The rule code (0 none, 1 outside, 2 trend, 3 two of three, 4 shift) and the
    signal direction of each point of one group; missing points get neither."""
    n = len(y)
    rule = np.zeros(n, dtype=np.int8)
    side = np.zeros(n, dtype=np.int8)
    if n == 0:
        return rule, side
    rel = np.sign(np.nan_to_num(y - mean, nan=0.0)).astype(np.int8)  # 0 on the mean or missing
    with np.errstate(invalid="ignore"):
        if math.isnan(amr):
            outside = np.zeros(n, dtype=bool)
            beyond_2sigma = np.zeros(n, dtype=bool)
        else:
            outside = (y > mean + LIMIT_FACTOR * amr) | (y < mean - LIMIT_FACTOR * amr)
            beyond_2sigma = (y > mean + CLOSE_FACTOR * amr) | (y < mean - CLOSE_FACTOR * amr)
    close = beyond_2sigma if two_of_three_includes_outside else beyond_2sigma & ~outside

    # Shift: runs of at least shift_length points on the same side of the mean.
    shift = _in_long_runs(rel, shift_length)

    # Trend: runs of strictly rising or falling points.  A run of k points has
    # k - 1 steps of the same sign; a tie or a gap (sign 0) breaks it.
    trend = np.zeros(n, dtype=bool)
    trend_dir = np.zeros(n, dtype=np.int8)
    if n >= 2:
        with np.errstate(invalid="ignore"):
            step = np.nan_to_num(np.sign(np.diff(y)), nan=0.0).astype(np.int8)
        step_in_trend = _in_long_runs(step, trend_length - 1)
        starts_trend = np.append(step_in_trend, False)  # the step that follows point i is in a trend
        ends_trend = np.insert(step_in_trend, 0, False)  # the step that leads to point i is
        trend = starts_trend | ends_trend
        # A point shared by two runs takes the direction of the run that follows it.
        trend_dir = np.where(starts_trend, np.append(step, 0), np.insert(step, 0, 0)).astype(np.int8)

    # Two of three: in any three consecutive points all on one side of the mean,
    # at least two beyond that side's 2σ line; only those close points are flagged.
    two_of_three = np.zeros(n, dtype=bool)
    if n >= 3:
        c = close.astype(np.int8)
        window_count = c[:-2] + c[1:-1] + c[2:]
        window_side = rel[:-2].astype(np.int16) + rel[1:-1] + rel[2:]
        hit = (window_count >= 2) & (np.abs(window_side) == 3)
        padded = np.concatenate(([False, False], hit, [False, False]))
        two_of_three = close & (padded[:-2] | padded[1:-1] | padded[2:])

    # Precedence: outside > trend > two of three > shift (later writes lose).
    rule[shift] = 4
    side[shift] = rel[shift]
    rule[two_of_three] = 3
    side[two_of_three] = rel[two_of_three]
    rule[trend] = 2
    side[trend] = trend_dir[trend]
    rule[outside] = 1
    side[outside] = rel[outside]
    return rule, side


def _in_long_runs(codes: np.ndarray, min_length: int) -> np.ndarray:
    """True where ``codes`` is part of a run of at least ``min_length`` equal, non-zero values."""
    n = len(codes)
    if n == 0:
        return np.zeros(0, dtype=bool)
    change = np.empty(n, dtype=bool)
    change[0] = True
    np.not_equal(codes[1:], codes[:-1], out=change[1:])
    run_starts = np.flatnonzero(change)
    run_lengths = np.diff(np.append(run_starts, n))
    long_run = (run_lengths >= min_length) & (codes[run_starts] != 0)
    return np.repeat(long_run, run_lengths)


def _point_types(rule: np.ndarray, side: np.ndarray, polarity: int, present: np.ndarray) -> list[str | None]:
    if polarity == 0:
        high, low = "special_cause_neutral_high", "special_cause_neutral_low"
    elif polarity > 0:
        high, low = "special_cause_improvement", "special_cause_concern"
    else:
        high, low = "special_cause_concern", "special_cause_improvement"
    code = np.where(rule == 0, 0, np.where(side > 0, 1, 2))
    code = np.where(present, code, 3)
    names = ("common_cause", high, low, None)
    return [names[c] for c in code.tolist()]


def _assurance(
    target: float | None, direction: str, lpl: float, upl: float, warnings: list[str]
) -> Assurance | None:
    """Compare the target with the latest group's limits (strict inequalities)."""
    if target is None or direction == "neutral" or math.isnan(float(target)):
        return None
    if math.isnan(lpl) or math.isnan(upl):
        warnings.append("The latest group has no limits, so there is no assurance against the target.")
        return None
    increasing = direction == "increase"
    if target > upl:
        return "consistent_fail" if increasing else "consistent_pass"
    if target < lpl:
        return "consistent_pass" if increasing else "consistent_fail"
    return "inconsistent"
