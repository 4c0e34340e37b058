"""Each target's position at an as-of month: year to date, year-end forecast, P(meet), SPC.

Pure: it takes a :class:`~policingplan.plan.model.Plan` and monthly measure
values as rows ``{"measure", "unit", "month", "numerator", "denominator"}``
(the shape of :func:`policingplan.data.measures.measure_values`) and returns
one :class:`TargetPosition` per target.  Only rows for months up to and
including the as-of month are used: every later row is dropped first.

Conventions (``docs/monitoring.md`` gives the reasons):

- a count's target is a volume for the plan year (a change of ``-0.05`` on a
  baseline ``B`` is ``B × 0.95``); a ratio's target is a rate;
- the force's series is the sum of every unit's numerators and denominators
  in the data (boroughs, airports and records with no borough); rates are
  recomputed from the sums, never averaged (docs/conventions.md#roll-ups);
- SPC runs on the monthly series from twelve months before the plan year to
  the as-of month; a count's SPC target is its year-end target ÷ 12.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Literal, Mapping, Optional

from policingplan.formatting import fmt_num, fmt_pct
from policingplan.periods import FinancialYear, Month, PeriodError
from policingplan.plan import target_meaning
from policingplan.plan.model import FORCE, Plan, Target
from policingplan.results import Notice, notice, register_notices
from policingplan.stats.calibration import count_meeting
from policingplan.stats.forecast import JointForecast, forecast_ratio_year_end, forecast_together, forecast_year_end
from policingplan.stats.spc import spc

Status = Literal["likely", "in_the_balance", "unlikely", "not_assessed"]

#: P(meet) at or above this is "likely"; at or below UNLIKELY_AT is "unlikely".
LIKELY_AT = 0.8
UNLIKELY_AT = 0.2
#: Months of the year before the plan year that the SPC chart starts with.
SPC_MONTHS_BEFORE_PLAN_YEAR = 12
#: A stated baseline further than this (as a fraction) from the data's gives a warning.
BASELINE_TOLERANCE = 0.01

register_notices({
    "monitor.no-baseline": "no baseline: the data up to the as-of month lacks {count} {months_word} of {period} "
                           "({listed})",
    "monitor.baseline-differs": "the plan's baseline {plan_figure} differs from the data's {data_figure} for {period}; "
                                "the plan's is used",
    "monitor.range-less-stretching-end": "a range target is judged against its less stretching end",
    "monitor.published-by-year": "{source} is published by year, not by month, so this target is not monitored "
                                 "month by month",
    "monitor.latest-complete-year": "the latest complete year by the end of {as_of_label} is {period}: {figure}",
    "monitor.no-data-source": "the measure has no data source",
    "monitor.no-data-source-note": "the measure has no data source: {data_note}",
    "monitor.no-monthly-data": "no monthly data up to {as_of_label} for this measure and unit",
    "monitor.months-missing": "no data for {listed}: the year to date leaves them out",
    "monitor.as-of-before-year": "the as-of month {as_of_label} is before the plan year {year} starts",
    "monitor.neutral-measure": "a neutral measure has no chance of meeting a target",
    # A warning from a part (the forecast, SPC) that still comes as a sentence, passed up as it is.
    "monitor.passed-up": "{text}",
})

_DIRECTION = {"lower": "decrease", "higher": "increase", "neutral": "neutral"}

#: One month's value: (numerator, denominator).  A count has no denominator.
MonthValue = tuple[Optional[float], Optional[float]]


@dataclass(frozen=True)
class TargetPosition:
    """Where one target stands at the as-of month."""

    measure: str
    unit: str
    target: float | None
    polarity: str
    year_to_date: float | None
    forecast_total: float | None
    interval_80: tuple[float, float] | None
    p_meet_target: float | None
    variation: str | None
    assurance: str | None
    warnings: tuple[Notice, ...] = ()
    kind: str = "count"
    period: str = ""
    months_to_date: int = 0
    baseline: float | None = None
    interval_95: tuple[float, float] | None = None

    @property
    def status(self) -> Status:
        """``likely``, ``in_the_balance`` or ``unlikely`` from P(meet); else ``not_assessed``."""
        return status_of(self.p_meet_target)

    @property
    def met_at(self) -> float | None:
        """The figure that meets the target: for a count, the whole number (at most 222,947 crimes for a
        target of 222,947.9 where lower is better; at least 13 for 12.1 where higher is); for a rate, the target."""
        if self.target is None or self.kind == "ratio":
            return self.target
        if self.polarity == "lower":
            return float(math.floor(self.target + 1e-9))
        if self.polarity == "higher":
            return float(math.ceil(self.target - 1e-9))
        return self.target


def _passed_up(warning: Notice | str, about: str | None = None) -> Notice:
    """A part's warning (the forecast's, SPC's) as a notice of the target's position, labelled with
    what it came from (``about``: ``"SPC"``).  A warning that still comes as a sentence keeps it."""
    if not isinstance(warning, Notice):
        warning = notice("monitor.passed-up", text=str(warning))
    return warning.within(about) if about else warning


def status_of(p_meet: float | None) -> Status:
    """The status a probability of meeting the target gives (thresholds in docs/monitoring.md)."""
    if p_meet is None or (isinstance(p_meet, float) and math.isnan(p_meet)):
        return "not_assessed"
    if p_meet >= LIKELY_AT:
        return "likely"
    if p_meet <= UNLIKELY_AT:
        return "unlikely"
    return "in_the_balance"


def _month_or_none(value: Any) -> Month | None:
    if value is None:
        return None
    try:
        return Month(str(value)[:7])
    except PeriodError:
        return None


def default_as_of(plan: Plan, rows: Iterable[Mapping[str, Any]]) -> Month | None:
    """The latest month every monthly measure with a target has data for, at most the plan year's last.

    So that no target is judged on a month another measure lacks; ``None`` without monthly data.
    """
    targeted = {t.measure for t in plan.targets}
    latest: dict[str, Month] = {}
    for row in rows:
        if row["measure"] not in targeted or row.get("period_kind", "month") != "month":
            continue
        month = _month_or_none(row.get("month"))
        if month is not None and (row["measure"] not in latest or month > latest[row["measure"]]):
            latest[row["measure"]] = month
    if not latest:
        return None
    return min(min(latest.values()), FinancialYear(plan.period).last_month)


@dataclass
class _Series:
    """The monthly values of each (measure, unit), with the force's as the sum of all units."""

    values: dict[tuple[str, str], dict[Month, MonthValue]] = field(default_factory=dict)
    #: Values of sources published by calendar or financial year, for periods ending by the as-of month.
    annual: dict[tuple[str, str], dict[str, MonthValue]] = field(default_factory=dict)

    #: Count histories already built, by (measure, unit, as-of): each unit's is a peer of every other's.
    _counts: dict[tuple[str, str, Month], dict[Month, float | None]] = field(default_factory=dict)
    #: The units of a measure forecast together, by (measure, year, as-of, force target).
    _joint: dict[tuple, JointForecast | None] = field(default_factory=dict)

    def get(self, measure: str, unit: str) -> dict[Month, MonthValue]:
        return self.values.get((measure, unit), {})

    def count_history(self, measure: str, unit: str, as_of: Month) -> dict[Month, float | None]:
        key = (measure, unit, as_of)
        if key not in self._counts:
            self._counts[key] = _history(self.get(measure, unit), as_of, 0)
        return self._counts[key]


