"""Errors lead with their cause (issue 12, finding 3).

Each test plants one cause in a copy of ``examples/london-2007-08``: a plan
file that cannot be read (missing, saved as cp1252, separated by semicolons,
a misspelt header, a quote left open). The first line of ``validate``'s
output names the cause (the file, the line, what is wrong); the errors that
follow from it (32 unit targets and 5 partner targets that name a unit no
longer known) are not listed, and a count says how many were held back.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policingplan.cli import app

from .conftest import line_of

runner = CliRunner()

# The London 2007/08 example: 32 unit targets and 5 partner targets name a unit.
FOLLOW_ON = 37
HELD_BACK = f"and {FOLLOW_ON} problems that follow from it are not shown"


@pytest.fixture()
def plan(project_root, tmp_path) -> Path:
    folder = tmp_path / "london"
    shutil.copytree(project_root / "examples" / "london-2007-08", folder)
    return folder


def validate(folder: Path) -> tuple[str, list[str]]:
    """The first line of validate's output, and all of it; validate must refuse the plan."""
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines, result.output
    return lines[0], lines


def assert_one_cause(first: str, lines: list[str], where: str, *phrases: str, held: str | None = HELD_BACK):
    assert first.startswith(f"Error: {where}: "), first
    for phrase in phrases:
        assert phrase in first, (phrase, first)
    if held:
        assert first.endswith(held), first
    else:
        assert "not shown" not in first, first
    # Its one error: nothing else is listed, least of all the errors that follow from it.
    assert len(lines) == 1, lines
    assert "no unit has the code" not in "\n".join(lines)


def test_a_units_file_saved_as_cp1252_is_one_error_at_the_line_of_the_first_such_byte(plan):
    units = plan / "units.csv"
    barnet = line_of(units, "Barnet,")
    text = units.read_text(encoding="utf-8")
    text = text.replace("Barnet Crime and Disorder Reduction Partnership",
                        "Barnet Crime and Disorder Reduction Partnership \u2013 the CDRP")
    units.write_bytes(text.encode("cp1252"))  # the dash as Excel's plain 'CSV' saves it: the byte 0x96
    first, lines = validate(plan)
    assert_one_cause(first, lines, f"{units}, line {barnet}",
                     "the file is not UTF-8 text", "0x96", "Windows-1252 (cp1252)")


def test_a_units_file_separated_by_semicolons_is_one_error_at_its_header(plan):
    units = plan / "units.csv"
    rows = list(csv.reader(io.StringIO(units.read_text(encoding="utf-8"))))
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(rows)
    units.write_text(out.getvalue(), encoding="utf-8")
    first, lines = validate(plan)
    assert_one_cause(first, lines, f"{units}, line 1", "the cells are separated by semicolons, not commas")


def test_a_misspelt_header_is_one_error_that_suggests_the_column(plan):
    units = plan / "units.csv"
    text = units.read_text(encoding="utf-8")
    units.write_text(text.replace("code,name,", "cdoe,name,", 1), encoding="utf-8")
    first, lines = validate(plan)
    assert_one_cause(first, lines, f"{units}, line 1, cdoe",
                     "unknown column 'cdoe', so the required column 'code' is missing", "did you mean 'code'?")


def test_a_missing_units_file_is_said_to_be_missing(plan):
    units = plan / "units.csv"
    units.unlink()
    first, lines = validate(plan)
    assert_one_cause(first, lines, str(units), "the file does not exist")


def test_an_unclosed_quote_on_line_14_is_reported_at_line_14(plan):
    units = plan / "units.csv"
    lines_of = units.read_text(encoding="utf-8").split("\n")
    assert lines_of[13].startswith("E09000014,Haringey,")
    lines_of[13] = lines_of[13].replace(",Haringey,", ',"Haringey,', 1)
    units.write_text("\n".join(lines_of), encoding="utf-8")
    first, lines = validate(plan)
    assert_one_cause(first, lines, f"{units}, line 14", "a quote opened on this line is never closed")


