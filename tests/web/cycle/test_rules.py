"""The planning cycle's pure rules (policingplan.web.cycle.rules) on the real London examples."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from policingplan.plan.io import load_plan
from policingplan.web.cycle import rules
from policingplan.web.cycle.rules import Case, OpenProposal

ROOT = Path(__file__).resolve().parents[3]
PLANS = {name: load_plan(ROOT / "examples" / name) for name in ("london-2007-08", "london-2023-24")}
LAMBETH, WESTMINSTER, HACKNEY = "E09000022", "E09000033", "E09000012"


def without_target(plan, unit: str, measure: str):
    return plan.model_copy(update={"targets": [t for t in plan.targets
                                               if not (t.scope == unit and t.measure == measure)]})


def test_the_rules_are_pure():
    tree = ast.parse(Path(rules.__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {m for m in imported if m.split(".")[0] == "django" or m.startswith("policingplan.web")}, imported


def test_the_2007_08_dates_are_report_8a_s_and_only_the_approval_is_assumed():
    seeds = rules.seed_milestones(PLANS["london-2007-08"])
    assert [(s.key, s.date, s.assumed) for s in seeds] == [
        ("pprc-january", dt.date(2007, 1, 16), False),
        ("authority-january", dt.date(2007, 1, 25), False),
        ("pprc-february", dt.date(2007, 2, 14), False),
        ("committee", dt.date(2007, 3, 1), False),
        ("approval", dt.date(2007, 3, 22), True),
        ("publication", dt.date(2007, 3, 31), False),
    ]
    assert all("report 8a" in s.source.lower() for s in seeds)
    # The plan folder's own milestones (from the same report) are the committee's and publication's dates.
    assert {m.due for m in PLANS["london-2007-08"].milestones} == {dt.date(2007, 3, 1), dt.date(2007, 3, 31)}
    # The plan's amendments record the three earlier meetings on the same dates.
    assert {a.date for a in PLANS["london-2007-08"].amendments} >= {s.date for s in seeds[:4]}
    assert set(seeds[-1].requires) == set(rules.KINDS)


def test_another_plan_gets_the_same_calendar_in_its_own_year_every_date_assumed():
    seeds = rules.seed_milestones(PLANS["london-2023-24"])
    assert [(s.key, s.date) for s in seeds] == [("committee", dt.date(2023, 3, 1)), ("approval", dt.date(2023, 3, 22)),
                                                ("publication", dt.date(2023, 3, 31))]
    assert all(s.assumed and "moved to 2023/24" in s.source for s in seeds)


@pytest.mark.parametrize(("example", "change", "proposals", "expected"), [
    ("london-2007-08", None, [], {}),
    ("london-2007-08", (LAMBETH, "bcs-comparator-crimes"), [],
     {LAMBETH: (("bcs-comparator-crimes",), ())}),
    ("london-2007-08", None, [OpenProposal(WESTMINSTER, "bcs-comparator-crimes")],
     {WESTMINSTER: ((), ("bcs-comparator-crimes",))}),
    ("london-2023-24", None, [], {}),
    ("london-2023-24", (LAMBETH, "violence-with-injury"),
     [OpenProposal(HACKNEY, "knife-crime-offences"), OpenProposal(HACKNEY, "neighbourhood-crime")],
     {LAMBETH: (("violence-with-injury",), ()), HACKNEY: ((), ("knife-crime-offences", "neighbourhood-crime"))}),
    ("london-2023-24", (LAMBETH, "knife-crime-offences"), [OpenProposal(LAMBETH, "neighbourhood-crime")],
     {LAMBETH: (("knife-crime-offences",), ("neighbourhood-crime",))}),
])
def test_a_borough_is_agreed_with_a_target_for_every_measure_with_borough_targets_and_no_open_proposal(
        example, change, proposals, expected):
    plan = PLANS[example] if change is None else without_target(PLANS[example], *change)
    agreement = rules.borough_agreement(plan, proposals)
    assert len(agreement) == 32
    assert {a.unit: (a.missing, a.open) for a in agreement if not a.agreed} == expected
    assert sum(a.agreed for a in agreement) == 32 - len(expected)


def test_removing_a_measures_every_borough_target_leaves_no_borough_short_of_it():
    plan = PLANS["london-2023-24"]
    plan = plan.model_copy(update={"targets": [t for t in plan.targets
                                               if not (t.measure == "knife-crime-offences" and t.scope != "force")]})
    assert rules.unit_target_measures(plan) == ["neighbourhood-crime", "violence-with-injury"]
    assert all(a.agreed for a in rules.borough_agreement(plan))


@pytest.mark.parametrize(("example", "expected"), [
    ("london-2007-08", ["total-notifiable-offences", "burglary", "robbery", "violence-with-injury",
                        "knife-crime-positive-outcome-rate"]),
    ("london-2023-24", ["public-confidence", "road-ksi"]),
])
def test_measures_without_a_target_for_the_plans_year(example, expected):
    assert rules.measures_without_targets(PLANS[example]) == expected


@pytest.mark.parametrize(("body", "written"), [
    ("", False), ("   \n\n", False), ("# Counter terrorism\n\n", False), ("# A\n## B\n", False),
    ("# Counter terrorism\n\nThe Plan includes narrative.", True), ("Just text.", True),
])
def test_a_section_is_written_when_it_has_text_besides_its_headings(body, written):
    assert rules.is_written(body) is written


@pytest.mark.parametrize("example", list(PLANS))
def test_every_narrative_section_of_the_examples_is_written_and_one_emptied_is_not(example):
    plan = PLANS[example]
    assert rules.unwritten_sections(plan) == []
    first = plan.narrative[0]
    emptied = plan.model_copy(update={"narrative": [first.model_copy(update={"body": f"# {first.title}\n"})]
                                      + plan.narrative[1:]})
    assert rules.unwritten_sections(emptied) == [first.id]


def test_what_is_outstanding_adds_up_by_kind():
    plan = without_target(PLANS["london-2007-08"], LAMBETH, "bcs-comparator-crimes")
    found = rules.outstanding(plan, [OpenProposal(WESTMINSTER, "bcs-comparator-crimes")],
                              [Case("bc-cf-call-handling", "Call handling improvements for first contact", 2_000_000)])
    assert [found.count(k) for k in rules.KINDS] == [2, 5, 0, 1]
    assert found.total == 8


@pytest.mark.parametrize(("date", "today", "words"), [
    (dt.date(2007, 3, 31), dt.date(2007, 3, 6), "Publication is due in 25 days, on 31 March 2007"),
    (dt.date(2007, 3, 31), dt.date(2007, 3, 30), "Publication is due in 1 day, on 31 March 2007"),
    (dt.date(2007, 3, 31), dt.date(2007, 3, 31), "Publication is due today, 31 March 2007"),
    (dt.date(2007, 3, 31), dt.date(2007, 4, 1), "Publication was due 1 day ago, on 31 March 2007"),
    (dt.date(2007, 3, 31), dt.date(2010, 12, 16), "Publication was due 1,356 days ago, on 31 March 2007"),
])
def test_days_left_in_words(date, today, words):
    assert rules.due_in_words("Publication", date, today) == words


def test_the_next_date_and_the_first_date_requiring_each_kind():
    seeds = rules.seed_milestones(PLANS["london-2007-08"])
    dates = [(s.key, s.date) for s in seeds]
    assert rules.next_milestone(dates, dt.date(2007, 3, 6)) == "approval"
    assert rules.next_milestone(dates, dt.date(2007, 3, 1)) == "committee"
    assert rules.next_milestone(dates, dt.date(2007, 4, 1)) is None
    triples = [(s.key, s.date, s.requires) for s in seeds]
    assert [rules.first_requiring(triples, k) for k in rules.KINDS] == ["committee", "committee", "approval",
                                                                         "publication"]
