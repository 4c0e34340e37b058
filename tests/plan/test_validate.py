"""Every validation rule, each on a small plan folder broken in one place."""

from __future__ import annotations

from pathlib import Path

from policingplan.plan.io import read_plan
from policingplan.plan.source import PlanSource, parse_yaml
from policingplan.plan.validate import plan_summary, validate_source

from .conftest import edit, line_of


def only_error(folder: Path):
    plan, problems = read_plan(folder)
    assert plan is None
    errors = problems.errors
    assert len(errors) == 1, [str(p) for p in errors]
    return errors[0]


def test_it_accepts_the_small_plan(mini_plan):
    plan, problems = read_plan(mini_plan)
    assert plan is not None, [str(p) for p in problems]
    assert not problems.errors and not problems.warnings
    summary = plan_summary(plan)
    assert (summary["priorities"], summary["objectives"], summary["measures"], summary["cpas"]) == (1, 1, 2, 1)
    assert (summary["targets"], summary["force_targets"], summary["unit_targets"]) == (3, 1, 2)
    assert (summary["units"], summary["partner_targets"]) == (2, 1)
    assert plan.narrative[0].body == "# Introduction\n\nA small plan.\n"


def test_it_reports_broken_yaml_with_its_line(mini_plan):
    yaml_file = mini_plan / "plan.yaml"
    edit(yaml_file, "    measures: [crime, detections]", "    measures: [crime, detections")
    error = only_error(mini_plan)
    assert error.file == str(yaml_file)
    assert "cannot be read" in error.message
    # The parser notices the unclosed list at the next key, a few lines on.
    assert line_of(yaml_file, "measures: [crime, detections") <= error.line <= line_of(yaml_file, "  - id: crime")


def test_it_reports_an_empty_plan_file(mini_plan):
    (mini_plan / "plan.yaml").write_text("# nothing yet\n", encoding="utf-8")
    error = only_error(mini_plan)
    assert "empty" in error.message and "id, name, organisation and period" in error.accepted


def test_it_reports_a_missing_folder_and_a_missing_plan_file(tmp_path):
    error = only_error(tmp_path / "absent")
    assert "does not exist" in error.message
    (tmp_path / "bare").mkdir()
    error = only_error(tmp_path / "bare")
    assert "no plan.yaml" in error.message


