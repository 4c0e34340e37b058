"""The store of business-case decisions: the seed replayed with the stored decisions, the workflow's rules through
the store, the audit trail, and the fund's guard in the database (a CHECK constraint and a lock that two racing
approvals cannot get past, on SQLite and on PostgreSQL)."""

from __future__ import annotations

import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction

from policingplan.services.portfolio import portfolio_text, read_portfolio
from policingplan.web.investment import state
from policingplan.web.investment.models import CaseDecision, Fund
from policingplan.web.models import AuditEntry

SUBMITTED = "bc-cf-call-handling"  # submitted in the example, £2m
FUND_TOTAL = 15_000_000
SEED_ALLOCATED = 10_500_000  # £4m funded and £6.5m approved in the example


def _audited() -> list[tuple[str, str]]:
    """The audit trail's entries about business cases (the plan's import as a version has its own)."""
    return list(AuditEntry.objects.filter(object_type="business-case").order_by("id")
                .values_list("action", "object_id"))


# --- the state: the seed replayed with the stored decisions ------------------------------------------------


@pytest.mark.django_db
def test_the_state_before_any_decision_is_the_seed(portfolio_plan_dir):
    found = state.load()
    assert found.plan.id and found.stored == 0 and found.conflicts == []
    assert found.fund.total == FUND_TOTAL and found.fund.allocated == SEED_ALLOCATED
    assert {c.id: c.status for c in found.fund.cases} == {
        "bc-sn-contact-points": "funded", "bc-mib-integration": "approved", SUBMITTED: "submitted",
        "bc-wm-rostering": "draft", "bc-mobile-data-pilot": "rejected"}
    assert [c.id for c in state.cases_awaiting_decision()] == [SUBMITTED]


@pytest.mark.django_db
def test_a_plan_without_a_portfolio_has_no_state_and_no_cases_awaiting(plan_without_portfolio):
    assert state.load(str(plan_without_portfolio)) is None
    assert state.cases_awaiting_decision(str(plan_without_portfolio)) == []


@pytest.mark.django_db
def test_an_approval_is_stored_replayed_and_audited(make_user):
    board = make_user("investment")
    board.first_name, board.last_name = "Ada", "Byrne"
    board.save()
    decided = state.decide(board, SUBMITTED, "approve", "  Robust case; benefits through the CPA  ")
    assert decided.decision.by == "Ada Byrne" and decided.decision.amount is None
    assert decided.state.fund.case(SUBMITTED).status == "approved"
    # What a later request sees: the seed replayed with the stored decision.
    again = state.load()
    assert again.stored == 1 and again.fund.case(SUBMITTED).status == "approved"
    assert again.fund.allocated == SEED_ALLOCATED + 2_000_000
    assert again.fund.case(SUBMITTED).decisions[-1].reason == "Robust case; benefits through the CPA"
    assert state.cases_awaiting_decision() == []
    row = Fund.objects.get()
    assert (row.total, row.allocated) == (FUND_TOTAL, SEED_ALLOCATED + 2_000_000)
    entry = AuditEntry.objects.get(action="business-case.approve")
    assert entry.who == board and entry.object_id == SUBMITTED and entry.plan_id == again.plan.id
    assert entry.why == "Robust case; benefits through the CPA"
    assert entry.before["status"] == "submitted" and entry.after["status"] == "approved"
    assert entry.after["fund_allocated"] == SEED_ALLOCATED + 2_000_000
    # Then funded: the allocation does not change.
    state.decide(board, SUBMITTED, "fund", "Money released to the programme")
    assert state.load().fund.case(SUBMITTED).status == "funded"
    assert Fund.objects.get().allocated == SEED_ALLOCATED + 2_000_000


@pytest.mark.django_db
def test_the_board_may_approve_less_than_the_case_asks(make_user):
    decided = state.decide(make_user("investment"), SUBMITTED, "approve", "Approved in part", amount=1_250_000)
    assert decided.state.fund.case(SUBMITTED).amount == 1_250_000
    assert state.load().fund.allocated == SEED_ALLOCATED + 1_250_000
    assert CaseDecision.objects.get().amount == 1_250_000


@pytest.mark.django_db
def test_an_approval_above_what_remains_is_refused_and_nothing_is_stored(make_user):
    with pytest.raises(state.DecisionRefused, match=r"above its total of £15m \(£4.5m remains\)") as refused:
        state.decide(make_user("investment"), SUBMITTED, "approve", "Bigger", amount=4_600_000)
    assert refused.value.field == "amount"
    assert CaseDecision.objects.count() == 0 and _audited() == []
    assert state.load().fund.case(SUBMITTED).status == "submitted"