def _add(a: Optional[float], b: Optional[float]) -> Optional[float]:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _series_up_to(rows: Iterable[Mapping[str, Any]], as_of: Month) -> _Series:
    series = _Series()
    force: dict[str, dict[Month, MonthValue]] = defaultdict(dict)
    explicit_force: set[str] = set()
    for row in rows:
        measure = str(row["measure"])
        month = _month_or_none(row.get("month")) if row.get("period_kind", "month") == "month" else None
        if month is None:
            _add_annual(series, measure, row, as_of)
            continue
        if month > as_of:
            continue
        unit = str(row["unit"])
        value = (_float(row.get("numerator")), _float(row.get("denominator")))
        by_month = series.values.setdefault((measure, unit), {})
        old = by_month.get(month)
        by_month[month] = value if old is None else (_add(old[0], value[0]), _add(old[1], value[1]))
        if unit == FORCE:
            explicit_force.add(measure)
            continue
        total = force[measure].get(month, (None, None))
        force[measure][month] = (_add(total[0], value[0]), _add(total[1], value[1]))
    for measure, by_month in force.items():
        if measure not in explicit_force:
            series.values[(measure, FORCE)] = by_month
    return series


def _add_annual(series: _Series, measure: str, row: Mapping[str, Any], as_of: Month) -> None:
    """Keep a yearly row (``2019`` or ``2006/07``) if its period has ended by the as-of month."""
    period = str(row.get("month"))
    try:
        last = FinancialYear(period).last_month if "/" in period else Month.of(int(period), 12)
    except (PeriodError, ValueError):
        return
    if last <= as_of:
        series.annual.setdefault((measure, str(row["unit"])), {})[period] = (
            _float(row.get("numerator")), _float(row.get("denominator")))


