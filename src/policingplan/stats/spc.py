"""Statistical process control: the NHS "Making Data Count" XmR chart.

Follows the project's conventions (``docs/conventions.md#spc``), which are
those of the R package NHSRplotthedots v0.2.2: limits at mean ± 2.66 × the
mean moving range, outlier screening of moving ranges, rebasing, "fix after n
points", the four special-cause rules and their precedence, point types, and
the assurance icon.
See ``docs/statistics.md`` for the conventions, the options and worked examples.

Missing values (``None`` or NaN) keep their place in the series.  As in
NHSRplotthedots, a moving range that touches a missing value is dropped (never
computed across the gap) and the mean ignores it.  A missing point has no point
type (``None``) and breaks every run: a shift, a trend or a two-of-three window
never spans a gap.  It is never treated as zero.
"""

from __future__ import annotations

import math
from typing import Iterable, Literal, NamedTuple, Sequence

import numpy as np

from policingplan.results import Notice, notice, register_notices

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

_POLARITY = {"increase": 1, "decrease": -1, "neutral": 0}

register_notices({
    "spc.last-point-missing": "The last point ({last}) is missing; the variation icon describes point {described}.",
    "spc.shorter-than-fix-after": "Group {group} ({span}) is shorter than the {fix_after} points its limits were to be "
                                  "fixed after: they are computed from all of its points.",
    "spc.trial-limits": "Group {group} ({span}) has {size} {size_noun}, fewer than {minimum}: its limits are trial "
                        "limits, which will change as points are added.",
    "spc.no-limits": "Group {group} ({span}) has no two consecutive values, so it has no limits.",
    "spc.no-assurance": "The latest group has no limits, so there is no assurance against the target.",
})


class SpcPoint(NamedTuple):
    """One point of an XmR chart, with its group's limits and its classification.

    ``index`` and ``group`` are 1-based.  Limits are NaN when the group has too
    few values to compute them; ``y`` and ``point_type`` are ``None`` for a
    missing value.  ``rule`` is the special-cause rule that the point takes
    (one of :data:`RULES`), or ``None`` for common cause.
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


class SpcResult:
    """An XmR chart: its points, the variation and assurance icons, and warnings.

    ``variation`` is the point type of the latest point with a value.
    ``warnings`` are :class:`~policingplan.results.Notice` (codes ``spc.*``).  The
    point objects are built when ``points`` is first read, so that charting
    many series for their icons alone stays fast.  The JSON of ``policingplan spc
    --json`` is built from it by :func:`policingplan.services.stats.spc_model`.
    """

    __slots__ = ("_chart", "_span", "_points", "variation", "assurance", "warnings")

    def __init__(
        self,
        chart: "_Chart",
        span: tuple[int, int],
        variation: str | None,
        assurance: Assurance | None,
        warnings: list[Notice],
    ):
        self._chart = chart  # the arrays of a batch of charts
        self._span = span  # this chart's points: chart.y[start:stop] and so on
        self._points: list[SpcPoint] | None = None
        self.variation = variation
        self.assurance = assurance
        self.warnings = warnings

    def _columns(self) -> tuple[list, ...]:
        """One list per field of :class:`SpcPoint`, for this chart's points."""
        start, stop = self._span
        chart = self._chart
        mean, amr = chart.mean[start:stop], chart.amr[start:stop]
        return (
            list(range(1, stop - start + 1)),
            [None if v != v else v for v in chart.y[start:stop].tolist()],  # NaN is missing
            mean.tolist(),
            (mean - LIMIT_FACTOR * amr).tolist(),
            (mean + LIMIT_FACTOR * amr).tolist(),
            (mean - CLOSE_FACTOR * amr).tolist(),
            (mean + CLOSE_FACTOR * amr).tolist(),
            chart.group_number[start:stop].tolist(),
            _RULE_NAMES[chart.rule[start:stop]].tolist(),
            _TYPE_NAMES[chart.type_code[start:stop]].tolist(),
        )

    def columns(self) -> tuple[list, ...]:
        """The points as columns, one list per field of :class:`SpcPoint` (NaN where a limit is not computable)."""
        return self._columns()

    @property
    def points(self) -> list[SpcPoint]:
        if self._points is None:
            self._points = list(map(SpcPoint._make, zip(*self._columns())))
        return self._points

    def __repr__(self) -> str:
        return (
            f"SpcResult({self._span[1] - self._span[0]} points, variation={self.variation!r}, "
            f"assurance={self.assurance!r}, warnings={self.warnings!r})"
        )


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
    return spc_many(
        [values],
        directions=[direction],
        targets=[target],
        rebase_ats=[rebase_at],
        fix_after=fix_after,
        screen=screen,
        shift_length=shift_length,
        trend_length=trend_length,
        two_of_three_includes_outside=two_of_three_includes_outside,
    )[0]