def test_it_reports_a_plan_file_that_is_not_a_mapping(mini_plan):
    (mini_plan / "plan.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    assert "mapping" in only_error(mini_plan).message


def test_it_names_an_unknown_field_and_suggests_the_closest(mini_plan):
    yaml_file = mini_plan / "plan.yaml"
    edit(yaml_file, "    polarity: higher\n", "    polarty: higher\n")
    plan, problems = read_plan(mini_plan)
    messages = {p.message: p for p in problems.errors}
    unknown = messages["unknown field 'polarty'"]
    assert unknown.line == line_of(yaml_file, "polarty: higher")
    assert unknown.column == "measures[1].polarty"
    assert unknown.accepted.startswith("did you mean 'polarity'?")
    # ...and, polarity now being absent, the model says so too.
    assert "the required field 'polarity' is missing" in messages


def test_it_names_an_unknown_csv_column_once_at_the_header(mini_plan):
    units = mini_plan / "units.csv"
    edit(units, "code,name,kind,population,peer_group,partner", "code,name,kind,populaton,peer_group,partner")
    error = only_error(mini_plan)
    assert (error.file, error.line, error.column) == (str(units), 1, "populaton")
    assert error.accepted.startswith("did you mean 'population'?")


def test_it_reports_wrong_types_in_yaml_and_csv(mini_plan):
    yaml_file, units = mini_plan / "plan.yaml", mini_plan / "units.csv"
    edit(yaml_file, "    minimum: -0.06", "    minimum: low")
    edit(units, "U2,South,borough,2000,", "U2,South,borough,many,")
    plan, problems = read_plan(mini_plan)
    by_file = {p.file: p for p in problems.errors}
    assert set(by_file) == {str(yaml_file), str(units)}
    in_yaml, in_csv = by_file[str(yaml_file)], by_file[str(units)]
    assert (in_yaml.line, in_yaml.column, in_yaml.value) == (line_of(yaml_file, "minimum: low"), "targets[0].minimum", "low")
    assert "number" in in_yaml.accepted
    assert (in_csv.line, in_csv.column, in_csv.value) == (3, "population", "many")
    assert "whole number" in in_csv.accepted


def test_it_reports_references_to_unknown_measures_units_priorities_and_objectives(mini_plan):
    yaml_file = mini_plan / "plan.yaml"
    edit(yaml_file, "measures: [crime, detections]", "measures: [crime, detection]")
    edit(yaml_file, "    priority: safer\n", "    priority: safe\n    objective: more-crime\n")
    edit(mini_plan / "unit_targets.csv", "crime,U2,", "crime,U3,")
    edit(mini_plan / "partner_targets.csv", "U1,crime,", "U1,crimes,")
    plan, problems = read_plan(mini_plan)
    found = {(Path(p.file).name, p.line, p.value): p for p in problems.errors}
    assert set(found) == {
        ("plan.yaml", line_of(yaml_file, "measures: [crime, detection]"), "detection"),
        ("plan.yaml", line_of(yaml_file, "priority: safe"), "safe"),
        ("plan.yaml", line_of(yaml_file, "objective: more-crime"), "more-crime"),
        ("unit_targets.csv", 3, "U3"),
        ("partner_targets.csv", 2, "crimes"),
    }
    assert found[("plan.yaml", line_of(yaml_file, "measures: [crime, detection]"), "detection")].accepted.startswith(
        "did you mean 'detections'?"
    )
    assert "force" in found[("unit_targets.csv", 3, "U3")].accepted
    assert found[("unit_targets.csv", 3, "U3")].column == "scope"


def test_it_reports_a_range_whose_minimum_exceeds_its_maximum(mini_plan):
    yaml_file = mini_plan / "plan.yaml"
    edit(yaml_file, "    minimum: -0.06", "    minimum: -0.04")
    error = only_error(mini_plan)
    assert "exceeds its maximum" in error.message
    assert (error.line, error.column, error.value) == (line_of(yaml_file, "minimum: -0.04"), "targets[0].minimum", -0.04)


def test_it_reports_a_financial_year_that_is_not_one(mini_plan):
    yaml_file = mini_plan / "plan.yaml"
    edit(yaml_file, "    period: 2007/08\n    kind: range", "    period: 2007/09\n    kind: range")
    plan, problems = read_plan(mini_plan)
    period = [p for p in problems.errors if p.value == "2007/09"]
    assert len(period) == 1
    assert period[0].line == line_of(yaml_file, "period: 2007/09")
    assert "2007/08" in period[0].accepted
    # With its only force target in the wrong year, the CPA also lacks one for 2007/08.
    assert any("has no force target for 2007/08" in p.message for p in problems.errors)


def test_it_reports_two_targets_for_the_same_measure_scope_and_period(mini_plan):
    targets = mini_plan / "unit_targets.csv"
    with open(targets, "a", encoding="utf-8") as handle:
        handle.write("crime,U1,2007/08,change,2006/07,500,-0.06,A second one\n")
    error = only_error(mini_plan)
    assert (error.file, error.line) == (str(targets), 4)
    assert "a second target for measure 'crime', scope 'U1' and period 2007/08" in error.message
    assert "unit_targets.csv, line 2" in error.message


def test_it_reports_a_cpa_measure_without_a_force_target(mini_plan):
    yaml_file = mini_plan / "plan.yaml"
    edit(yaml_file, "  - measure: crime\n    scope: force\n", "  - measure: crime\n    scope: U1\n")
    plan, problems = read_plan(mini_plan)
    cpa = [p for p in problems.errors if "CPA" in p.message]
    assert len(cpa) == 1
    assert cpa[0].line == line_of(yaml_file, "cpa: true")
    assert "scope 'force'" in cpa[0].accepted
    # The moved target now clashes with U1's row in unit_targets.csv.
    assert any("a second target" in p.message and p.file.endswith("unit_targets.csv") for p in problems.errors)


def test_it_reports_duplicate_ids(mini_plan):
    yaml_file = mini_plan / "plan.yaml"
    edit(yaml_file, "  - id: detections\n", "  - id: crime\n")
    edit(mini_plan / "units.csv", "U2,South", "U1,South")
    crime_ids = [i for i, line in enumerate(yaml_file.read_text().splitlines(), 1) if line == "  - id: crime"]
    assert len(crime_ids) == 2
    second_crime_id = crime_ids[1]
    plan, problems = read_plan(mini_plan)
    duplicates = [p for p in problems.errors if "share the" in p.message]
    assert {(Path(p.file).name, p.line, p.value) for p in duplicates} == {
        ("plan.yaml", second_crime_id, "crime"),
        ("units.csv", 3, "U1"),
    }


def test_it_reports_a_missing_narrative_file(mini_plan):
    yaml_file = mini_plan / "plan.yaml"
    (mini_plan / "narrative" / "intro.md").rename(mini_plan / "narrative" / "introduction.md")
    plan, problems = read_plan(mini_plan)
    error = problems.errors[0]
    assert len(problems.errors) == 1
    assert (error.line, error.value) == (line_of(yaml_file, "file: narrative/intro.md"), "narrative/intro.md")
    assert error.accepted.startswith("did you mean 'narrative/introduction.md'?")
    # The file that is there but unnamed is a warning.
    assert [w.file for w in problems.warnings] == [str(mini_plan / "narrative/introduction.md")]


def test_a_narrative_file_that_is_not_utf8_is_one_error_not_also_missing(mini_plan):
    (mini_plan / "narrative" / "intro.md").write_bytes(b"\xff\xfe# Introduction\n")
    error = only_error(mini_plan)
    assert error.file == str(mini_plan / "narrative" / "intro.md")
    assert "not UTF-8" in error.message and error.accepted == "a UTF-8 text file"


def test_it_refuses_a_narrative_body_in_yaml_and_a_file_outside_the_folder(mini_plan):
    yaml_file = mini_plan / "plan.yaml"
    edit(yaml_file, "    file: narrative/intro.md\n", "    file: ../intro.md\n    body: Some text\n")
    plan, problems = read_plan(mini_plan)
    lines = {p.line: p for p in problems.errors}
    assert set(lines) == {line_of(yaml_file, "file: ../intro.md"), line_of(yaml_file, "body: Some text")}
    assert "narrative/<name>.md" in lines[line_of(yaml_file, "file: ../intro.md")].accepted


def test_it_reports_the_values_each_kind_of_target_needs(mini_plan):
    edit(mini_plan / "unit_targets.csv", "crime,U2,2007/08,change,2006/07,800,-0.055,", "crime,U2,2007/08,change,,800,,")
    plan, problems = read_plan(mini_plan)
    assert {(p.line, p.column) for p in problems.errors} == {(3, "value"), (3, "baseline_period")}


def test_it_reports_a_key_given_twice(mini_plan):
    yaml_file = mini_plan / "plan.yaml"
    edit(yaml_file, "    maximum: -0.05\n", "    maximum: -0.05\n    maximum: -0.04\n")
    error = only_error(mini_plan)
    assert "given twice" in error.message and error.line == line_of(yaml_file, "maximum: -0.04")


def test_it_refuses_activities_in_the_unit_targets_table(mini_plan):
    targets = mini_plan / "unit_targets.csv"
    text = targets.read_text(encoding="utf-8").splitlines()
    targets.write_text("\n".join([text[0] + ",activities"] + [row + ",patrols" for row in text[1:]]) + "\n")
    error = only_error(mini_plan)
    assert (error.line, error.column) == (1, "activities")
    assert "plan.yaml" in error.accepted


def test_it_reports_model_rules_at_their_line(mini_plan):
    yaml_file = mini_plan / "plan.yaml"
    edit(
        yaml_file,
        "    unit_of_count: offences\n",
        "    unit_of_count: offences\n    rule:\n      count: {}\n      numerator: {}\n",
    )
    edit(yaml_file, "period: 2007/08\npriorities:", "period: 2007/08\nstrategy:\n  name: S\n  first_year: 2006/07\n  last_year: 2007/08\npriorities:")
    plan, problems = read_plan(mini_plan)
    found = {p.column: p for p in problems.errors}
    assert set(found) == {"measures[0].rule", "strategy"}
    assert found["measures[0].rule"].line == line_of(yaml_file, "  rule:")
    assert "either 'count'" in found["measures[0].rule"].message
    assert found["strategy"].line == line_of(yaml_file, "strategy:")
    assert "three financial years" in found["strategy"].message


def test_it_reports_every_problem_of_a_source_without_files():
    data, lines, problems = parse_yaml("id: x\nname: X\norganisation: O\nperiod: 2007/8\nextra: 1\n")
    plan, problems = validate_source(PlanSource(data=data, lines=lines, problems=problems))
    assert plan is None
    assert {(p.file, p.line, p.column) for p in problems.errors} == {("plan.yaml", 4, "period"), ("plan.yaml", 5, "extra")}


def test_it_says_which_choices_dates_and_booleans_are_accepted(mini_plan):
    yaml_file = mini_plan / "plan.yaml"
    edit(yaml_file, "    kind: count\n", "    kind: counts\n")
    edit(yaml_file, "    cpa: true\n", "    cpa: perhaps\n")
    edit(yaml_file, "narrative:\n", "milestones:\n  - name: Publish\n    due: 31/03/2007\nnarrative:\n")
    plan, problems = read_plan(mini_plan)
    found = {p.column: p for p in problems.errors}
    assert set(found) == {"measures[0].kind", "measures[0].cpa", "milestones[0].due"}
    assert found["measures[0].kind"].accepted == "one of 'count', 'ratio', 'percentage' or 'level'"
    assert found["measures[0].cpa"].accepted == "true or false"
    assert "YYYY-MM-DD" in found["milestones[0].due"].accepted
    assert found["milestones[0].due"].line == line_of(yaml_file, "due: 31/03/2007")


def test_a_missing_required_column_is_reported_once_at_the_header(mini_plan):
    units = mini_plan / "units.csv"
    units.write_text("code,kind\nU1,borough\nU2,borough\n", encoding="utf-8")
    error = only_error(mini_plan)
    assert (error.file, error.line, error.column) == (str(units), 1, "name")
    assert error.accepted == "a header with the columns code, name"


def test_an_empty_table_file_is_named_with_its_columns(mini_plan):
    (mini_plan / "partner_targets.csv").write_text("\n\n", encoding="utf-8")
    error = only_error(mini_plan)
    assert (error.file, error.line, error.message) == (str(mini_plan / "partner_targets.csv"), 1, "the file is empty")
    assert "a header row (unit, measure," in error.accepted


def test_a_table_that_is_a_folder_is_named(mini_plan):
    (mini_plan / "partner_targets.csv").unlink()
    (mini_plan / "partner_targets.csv").mkdir()
    error = only_error(mini_plan)
    assert (error.file, error.message) == (str(mini_plan / "partner_targets.csv"), "this is a folder, not a CSV file")
