"""The plan model: the pure core that every other part of the system stands on.

A *strategy* runs for three financial years; a *plan* covers one.  A plan has
strategic priorities, each with objectives; objectives name measures; measures
have targets, for the force or for one unit.  Around them sit the units
(boroughs), the partners' targets, external requirements such as PSA1, the
narrative, milestones, investments and the plan's version history.

Every model forbids unknown fields, so that a misspelt key in a plan file is
an error, not a silently ignored line.  Cross-references (a target naming an
unknown measure, say) are checked by :mod:`policingplan.plan.validate`.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from policingplan.periods import FinancialYear, Month, PeriodError


class PlanModel(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, use_enum_values=True)


class MeasureKind(str, Enum):
    count = "count"
    ratio = "ratio"
    percentage = "percentage"
    level = "level"


class Polarity(str, Enum):
    lower = "lower"  # lower is better
    higher = "higher"  # higher is better
    neutral = "neutral"


class TargetKind(str, Enum):
    change = "change"  # a change on a baseline period: value is a signed fraction (-0.055)
    range = "range"  # minimum..maximum, signed fractions of change, or levels if no baseline
    level = "level"  # a level to reach: value in the measure's own terms (0.80 for 80%)
    trajectory = "trajectory"  # a monthly profile: trajectory maps YYYY-MM to values


class PlanStatus(str, Enum):
    draft = "draft"
    consultation = "consultation"
    agreed = "agreed"
    published = "published"
    superseded = "superseded"


FORCE = "force"


def _check_fy(value: Optional[str]) -> Optional[str]:
    if value is None:
        return value
    try:
        return str(FinancialYear(value))
    except PeriodError as exc:
        raise ValueError(str(exc)) from None


def _check_period(value: Optional[str]) -> Optional[str]:
    """A financial year ``2007/08``, a calendar year ``2019`` or a span ``1994-1998``."""
    if value is None:
        return value
    text = str(value).strip()
    if "/" in text:
        return _check_fy(text)
    parts = text.split("-")
    if all(p.isdigit() and len(p) == 4 for p in parts) and len(parts) in (1, 2):
        if len(parts) == 2 and int(parts[0]) > int(parts[1]):
            raise ValueError(f"{text!r}: a span of years must run forwards, for example 1994-1998")
        return text
    raise ValueError(
        f"{text!r} is not a period; write a financial year (2007/08), "
        "a calendar year (2019) or a span of calendar years (1994-1998)"
    )


class Unit(PlanModel):
    """A part of the force that has its own targets (a borough, the airports)."""

    code: str = Field(description="Stable code, such as the ONS code E09000021 for Kingston upon Thames.")
    name: str
    kind: str = Field("borough", description="borough, airport, or another kind the force uses.")
    population: Optional[int] = Field(None, ge=0, description="Residents, with its source in the plan's notes.")
    peer_group: Optional[str] = Field(None, description="The unit's most similar group.")
    partner: Optional[str] = Field(None, description="The local partnership (CDRP) the unit agrees targets with.")


class CountingRule(PlanModel):
    """Which records count, for the data layer to interpret.

    Filters map a canonical attribute of the source to the values that count:
    attributes are ANDed, values within one attribute are ORed.  A count
    measure uses ``count``; a ratio uses ``numerator`` and ``denominator``.
    An empty filter ``{}`` counts every record of the source.
    """

    count: Optional[dict[str, list[str]]] = None
    numerator: Optional[dict[str, list[str]]] = None
    denominator: Optional[dict[str, list[str]]] = None
    note: Optional[str] = Field(None, description="The rule in words, for readers of the plan.")
    not_counted: Optional[dict[str, list[str]]] = Field(
        None,
        description="Categories the rule leaves out on purpose, attribute to values, as in a filter: "
        "the check for renamed categories (docs/categories.md) says nothing of them.",
    )

    @model_validator(mode="after")
    def _one_shape(self) -> "CountingRule":
        has_count = self.count is not None
        has_ratio = self.numerator is not None or self.denominator is not None
        if has_count and has_ratio:
            raise ValueError("a counting rule has either 'count', or 'numerator' and 'denominator', not both")
        if not has_count and not has_ratio:
            raise ValueError("a counting rule needs 'count', or 'numerator' and 'denominator'")
        if has_ratio and (self.numerator is None or self.denominator is None):
            raise ValueError("a ratio rule needs both 'numerator' and 'denominator'")
        return self


class Measure(PlanModel):
    id: str
    name: str
    kind: MeasureKind
    polarity: Polarity
    unit_of_count: str = Field(description="What one counts: offences, people killed or seriously injured, per cent...")
    cpa: bool = Field(False, description="A Critical Performance Area.")
    description: Optional[str] = None
    source: Optional[str] = Field(None, description="The data source kind, such as mps-borough-monthly.")
    rule: Optional[CountingRule] = None
    data_note: Optional[str] = Field(None, description="Caveats about the data, such as years it does not cover.")


class Activity(PlanModel):
    """Planned activity that supports a target, with the resources it commits."""

    description: str
    resources: Optional[str] = None
    owner: Optional[str] = None


class Target(PlanModel):
    measure: str
    scope: str = Field(FORCE, description="'force' for a corporate target, or a unit code.")
    period: str = Field(description="The financial year the target is for, such as 2007/08.")
    kind: TargetKind
    baseline_period: Optional[str] = None
    baseline: Optional[float] = Field(None, description="The baseline volume or value, where the plan states it.")
    value: Optional[float] = None
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    trajectory: Optional[dict[str, float]] = None
    rationale: Optional[str] = None
    activities: list[Activity] = Field(default_factory=list)
    proposed_reduction: Optional[float] = Field(None, description="The unit's own proposal (positive fraction).")
    min_reduction: Optional[float] = Field(None, description="Floor on the unit's reduction (positive fraction).")
    max_reduction: Optional[float] = Field(None, description="Cap on the unit's reduction (positive fraction).")
    illustrative: bool = False

    _fy = field_validator("period")(lambda cls, v: _check_fy(v))
    _baseline_fy = field_validator("baseline_period")(lambda cls, v: _check_period(v))

    @field_validator("trajectory")
    @classmethod
    def _months(cls, value):
        if value is None:
            return value
        checked = {}
        for key, amount in value.items():
            try:
                checked[str(Month(key))] = amount
            except PeriodError as exc:
                raise ValueError(str(exc)) from None
        return checked

    @property
    def key(self) -> tuple[str, str, str]:
        """Two targets may not share a measure, scope and period."""
        return (self.measure, self.scope, self.period)


class PartnerTarget(PlanModel):
    """A target that a unit agreed with its local partners (LAA / CDRP)."""

    unit: str
    measure: str
    partner: Optional[str] = None
    agreement: str = Field("LAA", description="LAA, CDRP or another agreement.")
    baseline_period: Optional[str] = None
    period: str
    change: float = Field(description="Signed fraction: -0.08 is an 8% reduction.")
    baseline: Optional[float] = None
    definition: Optional[str] = Field(None, description="Where the partners count differently, how.")
    note: Optional[str] = None
    illustrative: bool = False

    _periods = field_validator("baseline_period", "period")(lambda cls, v: _check_period(v))


class ExternalRequirement(PlanModel):
    """A multi-year requirement set by government, such as PSA1."""

    id: str
    name: str
    measure: str
    baseline_period: str
    required_change: float = Field(description="Signed fraction: -0.194 is a 19.4% reduction.")
    deadline_period: str
    baseline: Optional[float] = Field(None, description="The baseline volume, where known.")
    outturns: dict[str, float] = Field(
        default_factory=dict, description="Cumulative change from the baseline reached by each period."
    )
    source: Optional[str] = None

    _periods = field_validator("baseline_period", "deadline_period")(lambda cls, v: _check_period(v))


class Objective(PlanModel):
    id: str
    name: str
    measures: list[str] = Field(default_factory=list)
    description: Optional[str] = None


class Priority(PlanModel):
    id: str
    name: str
    description: Optional[str] = None
    delivery_plans: list[str] = Field(default_factory=list)
    objectives: list[Objective] = Field(default_factory=list)


class NarrativeSection(PlanModel):
    id: str
    title: str
    file: str = Field(description="Markdown file, relative to the plan folder, such as narrative/alcohol.md.")
    priority: Optional[str] = None
    objective: Optional[str] = Field(None, description="The objective the section explains, if one.")
    body: str = Field("", description="Filled from the file when the plan is read; not written in plan.yaml.")


class Milestone(PlanModel):
    name: str
    due: dt.date
    done: Optional[bool] = None


class Investment(PlanModel):
    id: str
    name: str
    amount: float = Field(ge=0, description="Pounds sterling.")
    description: Optional[str] = None
    condition: Optional[str] = None
    priorities: list[str] = Field(default_factory=list, description="Ids of the priorities the investment supports.")


class Amendment(PlanModel):
    version: str
    date: dt.date
    meeting: Optional[str] = None
    summary: str
    reason: Optional[str] = None
    changes: list[str] = Field(default_factory=list)


class Strategy(PlanModel):
    name: str
    first_year: str
    last_year: str
    agreed: Optional[str] = None

    _fy = field_validator("first_year", "last_year")(lambda cls, v: _check_fy(v))

    @model_validator(mode="after")
    def _three_years(self) -> "Strategy":
        span = FinancialYear(self.last_year) - FinancialYear(self.first_year)
        if span != 2:
            raise ValueError(
                f"a strategy covers three financial years; {self.first_year} to {self.last_year} is {span + 1}"
            )
        return self


class DataSource(PlanModel):
    """Files of real data the plan's measures are computed from, relative to the data directory."""

    kind: str
    files: list[str]
    note: Optional[str] = None


