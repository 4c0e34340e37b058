"""The command-line contract: data load, data status and measures, their exit codes and JSON keys."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policingplan.cli import app
from policingplan.plan.io import write_plan

from .conftest import HOMICIDES, MPS_MONTHLY, TFL_2019, WESTMINSTER

runner = CliRunner()
POLICINGPLAN = Path(sys.executable).parent / "policingplan"

FILE_KEYS = {"file", "kind", "status", "sha256", "rows_read", "rows_accepted", "vintage", "load_id",
             "loaded_at", "replacements", "message"}
MEASURE_KEYS = {"measure", "unit", "month", "numerator", "denominator"}


def _invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture()
def plan_dir(tmp_path, london_plan) -> Path:
    path = tmp_path / "plan"
    write_plan(london_plan, path)
    return path


def test_data_load_prints_the_load_report_as_json(tmp_path, data_dir):
    warehouse = tmp_path / "wh"
    result = _invoke("data", "load", "tfl-casualties", data_dir / TFL_2019, "--warehouse", warehouse, "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"ok", "warehouse", "files", "errors", "warnings", "plan", "categories"}
    assert report["ok"] is True and report["errors"] == []
    (loaded,) = report["files"]
    assert set(loaded) == FILE_KEYS
    assert loaded["status"] == "loaded" and loaded["rows_read"] == 30007 and loaded["kind"] == "tfl-casualties"

    again = json.loads(_invoke("data", "load", "tfl-casualties", data_dir / TFL_2019,
                               "--warehouse", warehouse, "--json").stdout)
    assert again["files"][0]["status"] == "already loaded"


def test_data_load_with_a_bad_file_exits_1_names_the_fault_and_loads_nothing(tmp_path, data_dir):
    bad = tmp_path / "bad.csv"
    bad.write_text("majortext,minortext,boroughname,202304\nBURGLARY,DOMESTIC BURGLARY,Westminster,-4\n",
                   encoding="utf-8")
    warehouse = tmp_path / "wh"
    result = _invoke("data", "load", "mps-borough-monthly", data_dir / MPS_MONTHLY, bad,
                     "--warehouse", warehouse, "--json")

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    (error,) = report["errors"]
    assert {"file", "line", "column", "value", "message"} <= set(error)
    assert (error["file"], error["line"], error["column"], error["value"]) == (str(bad), 2, "202304", "-4")
    assert [f["status"] for f in report["files"]] == ["rejected", "rejected"]
    status = json.loads(_invoke("data", "status", "--warehouse", warehouse, "--json").stdout)
    assert status["loads"] == [] and status["sources"] == []


def test_data_load_without_json_prints_one_line_errors_not_a_traceback(tmp_path):
    result = _invoke("data", "load", "mps-borough-monthly", tmp_path / "missing.csv", "--warehouse", tmp_path / "wh")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "missing.csv" in result.stderr

    unknown = _invoke("data", "load", "police-uk", tmp_path / "x.csv", "--warehouse", tmp_path / "wh")
    assert unknown.exit_code == 1
    assert "police-uk-street" in unknown.stderr and "Traceback" not in unknown.output


def test_data_status_lists_loads_and_rows_by_source(tmp_path, data_dir):
    warehouse = tmp_path / "wh"
    assert _invoke("data", "load", "mps-homicide-victims", data_dir / HOMICIDES, "--warehouse", warehouse).exit_code == 0

    status = json.loads(_invoke("data", "status", "--warehouse", warehouse, "--json").stdout)
    assert set(status) == {"warehouse", "loads", "sources"}
    (load,) = status["loads"]
    assert {"load_id", "kind", "file", "sha256", "vintage", "rows_read", "rows_accepted", "loaded_at",
            "replaced"} <= set(load)
    assert load["file"] == Path(HOMICIDES).name
    (source,) = status["sources"]
    assert source["kind"] == "mps-homicide-victims" and source["rows"] > 0

    human = _invoke("data", "status", "--warehouse", warehouse)
    assert human.exit_code == 0 and "2,670" in human.stdout


def test_data_load_plan_loads_every_source_the_plan_names(tmp_path, data_dir, plan_dir):
    warehouse = tmp_path / "wh"
    result = _invoke("data", "load", "--plan", plan_dir, "--data-dir", data_dir, "--warehouse", warehouse, "--json")

    assert result.exit_code == 0, result.output
    kinds = [f["kind"] for f in json.loads(result.stdout)["files"]]
    assert kinds == ["mps-borough-monthly", "tfl-casualties", "mps-homicide-victims", "mps-crime-dashboard"]


def test_measures_gives_rows_with_the_contract_keys_as_json_and_csv(tmp_path, data_dir, plan_dir):
    warehouse = tmp_path / "wh"
    assert _invoke("data", "load", "mps-borough-monthly", data_dir / MPS_MONTHLY,
                   "--warehouse", warehouse).exit_code == 0

    result = _invoke("measures", plan_dir, "--measure", "burglary", "--unit", WESTMINSTER,
                     "--from", "2023-04", "--to", "2023-09", "--warehouse", warehouse, "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert [r["month"] for r in rows] == [f"2023-{m:02d}" for m in range(4, 10)]
    assert all(MEASURE_KEYS <= set(r) for r in rows)
    assert all(r["measure"] == "burglary" and r["unit"] == WESTMINSTER and r["denominator"] is None for r in rows)
    assert all(isinstance(r["numerator"], int) for r in rows)

    as_csv = _invoke("measures", plan_dir, "--measure", "burglary", "--unit", WESTMINSTER,
                     "--from", "2023-04", "--to", "2023-09", "--warehouse", warehouse, "--csv")
    parsed = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [int(r["numerator"]) for r in parsed] == [r["numerator"] for r in rows]
    assert MEASURE_KEYS <= set(parsed[0])


def test_measures_whose_source_is_not_loaded_tells_the_exact_load_command(tmp_path, data_dir, plan_dir):
    warehouse = tmp_path / "wh"
    result = _invoke("measures", plan_dir, "--measure", "ksi", "--warehouse", warehouse, "--json")

    assert result.exit_code == 1
    assert result.stdout == ""
    message = " ".join(result.stderr.split())
    assert "policingplan data load tfl-casualties" in message
    assert "tfl-road-casualties-2019.csv.gz" in message and f"--warehouse {warehouse}" in message


def test_the_installed_command_loads_and_computes_end_to_end(tmp_path, data_dir, plan_dir):
    warehouse = tmp_path / "wh"
    load = subprocess.run(
        [POLICINGPLAN, "data", "load", "tfl-casualties", data_dir / TFL_2019, "--warehouse", warehouse, "--json"],
        capture_output=True, text=True, check=False,
    )
    assert load.returncode == 0, load.stderr
    assert json.loads(load.stdout)["ok"] is True

    measures = subprocess.run(
        [POLICINGPLAN, "measures", plan_dir, "--measure", "child_ksi", "--unit", "force",
         "--warehouse", warehouse, "--json"],
        capture_output=True, text=True, check=False,
    )
    assert measures.returncode == 0, measures.stderr
    assert json.loads(measures.stdout)["rows"] == [{"measure": "child_ksi", "unit": "force", "month": "2019",
                                                    "period_kind": "year", "numerator": 211, "denominator": None,
                                                    "value": 211, "source": "tfl-casualties"}]


def test_data_load_vintage_option_replaces_older_figures_and_says_so(tmp_path):
    warehouse = tmp_path / "wh"
    first = tmp_path / "officers-july.csv"
    first.write_text("unit,month,measure,numerator,denominator\nWestminster,2023-04,officers,900,\n",
                     encoding="utf-8")
    revised = tmp_path / "officers-august.csv"
    revised.write_text("unit,month,measure,numerator,denominator\nWestminster,2023-04,officers,905,\n",
                       encoding="utf-8")
    assert _invoke("data", "load", "tidy", first, "--vintage", "2025-07-01", "--warehouse", warehouse).exit_code == 0

    result = _invoke("data", "load", "tidy", revised, "--vintage", "2025-08-01", "--warehouse", warehouse)

    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())
    assert "replaced 2023-04 from vintage 2025-07-01" in said
    older = _invoke("data", "load", "tidy", tmp_path / "officers-july.csv", "--vintage", "2025-06-01",
                    "--warehouse", warehouse, "--json")
    # the July file was loaded before (same checksum): nothing changes, whatever vintage is claimed
    assert json.loads(older.stdout)["files"][0]["status"] == "already loaded"
