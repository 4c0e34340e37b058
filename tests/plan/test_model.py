"""The plan model on its own: fields, periods, counting rules, strategies and look-ups."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from policingplan.plan.describe import describe_requirement, describe_target, percent
from policingplan.plan.model import (
    CountingRule,
    ExternalRequirement,
    Measure,
    Plan,
    Strategy,
    Target,
    Unit,
)
from policingplan.plan.validate import validate_plan


def measure(**fields) -> Measure:
    base = dict(id="crime", name="Crime", kind="count", polarity="lower", unit_of_count="offences")
    return Measure(**{**base, **fields})


def test_unknown_fields_are_refused():
    with pytest.raises(ValidationError) as caught:
        Unit(code="E09000021", name="Kingston upon Thames", populaton=153667)
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


@pytest.mark.parametrize("period", ["2007/09", "2007-08", "07/08", "2007/8"])
def test_a_target_period_must_be_a_financial_year(period):
    with pytest.raises(ValidationError):
        Target(measure="crime", period=period, kind="level", value=1)


@pytest.mark.parametrize("period, kept", [("2003/04", "2003/04"), ("2019", "2019"), ("1994-1998", "1994-1998")])
def test_a_baseline_period_may_be_a_financial_year_a_calendar_year_or_a_span(period, kept):
    assert Target(measure="crime", period="2007/08", kind="change", value=-0.1, baseline_period=period).baseline_period == kept


@pytest.mark.parametrize("period", ["1998-1994", "2007/09", "last year"])
def test_a_baseline_period_that_is_no_period_is_refused(period):
    with pytest.raises(ValidationError):
        Target(measure="crime", period="2007/08", kind="change", value=-0.1, baseline_period=period)


def test_trajectory_months_are_checked():
    target = Target(measure="crime", period="2007/08", kind="trajectory", trajectory={"2007-04": 10, "2007-05": 9})
    assert target.trajectory == {"2007-04": 10.0, "2007-05": 9.0}
    with pytest.raises(ValidationError):
        Target(measure="crime", period="2007/08", kind="trajectory", trajectory={"2007-13": 10})


def test_a_counting_rule_is_a_count_or_a_ratio_never_both_or_half():
    assert CountingRule(count={}).count == {}
    assert CountingRule(numerator={"solved": ["solved"]}, denominator={}).denominator == {}
    for bad in ({"count": {}, "numerator": {}}, {}, {"numerator": {"solved": ["solved"]}}):
        with pytest.raises(ValidationError):
            CountingRule(**bad)


def test_a_strategy_covers_three_financial_years():
    assert Strategy(name="S", first_year="2006/07", last_year="2008/09").last_year == "2008/09"
    with pytest.raises(ValidationError, match="three financial years"):
        Strategy(name="S", first_year="2006/07", last_year="2007/08")


def test_population_may_not_be_negative():
    with pytest.raises(ValidationError):
        Unit(code="U1", name="North", population=-1)


def test_plan_look_ups():
    plan = Plan(
        id="p", name="P", organisation="O", period="2007/08",
        measures=[measure(cpa=True), measure(id="detections", kind="ratio", polarity="higher")],
        units=[Unit(code="U1", name="North")],
        targets=[
            Target(measure="crime", period="2007/08", kind="change", value=-0.05, baseline_period="2006/07"),
            Target(measure="crime", scope="U1", period="2007/08", kind="change", value=-0.04, baseline_period="2006/07"),
        ],
    )
    assert plan.measure("detections").kind == "ratio"
    assert plan.unit("U1").name == "North"
    assert [t.scope for t in plan.targets_for("crime")] == ["force", "U1"]
    assert [t.value for t in plan.targets_for("crime", "force")] == [-0.05]
    assert [m.id for m in plan.cpa_measures] == ["crime"]
    assert plan.targets[1].key == ("crime", "U1", "2007/08")
    with pytest.raises(KeyError):
        plan.measure("robbery")


def test_validate_plan_checks_a_plan_built_in_code():
    plan = Plan(
        id="p", name="P", organisation="O", period="2007/08",
        measures=[measure(cpa=True)],
        targets=[Target(measure="crime", scope="U9", period="2007/08", kind="range", minimum=-0.04, maximum=-0.06)],
    )
    messages = [p.message for p in validate_plan(plan).errors]
    assert len(messages) == 3
    assert any("no unit has the code 'U9'" in m for m in messages)
    assert any("minimum (-0.04) exceeds its maximum (-0.06)" in m for m in messages)
    assert any("CPA measure 'crime' has no force target for 2007/08" in m for m in messages)


def test_targets_and_requirements_in_words():
    rate = measure(id="sd", kind="ratio", polarity="higher")
    assert percent(-0.055) == "-5.5%" and percent(0.8) == "80%" and percent(0.05, signed=True) == "+5%"
    assert describe_target(Target(measure="sd", period="2007/08", kind="level", value=0.8), rate) == "2007/08: level 80%"
    change = Target(measure="crime", period="2007/08", kind="change", value=-0.05, baseline_period="2005",
                    baseline=3650, illustrative=True)
    assert describe_target(change, measure()) == "2007/08: -5% on 2005 (baseline 3,650) [illustrative]"
    psa1 = ExternalRequirement(id="psa1", name="PSA1", measure="crime", baseline_period="2003/04",
                               required_change=-0.194, deadline_period="2007/08", baseline=612000,
                               outturns={"2006/07": -0.134})
    assert describe_requirement(psa1) == "PSA1: -19.4% on 2003/04 by 2007/08 (baseline 612,000); reached -13.4% by 2006/07"


def test_a_plan_without_a_status_is_a_draft_in_plain_words():
    plan = Plan(id="p", name="P", organisation="O", period="2007/08")
    assert plan.status == "draft" and type(plan.status) is str
    assert plan.model_dump()["status"] == "draft"
