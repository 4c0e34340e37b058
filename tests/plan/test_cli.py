"""``policingplan validate``, ``show`` and ``schema`` on the London example and on broken plans."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from policingplan.cli import app
from policingplan.cli.common import console

from .conftest import edit, line_of

runner = CliRunner()


@pytest.fixture(scope="module")
def london(project_root) -> Path:
    return project_root / "examples" / "london-2007-08"


def _rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_validate_accepts_the_london_example_and_counts_its_parts(london):
    result = runner.invoke(app, ["validate", str(london)])
    assert result.exit_code == 0, result.output
    # The expected counts come from the files themselves, read here without the project's reader.
    data = yaml.safe_load((london / "plan.yaml").read_text(encoding="utf-8"))
    objectives = sum(len(p.get("objectives", [])) for p in data["priorities"])
    cpas = sum(1 for m in data["measures"] if m.get("cpa"))
    unit_targets = len(_rows(london / "unit_targets.csv"))
    targets = len(data["targets"]) + unit_targets
    expected = (
        f"{len(data['priorities'])} priorities, {objectives} objectives, {len(data['measures'])} measures "
        f"({cpas} CPAs), {targets} targets ({len(data['targets'])} force, {unit_targets} unit), "
        f"{len(_rows(london / 'units.csv'))} units, {len(_rows(london / 'partner_targets.csv'))} partner targets"
    )
    assert expected in " ".join(result.stdout.split())
    assert "Valid:" in result.stdout


def test_validate_json_gives_ok_summary_errors_and_warnings(london):
    result = runner.invoke(app, ["validate", str(london), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"ok", "summary", "errors", "warnings", "categories"}
    assert report["ok"] is True and report["errors"] == [] and report["warnings"] == []
    assert report["summary"]["units"] == 32 and report["summary"]["cpas"] == 5


@pytest.fixture
def planted(tmp_path, london) -> tuple[Path, dict[str, tuple[str, int]]]:
    """The London example with five errors planted in three files; where each should be reported."""
    folder = tmp_path / "london"
    shutil.copytree(london, folder)
    plan_yaml = folder / "plan.yaml"
    edit(plan_yaml, "    minimum: -0.06\n    maximum: -0.05", "    minimum: -0.05\n    maximum: -0.06")
    edit(plan_yaml, "    unit_of_count: per cent of homicides", "    unit_of_cont: per cent of homicides")
    edit(plan_yaml, "    file: narrative/drugs.md", "    file: narrative/drug.md")
    edit(folder / "units.csv", "E09000021,Kingston upon Thames,borough,153667,", "E09000021,Kingston upon Thames,borough,lots,")
    edit(folder / "unit_targets.csv", "bcs-comparator-crimes,E09000033,2007/08", "bcs-comparator-crimes,E09000034,2007/08")
    expected = {
        "range": ("plan.yaml", line_of(plan_yaml, "minimum: -0.05")),
        "unknown field": ("plan.yaml", line_of(plan_yaml, "unit_of_cont:")),
        "narrative": ("plan.yaml", line_of(plan_yaml, "file: narrative/drug.md")),
        "population": ("units.csv", line_of(folder / "units.csv", "E09000021,")),
        "unit": ("unit_targets.csv", line_of(folder / "unit_targets.csv", "E09000034")),
    }
    return folder, expected


def test_validate_reports_every_planted_error_with_file_and_line(planted):
    folder, expected = planted
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 1
    output = " ".join(result.stderr.split())
    for file, line in expected.values():
        assert f"{folder / file}, line {line}" in output, (file, line, output)
    # The missing measure field (unit_of_count) is reported too: six errors in all.
    assert f"{folder}: 6 errors" in output


def test_validate_json_reports_every_planted_error(planted):
    folder, expected = planted
    result = runner.invoke(app, ["validate", str(folder), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["summary"] is None
    found = {(Path(e["file"]).name, e["line"]) for e in report["errors"]}
    assert set(expected.values()) <= found
    assert all(set(e) == {"file", "line", "column", "value", "message", "accepted", "held_back"} for e in report["errors"])
    population = next(e for e in report["errors"] if e["column"] == "population")
    assert population["value"] == "lots" and "whole number" in population["accepted"]


def _run(*args: str) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).with_name("policingplan")), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("case", ["missing folder", "empty plan.yaml", "broken YAML"])
def test_a_plan_that_cannot_be_read_gets_one_line_and_no_traceback(tmp_path, case):
    folder = tmp_path / "plan"
    if case != "missing folder":
        folder.mkdir()
        text = "" if case == "empty plan.yaml" else "id: x\nname: [unclosed\norganisation: O\n"
        (folder / "plan.yaml").write_text(text, encoding="utf-8")
    result = _run("validate", str(folder))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") and str(folder) in lines[0]
    assert result.stdout == ""
    shown = runner.invoke(app, ["show", str(folder)])
    assert shown.exit_code == 1
    assert shown.exception is None or isinstance(shown.exception, SystemExit)
    assert shown.stderr.strip().splitlines() == lines


@pytest.fixture
def wide_console():
    """Draw the tree 200 columns wide, so that no label is wrapped mid-phrase."""
    saved = console._width
    console.width = 200
    yield
    console._width = saved


def test_show_draws_the_plan_with_cpas_marked_in_words(london, wide_console):
    result = runner.invoke(app, ["show", str(london)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for name in (
        "The 10 British Crime Survey (BCS) comparator crimes",
        "Homicide sanction detections",
        "People killed or seriously injured (KSI) in road traffic collisions, all road users",
        "Public confidence in the police",
    ):
        assert f"CPA {name}" in out
    assert "CPA Total notifiable offences" not in out and "Total notifiable offences" in out
    assert "Force target 2007/08: between -6% and -5% on 2006/07" in out
    assert "Force target 2007/08: level 80%" in out
    assert "A further 16 detectives" in out
    assert "-19.4% on 2003/04 by 2007/08 (baseline 612,000); reached -13.4% by 2006/07" in out
    assert "Met Modernisation Programme investment reserve: £15m" in out
    assert "31 March 2007: Policing London Strategy and Plan 2007/08 published" in out
    assert "1.0 (1 March 2007, Co-ordination and Policing Committee" in out
    assert "Every Child Matters (narrative/every-child-matters.md)" in out
    assert "level 60% [illustrative]" in out


def test_show_json_prints_the_whole_plan(london):
    result = runner.invoke(app, ["show", str(london), "--json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["period"] == "2007/08"
    assert len(plan["units"]) == 32
    alcohol = next(s for s in plan["narrative"] if s["id"] == "alcohol")
    assert alcohol["body"] == (london / "narrative" / "alcohol.md").read_text(encoding="utf-8")


def test_show_json_carries_the_attribution_of_the_plans_sources(london):
    from policingplan.attribution import attribution
    from policingplan.plan.io import load_plan

    plan = json.loads(runner.invoke(app, ["show", str(london), "--json"]).stdout)
    expected = load_plan(london)
    assert list(plan)[-1] == "attribution"
    assert plan["attribution"] == attribution(s.kind for s in expected.data_sources)
    assert any("Greater London Authority" in text for text in plan["attribution"])
    # Without it, the JSON is the plan itself.
    del plan["attribution"]
    assert plan == json.loads(expected.model_dump_json())


def test_show_lists_every_error_of_a_bad_plan(planted):
    folder, _ = planted
    result = runner.invoke(app, ["show", str(folder)])
    assert result.exit_code == 1
    assert "6 errors" in result.stderr and result.stdout == ""


def test_output_to_no_terminal_is_never_wrapped_however_long_the_path(planted, tmp_path):
    """A pipe has no width: each problem stays on one line, whatever the folder's path."""
    folder, expected = planted
    deep = tmp_path.joinpath(*(["a-folder-with-a-long-name-" + "x" * 40] * 4)) / "london"
    shutil.copytree(folder, deep)
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    command = [str(Path(sys.executable).with_name("policingplan")), "validate", str(deep)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(str(deep)) > 200
    for file, line in expected.values():
        assert any(f"{deep / file}, line {line}" in text for text in lines), (file, line, result.stderr)
    assert f"{deep}: 6 errors" in lines, result.stderr


def test_schema_command_writes_the_committed_schema(tmp_path, project_root):
    out = tmp_path / "schema.json"
    result = runner.invoke(app, ["schema", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == (project_root / "docs" / "plan-schema.json").read_text(encoding="utf-8")
    printed = runner.invoke(app, ["schema"])
    assert json.loads(printed.stdout) == json.loads(out.read_text(encoding="utf-8"))


def test_schema_to_a_missing_folder_is_one_line(tmp_path):
    result = runner.invoke(app, ["schema", "--output", str(tmp_path / "no" / "such" / "schema.json")])
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("Error:") and len(result.stderr.strip().splitlines()) == 1


def test_validate_and_show_print_a_default_status_as_a_word(tmp_path):
    folder = tmp_path / "bare"
    folder.mkdir()
    (folder / "plan.yaml").write_text("id: a\nname: Bare plan\norganisation: Test Police\nperiod: 2007/08\n", encoding="utf-8")
    valid = runner.invoke(app, ["validate", str(folder)])
    assert valid.exit_code == 0 and "version 1.0, draft" in valid.stdout and "PlanStatus" not in valid.stdout
    shown = runner.invoke(app, ["show", str(folder)])
    assert shown.exit_code == 0 and "Version 1.0, draft" in shown.stdout and "PlanStatus" not in shown.stdout


def test_show_carries_the_attribution_of_the_plans_data_sources(london):
    result = runner.invoke(app, ["show", str(london)])
    assert result.exit_code == 0, result.output
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("Data: ") and "Open Government Licence v3.0" in last
    assert "Greater London Authority" in last and "TfL" in last
