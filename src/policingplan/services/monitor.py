"""The monitor service: each target's position at an as-of month, the roll-up, and the attribution.

:func:`monitor` runs the pure core (:func:`policingplan.monitor.core.monitor_targets`
and :mod:`policingplan.monitor.rollup`) on the measure values in a warehouse and
returns a :class:`MonitorResult`: what ``policingplan monitor --json`` prints,
and what the command's tables, a web page and a committee paper show.
:func:`monitor_folder` does the same from a plan folder and a warehouse
folder, as the command line has them.  See ``docs/monitoring.md``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import Field

from policingplan import settings
from policingplan.attribution import attribution
from policingplan.data.measures import SourceNotLoaded, measure_values
from policingplan.data.warehouse import Warehouse
from policingplan.monitor.core import TargetPosition, UnitsMeeting, default_as_of, monitor_plan_positions
from policingplan.monitor.rollup import roll_up, unit_statuses
from policingplan.periods import FinancialYear, Month, PeriodError
from policingplan.plan.io import load_plan
from policingplan.plan.model import FORCE, Plan
from policingplan.problems import UserError
from policingplan.results import Notice, Result

#: The keys a target's position has had in ``policingplan monitor --json`` from the first, in order;
#: the names beside the ids and the later keys follow them.
JSON_KEYS = (
    "measure", "unit", "target", "polarity", "year_to_date", "forecast_total",
    "interval_80", "p_meet_target", "variation", "assurance", "warnings",
)

Status = Literal["likely", "in_the_balance", "unlikely", "not_assessed"]
#: A roll-up item with no target for the unit is ``no_target``, as the table shows it.
RollUpStatus = Literal["likely", "in_the_balance", "unlikely", "not_assessed", "no_target"]


class NoMonthlyData(UserError):
    """The warehouse holds no monthly data for the plan year."""


class DataNotLoaded(UserError):
    """A measure's source kind has no records in the warehouse: its data is to be loaded first."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


# --- the result ----------------------------------------------------------------------------------


class MonitoredTarget(Result):
    """One target's position at the as-of month."""

    measure: str = Field(description="The measure's id.")
    unit: str = Field(description="'force' or the unit's code.")
    target: float | None = Field(description="The year-end target in the measure's own terms: a volume or a rate.")
    polarity: str = Field(description="'lower' or 'higher' is better, or 'neutral'.")
    year_to_date: float | None = Field(description="The plan year's months up to the as-of month: a sum or a rate.")
    forecast_total: float | None = Field(description="The forecast for the whole plan year.")
    interval_80: tuple[float, float] | None = Field(description="The forecast's 80% interval.")
    p_meet_target: float | None = Field(description="The chance that the year meets the target.")
    variation: str | None = Field(description="The SPC variation of the latest month.")
    assurance: str | None = Field(description="The SPC assurance against the monthly target.")
    warnings: list[str] = Field(description="The notices as sentences.")
    status: Status = Field(description="From P(meet): likely, in_the_balance, unlikely or not_assessed.")
    measure_name: str
    unit_name: str = Field(description="The unit's name; the organisation's for the force.")
    kind: Literal["count", "ratio"] = Field(description="A count (a volume) or a ratio (a rate).")
    met_at: float | None = Field(description="The figure that meets the target: a count's whole number "
                                             "(at most 222,947 for 222,947.9 where lower is better); a rate's target.")
    notices: list[Notice] = Field(description="The warnings with their codes and values.")
    interval_95: tuple[float, float] | None = Field(None, description="The forecast's 95% interval.")

    @classmethod
    def from_position(cls, plan: Plan, position: TargetPosition) -> "MonitoredTarget":
        return cls(
            measure=position.measure, unit=position.unit, target=position.target, polarity=position.polarity,
            year_to_date=position.year_to_date, forecast_total=position.forecast_total,
            interval_80=position.interval_80, interval_95=position.interval_95,
            p_meet_target=position.p_meet_target, variation=position.variation,
            assurance=position.assurance, warnings=[str(n) for n in position.warnings], status=position.status,
            measure_name=plan.measure(position.measure).name, unit_name=_json_name(plan, position.unit),
            kind=position.kind, met_at=position.met_at, notices=list(position.warnings),
        )


class MonitoredPlan(Result):
    id: str
    name: str
    period: str
    version: str
    illustrative: bool


