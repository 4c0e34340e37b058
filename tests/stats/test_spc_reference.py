"""The reference cases computed by NHSRplotthedots v0.2.2 (``tests/stats/reference/spc``):
the mean and limits to 1e-9, the point types and the assurance exactly."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from policingplan.stats.spc import spc


def _na(text: str) -> str | None:
    return None if text == "NA" else text


def _cases(reference_dir: Path) -> dict[str, tuple[dict, list[dict]]]:
    folder = reference_dir / "spc"
    with open(folder / "meta.csv", newline="", encoding="utf-8") as handle:
        meta = {row["fixture"]: row for row in csv.DictReader(handle)}
    points: dict[str, list[dict]] = {}
    with open(folder / "points.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            points.setdefault(row["fixture"], []).append(row)
    return {name: (row, points[name]) for name, row in meta.items()}


def _run(meta: dict, rows: list[dict]):
    rows = sorted(rows, key=lambda r: int(r["index"]))
    rebase = _na(meta["rebase_at_index"])
    fix_after = _na(meta["fix_after_n_points"])
    target = _na(meta["target"])
    return spc(
        [float(r["y"]) for r in rows],
        direction=meta["improvement_direction"],
        target=None if target is None else float(target),
        rebase_at=() if rebase is None else (int(rebase),),
        fix_after=None if fix_after is None else int(fix_after),
        screen=meta["screen_outliers"] == "TRUE",
    ), rows


def test_every_reference_case_is_read(reference_dir):
    cases = _cases(reference_dir)
    assert len(cases) == 8
    assert sum(len(rows) for _, rows in cases.values()) == 155


@pytest.mark.parametrize(
    "fixture",
    [
        "F01_rnorm20_target0.5",
        "F02_rnorm20_y15eq10_screened",
        "F03_rnorm20_y15eq10_unscreened",
        "F04_vignette_deviations_screened",
        "F05_vignette_deviations_unscreened",
        "F06_trend7_up_increase",
        "F07_trend7_up_decrease",
        "F08_shift7_above",
    ],
)
def test_reference_case_matches(reference_dir, fixture):
    meta, rows = _cases(reference_dir)[fixture]
    result, rows = _run(meta, rows)
    assert len(result.points) == len(rows)
    for point, row in zip(result.points, rows):
        assert point.index == int(row["index"])
        assert point.group == int(row["rebase_group"]) + 1
        for name in ("mean", "lpl", "upl"):
            assert abs(getattr(point, name) - float(row[name])) <= 1e-9, (fixture, row["index"], name)
        assert point.point_type == row["point_type"], (fixture, row["index"])
        assert (point.rule == "outside_limits") == (row["outside_limits"] == "TRUE")
        is_close = point.lower_2sigma > point.y >= point.lpl or point.upl >= point.y > point.upper_2sigma
        assert is_close == (row["close_to_limits"] == "TRUE"), (fixture, row["index"])
    assert result.assurance == _na(meta["assurance_type"])
    assert result.variation == meta["variation_point_type_last"]


def test_reference_rules_name_the_same_rule(reference_dir):
    names = {
        "Common Cause": None,
        "Above UCL": "outside_limits",
        "Below LCL": "outside_limits",
        "7 Point Trend (Increasing)": "trend",
        "7 Point Trend (Decreasing)": "trend",
        "7 Points Above CL": "shift",
        "7 Points Below CL": "shift",
        "2 in 3 Above CL": "two_of_three",
        "2 in 3 Below CL": "two_of_three",
    }
    for meta, rows in _cases(reference_dir).values():
        result, rows = _run(meta, rows)
        assert [p.rule for p in result.points] == [names[r["special_cause_type"]] for r in rows]
