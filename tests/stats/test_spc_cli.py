"""``policingplan spc`` on the command line: the JSON contract, the options, the
readable table, and one-line errors for bad input.  Runs on the MPS monthly
borough file."""

from __future__ import annotations

import csv
import json
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policingplan.cli import app
from policingplan.data.files import open_text

MONTHLY_FILE = "mps-recorded-crime-borough-monthly_2010-04_2024-02.csv.gz"
runner = CliRunner()


@pytest.fixture(scope="module")
def burglary_csv(london_dir, tmp_path_factory) -> tuple[Path, list[float]]:
    """Westminster's monthly burglaries, April 2019 to February 2024, as month,y."""
    with open_text(london_dir / MONTHLY_FILE) as handle:
        rows = [
            r for r in csv.DictReader(handle)
            if r["boroughname"] == "Westminster" and r["majortext"] == "BURGLARY"
        ]
    months = [key for key in rows[0] if key.isdigit() and key >= "201904"]
    values = [float(sum(int(r[m]) for r in rows)) for m in months]
    path = tmp_path_factory.mktemp("spc") / "westminster-burglary.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["month", "y"])
        writer.writerows([f"{m[:4]}-{m[4:]}", int(v)] for m, v in zip(months, values))
    return path, values


def run(*args: str):
    return runner.invoke(app, ["spc", *args])


def test_json_follows_the_contract_on_real_data(burglary_csv):
    path, values = burglary_csv
    result = run(str(path), "--direction", "decrease", "--target", "150", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"points", "variation", "assurance", "warnings"}
    assert [p["index"] for p in data["points"]] == list(range(1, len(values) + 1))
    assert [p["y"] for p in data["points"]] == values
    for point in data["points"]:
        assert set(point) == {"index", "y", "mean", "lpl", "upl", "point_type"}
        assert point["mean"] == pytest.approx(statistics.fmean(values))
    assert data["variation"] == data["points"][-1]["point_type"]
    assert data["assurance"] in {"consistent_pass", "consistent_fail", "inconsistent"}
    assert data["warnings"] == []


def test_rebase_and_fix_after_reach_the_chart(burglary_csv):
    path, values = burglary_csv
    data = json.loads(run(str(path), "--rebase-at", "13", "--rebase-at", "37", "--json").stdout)
    means = [p["mean"] for p in data["points"]]
    assert means[0] == pytest.approx(statistics.fmean(values[:12]))
    assert means[12] == pytest.approx(statistics.fmean(values[12:36]))
    assert means[-1] == pytest.approx(statistics.fmean(values[36:]))
    assert any("Group 1 (points 1–12)" in w["text"] and w["code"] == "spc.trial-limits" for w in data["warnings"])
    fixed = json.loads(run(str(path), "--fix-after", "12", "--json").stdout)
    assert fixed["points"][-1]["mean"] == pytest.approx(statistics.fmean(values[:12]))


def test_no_screen_uses_every_moving_range(tmp_path):
    path = tmp_path / "jump.csv"
    path.write_text("y\n" + "\n".join(["10", "11"] * 6 + ["30"] + ["10", "11"] * 6) + "\n")
    screened = json.loads(run(str(path), "--json").stdout)["points"][0]
    unscreened = json.loads(run(str(path), "--no-screen", "--json").stdout)["points"][0]
    mean = screened["mean"]
    assert screened["upl"] - mean == pytest.approx(2.66 * 1.0)
    assert unscreened["upl"] - mean == pytest.approx(2.66 * (22 * 1 + 19 + 20) / 24)


def test_the_variant_options_change_the_rules(tmp_path):
    path = tmp_path / "shift6.csv"
    path.write_text("value\n" + "\n".join(["2", "0"] * 6 + ["2"] * 6 + ["0", "2"] * 6) + "\n")
    default = json.loads(run(str(path), "--column", "value", "--json").stdout)
    six = json.loads(run(str(path), "--column", "value", "--shift-length", "6", "--json").stdout)
    assert {p["point_type"] for p in default["points"]} == {"common_cause"}
    assert [p["index"] for p in six["points"] if p["point_type"] != "common_cause"] == list(range(13, 19))
    path = tmp_path / "outside.csv"
    path.write_text("y\n" + "\n".join(["9", "11"] * 8 + ["25", "11", "15"] + ["9", "11"] * 4) + "\n")
    plain = json.loads(run(str(path), "--json").stdout)
    variant = json.loads(run(str(path), "--two-of-three-includes-outside", "--json").stdout)
    assert plain["points"][18]["point_type"] == "common_cause"
    assert variant["points"][18]["point_type"] == "special_cause_improvement"
    path = tmp_path / "trend7.csv"  # points 11 to 17 rise seven times in a row: 3, 4, …, 9
    path.write_text("y\n" + "\n".join(["5", "6"] * 5 + [str(v) for v in range(3, 10)] + ["6", "5"] * 5) + "\n")
    seven = json.loads(run(str(path), "--json").stdout)
    eight = json.loads(run(str(path), "--trend-length", "8", "--json").stdout)
    signals = {p["index"] for p in seven["points"] if p["point_type"] == "special_cause_improvement"}
    assert signals == set(range(11, 18))  # the trend, and point 17 beyond the upper limit too
    assert {p["index"] for p in eight["points"] if p["point_type"] != "common_cause"} == {17}


