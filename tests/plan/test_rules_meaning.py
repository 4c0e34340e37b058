"""Rules that can only mean one thing (issue 12, finding 2).

``validate`` refuses a counting rule whose value is fixed whatever the data,
or that says two things at once, naming plan.yaml, the line, the field, the
value and what is accepted. The issue's case first: a survey measure on a
``tidy`` source whose numerator and denominator name the same measure, which
``monitor`` showed at 100% when the true figure was 52.2%.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from policingplan.cli import app
from policingplan.data.rules import VALUE_CHOICES, validate_rule
from policingplan.plan.io import load_plan
from policingplan.plan.validate import DEFAULT_SUM_OF

from .conftest import edit, line_of

runner = CliRunner()

SURVEY = """\
    unit_of_count: per cent of residents surveyed
    source: tidy
    rule:
{rule}"""


@pytest.fixture()
def plan(project_root, tmp_path) -> Path:
    folder = tmp_path / "london"
    shutil.copytree(project_root / "examples" / "london-2023-24", folder)
    return folder


def give_the_survey_a_rule(folder: Path, rule: str) -> Path:
    """The example's public-confidence measure (a percentage) counted from a tidy file by ``rule``."""
    yaml_file = folder / "plan.yaml"
    edit(yaml_file, "    unit_of_count: per cent of residents surveyed\n", SURVEY.format(rule=rule))
    return yaml_file


def only_error(folder: Path) -> dict:
    result = runner.invoke(app, ["validate", str(folder), "--json"])
    assert result.exit_code == 1, result.output
    errors = json.loads(result.stdout)["errors"]
    assert len(errors) == 1, errors
    return errors[0]


def measure_index(folder: Path, measure_id: str) -> int:
    data = yaml.safe_load((folder / "plan.yaml").read_text(encoding="utf-8"))
    return [m["id"] for m in data["measures"]].index(measure_id)


def test_a_tidy_numerator_and_denominator_that_name_the_same_measure_are_refused(plan):
    yaml_file = give_the_survey_a_rule(plan, """\
      numerator:
        measure: [public_confidence]
      denominator:
        measure: [public_confidence]
""")
    error = only_error(plan)
    index = measure_index(plan, "public-confidence")
    assert error["file"] == str(yaml_file)
    assert error["line"] == _line_after(yaml_file, "source: tidy", "denominator:")
    assert error["column"] == f"measures[{index}].rule.denominator"
    assert error["value"] == '{"measure": ["public_confidence"]}'
    assert "name the same measure and sum the same column (numerator)" in error["message"]
    assert "100%" in error["message"] and "whatever the data" in error["message"]
    assert error["accepted"].startswith("count: {measure: [public_confidence]}")
    # The one-line error of the plain output names it too.
    result = runner.invoke(app, ["validate", str(plan)])
    assert result.stderr.startswith(f"Error: {yaml_file}, line {error['line']}, measures[{index}].rule.denominator: ")


def _line_after(file: Path, anchor: str, text: str) -> int:
    lines = file.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if anchor in line)
    return next(i for i, line in enumerate(lines[start:], start + 1) if text in line)


@pytest.mark.parametrize("rule", [
    # The file's lines carry their own numerator and denominator.
    "      count:\n        measure: [public_confidence]\n",
    # The same measure, each side summing its own column.
    "      numerator:\n        measure: [public_confidence]\n"
    "      denominator:\n        measure: [public_confidence]\n        sum_of: [denominator]\n",
    # Two measures: the confident, and everyone asked.
    "      numerator:\n        measure: [confident]\n      denominator:\n        measure: [asked]\n",
])
def test_the_rules_that_mean_one_thing_on_a_tidy_source_are_accepted(plan, rule):
    give_the_survey_a_rule(plan, rule)
    result = runner.invoke(app, ["validate", str(plan)])
    assert result.exit_code == 0, result.output


def test_a_ratio_whose_numerator_is_its_denominator_is_refused(plan):
    yaml_file = plan / "plan.yaml"
    # Knife crime positive outcomes over knife crime offences: make the numerator count offences too.
    edit(yaml_file, "        crime_subtype: [Knife Crime]\n        measure: [Positive Outcomes]\n",
         "        crime_subtype: [Knife Crime]\n        measure: [Offences]\n")
    error = only_error(plan)
    index = measure_index(plan, "knife-crime-positive-outcome-rate")
    assert (error["file"], error["column"]) == (str(yaml_file), f"measures[{index}].rule.denominator")
    assert error["line"] == _line_after(yaml_file, "id: knife-crime-positive-outcome-rate", "denominator:")
    assert error["message"] == ("the numerator and the denominator are the same filter, so the rate is 1 (100%) "
                                "whatever the data")
    assert "different records" in error["accepted"]


def test_a_rate_without_a_denominator_is_refused(plan):
    yaml_file = plan / "plan.yaml"
    edit(yaml_file, """      numerator:
        solved: [solved]
      denominator: {}
""", """      count:
        solved: [solved]
""")
    error = only_error(plan)
    index = measure_index(plan, "homicide-solved-rate")
    assert (error["column"], error["line"]) == (f"measures[{index}].rule.count",
                                                _line_after(yaml_file, "id: homicide-solved-rate", "      count:"))
    assert error["message"] == ("the ratio measure 'homicide-solved-rate' counts one filter, so it has no "
                                "denominator and no rate")
    assert error["value"] == '{"solved": ["solved"]}'
    assert error["accepted"].startswith("numerator: {...} and denominator: {...}")


def test_an_attribute_with_no_values_is_refused_as_nothing_would_count(plan):
    yaml_file = plan / "plan.yaml"
    edit(yaml_file, "      count:\n        severity: [fatal, serious]\n", "      count:\n        severity: []\n")
    error = only_error(plan)
    index = measure_index(plan, "road-ksi")
    assert error["column"] == f"measures[{index}].rule.count.severity"
    assert error["line"] == line_of(yaml_file, "severity: []")
    assert "nothing would ever count" in error["message"]


def test_a_value_both_counted_and_not_counted_is_refused(plan):
    yaml_file = plan / "plan.yaml"
    edit(yaml_file, "        minor: [DEATH SERIOUS INJURY ILLEGAL DRIVING, HOMICIDE, STALKING AND HARASSMENT, "
                    "VIOLENCE WITHOUT INJURY]\n",
         "        minor: [DEATH SERIOUS INJURY ILLEGAL DRIVING, HOMICIDE, STALKING AND HARASSMENT, "
         "VIOLENCE WITHOUT INJURY, VIOLENCE WITH INJURY]\n")
    error = only_error(plan)
    index = measure_index(plan, "violence-with-injury")
    assert error["column"] == f"measures[{index}].rule.not_counted.minor"
    assert error["value"] == "VIOLENCE WITH INJURY"
    assert error["message"] == "'VIOLENCE WITH INJURY' is both counted (rule.count.minor) and listed as not counted"


def test_the_default_value_column_is_the_data_layers(project_root):
    assert DEFAULT_SUM_OF == {kind: choices[0] for kind, choices in VALUE_CHOICES.items()}


def test_the_data_layer_refuses_the_same_rules_for_a_plan_built_in_code(project_root):
    plan = load_plan(project_root / "examples" / "london-2023-24")
    measure = plan.measure("homicide-solved-rate")
    same = measure.model_copy(update={"rule": measure.rule.model_copy(update={"denominator": {"solved": ["solved"]}})})
    (problem,) = validate_rule(same).errors
    assert problem.column == "measures.homicide-solved-rate.rule.denominator"
    assert "the same filter" in problem.message
    assert validate_rule(measure).ok
