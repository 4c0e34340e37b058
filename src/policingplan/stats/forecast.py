"""Year-end forecasts of monthly counts, and the probability of meeting a target.

Given a financial year to date, the year-end total is the count so far plus a
forecast of the months still to come (and of any month of the year to date
that is missing: missing is never zero).  The remainder is forecast by the
*seasonal level* method:

1. month-of-year indices from the ratio of each month to its centred 12-month
   moving average, over the last four years, shrunk 40% towards 1;
2. a level from simple exponential smoothing (alpha 0.3) of the seasonally
   adjusted counts, blended (geometric mean, weights 3:1) with the seasonally
   adjusted year-to-date run rate;
3. the remainder is that level times the seasonal indices of the months to come.

A series may be pooled with its *peers*: the same measure in other units (the
other boroughs), given as a group to :func:`forecast_year_end_many` or as
``peers`` to :func:`forecast_year_end`.  Everything pooled comes from the
peers, never from the series itself, so a series without peers is forecast as
above.  With peers:

- the month-of-year pattern is mixed with the peers' volume-weighted pattern
  (shrunk 20%); the series' own weight is v ÷ (v + 100), v its mean a month;
- the level is mixed (geometric mean; own weight v ÷ (v + 400)) with a
  *peer-tracked level*: the series' slowly smoothed level (alpha 0.1) times the
  peers' recent movement, their total's fast level (alpha 0.6) over its slow one;
- the remainder is trended by a tenth of the peers' change over the last 12
  months against the 12 before (capped at a rise of 35% or a fall of 26%),
  pro rata to how far ahead the remainder lies.

The uncertainty comes from the method's own past errors on the same series:
the same forecast is made from every earlier month (a rolling origin) for the
same number of months ahead, and the log-ratio errors of the last 60 origins
give a scale (times 0.9 for a pooled series: its past errors overstated the
spread in the backtest's tuning years); the remainder is log-Student-t with
about a third as many degrees of freedom as errors (the errors of overlapping
windows are not independent).  With too little history for that, or when a series has stopped
(months at zero after a steady level), the method falls back to the run rate
with quasi-Poisson intervals, and says so.

The method and its backtest on the Metropolitan Police borough series are in
``docs/methods.md``.  Everything here is pure: plain values in, plain values out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Hashable, Literal, Mapping, Sequence

import numpy as np
from scipy.special import ndtr, ndtri, stdtr, stdtrit

from policingplan.periods import FinancialYear, Month
from policingplan.results import Notice, notice, register_notices

Polarity = Literal["lower", "higher"]

SEASONAL_YEARS = 4
SEASONAL_SHRINK = 0.4
PEER_SEASONAL_SHRINK = 0.2
SEASONAL_POOL_VOLUME = 100.0
LEVEL_ALPHA = 0.3
LEVEL_WEIGHT = 0.75
PEER_FAST_ALPHA = 0.6
SLOW_ALPHA = 0.1
LEVEL_POOL_VOLUME = 400.0
TREND_WEIGHT = 0.1
TREND_CAP = 0.3
ERROR_ORIGINS = 60
POOLED_ERROR_SCALE = 0.9  # pooled 80% intervals covered 84% of the tuning years' outturns at 1.0, 80% at 0.9
MIN_HISTORY_MONTHS = 24
TRUSTED_HISTORY_MONTHS = 36
MIN_PAST_ERRORS = 6
ZERO_RUN_MONTHS = 6
STOPPED_ZERO_MONTHS = 3
STOPPED_LEVEL = 3.0
RATIO_DRAWS = 20_000
_OFFSET = 0.5  # added before taking logs, so that months at zero have a log

METHOD_SEASONAL = "seasonal_level"
METHOD_RUN_RATE = "run_rate"
METHOD_COMPLETE = "year_complete"
METHOD_NONE = "no_data"

_TOO_LITTLE = ("too little history for the seasonal method: {months} months up to {as_of_label} and {errors} past "
               "forecast errors (at least {min_months} months and {min_errors} errors are needed)")
register_notices({
    "forecast.joint-incomplete": "{missing} of the units have no forecast, so the force's total cannot be drawn "
                                 "from theirs",
    "forecast.no-values": "no values up to {as_of_label}: no forecast",
    "forecast.no-rate": "no rate can be formed",
    "forecast.stopped": "the series has been zero for the last {zeros} months after averaging {average:.1f} a month: "
                        "it looks stopped or recoded, so the rest of the year is forecast from the months since it stopped",
    "forecast.too-little-history": _TOO_LITTLE + "; using the run rate, whose intervals allow for chance only, "
                                                 "not for a change in level",
    "forecast.too-little-history-no-month": _TOO_LITTLE + ", and no month of {year} is observed up to {as_of_label}: "
                                                          "no forecast",
    "forecast.short-history": "short history: {months} months observed up to {as_of_label}; {trusted} are needed for "
                              "the intervals to rest on enough past errors",
    "forecast.months-missing": "{count} month(s) of the year to date are missing ({months}): they are forecast, "
                               "not counted as zero",
    "forecast.history-gaps": "{gaps} month(s) missing in the 36 months before {year}: the history has gaps",
    "forecast.zero-run": "a run of {months} months at zero, ending {ending}, in a series that averages {average:.1f} "
                         "a month: the category may have started, stopped or been recoded",
    "forecast.level-shift": "level shift: the last 6 months are {change:.0%} {direction} the same months a year "
                            "earlier; the forecast assumes the new level holds",
})


@dataclass(frozen=True)
class YearEndForecast:
    """The year-end total as a distribution: point, 80% and 95% intervals, P(meet target).

    ``warnings`` are :class:`~policingplan.results.Notice` (codes ``forecast.*``; a ratio's
    numerator's and denominator's come ``within`` those words).  The command line's JSON
    is built from it by :func:`policingplan.services.stats.forecast_model`.
    """

    series: str | None
    year: str
    as_of: str
    year_to_date: float | None
    forecast_total: float | None
    interval_80: tuple[float | None, float | None]
    interval_95: tuple[float | None, float | None]
    p_meet_target: float | None
    method: str
    warnings: list[Notice] = field(default_factory=list)
    target: float | None = None
    polarity: Polarity = "lower"


@dataclass(frozen=True)
class RemainderDistribution:
    """The distribution of the count still to come in the year.

    ``kind`` is ``"log_t"`` (log(R + 0.5) is ``log(point + 0.5) + scale × t(df)``),
    ``"normal"`` (R is normal with sd ``scale``, cut at zero) or ``"point"``.
    """

    kind: Literal["log_t", "normal", "point"]
    point: float
    scale: float
    df: float

    def quantile(self, q: np.ndarray | float) -> np.ndarray:
        q = np.asarray(q, dtype=float)
        if self.kind == "point" or self.scale == 0:
            return np.full(q.shape, self.point)
        if self.kind == "log_t":
            values = (self.point + _OFFSET) * np.exp(self.scale * stdtrit(self.df, q)) - _OFFSET
        else:
            values = self.point + self.scale * ndtri(q)
        return np.maximum(values, 0.0)

    def cdf(self, x: float) -> float:
        """P(R ≤ x)."""
        if x < 0:
            return 0.0
        if self.kind == "point" or self.scale == 0:
            return 1.0 if self.point <= x else 0.0
        if self.kind == "log_t":
            return float(stdtr(self.df, math.log((x + _OFFSET) / (self.point + _OFFSET)) / self.scale))
        return float(ndtr((x - self.point) / self.scale))


@dataclass(frozen=True)
class _SeriesForecast:
    year_to_date: float | None
    remainder: RemainderDistribution | None
    method: str
    warnings: list[Notice]
    past_errors: np.ndarray  # log-ratio errors at the rolling origins (NaN where none)


# ---------------------------------------------------------------------------
# Public API


def forecast_year_end(
    history: Mapping[Month | str, float | None],
    year: FinancialYear | str,
    as_of: Month | str,
    target: float | None = None,
    polarity: Polarity = "lower",
    series: str | None = None,
    peers: Mapping[Any, Mapping[Month | str, float | None]] | None = None,
) -> YearEndForecast:
    """Forecast a count's financial-year total from the months up to ``as_of``.

    ``p_meet_target`` is P(total ≤ target) for ``polarity="lower"`` and
    P(total ≥ target) for ``"higher"``; None without a target.  ``peers`` are
    the same measure's histories in other units (other boroughs): the series
    is then pooled with them, as in :func:`forecast_year_end_many` with groups.
    """
    histories = [history, *(peers or {}).values()]
    year, as_of = _check_period(year, as_of)
    fit = _forecast_remainders(histories, year, as_of, np.zeros(len(histories), dtype=int))[0]
    return _summarise_count(series, year, as_of, fit, target, polarity)


def forecast_year_end_many(
    histories: Mapping[str | None, Mapping[Month | str, float | None]],
    year: FinancialYear | str,
    as_of: Month | str,
    targets: Mapping[str | None, float | None] | float | None = None,
    polarity: Polarity | Mapping[str | None, Polarity] = "lower",
    groups: Mapping[str | None, Hashable | None] | None = None,
) -> list[YearEndForecast]:
    """Forecast many series at once (vectorised; hundreds of series take well under a second).

    ``targets`` is one target for all, or a target per series name; ``polarity``
    likewise.  ``groups`` maps a series name to its group (the same measure in
    different units, such as the boroughs' burglary series): series of one group
    are pooled, each borrowing its peers' month-of-year pattern and recent
    movement.  A series with no group, or alone in its group, is forecast on its
    own history only.  The results follow the order of ``histories``.
    """
    year, as_of = _check_period(year, as_of)
    names = list(histories)
    if not names:
        return []
    fitted = _forecast_remainders([histories[name] for name in names], year, as_of, _group_ids(names, groups))
    results = []
    for name, fit in zip(names, fitted):
        target = targets.get(name) if isinstance(targets, Mapping) else targets
        pol = polarity.get(name, "lower") if isinstance(polarity, Mapping) else polarity
        results.append(_summarise_count(name, year, as_of, fit, target, pol))
    return results


def _group_ids(names: Sequence[str | None], groups: Mapping[str | None, Hashable | None] | None) -> np.ndarray:
    """One integer per series; a series without a group gets one of its own."""
    ids: dict[Hashable, int] = {}
    result = np.empty(len(names), dtype=int)
    for row, name in enumerate(names):
        group = groups.get(name) if groups is not None else None
        key = ("group", group) if group is not None else ("alone", row)
        result[row] = ids.setdefault(key, len(ids))
    return result


@dataclass(frozen=True)
class JointForecast:
    """Units of one force forecast together, sharing a force-wide movement (see :func:`forecast_together`).

    ``rho`` is the share of the units' forecast error that they share, from
    their past errors at the same origins (0 when there is too little history
    to measure it: ``rho_measured`` is then False).  ``units`` are each unit's
    own forecast (pooled with the others, as the monitor makes them);
    ``total`` is the force's year-end total: the sum of the units' and of
    ``rest`` (the force's records in no unit), its point the sum of their
    points and its intervals and P(meet) from their remainders drawn together.
    """

    rho: float
    rho_measured: bool
    units: list[YearEndForecast]
    total: YearEndForecast


#: Draws of the units' remainders for the force's total (a fixed seed: the same inputs give the same answer).
JOINT_DRAWS = 20_000


def forecast_together(
    histories: Mapping[str, Mapping[Month | str, float | None]],
    year: FinancialYear | str,
    as_of: Month | str,
    *,
    targets: Mapping[str, float | None] | None = None,
    polarity: Polarity = "lower",
    rest: Mapping[Month | str, float | None] | None = None,
    total_target: float | None = None,
    series: str | None = "force",
) -> JointForecast:
    """Forecast the units of one force together: each unit's year end, and the force's as their sum.

    The units are pooled as one group (as :func:`forecast_year_end` with
    ``peers``).  Their remainders share a force-wide movement: a one-factor
    Gaussian copula on each unit's own remainder distribution, with ``rho``
    from :func:`policingplan.stats.calibration.common_correlation` on their past
    forecast errors.  Each unit's own forecast and P(meet) are unchanged by it;
    the force's total, drawn from the units' remainders together, has an
    interval as wide as the units' shared movement makes it.  ``rest`` is the
    force's records in none of the units (unknown borough, airports): forecast
    on its own and drawn with the same shared movement.
    """
    from policingplan.stats.calibration import common_correlation

    year, as_of = _check_period(year, as_of)
    names = list(histories)
    series_list = [histories[name] for name in names]
    group_ids = np.zeros(len(names), dtype=int)
    if rest is not None:
        series_list.append(rest)
        group_ids = np.append(group_ids, 1)
    fitted = _forecast_remainders(series_list, year, as_of, group_ids)
    unit_fits = fitted[:len(names)]
    measured = common_correlation(np.vstack([f.past_errors for f in unit_fits])) if len(names) >= 3 else None
    rho = 0.0 if measured is None else measured
    targets = targets or {}
    units = [_summarise_count(name, year, as_of, fit, targets.get(name), polarity) for name, fit in zip(names, unit_fits)]

    usable = [f for f in fitted if f.remainder is not None and f.year_to_date is not None]
    if not usable or len(usable) < len(unit_fits):
        warnings = [notice("forecast.joint-incomplete", missing=len(fitted) - len(usable))]
        return JointForecast(rho, measured is not None, units, _empty(series, year, as_of, total_target, polarity, warnings))
    rng = np.random.default_rng(20070301)
    shared = rng.standard_normal(JOINT_DRAWS)
    totals = np.zeros(JOINT_DRAWS)
    for fit in usable:
        z = math.sqrt(rho) * shared + math.sqrt(1.0 - rho) * rng.standard_normal(JOINT_DRAWS)
        totals += fit.year_to_date + fit.remainder.quantile(np.clip(ndtr(z), 1e-12, 1 - 1e-12))
    point = sum(f.year_to_date + f.remainder.point for f in usable)
    ytd = sum(f.year_to_date for f in usable)
    lo95, lo80, hi80, hi95 = np.quantile(totals, [0.025, 0.1, 0.9, 0.975]).tolist()
    p_meet = None
    if total_target is not None:
        p_meet = float(np.mean(totals <= total_target) if polarity == "lower" else np.mean(totals >= total_target))
    methods = sorted({f.method for f in usable})
    total = YearEndForecast(
        series=series, year=str(year), as_of=str(as_of), year_to_date=ytd, forecast_total=float(point),
        interval_80=(lo80, hi80), interval_95=(lo95, hi95), p_meet_target=p_meet,
        method=methods[0] if len(methods) == 1 else "+".join(methods),
        warnings=[], target=total_target, polarity=polarity,
    )
    return JointForecast(rho, measured is not None, units, total)


def forecast_ratio_year_end(
    numerator: Mapping[Month | str, float | None],
    denominator: Mapping[Month | str, float | None],
    year: FinancialYear | str,
    as_of: Month | str,
    target: float | None = None,
    polarity: Polarity = "higher",
    series: str | None = None,
) -> YearEndForecast:
    """Forecast a ratio measure's year rate, Σ numerator ÷ Σ denominator over the year.

    Both counts are forecast as by :func:`forecast_year_end`; their remainders
    are drawn jointly, with the correlation of their past forecast errors, and
    the intervals and P(meet target) come from the simulated year rates.
    """
    year, as_of = _check_period(year, as_of)
    num, den = _forecast_remainders([numerator, denominator], year, as_of, np.arange(2))
    warnings = [w.within("numerator") for w in num.warnings] + [w.within("denominator") for w in den.warnings]
    if num.remainder is None or den.remainder is None or (not den.year_to_date and den.remainder.point == 0):
        return _empty(series, year, as_of, target, polarity, warnings + [notice("forecast.no-rate")])
    method = num.method if num.method == den.method else f"{num.method}+{den.method}"

    rho = _error_correlation(num.past_errors, den.past_errors)
    rng = np.random.default_rng(20070301)
    z = rng.standard_normal((2, RATIO_DRAWS))
    z[1] = rho * z[0] + math.sqrt(1 - rho**2) * z[1]
    u = np.clip(ndtr(z), 1e-12, 1 - 1e-12)
    num_totals = num.year_to_date + num.remainder.quantile(u[0])
    den_totals = den.year_to_date + den.remainder.quantile(u[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = np.where(den_totals > 0, num_totals / den_totals, np.nan)
    rates = rates[np.isfinite(rates)]
    point = (num.year_to_date + num.remainder.point) / (den.year_to_date + den.remainder.point)
    ytd_rate = num.year_to_date / den.year_to_date if den.year_to_date else None
    q = np.quantile(rates, [0.025, 0.1, 0.9, 0.975])
    p_meet = None
    if target is not None:
        p_meet = float(np.mean(rates >= target) if polarity == "higher" else np.mean(rates <= target))
    return YearEndForecast(
        series=series, year=str(year), as_of=str(as_of), year_to_date=ytd_rate, forecast_total=float(point),
        interval_80=(float(q[1]), float(q[2])), interval_95=(float(q[0]), float(q[3])),
        p_meet_target=p_meet, method=method, warnings=warnings, target=target, polarity=polarity,
    )


# ---------------------------------------------------------------------------
# Summaries


def _summarise_count(name, year, as_of, fit: _SeriesForecast, target, polarity) -> YearEndForecast:
    if fit.remainder is None:
        return _empty(name, year, as_of, target, polarity, fit.warnings, fit.year_to_date)
    ytd, dist = fit.year_to_date, fit.remainder
    lo95, lo80, hi80, hi95 = (ytd + dist.quantile(np.array([0.025, 0.1, 0.9, 0.975]))).tolist()
    p_meet = None
    if target is not None:
        p_at_most = dist.cdf(target - ytd)
        p_meet = p_at_most if polarity == "lower" else 1.0 - p_at_most
    return YearEndForecast(
        series=name, year=str(year), as_of=str(as_of), year_to_date=ytd, forecast_total=ytd + dist.point,
        interval_80=(lo80, hi80), interval_95=(lo95, hi95), p_meet_target=p_meet,
        method=fit.method, warnings=fit.warnings, target=target, polarity=polarity,
    )


def _empty(name, year, as_of, target, polarity, warnings, ytd=None) -> YearEndForecast:
    return YearEndForecast(
        series=name, year=str(year), as_of=str(as_of), year_to_date=ytd, forecast_total=None,
        interval_80=(None, None), interval_95=(None, None), p_meet_target=None,
        method=METHOD_NONE, warnings=list(warnings), target=target, polarity=polarity,
    )


def _error_correlation(a: np.ndarray, b: np.ndarray) -> float:
    both = np.isfinite(a) & np.isfinite(b)
    if both.sum() < MIN_PAST_ERRORS or np.std(a[both]) == 0 or np.std(b[both]) == 0:
        return 0.0
    return float(np.clip(np.corrcoef(a[both], b[both])[0, 1], -0.999, 0.999))


def _check_period(year, as_of) -> tuple[FinancialYear, Month]:
    year, as_of = FinancialYear(year), Month(as_of)
    if as_of not in year:
        raise ValueError(
            f"as-of month {as_of} is not in the financial year {year}; "
            f"accepted: a month from {year.first_month} to {year.last_month}"
        )
    return year, as_of


# ---------------------------------------------------------------------------
# The model, vectorised over series


def _to_matrix(
    histories: Sequence[Mapping[Month | str, float | None]], year: FinancialYear, as_of: Month
) -> tuple[Month, np.ndarray]:
    """Align the series on one monthly axis ending at ``as_of`` (later months dropped); NaN is missing."""
    last = as_of.ordinal
    parsed = []
    first = year.first_month.ordinal
    for history in histories:
        months = {}
        for key, value in history.items():
            ordinal = key.ordinal if isinstance(key, Month) else Month(key).ordinal
            if ordinal > last or value is None:
                continue
            value = float(value)
            if math.isnan(value):
                continue
            if value < 0 or math.isinf(value):
                raise ValueError(f"{Month.from_ordinal(ordinal)}: a monthly count must be zero or more, not {value}")
            months[ordinal] = value
        parsed.append(months)
        if months:
            first = min(first, min(months))
    matrix = np.full((len(parsed), last - first + 1), np.nan)
    for row, months in enumerate(parsed):
        if months:
            matrix[row, np.fromiter(months, int, len(months)) - first] = np.fromiter(months.values(), float, len(months))
    return Month.from_ordinal(first), matrix


def _seasonal_indices(Y: np.ndarray, first_month: Month, group_ids: np.ndarray) -> np.ndarray:
    """Month-of-year indices (columns January…December, mean 1): the series' own, mixed with its peers'.

    A series' own pattern is shrunk 40% towards flat.  With peers, it is mixed
    with the volume-weighted mean of the peers' own patterns (shrunk 20%), the
    peers' share falling as the series' own volume rises.
    """
    own, estimated = _own_seasonal_indices(Y, first_month)
    volume = _recent_mean(Y, 24)
    weight = np.where(estimated, volume, 0.0)
    peer_weight = _peer_totals(weight, group_ids)
    has_peers = peer_weight > 0
    peer_pattern = _peer_totals(own * weight[:, None], group_ids) / np.where(has_peers, peer_weight, 1.0)[:, None]
    own_share = np.where(has_peers, volume / (volume + SEASONAL_POOL_VOLUME), 1.0)[:, None]
    return own_share * _shrink(own, SEASONAL_SHRINK) + (1 - own_share) * _shrink(
        np.where(has_peers[:, None], peer_pattern, 1.0), PEER_SEASONAL_SHRINK
    )


def _own_seasonal_indices(Y: np.ndarray, first_month: Month) -> tuple[np.ndarray, np.ndarray]:
    """Each series' ratio-to-moving-average indices (mean 1, not shrunk), and whether all 12 were estimated."""
    n, T = Y.shape
    calendar = (first_month.month - 1 + np.arange(T)) % 12
    indices = np.ones((n, 12))
    estimated = np.zeros(n, dtype=bool)
    if T < 13:
        return indices, estimated
    filled = np.nan_to_num(Y)
    sums = np.concatenate([np.zeros((n, 1)), np.cumsum(filled, axis=1)], axis=1)
    gaps = np.concatenate([np.zeros((n, 1)), np.cumsum(np.isnan(Y), axis=1)], axis=1)
    centres = np.arange(max(6, T - 7 - 12 * SEASONAL_YEARS + 1), T - 6)
    window = sums[:, centres + 7] - sums[:, centres - 6]
    moving_average = (window - 0.5 * (filled[:, centres - 6] + filled[:, centres + 6])) / 12
    complete = (gaps[:, centres + 7] - gaps[:, centres - 6]) == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(complete & (moving_average > 0), Y[:, centres] / moving_average, np.nan)
    estimated[:] = True
    for position in range(12):
        columns = calendar[centres] == position
        block = ratios[:, columns]
        counts = np.isfinite(block).sum(axis=1)
        means = np.nansum(block, axis=1) / np.maximum(counts, 1)
        indices[:, position] = np.where(counts > 0, means, 1.0)
        estimated &= counts > 0
    return indices / indices.mean(axis=1, keepdims=True), estimated


def _shrink(indices: np.ndarray, share: float) -> np.ndarray:
    return 1 + (1 - share) * (indices - 1)


def _recent_mean(Y: np.ndarray, months: int) -> np.ndarray:
    """Mean of the observed values among each series' last ``months`` columns (0 if none)."""
    recent = Y[:, -months:]
    counts = np.isfinite(recent).sum(axis=1)
    return np.nansum(recent, axis=1) / np.maximum(counts, 1)


def _peer_totals(values: np.ndarray, group_ids: np.ndarray) -> np.ndarray:
    """For each row, the sum of the other rows of its group (NaN counts as zero; zero when alone)."""
    filled = np.nan_to_num(values)
    totals = np.zeros((int(group_ids.max()) + 1,) + filled.shape[1:])
    np.add.at(totals, group_ids, filled)
    return totals[group_ids] - filled


def _smoothed_levels(adjusted: np.ndarray, alphas: Sequence[float]) -> tuple[list[np.ndarray], np.ndarray]:
    """Smoothed levels after each month, one array per alpha (NaN before the first value), and months seen."""
    n, T = adjusted.shape
    stacked = np.tile(adjusted, (len(alphas), 1))
    alpha = np.repeat(np.asarray(alphas, dtype=float), n)
    levels = np.full(stacked.shape, np.nan)
    seen = np.zeros(stacked.shape)
    level = np.full(stacked.shape[0], np.nan)
    count = np.zeros(stacked.shape[0])
    for t in range(T):
        value = stacked[:, t]
        present = np.isfinite(value)
        count = count + present
        step = np.maximum(alpha, 1.0 / np.maximum(count, 1))
        updated = np.where(np.isnan(level), value, level + step * (value - level))
        level = np.where(present, updated, level)
        levels[:, t] = level
        seen[:, t] = count
    return [levels[i * n:(i + 1) * n] for i in range(len(alphas))], seen[:n]


@dataclass(frozen=True)
class _Signals:
    """What the point forecast needs at each month (columns) of each series (rows).

    ``level``: the series' own smoothed, seasonally adjusted level; ``peer_level``:
    its slow level moved as its peers' total moved lately (NaN without peers);
    ``own_weight``: the weight of its own level against ``peer_level``;
    ``growth``: the peers' log change over the last 12 months on the 12 before.
    """

    level: np.ndarray
    seen: np.ndarray
    peer_level: np.ndarray
    own_weight: np.ndarray
    growth: np.ndarray

    def rows(self, mask: np.ndarray) -> _Signals:
        return _Signals(*(getattr(self, f)[mask] for f in ("level", "seen", "peer_level", "own_weight", "growth")))


def _signals(Y: np.ndarray, adjusted: np.ndarray, group_ids: np.ndarray) -> _Signals:
    """The levels, the peer-tracked level, the own weight and the peers' growth at every month."""
    n, T = Y.shape
    (level, fast, slow), seen = _smoothed_levels(adjusted, (LEVEL_ALPHA, PEER_FAST_ALPHA, SLOW_ALPHA))
    known = np.isfinite(fast) & np.isfinite(slow)
    peer_fast = _peer_totals(np.where(known, fast, 0.0), group_ids)
    peer_slow = _peer_totals(np.where(known, slow, 0.0), group_ids)
    with np.errstate(divide="ignore", invalid="ignore"):
        peer_level = np.where(peer_slow > 0, slow * peer_fast / peer_slow, np.nan)

    filled = np.nan_to_num(Y)
    sums = np.concatenate([np.zeros((n, 1)), np.cumsum(filled, axis=1)], axis=1)
    counts = np.concatenate([np.zeros((n, 1)), np.cumsum(np.isfinite(Y), axis=1)], axis=1)
    end = np.arange(1, T + 1)
    start = np.maximum(end - 12, 0)
    observed = counts[:, end] - counts[:, start]
    volume = (sums[:, end] - sums[:, start]) / np.maximum(observed, 1)
    own_weight = volume / (volume + LEVEL_POOL_VOLUME)

    last_year = np.full((n, T), np.nan)
    year_before = np.full((n, T), np.nan)
    if T >= 24:
        complete = observed == 12
        now = sums[:, 12:] - sums[:, :-12]  # the 12 months ending at column t (t ≥ 11)
        both = complete[:, 23:] & complete[:, 11:-12]
        last_year[:, 23:] = np.where(both, now[:, 12:], np.nan)
        year_before[:, 23:] = np.where(both, now[:, :-12], np.nan)
    peer_now = _peer_totals(last_year, group_ids)
    peer_then = _peer_totals(year_before, group_ids)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.where((peer_now > 0) & (peer_then > 0), np.log(peer_now / peer_then), 0.0)
    return _Signals(level, seen, peer_level, own_weight, np.clip(growth, -TREND_CAP, TREND_CAP))


def _blend(level_forecast: np.ndarray, run_rate_forecast: np.ndarray) -> np.ndarray:
    """Geometric blend of the smoothed-level and seasonal run-rate forecasts (run rate optional)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        blended = np.exp(
            LEVEL_WEIGHT * np.log(level_forecast + _OFFSET) + (1 - LEVEL_WEIGHT) * np.log(run_rate_forecast + _OFFSET)
        ) - _OFFSET
    return np.where(np.isfinite(run_rate_forecast), blended, level_forecast)


def _point_forecast(
    signals: _Signals, at: np.ndarray | int, ahead: np.ndarray, run_rate: np.ndarray, horizon: np.ndarray | int
) -> np.ndarray:
    """The remainder from the month(s) ``at``: own level blended with the run rate, pooled with the peer level, trended.

    ``ahead`` is the sum of the seasonal indices of the months forecast.
    """
    own = _blend(signals.level[:, at] * ahead, run_rate)
    weight = signals.own_weight[:, at]
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = np.exp(
            weight * np.log(own + _OFFSET) + (1 - weight) * np.log(signals.peer_level[:, at] * ahead + _OFFSET)
        ) - _OFFSET
    pooled = np.where(np.isfinite(pooled), pooled, own)
    years_ahead = (np.asarray(horizon) / 2 + 6) / 12  # centre of the last 12 months to centre of the remainder
    return pooled * np.exp(TREND_WEIGHT * signals.growth[:, at] * years_ahead)


def _rolling_origin_errors(
    Y: np.ndarray, index_by_column: np.ndarray, signals: _Signals, window: int, horizon: int
) -> np.ndarray:
    """Log-ratio errors of the method's forecasts of the next ``horizon`` months from past origins."""
    n, T = Y.shape
    origins = np.arange(max(window - 1, 0), T - horizon)[-ERROR_ORIGINS:]
    if horizon == 0 or origins.size == 0:
        return np.full((n, 0), np.nan)
    filled = np.nan_to_num(Y)
    sums = np.concatenate([np.zeros((n, 1)), np.cumsum(filled, axis=1)], axis=1)
    gaps = np.concatenate([np.zeros((n, 1)), np.cumsum(np.isnan(Y), axis=1)], axis=1)
    index_sums = np.concatenate([np.zeros((n, 1)), np.cumsum(index_by_column, axis=1)], axis=1)
    ahead = index_sums[:, origins + 1 + horizon] - index_sums[:, origins + 1]
    behind = index_sums[:, origins + 1] - index_sums[:, origins + 1 - window]
    window_sum = sums[:, origins + 1] - sums[:, origins + 1 - window]
    window_complete = (gaps[:, origins + 1] - gaps[:, origins + 1 - window]) == 0
    run_rate = np.where(window_complete, window_sum * ahead / behind, np.nan)
    forecast = _point_forecast(signals, origins, ahead, run_rate, horizon)
    actual = sums[:, origins + 1 + horizon] - sums[:, origins + 1]
    actual_complete = (gaps[:, origins + 1 + horizon] - gaps[:, origins + 1]) == 0
    usable = actual_complete & (signals.seen[:, origins] >= 12) & np.isfinite(forecast)
    with np.errstate(divide="ignore", invalid="ignore"):
        errors = np.log((actual + _OFFSET) / (forecast + _OFFSET))
    return np.where(usable, errors, np.nan)


def _forecast_remainders(
    histories: Sequence[Mapping[Month | str, float | None]], year: FinancialYear, as_of: Month, group_ids: np.ndarray
) -> list[_SeriesForecast]:
    first_month, Y = _to_matrix(histories, year, as_of)
    n, T = Y.shape
    indices = _seasonal_indices(Y, first_month, group_ids)
    columns_ahead = T + (year.last_month - as_of)
    calendar = (first_month.month - 1 + np.arange(columns_ahead)) % 12
    index_by_column = indices[:, calendar]
    signals = _signals(Y, Y / index_by_column[:, :T], group_ids)

    year_columns = np.arange(year.first_month - first_month, year.last_month - first_month + 1)
    observed_in_year = np.zeros((n, 12), dtype=bool)
    in_data = year_columns < T
    observed_in_year[:, in_data] = np.isfinite(Y[:, year_columns[in_data]])
    year_index = index_by_column[:, year_columns]
    ytd = np.where(observed_in_year, np.nan_to_num(Y[:, np.minimum(year_columns, T - 1)]), 0.0).sum(axis=1)
    n_observed = observed_in_year.sum(axis=1)
    n_missing = 12 - n_observed
    index_ahead = np.where(observed_in_year, 0.0, year_index).sum(axis=1)
    index_behind = np.where(observed_in_year, year_index, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        run_rate = np.where(n_observed > 0, ytd * index_ahead / index_behind, np.nan)
    point = _point_forecast(signals, -1, index_ahead, run_rate, n_missing)
    error_scale = np.where(np.isfinite(signals.peer_level[:, -1]), POOLED_ERROR_SCALE, 1.0)

    errors = np.full((n, ERROR_ORIGINS), np.nan)
    for window, horizon in {(max(int(w), 1), int(h)) for w, h in zip(n_observed, n_missing)}:
        rows = (np.maximum(n_observed, 1) == window) & (n_missing == horizon)
        found = _rolling_origin_errors(Y[rows], index_by_column[rows], signals.rows(rows), window, horizon)
        errors[np.ix_(rows, np.arange(found.shape[1]))] = found

    history_months = np.isfinite(Y).sum(axis=1)
    results = []
    for i in range(n):
        warnings = _series_warnings(Y[i], first_month, year, as_of, observed_in_year[i])
        past = errors[i][np.isfinite(errors[i])]
        if history_months[i] == 0:
            results.append(_SeriesForecast(None, None, METHOD_NONE, [notice("forecast.no-values", as_of=str(as_of),
                                                                            as_of_label=as_of.label())], errors[i]))
            continue
        if n_missing[i] == 0:
            dist = RemainderDistribution("point", 0.0, 0.0, math.inf)
            results.append(_SeriesForecast(float(ytd[i]), dist, METHOD_COMPLETE, warnings, errors[i]))
            continue
        stop = _stopped(Y[i])
        if stop is not None:
            zeros, before = stop
            warnings = [w for w in warnings if w.code != "forecast.zero-run"]
            warnings.append(notice("forecast.stopped", zeros=zeros, average=before))
            dist = _run_rate_fallback(1.0, 0.0, zeros, int(n_missing[i]))
            results.append(_SeriesForecast(float(ytd[i]), dist, METHOD_RUN_RATE, warnings, errors[i]))
            continue
        if history_months[i] < MIN_HISTORY_MONTHS or past.size < MIN_PAST_ERRORS:
            too_little = {"months": int(history_months[i]), "as_of": str(as_of), "as_of_label": as_of.label(),
                          "errors": int(past.size), "min_months": MIN_HISTORY_MONTHS, "min_errors": MIN_PAST_ERRORS}
            fallback = _run_rate_fallback(_dispersion(Y[i]), float(ytd[i]), int(n_observed[i]), int(n_missing[i]))
            if fallback is None:
                warnings.append(notice("forecast.too-little-history-no-month", **too_little, year=str(year)))
                results.append(_SeriesForecast(float(ytd[i]), None, METHOD_NONE, warnings, errors[i]))
                continue
            warnings.append(notice("forecast.too-little-history", **too_little))
            results.append(_SeriesForecast(float(ytd[i]), fallback, METHOD_RUN_RATE, warnings, errors[i]))
            continue
        if history_months[i] < TRUSTED_HISTORY_MONTHS:
            warnings.append(notice("forecast.short-history", months=int(history_months[i]), as_of=str(as_of),
                                   as_of_label=as_of.label(), trusted=TRUSTED_HISTORY_MONTHS))
        scale = float(error_scale[i] * np.sqrt(np.mean(past**2)))
        dist = RemainderDistribution("log_t", float(max(point[i], 0.0)), scale, max(past.size / 3.0, 3.0))
        results.append(_SeriesForecast(float(ytd[i]), dist, METHOD_SEASONAL, warnings, errors[i]))
    return results


def _dispersion(y: np.ndarray) -> float:
    """Variance ÷ mean of the last 24 observed months, from successive differences (at least 1)."""
    recent = y[np.isfinite(y)][-24:]
    if recent.size < 3 or recent.mean() <= 0:
        return 1.0
    return max(1.0, float(np.mean(np.diff(recent) ** 2) / (2 * recent.mean())))


def _stopped(y: np.ndarray) -> tuple[int, float] | None:
    """(months at zero, mean before) if the series ends in a run of zeros that chance cannot explain.

    Three or more zero months after a year averaging at least 3 a month: under a
    Poisson count at that level, three zeros in a row have a chance below 1 in 8,000.
    """
    observed = y[np.isfinite(y)]
    nonzero = np.flatnonzero(observed != 0)
    zeros = observed.size - (nonzero[-1] + 1 if nonzero.size else 0)
    before = observed[: observed.size - zeros][-12:]
    if zeros < STOPPED_ZERO_MONTHS or before.size < 12 or before.mean() < STOPPED_LEVEL:
        return None
    return int(zeros), float(before.mean())


def _run_rate_fallback(dispersion: float, total: float, window: int, n_missing: int) -> RemainderDistribution | None:
    """The run rate over ``window`` observed months, with quasi-Poisson spread (a zero rate still spreads a little)."""
    if window == 0:
        return None
    point = total * n_missing / window
    variance = dispersion * max(point, 0.5) * (1 + n_missing / window)
    return RemainderDistribution("normal", point, math.sqrt(variance), math.inf)


# ---------------------------------------------------------------------------
# Warnings: breaks in the series


def _series_warnings(
    y: np.ndarray, first_month: Month, year: FinancialYear, as_of: Month, observed_in_year: np.ndarray
) -> list[Notice]:
    warnings: list[Notice] = []
    elapsed = as_of - year.first_month + 1
    missing_ytd = [str(year.first_month + j) for j in range(elapsed) if not observed_in_year[j]]
    if missing_ytd:
        warnings.append(notice("forecast.months-missing", count=len(missing_ytd), months=", ".join(missing_ytd)))
    start = max(0, year.first_month - first_month - 36)
    before_year = y[start: max(0, year.first_month - first_month)]
    observed = np.flatnonzero(np.isfinite(y))
    if observed.size:
        span = before_year[max(0, observed[0] - start):]
        gaps = int(np.isnan(span).sum())
        if gaps:
            warnings.append(notice("forecast.history-gaps", gaps=gaps, year=str(year)))

    recent = y[-36:]
    present = recent[np.isfinite(recent)]
    if present.size >= 12 and present.mean() >= 2:
        run, longest, end_at = 0, 0, 0
        for j, value in enumerate(recent):
            run = run + 1 if value == 0 else (run if np.isnan(value) else 0)
            if run > longest:
                longest, end_at = run, j
        if longest >= ZERO_RUN_MONTHS:
            last = as_of - (len(recent) - 1 - end_at)
            warnings.append(notice("forecast.zero-run", months=int(longest), ending=str(last),
                                   average=float(present.mean())))

    if y.size >= 18:
        latest, year_before = y[-6:], y[-18:-12]
        if np.isfinite(latest).all() and np.isfinite(year_before).all():
            now, then = latest.sum(), year_before.sum()
            z = 2 * (math.sqrt(now) - math.sqrt(then)) / math.sqrt(_dispersion(y))
            if then > 0 and now > 0 and abs(z) > 4 and abs(math.log(now / then)) > math.log(1.4):
                change = now / then - 1
                warnings.append(notice("forecast.level-shift", change=float(abs(change)),
                                       direction="above" if change > 0 else "below"))
    return warnings