class UnitRef(Result):
    code: str
    name: str


class MeasureRef(Result):
    id: str
    name: str


class StatusCounts(Result):
    unlikely: int
    in_the_balance: int
    likely: int
    not_assessed: int


class RolledUpObjective(Result):
    id: str
    name: str
    status: RollUpStatus
    counts: StatusCounts
    spc: str | None = Field(description="concern, improvement or common_cause; null without SPC.")
    measures: list[MeasureRef]


class RolledUpPriority(Result):
    id: str
    name: str
    status: RollUpStatus
    counts: StatusCounts = Field(description="Each target once, even when two objectives share its measure.")
    spc: str | None
    objectives: list[RolledUpObjective]


class RollUp(Result):
    """The worst status of each priority and objective for one unit, with the count of each status."""

    unit: str
    unit_name: str
    priorities: list[RolledUpPriority]


class UnitOverview(Result):
    """A unit's worst status over all its targets, and how many have it (all of them when none is assessed)."""

    code: str
    name: str
    status: Status
    count: int
    targets: int


class UnitsOverview(Result):
    """Every unit's targets at a glance: the measures with unit targets, and each unit's worst status."""

    measures: list[MeasureRef]
    units: list[UnitOverview]


class UnitsMeetingTargets(Result):
    """How many of a measure's units are expected to meet their targets this year, with an 80% interval."""

    measure: str
    measure_name: str
    units: int = Field(description="The units whose targets for the measure have a P(meet).")
    expected: float = Field(description="The expected number that meet their targets: the sum of their P(meet).")
    interval_80: tuple[int, int] = Field(description="The number meeting lies in this range with at least 80% "
                                                     "probability, allowing for the units moving together.")
    shared_movement: float = Field(description="rho: the share of the units' forecast error that they share "
                                               "(0 when too few units have data to measure it).")
    shared_movement_measured: bool


class Reliability(Result):
    """What a probability means, and how reliable past ones have been, from the monitor's own backtest."""

    meaning: str = Field(description="What P(meet) is, in one plain sentence.")
    record: str | None = Field(description="How reliable past probabilities were, in one plain sentence; null "
                                           "when the backtest's figures are not in the package.")
    likely_met: float | None = Field(description="The share of targets called likely (P >= 80%) that were met.")
    likely_cases: int | None
    unlikely_met: float | None = Field(description="The share of targets called unlikely (P <= 20%) that were met.")
    unlikely_cases: int | None
    years: list[str] = Field(description="The normal years the backtest scored (COVID years left out).")


class MonitorResult(Result):
    """Where each target of a plan stands at an as-of month, the roll-up, and the attribution."""

    plan: MonitoredPlan
    as_of: str = Field(description="The as-of month, YYYY-MM.")
    as_of_label: str
    months_elapsed: int = Field(description="The months of the plan year up to the as-of month.")
    unit: UnitRef | None = Field(description="The one unit asked for; null for every target.")
    targets: list[MonitoredTarget]
    rollup: RollUp
    attribution: list[str]
    units: UnitsOverview | None = Field(description="Every unit at a glance; null when one unit was asked for.")
    sources: list[str] = Field(description="The source kinds behind the figures: what the attribution is for.")
    units_meeting: list[UnitsMeetingTargets] = Field(
        default_factory=list, description="For each measure with unit targets, how many units are expected to "
                                          "meet them; empty when one unit was asked for.")
    reliability: Reliability = Field(description="What P(meet) means and how reliable it has been.")


# --- the service ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Monitoring:
    """The positions of a plan's targets at one month (the core's values, before the result is made)."""

    as_of: Month
    positions: list[TargetPosition]
    units_meeting: list[UnitsMeeting] = field(default_factory=list)


def resolve_unit(plan: Plan, text: str) -> str:
    """``force``, or the code of the plan's unit whose code or name ``text`` is (in any case)."""
    if text.lower() == FORCE:
        return FORCE
    for unit in plan.units:
        if text.upper() == unit.code.upper() or text.lower() == unit.name.lower():
            return unit.code
    example = f", such as {plan.units[0].code} ({plan.units[0].name})" if plan.units else ""
    raise UserError(f"--unit {text!r} is not a unit of the plan; accepted: {FORCE}, or a unit code or name of the "
                    f"plan{example}")


