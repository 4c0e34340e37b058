"""The data service: totals counted by the measures' engine agree with an independent count of the
real files; check, load, status and measures give what the command line prints."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from policingplan.attribution import attribution
from policingplan.data.files import open_text
from policingplan.periods import Month
from policingplan.problems import UserError
from policingplan.services import data

MPS_MONTHLY = "mps-recorded-crime-borough-monthly_2010-04_2024-02.csv.gz"
TFL_2019 = "tfl-road-casualties-2019.csv.gz"


@pytest.fixture(scope="module")
def mps_rows(london_dir: Path) -> list[dict]:
    with open_text(london_dir / MPS_MONTHLY) as handle:
        return list(csv.DictReader(handle))


def _fy(column: str) -> str:
    return str(Month(f"{column[:4]}-{column[4:]}").financial_year)


def test_mps_totals_by_force_and_financial_year_match_a_count_with_the_csv_module(london_dir, mps_rows):
    result = data.count_totals("mps-borough-monthly", [london_dir / MPS_MONTHLY], period="fy", by="force",
                               where=["major=burglary"])
    expected: Counter = Counter()
    for row in mps_rows:
        if row["majortext"].lower() == "burglary":  # every row is a borough, the airports or unknown
            for column, count in row.items():
                if column.isdigit():
                    expected[_fy(column)] += int(count)
    assert {(r.unit, r.period): r.count for r in result.rows} == {("force", fy): n for fy, n in expected.items()}
    assert all(isinstance(r.count, int) for r in result.rows)
    assert result.attribution == attribution(["mps-borough-monthly"])
    [note] = result.notes
    assert note.code == "data.part-periods" and note.values == {"periods": "2023/24"}
    assert str(note) == "the files cover only part of 2023/24; those totals are not whole years."


def test_mps_totals_by_unit_and_month_match_the_csv_module_for_westminster(london_dir, mps_rows):
    result = data.count_totals("mps-borough-monthly", [london_dir / MPS_MONTHLY], period="month", by="unit",
                               where=["unit=e09000033", "minor=Robbery of Personal Property"])
    expected: Counter = Counter()
    for row in mps_rows:
        if row["boroughname"] == "Westminster" and row["minortext"].lower() == "robbery of personal property":
            for column, count in row.items():
                if column.isdigit():
                    expected[f"{column[:4]}-{column[4:]}"] += int(count)
    assert {r.period: r.count for r in result.rows} == dict(expected)
    assert {r.unit for r in result.rows} == {"E09000033"}
    assert result.notes == []


def test_tfl_ksi_by_borough_match_the_csv_module(london_dir):
    result = data.count_totals("tfl-casualties", [london_dir / TFL_2019], period="year", by="force",
                               where=["severity=fatal,SERIOUS"])
    with open_text(london_dir / TFL_2019) as handle:
        ksi = sum(1 for row in csv.DictReader(handle) if row["Casualty Severity"][:1] in ("1", "2"))
    assert [r.model_dump() for r in result.rows] == [{"unit": "force", "period": "2019", "count": ksi}]
    assert ksi == 3905


def test_totals_refuse_what_they_cannot_count(london_dir, data_dir):
    with pytest.raises(UserError, match="cannot be split into financial years"):
        data.count_totals("tfl-casualties", [london_dir / TFL_2019], period="fy")
    with pytest.raises(UserError, match="has no attribute 'sev'"):
        data.count_totals("tfl-casualties", [london_dir / TFL_2019], period="year", where=["sev=fatal"])
    with pytest.raises(UserError, match="--period 'quarter'"):
        data.count_totals("tfl-casualties", [london_dir / TFL_2019], period="quarter")
    bad = Path(__file__).parents[1] / "data_readers" / "fixtures" / "mps-monthly-bad-counts.csv"
    with pytest.raises(UserError, match="nothing was counted") as caught:
        data.count_totals("mps-borough-monthly", [bad], period="month")
    assert {p.line for p in caught.value.problems} == {2, 3, 4, 5}


def test_check_files_reports_rows_and_problems(london_dir):
    result = data.check_files("tfl-casualties", [london_dir / TFL_2019])
    assert result.to_json_data() == {"ok": True, "rows": 30007, "errors": [], "warnings": []}
    assert [f.rows_accepted for f in result.files] == [30007]


def test_load_status_measures_and_categories(london_dir, tmp_path, london_2023):
    plan = data.load_plan(london_2023)
    warehouse = tmp_path / "wh"
    loaded = data.load_files(warehouse, kind="tfl-casualties", files=[london_dir / TFL_2019], plan=plan)
    assert loaded.ok and [f.status for f in loaded.files] == ["loaded"]
    assert loaded.categories_checked and loaded.categories == []
    again = data.load_files(warehouse, kind="tfl-casualties", files=[london_dir / TFL_2019])
    assert [f.status for f in again.files] == ["already loaded"] and not again.categories_checked
    status = data.warehouse_status(warehouse)
    assert [(s.kind, s.files, s.first_period, s.last_period) for s in status.sources] == [
        ("tfl-casualties", 1, "2019", "2019")]
    assert [load.file for load in status.loads] == [TFL_2019]
    values = data.measures(plan, warehouse, measure="road-ksi", unit="force")
    assert [(r.unit, r.month, r.value, r.source) for r in values.rows] == [
        ("force", "2019", 3905, "tfl-casualties")]
    assert values.attribution == attribution(["tfl-casualties"])
    with pytest.raises(UserError, match="load it first: policingplan data load mps-borough-monthly"):
        data.measures(plan, warehouse, measure="neighbourhood-crime")
    check = data.category_drift(plan, warehouse)
    assert check.warehouse == str(warehouse) and check.findings == []
    missing = data.category_drift(plan, tmp_path / "none")
    assert missing.warehouse is None and [w.column for w in missing.warnings] == ["--warehouse"]


@pytest.fixture(scope="module")
def london_2023(project_root) -> Path:
    return project_root / "examples" / "london-2023-24"