def spc_many(
    series: Sequence[Sequence[float | None] | np.ndarray],
    directions: Direction | Sequence[Direction] = "increase",
    targets: Sequence[float | None] | None = None,
    rebase_ats: Sequence[Iterable[int]] | None = None,
    fix_after: int | None = None,
    screen: bool = True,
    shift_length: int = 7,
    trend_length: int = 7,
    two_of_three_includes_outside: bool = False,
) -> list[SpcResult]:
    """XmR charts for many series at once: the same as calling :func:`spc` on each,
    but computed in one pass over all the points, which is much faster.

    ``directions`` is one direction for every series or one per series;
    ``targets`` and ``rebase_ats``, when given, hold one entry per series.
    """
    count = len(series)
    if count == 0:
        return []
    if isinstance(directions, str):
        directions = [directions] * count
    targets = [None] * count if targets is None else list(targets)
    rebase_ats = [()] * count if rebase_ats is None else list(rebase_ats)
    if not len(directions) == len(targets) == len(rebase_ats) == count:
        raise ValueError("directions, targets and rebase_ats need one entry for each series")
    for direction in directions:
        if direction not in _POLARITY:
            raise ValueError(f"direction must be increase, decrease or neutral, not {direction!r}")
    for name, length in (("shift_length", shift_length), ("trend_length", trend_length)):
        if length not in ALLOWED_RUN_LENGTHS:
            raise ValueError(f"{name} must be 6, 7 or 8, not {length!r}")
    if fix_after is not None and (isinstance(fix_after, bool) or int(fix_after) != fix_after or fix_after < 2):
        raise ValueError(f"fix_after must be a whole number of points, at least 2, not {fix_after!r}")

    arrays = [_as_float_array(v) for v in series]
    lengths = [len(a) for a in arrays]
    series_start = np.concatenate(([0], np.cumsum(lengths)))
    y = np.concatenate(arrays) if arrays else np.zeros(0)

    group_start: list[int] = []
    group_number: list[int] = []
    for start, length, rebase_at in zip(series_start.tolist(), lengths, rebase_ats):
        for number, local in enumerate(_group_starts(rebase_at, length), start=1):
            group_start.append(start + local)
            group_number.append(number)
    chart = _compute(
        y,
        np.array(group_start, dtype=np.intp),
        np.array(group_number, dtype=np.intp),
        np.repeat([_POLARITY[d] for d in directions], lengths).astype(np.int8),
        fix_after,
        screen,
        shift_length,
        trend_length,
        two_of_three_includes_outside,
    )
    return _results(chart, series_start, group_start, group_number, directions, targets, fix_after)


def _as_float_array(values: Sequence[float | None] | np.ndarray) -> np.ndarray:
    if isinstance(values, np.ndarray):
        return values.astype(float).ravel()
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def _group_starts(rebase_at: Iterable[int], n: int) -> list[int]:
    """0-based start of each group, from the 1-based first points of new groups."""
    if n == 0:
        return []
    starts = {0}
    for index in rebase_at:
        if isinstance(index, bool) or int(index) != index or not 2 <= index <= n:
            raise ValueError(
                f"a rebase point must be the 1-based index of a point from 2 to {n}, not {index!r}"
            )
        starts.add(int(index) - 1)
    return sorted(starts)


class _Chart(NamedTuple):
    """Every point of every series, flat: limits, rule codes and point-type codes."""

    y: np.ndarray
    group_of: np.ndarray
    group_number: np.ndarray
    group_size: np.ndarray
    group_amr: np.ndarray
    mean: np.ndarray
    amr: np.ndarray
    rule: np.ndarray
    type_code: np.ndarray


