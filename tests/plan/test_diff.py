"""The difference between two versions of a plan (policingplan.plan.diff): the planted changes, no more."""

from __future__ import annotations

from pathlib import Path

import pytest

from policingplan.plan.diff import SECTIONS, amendments_between, plan_differences, version_key
from policingplan.plan.io import load_plan
from policingplan.plan.model import Amendment, Plan

FIXTURES = Path(__file__).parent / "fixtures" / "versions"


@pytest.fixture(scope="module")
def new() -> Plan:
    return load_plan(FIXTURES / "mini")


@pytest.fixture(scope="module")
def old() -> Plan:
    return load_plan(FIXTURES / "mini" / "versions" / "1.0")


def _keys(differences) -> list[tuple]:
    return [(d.kind, d.section, d.subject, d.field) for d in differences]


def test_the_changes_between_two_versions_are_exactly_the_planted_ones(old, new):
    assert _keys(plan_differences(old, new)) == [
        ("added", "priorities", "the priority ‘Working with partners’", None),
        ("removed", "objectives", "the objective ‘Fewer casualties’", None),
        ("changed", "measures", "the measure ‘Road casualties’", "unit_of_count"),
        ("changed", "targets", "the target for ‘Road casualties’ (force, 2007/08)", "value"),
        ("changed", "cpas", "the measure ‘Detection rate’", "cpa"),
        ("changed", "investment", "the investment ‘Crime reduction fund’", "amount"),
        ("added", "narrative", "the narrative section ‘Working with partners’", None),
    ]


def test_each_change_has_its_values_and_the_reason_of_the_amendment_that_made_it(old, new):
    found = {(d.section, d.field): d for d in plan_differences(old, new)}
    target = found[("targets", "value")]
    assert (target.before, target.after) == (-0.05, -0.1)
    assert target.sentence == ("The target for ‘Road casualties’ (force, 2007/08) changed from -5% to -10%, "
                               "because the council funds more patrols.")
    assert target.reason.startswith("Road casualties:") and target.amendment == "1.1"
    assert found[("cpas", "cpa")].reason == "Detection rate: made a CPA, as detections matter most to victims."
    assert (found[("cpas", "cpa")].before, found[("cpas", "cpa")].after) == (False, True)
    money = found[("investment", "amount")]
    assert (money.before, money.after) == (1000000, 1500000)
    assert "from £1m to £1.5m" in money.sentence and money.reason == "Investment: the fund raised to £1.5m."
    assert found[("objectives", None)].reason.startswith("Fewer casualties:")
    assert found[("measures", "unit_of_count")].reason.startswith("Road casualties:")
    for key in (("priorities", None), ("narrative", None)):
        assert found[key].reason.startswith("Partnership:")
    added = found[("narrative", None)]
    assert added.before is None and added.after["body"].startswith("# Working with partners")


def test_identical_plans_have_no_changes(old, new):
    assert plan_differences(new, new) == []
    assert plan_differences(old, old.model_copy(deep=True)) == []


def test_the_history_of_a_plan_is_not_a_change(old):
    later = old.model_copy(update={"version": "2.0", "status": "agreed", "amendments": []})
    assert plan_differences(old, later) == []


def test_a_change_no_amendment_names_takes_the_reason_of_the_latest_amendment(old, new):
    renamed = new.model_copy(update={"organisation": "Test Constabulary"})
    (change,) = [d for d in plan_differences(new, renamed.model_copy(update={"version": "1.2", "amendments": [
        *new.amendments, Amendment(version="1.2", date="2007-03-20", summary="Renamed.", reason="A merger.")]}))]
    assert (change.section, change.field, change.before, change.after) == (
        "other", "organisation", "Test Police", "Test Constabulary")
    assert change.reason == "A merger." and change.amendment == "1.2"
    assert change.sentence == "The organisation of the plan changed from Test Police to Test Constabulary. A merger."


def test_with_no_amendment_between_the_versions_a_change_has_no_reason(new):
    changed = new.model_copy(update={"name": "Another plan"})
    (change,) = plan_differences(new, changed)
    assert change.reason is None and change.sentence.endswith("to Another plan.")


def test_unit_and_partner_targets_and_units_are_compared(project_root):
    plan = load_plan(project_root / "tests" / "plan" / "fixtures" / "versions" / "mini")
    from policingplan.plan.model import PartnerTarget, Target, Unit

    units = [Unit(code="U1", name="North"), Unit(code="U2", name="South")]
    unit_target = Target(measure="crime", scope="U1", period="2007/08", kind="change", baseline_period="2006/07",
                         value=-0.05)
    partner = PartnerTarget(unit="U1", measure="crime", period="2007/08", baseline_period="2006/07", change=-0.08)
    before = plan.model_copy(update={"units": units, "targets": [*plan.targets, unit_target],
                                     "partner_targets": [partner]})
    after = plan.model_copy(update={
        "units": [units[0], Unit(code="U2", name="South", population=2000)],
        "targets": [*plan.targets, unit_target.model_copy(update={"value": -0.06})],
        "partner_targets": [partner.model_copy(update={"change": -0.1})],
    })
    found = plan_differences(before, after)
    assert [(d.section, d.subject, d.field, d.what) for d in found] == [
        ("targets", "the target for ‘Crime’ (North, 2007/08)", "value",
         "The target for ‘Crime’ (North, 2007/08) changed from -5% to -6%"),
        ("targets", "the LAA target for ‘Crime’ agreed in North (2007/08)", "change",
         "The agreed change of the LAA target for ‘Crime’ agreed in North (2007/08) changed from -8% to -10%"),
        ("units", "the unit ‘South’ (U2)", "population",
         "The population of the unit ‘South’ (U2) changed from nothing to 2,000"),
    ]


def test_every_change_is_in_a_known_section_in_the_sections_order(old, new):
    sections = [d.section for d in plan_differences(old, new)]
    assert set(sections) <= set(SECTIONS)
    assert sections == sorted(sections, key=SECTIONS.index)


def test_versions_are_ordered_as_numbers():
    assert version_key("0.3") < version_key("1.0") < version_key("1.2") < version_key("1.10") < version_key("draft")


def test_the_amendments_between_two_versions_are_the_newer_plans_after_the_older(old, new):
    assert [a.version for a in amendments_between(old, new)] == ["1.1"]
    assert amendments_between(new, new) == []
