"""The portfolio's state in the application, and decisions made under the fund's lock.

The state of each business case is the plan folder's ``portfolio.yaml`` (the
seed: its cases, their statuses and the decisions it records) replayed with
the decisions stored in the database (:class:`~.models.CaseDecision`), oldest
first, through the pure workflow (:func:`policingplan.portfolio.workflow.decide`).

:func:`decide` makes one decision.  It reads the seed first, then, inside
``transaction.atomic()``:

1. raises the fund row's ``revision`` (an ``UPDATE``: the first statement of the
   transaction is a write, so on SQLite it takes the database's write lock at
   once, as ``BEGIN IMMEDIATE`` would, and a second decision waits for it
   instead of reading a state that is about to change; on PostgreSQL it locks
   the row);
2. reads the row again with ``select_for_update()`` (the row lock, said
   plainly; on SQLite Django leaves it out, and step 1 has the lock);
3. replays the stored decisions, decides, adds the decision, writes the fund's
   new allocation (a CHECK constraint refuses one above the total) and records
   the audit entry, all in that one transaction.

So two approvals at the same moment are taken one after the other, and the
second sees the first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from policingplan.formatting import fmt_money
from policingplan.plan.model import Plan
from policingplan.portfolio.model import Benefit, Portfolio
from policingplan.portfolio.model import Fund as FundState
from policingplan.portfolio.workflow import WorkflowError, allowed_actions
from policingplan.portfolio.workflow import decide as workflow_decide
from policingplan.problems import UserError
from policingplan.services.portfolio import (CaseView, NoPortfolio, PortfolioResult, case_view, portfolio_files,
                                             portfolio_from_files, portfolio_result, read_portfolio, spc_check)
from policingplan.web import audit, figures
from policingplan.web.investment.models import CaseDecision, Fund

#: Called inside the lock, once the state is read and before the decision is written: tests use it to hold
#: the first of two racing approvals there, so that the second certainly asks while the first holds the lock.
_inside_lock: Callable[[], None] = lambda: None  # noqa: E731


@dataclass(frozen=True)
class Conflict:
    """A stored decision that the workflow no longer accepts (the seed changed under it): shown, not applied."""

    decision_id: int
    case_id: str
    action: str
    by: str
    at: dt.datetime
    message: str


@dataclass(frozen=True)
class State:
    """The plan, its seed portfolio, and the portfolio as it now is (the stored decisions applied)."""

    plan_dir: str
    plan: Plan
    seed: Portfolio
    portfolio: Portfolio
    conflicts: list[Conflict] = field(default_factory=list)
    stored: int = 0

    @property
    def fund(self) -> Optional[FundState]:
        return self.portfolio.fund


class DecisionRefused(UserError):
    """A decision the application refuses: every reason, in words, and the form's field it is about."""

    def __init__(self, message: str, reasons: list[str] | None = None, field: str = "reason"):
        super().__init__(message)
        self.reasons = reasons or [message]
        self.field = field


def decider_name(user) -> str:
    """How a decision names who made it: the user's full name, else their username."""
    return (user.get_full_name() or "").strip() or user.get_username()


def apply(fund: FundState, case_id: str, action: str, by: str, at: dt.datetime, reason: str,
          amount: Optional[int], benefits: dict[str, Benefit]) -> FundState:
    """One decision applied to the fund through the workflow; an approval with an ``amount`` approves that
    amount (the board may approve less than the case asked for).  :class:`WorkflowError` when refused."""
    if action == "approve" and amount is not None and any(c.id == case_id for c in fund.cases):
        fund = fund.model_copy(update={"cases": [c.model_copy(update={"amount": amount}) if c.id == case_id else c
                                                 for c in fund.cases]})
    return workflow_decide(fund, case_id, action, by, at, reason, benefits).fund


def replay(seed: Portfolio, decisions: Iterable[CaseDecision]) -> tuple[Portfolio, list[Conflict]]:
    """The seed with the stored ``decisions`` applied in order; those the workflow refuses are conflicts."""
    if seed.fund is None:
        return seed, []
    fund, benefits, conflicts = seed.fund, seed.benefits(), []
    for d in decisions:
        try:
            fund = apply(fund, d.case_id, d.action, d.by, d.at, d.reason, d.amount, benefits)
        except WorkflowError as exc:
            conflicts.append(Conflict(d.pk, d.case_id, d.action, d.by, d.at, str(exc)))
    return seed.model_copy(update={"fund": fund}), conflicts


def _stored(plan: Plan, seed: Portfolio) -> list[CaseDecision]:
    if seed.fund is None:
        return []
    return list(CaseDecision.objects.filter(fund__plan_id=plan.id, fund__investment=seed.fund.investment)
                .order_by("at", "id"))


def load(plan_dir: str | None = None) -> Optional[State]:
    """The portfolio of the plan shown (or of ``plan_dir``) as it now is; ``None`` when the plan has no
    portfolio.yaml.  A portfolio.yaml with errors raises :class:`~policingplan.problems.UserError`."""
    plan_dir = str(plan_dir or figures.plan_dir())
    try:
        plan, seed = read_portfolio(plan_dir)
    except NoPortfolio:
        return None
    stored = _stored(plan, seed)
    portfolio, conflicts = replay(seed, stored)
    return State(plan_dir=plan_dir, plan=plan, seed=seed, portfolio=portfolio, conflicts=conflicts,
                 stored=len(stored))


def allowed_next(status: str) -> list[str]:
    """The decisions the workflow allows a case in ``status`` next."""
    return allowed_actions(status)


