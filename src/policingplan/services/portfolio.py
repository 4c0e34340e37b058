"""The portfolio service: a plan folder's programmes, benefits, investment fund and finance.

- :func:`portfolio` reads ``portfolio.yaml`` beside the plan (every problem naming the
  file, the line, the value and what is accepted), and returns a
  :class:`PortfolioResult`: the fund's position, each programme's benefits with their
  status and realisation, the cases by state, and the budget by priority; what
  ``policingplan portfolio --json`` prints.  A benefit tied to a plan measure shows that
  measure's SPC status from the monitor's result, when one is given or a warehouse is
  named.
- :func:`decide_case` makes one decision on a business case (the pure workflow of
  :mod:`policingplan.portfolio.workflow`) and returns the new state and the decision, for
  the caller (the web application) to store with its audit trail.
- :func:`portfolio_files` gives the file a plan folder carries, for an export.

See ``docs/portfolio.md``.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Literal, Mapping, Optional

from pydantic import Field

from policingplan.plan.io import load_plan
from policingplan.plan.model import FORCE, Plan
from policingplan.portfolio.finance import by_priority
from policingplan.portfolio.model import CASE_STATUSES, BusinessCase, Decision, Metric, Portfolio
from policingplan.portfolio.model import Fund as FundState
from policingplan.portfolio.realisation import assess, series
from policingplan.portfolio.source import PORTFOLIO_FILE, parse_portfolio, portfolio_text
from policingplan.portfolio.workflow import WorkflowError, allowed_actions, decide
from policingplan.problems import Problem, UserError
from policingplan.results import Notice, Result, notice, register_notices

register_notices({
    "portfolio.spc-not-checked": "The benefits tied to plan measures are not checked against the data: "
                                 "name a warehouse to see each measure's SPC status.",
    "portfolio.spc-unavailable": "The benefits tied to plan measures are not checked against the data: {reason}",
    "portfolio.no-monitored-target": "Benefit {benefit}: the measure {measure} has no monitored force target, "
                                     "so it has no SPC status.",
    "portfolio.illustrative": "Figures marked illustrative are not in the plan's sources: {what}.",
})


class InvalidPortfolio(UserError):
    """A portfolio.yaml that cannot be read: ``problems`` holds every error."""


class NoPortfolio(InvalidPortfolio):
    """The plan folder has no portfolio.yaml (a plan may have none)."""


# --- results -------------------------------------------------------------------------------------


class SpcCheck(Result):
    """A plan measure's own SPC status, from the monitor, to check a claimed benefit against the data."""

    as_of: str = Field(description="The monitor's as-of month, YYYY-MM.")
    variation: Optional[str] = Field(description="The SPC variation of the latest month.")
    assurance: Optional[str] = Field(description="The SPC assurance against the monthly target.")
    status: str = Field(description="The target's status from P(meet).")


class RealisationPoint(Result):
    date: dt.date
    planned: Optional[float]
    actual: Optional[float]


class BenefitView(Result):
    """A benefit with its status at the as-of date and its realisation, planned against actual."""

    id: str
    name: str
    owner: str
    measure: Optional[str] = Field(description="The plan measure it moves; null when it has its own metric.")
    measure_name: Optional[str]
    metric: Optional[Metric]
    unit: str = Field(description="The unit of its values (the plan measure's unit of count, or the metric's).")
    as_percent: bool = Field(description="Its values are fractions to show as percentages (a rate or percentage "
                                         "measure of the plan).")
    status: Literal["realised", "on_track", "off_track", "late", "awaiting_data", "not_measurable"]
    baseline: Optional[float]
    baseline_date: Optional[dt.date]
    target: Optional[float]
    due: Optional[dt.date]
    latest: Optional[float] = Field(description="The latest actual on or before the as-of date.")
    latest_date: Optional[dt.date]
    progress: Optional[float] = Field(description="The share of the planned change the latest actual has made.")
    expected: Optional[float] = Field(description="The share planned by the latest actual's date.")
    planned_now: Optional[float] = Field(description="The value planned for the as-of date.")
    days_late: Optional[int]
    cpas: list[str]
    objectives: list[str]
    realisation: list[RealisationPoint]
    spc: Optional[SpcCheck] = Field(description="The plan measure's SPC status; null when not checked.")
    illustrative: bool


