"""The monitor on a warehouse: the one computation that the command line, the web app and documents share.

This module is at the edge (it reads the warehouse through
:func:`policingplan.data.measures.measure_values`); the computation itself is
the pure :func:`policingplan.monitor.core.monitor_targets`.
"""

from __future__ import annotations

from dataclasses import dataclass

from policingplan.data.measures import measure_values
from policingplan.data.warehouse import Warehouse
from policingplan.monitor.core import TargetPosition, default_as_of, monitor_targets
from policingplan.plan.model import Plan
from policingplan.problems import UserError
from policingplan.periods import FinancialYear, Month


class NoMonthlyData(UserError):
    """The warehouse holds no monthly data for the plan year."""


@dataclass(frozen=True)
class Monitoring:
    """The positions of a plan's targets at one month."""

    as_of: Month
    positions: list[TargetPosition]


def monitor_plan(plan: Plan, warehouse: Warehouse, as_of: Month | str | None = None,
                 unit: str | None = None) -> Monitoring:
    """Every target's position (or one unit's) at ``as_of``, by default the latest month loaded.

    Raises :class:`~policingplan.data.measures.SourceNotLoaded` when a measure's
    source is not in the warehouse, :class:`NoMonthlyData` when no month of
    the plan year is loaded, and :class:`UserError` for an as-of month
    outside the plan year.
    """
    year = FinancialYear(plan.period)
    if as_of is not None:
        as_of = Month(as_of)
        if as_of not in year:
            raise UserError(f"--as-of {as_of} is outside the plan year {year}; accepted: a month from "
                            f"{year.first_month} to {year.last_month}")
    rows = measure_values(plan, warehouse).to_pylist()
    month = as_of if as_of is not None else default_as_of(plan, rows)
    if month is None or month < year.first_month:
        raise NoMonthlyData(f"the warehouse {warehouse.directory} holds no monthly data for {year}")
    return Monitoring(as_of=month, positions=monitor_targets(plan, rows, month, unit=unit))