def result(found: State) -> PortfolioResult:
    """The services' result for the state (the fund, the programmes' benefits with their status, the cases), each
    benefit tied to a plan measure checked against that measure's SPC status in the warehouse the pages read."""
    from django.conf import settings

    as_of = found.portfolio.as_of or dt.date.today()
    spc, notices = figures._cached(("portfolio-spc", found.plan.id, as_of), lambda: spc_check(
        found.plan_dir, found.plan, as_of, settings.POLICINGPLAN_WAREHOUSE))
    return portfolio_result(found.plan, found.portfolio, as_of, spc, list(notices))


def cases_awaiting_decision(plan_dir: str | None = None) -> list[CaseView]:
    """The business cases submitted and not yet decided, for the plan shown (``figures.plan_dir()``), in the
    portfolio's order; none when the plan has no portfolio."""
    state = load(plan_dir)
    if state is None or state.fund is None:
        return []
    return [case_view(c) for c in state.fund.cases if c.status == "submitted"]


@dataclass(frozen=True)
class Decided:
    decision: CaseDecision
    state: State = field(repr=False)


def _fund_row(plan: Plan, fund: FundState) -> Fund:
    row, _ = Fund.objects.get_or_create(plan_id=plan.id, investment=fund.investment,
                                        defaults={"total": fund.total, "allocated": fund.allocated})
    return row


def decide(user, case_id: str, action: str, reason: str, amount: Optional[int] = None,
           plan_dir: str | None = None) -> Decided:
    """Make one decision on a business case of the plan shown, as ``user``, under the fund's lock; record it in
    the audit trail in the same transaction.  :class:`DecisionRefused` saying why when it is refused."""
    plan_dir = str(plan_dir or figures.plan_dir())
    try:
        plan, seed = read_portfolio(plan_dir)
    except NoPortfolio:
        raise DecisionRefused("the plan has no portfolio, so no business case can be decided", field="action")
    if seed.fund is None:
        raise DecisionRefused("the portfolio has no fund, so no business case can be decided", field="action")
    if not (reason or "").strip():
        raise DecisionRefused("Enter the reason for the decision", field="reason")
    if action != "approve":
        amount = None
    by = decider_name(user)
    benefits = seed.benefits()
    row = _fund_row(plan, seed.fund)
    try:
        with transaction.atomic():
            # The first statement is a write: on SQLite it takes the write lock now (a second decision waits
            # here); on PostgreSQL it locks the fund's row.  select_for_update() says the same plainly.
            Fund.objects.filter(pk=row.pk).update(revision=F("revision") + 1)
            row = Fund.objects.select_for_update().get(pk=row.pk)
            stored = list(CaseDecision.objects.filter(fund=row).order_by("at", "id"))
            portfolio, conflicts = replay(seed, stored)
            _inside_lock()
            fund = portfolio.fund
            try:
                before = fund.case(case_id)
            except KeyError:
                raise DecisionRefused(f"the fund has no business case '{case_id}'", field="action") from None
            at = max([timezone.now()] + [d.at for d in before.decisions])
            new_fund = apply(fund, case_id, action, by, at, reason, amount, benefits)
            after = new_fund.case(case_id)
            decision = CaseDecision.objects.create(fund=row, case_id=case_id, action=action, amount=amount,
                                                   who=user, by=by, at=at, reason=reason.strip())
            Fund.objects.filter(pk=row.pk).update(total=new_fund.total, allocated=new_fund.allocated)
            money = f" {fmt_money(after.amount)}" if action == "approve" and after.amount else ""
            audit.record(user, f"business-case.{action}",
                         f"Business case '{after.title}': {before.status} to {after.status}{money} "
                         f"({fmt_money(new_fund.remaining)} of the fund remains)", reason,
                         object_type="business-case", object_id=case_id, plan_id=plan.id,
                         before={"status": before.status, "amount": before.amount, "fund_allocated": fund.allocated},
                         after={"status": after.status, "amount": after.amount,
                                "fund_allocated": new_fund.allocated})
    except WorkflowError as exc:
        raise DecisionRefused(str(exc), reasons=exc.reasons,
                              field="amount" if action == "approve" and _about_money(exc) else "action") from None
    except IntegrityError:
        # The CHECK constraint: reached only if the guard above were bypassed.
        raise DecisionRefused(f"the database refused the decision: it would take the fund's allocations above its "
                              f"total of {fmt_money(seed.fund.total)}", field="amount") from None
    portfolio = portfolio.model_copy(update={"fund": new_fund})
    return Decided(decision=decision, state=State(plan_dir=plan_dir, plan=plan, seed=seed, portfolio=portfolio,
                                                  conflicts=conflicts, stored=len(stored) + 1))


def _about_money(exc: WorkflowError) -> bool:
    return any("amount" in r or "fund's allocations" in r for r in exc.reasons)


def export_files(version) -> dict[str, str]:
    """For a plan folder exported from the application (registered in plan editing's ``export.EXTRA_FILES``):
    ``portfolio.yaml`` written from the application's state, the version's own portfolio.yaml with every
    decision stored for the plan replayed into it, so that each case carries its status and decisions.  Nothing
    (the version's own file stands) when the version has no portfolio, or one with errors."""
    try:
        found = portfolio_from_files(version.files)
    except UserError:
        return {}
    if found is None:
        return {}
    plan, seed = found
    portfolio, _ = replay(seed, _stored(plan, seed))
    return portfolio_files(portfolio)


def fund_row(plan_dir: str | None = None) -> Optional[Fund]:
    """The fund's row as stored (``None`` before the first decision)."""
    state = load(plan_dir)
    if state is None or state.fund is None:
        return None
    return Fund.objects.filter(plan_id=state.plan.id, investment=state.fund.investment).first()


__all__ = ["Conflict", "Decided", "DecisionRefused", "State", "allowed_next", "apply", "cases_awaiting_decision",
           "decide", "decider_name", "export_files", "fund_row", "load", "replay", "result"]
