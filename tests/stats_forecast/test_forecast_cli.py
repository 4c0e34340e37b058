"""The ``policingplan forecast`` command-line contract, on real borough series."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policingplan.cli import app
from policingplan.periods import FinancialYear

KEYS = {"series", "year", "as_of", "year_to_date", "forecast_total", "interval_80", "interval_95",
        "p_meet_target", "method", "warnings"}
runner = CliRunner()


@pytest.fixture
def burglary_csv(tmp_path: Path, mps_series) -> Path:
    """Camden and Barnet burglary in long form with a target column, as an analyst would export it."""
    lines = ["series,month,value,target"]
    for borough, target in (("Camden", "2600"), ("Barnet", "")):
        for month, value in sorted(mps_series[(borough, "BURGLARY")].items()):
            lines.append(f"{borough},{month},{value:g},{target}")
    path = tmp_path / "burglary.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def run(*args: str):
    return runner.invoke(app, ["forecast", *args])


def test_it_prints_one_json_object_per_series(burglary_csv, mps_series):
    result = run(str(burglary_csv), "--year", "2017/18", "--as-of", "2017-09", "--target", "3900", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["series"] for d in data] == ["Camden", "Barnet"]
    for item in data:
        assert set(item) == KEYS
        assert item["year"] == "2017/18" and item["as_of"] == "2017-09"
        assert item["interval_95"][0] <= item["interval_80"][0] <= item["forecast_total"] <= item["interval_80"][1]
    camden, barnet = data
    ytd = sum(mps_series[("Camden", "BURGLARY")][m] for m in FinancialYear("2017/18").months_to_date("2017-09"))
    assert camden["year_to_date"] == ytd
    actual = sum(mps_series[("Barnet", "BURGLARY")][m] for m in FinancialYear("2017/18").months())
    assert barnet["interval_95"][0] <= actual <= barnet["interval_95"][1]
    # Camden's own target (2,600, below its forecast) is used; Barnet has none in the file, so --target applies.
    assert camden["p_meet_target"] < 0.5
    assert barnet["p_meet_target"] > camden["p_meet_target"]


def test_polarity_higher_reverses_the_probability(burglary_csv):
    lower = json.loads(run(str(burglary_csv), "--year", "2017/18", "--as-of", "2017-09", "--json").stdout)
    higher = json.loads(run(str(burglary_csv), "--year", "2017/18", "--as-of", "2017-09",
                            "--polarity", "higher", "--json").stdout)
    assert lower[0]["p_meet_target"] + higher[0]["p_meet_target"] == pytest.approx(1.0, abs=1e-3)
    assert lower[1]["p_meet_target"] is None


def test_a_file_without_a_series_column_is_one_series(tmp_path, mps_series):
    path = tmp_path / "one.csv"
    path.write_text("month,value\n" + "".join(
        f"{m},{v:g}\n" for m, v in sorted(mps_series[("Sutton", "ROBBERY")].items())))
    data = json.loads(run(str(path), "--year", "2016/17", "--as-of", "2016-12", "--json").stdout)
    assert len(data) == 1 and data[0]["series"] is None and data[0]["method"] == "seasonal_level"


def test_the_table_uses_british_number_formats(burglary_csv):
    result = runner.invoke(app, ["forecast", str(burglary_csv), "--year", "2017/18", "--as-of", "2017-09"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "September 2017" in result.stdout
    assert "2,600" in result.stdout and "Camden" in result.stdout


def test_a_narrow_terminal_still_shows_the_chance_and_names_other_methods(tmp_path, mps_series):
    lines = ["series,month,value"]
    for borough in ("Westminster", "Camden"):
        for month, value in sorted(mps_series[(borough, "THEFT")].items()):
            lines.append(f"{borough} theft,{month},{value:g}")
    lines += [f"New unit,2017-0{m},{30 + m}" for m in range(4, 10)]
    path = tmp_path / "theft.csv"
    path.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["forecast", str(path), "--year", "2017/18", "--as-of", "2017-09",
                                 "--target", "30000"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    rows = [line for line in result.stdout.splitlines() if line.split()[:1] in (["Westminster"], ["Camden"])]
    assert "P(meet)" in result.stdout
    assert len(rows) == 2 and all(line.rstrip().endswith("%") for line in rows)
    assert "Method: seasonal_level, except run_rate for New unit" in " ".join(result.stdout.split())


@pytest.mark.parametrize(
    "edit, args, expected",
    [
        (("2015-07", "2015-13"), ("--year", "2017/18", "--as-of", "2017-09"), ["line", "month", "2015-13", "YYYY-MM"]),
        ((",Camden,", ",Camden,"), ("--year", "2024/26", "--as-of", "2017-09"), ["--year", "2024/26", "YYYY/YY"]),
        ((",Camden,", ",Camden,"), ("--year", "2017/18", "--as-of", "2018-09"), ["--as-of", "2018-09", "2017-04 to 2018-03"]),
        ((",Camden,", ",Camden,"), ("--year", "2017/18", "--as-of", "2017-02"), ["--as-of", "2017-02", "2017-04 to 2018-03"]),
        (("series,month,value", "series,month,count"), ("--year", "2017/18", "--as-of", "2017-09"),
         ["line 1", "value", "month (YYYY-MM) and value"]),
    ],
)
def test_bad_input_gives_one_line_naming_what_is_accepted(burglary_csv, edit, args, expected):
    text = burglary_csv.read_text()
    burglary_csv.write_text(text.replace(edit[0], edit[1], 1))
    result = run(str(burglary_csv), *args)
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    for fragment in expected:
        assert fragment in message


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", ["line 1", "the file is empty"]),
        (b"month,value\n2017-04,3\n2017-05,\xa34\n", ["line 3", "not UTF-8", "0xA3", "saved in UTF-8"]),
        (b"month;value\n2017-04;3\n", ["line 1", "separated by ';'", "accepted: a comma-separated file"]),
    ],
)
def test_an_unreadable_file_is_one_line_naming_file_and_line(tmp_path, content, expected):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = run(str(path), "--year", "2017/18", "--as-of", "2017-09")
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert message.startswith(f"Error: {path}") and "Traceback" not in message
    for fragment in expected:
        assert fragment in message


def test_a_byte_order_mark_is_read_past(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbfmonth,value\n2017-04,3\n2017-05,4\n")
    result = json.loads(run(str(path), "--year", "2017/18", "--as-of", "2017-05", "--json").stdout)
    assert result[0]["year_to_date"] == 7.0


def test_a_non_numeric_value_names_file_line_and_column(burglary_csv):
    lines = burglary_csv.read_text().splitlines()
    lines[10] = lines[10].rsplit(",", 2)[0] + ",lots,2600"
    burglary_csv.write_text("\n".join(lines) + "\n")
    result = run(str(burglary_csv), "--year", "2017/18", "--as-of", "2017-09")
    assert result.exit_code == 1
    assert f"{burglary_csv.name}, line 11, value" in result.stderr
    assert "'lots'" in result.stderr and "a count of zero or more" in result.stderr


def test_an_empty_value_is_a_missing_month_not_zero(burglary_csv):
    before = json.loads(run(str(burglary_csv), "--year", "2017/18", "--as-of", "2017-09", "--json").stdout)[0]
    text = burglary_csv.read_text()
    line = next(row for row in text.splitlines() if row.startswith("Camden,2017-07,"))
    burglary_csv.write_text(text.replace(line, "Camden,2017-07,,2600"))
    after = json.loads(run(str(burglary_csv), "--year", "2017/18", "--as-of", "2017-09", "--json").stdout)[0]
    assert after["year_to_date"] == before["year_to_date"] - float(line.split(",")[2])
    assert any(w["code"] == "forecast.months-missing" and w["values"]["months"] == "2017-07"
               and "not counted as zero" in w["text"] for w in after["warnings"])


def test_the_installed_command_runs(burglary_csv, project_root):
    command = Path(sys.executable).parent / "policingplan"
    done = subprocess.run([str(command), "forecast", str(burglary_csv), "--year", "2017/18", "--as-of",
                           "2017-12", "--json"], capture_output=True, text=True, cwd=project_root)
    assert done.returncode == 0, done.stderr
    assert {d["series"] for d in json.loads(done.stdout)} == {"Camden", "Barnet"}
    bad = subprocess.run([str(command), "forecast", str(burglary_csv), "--year", "2017/18", "--as-of", "2017-13"],
                         capture_output=True, text=True, cwd=project_root)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and "2017-13" in bad.stderr


def test_series_sharing_a_group_are_pooled_as_the_library_pools_them(tmp_path, mps_series):
    from policingplan.stats.forecast import forecast_year_end

    boroughs = ("Camden", "Barnet", "Sutton", "Hackney")
    lines = ["series,month,value,group"]
    for borough in boroughs:
        for month, value in sorted(mps_series[(borough, "BURGLARY")].items()):
            lines.append(f"{borough},{month},{value:g},burglary")
    path = tmp_path / "grouped.csv"
    path.write_text("\n".join(lines) + "\n")
    grouped = json.loads(run(str(path), "--year", "2017/18", "--as-of", "2017-09", "--json").stdout)
    histories = {b: mps_series[(b, "BURGLARY")] for b in boroughs}
    camden_pooled = forecast_year_end(histories["Camden"], "2017/18", "2017-09",
                                      peers={b: h for b, h in histories.items() if b != "Camden"})
    camden_alone = forecast_year_end(histories["Camden"], "2017/18", "2017-09")
    assert grouped[0]["series"] == "Camden"
    assert grouped[0]["forecast_total"] == pytest.approx(camden_pooled.forecast_total)
    assert camden_pooled.forecast_total != pytest.approx(camden_alone.forecast_total)


def test_two_groups_for_one_series_is_an_error(tmp_path, mps_series):
    path = tmp_path / "bad.csv"
    path.write_text("series,month,value,group\nCamden,2017-04,300,a\nCamden,2017-05,310,b\n")
    result = run(str(path), "--year", "2017/18", "--as-of", "2017-05")
    assert result.exit_code == 1
    assert "line 3" in result.output and "group" in result.output and "one group per series" in result.output