@pytest.mark.django_db
def test_a_decision_the_workflow_does_not_allow_is_refused(make_user):
    board = make_user("investment")
    with pytest.raises(state.DecisionRefused, match="it is funded; a funded case is final"):
        state.decide(board, "bc-sn-contact-points", "reject", "Too late")
    with pytest.raises(state.DecisionRefused, match="it is submitted; a submitted case may only be approved or "
                                                    "rejected"):
        state.decide(board, SUBMITTED, "fund", "Straight to funding")
    with pytest.raises(state.DecisionRefused, match="no business case 'bc-nothing'"):
        state.decide(board, "bc-nothing", "approve", "Why not")
    with pytest.raises(state.DecisionRefused, match="reason") as refused:
        state.decide(board, SUBMITTED, "approve", "   ")
    assert refused.value.field == "reason"
    assert CaseDecision.objects.count() == 0 and _audited() == []


@pytest.mark.django_db
def test_a_case_without_a_sponsor_is_submitted_but_cannot_be_approved(make_user):
    board = make_user("investment")
    state.decide(board, "bc-wm-rostering", "submit", "For the next Board")
    assert [c.id for c in state.cases_awaiting_decision()] == [SUBMITTED, "bc-wm-rostering"]
    with pytest.raises(state.DecisionRefused, match="it has no named sponsor") as refused:
        state.decide(board, "bc-wm-rostering", "approve", "Good idea")
    assert refused.value.reasons == ["it has no named sponsor"]
    assert state.load().fund.case("bc-wm-rostering").status == "submitted"


@pytest.mark.django_db
def test_the_rules_for_approval_hold_through_the_store(make_user, portfolio_plan_dir, tmp_path):
    """A case with no amount and no measurable benefit: every reason is given, and nothing is stored."""
    plan_dir = _plan_copy(portfolio_plan_dir, tmp_path, {SUBMITTED: {"amount": None, "benefits": ["cf-first-contact"],
                                                                     "sponsor": None}})
    with pytest.raises(state.DecisionRefused) as refused:
        state.decide(make_user("investment"), SUBMITTED, "approve", "Yes", plan_dir=plan_dir)
    assert refused.value.reasons == [
        "it has no named sponsor", "it has no amount (whole pounds, more than 0)",
        "none of its benefits is measurable (a benefit with a baseline, a target that differs from it and a due date)"]
    assert CaseDecision.objects.count() == 0


@pytest.mark.django_db
def test_a_stored_decision_the_seed_no_longer_allows_is_a_conflict_not_applied(make_user, portfolio_plan_dir,
                                                                             tmp_path):
    state.decide(make_user("investment"), SUBMITTED, "approve", "Robust")
    # The plan folder is changed afterwards: the case is rejected there.
    plan_dir = _plan_copy(portfolio_plan_dir, tmp_path, {SUBMITTED: {"status": "rejected", "decisions": "+reject"}})
    found = state.load(plan_dir)
    assert found.fund.case(SUBMITTED).status == "rejected"
    assert [(c.case_id, c.action) for c in found.conflicts] == [(SUBMITTED, "approve")]
    assert "it is rejected; a rejected case is final" in found.conflicts[0].message


@pytest.mark.django_db
def test_decisions_are_never_changed_or_deleted(make_user):
    decided = state.decide(make_user("investment"), SUBMITTED, "reject", "Not yet")
    with pytest.raises(ValueError, match="never changed"):
        decided.decision.save()
    with pytest.raises(ValueError, match="never deleted"):
        decided.decision.delete()


# --- the guard in the database -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_raw_update_past_the_total_is_refused_by_the_database(make_user):
    state.decide(make_user("investment"), SUBMITTED, "approve", "Robust")
    row = Fund.objects.get()
    table = Fund._meta.db_table
    with pytest.raises(IntegrityError):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET allocated = total + 1 WHERE id = %s", [row.pk])
    with pytest.raises(IntegrityError):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET total = allocated - 1 WHERE id = %s", [row.pk])
    # Up to the total is allowed: the constraint is allocated <= total, not <.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET allocated = total WHERE id = %s", [row.pk])
    row.refresh_from_db()
    assert row.allocated == row.total == FUND_TOTAL


def _in_thread(work, results: dict, key: str, before=None) -> threading.Thread:
    """Run ``work`` in a new thread, with its own database connection (closed at the end)."""
    def run():
        try:
            if before is not None:
                before()
            results[key] = work()
        except BaseException as exc:  # noqa: BLE001 - the test looks at what each thread met
            results[key] = exc
        finally:
            connections.close_all()
    thread = threading.Thread(target=run, name=key)
    thread.start()
    return thread


def _run(work):
    results: dict = {}
    _in_thread(work, results, "work").join()
    if isinstance(results["work"], BaseException):
        raise results["work"]
    return results["work"]