class ProjectView(Result):
    id: str
    name: str
    owner: str
    stage: str


class ProgrammeView(Result):
    id: str
    name: str
    owner: str
    stage: str
    priorities: list[str]
    projects: list[ProjectView]
    benefits: list[BenefitView]
    illustrative: bool


class DecisionView(Result):
    action: str
    by: str
    at: dt.datetime
    reason: str


class CaseView(Result):
    """A business case: its state, amount (whole pounds), benefits, and every decision."""

    id: str
    title: str
    status: str
    amount: Optional[int]
    benefits: list[str]
    programme: str
    project: Optional[str]
    sponsor: Optional[str]
    priority: Optional[str]
    next_actions: list[str] = Field(description="The decisions the workflow allows next.")
    decisions: list[DecisionView]
    illustrative: bool


class CasesInState(Result):
    status: str
    count: int
    amount: int


class FundPosition(Result):
    """The fund in whole pounds: its total, what is approved (approved or funded), funded, and remaining."""

    investment: str
    name: str
    kind: str
    total: int
    approved: int = Field(description="The amounts of the cases approved or funded: the fund's allocations.")
    funded: int
    remaining: int = Field(description="The total less what is approved.")
    cases: list[CasesInState]


class PriorityFinance(Result):
    id: str
    name: str
    revenue: int
    capital: int
    total: int
    is_priority: bool


class FinanceView(Result):
    """The budget by priority, in whole pounds; the rows add up to the budget."""

    rows: list[PriorityFinance]
    revenue: int
    capital: int
    total: int
    balances: bool
    source: Optional[str]
    illustrative: bool


class PortfolioResult(Result):
    """A plan's portfolio at an as-of date: the fund, the programmes and benefits, the cases and the finance."""

    plan: str
    plan_name: str
    as_of: dt.date
    fund: Optional[FundPosition]
    programmes: list[ProgrammeView]
    cases: list[CaseView]
    finance: Optional[FinanceView]
    notices: list[Notice]
    attribution: list[str]


class CaseDecision(Result):
    """One decision on a business case: the decision, the case as it now is, the fund's position and the
    new state for the caller to store."""

    decision: DecisionView
    case: CaseView
    fund: FundPosition
    state: FundState = Field(description="The fund as it now is, every case included.")


# --- the service ---------------------------------------------------------------------------------


def read_portfolio(plan_dir: str | os.PathLike, plan: Plan | None = None) -> tuple[Plan, Portfolio]:
    """The plan and its portfolio from a plan folder; :class:`InvalidPortfolio` with every problem."""
    plan = plan if plan is not None else load_plan(plan_dir)
    path = Path(plan_dir) / PORTFOLIO_FILE
    label = os.path.join(str(plan_dir), PORTFOLIO_FILE)
    if not path.is_file():
        raise NoPortfolio(f"{plan_dir}: the plan folder has no {PORTFOLIO_FILE}; accepted: a {PORTFOLIO_FILE} "
                               "of programmes, fund and finance beside plan.yaml (docs/portfolio.md)")
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidPortfolio(str(Problem(f"the file cannot be read as UTF-8 text: {exc}", file=label))) from None
    found, problems = parse_portfolio(text, plan, label)
    if found is None:
        errors = problems.errors
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise InvalidPortfolio(f"{errors[0]}{more}", problems=errors)
    return plan, found


def parse_date(text: str) -> dt.date:
    """``--as-of``: a date written YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"--as-of {text!r} is not a date; accepted: a date written YYYY-MM-DD, such as 2007-12-31") \
            from None


def _spc_lookup(plan_dir, plan: Plan, monitoring, warehouse_dir, as_of: dt.date, notices: list[Notice]):
    """The monitor's force targets by measure, from ``monitoring`` or the warehouse; ``None`` if not checked."""
    if monitoring is None and warehouse_dir is None:
        notices.append(notice("portfolio.spc-not-checked"))
        return None
    if monitoring is None:
        from policingplan.periods import FinancialYear, Month
        from policingplan.services.monitor import monitor_folder

        month = Month(f"{as_of.year:04d}-{as_of.month:02d}")
        try:
            monitoring = monitor_folder(plan_dir, warehouse_dir, as_of=str(month) if month in
                                        FinancialYear(plan.period) else None)
        except UserError as exc:
            notices.append(notice("portfolio.spc-unavailable", reason=str(exc)))
            return None
    targets = {t.measure: t for t in monitoring.targets if t.unit == FORCE}
    return monitoring, targets


