"""The changes service and ``policingplan diff``: the London example's 14 February version against its
final version, the versions a plan folder keeps, and a user's mistakes in one line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from policingplan.problems import UserError
from policingplan.services import changes as service

runner = CliRunner()
FIXTURE = Path(__file__).resolve().parents[1] / "plan" / "fixtures" / "versions" / "mini"


@pytest.fixture(scope="module")
def london(project_root) -> Path:
    return project_root / "examples" / "london-2007-08"


@pytest.fixture(scope="module")
def london_changes(london) -> service.PlanChanges:
    return service.plan_changes(london / "versions" / "0.3", london)


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    from policingplan.cli import diff_cmds

    built = typer.Typer()

    @built.callback()
    def _root() -> None:
        """Only the diff command."""

    diff_cmds.register(built)
    return built


def test_the_london_amendments_of_1_march_are_the_changes_from_14_february(london_changes):
    assert (london_changes.old, london_changes.new) == ("london-2007-08 0.3", "london-2007-08 1.0")
    found = [(c.kind, c.section, c.subject, c.field, c.before, c.after) for c in london_changes.changes
             if c.field not in ("rationale",)]
    homicide = "‘Homicide sanction detections’"
    ksi = "‘People killed or seriously injured (KSI) in road traffic collisions, all road users’"
    assert [f[:4] for f in found] == [
        ("changed", "targets", f"the target for {homicide} (force, 2007/08)", "value"),
        ("changed", "cpas", f"the measure {homicide}", "cpa"),
        ("changed", "cpas", f"the measure {ksi}", "cpa"),
        ("added", "investment", "the investment ‘Met Modernisation Programme investment reserve’", None),
        ("added", "narrative", "the narrative section ‘Every Child Matters’", None),
        ("added", "narrative", "the narrative section ‘Counter terrorism’", None),
        ("added", "narrative", "the narrative section ‘The Met Modernisation Programme’", None),
    ]
    assert found[0][4:] == (0.85, 0.8)
    assert found[1][4:] == found[2][4:] == (False, True)
    assert found[3][5]["amount"] == 15000000
    # The only other changes: the two targets' rationales, rewritten with the CPAs they explain.
    rewritten = [c.subject for c in london_changes.changes if c.field == "rationale"]
    assert rewritten == [f"the target for {homicide} (force, 2007/08)", f"the target for {ksi} (force, 2007/08)"]
    assert len(london_changes.changes) == 9


def test_each_london_change_has_its_reason_from_the_amendment(london_changes):
    by_topic = {}
    for change in london_changes.changes:
        assert change.amendment == "1.0"
        by_topic.setdefault(change.reason.split(":")[0], []).append(change.section)
    assert by_topic == {
        "Homicide": ["targets", "targets", "cpas"],
        "Road deaths": ["targets", "cpas"],
        "Met Modernisation Programme": ["investment", "narrative"],
        "Every Child Matters": ["narrative"],
        "Counter terrorism": ["narrative"],
    }
    value = london_changes.sections["targets"][0]
    assert value.sentence == (
        "The target for ‘Homicide sanction detections’ (force, 2007/08) changed from 85% to 80%, because a murder "
        "followed by the perpetrator's suicide counts as a homicide but can never be a sanction detection.")
    money = london_changes.sections["investment"][0]
    assert "(£15m)" in money.sentence and "Investment Board" in money.sentence


def test_the_changes_are_grouped_by_section_in_order(london_changes):
    assert list(london_changes.sections) == ["targets", "cpas", "investment", "narrative"]
    assert [c for cs in london_changes.sections.values() for c in cs] == london_changes.changes


def test_identical_plans_give_no_changes(london):
    result = service.plan_changes(london, london)
    assert result.changes == [] and result.sections == {}


def test_the_changes_are_json(london_changes):
    data = json.loads(json.dumps(london_changes.to_json_data()))
    assert data["changes"][0]["before"] == 0.85 and data["sections"]["cpas"][0]["field"] == "cpa"


def test_a_plan_folder_lists_its_versions_and_finds_the_previous_one(london):
    listed = service.plan_versions(london)
    assert [(v.version, v.date.isoformat(), v.current) for v in listed.versions] == [
        ("0.3", "2007-02-14", False), ("1.0", "2007-03-01", True)]
    assert service.previous_version(london) == london / "versions" / "0.3"
    assert service.previous_version(london / "versions" / "0.3") is None
    assert service.plan_versions(london / "versions" / "0.3") == listed
    assert service.find_version(london, "0.3") == london / "versions" / "0.3"
    assert service.find_version(london, "2007-02-14") == london / "versions" / "0.3"
    assert service.find_version(london, "1.0") == london
    with pytest.raises(UserError, match=r"no version '0.9'; the folder keeps 0.3 \(2007-02-14\), 1.0"):
        service.find_version(london, "0.9")


def test_a_plan_without_versions_has_no_previous_version(project_root):
    assert service.previous_version(project_root / "examples" / "london-2023-24") is None
    assert service.previous_version(FIXTURE) == FIXTURE / "versions" / "1.0"


def test_a_folder_that_is_not_a_plan_is_a_users_mistake(tmp_path, london):
    with pytest.raises(UserError, match="does not exist"):
        service.plan_changes(tmp_path / "nowhere", london)
    with pytest.raises(UserError, match="has no plan.yaml"):
        service.previous_version(tmp_path)


def test_the_example_still_validates_with_its_versions_inside(london):
    from policingplan.services.plan import validate

    for folder in (london, london / "versions" / "0.3"):
        result = validate(folder)
        assert result.ok and result.warnings == [], folder


def test_writing_a_plan_carries_its_versions_across(tmp_path, london):
    from policingplan.plan.io import load_plan, write_plan

    copy = tmp_path / "london"
    shutil.copytree(london, copy)
    write_plan(load_plan(copy), copy)
    assert service.previous_version(copy) == copy / "versions" / "0.3"
    assert service.plan_changes(copy / "versions" / "0.3", copy).changes == service.plan_changes(
        london / "versions" / "0.3", london).changes


def test_diff_prints_one_sentence_per_change_grouped_by_section(app, london):
    done = runner.invoke(app, ["diff", str(london / "versions" / "0.3"), str(london)])
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines[0] == "Changes from london-2007-08 0.3 to london-2007-08 1.0: 9 changes"
    headings = [line for line in lines[1:] if line and not line.startswith("  - ")]
    assert headings == ["Targets", "Critical Performance Areas (CPAs)", "Investment", "Narrative"]
    assert sum(line.startswith("  - ") for line in lines) == 9
    assert any("changed from 85% to 80%, because" in line for line in lines)


def test_diff_json_is_the_result(app, london, london_changes):
    done = runner.invoke(app, ["diff", str(london / "versions" / "0.3"), str(london), "--json"])
    assert done.exit_code == 0
    assert json.loads(done.output) == london_changes.to_json_data()


def test_diff_of_identical_plans_says_so(app):
    done = runner.invoke(app, ["diff", str(FIXTURE), str(FIXTURE)])
    assert done.exit_code == 0 and done.output.strip() == "Changes from mini 1.1 to mini 1.1: none"


def test_diff_of_a_folder_that_is_not_a_plan_is_one_line(app, tmp_path):
    done = runner.invoke(app, ["diff", str(tmp_path), str(FIXTURE)])
    assert done.exit_code == 1
    assert done.output.strip().startswith("Error:") and len(done.output.strip().splitlines()) == 1
    assert "Traceback" not in done.output and "no plan.yaml" in done.output