def test_missing_values_are_null_not_zero(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("month,y\n2024-01,10\n2024-02,\n2024-03,NA\n2024-04,12\n2024-05,11\n\n\n")
    data = json.loads(run(str(path), "--json").stdout)
    assert [p["y"] for p in data["points"]] == [10.0, None, None, 12.0, 11.0]
    assert [p["point_type"] for p in data["points"]][1:3] == [None, None]
    assert data["points"][0]["mean"] == pytest.approx(11.0)


def test_the_readable_table_uses_words_and_british_numbers(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text("y\n" + "\n".join(["1000", "1600"] * 10 + ["5000"]) + "\n")
    result = run(str(path), "--direction", "decrease", "--target", "4000")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "1,600" in out and "5,000" in out
    assert "· common cause" in out
    assert "▲ Concern: above upper limit" in out
    assert "Variation (latest point): ▲ Concern" in out
    assert "Assurance against the target 4,000: The target will consistently be met" in out


def test_a_short_series_warns_on_stderr(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("y\n1\n2\n3\n2\n")
    result = run(str(path))
    assert result.exit_code == 0
    assert "fewer than 13" in result.stderr
    assert "fewer than 13" not in result.stdout


@pytest.mark.parametrize(
    "content, args, expected",
    [
        ("y\n1\n2\nabc\n4\n", [], ["line 4", "y", "'abc'", "accepted: a number"]),
        ("count\n1\n2\n", [], ["no column 'y'", "line 1", "count"]),
        ("y\n1\n2\n", ["--column", "z"], ["no column 'z'"]),
        ("", [], ["no header row"]),
        ("y\n", [], ["no values"]),
        ("y\n1\ninf\n", [], ["line 3", "'inf'"]),
        ("y\n1\n2\n3\n", ["--rebase-at", "9"], ["--rebase-at", "'9'", "from 2 to 3"]),
    ],
)
def test_bad_input_gives_a_one_line_error(tmp_path, content, args, expected):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    result = run(str(path), *args)
    assert result.exit_code == 1
    assert result.stdout == ""
    message = " ".join(result.stderr.split())
    assert message.startswith("Error:")
    if "rebase" not in " ".join(args):
        assert str(path) in message
    for fragment in expected:
        assert fragment in message
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"y\n1\n\xe9t\xe9\n", ["line 3", "not UTF-8", "0xE9", "accepted: a CSV file saved in UTF-8"]),
        (b"month;y\n2024-01;3\n", ["line 1", "separated by ';'", "accepted: a comma-separated file"]),
    ],
)
def test_a_file_in_the_wrong_encoding_or_separator_is_a_one_line_error(tmp_path, content, expected):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = run(str(path))
    assert result.exit_code == 1 and result.stdout == ""
    message = " ".join(result.stderr.split())
    assert message.startswith(f"Error: {path}")
    for fragment in expected:
        assert fragment in message


def test_a_byte_order_mark_is_read_past(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbfy\n1\n2\n6\n")
    data = json.loads(run(str(path), "--json").stdout)
    assert [p["y"] for p in data["points"]] == [1.0, 2.0, 6.0]
    assert data["points"][0]["mean"] == 3.0


def test_a_missing_file_is_a_one_line_error(tmp_path):
    result = run(str(tmp_path / "absent.csv"))
    assert result.exit_code == 1
    assert "cannot read the file" in result.stderr


def test_the_installed_command_runs_on_real_data(burglary_csv):
    path, values = burglary_csv
    command = Path(sys.executable).parent / "policingplan"
    done = subprocess.run(
        [str(command), "spc", str(path), "--direction", "decrease", "--json"],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["points"]) == len(values)
    bad = subprocess.run([str(command), "spc", str(path), "--column", "nope"], capture_output=True, text=True)
    assert bad.returncode == 1
    assert len(bad.stderr.strip().splitlines()) <= 2 and "Traceback" not in bad.stderr