def spc_check(plan_dir, plan: Plan, as_of: dt.date, warehouse_dir, monitoring=None) -> tuple[object, list[Notice]]:
    """The SPC lookup for :func:`portfolio_result` (the monitor run on ``warehouse_dir`` at ``as_of``'s month, or
    ``monitoring`` if given) and the notices it gives: for a face that builds the portfolio itself (the web
    application, which replays its stored decisions first)."""
    notices: list[Notice] = []
    return _spc_lookup(plan_dir, plan, monitoring, warehouse_dir, as_of, notices), notices


def _benefit(plan: Plan, benefit, as_of: dt.date, spc, notices: list[Notice]) -> BenefitView:
    found = assess(benefit, as_of)
    measure = plan.measure(benefit.measure) if benefit.measure else None
    check = None
    if measure is not None and spc is not None:
        monitoring, targets = spc
        target = targets.get(measure.id)
        if target is None:
            notices.append(notice("portfolio.no-monitored-target", benefit=benefit.id, measure=measure.id))
        else:
            check = SpcCheck(as_of=monitoring.as_of, variation=target.variation, assurance=target.assurance,
                             status=target.status)
    return BenefitView(
        id=benefit.id, name=benefit.name, owner=benefit.owner, measure=benefit.measure,
        measure_name=measure.name if measure else None, metric=benefit.metric,
        unit=measure.unit_of_count if measure else benefit.metric.unit, status=found.status,
        as_percent=measure is not None and measure.kind in ("percentage", "ratio"),
        baseline=benefit.baseline.value if benefit.baseline else None,
        baseline_date=benefit.baseline.date if benefit.baseline else None, target=benefit.target, due=benefit.due,
        latest=found.latest.value if found.latest else None, latest_date=found.latest.date if found.latest else None,
        progress=found.progress, expected=found.expected, planned_now=found.planned_now, days_late=found.days_late,
        cpas=benefit.cpas, objectives=benefit.objectives,
        realisation=[RealisationPoint(date=p.date, planned=p.planned, actual=p.actual) for p in series(benefit, as_of)],
        spc=check, illustrative=benefit.illustrative,
    )


def case_view(case: BusinessCase) -> CaseView:
    return CaseView(id=case.id, title=case.title, status=case.status, amount=case.amount, benefits=case.benefits,
                    programme=case.programme, project=case.project, sponsor=case.sponsor, priority=case.priority,
                    next_actions=allowed_actions(case.status),
                    decisions=[decision_view(d) for d in case.decisions], illustrative=case.illustrative)


def decision_view(decision: Decision) -> DecisionView:
    return DecisionView(action=decision.action, by=decision.by, at=decision.at, reason=decision.reason)


def fund_position(fund: FundState) -> FundPosition:
    cases = [CasesInState(status=s, count=sum(1 for c in fund.cases if c.status == s),
                          amount=sum(c.amount or 0 for c in fund.cases if c.status == s)) for s in CASE_STATUSES]
    return FundPosition(investment=fund.investment, name=fund.name, kind=fund.kind, total=fund.total,
                        approved=fund.allocated, funded=fund.funded, remaining=fund.remaining, cases=cases)


def portfolio_result(plan: Plan, found: Portfolio, as_of: dt.date | None = None, spc=None,
                     notices: list[Notice] | None = None) -> PortfolioResult:
    """The result of :func:`portfolio` from a plan and its portfolio (``spc`` as :func:`_spc_lookup` gives it)."""
    notices = list(notices or [])
    when = as_of or found.as_of or dt.date.today()
    programmes = [ProgrammeView(
        id=p.id, name=p.name, owner=p.owner, stage=p.stage, priorities=p.priorities,
        projects=[ProjectView(id=j.id, name=j.name, owner=j.owner, stage=j.stage) for j in p.projects],
        benefits=[_benefit(plan, b, when, spc, notices) for b in p.benefits], illustrative=p.illustrative,
    ) for p in found.programmes]
    finance = None
    if found.finance is not None:
        money = by_priority(found.finance, found.fund, [(p.id, p.name) for p in plan.priorities])
        finance = FinanceView(rows=[PriorityFinance(id=r.id, name=r.name, revenue=r.revenue, capital=r.capital,
                                                    total=r.total, is_priority=r.is_priority) for r in money.rows],
                              revenue=money.revenue, capital=money.capital, total=money.total,
                              balances=money.balances, source=found.finance.source,
                              illustrative=found.finance.illustrative)
    marked = [what for what, flag in (
        ("programmes", any(p.illustrative for p in found.programmes)),
        ("benefits", any(b.illustrative for b in found.benefits().values())),
        ("business cases", found.fund is not None and any(c.illustrative for c in found.fund.cases)),
        ("finance", found.finance is not None and found.finance.illustrative)) if flag]
    if marked:
        notices.append(notice("portfolio.illustrative", what=", ".join(marked)))
    return PortfolioResult(
        plan=plan.id, plan_name=plan.name, as_of=when,
        fund=fund_position(found.fund) if found.fund is not None else None, programmes=programmes,
        cases=[case_view(c) for c in found.fund.cases] if found.fund is not None else [], finance=finance,
        notices=notices, attribution=list(spc[0].attribution) if spc is not None else [],
    )


