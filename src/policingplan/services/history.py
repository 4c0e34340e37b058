"""The history service: one monitored target's monthly series as an XmR chart, with its target line.

:func:`target_history` takes a target's position (a
:class:`~policingplan.services.monitor.MonitoredTarget`, as
:func:`policingplan.services.monitor.monitor` returns it) and gives the chart
that the monitor judged its variation and assurance by: the measure's monthly
values for the target's unit from twelve months before the plan year to the
as-of month, SPC's mean and process limits, and the monthly target line (a
count's year-end target spread evenly over twelve months; a rate's own
target). A web page draws it (``policingplan.publish.charts.xmr_chart``) and
shows its data as a table.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field

from policingplan.monitor.core import SPC_MONTHS_BEFORE_PLAN_YEAR
from policingplan.periods import FinancialYear, Month
from policingplan.plan.model import Plan
from policingplan.results import Notice, Result
from policingplan.services.data import measures
from policingplan.services.monitor import MonitoredTarget
from policingplan.services.stats import spc_chart

#: SPC's direction for each polarity, as the monitor charts it.
DIRECTION = {"lower": "decrease", "higher": "increase", "neutral": "neutral"}


class HistoryPoint(Result):
    """One month of the chart: its value, the mean and process limits, and what the point signals."""

    month: str = Field(description="YYYY-MM.")
    label: str = Field(description="The month in words: 'April 2023'.")
    value: float | None = Field(description="The month's count, or its rate as a fraction; null where missing.")
    mean: float | None
    lpl: float | None = Field(description="The lower process limit.")
    upl: float | None = Field(description="The upper process limit.")
    point_type: str | None = Field(description="common_cause, special_cause_improvement, special_cause_concern, "
                                               "special_cause_neutral_high or special_cause_neutral_low.")


class TargetHistory(Result):
    """A target's monthly series as the monitor charts it, with the target line and the attribution."""

    measure: str
    measure_name: str
    unit: str = Field(description="'force' or the unit's code.")
    unit_name: str
    kind: Literal["count", "ratio"]
    polarity: str
    unit_of_count: str
    as_of: str = Field(description="The as-of month, YYYY-MM.")
    as_of_label: str
    plan_year_start: str = Field(description="The first month of the plan year, YYYY-MM.")
    monthly_target: float | None = Field(description="The target line: a count's year-end target / 12; a rate's target.")
    points: list[HistoryPoint] = Field(description="Empty when the measure has no monthly data.")
    variation: str | None
    assurance: str | None
    notices: list[Notice]
    attribution: list[str]


def target_history(plan: Plan, target: MonitoredTarget, as_of: str,
                   warehouse_dir: str | os.PathLike | None = None) -> TargetHistory:
    """The XmR chart of ``target`` (its measure in its unit) up to ``as_of`` (``YYYY-MM``), with the
    target line the monitor judges assurance by.  A measure published only by year has no points."""
    measure = plan.measure(target.measure)
    month = Month(as_of)
    year = FinancialYear(plan.period)
    start = year.first_month - SPC_MONTHS_BEFORE_PLAN_YEAR
    values = measures(plan, None if warehouse_dir is None else Path(warehouse_dir), measure=measure.id,
                      unit=target.unit, start=str(start), end=str(month))
    by_month = {row.month: row.value for row in values.rows if row.period_kind == "month" and row.unit == target.unit}
    months = [start + i for i in range(month - start + 1)]
    monthly_target = None
    if target.target is not None:
        monthly_target = target.target if target.kind == "ratio" else target.target / 12
    base = dict(measure=measure.id, measure_name=measure.name, unit=target.unit, unit_name=target.unit_name,
                kind=target.kind, polarity=target.polarity, unit_of_count=measure.unit_of_count, as_of=str(month),
                as_of_label=month.label(), plan_year_start=str(year.first_month), monthly_target=monthly_target,
                attribution=values.attribution)
    if not by_month:
        return TargetHistory(**base, points=[], variation=None, assurance=None, notices=[])
    series = [by_month.get(str(m)) for m in months]
    chart = spc_chart([None if v is None else float(v) for v in series],
                      direction=DIRECTION.get(target.polarity, "neutral"), target=monthly_target)
    points = [HistoryPoint(month=str(m), label=m.label(), value=p.y, mean=p.mean, lpl=p.lpl, upl=p.upl,
                           point_type=p.point_type) for m, p in zip(months, chart.points)]
    return TargetHistory(**base, points=points, variation=chart.variation, assurance=chart.assurance,
                         notices=list(chart.warnings))


# --- the forecast fan: the year-end forecast as it stood at the end of each month -----------------