def test_a_quote_left_open_that_closes_rows_later_is_reported_where_it_opened(plan):
    units = plan / "units.csv"
    lines_of = units.read_text(encoding="utf-8").split("\n")
    lines_of[13] = lines_of[13].replace(",Haringey,", ',"Haringey,', 1)
    assert lines_of[19].startswith("E09000020,Kensington and Chelsea,")
    lines_of[19] = lines_of[19].replace("Kensington and Chelsea,", 'Kensington and Chelsea",', 1)
    units.write_text("\n".join(lines_of), encoding="utf-8")
    first, lines = validate(plan)
    assert_one_cause(first, lines, f"{units}, line 14", "a quote opened on this line is not closed until line 20")


def test_an_unclosed_quote_in_the_unit_targets_is_reported_at_its_line(plan):
    targets = plan / "unit_targets.csv"
    lines_of = targets.read_text(encoding="utf-8").split("\n")
    assert lines_of[13].startswith("bcs-comparator-crimes,E09000014,")
    lines_of[13] = lines_of[13].replace(",2007/08,", ',"2007/08,', 1)
    targets.write_text("\n".join(lines_of), encoding="utf-8")
    first, lines = validate(plan)
    # Nothing else refers to the unit targets, so nothing is held back.
    assert_one_cause(first, lines, f"{targets}, line 14", "a quote", held=None)


def test_an_unclosed_quote_in_plan_yaml_on_line_14_is_reported_at_line_14_not_58(plan):
    yaml_file = plan / "plan.yaml"
    text = yaml_file.read_text(encoding="utf-8").split("\n")
    assert text[13] == 'version: "1.0"'
    text[13] = 'version: "1.0'
    yaml_file.write_text("\n".join(text), encoding="utf-8")
    first, lines = validate(plan)
    # The quote runs on to the next quote, on line 58, where the YAML breaks.
    assert_one_cause(first, lines, f"{yaml_file}, line 14", "a quote opened on this line is not closed until line 58",
                     held=None)


def test_a_plan_yaml_saved_as_cp1252_is_one_error_at_its_line(plan):
    yaml_file = plan / "plan.yaml"
    organisation = line_of(yaml_file, "organisation: ")
    text = yaml_file.read_text(encoding="utf-8")
    text = text.replace("organisation: Metropolitan Police Service and Metropolitan Police Authority",
                        "organisation: Metropolitan Police Service \u2013 Metropolitan Police Authority")
    yaml_file.write_bytes(text.encode("cp1252"))
    first, lines = validate(plan)
    assert_one_cause(first, lines, f"{yaml_file}, line {organisation}", "the file is not UTF-8 text", "Windows-1252", held=None)


def test_a_misspelt_list_in_plan_yaml_holds_back_the_references_that_follow(plan):
    yaml_file = plan / "plan.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    assert text.count("\nmeasures:\n") == 1
    yaml_file.write_text(text.replace("\nmeasures:\n", "\nmesures:\n"), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(plan), "--json"])
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    assert errors[0]["message"] == "unknown field 'mesures'"
    assert errors[0]["line"] == line_of(yaml_file, "mesures:")
    assert errors[0]["held_back"] > 1  # the count of what follows travels in the JSON too
    # Not one "no measure has the id ..." for each objective, target and partner target.
    assert not any(e["message"].startswith("no measure has the id") for e in errors), errors
    first, _ = validate(plan)
    assert "unknown field 'mesures'" in first and "did you mean 'measures'?" in first
    assert "problems that follow from it are not shown" in first


def test_a_cause_comes_first_and_other_mistakes_are_still_listed(plan):
    """A mistake that does not follow from the cause is listed too, after it."""
    (plan / "units.csv").unlink()
    yaml_file = plan / "plan.yaml"
    text = yaml_file.read_text(encoding="utf-8")
    yaml_file.write_text(text.replace("    maximum: -0.05\n", "    maximum: -0.07\n", 1), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(plan)])
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())  # however the heading is wrapped
    assert said.startswith(f"{plan}: 2 errors error {plan / 'units.csv'}: the file does not exist")
    cause, other = said.split(" error ")[1:]
    assert cause.endswith(HELD_BACK)
    assert other.startswith(f"{yaml_file}, line ") and "the range's minimum" in other