def _float(value: Any) -> Optional[float]:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _period_total(by_month: Mapping[Month, MonthValue], months: list[Month], kind: str) -> tuple[float | None, list[Month]]:
    """A count's sum or a ratio's rate over ``months``, and the months with no value."""
    missing = [m for m in months if by_month.get(m, (None, None))[0] is None
               or (kind == "ratio" and by_month.get(m, (None, None))[1] is None)]
    present = [by_month[m] for m in months if m not in missing]
    if not present:
        return None, missing
    numerator = sum(v[0] for v in present)
    if kind != "ratio":
        return numerator, missing
    denominator = sum(v[1] for v in present)
    return (numerator / denominator if denominator else None), missing


def _month_list(months: list[Month]) -> str:
    return ", ".join(m.label() for m in months)


def _figure(value: float, kind: str) -> str:
    """A baseline in words: a rate as a percentage, a volume with thousands commas."""
    return fmt_pct(value, 2) if kind == "ratio" else fmt_num(value, 0 if value == int(value) else 1)


def _baseline(target: Target, by_month: Mapping[Month, MonthValue], kind: str, warnings: list[Notice]) -> float | None:
    computed = None
    if target.baseline_period and "/" in target.baseline_period:
        computed, missing = _period_total(by_month, FinancialYear(target.baseline_period).months(), kind)
        if missing:
            computed = None
            if target.baseline is None:
                warnings.append(notice(
                    "monitor.no-baseline", count=len(missing), months_word="months" if len(missing) > 1 else "month",
                    period=target.baseline_period, missing=[str(m) for m in missing],
                    listed=_month_list(missing[:3]) + ("…" if len(missing) > 3 else ""),
                ))
    if target.baseline is not None:
        if computed is not None and abs(computed - target.baseline) > BASELINE_TOLERANCE * abs(target.baseline):
            warnings.append(notice(
                "monitor.baseline-differs", plan_baseline=target.baseline, data_baseline=computed,
                plan_figure=_figure(target.baseline, kind), data_figure=_figure(computed, kind),
                period=target.baseline_period,
            ))
        return target.baseline
    return computed


def target_value(target: Target, kind: str, polarity: str, baseline: float | None,
                 warnings: list[Notice]) -> float | None:
    """The year-end target in the measure's own terms: a volume for a count, a rate for a ratio."""
    if target.kind == "level":
        return target.value
    if target.kind == "change":
        if baseline is None or target.value is None:
            return None
        return baseline * (1 + target.value)
    if target.kind == "range":
        # Meeting a range means reaching at least its less stretching end (plan/target_meaning.py).
        end = target_meaning.judged_end(target, polarity)
        if end is None:
            return None
        warnings.append(notice("monitor.range-less-stretching-end"))
        if target.baseline_period is None:
            return end
        return None if baseline is None else baseline * (1 + end)
    if target.kind == "trajectory" and target.trajectory:
        months = sorted(target.trajectory)
        if kind == "ratio":
            return target.trajectory[months[-1]]
        return sum(target.trajectory.values())
    return None


def _history(by_month: Mapping[Month, MonthValue], as_of: Month, index: int) -> dict[Month, float | None]:
    """Values at ``index`` (0 numerator, 1 denominator) for every month from the first with data to as-of."""
    if not by_month:
        return {}
    first = min(by_month)
    return {first + i: by_month.get(first + i, (None, None))[index] for i in range(as_of - first + 1)}


def _peer_histories(plan: Plan, measure_id: str, scope: str, series: _Series, as_of: Month) -> dict | None:
    """The same measure's histories in the plan's other units, which a unit's forecast is pooled with.

    The force is forecast alone: it has no peers.  See docs/methods.md for the pooled method.
    """
    if scope == FORCE:
        return None
    peers = {unit.code: series.count_history(measure_id, unit.code, as_of)
             for unit in plan.units if unit.code != scope and series.get(measure_id, unit.code)}
    return peers or None


#: The fewest units with data for which the units are forecast together and the force as their sum.
MIN_JOINT_UNITS = 3


