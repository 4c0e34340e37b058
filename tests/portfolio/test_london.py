"""The London example's portfolio: its programmes, the £15m fund with a case in every state, the
service's result, the command, a decision through the service, and the export round trip."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
import typer
from typer.testing import CliRunner

from policingplan.plan.io import load_plan, read_plan
from policingplan.portfolio.source import parse_portfolio
from policingplan.problems import UserError
from policingplan.services.portfolio import decide_case, portfolio, portfolio_files, read_portfolio


@pytest.fixture(scope="module")
def london(project_root):
    return project_root / "examples" / "london-2007-08"


def test_the_example_loads_with_the_reports_programmes_and_15m(london):
    plan, found = read_portfolio(london)
    assert [p.name for p in found.programmes] == ["Citizen Focus", "Safer Neighbourhoods", "The Met Intelligence Bureau",
                                                  "Workforce modernisation"]
    assert found.fund.total == 15_000_000 == plan.investments[0].amount
    assert {c.status for c in found.fund.cases} == {"draft", "submitted", "approved", "rejected", "funded"}
    benefits = found.benefits()
    assert {"public-confidence", "user-satisfaction"} <= {c for b in benefits.values() for c in b.cpas}
    assert benefits["mib-homicide-detections"].measure == "homicide-sanction-detection-rate"


def test_the_plan_still_validates_with_its_portfolio_beside_it(london):
    plan, problems = read_plan(london)
    assert plan is not None and not problems.errors


def test_the_result_has_the_issues_contract(london):
    data = portfolio(london).to_json_data()
    assert data["fund"]["total"] == 15_000_000
    assert (data["fund"]["approved"], data["fund"]["funded"], data["fund"]["remaining"]) == \
        (10_500_000, 4_000_000, 4_500_000)
    assert data["fund"]["approved"] <= data["fund"]["total"]
    assert {"id", "name", "benefits"} <= set(data["programmes"][0])
    assert {"id", "measure", "status"} <= set(data["programmes"][0]["benefits"][0])
    assert {"id", "status", "amount", "benefits"} <= set(data["cases"][0])
    statuses = {b["id"]: b["status"] for p in data["programmes"] for b in p["benefits"]}
    assert statuses == {"cf-user-satisfaction": "on_track", "cf-first-contact": "not_measurable",
                        "sn-public-confidence": "off_track", "sn-ward-priorities": "late",
                        "mib-homicide-detections": "off_track", "mib-systems": "awaiting_data",
                        "wm-front-line-hours": "on_track", "wm-detention-officers": "realised"}
    finance = data["finance"]
    assert finance["balances"] and finance["total"] == sum(r["total"] for r in finance["rows"]) == 3_420_000_000
    codes = [n["code"] for n in data["notices"]]
    assert "portfolio.spc-not-checked" in codes and "portfolio.illustrative" in codes


def test_an_earlier_as_of_date_judges_the_benefits_then(london):
    data = portfolio(london, as_of="2007-06-30").to_json_data()
    statuses = {b["id"]: b["status"] for p in data["programmes"] for b in p["benefits"]}
    # Due on 30 June 2007: not yet late that day, but 590 wards of 630 (from 500) is 69% of the change, not 100%.
    assert statuses["sn-ward-priorities"] == "off_track"
    later = portfolio(london, as_of="2007-07-01").to_json_data()
    assert [b["days_late"] for p in later["programmes"] for b in p["benefits"] if b["id"] == "sn-ward-priorities"] == [1]
    with pytest.raises(UserError, match="accepted: a date written YYYY-MM-DD"):
        portfolio(london, as_of="June 2007")


def test_a_benefit_tied_to_a_measure_shows_the_monitors_spc_status(london):
    from policingplan.services.monitor import MonitoredTarget

    target = MonitoredTarget.model_construct(measure="homicide-sanction-detection-rate", unit="force",
                                             variation="special_cause_concern", assurance="fail", status="unlikely")
    monitoring = type("M", (), {"targets": [target], "as_of": "2007-12", "attribution": ["data"]})()
    data = portfolio(london, monitoring=monitoring).to_json_data()
    benefits = {b["id"]: b for p in data["programmes"] for b in p["benefits"]}
    assert benefits["mib-homicide-detections"]["spc"] == {"as_of": "2007-12", "variation": "special_cause_concern",
                                                          "assurance": "fail", "status": "unlikely"}
    assert benefits["wm-front-line-hours"]["spc"] is None  # its own metric: nothing to check
    assert data["attribution"] == ["data"]
    codes = [(n["code"], n["values"].get("measure")) for n in data["notices"]]
    assert ("portfolio.no-monitored-target", "public-confidence") in codes


def test_decide_case_is_a_pure_change_of_state(london):
    _, found = read_portfolio(london)
    at = dt.datetime(2007, 12, 13, 14, 0, tzinfo=dt.timezone.utc)
    decided = decide_case(found, "bc-cf-call-handling", "approve", "Investment Board", at, "Robust case")
    assert decided.case.status == "approved" and decided.case.next_actions == ["fund"]
    assert (decided.fund.approved, decided.fund.remaining) == (12_500_000, 2_500_000)
    assert found.fund.case("bc-cf-call-handling").status == "submitted"
    with pytest.raises(UserError, match="a draft case may only be submitted"):
        decide_case(found, "bc-wm-rostering", "approve", "Investment Board", at, "No")


def test_an_exported_folder_carries_its_portfolio(london, tmp_path):
    plan, found = read_portfolio(london)
    at = dt.datetime(2007, 12, 13, 14, 0, tzinfo=dt.timezone.utc)
    state = decide_case(found, "bc-cf-call-handling", "approve", "Investment Board", at, "Robust case").state
    changed = found.model_copy(update={"fund": state})
    (text,) = portfolio_files(changed).values()
    again, problems = parse_portfolio(text, plan)
    assert not problems.errors, [str(p) for p in problems]
    assert again == changed


def test_the_command(london):
    from policingplan.cli.portfolio_cmds import register

    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    runner = CliRunner()
    result = runner.invoke(app, ["portfolio", str(london), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["fund"]["total"] == 15_000_000
    result = runner.invoke(app, ["portfolio", str(london)])
    assert result.exit_code == 0, result.output
    assert "£15m in total; approved £10.5m (funded £4m); remaining £4.5m" in result.output
    assert "off track" in result.output and "The budget by priority (illustrative)" in result.output


def test_the_command_reports_a_bad_portfolio_in_one_line(london, tmp_path):
    from policingplan.cli.portfolio_cmds import register

    folder = tmp_path / "london"
    shutil.copytree(london, folder)
    (folder / "portfolio.yaml").unlink()
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    result = CliRunner().invoke(app, ["portfolio", str(folder)])
    assert result.exit_code == 1
    assert "Error:" in result.output and "has no portfolio.yaml" in result.output
