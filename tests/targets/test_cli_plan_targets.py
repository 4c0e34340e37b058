"""Issue 12 on the command line: the plan's own unit targets checked (validate, targets, partners,
requirement), a fresh allocation only when asked for and labelled as one, units by code or name,
percentages wherever a fraction is, and the data's attribution on every figure from open data."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policingplan.attribution import attribution
from policingplan.cli import app
from .test_plan_check import MEASURE, WESTMINSTER, counted_by_hand, plant_target

runner = CliRunner()
GLA = attribution(["gla-borough-fy"])
FRESH = "A fresh allocation, not the plan's targets"


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def error_text(result) -> str:
    return result.stderr if result.stderr else result.output


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def london(project_root) -> Path:
    return project_root / "examples" / "london-2007-08"


@pytest.fixture
def planted(london, tmp_path) -> Path:
    """The London 2007/08 example with Westminster's target set to -1% in unit_targets.csv."""
    return plant_target(london, tmp_path / "plan", WESTMINSTER, "-0.01")


# --- validate --------------------------------------------------------------------------------------


def test_validate_refuses_a_borough_target_that_breaks_the_corporate_figure(planted):
    total, required = counted_by_hand(planted)
    result = run("validate", planted)
    assert result.exit_code == 1
    message = flat(error_text(result))
    assert "Valid" not in result.stdout
    assert message.startswith("Error: unit_targets.csv")
    assert f"{total - required:,} crimes over the corporate figure of at most {required:,}" in message
    assert "6,349 crimes over" in message and "Westminster (E09000033)" in message
    as_json = run("validate", planted, "--json")
    assert as_json.exit_code == 1
    data = json.loads(as_json.stdout)
    assert data["ok"] is False
    assert [e["file"] for e in data["errors"]] == ["unit_targets.csv"]
    assert "Westminster" in data["errors"][0]["message"]


@pytest.mark.parametrize("example", ["london-2007-08", "london-2023-24"])
def test_the_unchanged_examples_still_validate(project_root, example):
    result = run("validate", project_root / "examples" / example)
    assert result.exit_code == 0, error_text(result)
    assert result.stdout.startswith("Valid:")


# --- targets PLAN: the plan's own targets, checked -----------------------------------------------


def test_targets_plan_shows_the_plans_own_targets_and_that_they_do_not_meet_it(planted):
    total, required = counted_by_hand(planted)
    result = run("targets", planted)
    assert result.exit_code == 0, error_text(result)
    text = flat(result.stdout)
    assert "the plan's unit targets" in text and FRESH not in text
    assert f"The units' targets add up to {total:,} (-4.81%): corporate figure NOT met, {total - required:,} crimes over." in text
    assert "65,604" in text and "Westminster (E09000033) 65,604 (-1.0%) where the allocation gives 59,255" in text
    assert "With the units' own targets (-4.81% in the year) the projection is -17.6%" in text
    assert text.endswith("Data: " + GLA[0] + ".")


def test_targets_plan_json_is_the_plans_own(planted):
    data = json.loads(run("targets", planted, "--json").stdout)
    with open(planted / "unit_targets.csv", encoding="utf-8", newline="") as handle:
        own = {r["scope"]: math.floor(float(r["baseline"]) * (1 + float(r["value"])) + 1e-7)
               for r in csv.DictReader(handle) if r["measure"] == MEASURE}
    assert data["targets"] == "plan" and "fresh_allocation" not in data
    assert {u["unit"]: u["target"] for u in data["units"]} == own
    assert data["meets"] is False and data["slack"] == -6349
    assert data["corporate"]["change"] == pytest.approx(-0.055) and "midpoint" in data["corporate"]["basis"]
    assert [c["unit"] for c in data["allocation"]["changed"]] == [WESTMINSTER]
    assert data["requirement"]["id"] == "psa1" and data["requirement"]["with_unit_targets"]["meets"] is False
    assert data["attribution"] == GLA


def test_targets_plan_on_the_unchanged_example_is_met(london):
    data = json.loads(run("targets", london, "--json").stdout)
    assert data["meets"] is True and data["slack"] == 0 and data["allocation"]["changed"] == []
    assert "met, 0 crimes to spare" in flat(run("targets", london).stdout)


