"""The portfolio's values: programmes and projects, benefits, the investment fund and the finance (pure).

Every model forbids unknown fields (a misspelt key in ``portfolio.yaml`` is an
error) and is frozen: the workflow (:mod:`policingplan.portfolio.workflow`)
returns new values rather than changing old ones.  Amounts are whole pounds.
Cross-references (a benefit naming a plan measure, a case naming a benefit)
are checked against the plan by :mod:`policingplan.portfolio.source`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: A programme's or project's stage, in order.
Stage = Literal["proposed", "defining", "delivering", "closing", "closed"]
STAGES: tuple[str, ...] = ("proposed", "defining", "delivering", "closing", "closed")

#: A business case's states, in the order of the workflow.
CaseStatus = Literal["draft", "submitted", "approved", "rejected", "funded"]
CASE_STATUSES: tuple[str, ...] = ("draft", "submitted", "approved", "rejected", "funded")

#: What a decision on a business case does.
Action = Literal["submit", "approve", "reject", "fund"]
ACTIONS: tuple[str, ...] = ("submit", "approve", "reject", "fund")

#: The states whose amounts are allocated from the fund.
ALLOCATED: frozenset[str] = frozenset({"approved", "funded"})

MoneyKind = Literal["revenue", "capital"]


class PortfolioModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Metric(PortfolioModel):
    """A benefit's own metric, when no plan measure measures it."""

    name: str = Field(description="What is measured, such as 'Officer hours released to the front line'.")
    unit: str = Field(description="The unit of its values, such as 'hours a year' or 'pounds a year'.")


class Baseline(PortfolioModel):
    """Where a benefit starts: a value and the date it was measured."""

    value: float
    date: dt.date


class Actual(PortfolioModel):
    """A benefit's value measured on a date: its realisation so far."""

    date: dt.date
    value: float
    note: Optional[str] = None
    illustrative: bool = False


class Benefit(PortfolioModel):
    """A measurable benefit that a programme is to realise.

    It measures a plan measure (``measure``) or its own ``metric``, not both.
    Values are in the measure's own terms: a percentage is a fraction (0.6 for
    60%).  The planned path runs flat at the baseline until ``starts`` (by
    default the baseline's date), then straight to ``target`` on ``due``.
    """

    id: str
    name: str
    owner: str = Field(description="Who answers for the benefit being realised.")
    measure: Optional[str] = Field(None, description="The id of the plan measure it moves.")
    metric: Optional[Metric] = Field(None, description="Its own metric, when no plan measure measures it.")
    baseline: Optional[Baseline] = None
    target: Optional[float] = Field(None, description="The value to reach by the due date.")
    due: Optional[dt.date] = Field(None, description="The date by which the target is to be reached.")
    starts: Optional[dt.date] = Field(None, description="When realisation begins; the baseline's date if not given.")
    tolerance: float = Field(0.1, ge=0, le=1, description="How far behind the planned share of the change "
                                                          "(0.1: ten points) a benefit may be and still be on track.")
    cpas: list[str] = Field(default_factory=list, description="The plan's CPA measures it supports.")
    objectives: list[str] = Field(default_factory=list, description="The plan's objectives it supports.")
    actuals: list[Actual] = Field(default_factory=list, description="Its realisation so far: dated values.")
    description: Optional[str] = None
    illustrative: bool = False

    @model_validator(mode="after")
    def _one_measure(self) -> "Benefit":
        if (self.measure is None) == (self.metric is None):
            raise ValueError("a benefit measures either a plan measure ('measure') or its own 'metric', "
                             "exactly one of them")
        return self

    @property
    def measurable(self) -> bool:
        """It has what it measures, a baseline, a target that differs from it, and a due date."""
        return (self.baseline is not None and self.target is not None and self.due is not None
                and self.target != self.baseline.value)


class Project(PortfolioModel):
    id: str
    name: str
    owner: str
    stage: Stage
    description: Optional[str] = None