def parse_as_of(text: str) -> Month:
    """An as-of month from ``YYYY-MM``; a :class:`UserError` that says what is accepted otherwise."""
    try:
        return Month(text)
    except PeriodError as exc:
        accepted = "" if "YYYY-MM" in str(exc) else "; accepted: a month as YYYY-MM, such as 2023-09"
        raise UserError(f"--as-of: {exc}{accepted}") from None


def monitor_plan(plan: Plan, warehouse: Warehouse, as_of: Month | str | None = None,
                 unit: str | None = None) -> Monitoring:
    """Every target's position (or one unit's: ``force`` or a unit code) at ``as_of``, by default the
    latest month loaded for every measure.

    Raises :class:`DataNotLoaded` when a measure's source is not in the warehouse,
    :class:`NoMonthlyData` when no month of the plan year is loaded, and
    :class:`UserError` for an as-of month outside the plan year.
    """
    year = FinancialYear(plan.period)
    if as_of is not None:
        as_of = Month(as_of)
        if as_of not in year:
            raise UserError(f"--as-of {as_of} is outside the plan year {year}; accepted: a month from "
                            f"{year.first_month} to {year.last_month}")
    try:
        rows = measure_values(plan, warehouse).to_pylist()
    except SourceNotLoaded as exc:
        raise DataNotLoaded(f"the warehouse {warehouse.directory} holds no {exc.kind} data", exc.kind) from None
    month = as_of if as_of is not None else default_as_of(plan, rows)
    if month is None or month < year.first_month:
        raise NoMonthlyData(f"the warehouse {warehouse.directory} holds no monthly data for {year}")
    found = monitor_plan_positions(plan, rows, month, unit=unit)
    return Monitoring(as_of=month, positions=found.positions, units_meeting=found.units_meeting)


def monitor(plan: Plan, warehouse: Warehouse, as_of: Month | str | None = None,
            unit: str | None = None) -> MonitorResult:
    """Each target's position at ``as_of`` (default: the latest month loaded for every measure), the
    roll-up for the force or for ``unit`` (``force``, or a unit's code or name in any case), every unit
    at a glance, and the attribution of the data behind the figures.

    Raises :class:`UserError` for a unit or a month the plan does not have, and
    :class:`DataNotLoaded` or :class:`NoMonthlyData` when the warehouse lacks the plan's data.
    """
    scope = resolve_unit(plan, unit) if unit is not None else None
    if isinstance(as_of, str):
        as_of = parse_as_of(as_of)
    monitoring = monitor_plan(plan, warehouse, as_of, unit=scope)
    return monitor_result(plan, monitoring, scope)


def monitor_folder(plan_dir: str | os.PathLike, warehouse_dir: str | os.PathLike | None = None,
                   as_of: str | None = None, unit: str | None = None) -> MonitorResult:
    """:func:`monitor` on the plan in ``plan_dir`` and the warehouse in ``warehouse_dir`` (default: the
    settings' warehouse, ``$POLICINGPLAN_WAREHOUSE`` or ``.policingplan/warehouse``)."""
    plan = load_plan(plan_dir)
    scope = resolve_unit(plan, unit) if unit is not None else None
    month = parse_as_of(as_of) if as_of is not None else None
    directory = Path(warehouse_dir) if warehouse_dir is not None else settings.warehouse_dir()
    if directory.exists() and not directory.is_dir():
        raise UserError(f"--warehouse {directory}: this is a file, not a folder; accepted: a warehouse folder, "
                        f"as 'policingplan data load --plan {plan_dir} --warehouse DIR' fills")
    return monitor(plan, Warehouse(directory), month, scope)


def _json_name(plan: Plan, unit: str) -> str:
    """The organisation's name for the force; a unit's name (its code if the plan lacks it)."""
    if unit == FORCE:
        return plan.organisation
    try:
        return plan.unit(unit).name
    except KeyError:
        return unit


def _sources(plan: Plan, positions: list[TargetPosition]) -> list[str]:
    """The source kinds behind the figures: those of the measures whose targets are monitored."""
    kinds: list[str] = []
    for measure_id in dict.fromkeys(p.measure for p in positions):
        source = plan.measure(measure_id).source
        if source and source not in kinds:
            kinds.append(source)
    return kinds


def _counts(counts: dict[str, int]) -> StatusCounts:
    return StatusCounts(**counts)