# --- a fresh allocation, only when asked for ------------------------------------------------------


def test_targets_allocate_a_plan_is_a_fresh_allocation_labelled_as_one(planted):
    result = run("targets", "allocate", planted)
    assert result.exit_code == 0, error_text(result)
    text = flat(result.stdout)
    assert text.startswith(FRESH)
    assert "The plan's own unit targets add up to 872,655; 1 of the 32 units' targets here differ from them." in text
    data = json.loads(run("targets", "allocate", planted, "--json").stdout)
    assert data["fresh_allocation"] is True and data["label"] == FRESH
    assert data["target_total"] <= data["required_total"] == 866306
    assert data["differ_from_plan"] == [WESTMINSTER] and data["plan_target_total"] == 872655
    assert data["attribution"] == GLA


def test_a_what_if_option_makes_a_fresh_allocation(london):
    result = run("targets", london, "--reduction", "6.93%")
    assert result.exit_code == 0, error_text(result)
    assert flat(result.stdout).startswith(FRESH)
    assert "(what if)" in result.stdout
    method = json.loads(run("targets", london, "--method", "uniform", "--json").stdout)
    assert method["fresh_allocation"] is True and method["method"] == "uniform"


def test_targets_allocate_a_csv_still_needs_its_reduction(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("unit,baseline\nA,1000\nB,2000\n", encoding="utf-8")
    missing = run("targets", "allocate", path)
    assert missing.exit_code == 1 and "--reduction: missing" in error_text(missing)
    percent = json.loads(run("targets", "allocate", path, "--reduction", "5.5%", "--json").stdout)
    assert percent["reduction"] == pytest.approx(0.055) and percent["required_total"] == math.floor(3000 * 0.945)
    assert "attribution" not in percent  # the user's own figures: nothing to attribute


# --- partners and requirement use the plan's own targets -----------------------------------------


def test_partners_use_the_plans_own_targets(planted):
    total, required = counted_by_hand(planted)
    data = json.loads(run("partners", planted, "--json").stdout)
    assert data["unit_total"] == total and data["required_total"] == required
    assert data["unit_targets"] == "plan" and data["attribution"] == GLA
    text = flat(run("partners", planted).stdout)
    assert f"The units' own targets add up to {total:,} crimes against at most {required:,}: corporate figure NOT met, 6,349 crimes over." in text
    assert "2,318 crimes over" in text  # adopting every more stretching partner target, as the issue found
    assert text.endswith("Data: " + GLA[0] + ".")


def test_requirement_from_a_plan_says_what_its_unit_targets_give(planted, london):
    data = json.loads(run("requirement", planted, "--json").stdout)
    assert data["planned_change"] == pytest.approx(-0.055)  # the plan's own force target
    [over] = [n for n in data["notes"] if n["code"] == "targets.unit-targets-over"]
    assert over["text"] == ("The units' own targets add up to -4.81%, 6,349 crimes over the corporate figure: with them "
                            "the projection is -17.6%.")
    assert over["values"]["over"] == 6_349 and over["values"]["achieved_change"] == pytest.approx(-0.0481, abs=5e-5)
    assert over["text"] in flat(run("requirement", planted).stdout)  # the same sentence on the terminal
    assert data["attribution"] == GLA
    unchanged = json.loads(run("requirement", london, "--json").stdout)
    assert not any("units' own targets" in n["text"] for n in unchanged["notes"])
    assert [n["code"] for n in unchanged["notes"]] == ["targets.requirement-outturn"]
    assert flat(run("requirement", london).stdout).endswith("Data: " + GLA[0] + ".")


def test_requirement_from_figures_has_nothing_to_attribute():
    result = run("requirement", "--baseline", "612000", "--latest-change", "-13.4%", "--planned-change", "-5.5%",
                 "--required-change", "-19.4%", "--json")
    assert result.exit_code == 0, error_text(result)
    data = json.loads(result.stdout)
    assert "attribution" not in data and data["shortfall"] == 7571


# --- options: units by code or name, percentages --------------------------------------------------


@pytest.mark.parametrize("pair", ["Westminster=0.08", "westminster=8%", "E09000033=0.08", "e09000033=8 %",
                                  "WESTMINSTER=8%", "City of Westminster=0.08"])
def test_a_unit_by_code_or_name_in_any_case(london, pair):
    result = run("targets", london, "--reduction", "6.93%", "--cap", pair, "--json")
    assert result.exit_code == 0, error_text(result)
    westminster = next(u for u in json.loads(result.stdout)["units"] if u["unit"] == WESTMINSTER)
    assert "cap of 8.0%" in westminster["reason"]


def test_floor_and_cap_by_name_and_code_together(london):
    result = run("targets", london, "--floor", "Westminster=0.08", "--cap", "E09000033=0.1", "--json")
    assert result.exit_code == 0, error_text(result)
    westminster = next(u for u in json.loads(result.stdout)["units"] if u["unit"] == WESTMINSTER)
    assert 0.08 - 1e-4 <= westminster["reduction"] <= 0.1 + 1e-4


@pytest.mark.parametrize("args, expected", [
    (["--reduction", "-0.0693"], ["--reduction: not a reduction (found '-0.0693')", "5.5%"]),
    (["--reduction", "6.93"], ["--reduction: not a reduction (found '6.93')", "0.055"]),
    (["--floor", "Westmnster=0.08"], ["--floor: not a unit of the plan (found 'Westmnster')", "did you mean Westminster?",
                                      "a unit's code or name, in any case"]),
    (["--cap", "Westminster=lots"], ["--cap Westminster: not a fraction (found 'lots')", "5.5%"]),
    (["--proposal", "Westminster"], ["--proposal: 'Westminster' is not UNIT=FRACTION", "Westminster=8%"]),
])
def test_bad_option_values_name_the_option_the_value_and_what_is_accepted(london, args, expected):
    result = run("targets", london, *args)
    assert result.exit_code == 1
    message = error_text(result)
    assert len(message.strip().splitlines()) == 1 and "Traceback" not in message
    for part in expected:
        assert part in message


def test_percentages_and_fractions_give_the_same_answer():
    fractions = run("requirement", "--baseline", "612000", "--latest-change", "-0.134", "--planned-change", "-0.068",
                    "--required-change", "-0.194", "--json")
    percents = run("requirement", "--baseline", "612000", "--latest-change", "-13.4%", "--planned-change", "-6.8%",
                   "--required-change", "−19.4%", "--json")
    assert percents.exit_code == fractions.exit_code == 0, error_text(percents)
    assert json.loads(percents.stdout) == pytest.approx(json.loads(fractions.stdout))
    rate = run("targets", "rate", "--target", "80%", "--true-rate", "82.2%", "--json")
    same = run("targets", "rate", "--target", "0.80", "--true-rate", "0.822", "--json")
    assert rate.exit_code == 0 and rate.stdout == same.stdout


def test_the_value_parser_on_its_own():
    from policingplan.cli.values import find_unit, read_fraction

    assert read_fraction("-6.8%") == pytest.approx(-0.068) == read_fraction("-0.068") == read_fraction("\u22126.8 %")
    assert read_fraction("5.5%") == pytest.approx(0.055) and read_fraction("nan") is None and read_fraction("x") is None
    units = {"E09000033": "Westminster", "E09000021": "Kingston upon Thames", "E09000013": "Hammersmith and Fulham"}
    assert find_unit("westminster", units) == find_unit("e09000033", units) == "E09000033"
    assert find_unit("Kingston", units) == "E09000021"
    assert find_unit("hammersmith & fulham", units) == "E09000013"
    assert find_unit("Camden", units) is None


@pytest.mark.parametrize("command", ["partners", "targets"])
def test_tables_fit_80_columns_without_breaking_a_word_or_a_number(command, project_root):
    """At 80 columns a cell wraps between words: '(illustrative)', names and figures stay whole."""
    plan = project_root / "examples" / "london-2007-08"
    result = CliRunner().invoke(app, [command, str(plan)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    cells = [part.strip() for line in lines if line.startswith("│") for part in line.strip("│").split("│")]
    words = {word for cell in cells for word in cell.split()}
    own = ("(illustrative)", "(-10.6%)") if command == "partners" else ("-10.6%",)
    for whole in ("Westminster", "59,255", "866,306", *own):
        assert whole in words or whole in result.stdout, whole
    assert not any(word in words for word in ("(illustrati", "ve)", "Westmins", "59,2"))
