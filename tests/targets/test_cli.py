"""The command-line contract: names, JSON keys, exit codes and one-line errors."""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policingplan.cli import app
from policingplan.data.files import open_text

runner = CliRunner()
ALLOCATION_KEYS = {"method", "reduction", "required_total", "target_total", "meets", "feasible", "best_reachable_reduction", "units"}
UNIT_KEYS = {"unit", "baseline", "reduction", "target", "reason"}
REQUIREMENT_KEYS = {"projected_change", "meets", "shortfall", "required_in_year_change"}
PSA1 = ["--baseline", "612000", "--latest-change", "-0.134", "--planned-change", "-0.055", "--required-change", "-0.194"]


@pytest.fixture
def units_csv(tmp_path: Path) -> Path:
    path = tmp_path / "units.csv"
    path.write_text(
        "unit,baseline,population,peer_group,proposed_reduction,min_reduction,max_reduction\n"
        "Lambeth,38868,280500,Inner,0.05,0.02,0.12\n"
        "Croydon,31510,340300,Outer,0.06,,\n"
        "Kingston,13105,153600,Outer,,0.01,0.08\n"
        "Westminster,66267,222800,Inner,0.04,,0.10\n",
        encoding="utf-8",
    )
    return path


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def error_text(result) -> str:
    return result.stderr if result.stderr else result.output


@pytest.fixture(scope="module")
def london(project_root) -> Path:
    return project_root / "examples" / "london-2007-08"


# --- targets allocate ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["stretch", "uniform", "negotiated"])
def test_allocate_json_contract(units_csv, method):
    result = run("targets", "allocate", units_csv, "--reduction", "0.055", "--method", method, "--json")
    assert result.exit_code == 0, error_text(result)
    data = json.loads(result.stdout)
    assert set(data) == ALLOCATION_KEYS
    assert data["method"] == method and data["reduction"] == 0.055
    assert data["required_total"] == math.floor((38868 + 31510 + 13105 + 66267) * 0.945)
    assert [u["unit"] for u in data["units"]] == ["Lambeth", "Croydon", "Kingston", "Westminster"]
    for unit in data["units"]:
        assert set(unit) == UNIT_KEYS
        assert isinstance(unit["target"], int)
        assert unit["reduction"] == pytest.approx(1 - unit["target"] / unit["baseline"])
        assert unit["reason"]
    assert data["target_total"] == sum(u["target"] for u in data["units"])
    assert data["meets"] is (data["target_total"] <= data["required_total"]) is True
    assert data["feasible"] is True


def test_allocate_default_method_is_stretch_and_human_output_is_british(units_csv):
    result = run("targets", "allocate", units_csv, "--reduction", "0.055")
    assert result.exit_code == 0, error_text(result)
    assert "stretch method" in result.stdout
    assert "141,513" in result.stdout  # floor(149,750 × 0.945), with a thousands comma
    assert "5.5%" in result.stdout and "met" in result.stdout


