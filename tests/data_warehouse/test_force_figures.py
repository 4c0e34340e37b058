"""Force-wide figures in a ``tidy`` file (issue 12, finding 2).

A tidy file may give the force's own figure (unit ``force``), such as a
survey of all London, beside the boroughs' figures. The force's row is then
that figure as it is: not refused as an unknown unit, not a sum of the
boroughs, and not summed into either. Where a period has no force line, the
force's row is the sum of the units, as before.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policingplan.cli import app
from policingplan.data.readers import read_source
from policingplan.data.warehouse import Warehouse
from policingplan.services.monitor import monitor_plan
from policingplan.plan.io import load_plan

runner = CliRunner()

PLAN = """\
id: survey
name: Survey plan
organisation: Test Police
period: 2023/24
measures:
  - id: public-confidence
    name: Public confidence that the police do a good job in the local area
    kind: percentage
    polarity: higher
    unit_of_count: per cent of residents surveyed
    source: tidy
    rule:
      count:
        measure: [public_confidence]
targets:
  - measure: public-confidence
    period: 2023/24
    kind: level
    value: 0.55
"""

MONTHS = ["2023-04", "2023-05", "2023-06", "2023-07", "2023-08", "2023-09"]


def survey_file(path: Path, force_unit: str = "force") -> Path:
    """The force's own survey: 52.2% each month (522 of 1,000), below the target of 55%.

    Camden (60%) and Westminster (58%) are above it: a sum of the boroughs would be 59%, and
    the force's figure summed in with them 56.7%, both wrongly above the target. October has
    no force line: its force row is the sum of the boroughs.
    """
    lines = ["unit,month,measure,numerator,denominator"]
    for month in MONTHS:
        lines += [f"{force_unit},{month},public_confidence,522,1000",
                  f"Camden,{month},public_confidence,600,1000",
                  f"Westminster,{month},public_confidence,580,1000"]
    lines += ["Camden,2023-10,public_confidence,610,1000", "Westminster,2023-10,public_confidence,570,1000"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def loaded(tmp_path) -> tuple[Path, Path]:
    plan = tmp_path / "plan"
    plan.mkdir()
    (plan / "plan.yaml").write_text(PLAN, encoding="utf-8")
    warehouse = tmp_path / "wh"
    result = runner.invoke(app, ["data", "load", "tidy", str(survey_file(tmp_path / "survey.csv")),
                                 "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output
    return plan, warehouse


@pytest.mark.parametrize("written", ["force", "Force", "FORCE"])
def test_the_tidy_reader_takes_force_as_the_force_itself(tmp_path, written):
    result = read_source("tidy", survey_file(tmp_path / "survey.csv", written))
    assert result.ok, [str(p) for p in result.problems]
    units = set(result.table.column("unit").to_pylist())
    assert units == {"force", "E09000007", "E09000033"}


def test_measures_gives_the_force_its_own_figure_not_a_sum_of_the_units(loaded):
    plan, warehouse = loaded
    result = runner.invoke(app, ["measures", str(plan), "--warehouse", str(warehouse), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    force = {r["month"]: (r["numerator"], r["denominator"]) for r in rows if r["unit"] == "force"}
    # One force row a month: the survey's own, 522 of 1,000 (52.2%) ...
    assert [r["month"] for r in rows if r["unit"] == "force"] == MONTHS + ["2023-10"]
    assert all(force[month] == (522, 1000) for month in MONTHS)
    # ... and where the file gives none, the boroughs' sum.
    assert force["2023-10"] == (1180, 2000)
    # The boroughs' own rows are as given.
    camden = {r["month"]: r["numerator"] for r in rows if r["unit"] == "E09000007"}
    assert camden["2023-04"] == 600 and camden["2023-10"] == 610


def test_measures_for_the_force_alone_gives_its_own_figure(loaded):
    plan, warehouse = loaded
    result = runner.invoke(app, ["measures", str(plan), "--warehouse", str(warehouse), "--unit", "force",
                                 "--csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[1].startswith("public-confidence,force,2023-04,month,522,1000,0.522")
    assert len([line for line in lines[1:] if ",force," in line]) == len(MONTHS) + 1


def test_monitoring_judges_the_force_on_its_own_figure(loaded):
    plan_dir, warehouse = loaded
    plan = load_plan(plan_dir)
    (position,) = monitor_plan(plan, Warehouse(warehouse), as_of="2023-09").positions
    assert position.unit == "force"
    # 52.2%, the survey of the whole force: not 59% (the boroughs) nor 56.7% (both added up).
    assert position.year_to_date == pytest.approx(0.522)
    assert position.status == "unlikely"
