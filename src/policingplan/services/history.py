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


RESULTS = (TargetHistory,)

__all__ = ["DIRECTION", "HistoryPoint", "RESULTS", "TargetHistory", "target_history"]
