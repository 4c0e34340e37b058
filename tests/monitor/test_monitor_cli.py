"""``policingplan monitor`` on the London 2023/24 example and the project's real data."""

from __future__ import annotations

import csv
import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policingplan.cli import app
from policingplan.cli.common import console
from policingplan.data.units import LONDON_BOROUGHS
from policingplan.formatting import fmt_pct
from policingplan.services.monitor import JSON_KEYS
from tests.monitor.conftest import load_plan_sources
from policingplan.data.files import open_text

BOROUGH_FILE = "london/mps-recorded-crime-borough-monthly_2010-04_2024-02.csv.gz"
DASHBOARD_FILE = "london/mps-crime-dashboard-borough_2021-08_2025-07.csv.gz"
HOMICIDE_FILE = "london/mps-homicide-victims_2003-2023.csv.gz"
BOROUGHS_32 = {code for code in LONDON_BOROUGHS if code != "E09000001"}  # the City of London is another force

runner = CliRunner()


def _monitor_json(example_dir: Path, warehouse: Path, *extra: str) -> list[dict]:
    result = runner.invoke(app, ["monitor", str(example_dir), "--warehouse", str(warehouse), "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["targets"]


@pytest.fixture(scope="module")
def september(example_dir, example_warehouse) -> list[dict]:
    return _monitor_json(example_dir, example_warehouse, "--as-of", "2023-09")


def test_validate_exits_zero(example_dir):
    result = runner.invoke(app, ["validate", str(example_dir)])
    assert result.exit_code == 0, result.output


def test_the_plan_says_it_is_illustrative(example_plan):
    assert example_plan.illustrative is True
    assert "illustrative plan built on real data, not an official one" in example_plan.summary.lower()


def test_one_object_per_target_with_the_force_and_all_32_boroughs(september, example_plan):
    assert len(september) == len(example_plan.targets)
    assert {(o["measure"], o["unit"]) for o in september} == {(t.measure, t.scope) for t in example_plan.targets}
    assert all(list(o)[:len(JSON_KEYS)] == list(JSON_KEYS) for o in september)
    units = {o["unit"] for o in september}
    assert "force" in units and BOROUGHS_32 <= units


def test_targets_are_in_the_measures_own_terms(september, example_plan, data_dir):
    by_key = {(o["measure"], o["unit"]): o for o in september}
    # a count: the corporate -5% on the stated 2022/23 baseline, as a volume
    assert by_key[("neighbourhood-crime", "force")]["target"] == pytest.approx(234682 * 0.95)
    # a ratio: the rate itself
    assert by_key[("domestic-abuse-positive-outcome-rate", "force")]["target"] == pytest.approx(0.11)
    rate = by_key[("domestic-abuse-positive-outcome-rate", "force")]
    assert 0 < rate["year_to_date"] < 1 and 0 < rate["forecast_total"] < 1
    assert rate["interval_80"][0] <= rate["forecast_total"] <= rate["interval_80"][1]
    # the homicide source is by calendar year: reported, not judged
    homicide = by_key[("homicide-solved-rate", "force")]
    assert homicide["p_meet_target"] is None
    with open_text(data_dir / HOMICIDE_FILE) as handle:
        victims = [r for r in csv.DictReader(handle) if r["Year"] == "2022"]
    solved = sum(r["Solved_Status"] == "Solved" for r in victims)
    assert any(f"2022: {fmt_pct(solved / len(victims))} ({solved} of {len(victims)})" in w for w in homicide["warnings"])


def test_unit_baselines_in_the_plan_agree_with_the_warehouse(september):
    """The plan's stated baselines (from make_unit_targets.py) match what the monitor counts."""
    disagreements = [(o["measure"], o["unit"], w) for o in september for w in o["warnings"] if "differs from the data" in w]
    assert disagreements == []


def _hand_count(data_dir: Path, borough: str, minors: set[str], months: list[str]) -> int:
    total = 0
    with open_text(data_dir / BOROUGH_FILE) as handle:
        for row in csv.DictReader(handle):
            if row["boroughname"] == borough and row["minortext"] in minors:
                total += sum(int(row[m]) for m in months)
    return total


def test_a_boroughs_year_to_date_matches_a_hand_count_from_the_shared_file(september, data_dir):
    months = ["202304", "202305", "202306", "202307", "202308", "202309"]
    neighbourhood = {
        "DOMESTIC BURGLARY", "RES BURGLARY OF A HOME", "RES BURGLARY OF UNCONNECTED BUILDING",
        "ROBBERY OF PERSONAL PROPERTY", "THEFT FROM THE PERSON", "AGGRAVATED VEHICLE TAKING",
        "INTERFERING WITH A MOTOR VEHICLE", "THEFT FROM A VEHICLE", "THEFT OR UNAUTH TAKING OF A MOTOR VEH",
    }
    by_key = {(o["measure"], o["unit"]): o for o in september}
    kingston = "E09000021"
    assert by_key[("neighbourhood-crime", kingston)]["year_to_date"] == _hand_count(
        data_dir, "Kingston upon Thames", neighbourhood, months)
    assert by_key[("violence-with-injury", kingston)]["year_to_date"] == _hand_count(
        data_dir, "Kingston upon Thames", {"VIOLENCE WITH INJURY"}, months)


def _altered_copies(data_dir: Path, folder: Path) -> dict[str, Path]:
    """Copies of the real files with every month after September 2023 changed."""
    borough = folder / "borough.csv"
    with open_text(data_dir / BOROUGH_FILE) as src, open(borough, "w", newline="") as dst:
        reader, writer = csv.reader(src), csv.writer(dst)
        header = next(reader)
        writer.writerow(header)
        later = [i for i, name in enumerate(header) if name.isdigit() and name > "202309"]
        for row in reader:
            for i in later:
                row[i] = str(int(row[i]) * 3 + 11)
            writer.writerow(row)
    dashboard = folder / "dashboard.csv"
    with open_text(data_dir / DASHBOARD_FILE) as src, open(dashboard, "w", newline="") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
        writer.writeheader()
        for row in reader:
            if row["month_year"] > "2023-09-31":
                row["count"] = str(int(row["count"]) * 2 + 5)
            writer.writerow(row)
    homicide = folder / "homicide.csv"
    with open_text(data_dir / HOMICIDE_FILE) as src, open(homicide, "w", newline="") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
        writer.writeheader()
        for row in reader:
            if row["Year"] == "2023":  # the calendar year 2023 ends after the as-of month
                row["Solved_Status"] = "Unsolved"
            writer.writerow(row)
    return {BOROUGH_FILE: borough, DASHBOARD_FILE: dashboard, HOMICIDE_FILE: homicide}


def test_nothing_after_as_of_is_used(september, example_dir, example_plan, data_dir, tmp_path):
    copies = _altered_copies(data_dir, tmp_path)
    altered = load_plan_sources(example_plan, data_dir, tmp_path / "warehouse", replaced=copies)
    assert _monitor_json(example_dir, altered, "--as-of", "2023-09") == september
    # the change is real: a month later, the same targets read differently
    later = _monitor_json(example_dir, altered, "--as-of", "2023-10", "--unit", "E09000021")
    kingston = [o for o in september if o["unit"] == "E09000021"]
    assert [o["year_to_date"] for o in later] != [o["year_to_date"] for o in kingston]


def test_unit_option_keeps_one_units_targets(example_dir, example_warehouse, september):
    kingston = _monitor_json(example_dir, example_warehouse, "--as-of", "2023-09", "--unit", "Kingston upon Thames")
    assert {o["unit"] for o in kingston} == {"E09000021"}
    assert kingston == [o for o in september if o["unit"] == "E09000021"]


def test_default_as_of_is_the_latest_month_every_measure_has(example_dir, example_warehouse):
    # The borough file ends in February 2024, before the dashboard does.
    result = runner.invoke(app, ["monitor", str(example_dir), "--warehouse", str(example_warehouse), "--unit", "force"])
    assert result.exit_code == 0, result.output
    assert "February 2024" in result.stdout


def test_the_table_carries_status_in_symbols_and_words(example_dir, example_warehouse, monkeypatch):
    monkeypatch.setattr(console, "_width", 200)  # a wide terminal, so that no cell wraps
    result = runner.invoke(app, ["monitor", str(example_dir), "--warehouse", str(example_warehouse),
                                 "--as-of", "2023-09"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Illustrative plan built on real data, not an official one." in text
    assert "✗ unlikely (" in text  # the symbol, the word and the chance
    assert "Kingston upon Thames" in text and "Roll-up for the force" in text
    assert f"≤ {math.floor(234682 * 0.95):,}" in text  # whole crimes that meet the target, with thousands commas
    # The units' grid: each cell a symbol and a chance, and a worst-status column with counts.
    assert re.search(r"[▲●✗] \d{1,3}%", text)
    assert re.search(r"✗ \d of 3 unlikely", text)


def test_a_narrow_terminal_folds_cells_rather_than_cutting_them(example_dir, example_warehouse, monkeypatch):
    monkeypatch.setattr(console, "_width", 80)
    result = runner.invoke(app, ["monitor", str(example_dir), "--warehouse", str(example_warehouse), "--as-of", "2023-09"])
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout
    assert all(len(line) <= 80 for line in result.stdout.splitlines() if line.startswith(("│", "┃")))


@pytest.mark.parametrize("args, message", [
    (["--as-of", "2022-09"], "outside the plan year 2023/24"),
    (["--as-of", "2023-13"], "--as-of: '2023-13' is not a month"),
    (["--as-of", "2023-13"], "accepted: a month as YYYY-MM"),
    (["--unit", "Atlantis"], "--unit 'Atlantis' is not a unit of the plan; accepted: force, or a unit code or name"),
])
def test_user_mistakes_give_one_line_and_exit_one(example_dir, example_warehouse, args, message):
    result = runner.invoke(app, ["monitor", str(example_dir), "--warehouse", str(example_warehouse), *args])
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("name, message", [
    ("plan.yaml", "the plan folder is a file, not a folder; accepted: a folder that holds plan.yaml"),
    ("no-such-plan", "the plan folder does not exist"),
])
def test_a_plan_folder_that_is_a_file_or_missing_is_one_line(example_dir, example_warehouse, name, message):
    result = runner.invoke(app, ["monitor", str(example_dir / name), "--warehouse", str(example_warehouse)])
    assert result.exit_code == 1
    assert f"{example_dir / name}: {message}" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_warehouse_that_is_a_file_is_one_line(example_dir, tmp_path):
    a_file = tmp_path / "warehouse.csv"
    a_file.write_text("not a warehouse\n", encoding="utf-8")
    result = runner.invoke(app, ["monitor", str(example_dir), "--warehouse", str(a_file)])
    assert result.exit_code == 1
    assert f"--warehouse {a_file}: this is a file, not a folder; accepted: a warehouse folder" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_empty_warehouse_names_the_load_command(example_dir, tmp_path):
    empty = tmp_path / "empty"
    result = runner.invoke(app, ["monitor", str(example_dir), "--warehouse", str(empty)])
    assert result.exit_code == 1
    assert f"policingplan data load --plan {example_dir} --warehouse {empty}" in result.stderr


def test_the_installed_command_runs(project_root, example_warehouse):
    command = Path(sys.executable).parent / "policingplan"
    result = subprocess.run(
        [str(command), "monitor", "examples/london-2023-24", "--as-of", "2023-09", "--unit", "force",
         "--json", "--warehouse", str(example_warehouse)],
        cwd=project_root, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert {o["unit"] for o in json.loads(result.stdout)["targets"]} == {"force"}


def test_make_unit_targets_reproduces_the_committed_tables(example_dir, tmp_path):
    copy = tmp_path / "london-2023-24"
    shutil.copytree(example_dir, copy)
    for name in ("units.csv", "unit_targets.csv"):
        (copy / name).unlink()
    result = subprocess.run([sys.executable, str(copy / "make_unit_targets.py")], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert (copy / "units.csv").read_text(encoding="utf-8") == (example_dir / "units.csv").read_text(encoding="utf-8")

    def figures(folder: Path) -> list[dict]:
        # every column but the reason's wording, which the allocation may rephrase
        with open(folder / "unit_targets.csv", encoding="utf-8", newline="") as handle:
            return [{**row, "rationale": row["rationale"].split(":")[0]} for row in csv.DictReader(handle)]

    assert figures(copy) == figures(example_dir)


def test_a_plan_year_the_warehouse_does_not_reach_is_refused(example_plan, example_warehouse):
    from policingplan.data.warehouse import Warehouse
    from policingplan.services.monitor import NoMonthlyData, monitor_plan

    later = example_plan.model_copy(update={"period": "2030/31"})
    with pytest.raises(NoMonthlyData, match="no monthly data for 2030/31"):
        monitor_plan(later, Warehouse(example_warehouse))


def test_the_plans_stated_figures_are_the_datas(example_plan, example_warehouse):
    """Every force baseline in plan.yaml, and the 2019 KSI figure its data note quotes, come from the data."""
    from policingplan.data.measures import measure_values
    from policingplan.data.warehouse import Warehouse
    from policingplan.periods import FinancialYear

    rows = measure_values(example_plan, Warehouse(example_warehouse), unit="force").to_pylist()
    checked = 0
    for target in example_plan.targets:
        if target.scope != "force" or target.baseline is None:
            continue
        months = {str(m) for m in FinancialYear(target.baseline_period).months()}
        year = [r for r in rows if r["measure"] == target.measure and r["month"] in months]
        assert len(year) == 12
        numerator = sum(r["numerator"] for r in year)
        if example_plan.measure(target.measure).kind == "ratio":
            assert target.baseline == pytest.approx(numerator / sum(r["denominator"] for r in year), abs=1e-10)
        else:
            assert target.baseline == numerator
        checked += 1
    assert checked == 5
    (ksi,) = [r for r in rows if r["measure"] == "road-ksi"]
    assert (ksi["month"], ksi["numerator"]) == ("2019", 3905)
    assert "3,905" in example_plan.measure("road-ksi").data_note
