"""Fixtures for the warehouse tests: the real files, small plans built from the model, crafted files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from policingplan.data.warehouse import Warehouse
from policingplan.plan.model import CountingRule, DataSource, Measure, Plan, Unit
from policingplan.data.files import open_text

MPS_MONTHLY = "london/mps-recorded-crime-borough-monthly_2010-04_2024-02.csv.gz"
TFL_2019 = "london/tfl-road-casualties-2019.csv.gz"
HOMICIDES = "london/mps-homicide-victims_2003-2023.csv.gz"
DASHBOARD = "london/mps-crime-dashboard-borough_2021-08_2025-07.csv.gz"

WESTMINSTER = "E09000033"


def count_measure(measure_id: str, source: str, rule: dict) -> Measure:
    return Measure(id=measure_id, name=measure_id.replace("_", " "), kind="count", polarity="lower",
                   unit_of_count="records", source=source, rule=CountingRule(count=rule))


def ratio_measure(measure_id: str, source: str, numerator: dict, denominator: dict) -> Measure:
    return Measure(id=measure_id, name=measure_id.replace("_", " "), kind="ratio", polarity="higher",
                   unit_of_count="per record", source=source,
                   rule=CountingRule(numerator=numerator, denominator=denominator))


@pytest.fixture(scope="session")
def london_plan() -> Plan:
    """A small plan with one measure of each shape, over the real London sources."""
    return Plan(
        id="test-london", name="Test plan", organisation="Metropolitan Police Service", period="2023/24",
        units=[Unit(code=WESTMINSTER, name="Westminster")],
        measures=[
            count_measure("burglary", "mps-borough-monthly", {"major": ["BURGLARY"]}),
            count_measure("ksi", "tfl-casualties", {"severity": ["fatal", "serious"]}),
            count_measure("child_ksi", "tfl-casualties",
                          {"severity": ["fatal", "serious"], "age_group": ["child"]}),
            ratio_measure("homicide_solved_rate", "mps-homicide-victims", {"solved": ["solved"]}, {}),
            ratio_measure(
                "knife_positive_outcome_rate", "mps-crime-dashboard",
                {"crime_type": ["Knife Crime"], "crime_subtype": ["Knife Crime"], "measure": ["Positive Outcomes"]},
                {"crime_type": ["Knife Crime"], "crime_subtype": ["Knife Crime"], "measure": ["Offences"]},
            ),
        ],
        data_sources=[
            DataSource(kind="mps-borough-monthly", files=[MPS_MONTHLY]),
            DataSource(kind="tfl-casualties", files=[TFL_2019]),
            DataSource(kind="mps-homicide-victims", files=[HOMICIDES]),
            DataSource(kind="mps-crime-dashboard", files=[DASHBOARD]),
        ],
    )


@pytest.fixture(scope="session")
def loaded_warehouse(tmp_path_factory, data_dir: Path) -> Warehouse:
    """A warehouse holding the MPS monthly, TfL 2019, homicide and dashboard files (read it, never write)."""
    warehouse = Warehouse(tmp_path_factory.mktemp("loaded") / "warehouse")
    report = warehouse.load_files([
        ("mps-borough-monthly", data_dir / MPS_MONTHLY),
        ("tfl-casualties", data_dir / TFL_2019),
        ("mps-homicide-victims", data_dir / HOMICIDES),
        ("mps-crime-dashboard", data_dir / DASHBOARD),
    ])
    assert report.ok, [str(p) for p in report.problems.errors]
    return warehouse


def write_dashboard_extract(source: Path, target: Path, months: set[str], refresh_date: str,
                            add_to_outcomes: int = 0) -> Path:
    """A dashboard file of the real rows for ``months`` (``YYYY-MM``), with one refresh date."""
    with open_text(source) as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames
        rows = [row for row in reader if row["month_year"][:7] in months]
    for row in rows:
        row["refresh_date"] = refresh_date
        if row["measure"] == "Positive Outcomes":
            row["count"] = str(int(row["count"]) + add_to_outcomes)
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return target
