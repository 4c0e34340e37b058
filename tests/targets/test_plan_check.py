"""The plan checked as a whole: its own unit targets against its corporate figure (issue 12, finding 1).

The figures are counted independently from the example's CSV and plan.yaml here,
not taken from the code under test.
"""

from __future__ import annotations

import csv
import math
import shutil
from pathlib import Path

import pytest
import yaml

from policingplan.plan.io import load_plan
from policingplan.targets import plan_check

MEASURE = "bcs-comparator-crimes"
WESTMINSTER = "E09000033"


def plant_target(source: Path, folder: Path, unit: str, value: str, measure: str = MEASURE) -> Path:
    """A copy of the plan at ``source`` with one unit's target value changed in unit_targets.csv."""
    shutil.copytree(source, folder)
    path = folder / "unit_targets.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, list(reader)
    changed = 0
    for row in rows:
        if row["measure"] == measure and row["scope"] == unit:
            row["value"], changed = value, changed + 1
    assert changed == 1
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)
    return folder


def counted_by_hand(folder: Path, measure: str = MEASURE) -> tuple[int, int]:
    """The units' target total (whole crimes, rounded down) and the corporate figure (the midpoint of a range)."""
    with open(folder / "unit_targets.csv", encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["measure"] == measure]
    total = sum(math.floor(float(r["baseline"]) * (1 + float(r["value"])) + 1e-7) for r in rows)
    plan = yaml.safe_load((folder / "plan.yaml").read_text(encoding="utf-8"))
    force = next(t for t in plan["targets"] if t["measure"] == measure and t.get("scope", "force") == "force")
    change = force["value"] if force["kind"] == "change" else (force["minimum"] + force["maximum"]) / 2
    baselines = sum(float(r["baseline"]) for r in rows)
    return total, math.floor(baselines * (1 + change) + 1e-7)


@pytest.fixture
def london(project_root) -> Path:
    return project_root / "examples" / "london-2007-08"


@pytest.fixture
def westminster_at_minus_1(london, tmp_path) -> Path:
    return plant_target(london, tmp_path / "plan", WESTMINSTER, "-0.01")


def test_the_examples_own_unit_targets_meet_their_corporate_figures(project_root):
    for name in ("london-2007-08", "london-2023-24"):
        folder = project_root / "examples" / name
        plan = load_plan(folder)
        checks = plan_check.check_plan_unit_targets(plan)
        assert checks, name
        for check in checks:
            total, required = counted_by_hand(folder, check.measure)
            assert (check.target_total, check.required_total) == (total, required)
            assert check.meets and check.changed == () and check.method == "stretch"
        assert plan_check.unit_target_problems(plan) == []


def test_a_borough_target_changed_is_caught_by_how_many_crimes_and_which_borough(westminster_at_minus_1):
    total, required = counted_by_hand(westminster_at_minus_1)
    assert total - required == 6349  # 65,604 at -1% rather than 59,255: the corporate figure is 866,306
    check = plan_check.check_unit_targets(load_plan(westminster_at_minus_1), MEASURE)
    assert check.meets is False and check.slack == required - total
    assert [(c.unit, c.name, c.plan_target, c.allocated_target) for c in check.changed] == [
        (WESTMINSTER, "Westminster", math.floor(66267 * 0.99), 59255)]
    problems = plan_check.unit_target_problems(load_plan(westminster_at_minus_1))
    assert len(problems) == 1
    text = str(problems[0])
    assert text.startswith("unit_targets.csv")
    assert f"{total - required:,} crimes over the corporate figure of at most {required:,}" in text
    assert "Westminster (E09000033) 65,604 (-1.0%) where the allocation gives 59,255 (-10.6%)" in text
    assert "the midpoint of the force target's range" in text


def test_a_range_is_held_to_its_midpoint_the_figure_the_plan_plans_to(london, tmp_path):
    """Unit targets that reach the range's less stretching end (5%) but not its midpoint (5.5%) do not meet it."""
    folder = plant_target(london, tmp_path / "plan", WESTMINSTER, "-0.05")  # 2,983 crimes more than its share
    total, required = counted_by_hand(folder)
    with open(folder / "unit_targets.csv", encoding="utf-8", newline="") as handle:
        baselines = sum(float(r["baseline"]) for r in csv.DictReader(handle) if r["measure"] == MEASURE)
    assert required < total <= math.floor(baselines * 0.95)
    check = plan_check.check_unit_targets(load_plan(folder), MEASURE)
    assert check.figure.change == pytest.approx(-0.055) and check.slack == required - total < 0


def test_spare_crimes_meet_the_figure(london, tmp_path):
    folder = plant_target(london, tmp_path / "plan", WESTMINSTER, "-0.12")
    total, required = counted_by_hand(folder)
    check = plan_check.check_unit_targets(load_plan(folder), MEASURE)
    assert check.meets and check.slack == required - total > 0
    assert plan_check.unit_target_problems(load_plan(folder)) == []


def test_many_changed_units_are_named_largest_first_then_counted(london, tmp_path):
    folder = tmp_path / "plan"
    shutil.copytree(london, folder)
    path = folder / "unit_targets.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, list(reader)
    for row in rows:
        row["value"] = "-0.01"  # every borough at -1%
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)
    check = plan_check.check_unit_targets(load_plan(folder), MEASURE)
    assert len(check.changed) == 32
    words = check.changed_words()
    assert words.count(" where the allocation gives ") == plan_check.NAMED_CHANGES
    assert words.endswith(", and 27 more units")
    assert words.index("Westminster") < words.index("Camden")  # Westminster's difference is the largest


def test_what_cannot_be_checked_says_why(project_root):
    plan = load_plan(project_root / "examples" / "london-2007-08")
    assert plan_check.checkable(plan, "homicide-sanction-detection-rate") is not None
    assert plan_check.check_unit_targets(plan, "homicide-sanction-detection-rate") is None
    assert plan_check.checkable(plan, MEASURE) is None
