"""Finance follows priorities: the budget by priority adds up, to the pound, to the plan's budget."""

from __future__ import annotations

from policingplan.portfolio.finance import FUND_UNALLOCATED, NO_PRIORITY, by_priority, line_totals
from policingplan.portfolio.model import BusinessCase, Finance, FinanceLine, Fund

PRIORITIES = [("safe", "Making Neighbourhoods Safe"), ("networks", "Criminal Networks"), ("citizen", "Citizen Focus")]


def test_the_rows_add_up_to_the_budget_with_the_fund_as_one_line():
    finance = Finance(revenue=1_015_000_000, capital=50_000_000, lines=[
        FinanceLine(id="tp", name="TP", kind="revenue", amount=700_000_000,
                    priorities={"safe": 600_000_000, "citizen": 99_999_999}),
        FinanceLine(id="sc", name="SC", kind="revenue", amount=300_000_000, priorities={"networks": 300_000_000}),
        FinanceLine(id="it", name="IT", kind="capital", amount=50_000_000, priorities={"networks": 20_000_000}),
    ])
    fund = Fund(investment="r", name="Reserve", total=15_000_000, cases=[
        BusinessCase(id="a", title="a", programme="p", amount=4_000_000, status="funded", priority="citizen"),
        BusinessCase(id="b", title="b", programme="p", amount=6_500_000, status="approved", priority="networks"),
        BusinessCase(id="c", title="c", programme="p", amount=2_000_000, status="submitted", priority="safe"),
        BusinessCase(id="d", title="d", programme="p", amount=1, status="approved"),
    ])
    assert line_totals(finance, fund) == {"revenue": 1_015_000_000, "capital": 50_000_000}
    money = by_priority(finance, fund, PRIORITIES)
    rows = {r.id: (r.revenue, r.capital) for r in money.rows}
    assert rows == {
        "safe": (600_000_000, 0),
        "networks": (306_500_000, 20_000_000),
        "citizen": (103_999_999, 0),
        NO_PRIORITY: (1 + 1, 30_000_000),  # a pound of TP's line, and case d with no priority
        FUND_UNALLOCATED: (15_000_000 - 4_000_000 - 6_500_000 - 1, 0),
    }
    assert (money.revenue, money.capital, money.total) == (1_015_000_000, 50_000_000, 1_065_000_000)
    assert money.balances


def test_a_priority_with_no_money_still_has_its_row_and_empty_rows_are_left_out():
    money = by_priority(Finance(revenue=10, capital=0, lines=[
        FinanceLine(id="x", name="x", kind="revenue", amount=10, priorities={"safe": 10})]), None, PRIORITIES)
    assert [r.id for r in money.rows] == ["safe", "networks", "citizen"]
    assert money.balances