def _joint_forecast(plan: Plan, measure_id: str, series: _Series, year: FinancialYear, as_of: Month,
                    force_target: float | None, polarity: str) -> JointForecast | None:
    """The plan's units of a count measure forecast together: their shared movement, and the force's
    year end as the sum of theirs and of the records in none of them (docs/methods.md#shared-movement).
    None when fewer than :data:`MIN_JOINT_UNITS` units have data."""
    key = (measure_id, str(year), as_of, force_target, polarity)
    if key in series._joint:
        return series._joint[key]
    units = [u.code for u in plan.units if series.get(measure_id, u.code)]
    joint = None
    if len(units) >= MIN_JOINT_UNITS:
        histories = {code: series.count_history(measure_id, code, as_of) for code in units}
        force = series.count_history(measure_id, FORCE, as_of)
        rest = {month: (None if value is None else value - sum(h.get(month) or 0.0 for h in histories.values()))
                for month, value in force.items()}
        joint = forecast_together(histories, year, as_of, rest=rest, total_target=force_target,
                                  polarity=polarity if polarity in ("lower", "higher") else "lower")
    series._joint[key] = joint
    return joint


def _spc_values(by_month: Mapping[Month, MonthValue], start: Month, as_of: Month, kind: str) -> list[float | None]:
    values: list[float | None] = []
    for i in range(as_of - start + 1):
        numerator, denominator = by_month.get(start + i, (None, None))
        if kind == "ratio":
            values.append(numerator / denominator if numerator is not None and denominator else None)
        else:
            values.append(numerator)
    return values


def _position(plan: Plan, target: Target, series: _Series, as_of: Month) -> TargetPosition:
    measure = plan.measure(target.measure)
    kind = "ratio" if measure.kind in ("ratio", "percentage") else "count"
    polarity = measure.polarity
    year = FinancialYear(target.period)
    warnings: list[Notice] = []
    by_month = series.get(measure.id, target.scope)
    baseline = _baseline(target, by_month, kind, warnings)
    threshold = target_value(target, kind, polarity, baseline, warnings)
    common = dict(measure=measure.id, unit=target.scope, target=threshold, polarity=polarity,
                  kind=kind, period=str(year), baseline=baseline)
    if not by_month:
        annual = series.annual.get((measure.id, target.scope))
        if annual is not None or any(m == measure.id for m, _ in series.annual):
            warnings.append(notice("monitor.published-by-year", source=measure.source))
            if annual:
                latest = max(annual, key=lambda p: (len(p), p))
                numerator, denominator = annual[latest]
                figure = (f"{numerator / denominator:.1%} ({numerator:,.0f} of {denominator:,.0f})"
                          if kind == "ratio" and denominator else f"{numerator:,.0f}")
                warnings.append(notice("monitor.latest-complete-year", as_of=str(as_of), as_of_label=as_of.label(),
                                       period=latest, numerator=numerator, denominator=denominator, figure=figure))
        elif measure.source is None:
            warnings.append(notice("monitor.no-data-source-note", data_note=measure.data_note) if measure.data_note
                            else notice("monitor.no-data-source"))
        else:
            warnings.append(notice("monitor.no-monthly-data", as_of=str(as_of), as_of_label=as_of.label()))
        return TargetPosition(year_to_date=None, forecast_total=None, interval_80=None, p_meet_target=None,
                              variation=None, assurance=None, warnings=tuple(warnings), **common)

    months = year.months_to_date(as_of)
    year_to_date, missing = _period_total(by_month, months, kind)
    if missing:
        warnings.append(notice("monitor.months-missing", missing=[str(m) for m in missing],
                               listed=_month_list(missing)))
    if not months:
        warnings.append(notice("monitor.as-of-before-year", as_of=str(as_of), as_of_label=as_of.label(),
                               year=str(year)))

    forecast_total = interval_80 = interval_95 = p_meet = None
    if polarity == "neutral":
        warnings.append(notice("monitor.neutral-measure"))
    if months:
        # After the year has ended the forecast is the outturn: the year's own months.
        forecast_as_of = min(as_of, year.last_month)
        forecast_polarity = polarity if polarity in ("lower", "higher") else "lower"
        if kind == "ratio":
            result = forecast_ratio_year_end(
                _history(by_month, forecast_as_of, 0), _history(by_month, forecast_as_of, 1), year,
                forecast_as_of, target=threshold, polarity=forecast_polarity,
            )
        else:
            joint = None
            if target.scope == FORCE:
                joint = _joint_forecast(plan, measure.id, series, year, forecast_as_of, threshold, forecast_polarity)
            if joint is not None and joint.total.forecast_total is not None:
                result = joint.total  # coherent with the units': their sum, drawn with their shared movement
            else:
                result = forecast_year_end(
                    series.count_history(measure.id, target.scope, forecast_as_of), year, forecast_as_of,
                    target=threshold, polarity=forecast_polarity,
                    peers=_peer_histories(plan, measure.id, target.scope, series, forecast_as_of),
                )
        forecast_total = result.forecast_total
        if result.interval_80 is not None and None not in result.interval_80:
            interval_80 = (float(result.interval_80[0]), float(result.interval_80[1]))
        if result.interval_95 is not None and None not in result.interval_95:
            interval_95 = (float(result.interval_95[0]), float(result.interval_95[1]))
        if polarity != "neutral":
            p_meet = result.p_meet_target
        warnings.extend(_passed_up(w) for w in result.warnings)

    start = year.first_month - SPC_MONTHS_BEFORE_PLAN_YEAR
    spc_target = None
    if threshold is not None:
        spc_target = threshold if kind == "ratio" else threshold / 12
    chart = spc(_spc_values(by_month, start, as_of, kind), direction=_DIRECTION[polarity], target=spc_target)
    warnings.extend(_passed_up(w, "SPC") for w in chart.warnings)

    return TargetPosition(
        year_to_date=year_to_date, forecast_total=forecast_total, interval_80=interval_80,
        p_meet_target=p_meet, variation=chart.variation, assurance=chart.assurance,
        warnings=tuple(warnings), months_to_date=len(months) - len(missing), interval_95=interval_95, **common,
    )