def _compute(
    y: np.ndarray,
    group_start: np.ndarray,
    group_number: np.ndarray,
    polarity: np.ndarray,
    fix_after: int | None,
    screen: bool,
    shift_length: int,
    trend_length: int,
    two_of_three_includes_outside: bool,
) -> _Chart:
    n = len(y)
    groups = len(group_start)
    group_size = np.diff(np.append(group_start, n))
    group_of = np.repeat(np.arange(groups), group_size)
    first_in_group = np.zeros(n, dtype=bool)
    first_in_group[group_start] = True
    last_in_group = np.zeros(n, dtype=bool)
    last_in_group[group_start[1:] - 1] = True
    if n:
        last_in_group[-1] = True
    present = ~np.isnan(y)

    # Centre and spread of each group, from its first fix_after points.
    basis = present.copy()
    if fix_after is not None:
        basis &= (np.arange(n) - group_start[group_of]) < fix_after
    with np.errstate(invalid="ignore", divide="ignore"):
        group_mean = _group_sum(group_of, np.where(basis, y, 0.0), groups) / _group_sum(group_of, basis, groups)
        moving_range = np.zeros(n)
        moving_range[1:] = np.abs(np.diff(y))
        has_range = np.zeros(n, dtype=bool)
        has_range[1:] = basis[1:] & basis[:-1]
        has_range &= ~first_in_group  # never across a rebase, nor across a gap
        moving_range = np.where(has_range, moving_range, 0.0)
        group_amr = _group_sum(group_of, moving_range, groups) / _group_sum(group_of, has_range, groups)
        if screen:  # a group with no spread at all has nothing to screen
            spread = group_amr[group_of]
            kept = has_range & ((moving_range < SCREEN_FACTOR * spread) | ~(spread > 0))
            group_amr = _group_sum(group_of, np.where(kept, moving_range, 0.0), groups) / _group_sum(
                group_of, kept, groups
            )
        mean = group_mean[group_of]
        amr = group_amr[group_of]
        # Comparisons with NaN (missing values, or a group without limits) are False.
        outside = (y > mean + LIMIT_FACTOR * amr) | (y < mean - LIMIT_FACTOR * amr)
        beyond_2sigma = (y > mean + CLOSE_FACTOR * amr) | (y < mean - CLOSE_FACTOR * amr)
    rel = np.sign(np.nan_to_num(y - mean, nan=0.0)).astype(np.int8)  # 0 on the mean or missing
    close = beyond_2sigma if two_of_three_includes_outside else beyond_2sigma & ~outside

    # Shift: runs of at least shift_length points on the same side of the mean.
    shift = _in_long_runs(rel, shift_length, first_in_group)

    # Trend: a run of k strictly rising (or falling) points has k - 1 steps of
    # one sign; a tie, a gap or the end of the group (step 0) breaks it.
    step = np.zeros(n, dtype=np.int8)  # the step from point i to point i + 1
    if n > 1:
        step[:-1] = np.sign(np.nan_to_num(np.diff(y), nan=0.0))
    step[last_in_group] = 0
    step_in_trend = _in_long_runs(step, trend_length - 1, first_in_group)
    previous_step_in_trend = np.zeros(n, dtype=bool)
    previous_step_in_trend[1:] = step_in_trend[:-1]
    previous_step = np.zeros(n, dtype=np.int8)
    previous_step[1:] = step[:-1]
    trend = step_in_trend | previous_step_in_trend
    # A point shared by two runs takes the direction of the run that follows it.
    trend_direction = np.where(step_in_trend, step, previous_step)

    # Two of three: three consecutive points of one group, all on one side of
    # the mean, at least two of them beyond that side's 2σ line.  Only the
    # close points are flagged.
    two_of_three = np.zeros(n, dtype=bool)
    if n >= 3:
        c = close.astype(np.int8)
        window_close = c[:-2] + c[1:-1] + c[2:]
        window_side = rel[:-2].astype(np.int16) + rel[1:-1] + rel[2:]
        hit = (group_of[:-2] == group_of[2:]) & (window_close >= 2) & (np.abs(window_side) == 3)
        padded = np.concatenate(([False, False], hit, [False, False]))
        two_of_three = close & (padded[:-2] | padded[1:-1] | padded[2:])

    # Precedence: outside > trend > two of three > shift (each later write wins).
    rule = np.zeros(n, dtype=np.int8)
    rule[shift] = 4
    rule[two_of_three] = 3
    rule[trend] = 2
    rule[outside] = 1
    side = np.where(rule == 2, trend_direction, rel)  # +1 high, -1 low
    # Point types: 1 improvement, 2 concern, 3 neutral high, 4 neutral low.
    type_code = np.where(side * polarity > 0, 1, 2).astype(np.int8)
    neutral = polarity == 0
    type_code[neutral] = np.where(side[neutral] > 0, 3, 4)
    type_code[rule == 0] = 0
    type_code[~present] = 5
    return _Chart(y, group_of, group_number[group_of], group_size, group_amr, mean, amr, rule, type_code)


