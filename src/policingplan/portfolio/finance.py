"""Finance follows priorities: the plan's budget, revenue and capital, laid against its priorities (pure).

Each budget line says how much of it pays for which strategic priority; the
rest of the line is tied to none.  The investment fund is one more line, of
its own kind (revenue or capital): the cases approved or funded count against
the priority each chiefly serves, and what the fund has not yet allocated is
a row of its own.  The rows add up, to the pound, to the budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from policingplan.portfolio.model import ALLOCATED, Finance, Fund

#: The rows that are not a priority.
NO_PRIORITY = "no-priority"
FUND_UNALLOCATED = "fund-unallocated"


@dataclass(frozen=True)
class PriorityMoney:
    """One row: a priority (or money tied to none, or the fund not yet allocated) and its pounds."""

    id: str
    name: str
    revenue: int
    capital: int
    is_priority: bool

    @property
    def total(self) -> int:
        return self.revenue + self.capital


@dataclass(frozen=True)
class FinanceByPriority:
    rows: list[PriorityMoney]
    revenue: int
    capital: int
    budget_revenue: int
    budget_capital: int

    @property
    def total(self) -> int:
        return self.revenue + self.capital

    @property
    def balances(self) -> bool:
        """The rows add up to the budget, revenue and capital alike."""
        return self.revenue == self.budget_revenue and self.capital == self.budget_capital


def line_totals(finance: Finance, fund: Optional[Fund]) -> dict[str, int]:
    """The lines' totals by kind, the fund's line included: what must equal the budget."""
    totals = {"revenue": 0, "capital": 0}
    for line in finance.lines:
        totals[line.kind] += line.amount
    if fund is not None:
        totals[fund.kind] += fund.total
    return totals


def by_priority(finance: Finance, fund: Optional[Fund], priorities: Sequence[tuple[str, str]]) -> FinanceByPriority:
    """The budget by priority (``priorities``: the plan's (id, name), in its order), then the money tied
    to no priority, then the fund not yet allocated."""
    money: dict[str, dict[str, int]] = {pid: {"revenue": 0, "capital": 0} for pid, _ in priorities}
    money[NO_PRIORITY] = {"revenue": 0, "capital": 0}
    money[FUND_UNALLOCATED] = {"revenue": 0, "capital": 0}

    def add(priority: Optional[str], kind: str, amount: int) -> None:
        money[priority if priority in money else NO_PRIORITY][kind] += amount

    for line in finance.lines:
        for priority, amount in line.priorities.items():
            add(priority, line.kind, amount)
        add(None, line.kind, line.amount - sum(line.priorities.values()))
    if fund is not None:
        allocated = 0
        for case in fund.cases:
            if case.status in ALLOCATED and case.amount:
                add(case.priority, fund.kind, case.amount)
                allocated += case.amount
        money[FUND_UNALLOCATED][fund.kind] += fund.total - allocated
    names = dict(priorities)
    names[NO_PRIORITY] = "Not tied to a priority"
    names[FUND_UNALLOCATED] = f"{fund.name}: not yet allocated" if fund is not None else "Fund not yet allocated"
    rows = [PriorityMoney(pid, names[pid], m["revenue"], m["capital"], pid in dict(priorities))
            for pid, m in money.items()]
    rows = [r for r in rows if r.is_priority or r.total]
    return FinanceByPriority(rows=rows, revenue=sum(r.revenue for r in rows), capital=sum(r.capital for r in rows),
                             budget_revenue=finance.revenue, budget_capital=finance.capital)


__all__ = ["FUND_UNALLOCATED", "FinanceByPriority", "NO_PRIORITY", "PriorityMoney", "by_priority", "line_totals"]
