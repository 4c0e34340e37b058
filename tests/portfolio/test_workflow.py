"""The business-case workflow: every transition allowed or refused, the approval rules, and the fund's
guard to the pound (£15m: £9m and £6m approved, a further £1 refused)."""

from __future__ import annotations

import datetime as dt

import pytest

from policingplan.portfolio.model import CASE_STATUSES, Baseline, Benefit, BusinessCase, Fund, Metric
from policingplan.portfolio.workflow import TRANSITIONS, WorkflowError, allowed_actions, decide

AT = dt.datetime(2007, 5, 10, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
BENEFITS = {
    "b-measurable": Benefit(id="b-measurable", name="Hours released", owner="HR",
                            metric=Metric(name="Hours", unit="hours"), baseline=Baseline(value=0, date=dt.date(2007, 4, 1)),
                            target=1000, due=dt.date(2008, 3, 31)),
    "b-no-target": Benefit(id="b-no-target", name="Better calls", owner="CCC", metric=Metric(name="Calls", unit="%")),
}


def case(id="c1", status="draft", amount=1_000_000, sponsor="Sponsor", benefits=("b-measurable",)) -> BusinessCase:
    return BusinessCase(id=id, title=id, programme="p", status=status, amount=amount, sponsor=sponsor,
                        benefits=list(benefits))


def fund(*cases: BusinessCase, total=15_000_000) -> Fund:
    return Fund(investment="reserve", name="Reserve", total=total, cases=list(cases))


ALL = [(status, action) for status in CASE_STATUSES for action in ("submit", "approve", "reject", "fund")]


@pytest.mark.parametrize("status, action", ALL, ids=[f"{s}-{a}" for s, a in ALL])
def test_every_transition_is_allowed_or_refused(status, action):
    state = fund(case(status=status))
    expected = {("draft", "submit"): "submitted", ("submitted", "approve"): "approved",
                ("submitted", "reject"): "rejected", ("approved", "fund"): "funded"}.get((status, action))
    if expected is None:
        with pytest.raises(WorkflowError) as raised:
            decide(state, "c1", action, "Investment Board", AT, "because", BENEFITS)
        assert raised.value.code == "transition.refused"
        assert f"it is {status}" in str(raised.value)
    else:
        decided = decide(state, "c1", action, "Investment Board", AT, "because", BENEFITS)
        assert decided.case.status == expected
        assert decided.fund.case("c1").status == expected
        assert state.case("c1").status == status  # the old state is unchanged
        assert (decided.decision.action, decided.decision.by, decided.decision.at, decided.decision.reason) == \
            (action, "Investment Board", AT, "because")
        assert decided.case.decisions == [decided.decision]


def test_the_transitions_table_is_the_workflow():
    assert TRANSITIONS == {("draft", "submit"): "submitted", ("submitted", "approve"): "approved",
                           ("submitted", "reject"): "rejected", ("approved", "fund"): "funded"}
    assert allowed_actions("submitted") == ["approve", "reject"]
    assert allowed_actions("rejected") == [] and allowed_actions("funded") == []


@pytest.mark.parametrize("changes, reason", [
    ({"sponsor": None}, "it has no named sponsor"),
    ({"sponsor": "  "}, "it has no named sponsor"),
    ({"amount": None}, "it has no amount"),
    ({"amount": 0}, "it has no amount"),
    ({"benefits": ()}, "none of its benefits is measurable"),
    ({"benefits": ("b-no-target",)}, "none of its benefits is measurable"),
    ({"benefits": ("no-such-benefit",)}, "none of its benefits is measurable"),
])
def test_approval_needs_a_sponsor_an_amount_and_a_measurable_benefit(changes, reason):
    with pytest.raises(WorkflowError) as raised:
        decide(fund(case(status="submitted", **changes)), "c1", "approve", "Board", AT, "why", BENEFITS)
    assert raised.value.code == "approval.refused"
    assert any(r.startswith(reason) for r in raised.value.reasons)


def test_a_refused_approval_gives_every_reason_at_once():
    with pytest.raises(WorkflowError) as raised:
        decide(fund(case(status="submitted", sponsor=None, amount=None, benefits=())), "c1", "approve", "Board", AT,
               "why", BENEFITS)
    assert len(raised.value.reasons) == 3


@pytest.mark.parametrize("by, at, reason, says", [
    ("", AT, "why", "who made it"),
    ("Board", AT, "  ", "why"),
    ("Board", dt.datetime(2007, 5, 10, 14, 0), "why", "no offset from UTC"),
])
def test_each_decision_records_who_when_and_why(by, at, reason, says):
    with pytest.raises(WorkflowError) as raised:
        decide(fund(case()), "c1", "submit", by, at, reason, BENEFITS)
    assert says in str(raised.value)


def test_a_decision_cannot_come_before_the_last():
    submitted = decide(fund(case()), "c1", "submit", "Sponsor", AT, "ready", BENEFITS).fund
    with pytest.raises(WorkflowError, match="before the case's last decision"):
        decide(submitted, "c1", "approve", "Board", AT - dt.timedelta(days=1), "ok", BENEFITS)


def test_an_unknown_case_names_the_cases_there_are():
    with pytest.raises(WorkflowError, match=r"no such case \(its cases: c1\)"):
        decide(fund(case()), "c9", "submit", "Board", AT, "why", BENEFITS)


# --- the fund's guard, to the pound -----------------------------------------------------------------

def test_approvals_of_9m_and_6m_fill_15m_and_a_further_pound_is_refused():
    state = fund(case("a", "submitted", 9_000_000), case("b", "submitted", 6_000_000), case("c", "submitted", 1))
    state = decide(state, "a", "approve", "Board", AT, "ok", BENEFITS).fund
    assert (state.allocated, state.remaining) == (9_000_000, 6_000_000)
    state = decide(state, "b", "approve", "Board", AT, "ok", BENEFITS).fund
    assert (state.allocated, state.remaining) == (15_000_000, 0)
    with pytest.raises(WorkflowError) as raised:
        decide(state, "c", "approve", "Board", AT, "ok", BENEFITS)
    assert raised.value.reasons == ["approving £1 would take the fund's allocations to £15,000,001, above its "
                                    "total of £15m (£0 remains)"]
    assert state.case("c").status == "submitted"


def test_funding_does_not_allocate_twice_and_rejection_allocates_nothing():
    state = fund(case("a", "approved", 9_000_000), case("b", "submitted", 6_000_000))
    state = decide(state, "a", "fund", "Director of Resources", AT, "released", BENEFITS).fund
    assert (state.allocated, state.funded) == (9_000_000, 9_000_000)
    state = decide(state, "b", "reject", "Board", AT, "not robust", BENEFITS).fund
    assert (state.allocated, state.remaining) == (9_000_000, 6_000_000)


def test_the_guard_counts_funded_cases_too():
    state = fund(case("a", "funded", 14_000_000), case("b", "submitted", 1_000_001))
    with pytest.raises(WorkflowError, match="above its total"):
        decide(state, "b", "approve", "Board", AT, "ok", BENEFITS)
