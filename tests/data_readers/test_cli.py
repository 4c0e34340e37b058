"""``policingplan data check``, ``data totals`` and ``data template``: the command-line contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from policingplan.attribution import attribution
from policingplan.cli import app
from policingplan.data.readers import read_source

FIXTURES = Path(__file__).parent / "fixtures"
runner = CliRunner()


def test_check_json_for_a_good_and_a_bad_file():
    result = runner.invoke(app, ["data", "check", "mps-borough-monthly",
                                 str(FIXTURES / "mps-monthly-good.csv"),
                                 str(FIXTURES / "mps-monthly-bad-counts.csv"), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert set(report) == {"ok", "rows", "errors", "warnings"}
    assert report["ok"] is False and report["rows"] == 3 + 4
    assert len(report["errors"]) == 4 and len(report["warnings"]) == 1
    for problem in report["errors"]:
        assert {"file", "line", "column", "value", "message"} <= set(problem)
    assert {(e["line"], e["value"]) for e in report["errors"]} == {
        (2, "ten"), (3, "-3"), (4, "99999999"), (5, "4.5")}


def test_check_exits_0_when_only_warnings(london_dir: Path):
    result = runner.invoke(app, ["data", "check", "mps-borough-monthly",
                                 str(FIXTURES / "mps-monthly-good.csv"), "--json"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["rows"] == 3 and report["errors"] == []


def test_check_human_output_names_the_file_and_line():
    result = runner.invoke(app, ["data", "check", "mps-borough-monthly",
                                 str(FIXTURES / "mps-monthly-duplicate.csv")])
    assert result.exit_code == 1
    assert "mps-monthly-duplicate.csv, line 4" in result.output
    assert "1 file(s), 3 rows: 1 rejected" in result.output


def test_an_unknown_kind_lists_the_kinds():
    result = runner.invoke(app, ["data", "check", "mps-monthly", str(FIXTURES / "mps-monthly-good.csv")])
    assert result.exit_code == 1
    assert "mps-borough-monthly" in result.output and "Traceback" not in result.output


def test_totals_by_unit_with_where_ored_and_anded():
    file = str(FIXTURES / "police-uk-street-mixed-forces.csv")
    result = runner.invoke(app, ["data", "totals", "police-uk-street", file, "--period", "month",
                                 "--by", "unit", "--where", "crime_type=Burglary,robbery", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"] == [
        {"unit": "E09000007", "period": "2023-04", "count": 2},
        {"unit": "MPS-UNKNOWN", "period": "2023-04", "count": 1},
    ]
    result = runner.invoke(app, ["data", "totals", "police-uk-street", file, "--period", "fy",
                                 "--by", "force", "--where", "crime_type=Burglary,Robbery",
                                 "--where", "outcome=Under investigation", "--json"])
    document = json.loads(result.stdout)
    assert document["rows"] == [{"unit": "force", "period": "2023/24", "count": 2}]
    assert document["attribution"] == attribution(["police-uk-street"])


def test_totals_unknown_attribute_lists_the_kinds_attributes():
    result = runner.invoke(app, ["data", "totals", "tfl-casualties",
                                 str(FIXTURES / "tfl-casualties-2018-format.csv"),
                                 "--period", "year", "--where", "sev=fatal"])
    assert result.exit_code == 1
    assert "severity, age_group, mode, casualty_class" in result.output


def test_totals_cannot_turn_calendar_years_into_financial_years():
    result = runner.invoke(app, ["data", "totals", "tfl-casualties",
                                 str(FIXTURES / "tfl-casualties-2018-format.csv"), "--period", "fy"])
    assert result.exit_code == 1
    assert "calendar years" in result.output and "--period year" in result.output


def test_totals_refuses_a_file_with_errors():
    result = runner.invoke(app, ["data", "totals", "mps-borough-monthly",
                                 str(FIXTURES / "mps-monthly-bad-counts.csv"), "--period", "month"])
    assert result.exit_code == 1
    assert "nothing was counted" in result.output


def test_totals_human_table_uses_british_thousands(london_dir: Path):
    result = runner.invoke(app, ["data", "totals", "ons-lsoa-population",
                                 str(london_dir / "ons-population-lsoa-mid2020.csv.gz"),
                                 "--period", "year", "--by", "force"])
    assert result.exit_code == 0
    assert "9,002,488" in result.output


def test_template_csv_and_xlsx_read_back_as_tidy(tmp_path: Path):
    for name in ("tidy.csv", "tidy.xlsx"):
        out = tmp_path / name
        result = runner.invoke(app, ["data", "template", "tidy", str(out)])
        assert result.exit_code == 0, result.output
        read = read_source("tidy", out)
        assert read.ok, [str(p) for p in read.problems]
        assert read.rows_accepted == 3
        rows = {(r["unit"], r["period"], r["measure"]): (r["numerator"], r["denominator"])
                for r in read.table.to_pylist()}
        assert rows[("E09000007", "2024-04", "public_confidence")] == (812.0, 1000.0)
        assert rows[("E09000033", "2024-04", "police_officers")] == (1650.0, None)


def test_template_to_stdout_and_a_bad_suffix(tmp_path: Path):
    result = runner.invoke(app, ["data", "template", "tidy"])
    assert result.stdout.splitlines()[0] == "unit,month,measure,numerator,denominator"
    result = runner.invoke(app, ["data", "template", "tidy", str(tmp_path / "t.txt")])
    assert result.exit_code == 1 and ".csv or .xlsx" in result.output


def test_check_through_the_installed_command(london_dir: Path):
    exe = Path(sys.executable).with_name("policingplan")
    done = subprocess.run([str(exe), "data", "check", "tfl-casualties",
                           str(london_dir / "tfl-road-casualties-2019.csv.gz"), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"ok": True, "rows": 30007, "errors": [], "warnings": []}
    done = subprocess.run([str(exe), "data", "check", "tfl-casualties",
                           str(FIXTURES / "binary-garbage.csv")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "binary" in done.stderr and "Traceback" not in done.stderr


def test_totals_notes_years_the_files_cover_only_in_part(data_dir: Path):
    files = sorted(str(p) for p in (data_dir / "city-of-london" / "police-uk-street").glob("*.csv.gz"))
    result = runner.invoke(app, ["data", "totals", "police-uk-street", *files, "--period", "fy",
                                 "--by", "force", "--where", "crime_type=Burglary"])
    assert result.exit_code == 0
    [note] = [line for line in result.output.splitlines() if "only part of" in line]
    assert "2021/22, 2023/24" in note and "2022/23" not in note
