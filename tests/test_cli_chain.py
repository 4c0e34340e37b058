"""Commands that chain (issue 12): ``measures --csv`` writes a file that ``spc`` and ``forecast``
read as it is, on the real London 2023/24 data, with the figures and the attribution checked."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policingplan.attribution import attribution
from policingplan.cli import app
from policingplan.periods import FinancialYear

runner = CliRunner()
PLAN = "examples/london-2023-24"
WESTMINSTER = "E09000033"
MPS = attribution(["mps-borough-monthly"])


def invoke(*args) -> object:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, project_root, data_dir) -> Path:
    path = tmp_path_factory.mktemp("chain") / "wh"
    invoke("data", "load", "--plan", project_root / PLAN, "--data-dir", data_dir, "--warehouse", path)
    return path


def measures_file(project_root, warehouse, tmp_path, measure, unit, *extra) -> tuple[Path, list[dict]]:
    out = tmp_path / f"{measure}-{unit}.csv"
    result = invoke("measures", project_root / PLAN, "--measure", measure, "--unit", unit, *extra,
                    "--warehouse", warehouse, "--csv", "--out", out)
    assert "Wrote" in result.stderr and result.stdout == ""
    with out.open(encoding="utf-8") as handle:
        return out, list(csv.DictReader(handle))


def test_measures_csv_charts_with_spc_as_it_is(project_root, warehouse, tmp_path):
    path, rows = measures_file(project_root, warehouse, tmp_path, "neighbourhood-crime", WESTMINSTER,
                               "--from", "2022-04", "--to", "2024-02")
    assert list(rows[0]) == ["measure", "unit", "month", "period_kind", "numerator", "denominator", "value",
                             "source"]
    assert [r["month"] for r in rows][:2] == ["2022-04", "2022-05"] and len(rows) == 23
    counts = [float(r["numerator"]) for r in rows]
    assert [float(r["value"]) for r in rows] == counts and all(r["source"] == "mps-borough-monthly" for r in rows)

    chart = json.loads(invoke("spc", path, "--direction", "decrease", "--no-screen", "--json").stdout)
    assert [p["y"] for p in chart["points"]] == counts
    assert chart["points"][0]["mean"] == pytest.approx(sum(counts) / len(counts))
    moving = [abs(b - a) for a, b in zip(counts, counts[1:])]
    assert chart["points"][0]["upl"] == pytest.approx(sum(counts) / len(counts) + 2.66 * sum(moving) / len(moving))
    assert chart["attribution"] == MPS

    human = invoke("spc", path, "--direction", "decrease").stdout
    assert f"Data: {MPS[0]}." in human


def test_measures_csv_forecasts_as_it_is_with_the_year_to_date_from_the_file(project_root, warehouse, tmp_path):
    path, rows = measures_file(project_root, warehouse, tmp_path, "neighbourhood-crime", WESTMINSTER)
    by_month = {r["month"]: float(r["numerator"]) for r in rows}
    (result,) = json.loads(invoke("forecast", path, "--year", "2023/24", "--as-of", "2023-09", "--json").stdout)
    assert result["series"] == WESTMINSTER
    assert result["year_to_date"] == sum(by_month[str(m)] for m in FinancialYear("2023/24").months_to_date("2023-09"))
    actual = sum(by_month[str(m)] for m in FinancialYear("2023/24").months() if str(m) in by_month)
    assert result["interval_95"][0] <= result["forecast_total"] <= result["interval_95"][1]
    assert result["year_to_date"] < actual  # the file runs past the as-of month; only months to date are used
    assert result["attribution"] == MPS
    assert f"Data: {MPS[0]}." in invoke("forecast", path, "--year", "2023/24", "--as-of", "2023-09").stdout


def test_a_ratio_measure_is_forecast_as_its_year_rate(project_root, warehouse, tmp_path):
    path, rows = measures_file(project_root, warehouse, tmp_path, "knife-crime-positive-outcome-rate", "force")
    months = [str(m) for m in FinancialYear("2023/24").months_to_date("2023-09")]
    chosen = [r for r in rows if r["month"] in months]
    rate = sum(float(r["numerator"]) for r in chosen) / sum(float(r["denominator"]) for r in chosen)
    assert float(rows[0]["value"]) == pytest.approx(float(rows[0]["numerator"]) / float(rows[0]["denominator"]))
    (result,) = json.loads(invoke("forecast", path, "--year", "2023/24", "--as-of", "2023-09", "--target", "0.12",
                                  "--polarity", "higher", "--json").stdout)
    assert result["year_to_date"] == pytest.approx(rate, abs=0.0005)  # JSON gives a rate to 3 places
    assert 0 < result["interval_95"][0] <= result["forecast_total"] <= result["interval_95"][1] < 1
    human = invoke("forecast", path, "--year", "2023/24", "--as-of", "2023-09").stdout
    assert f"{rate * 100:.1f}%" in human
    # A percentage is the same target as its fraction.
    (as_percent,) = json.loads(invoke("forecast", path, "--year", "2023/24", "--as-of", "2023-09", "--target", "12%",
                                      "--polarity", "higher", "--json").stdout)
    assert as_percent["p_meet_target"] == result["p_meet_target"] is not None


def test_spc_refuses_a_file_of_many_series_naming_the_fix(project_root, warehouse, tmp_path):
    out = tmp_path / "all.csv"
    invoke("measures", project_root / PLAN, "--measure", "neighbourhood-crime", "--warehouse", warehouse,
           "--csv", "--out", out)
    result = runner.invoke(app, ["spc", str(out)])
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "series" in message and "--measure ID --unit CODE" in message and "Traceback" not in result.output


def test_a_users_own_file_carries_no_attribution(tmp_path):
    path = tmp_path / "own.csv"
    path.write_text("y\n" + "\n".join(str(v) for v in (5, 7, 6, 8, 7, 6, 5, 7, 9, 6, 7, 8, 6)) + "\n")
    chart = json.loads(invoke("spc", path, "--json").stdout)
    assert "attribution" not in chart
    assert "Data:" not in invoke("spc", path).stdout


def test_measures_json_and_table_carry_the_attribution(project_root, warehouse):
    document = json.loads(invoke("measures", project_root / PLAN, "--measure", "road-ksi", "--unit", "force",
                                 "--warehouse", warehouse, "--json").stdout)
    assert document["plan"] == "london-2023-24"
    assert document["attribution"] == attribution(["tfl-casualties"])
    assert document["rows"][0]["numerator"] == document["rows"][0]["value"] and document["rows"][0]["month"] == "2019"
    table = invoke("measures", project_root / PLAN, "--measure", "road-ksi", "--unit", "force",
                   "--warehouse", warehouse).stdout
    assert table.rstrip().splitlines()[-1] == "Data: " + attribution(["tfl-casualties"])[0] + "."


def test_measures_without_a_filter_says_how_many_rows_before_printing(project_root, warehouse):
    result = invoke("measures", project_root / PLAN, "--warehouse", warehouse)
    lines = result.stdout.splitlines()
    rows = len(lines) - 3  # heading, rule and the attribution line
    assert result.stderr.startswith(f"{rows:,} rows (7 measures, ")
    assert "--out FILE" in result.stderr


def test_measures_takes_a_unit_by_its_name_in_any_case(project_root, warehouse, tmp_path):
    _, by_code = measures_file(project_root, warehouse, tmp_path, "neighbourhood-crime", WESTMINSTER,
                               "--from", "2023-04", "--to", "2023-06")
    _, by_name = measures_file(project_root, warehouse, tmp_path, "neighbourhood-crime", "westminster",
                               "--from", "2023-04", "--to", "2023-06")
    assert by_name == by_code and len(by_code) == 3 and {r["unit"] for r in by_name} == {WESTMINSTER}
    result = runner.invoke(app, ["measures", str(project_root / PLAN), "--unit", "westminstr",
                                 "--warehouse", str(warehouse)])
    assert result.exit_code == 1
    assert "--unit: not a unit of the plan (found 'westminstr') (did you mean Westminster?)" in result.stderr