class FanPoint(Result):
    """The year-end forecast made at the end of one month of the plan year, with its intervals."""

    month: str = Field(description="The month the forecast was made at, YYYY-MM.")
    label: str = Field(description="The month in words: 'April 2023'.")
    year_to_date: float | None = Field(description="The year to that month: a sum, or a rate as a fraction.")
    forecast: float | None = Field(description="The central year-end forecast; null when none could be made.")
    low_80: float | None
    high_80: float | None
    low_95: float | None
    high_95: float | None
    p_meet_target: float | None


class ForecastFan(Result):
    """A target's year-end forecast month by month through the plan year: the central path and its 80% and 95%
    intervals narrowing as the months are counted; the last point is the monitor's forecast at the as-of month."""

    measure: str
    measure_name: str
    unit: str = Field(description="'force' or the unit's code.")
    unit_name: str
    kind: Literal["count", "ratio"]
    polarity: str
    period: str = Field(description="The plan year, such as 2023/24.")
    as_of: str
    as_of_label: str
    target: float | None = Field(description="The year-end target in the measure's own terms.")
    met_at: float | None = Field(description="The figure that meets the target, as the monitor gives it.")
    points: list[FanPoint] = Field(description="One per month of the plan year up to the as-of month; empty when "
                                               "the measure has no monthly data.")


def _fan_warehouse(warehouse_dir: str | os.PathLike | None):
    from policingplan import settings
    from policingplan.data.warehouse import Warehouse

    return Warehouse(Path(warehouse_dir) if warehouse_dir is not None else settings.warehouse_dir())


def forecast_fan(plan: Plan, target: MonitoredTarget, as_of: str,
                 warehouse_dir: str | os.PathLike | None = None) -> ForecastFan:
    """The year-end forecast of ``target`` as the monitor makes it, at the end of each month of the plan
    year from its first month to ``as_of``: what the forecast said then, and how sure it was.

    Each point is :func:`policingplan.monitor.core.monitor_targets` on the same measure values with that
    month as the as-of month (the force's count pooled from its units, as the monitor does), so the last
    point is the forecast the monitor gives at ``as_of``.
    """
    from policingplan.data.measures import measure_values
    from policingplan.monitor.core import monitor_targets

    month = Month(as_of)
    year = FinancialYear(plan.period)
    base = dict(measure=target.measure, measure_name=target.measure_name, unit=target.unit,
                unit_name=target.unit_name, kind=target.kind, polarity=target.polarity, period=str(year),
                as_of=str(month), as_of_label=month.label(), target=target.target, met_at=target.met_at)
    own = [t for t in plan.targets if t.measure == target.measure and t.scope == target.unit]
    last = min(month, year.last_month)
    if not own or last < year.first_month:
        return ForecastFan(**base, points=[])
    rows = measure_values(plan, _fan_warehouse(warehouse_dir), measure_id=target.measure,
                          end=str(last)).to_pylist()
    if not any(row["period_kind"] == "month" and row["unit"] == target.unit for row in rows):
        return ForecastFan(**base, points=[])
    alone = plan.model_copy(update={"targets": own})
    points = []
    for i in range(last - year.first_month + 1):
        at = year.first_month + i
        found = monitor_targets(alone, rows, at, unit=target.unit)
        position = next((p for p in found if p.target == target.target), found[0])
        low_80, high_80 = position.interval_80 or (None, None)
        low_95, high_95 = position.interval_95 or (None, None)
        points.append(FanPoint(month=str(at), label=at.label(), year_to_date=position.year_to_date,
                               forecast=position.forecast_total, low_80=low_80, high_80=high_80, low_95=low_95,
                               high_95=high_95, p_meet_target=position.p_meet_target))
    return ForecastFan(**base, points=points)


# --- where a unit stands among its peers ---------------------------------------------------------


class PeerRow(Result):
    """One unit's year to date for a measure, its rank among all the units, and how it compares with its peers."""

    unit: str = Field(description="The unit's code.")
    name: str
    peer_group: str | None
    population: int | None
    count: float | None = Field(description="A count's year to date; a ratio's numerator.")
    denominator: float | None = Field(description="A ratio's denominator; null for a count.")
    months: int = Field(description="The months of the plan year with a figure for the unit.")
    rate: float | None = Field(description="A count per 1,000 residents, or a ratio's rate as a fraction.")
    rank: int | None = Field(description="1 is the best of all the units (lowest where lower is better).")
    peer_rate: float | None = Field(description="The pooled rate of its peer group, the unit left out.")
    rate_ratio: float | None = Field(description="The unit's rate over its peers' (counts only).")
    ratio_low: float | None = Field(description="The 95% interval of the rate ratio (exact, Clopper–Pearson).")
    ratio_high: float | None
    band: str | None = Field(description="better than, in line with, worse than, higher than or lower than its "
                                         "peers (counts only, when the unit has peers).")


