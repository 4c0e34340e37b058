"""Measure values from the warehouse, checked against hand counts from the files and published figures."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from policingplan.data.measures import SourceNotLoaded, measure_values
from policingplan.data.warehouse import Warehouse
from policingplan.plan.model import Plan
from policingplan.problems import UserError

from .conftest import HOMICIDES, MPS_MONTHLY, TFL_2019, WESTMINSTER, count_measure
from policingplan.data.files import open_text

SIX_MONTHS = [f"2023-{m:02d}" for m in range(4, 10)]


def _rows(table) -> dict[tuple, tuple]:
    return {(r["measure"], r["unit"], r["month"]): (r["numerator"], r["denominator"]) for r in table.to_pylist()}


def _monthly_hand_count(path, major: str, borough: str | None, months: list[str]) -> dict[str, int]:
    columns = [m.replace("-", "") for m in months]
    totals = dict.fromkeys(columns, 0)
    with open_text(path) as handle:
        for row in csv.DictReader(handle):
            if row["majortext"] == major and (borough is None or row["boroughname"] == borough):
                for column in columns:
                    totals[column] += int(row[column])
    return {f"{c[:4]}-{c[4:]}": n for c, n in totals.items()}


def test_westminster_burglary_matches_a_hand_count(london_plan, loaded_warehouse, data_dir):
    table = measure_values(london_plan, loaded_warehouse, measure_id="burglary", unit=WESTMINSTER,
                           start="2023-04", end="2023-09")
    expected = _monthly_hand_count(data_dir / MPS_MONTHLY, "BURGLARY", "Westminster", SIX_MONTHS)

    assert table.column_names == ["measure", "unit", "month", "period_kind", "numerator", "denominator"]
    assert _rows(table) == {("burglary", WESTMINSTER, m): (float(n), None) for m, n in expected.items()}
    assert sum(expected.values()) > 1000  # a real borough's half year, not an empty filter


def test_the_force_total_is_the_sum_of_every_row_in_the_file(london_plan, loaded_warehouse, data_dir):
    table = measure_values(london_plan, loaded_warehouse, measure_id="burglary", start="2023-04", end="2023-09")
    expected = _monthly_hand_count(data_dir / MPS_MONTHLY, "BURGLARY", None, SIX_MONTHS)
    rows = _rows(table)

    for month, total in expected.items():
        assert rows[("burglary", "force", month)] == (float(total), None)
        units = [num for (_, unit, m), (num, _) in rows.items() if m == month and unit != "force"]
        assert sum(units) == total


def test_ksi_2019_is_the_published_3905_and_child_ksi_211(london_plan, loaded_warehouse, data_dir):
    table = measure_values(london_plan, loaded_warehouse, unit="force")
    rows = _rows(table)
    with open_text(data_dir / TFL_2019) as handle:
        casualties = list(csv.DictReader(handle))
    ksi = [c for c in casualties if c["Casualty Severity"] in ("1 FATAL", "2 SERIOUS")]
    children = [c for c in ksi if c["Casualty Age"].strip() and int(c["Casualty Age"]) <= 15
                and c["Casualty Age (Banded)"] != "U"]

    assert rows[("ksi", "force", "2019")] == (3905.0, None) == (float(len(ksi)), None)
    assert rows[("child_ksi", "force", "2019")] == (211.0, None) == (float(len(children)), None)
    assert {r["period_kind"] for r in table.to_pylist() if r["measure"] == "ksi"} == {"year"}


def test_a_ratio_is_recomputed_from_summed_parts_never_averaged(london_plan, loaded_warehouse, data_dir):
    table = measure_values(london_plan, loaded_warehouse, measure_id="homicide_solved_rate")
    rows = _rows(table)
    with open_text(data_dir / HOMICIDES) as handle:
        victims_2019 = [r for r in csv.DictReader(handle) if r["Year"] == "2019"]
    solved = sum(1 for r in victims_2019 if r["Solved_Status"] == "Solved")

    assert rows[("homicide_solved_rate", "force", "2019")] == (float(solved), float(len(victims_2019)))
    units = [(n, d) for (_, unit, m), (n, d) in rows.items() if m == "2019" and unit != "force"]
    assert sum(n for n, _ in units) == solved and sum(d for _, d in units) == len(victims_2019)
    mean_of_rates = sum(n / d for n, d in units) / len(units)
    assert mean_of_rates != pytest.approx(solved / len(victims_2019), abs=1e-9)


def test_a_year_is_kept_only_when_the_range_covers_all_its_months(london_plan, loaded_warehouse):
    whole_year = measure_values(london_plan, loaded_warehouse, measure_id="ksi", unit="force",
                                start="2019-01", end="2019-12")
    part_year = measure_values(london_plan, loaded_warehouse, measure_id="ksi", unit="force",
                               start="2019-04", end="2019-12")
    assert [r["month"] for r in whole_year.to_pylist()] == ["2019"]
    assert part_year.num_rows == 0


def test_a_unit_month_with_records_but_none_that_match_counts_zero(london_plan, loaded_warehouse):
    table = measure_values(london_plan, loaded_warehouse, measure_id="homicide_solved_rate")
    with_homicides_none_solved = [r for r in table.to_pylist() if r["numerator"] == 0]
    assert with_homicides_none_solved
    assert all(r["denominator"] > 0 for r in with_homicides_none_solved)


def test_a_measure_whose_source_is_not_loaded_says_which(london_plan, tmp_path, data_dir):
    warehouse = Warehouse(tmp_path / "wh")
    assert warehouse.load_files([("tfl-casualties", data_dir / TFL_2019)]).ok
    with pytest.raises(SourceNotLoaded) as caught:
        measure_values(london_plan, warehouse)
    assert caught.value.kind == "mps-borough-monthly" and caught.value.measure.id == "burglary"
    assert _rows(measure_values(london_plan, warehouse, measure_id="ksi", unit="force")) == {
        ("ksi", "force", "2019"): (3905.0, None)}


def test_a_rule_value_the_loaded_data_never_holds_is_a_user_error(london_plan, loaded_warehouse):
    plan = london_plan.model_copy(update={"measures": [
        count_measure("fatal", "tfl-casualties", {"severity": ["1 FATAL"]})]})
    with pytest.raises(UserError) as caught:
        measure_values(plan, loaded_warehouse)
    (problem,) = caught.value.problems
    assert problem.value == "1 FATAL" and problem.accepted == "'fatal', 'serious', 'slight'"


def test_an_unknown_measure_or_a_backwards_range_is_a_user_error(london_plan, loaded_warehouse):
    with pytest.raises(UserError, match="no measure 'robbery'"):
        measure_values(london_plan, loaded_warehouse, measure_id="robbery")
    with pytest.raises(UserError, match="backwards"):
        measure_values(london_plan, loaded_warehouse, start="2023-09", end="2023-04")
    with pytest.raises(UserError, match="2023-13.*01 to 12"):
        measure_values(london_plan, loaded_warehouse, start="2023-13")


def test_city_of_london_street_files_count_by_a_force_rule(tmp_path, data_dir):
    files = sorted((data_dir / "city-of-london" / "police-uk-street").glob("*.csv.gz"))
    warehouse = Warehouse(tmp_path / "wh")
    report = warehouse.load_files([("police-uk-street", path) for path in files])
    assert report.ok and [Path(f.file).name for f in report.files] == [p.name for p in files]
    plan = Plan(id="city", name="City", organisation="City of London Police", period="2022/23", measures=[
        count_measure("burglary", "police-uk-street",
                      {"crime_type": ["Burglary"], "force": ["City of London Police"]})])

    table = measure_values(plan, warehouse, unit="force", start="2022-04", end="2023-03")

    expected = {}
    for path in files:
        with open_text(path) as handle:
            for row in csv.DictReader(handle):
                if row["Crime type"] == "Burglary" and "2022-04" <= row["Month"] <= "2023-03":
                    expected[row["Month"]] = expected.get(row["Month"], 0) + 1
    assert {r["month"]: r["numerator"] for r in table.to_pylist()} == {m: float(n) for m, n in expected.items()}
    assert len(expected) == 12


def test_areas_made_of_units_are_not_added_into_the_force_total(tmp_path, data_dir):
    path = data_dir / "london/gla-recorded-offences-by-borough-fy_1999-00_2009-10.csv.gz"
    warehouse = Warehouse(tmp_path / "wh")
    assert warehouse.load_files([("gla-borough-fy", path)]).ok
    plan = Plan(id="gla", name="GLA", organisation="Metropolitan Police Service", period="2007/08", measures=[
        count_measure("offences", "gla-borough-fy", {"measure": ["offences"]})])

    rows = _rows(measure_values(plan, warehouse))

    with open_text(path) as handle:
        year = [r for r in csv.DictReader(handle) if r["Year"] == "2006-12-31"]
    boroughs_and_heathrow = sum(int(r["Value"]) for r in year if r["Code"].startswith("E09") or r["Borough"] == "Heathrow")
    (england_and_wales,) = [int(r["Value"]) for r in year if r["Borough"] == "England and Wales"]
    assert rows[("offences", "force", "2006/07")] == (float(boroughs_and_heathrow), None)
    assert rows[("offences", "K04000001", "2006/07")] == (float(england_and_wales), None)


def test_segments_removed_by_a_load_in_between_are_listed_again(london_plan, tmp_path, data_dir, monkeypatch):
    warehouse = Warehouse(tmp_path / "wh")
    assert warehouse.load_files([("tfl-casualties", data_dir / TFL_2019)]).ok
    live = warehouse._segment_files("tfl-casualties")
    listings = iter([[tmp_path / "wh" / "records" / "tfl-casualties" / "superseded.parquet"], live])
    monkeypatch.setattr(warehouse, "_segment_files", lambda kind: next(listings))

    table = measure_values(london_plan, warehouse, measure_id="ksi", unit="force")

    assert _rows(table) == {("ksi", "force", "2019"): (3905.0, None)}