def _group_sum(group_of: np.ndarray, weights: np.ndarray, groups: int) -> np.ndarray:
    return np.bincount(group_of, weights=weights, minlength=groups)


def _in_long_runs(codes: np.ndarray, min_length: int, breaks: np.ndarray) -> np.ndarray:
    """True where ``codes`` is part of a run of at least ``min_length`` equal, non-zero
    values; a run never continues past a ``breaks`` point (the start of a group)."""
    n = len(codes)
    if n == 0:
        return np.zeros(0, dtype=bool)
    change = breaks.copy()
    change[0] = True
    change[1:] |= codes[1:] != codes[:-1]
    run_starts = np.flatnonzero(change)
    run_lengths = np.diff(np.append(run_starts, n))
    long_run = (run_lengths >= min_length) & (codes[run_starts] != 0)
    return np.repeat(long_run, run_lengths)


_TYPE_NAMES = np.array([*POINT_TYPES, None], dtype=object)  # indexed by the type codes of _compute
_RULE_NAMES = np.array([None, *RULES], dtype=object)


def _results(
    chart: _Chart,
    series_start: np.ndarray,
    group_start: list[int],
    group_number: list[int],
    directions: Sequence[str],
    targets: Sequence[float | None],
    fix_after: int | None,
) -> list[SpcResult]:
    starts, stops = series_start[:-1], series_start[1:]
    filled = stops > starts
    # The latest point with a value in each series (-1 when it has none).
    latest = np.full(len(starts), -1, dtype=np.intp)
    if filled.any():
        position = np.where(np.isnan(chart.y), -1, np.arange(len(chart.y)))
        latest[filled] = np.maximum.reduceat(position, starts[filled])
    last = np.where(filled, stops - 1, 0)
    if len(chart.y):
        last_lpl = (chart.mean[last] - LIMIT_FACTOR * chart.amr[last]).tolist()
        last_upl = (chart.mean[last] + LIMIT_FACTOR * chart.amr[last]).tolist()
        variations = _TYPE_NAMES[chart.type_code[latest]].tolist()
    else:
        last_lpl = last_upl = variations = [None] * len(starts)
    group_sizes = chart.group_size.tolist()
    group_amrs = chart.group_amr.tolist()
    results = []
    g = 0
    for s, (start, stop, latest_s) in enumerate(zip(starts.tolist(), stops.tolist(), latest.tolist())):
        warnings: list[Notice] = []
        while g < len(group_start) and group_start[g] < stop:
            _group_warnings(group_number[g], group_start[g] - start, group_sizes[g], group_amrs[g], fix_after, warnings)
            g += 1
        observed = latest_s >= start
        if observed and latest_s != stop - 1:
            warnings.append(notice("spc.last-point-missing", last=stop - start, described=latest_s - start + 1))
        filled_s = stop > start
        assurance = _assurance(
            targets[s],
            directions[s],
            last_lpl[s] if filled_s else math.nan,
            last_upl[s] if filled_s else math.nan,
            warnings,
        )
        variation = variations[s] if observed else None
        results.append(SpcResult(chart, (start, stop), variation, assurance, warnings))
    return results


def _group_warnings(
    number: int, start: int, size: int, amr: float, fix_after: int | None, warnings: list[Notice]
) -> None:
    span = f"points {start + 1}–{start + size}" if size > 1 else f"point {start + 1}"
    where = {"group": number, "span": span, "first": start + 1, "last": start + size}
    if fix_after is not None and size < fix_after:
        warnings.append(notice("spc.shorter-than-fix-after", **where, fix_after=fix_after))
    if size < MIN_POINTS_FOR_FIRM_LIMITS:
        warnings.append(notice("spc.trial-limits", **where, size=size, size_noun="points" if size > 1 else "point",
                               minimum=MIN_POINTS_FOR_FIRM_LIMITS))
    if math.isnan(amr):
        warnings.append(notice("spc.no-limits", **where))


def _assurance(
    target: float | None, direction: str, lpl: float, upl: float, warnings: list[Notice]
) -> Assurance | None:
    """Compare the target with the latest group's limits (strict inequalities)."""
    if target is None or direction == "neutral" or math.isnan(float(target)):
        return None
    if math.isnan(lpl) or math.isnan(upl):
        warnings.append(notice("spc.no-assurance"))
        return None
    increasing = direction == "increase"
    if target > upl:
        return "consistent_fail" if increasing else "consistent_pass"
    if target < lpl:
        return "consistent_pass" if increasing else "consistent_fail"
    return "inconsistent"