def portfolio(plan_dir: str | os.PathLike, as_of: dt.date | str | None = None,
              warehouse_dir: str | os.PathLike | None = None, monitoring=None) -> PortfolioResult:
    """The portfolio of the plan in ``plan_dir`` at ``as_of`` (a date or YYYY-MM-DD; by default the
    portfolio's own as-of date, else today).

    A benefit tied to a plan measure is checked against the data: with ``monitoring`` (a
    :class:`~policingplan.services.monitor.MonitorResult` the caller has), or by running the
    monitor on ``warehouse_dir``; without either it is not checked, and a notice says so.
    Raises :class:`UserError` (every problem with its file and line) for a bad plan or portfolio.
    """
    plan, found = read_portfolio(plan_dir)
    when = parse_date(as_of) if isinstance(as_of, str) else as_of
    when = when or found.as_of or dt.date.today()
    notices: list[Notice] = []
    spc = _spc_lookup(plan_dir, plan, monitoring, warehouse_dir, when, notices)
    return portfolio_result(plan, found, when, spc, notices)


def decide_case(found: Portfolio, case_id: str, action: str, by: str, at: dt.datetime,
                reason: str) -> CaseDecision:
    """One decision on a business case, as a pure change of state: the decision, the case and the fund as
    they now are; :class:`UserError` saying every reason when the workflow refuses it.  The caller stores
    the new state (and, in the application, the decision in its audit trail, holding the store's guard)."""
    if found.fund is None:
        raise UserError("the portfolio has no fund; accepted: a portfolio with a fund: section")
    try:
        decided = decide(found.fund, case_id, action, by, at, reason, found.benefits())
    except WorkflowError as exc:
        raise UserError(str(exc)) from None
    return CaseDecision(decision=decision_view(decided.decision), case=case_view(decided.case),
                        fund=fund_position(decided.fund), state=decided.fund)


def portfolio_from_files(files: Mapping[str, str]) -> Optional[tuple[Plan, Portfolio]]:
    """The plan and its portfolio from a plan folder's files held in memory (path → text, as a plan version in
    the application holds them); ``None`` when there is no portfolio.yaml; :class:`InvalidPortfolio` for one
    with errors."""
    from policingplan.services.plan import read_files

    text = files.get(PORTFOLIO_FILE)
    if text is None:
        return None
    plan, problems = read_files(files)
    if plan is None:
        raise InvalidPortfolio("the plan of these files cannot be read, so neither can its portfolio")
    found, problems = parse_portfolio(text, plan, PORTFOLIO_FILE)
    if found is None:
        errors = problems.errors
        raise InvalidPortfolio(str(errors[0]) if errors else "portfolio.yaml cannot be read", problems=errors)
    return plan, found


def portfolio_files(found: Portfolio) -> dict[str, str]:
    """The file that a plan folder carries for its portfolio (``portfolio.yaml``), by its name."""
    return {PORTFOLIO_FILE: portfolio_text(found)}


RESULTS = (PortfolioResult, CaseDecision)

__all__ = ["CaseDecision", "InvalidPortfolio", "NoPortfolio", "PortfolioResult", "RESULTS", "decide_case", "parse_date",
           "portfolio", "portfolio_files", "portfolio_from_files", "portfolio_result", "read_portfolio", "spc_check"]
