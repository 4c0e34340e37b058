"""The workflow's rules as a table: each step from each status, for each role."""

from __future__ import annotations

import pytest

from policingplan.web.editing import rules

D, C, A, P, S = rules.DRAFT, rules.CONSULTATION, rules.APPROVED, rules.PUBLISHED, rules.SUPERSEDED
PERF, VIEW, CMD, INV, ADMIN = "performance", "viewer", "commander", "investment", "administrator"


@pytest.mark.parametrize(("step", "status", "roles", "allowed"), [
    ("start-draft", P, [PERF], True),
    ("start-draft", D, [PERF], True),
    ("start-draft", S, [PERF], True),
    ("start-draft", P, [VIEW], False),
    ("start-draft", P, [ADMIN], False),
    ("consult", D, [PERF], True),
    ("consult", C, [PERF], False),
    ("consult", A, [PERF], False),
    ("consult", D, [CMD], False),
    ("withdraw", C, [PERF], True),
    ("withdraw", D, [PERF], False),
    ("withdraw", A, [PERF], False),
    ("approve", C, [PERF], True),
    ("approve", D, [PERF], False),
    ("approve", C, [VIEW], False),
    ("approve", C, [INV], False),
    ("publish", A, [PERF], True),
    ("publish", C, [PERF], False),
    ("publish", P, [PERF], False),
    ("publish", A, [ADMIN], False),
    ("publish", A, [VIEW, PERF], True),
])
def test_who_may_take_each_step_from_each_status(step, status, roles, allowed):
    assert (rules.why_not(step, status, roles) is None) is allowed
    assert (step in [s.id for s in rules.steps_for(status, roles)]) is allowed


@pytest.mark.parametrize(("status", "roles", "edit", "comment"), [
    (D, [PERF], True, False),
    (D, [VIEW], False, False),
    (C, [PERF], False, True),
    (C, [VIEW], False, True),
    (C, [CMD], False, True),
    (C, [INV], False, False),
    (A, [PERF], False, False),
    (P, [PERF], False, False),
    (S, [PERF], False, False),
])
def test_only_a_draft_is_edited_and_only_a_version_in_consultation_takes_comments(status, roles, edit, comment):
    assert rules.may_edit(status, roles) is edit
    assert rules.may_comment(status, roles) is comment


@pytest.mark.parametrize(("status", "locked"), [(D, False), (C, False), (A, True), (P, True), (S, True)])
def test_an_approved_or_later_version_is_locked(status, locked):
    assert rules.is_locked(status) is locked


def test_the_reason_a_step_is_refused_names_the_status():
    assert rules.why_not("approve", D) == "a version that is draft cannot be approved: only one in consultation"
    assert rules.why_not("publish", C, [PERF]).startswith("a version that is in consultation cannot be published")
    assert rules.why_not("consult", D, [VIEW]) == "only the performance team may do this"


@pytest.mark.parametrize(("label", "taken", "expected"), [
    ("1.0", [], "1.1"), ("1.9", [], "1.10"), ("0.3", ["0.4"], "0.5"), ("2", [], "3"), ("final", [], "final.1"),
])
def test_a_new_drafts_label_follows_its_parents(label, taken, expected):
    assert rules.next_label(label, taken) == expected