class Programme(PortfolioModel):
    """A programme of the modernisation portfolio, with its projects and benefits."""

    id: str
    name: str
    owner: str = Field(description="The senior responsible owner.")
    stage: Stage
    description: Optional[str] = None
    priorities: list[str] = Field(default_factory=list, description="The plan's priorities it serves.")
    projects: list[Project] = Field(default_factory=list)
    benefits: list[Benefit] = Field(default_factory=list)
    illustrative: bool = False


class Decision(PortfolioModel):
    """One decision on a business case: what was done, by whom, when and why."""

    action: Action
    by: str = Field(description="Who made the decision (a person, or the board that made it).")
    at: dt.datetime = Field(description="When, with its time and offset: 2007-05-10T14:00:00+01:00.")
    reason: str


class BusinessCase(PortfolioModel):
    """A request to the investment fund: draft, submitted, approved or rejected, funded."""

    id: str
    title: str
    programme: str = Field(description="The id of the programme it belongs to.")
    project: Optional[str] = Field(None, description="The id of a project of that programme, if one.")
    sponsor: Optional[str] = Field(None, description="The named sponsor; needed before approval.")
    amount: Optional[int] = Field(None, ge=0, description="Whole pounds; needed before approval.")
    benefits: list[str] = Field(default_factory=list, description="The ids of the benefits it is to realise.")
    priority: Optional[str] = Field(None, description="The plan priority it chiefly serves.")
    status: CaseStatus = "draft"
    decisions: list[Decision] = Field(default_factory=list, description="Every decision so far, oldest first.")
    illustrative: bool = False


class Fund(PortfolioModel):
    """The investment fund: a line of the plan's investments, and the business cases against it."""

    investment: str = Field(description="The id of the plan's investment that is the fund.")
    name: str
    total: int = Field(ge=0, description="Whole pounds: the plan's investment amount.")
    kind: MoneyKind = "revenue"
    cases: list[BusinessCase] = Field(default_factory=list)

    @property
    def allocated(self) -> int:
        """The amounts of the cases approved or funded: what the fund has promised."""
        return sum(c.amount or 0 for c in self.cases if c.status in ALLOCATED)

    @property
    def funded(self) -> int:
        return sum(c.amount or 0 for c in self.cases if c.status == "funded")

    @property
    def remaining(self) -> int:
        return self.total - self.allocated

    def case(self, case_id: str) -> BusinessCase:
        for case in self.cases:
            if case.id == case_id:
                return case
        raise KeyError(case_id)


class FinanceLine(PortfolioModel):
    """A line of the budget and the plan priorities it pays for (whole pounds each)."""

    id: str
    name: str
    kind: MoneyKind
    amount: int = Field(ge=0)
    priorities: dict[str, int] = Field(default_factory=dict, description="Priority id to whole pounds; the "
                                                                         "rest of the line is tied to none.")
    illustrative: bool = False


class Finance(PortfolioModel):
    """The plan's budget, revenue and capital, in lines; the fund is one more line, added from ``fund``."""

    revenue: int = Field(ge=0, description="The revenue budget, whole pounds, the fund included if it is revenue.")
    capital: int = Field(ge=0, description="The capital budget, whole pounds, the fund included if it is capital.")
    lines: list[FinanceLine] = Field(default_factory=list)
    source: Optional[str] = None
    illustrative: bool = False


class Portfolio(PortfolioModel):
    """A plan's portfolio: its programmes, its fund and its finance."""

    as_of: Optional[dt.date] = Field(None, description="The date the realisation was last brought up to date.")
    programmes: list[Programme] = Field(default_factory=list)
    fund: Optional[Fund] = None
    finance: Optional[Finance] = None
    notes: list[str] = Field(default_factory=list)

    def benefits(self) -> dict[str, Benefit]:
        """Every benefit by its id."""
        return {b.id: b for p in self.programmes for b in p.benefits}

    def programme_of(self, benefit_id: str) -> Programme:
        for programme in self.programmes:
            if any(b.id == benefit_id for b in programme.benefits):
                return programme
        raise KeyError(benefit_id)