class PeerStanding(Result):
    """Every unit's year to date for one measure, ranked, each against its peer group (``stats.peers``)."""

    measure: str
    measure_name: str
    kind: Literal["count", "ratio"]
    polarity: str
    period: str
    as_of: str
    as_of_label: str
    months_elapsed: int
    basis: Literal["per_1000", "rate"] = Field(description="per_1000: a count per 1,000 residents; rate: a ratio.")
    units: list[PeerRow] = Field(description="Ranked, best first; units without a rate last.")
    notes: list[str]
    attribution: list[str]


def peer_standing(plan: Plan, measure_id: str, as_of: str,
                  warehouse_dir: str | os.PathLike | None = None) -> PeerStanding:
    """Each unit's plan year to ``as_of`` for the measure: a count per 1,000 residents (or a ratio's rate),
    ranked across all the plan's units, and compared with the pooled rate of its peer group, itself left
    out (:func:`policingplan.stats.peers.compare_with_peers`, counts only)."""
    from policingplan.stats.peers import compare_with_peers, rate_per_1000

    measure = plan.measure(measure_id)
    kind = "ratio" if measure.kind in ("ratio", "percentage") else "count"
    month = Month(as_of)
    year = FinancialYear(plan.period)
    last = min(month, year.last_month)
    elapsed = max(0, last - year.first_month + 1)
    values = measures(plan, None if warehouse_dir is None else Path(warehouse_dir), measure=measure.id,
                      start=str(year.first_month), end=str(last))
    sums: dict[str, list[float]] = {}
    for row in values.rows:
        if row.period_kind != "month" or row.unit == "force" or row.numerator is None:
            continue
        found = sums.setdefault(row.unit, [0.0, 0.0, 0])
        found[0] += float(row.numerator)
        found[1] += float(row.denominator or 0)
        found[2] += 1
    notes: list[str] = []
    rows: dict[str, dict] = {}
    for unit in plan.units:
        count, denominator, months = sums.get(unit.code, (None, None, 0))
        rate = None
        if kind == "count" and count is not None and unit.population:
            rate = rate_per_1000(count, unit.population)
        elif kind == "ratio" and denominator:
            rate = count / denominator
        rows[unit.code] = dict(unit=unit.code, name=unit.name, peer_group=unit.peer_group,
                               population=unit.population, count=count,
                               denominator=denominator if kind == "ratio" else None, months=int(months), rate=rate,
                               rank=None, peer_rate=None, rate_ratio=None, ratio_low=None, ratio_high=None, band=None)
        if count is not None and months < elapsed:
            notes.append(f"{unit.name} has figures for {months} of the {elapsed} months: its rate is over those "
                         "months only.")
    if kind == "count" and any(u.population is None for u in plan.units):
        missing = [u.name for u in plan.units if not u.population]
        notes.append(f"No population in the plan for {', '.join(missing)}: no rate per 1,000 residents.")
    polarity = measure.polarity if measure.polarity in ("lower", "higher", "neutral") else "lower"
    for unit in plan.units:
        row = rows[unit.code]
        if row["rate"] is None or not unit.peer_group:
            continue
        peers = [u.code for u in plan.units if u.peer_group == unit.peer_group and u.code != unit.code
                 and rows[u.code]["rate"] is not None]
        if not peers:
            continue
        if kind == "count":
            counts = {code: rows[code]["count"] for code in (unit.code, *peers)}
            populations = {code: float(rows[code]["population"]) for code in (unit.code, *peers)}
            compared = compare_with_peers(unit.code, counts, populations, peers, polarity=polarity)
            row.update(peer_rate=compared.peer_rate, rate_ratio=compared.rate_ratio,
                       ratio_low=compared.ratio_interval[0], ratio_high=compared.ratio_interval[1],
                       band=compared.band)
        else:
            numerator = sum(rows[code]["count"] for code in peers)
            denominator = sum(rows[code]["denominator"] for code in peers)
            row["peer_rate"] = numerator / denominator if denominator else None
    ranked = sorted((r for r in rows.values() if r["rate"] is not None),
                    key=lambda r: -r["rate"] if polarity == "higher" else r["rate"])
    for place, row in enumerate(ranked, start=1):
        row["rank"] = place
    order = ranked + [r for r in rows.values() if r["rate"] is None]
    return PeerStanding(measure=measure.id, measure_name=measure.name, kind=kind, polarity=measure.polarity,
                        period=str(year), as_of=str(month), as_of_label=month.label(), months_elapsed=elapsed,
                        basis="per_1000" if kind == "count" else "rate", units=[PeerRow(**r) for r in order],
                        notes=notes, attribution=values.attribution)


RESULTS = (TargetHistory, ForecastFan, PeerStanding)

__all__ = ["DIRECTION", "FanPoint", "ForecastFan", "HistoryPoint", "PeerRow", "PeerStanding", "RESULTS",
           "TargetHistory", "forecast_fan", "peer_standing", "target_history"]