def test_infeasible_exits_3_and_still_prints_json(tmp_path):
    path = tmp_path / "capped.csv"
    path.write_text("unit,baseline,max_reduction\nA,1000,0.02\nB,1000,0.03\n", encoding="utf-8")
    result = run("targets", "allocate", path, "--reduction", "0.055", "--json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert data["feasible"] is False and data["meets"] is False
    assert data["best_reachable_reduction"] == pytest.approx(0.025)
    human = run("targets", "allocate", path, "--reduction", "0.055")
    assert human.exit_code == 3 and "NOT met" in human.stdout
    assert human.stdout.count("Infeasible") == 1 and "reach a reduction of 2.50%" in human.stdout


@pytest.mark.parametrize(
    "text, expected",
    [
        ("unit,baseline\nA,1000\nB,abc\n", ["bad.csv", "line 3", "baseline", "'abc'", "accepted"]),
        ("unit,baseline,max_reduction\nA,1000,5.5\n", ["line 2", "max_reduction", "'5.5'", "0.055"]),
        ("unit,population\nA,1000\n", ["line 1", "baseline", "missing"]),
        ("unit,baseline,colour\nA,1000,red\n", ["line 1", "colour", "unknown column", "min_reduction"]),
        ("unit,baseline\nA,1000\nA,900\n", ["line 3", "twice", "'A'"]),
        ("unit,baseline,min_reduction,max_reduction\nA,1000,0.08,0.05\n", ["line 2", "min_reduction", "floor"]),
        ("unit,baseline\n,1000\n", ["line 2", "unit", "blank"]),
        ("unit,baseline\n", ["no units"]),
        ("", ["bad.csv", "line 1", "the file is empty", "a header row (unit, baseline, population"]),
        ("unit,baseline\nA,0\n", ["line 2", "baseline", "'0'", "above 0"]),
    ],
)
def test_bad_csv_is_one_line_naming_file_line_column_value(tmp_path, text, expected):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    result = run("targets", "allocate", path, "--reduction", "0.055", "--json")
    assert result.exit_code == 1
    message = error_text(result)
    assert message.strip().count("\n") == 0, message
    assert "Traceback" not in message
    for part in expected:
        assert part in message


def test_missing_file_and_bad_options(tmp_path, units_csv):
    missing = run("targets", "allocate", tmp_path / "nope.csv", "--reduction", "0.055")
    assert missing.exit_code == 1 and "nope.csv" in error_text(missing) and "does not exist" in error_text(missing)
    method = run("targets", "allocate", units_csv, "--reduction", "0.055", "--method", "fair")
    assert method.exit_code == 1 and "stretch, uniform, negotiated" in error_text(method)
    reduction = run("targets", "allocate", units_csv, "--reduction", "5.5")
    assert reduction.exit_code == 1 and "0.055" in error_text(reduction)


# --- requirement ---------------------------------------------------------------------------------


def test_requirement_json_contract():
    result = run("requirement", *PSA1, "--json")
    assert result.exit_code == 0, error_text(result)
    data = json.loads(result.stdout)
    assert set(data) == REQUIREMENT_KEYS
    assert round(data["projected_change"], 3) == -0.182
    assert data["meets"] is False
    assert data["shortfall"] == 7571
    assert round(data["required_in_year_change"], 4) == -0.0693


def test_requirement_human_output_in_words():
    result = run("requirement", *PSA1)
    assert result.exit_code == 0
    assert "-18.2%" in result.stdout and "NOT met" in result.stdout
    assert "-6.93%" in result.stdout and "7,571" in result.stdout


def test_requirement_met_has_no_shortfall():
    args = PSA1[:5] + ["-0.07"] + PSA1[6:]
    data = json.loads(run("requirement", *args, "--json").stdout)
    assert data["meets"] is True and data["shortfall"] == 0


def test_requirement_needs_plan_or_figures(london):
    missing = run("requirement", "--latest-change", "-0.134")
    assert missing.exit_code == 1 and "--planned-change" in error_text(missing)
    both = run("requirement", london, *PSA1)
    assert both.exit_code == 1 and "not both" in error_text(both)


@pytest.mark.parametrize("option, value, message", [
    ("--latest-change", "-1.5", "--latest-change: not a change above -100% (found '-1.5'); accepted: a signed fraction above -1"),
    ("--planned-change", "nan", "--planned-change: not a change above -100% (found 'nan')"),
    ("--baseline", "-5", "--baseline: not a number of crimes above 0 (found -5); accepted: a volume such as 612000"),
])
def test_requirement_figures_out_of_range_name_the_option(option, value, message):
    args = list(PSA1)
    args[args.index(option) + 1] = value
    result = run("requirement", *args)
    assert result.exit_code == 1 and message in error_text(result)
    assert len(error_text(result).strip().splitlines()) == 1


def test_requirement_on_a_plan_without_one_says_so(project_root):
    result = run("requirement", project_root / "examples" / "london-2023-24")
    assert result.exit_code == 1
    assert "the plan has no external requirement" in error_text(result) and "None" not in error_text(result)
    unknown = run("requirement", project_root / "examples" / "london-2007-08", "--requirement", "psa9")
    assert unknown.exit_code == 1 and "'psa9'" in error_text(unknown) and "accepted: psa1" in error_text(unknown)


def test_requirement_on_the_london_plan(london):
    result = run("requirement", london, "--json")
    assert result.exit_code == 0, error_text(result)
    data = json.loads(result.stdout)
    assert REQUIREMENT_KEYS <= set(data)
    assert data["requirement"] == "psa1"
    assert round(data["projected_change"] * 100, 1) == -18.2
    assert round(data["required_in_year_change"] * 100, 2) == -6.93
    assert data["shortfall"] == 7571 and data["planned_change"] == pytest.approx(-0.055)


# --- targets PLAN_DIR ----------------------------------------------------------------------------


def test_targets_plan_dir_and_targets_plan_give_the_same(london):
    short = run("targets", london, "--json")
    long = run("targets", "plan", london, "--json")
    option_first = run("targets", "--measure", "bcs-comparator-crimes", london, "--json")
    assert short.exit_code == long.exit_code == option_first.exit_code == 0, error_text(short)
    assert short.stdout == long.stdout == option_first.stdout
    data = json.loads(short.stdout)  # the plan's own unit targets, checked (test_cli_plan_targets.py has more)
    assert data["targets"] == "plan" and data["allocation"]["method"] == "stretch"
    assert data["measure"] == "bcs-comparator-crimes"
    assert len(data["units"]) == 32 and data["meets"]
    assert data["requirement"]["id"] == "psa1" and data["requirement"]["meets"] is False


def test_targets_plan_what_if(london):
    data = json.loads(run("targets", london, "--reduction", "0.0693", "--cap", "E09000033=0.08", "--json").stdout)
    assert data["requirement"]["meets"] is True
    westminster = next(u for u in data["units"] if u["unit"] == "E09000033")
    assert westminster["reduction"] <= 0.08 + 1e-12 and "cap of 8.0%" in westminster["reason"]
    unknown = run("targets", london, "--floor", "E09999999=0.01")
    assert unknown.exit_code == 1 and "E09999999" in error_text(unknown)
    malformed = run("targets", london, "--cap", "E09000033")
    assert malformed.exit_code == 1 and "UNIT=FRACTION" in error_text(malformed)
    not_fraction = run("targets", london, "--cap", "E09000033=5")
    assert not_fraction.exit_code == 1
    assert "--cap E09000033: not a fraction (found '5'); accepted: a fraction" in error_text(not_fraction)
    assert "or 'none'" in error_text(not_fraction) and "blank" not in error_text(not_fraction)


def test_targets_plan_what_if_that_cannot_be_met_exits_3_with_its_json(london):
    with open(london / "units.csv", encoding="utf-8", newline="") as handle:
        codes = [row["code"] for row in csv.DictReader(handle)]
    caps = [arg for code in codes for arg in ("--cap", f"{code}=0.01")]
    result = run("targets", london, *caps, "--json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert data["feasible"] is False and data["meets"] is False
    assert data["best_reachable_reduction"] == pytest.approx(0.01, abs=1e-3)


def test_targets_plan_human_output(london):
    result = run("targets", london)
    assert result.exit_code == 0, error_text(result)
    assert "Westminster" in result.stdout and "NOT met" in result.stdout  # PSA1
    assert "corporate figure met" in result.stdout.replace("\n", " ")


def test_targets_plan_errors(london, tmp_path):
    missing = run("targets", tmp_path / "no-plan")
    assert missing.exit_code == 1 and "no-plan: the plan folder does not exist" in error_text(missing)
    for command in (["targets"], ["partners"], ["requirement"]):
        a_file = run(*command, london / "plan.yaml")
        assert a_file.exit_code == 1
        assert "plan.yaml: the plan folder is a file, not a folder; accepted: a folder that holds plan.yaml" in error_text(a_file)
    measure = run("targets", london, "--measure", "nope")
    assert measure.exit_code == 1 and "bcs-comparator-crimes" in error_text(measure)


def test_targets_help_reads_well():
    group = run("targets", "--help")
    assert group.exit_code == 0
    assert "targets PLAN_DIR" in group.stdout and "targets allocate UNITS_CSV" in group.stdout
    allocate_help = run("targets", "allocate", "--help")
    assert allocate_help.exit_code == 0 and "--reduction" in allocate_help.stdout
    assert "stretch" in allocate_help.stdout


# --- partners ------------------------------------------------------------------------------------


def test_partners_on_the_london_plan_converts_another_baseline_year(london, london_dir):
    from policingplan.plan.io import load_plan

    result = run("partners", london, "--json")
    assert result.exit_code == 0, error_text(result)
    data = json.loads(result.stdout)
    assert {"required_total", "unit_total", "stretched_total", "meets", "slack", "partner_targets"} <= set(data)
    assert data["slack"] == data["required_total"] - data["stretched_total"]
    assert data["stretched_total"] <= data["unit_total"]

    plan = load_plan(london)
    other_year = [p for p in plan.partner_targets if p.measure == "bcs-comparator-crimes" and p.baseline_period != "2006/07"]
    assert other_year, "the example has a partner target on another baseline year"
    target = other_year[0]
    start = target.baseline_period.split("/")[0]
    with open_text(london_dir / "gla-recorded-offences-by-borough-fy_1999-00_2009-10.csv.gz") as handle:
        volume = next(int(r["Value"]) for r in csv.DictReader(handle) if r["Code"] == target.unit and r["Year"] == f"{start}-12-31")
    row = next(r for r in data["partner_targets"] if r["unit"] == target.unit)
    assert row["comparable"] is True
    assert row["partner_volume"] == math.floor(volume * (1 + target.change))
    assert row["binds"] in ("partner", "unit target", "both")


def test_partners_human_output(london):
    result = run("partners", london)
    assert result.exit_code == 0, error_text(result)
    assert "Adopting every more stretching target" in result.stdout.replace("\n", " ")


# --- the installed command ------------------------------------------------------------------------


def test_installed_command(units_csv):
    exe = Path(sys.executable).parent / "policingplan"
    done = subprocess.run([exe, "targets", "allocate", units_csv, "--reduction", "0.055", "--json"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert set(json.loads(done.stdout)) == ALLOCATION_KEYS
    done = subprocess.run([exe, "requirement", *PSA1, "--json"], capture_output=True, text=True)
    assert json.loads(done.stdout)["shortfall"] == 7571


def test_the_command_line_knows_the_cores_methods():
    from policingplan.cli import targets_cmds
    from policingplan.targets.allocation import METHODS

    assert targets_cmds.METHODS == METHODS


def test_a_given_reduction_is_shown_with_the_places_it_needs(london):
    result = run("targets", london, "--reduction", "0.0693")
    text = " ".join(result.stdout.split())
    assert result.exit_code == 0 and "Corporate reduction 6.93% (stretch method)" in text
    assert "then -6.93% planned" in text
    default = " ".join(run("targets", "allocate", london).stdout.split())
    assert "Corporate reduction 5.5% (stretch method)" in default and "then -5.5% planned" in default


def test_partners_adopting_every_more_stretching_target_by_hand(london, london_dir):
    """The stretched total and the slack, counted from the example's CSV files and the GLA file."""
    with open(london / "unit_targets.csv", encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["measure"] == "bcs-comparator-crimes"]
    baseline = {r["scope"]: float(r["baseline"]) for r in rows}
    own = {r["scope"]: math.floor(float(r["baseline"]) * (1 + float(r["value"])) + 1e-7) for r in rows}
    with open_text(london_dir / "gla-recorded-offences-by-borough-fy_1999-00_2009-10.csv.gz") as handle:
        gla = {(r["Code"], r["Year"][:4]): r["Value"] for r in csv.DictReader(handle)}
    adopted = dict(own)
    with open(london / "partner_targets.csv", encoding="utf-8", newline="") as handle:
        for p in csv.DictReader(handle):
            if p["measure"] != "bcs-comparator-crimes":
                continue
            assert p["period"] == "2007/08"  # one-year targets: no spreading over years here
            start = p["baseline_period"][:4]
            base = baseline[p["unit"]] if p["baseline_period"] == "2006/07" else float(gla[(p["unit"], start)])
            adopted[p["unit"]] = min(own[p["unit"]], math.floor(base * (1 + float(p["change"])) + 1e-7))
    required = math.floor(sum(baseline.values()) * (1 - 0.055))

    data = json.loads(run("partners", london, "--json").stdout)
    assert data["unit_total"] == sum(own.values())
    assert data["required_total"] == required
    assert data["stretched_total"] == sum(adopted.values()) < sum(own.values())
    assert data["slack"] == required - sum(adopted.values())
    assert data["meets"] is (data["slack"] >= 0)
    for row in data["partner_targets"]:
        assert row["unit_target"] == own[row["unit"]]
        if row["comparable"]:  # the gap is the difference of the two figures shown
            assert row["gap"] == row["partner_volume"] - row["unit_target"]


def test_a_plan_without_a_single_allocatable_measure_says_what_is_accepted(project_root, tmp_path):
    several = run("targets", project_root / "examples" / "london-2023-24")
    assert several.exit_code == 1
    assert "--measure:" in error_text(several)
    assert "accepted: neighbourhood-crime, violence-with-injury, knife-crime-offences" in error_text(several)
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "plan.yaml").write_text("id: a\nname: A\norganisation: O\nperiod: 2007/08\n", encoding="utf-8")
    none = run("targets", bare)
    assert none.exit_code == 1
    assert "unit_targets.csv: the plan a has no unit targets for 2007/08; accepted: one row per unit" in error_text(none)


@pytest.mark.parametrize("command", [["partners"], ["targets"]])
def test_a_narrow_terminal_folds_cells_rather_than_cutting_them(london, monkeypatch, command):
    from policingplan.cli.common import console

    monkeypatch.setattr(console, "_width", 80)
    result = run(*command, london)
    assert result.exit_code == 0, error_text(result)
    assert "…" not in result.stdout


def test_partners_convert_a_monthly_source_to_the_partner_baseline_year(project_root, london_dir):
    """Newham's target on 2021/22 is applied to its 2021/22 count, summed by hand from the monthly file."""
    from policingplan.plan.io import load_plan

    plan_dir = project_root / "examples" / "london-2023-24"
    plan = load_plan(plan_dir)
    minors = set(plan.measure("neighbourhood-crime").rule.count["minor"])
    months = [f"2021{m:02d}" for m in range(4, 13)] + [f"2022{m:02d}" for m in range(1, 4)]
    with open_text(london_dir / "mps-recorded-crime-borough-monthly_2010-04_2024-02.csv.gz") as handle:
        counted = sum(int(r[m]) for r in csv.DictReader(handle) if r["boroughname"] == "Newham" and r["minortext"] in minors
                      for m in months)
    result = run("partners", plan_dir, "--measure", "neighbourhood-crime", "--json")
    assert result.exit_code == 0, error_text(result)
    newham = next(r for r in json.loads(result.stdout)["partner_targets"] if r["unit"] == "E09000025")
    assert newham["comparable"] is True
    assert newham["partner_volume"] == math.floor(counted * (1 - 0.12) ** (2 / 3) + 1e-7)  # 2 of its 3 years
    assert f"recorded {counted:,} crimes in 2021/22" in newham["reason"]


def test_targets_rate_gives_the_chance_of_80_and_85_percent_by_the_binomial():
    from scipy.stats import binom

    result = runner.invoke(app, ["targets", "rate", "--volume", "170", "--true-rate", "0.822",
                                 "--target", "0.80", "--target", "0.85", "--json"])
    assert result.exit_code == 0, result.output
    chances = {c["target_rate"]: c["probability"] for c in json.loads(result.stdout)}
    # At least ceil(0.80 × 170) = 136 and ceil(0.85 × 170) = 145 detections of 170.
    assert chances[0.80] == pytest.approx(binom.sf(135, 170, 0.822), abs=1e-9)
    assert chances[0.85] == pytest.approx(binom.sf(144, 170, 0.822), abs=1e-9)
    assert chances[0.80] > 0.75 > 0.2 > chances[0.85]  # why the report moved the target from 85% to 80%


def test_targets_rate_with_never_sanctionable_cases_cannot_reach_the_target():
    result = runner.invoke(app, ["targets", "rate", "--never-sanctionable", "52", "--target", "0.80",
                                 "--true-rate", "0.99"])
    assert result.exit_code == 0, result.output
    assert "cannot be met" in result.stdout and "69.4%" in result.stdout  # (170 − 52) ÷ 170


@pytest.mark.parametrize("args, message", [
    (["--target", "1.5"], "--target: not a rate between 0 and 1 (found '1.5')"),
    (["--volume", "0"], "--volume"),
    (["--never-sanctionable", "200"], "--never-sanctionable: 200 is outside 0 to the volume (170)"),
])
def test_targets_rate_refuses_figures_out_of_range_in_one_line(args, message):
    result = runner.invoke(app, ["targets", "rate", *args])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