class Plan(PlanModel):
    id: str
    name: str
    organisation: str
    period: str = Field(description="The plan's financial year.")
    strategy: Optional[Strategy] = None
    version: str = "1.0"
    status: PlanStatus = PlanStatus.draft.value  # a plain string, as use_enum_values stores a given status
    illustrative: bool = Field(False, description="True for a plan built on real data that is not an official plan.")
    summary: Optional[str] = None
    priorities: list[Priority] = Field(default_factory=list)
    measures: list[Measure] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    units: list[Unit] = Field(default_factory=list)
    partner_targets: list[PartnerTarget] = Field(default_factory=list)
    requirements: list[ExternalRequirement] = Field(default_factory=list)
    narrative: list[NarrativeSection] = Field(default_factory=list)
    milestones: list[Milestone] = Field(default_factory=list)
    investments: list[Investment] = Field(default_factory=list)
    amendments: list[Amendment] = Field(default_factory=list)
    data_sources: list[DataSource] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="Sources of figures and caveats, in words.")

    _fy = field_validator("period")(lambda cls, v: _check_fy(v))

    # Look-ups used everywhere; cheap enough to compute on demand.
    def measure(self, measure_id: str) -> Measure:
        for measure in self.measures:
            if measure.id == measure_id:
                return measure
        raise KeyError(measure_id)

    def unit(self, code: str) -> Unit:
        for unit in self.units:
            if unit.code == code:
                return unit
        raise KeyError(code)

    def targets_for(self, measure_id: str, scope: Optional[str] = None) -> list[Target]:
        return [t for t in self.targets if t.measure == measure_id and (scope is None or t.scope == scope)]

    @property
    def cpa_measures(self) -> list[Measure]:
        return [m for m in self.measures if m.cpa]
