"""A business case's workflow, and the fund's guard (pure).

::

    draft --submit--> submitted --approve--> approved --fund--> funded
                               \\--reject--> rejected

:func:`decide` takes the fund as it stands, a case's id and a decision (who,
when, why), and returns the new fund, the new case and the decision, for the
caller to store; or raises :class:`WorkflowError` saying every reason it is
refused.  Approval needs a named sponsor, an amount, and at least one
measurable benefit, and can never take the fund's allocations (the cases
approved or funded) above its total.  The guard here holds for one state at a
time; two approvals racing must also be stopped where the state is stored (a
row lock or a constraint), as ``docs/portfolio.md`` explains.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping

from policingplan.formatting import fmt_money
from policingplan.portfolio.model import ACTIONS, Benefit, BusinessCase, Decision, Fund

#: (from state, action) → the state it leads to.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "submit"): "submitted",
    ("submitted", "approve"): "approved",
    ("submitted", "reject"): "rejected",
    ("approved", "fund"): "funded",
}


def allowed_actions(status: str) -> list[str]:
    """The actions a case in ``status`` may take, in the workflow's order."""
    return [action for (state, action) in TRANSITIONS if state == status]


class WorkflowError(ValueError):
    """A decision the workflow refuses: its ``code`` and every reason, in words."""

    def __init__(self, case_id: str, action: str, code: str, reasons: list[str]):
        self.case_id, self.action, self.code, self.reasons = case_id, action, code, reasons
        super().__init__(f"business case {case_id!r} cannot be {_past(action)}: " + "; ".join(reasons))


def _a(status: str) -> str:
    """'a draft', 'an approved': the status with its article."""
    return ("an " if status[:1] in "aeiou" else "a ") + status


def _past(action: str) -> str:
    return {"submit": "submitted", "approve": "approved", "reject": "rejected", "fund": "funded"}.get(action, action)


@dataclass(frozen=True)
class Decided:
    """What a decision gives: the fund with the case changed, the case as it now is, and the decision."""

    fund: Fund
    case: BusinessCase
    decision: Decision


def approval_problems(fund: Fund, case: BusinessCase, benefits: Mapping[str, Benefit]) -> list[str]:
    """Why ``case`` cannot be approved from ``fund`` as it stands (empty when it can)."""
    reasons = []
    if not (case.sponsor or "").strip():
        reasons.append("it has no named sponsor")
    if case.amount is None or case.amount <= 0:
        reasons.append("it has no amount (whole pounds, more than 0)")
    measurable = [b for b in case.benefits if b in benefits and benefits[b].measurable]
    if not measurable:
        reasons.append("none of its benefits is measurable (a benefit with a baseline, a target that differs "
                       "from it and a due date)")
    if case.amount is not None and case.amount > 0:
        allocated = sum(c.amount or 0 for c in fund.cases if c.status in ("approved", "funded") and c.id != case.id)
        if allocated + case.amount > fund.total:
            reasons.append(f"approving {fmt_money(case.amount)} would take the fund's allocations to "
                           f"{fmt_money(allocated + case.amount)}, above its total of {fmt_money(fund.total)} "
                           f"({fmt_money(fund.total - allocated)} remains)")
    return reasons


def decide(fund: Fund, case_id: str, action: str, by: str, at: dt.datetime, reason: str,
           benefits: Mapping[str, Benefit]) -> Decided:
    """Make a decision on a case: the new fund, case and decision, or :class:`WorkflowError`.

    ``benefits`` maps every benefit id of the portfolio to its benefit (for approval's
    measurable-benefit rule).  ``at`` must carry its offset from UTC, and be no earlier than
    the case's last decision.
    """
    try:
        case = fund.case(case_id)
    except KeyError:
        known = ", ".join(c.id for c in fund.cases) or "none"
        raise WorkflowError(case_id, action, "case.unknown", [f"the fund has no such case (its cases: {known})"])
    if action not in ACTIONS:
        raise WorkflowError(case_id, action, "action.unknown", [f"{action!r} is not a decision; accepted: "
                                                                 + ", ".join(ACTIONS)])
    target = TRANSITIONS.get((case.status, action))
    if target is None:
        allowed = allowed_actions(case.status)
        then = f"{_a(case.status)} case may only be " + " or ".join(_past(a) for a in allowed) if allowed else \
            f"{_a(case.status)} case is final"
        raise WorkflowError(case_id, action, "transition.refused", [f"it is {case.status}; {then}"])
    reasons = []
    if not (by or "").strip():
        reasons.append("the decision does not say who made it")
    if not (reason or "").strip():
        reasons.append("the decision does not say why")
    if not isinstance(at, dt.datetime) or at.tzinfo is None or at.utcoffset() is None:
        reasons.append("the decision's time has no offset from UTC (such as 2007-05-10T14:00:00+01:00)")
    elif case.decisions and at < case.decisions[-1].at:
        reasons.append(f"the decision's time {at.isoformat()} is before the case's last decision "
                       f"({case.decisions[-1].at.isoformat()})")
    if action == "approve":
        reasons += approval_problems(fund, case, benefits)
    if reasons:
        code = "approval.refused" if action == "approve" else "decision.incomplete"
        raise WorkflowError(case_id, action, code, reasons)
    decision = Decision(action=action, by=by.strip(), at=at, reason=reason.strip())
    new_case = case.model_copy(update={"status": target, "decisions": [*case.decisions, decision]})
    new_fund = fund.model_copy(update={"cases": [new_case if c.id == case_id else c for c in fund.cases]})
    return Decided(fund=new_fund, case=new_case, decision=decision)


__all__ = ["Decided", "TRANSITIONS", "WorkflowError", "allowed_actions", "approval_problems", "decide"]