def _rollup(plan: Plan, positions: list[TargetPosition], unit: str) -> RollUp:
    def status(item) -> str:
        # As the table shows it: an item with no target for the unit is "no_target", not "not_assessed".
        return item.status if any(item.counts.values()) else "no_target"

    priorities = []
    for priority in roll_up(plan, positions, unit):
        objectives = [RolledUpObjective(
            id=o.id, name=o.name, status=status(o), counts=_counts(o.counts), spc=o.spc,
            measures=[MeasureRef(id=m, name=plan.measure(m).name) for m in o.measures],
        ) for o in priority.objectives]
        priorities.append(RolledUpPriority(id=priority.id, name=priority.name, status=status(priority),
                                           counts=_counts(priority.counts), spc=priority.spc, objectives=objectives))
    return RollUp(unit=unit, unit_name=_json_name(plan, unit), priorities=priorities)


def _units(plan: Plan, positions: list[TargetPosition]) -> UnitsOverview:
    measures = [MeasureRef(id=m.id, name=m.name) for m in plan.measures
                if any(p.measure == m.id and p.unit != FORCE for p in positions)]
    units = [UnitOverview(code=u.code, name=u.name, status=u.status, count=u.count, targets=u.targets)
             for u in unit_statuses(plan, positions)] if measures else []
    return UnitsOverview(measures=measures, units=units)


def monitor_result(plan: Plan, monitoring: Monitoring, scope: str | None) -> MonitorResult:
    """The result of :func:`monitor` from the core's positions; ``scope`` is the one unit asked for."""
    month, positions = monitoring.as_of, monitoring.positions
    shown_unit = scope or FORCE
    sources = _sources(plan, positions)
    return MonitorResult(
        plan=MonitoredPlan(id=plan.id, name=plan.name, period=plan.period, version=plan.version,
                           illustrative=plan.illustrative),
        as_of=str(month), as_of_label=month.label(), months_elapsed=month.fy_index,
        unit=None if scope is None else UnitRef(code=scope, name=_json_name(plan, scope)),
        targets=[MonitoredTarget.from_position(plan, p) for p in positions],
        rollup=_rollup(plan, positions, shown_unit),
        attribution=attribution(sources),
        units=_units(plan, positions) if scope is None else None,
        sources=sources,
        units_meeting=[UnitsMeetingTargets(
            measure=m.measure, measure_name=plan.measure(m.measure).name, units=m.units, expected=m.expected,
            interval_80=m.interval_80, shared_movement=m.rho, shared_movement_measured=m.rho_measured,
        ) for m in monitoring.units_meeting],
        reliability=reliability(),
    )


#: The monitor's own backtest, written by benchmarks/calibration_backtest.py --json.
RELIABILITY_FILE = "reliability.json"

MEANING = ("P(meet) is the chance that the year's figure meets the target, given the months so far and how "
           "well the same method has forecast this series before.")


def reliability() -> Reliability:
    """What P(meet) means, and how reliable past probabilities were (docs/monitoring.md#calibration)."""
    from importlib import resources

    try:
        data = json.loads(resources.files("policingplan.monitor").joinpath(RELIABILITY_FILE).read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return Reliability(meaning=MEANING, record=None, likely_met=None, likely_cases=None, unlikely_met=None,
                           unlikely_cases=None, years=[])
    years = data["normal_years"]
    likely, unlikely = data["likely"], data["unlikely"]
    record = (f"In the monitor's backtest ({years[0]} to {years[-1]}, leaving out the COVID years), "
              f"{likely['share_met']:.0%} of borough targets called likely were met, and "
              f"{unlikely['share_met']:.0%} of those called unlikely.")
    return Reliability(meaning=MEANING, record=record, likely_met=likely["share_met"], likely_cases=likely["cases"],
                       unlikely_met=unlikely["share_met"], unlikely_cases=unlikely["cases"], years=years)


RESULTS = (MonitorResult,)

__all__ = [
    "DataNotLoaded", "JSON_KEYS", "MonitorResult", "MonitoredTarget", "Monitoring", "NoMonthlyData", "RESULTS",
    "Reliability", "UnitsMeetingTargets", "reliability",
    "monitor", "monitor_folder", "monitor_plan", "monitor_result", "parse_as_of", "resolve_unit",
]
