"""Mistakes in portfolio.yaml: each named with its file, line, field, value and what is accepted."""

from __future__ import annotations

import pytest

from policingplan.plan.io import load_plan
from policingplan.portfolio.source import parse_portfolio
from policingplan.problems import UserError
from policingplan.services.portfolio import read_portfolio

LABEL = "my-plan/portfolio.yaml"


@pytest.fixture(scope="module")
def plan(project_root):
    return load_plan(project_root / "examples" / "london-2007-08")


@pytest.fixture(scope="module")
def text(project_root):
    return (project_root / "examples" / "london-2007-08" / "portfolio.yaml").read_text(encoding="utf-8")


def line_of(text: str, fragment: str) -> int:
    """The line of the fragment's last line (a fragment of several lines gives the context of its last)."""
    return text[:text.index(fragment)].count("\n") + 1 + fragment.count("\n")


def problems_for(text: str, plan, old: str, new: str):
    assert text.count(old) >= 1, old
    changed = text.replace(old, new, 1)
    found, problems = parse_portfolio(changed, plan, LABEL)
    assert found is None
    return changed, problems.errors


CASES = [
    # (old, new, the line's fragment in the changed text, column, value, message part, accepted part)
    ("    stage: delivering\n    description: >-\n      Puts", "    stage: underway\n    description: >-\n      Puts",
     "stage: underway", "programmes[0].stage", "underway", "not one of the values",
     "'proposed', 'defining', 'delivering', 'closing' or 'closed'"),
    ("        measure: user-satisfaction", "        measure: user-satisfation", "measure: user-satisfation",
     "programmes[0].benefits[0].measure", "user-satisfation", "no measure of the plan", "did you mean 'user-satisfaction'?"),
    ("        cpas: [public-confidence]", "        cpas: [burglary]", "cpas: [burglary]",
     "programmes[1].benefits[0].cpas[0]", "burglary", "not a CPA measure", "known CPA measures:"),
    ("        target: 0.8\n", "        target: high\n", "target: high", "programmes[0].benefits[0].target", "high",
     "'target' is not a number", "a number, such as 0.6"),
    ("        due: 2008-03-31\n        illustrative: true\n        actuals:\n          - {date: 2007-06-30, value: 0.77",
     "        due: 31/03/2008\n        illustrative: true\n        actuals:\n          - {date: 2007-06-30, value: 0.77",
     "due: 31/03/2008", "programmes[0].benefits[0].due", "31/03/2008", "'due'", "a date written YYYY-MM-DD"),
    ("      amount: 4000000", "      amount: 4000000.5", "amount: 4000000.5", "fund.cases[0].amount", 4000000.5,
     "whole pounds", "whole pounds, such as 2500000"),
    ("  investment: mmp-investment-reserve", "  investment: mmp-reserve", "investment: mmp-reserve",
     "fund.investment", "mmp-reserve", "names no investment of the plan", "mmp-investment-reserve"),
    ("  kind: revenue\n  cases:", "  kind: revenue\n  total: 16000000\n  cases:", "total: 16000000", "fund.total",
     16000000, "differs from the plan's investment", "15000000 (the plan's amount)"),
    ("      sponsor: Safer Neighbourhoods programme director\n",
     "      sponsr: Safer Neighbourhoods programme director\n", "sponsr:", "fund.cases[0].sponsr", "sponsr",
     "unknown field 'sponsr'", "did you mean 'sponsor'?"),
    ("      benefits: [sn-public-confidence]", "      benefits: [sn-confidence]", "benefits: [sn-confidence]",
     "fund.cases[0].benefits[0]", "sn-confidence", "no benefit of the portfolio", "did you mean 'sn-public-confidence'?"),
    ("  revenue: 3200000000", "  revenue: 3200000001", "revenue: 3200000001", "finance.revenue", 3200000001,
     "add up to 3200000000, not the revenue budget", "3200000000"),
    # A case whose status its decisions do not lead to.
    ("      status: approved\n", "      status: funded\n", "priority: criminal-networks\n      status: funded",
     "fund.cases[1].status", "funded",
     "decisions lead to 'approved'", "'approved', or the decisions that lead to 'funded'"),
]


@pytest.mark.parametrize("old, new, fragment, column, value, message, accepted", CASES,
                         ids=[c[3] for c in CASES])
def test_each_mistake_names_file_line_field_value_and_accepted(text, plan, old, new, fragment, column, value, message,
                                                               accepted):
    changed, errors = problems_for(text, plan, old, new)
    assert len(errors) == 1, [str(e) for e in errors]
    (error,) = errors
    assert (error.file, error.line, error.column, error.value) == (LABEL, line_of(changed, fragment), column, value)
    assert message in error.message, str(error)
    assert accepted in (error.accepted or ""), str(error)


def test_a_recorded_approval_the_workflow_would_refuse_is_an_error_at_its_decision(text, plan):
    # The mobile data pilot recorded as approved, for £5m: with the £10.5m already approved that is £15.5m.
    old = ("      amount: 3000000\n      benefits: [wm-front-line-hours]\n      status: rejected")
    new = ("      amount: 5000000\n      benefits: [wm-front-line-hours]\n      status: approved")
    changed = text.replace(old, new).replace("- {action: reject, by: Investment Board, at: 2007-07-12T14:30:00+01:00",
                                             "- {action: approve, by: Investment Board, at: 2007-07-12T14:30:00+01:00")
    found, problems = parse_portfolio(changed, plan, LABEL)
    (error,) = problems.errors
    assert error.line == line_of(changed, "- {action: approve, by: Investment Board, at: 2007-07-12T14:30")
    assert error.column == "fund.cases[4].decisions[1]" and error.value == "approve"
    assert "above its total of £15m" in error.message


def test_decisions_replay_in_time_order_across_cases(text, plan):
    """The pilot's approval on 12 July 14:30 comes after the MIB case's (14:00): the MIB case is
    approved first, so it is the pilot that is refused, whatever the order of the file."""
    old = ("      amount: 3000000\n      benefits: [wm-front-line-hours]\n      status: rejected")
    new = ("      amount: 9000000\n      benefits: [wm-front-line-hours]\n      status: approved")
    changed = text.replace(old, new).replace("- {action: reject, by: Investment Board, at: 2007-07-12T14:30:00+01:00",
                                             "- {action: approve, by: Investment Board, at: 2007-07-12T14:30:00+01:00")
    _, problems = parse_portfolio(changed, plan, LABEL)
    assert [e.column for e in problems.errors] == ["fund.cases[4].decisions[1]"]


def test_broken_yaml_is_one_problem_at_its_line(plan):
    found, problems = parse_portfolio("programmes:\n  - id: x\n    name: [unclosed\n", plan, LABEL)
    assert found is None and problems.errors[0].file == LABEL and problems.errors[0].line is not None


def test_the_service_raises_every_error_with_the_folder_in_the_file_name(project_root, tmp_path):
    import shutil

    folder = tmp_path / "my-plan"
    shutil.copytree(project_root / "examples" / "london-2007-08", folder)
    path = folder / "portfolio.yaml"
    text = path.read_text(encoding="utf-8")
    count = text.count("stage: delivering")
    path.write_text(text.replace("stage: delivering", "stage: underway"), encoding="utf-8")
    with pytest.raises(UserError) as raised:
        read_portfolio(folder)
    assert len(raised.value.problems) == count > 1
    assert all(p.file == str(folder / "portfolio.yaml") for p in raised.value.problems)
    assert f"(and {count - 1} more problems)" in str(raised.value)