@contextmanager
def _database_for_threads(tmp_path: Path):
    """New threads' connections reach a database that others can lock: on SQLite a file (the test database is
    in memory, shared-cache, whose locks do not wait), with every migration applied; on PostgreSQL the test
    database itself (the test is transactional, so what one thread commits the others see)."""
    if connection.vendor != "sqlite":
        yield connection.vendor
        return
    old = connections.settings[DEFAULT_DB_ALIAS]
    connections.settings[DEFAULT_DB_ALIAS] = {**old, "NAME": str(tmp_path / "race.sqlite3")}
    try:
        _run(lambda: call_command("migrate", interactive=False, verbosity=0))
        yield "sqlite file"
    finally:
        connections.settings[DEFAULT_DB_ALIAS] = old


def _plan_copy(source: Path, tmp_path: Path, changes: dict) -> str:
    """The example plan folder copied, with some business cases changed in its portfolio.yaml."""
    from policingplan.portfolio.model import Decision

    target = tmp_path / "plan"
    shutil.copytree(source, target)
    plan, found = read_portfolio(source)
    cases = []
    for case in found.fund.cases:
        update = dict(changes.get(case.id, {}))
        if update.get("decisions") == "+submit":
            update["decisions"] = [Decision(action="submit", by=case.sponsor or "Sponsor",
                                            at="2007-11-06T10:00:00+00:00", reason="For the Board")]
        if update.get("decisions") == "+reject":
            update["decisions"] = [*case.decisions, Decision(action="reject", by="Investment Board",
                                                             at="2007-12-10T10:00:00+00:00", reason="Not now")]
        cases.append(case.model_copy(update=update))
    changed = found.model_copy(update={"fund": found.fund.model_copy(update={"cases": cases})})
    (target / "portfolio.yaml").write_text(portfolio_text(changed), encoding="utf-8")
    read_portfolio(target)  # it is a valid portfolio
    return str(target)


@pytest.mark.django_db(transaction=True)
def test_two_approvals_racing_cannot_take_the_fund_over_its_total(portfolio_plan_dir, tmp_path, monkeypatch):
    """Two cases are submitted, £3m each, with £4.5m left: both are approved at the same moment by two board
    members, each on their own connection.  The first holds the fund's lock until the second has asked for it.
    Exactly one is approved; the other is refused, saying why; the fund stays within its total."""
    from django.contrib.auth.models import Group, User

    plan_dir = _plan_copy(portfolio_plan_dir, tmp_path, {
        SUBMITTED: {"amount": 3_000_000},
        "bc-wm-rostering": {"amount": 3_000_000, "sponsor": "Head of Resourcing", "status": "submitted",
                            "decisions": "+submit"}})
    first_inside, second_asking = threading.Event(), threading.Event()
    holder = threading.Lock()
    held: list[str] = []

    def hold_the_first():
        with holder:
            first = not held
            held.append(threading.current_thread().name)
        if first:
            first_inside.set()
            second_asking.wait(timeout=30)
            threading.Event().wait(0.5)  # the second is now waiting on the lock, not merely about to ask

    monkeypatch.setattr(state, "_inside_lock", hold_the_first)
    with _database_for_threads(tmp_path) as where:
        def board_members():
            group = Group.objects.get_or_create(name="investment")[0]
            users = [User.objects.create_user(username=f"board-{n}", password="a-test-password-1") for n in (1, 2)]
            for user in users:
                user.groups.add(group)
            return users
        one, two = _run(board_members)
        results: dict = {}
        threads = [
            _in_thread(lambda: state.decide(one, SUBMITTED, "approve", "Call handling first", plan_dir=plan_dir),
                       results, "one"),
            _in_thread(lambda: state.decide(two, "bc-wm-rostering", "approve", "Rostering first", plan_dir=plan_dir),
                       results, "two", before=lambda: (first_inside.wait(timeout=30), second_asking.set())),
        ]
        for thread in threads:
            thread.join(timeout=120)
        assert not any(t.is_alive() for t in threads)
        assert held == ["one", "two"], f"{where}: both decisions passed through the lock, the first first"
        assert isinstance(results["one"], state.Decided), results["one"]
        refused = results["two"]
        assert isinstance(refused, state.DecisionRefused), f"{where}: {refused!r}"
        assert "would take the fund's allocations to £16.5m, above its total of £15m (£1.5m remains)" in str(refused)

        def what_is_stored():
            row = Fund.objects.get()
            return (row.total, row.allocated, list(CaseDecision.objects.values_list("case_id", "action")),
                    _audited(), state.load(plan_dir))
        total, allocated, decisions, audit, now = _run(what_is_stored)
    assert (total, allocated) == (FUND_TOTAL, SEED_ALLOCATED + 3_000_000)
    assert decisions == [(SUBMITTED, "approve")]
    assert audit == [("business-case.approve", SUBMITTED)]
    assert now.fund.allocated == allocated <= now.fund.total
    assert now.fund.case("bc-wm-rostering").status == "submitted"