def monitor_targets(
    plan: Plan,
    rows: Iterable[Mapping[str, Any]],
    as_of: Month | str,
    unit: str | None = None,
) -> list[TargetPosition]:
    """One position per target of the plan (or of one unit: ``"force"`` or a unit code).

    ``rows`` are monthly measure values; rows after ``as_of`` are ignored.
    Targets come in the plan's order of measures, the force first, then units
    in the order of ``plan.units``.
    """
    return monitor_plan_positions(plan, rows, as_of, unit).positions


@dataclass(frozen=True)
class UnitsMeeting:
    """How many of a measure's units are expected to meet their targets, with an 80% interval.

    Each unit's own P(meet) is as its position gives it; the units move
    together by ``rho``, the share of their forecast error they have shared
    (0, and ``rho_measured`` False, when too few units have data to measure it).
    See :func:`policingplan.stats.calibration.count_meeting`.
    """

    measure: str
    period: str
    units: int
    expected: float
    interval_80: tuple[int, int]
    rho: float
    rho_measured: bool


@dataclass(frozen=True)
class PlanPositions:
    """Every target's position at one month, and, for each measure, the units expected to meet theirs."""

    positions: list[TargetPosition]
    units_meeting: list[UnitsMeeting]


def monitor_plan_positions(
    plan: Plan,
    rows: Iterable[Mapping[str, Any]],
    as_of: Month | str,
    unit: str | None = None,
) -> PlanPositions:
    """The positions of :func:`monitor_targets`, with the count of units meeting their targets for each
    measure whose unit targets have a P(meet) (all units: with ``unit`` given, none are counted)."""
    as_of = Month(as_of)
    series = _series_up_to(rows, as_of)
    order = {u.code: i for i, u in enumerate(plan.units)}
    measure_order = {m.id: i for i, m in enumerate(plan.measures)}
    targets = [t for t in plan.targets if unit is None or t.scope == unit]
    targets.sort(key=lambda t: (measure_order.get(t.measure, len(measure_order)),
                                -1 if t.scope == FORCE else order.get(t.scope, len(order))))
    positions = [_position(plan, t, series, as_of) for t in targets]
    meeting = [] if unit is not None else _units_meeting(plan, positions, series, as_of)
    return PlanPositions(positions, meeting)


def _units_meeting(plan: Plan, positions: list[TargetPosition], series: _Series, as_of: Month) -> list[UnitsMeeting]:
    found = []
    for measure in plan.measures:
        scored = [p for p in positions if p.measure == measure.id and p.unit != FORCE and p.p_meet_target is not None]
        if not scored:
            continue
        period = scored[0].period
        year = FinancialYear(period)
        rho, measured = 0.0, False
        if scored[0].kind == "count" and year.first_month <= as_of:
            force = next((p for p in positions if p.measure == measure.id and p.unit == FORCE), None)
            joint = _joint_forecast(plan, measure.id, series, year, min(as_of, year.last_month),
                                    force.target if force else None, measure.polarity)
            if joint is not None:
                rho, measured = joint.rho, joint.rho_measured
        count = count_meeting([p.p_meet_target for p in scored], rho)
        found.append(UnitsMeeting(measure=measure.id, period=period, units=len(scored), expected=count.expected,
                                  interval_80=count.interval(0.8), rho=rho, rho_measured=measured))
    return found
