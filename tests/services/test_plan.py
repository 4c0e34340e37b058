"""The plan service on the London examples: validate, show, schema."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from policingplan.attribution import attribution
from policingplan.plan.io import load_plan, read_plan
from policingplan.plan.model import Plan
from policingplan.plan.schema import plan_json_schema
from policingplan.problems import UserError
from policingplan.results import Result
from policingplan.services import plan as service

runner = CliRunner()


@pytest.fixture(scope="module")
def london(project_root) -> Path:
    return project_root / "examples" / "london-2007-08"


@pytest.fixture(scope="module")
def london_2023(project_root) -> Path:
    return project_root / "examples" / "london-2023-24"


@pytest.fixture
def broken(tmp_path, london) -> Path:
    """The 2007/08 example with a misspelt field in plan.yaml and a population that is not a number."""
    folder = tmp_path / "london"
    shutil.copytree(london, folder)
    plan_yaml = folder / "plan.yaml"
    plan_yaml.write_text(plan_yaml.read_text(encoding="utf-8").replace(
        "    unit_of_count: per cent of homicides", "    unit_of_cont: per cent of homicides"), encoding="utf-8")
    units = folder / "units.csv"
    units.write_text(units.read_text(encoding="utf-8").replace(
        "E09000021,Kingston upon Thames,borough,153667,", "E09000021,Kingston upon Thames,borough,lots,"),
        encoding="utf-8")
    return folder


def test_validate_counts_the_parts_of_the_2007_08_plan(london):
    result = service.validate(london, warehouse_dir=None)
    assert isinstance(result, Result) and service.PlanValidation in service.RESULTS
    assert result.ok and result.errors == [] and result.warnings == []
    summary = result.summary
    assert (summary.id, summary.period, summary.units, summary.cpas, summary.targets, summary.force_targets,
            summary.unit_targets, summary.partner_targets, summary.requirements) == (
        "london-2007-08", "2007/08", 32, 5, 38, 6, 32, 5, 1)


def test_validate_json_is_what_the_command_prints(london_2023, tmp_path):
    from policingplan.cli import app

    absent = tmp_path / "absent"
    printed = runner.invoke(app, ["validate", str(london_2023), "--json", "--warehouse", str(absent)])
    assert printed.exit_code == 0, printed.output
    result = service.validate(london_2023, absent)
    assert json.loads(printed.stdout) == result.model_dump(mode="json")
    assert set(result.model_dump()) == {"ok", "summary", "errors", "warnings", "categories"}
    (warning,) = result.warnings
    assert (warning.column, warning.value) == ("--warehouse", str(absent))
    assert "does not exist, so the categories in the data were not checked" in warning.message
    assert result.categories.model_dump() == {"warehouse": None, "findings": []}


def test_validate_reports_every_problem_of_a_broken_plan_with_its_file_and_line(broken):
    result = service.validate(broken)
    assert result.ok is False and result.summary is None
    _, read = read_plan(broken)
    assert [str(p) for p in result.problems()] == [str(p) for p in read.errors + read.warnings]
    population = next(p for p in result.errors if p.column == "population")
    assert population.file == str(broken / "units.csv") and population.value == "lots"
    assert population.line == 1 + next(i for i, line in enumerate(
        (broken / "units.csv").read_text(encoding="utf-8").splitlines()) if line.startswith("E09000021,"))
    dumped = result.model_dump(mode="json")
    assert all(set(e) == {"file", "line", "column", "value", "message", "accepted", "held_back"}
               for e in dumped["errors"])


def test_validate_refuses_a_warehouse_that_is_a_file(london, tmp_path):
    a_file = tmp_path / "warehouse.csv"
    a_file.write_text("x\n", encoding="utf-8")
    with pytest.raises(UserError, match="this is a file, not a folder"):
        service.validate(london, a_file)


def test_show_gives_the_plan_and_the_attribution_of_its_sources(london):
    shown = service.show(london)
    plan = load_plan(london)
    assert isinstance(shown, Plan) and isinstance(shown, Result) and service.ShownPlan in service.RESULTS
    assert shown.attribution == attribution(s.kind for s in plan.data_sources)
    assert "Contains public sector information licensed under the Open Government Licence v3.0 (Greater London " \
           "Authority)" in shown.attribution
    dumped = shown.model_dump(mode="json")
    assert list(dumped)[-1] == "attribution"
    del dumped["attribution"]
    assert dumped == json.loads(plan.model_dump_json())
    jsonschema.validate(dumped, plan_json_schema())  # without the attribution, a plan as the schema has it


def test_show_of_a_broken_plan_carries_every_problem(broken):
    with pytest.raises(service.InvalidPlan) as caught:
        service.show(broken)
    _, read = read_plan(broken)
    assert [str(p) for p in caught.value.problems] == [str(p) for p in read.errors + read.warnings]
    assert str(caught.value) == f"{broken}: {len(read.errors)} errors"


def test_load_and_read_are_the_plan_folders(london, broken):
    assert service.load(london) == load_plan(london)
    plan, problems = service.read(broken)
    assert plan is None and len(problems.errors) >= 2
    with pytest.raises(UserError):
        service.load(broken)


def test_schema_is_the_plans_json_schema():
    schema = service.schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema == plan_json_schema()
    assert json.loads(service.schema_text()) == schema


def test_the_words_for_the_tree(london):
    plan = load_plan(london)
    assert service.unit_target_counts(plan) == {"bcs-comparator-crimes": 32}
    assert sum(service.peer_group_counts(plan).values()) == len(plan.units) == 32
    assert list(service.peer_group_counts(plan)) == sorted(service.peer_group_counts(plan))
