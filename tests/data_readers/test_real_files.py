"""Every real file in the project's data/ loads through its reader with no errors,
and the published figures come out of it."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policingplan.cli import app
from policingplan.data.readers import ATTRIBUTES, VALUE_COLUMNS, canonical_schema, read_source
from policingplan.data.units import ALL_UNITS
from policingplan.data.files import open_text, read_bytes

LONDON_FILES = {
    "mps-recorded-crime-borough-monthly_2010-04_2024-02.csv.gz": "mps-borough-monthly",
    "gla-recorded-offences-by-borough-fy_1999-00_2009-10.csv.gz": "gla-borough-fy",
    "gla-crime-rates-by-borough-fy_1999-00_2009-10.csv.gz": "gla-borough-fy",
    "ons-population-lsoa-mid2020.csv.gz": "ons-lsoa-population",
    "ons-population-lsoa-mid2019.csv.gz": "ons-lsoa-population",
    "tfl-road-casualties-2019.csv.gz": "tfl-casualties",
    "mps-homicide-victims_2003-2023.csv.gz": "mps-homicide-victims",
    "mps-crime-dashboard-borough_2021-08_2025-07.csv.gz": "mps-crime-dashboard",
}

runner = CliRunner()


def totals_json(*args: str) -> list[dict]:
    result = runner.invoke(app, ["data", "totals", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["rows"]


def test_every_london_file_is_listed(london_dir: Path):
    assert sorted(p.name for p in london_dir.glob("*.csv.gz")) == sorted(LONDON_FILES)


@pytest.mark.parametrize("name,kind", sorted(LONDON_FILES.items()))
def test_it_reads_each_london_file_without_errors(london_dir: Path, name: str, kind: str):
    result = read_source(kind, london_dir / name)
    assert result.ok, [str(p) for p in result.problems.errors]
    assert result.rows_read > 0
    assert 0 < result.rows_accepted <= result.rows_read
    assert result.table.schema == canonical_schema(kind)
    assert result.table.num_rows > 0
    assert result.sha256 == hashlib.sha256(read_bytes(london_dir / name)).hexdigest()
    units = set(result.table.column("unit").to_pylist())
    assert units <= set(ALL_UNITS), units - set(ALL_UNITS)
    for attribute in ATTRIBUTES[kind]:
        assert result.table.column(attribute).null_count == 0
    if kind in ("tfl-casualties", "mps-homicide-victims"):  # one record a line: none lost
        assert sum(result.table.column("count").to_pylist()) == result.rows_accepted == result.rows_read
    if "count" in result.table.column_names and kind != "gla-borough-fy":
        assert result.table.column("count").null_count == 0


def test_it_reads_every_city_of_london_street_file(data_dir: Path):
    files = sorted((data_dir / "city-of-london" / "police-uk-street").glob("*.csv.gz"))
    assert len(files) == 24
    for file in files:
        result = read_source("police-uk-street", file)
        assert result.ok, [str(p) for p in result.problems.errors]
        with open_text(file) as handle:
            records = sum(1 for _ in csv.DictReader(handle))
        assert result.rows_read == records
        assert sum(result.table.column("count").to_pylist()) == records
        assert set(result.table.column("unit").to_pylist()) == {"E09000001"}
        assert set(result.table.column("period").to_pylist()) == {file.name[:7]}


def test_tfl_2019_ksi_matches_the_published_3905_and_child_211(london_dir: Path):
    file = str(london_dir / "tfl-road-casualties-2019.csv.gz")
    ksi = totals_json("tfl-casualties", file, "--period", "year", "--by", "force",
                      "--where", "severity=fatal,serious")
    assert ksi == [{"unit": "force", "period": "2019", "count": 3905}]
    child = totals_json("tfl-casualties", file, "--period", "year", "--by", "force",
                        "--where", "severity=FATAL,SERIOUS", "--where", "age_group=child")
    assert child == [{"unit": "force", "period": "2019", "count": 211}]
    killed = totals_json("tfl-casualties", file, "--period", "year", "--by", "force",
                         "--where", "severity=fatal")
    assert killed[0]["count"] == 125


def test_tfl_2019_unknown_age_is_not_counted_as_a_child(london_dir: Path):
    result = read_source("tfl-casualties", london_dir / "tfl-road-casualties-2019.csv.gz")
    with open_text(london_dir / "tfl-road-casualties-2019.csv.gz") as handle:
        bands = [row["Casualty Age (Banded)"] for row in csv.DictReader(handle)]
    rows = result.table.to_pylist()
    assert sum(r["count"] for r in rows if r["age_group"] == "unknown") == bands.count("U")
    assert sum(r["count"] for r in rows if r["age_group"] == "child") == bands.count("0-15")


@pytest.mark.parametrize("year,total", [("2020", 9_002_488), ("2019", 8_961_989)])
def test_ons_london_population_matches_the_published_total(london_dir: Path, year: str, total: int):
    file = str(london_dir / f"ons-population-lsoa-mid{year}.csv.gz")
    rows = totals_json("ons-lsoa-population", file, "--period", "year", "--by", "force")
    assert rows == [{"unit": "force", "period": year, "count": total}]
    by_unit = totals_json("ons-lsoa-population", file, "--period", "year", "--by", "unit")
    assert len(by_unit) == 33
    assert sum(r["count"] for r in by_unit) == total


def _hand_total_2023_24(file: Path, borough: str) -> int:
    """The MPS file's 2023/24 total for one borough, added up with the csv module."""
    months = [f"2023{m:02d}" for m in range(4, 13)] + [f"2024{m:02d}" for m in range(1, 4)]
    total = 0
    with open_text(file) as handle:
        for row in csv.DictReader(handle):
            if row["boroughname"] == borough:
                total += sum(int(row[m]) for m in months if m in row)
    return total


def test_mps_monthly_2023_24_totals_match_a_hand_count(london_dir: Path):
    file = london_dir / "mps-recorded-crime-borough-monthly_2010-04_2024-02.csv.gz"
    rows = totals_json("mps-borough-monthly", str(file), "--period", "fy", "--by", "unit")
    got = {(r["unit"], r["period"]): r["count"] for r in rows}
    for code, name in (("E09000007", "Camden"), ("E09000021", "Kingston upon Thames"),
                       ("E09000033", "Westminster")):
        expected = _hand_total_2023_24(file, name)
        assert expected > 10_000
        assert got[(code, "2023/24")] == expected


def test_mps_monthly_burglary_by_month_matches_a_hand_count(london_dir: Path):
    file = london_dir / "mps-recorded-crime-borough-monthly_2010-04_2024-02.csv.gz"
    with open_text(file) as handle:
        expected = sum(int(row["202304"]) for row in csv.DictReader(handle)
                       if row["majortext"] == "BURGLARY" and row["boroughname"] == "Camden")
    rows = totals_json("mps-borough-monthly", str(file), "--period", "month", "--by", "unit",
                       "--where", "major=BURGLARY")
    got = {(r["unit"], r["period"]): r["count"] for r in rows}
    assert got[("E09000007", "2023-04")] == expected


def test_mps_monthly_keeps_the_airports_and_warns_about_unknown(london_dir: Path):
    result = read_source("mps-borough-monthly",
                         london_dir / "mps-recorded-crime-borough-monthly_2010-04_2024-02.csv.gz")
    units = set(result.table.column("unit").to_pylist())
    assert {"MPS-AIRPORTS", "MPS-UNKNOWN"} <= units
    assert len(units - {"MPS-AIRPORTS", "MPS-UNKNOWN"}) == 32
    assert "E09000001" not in units  # the City of London is a separate force
    assert any("MPS-UNKNOWN" in p.message for p in result.problems.warnings)


def test_gla_year_means_the_financial_year_starting_that_april(london_dir: Path):
    file = london_dir / "gla-recorded-offences-by-borough-fy_1999-00_2009-10.csv.gz"
    result = read_source("gla-borough-fy", file)
    rows = {(r["unit"], r["period"]): r for r in result.table.to_pylist()}
    with open_text(file) as handle:
        published = next(r for r in csv.DictReader(handle)
                         if r["Code"] == "E09000002" and r["Year"] == "2003-12-31")
    row = rows[("E09000002", "2003/04")]
    assert row["count"] == int(published["Value"])
    assert row["measure"] == "offences"
    # n/a is missing, never zero: England and Wales' early years are left out.
    assert ("K04000001", "1999/00") not in rows
    assert any("n/a" in p.message for p in result.problems.warnings)


def test_gla_rates_file_is_the_rate_measure(london_dir: Path):
    result = read_source("gla-borough-fy", london_dir / "gla-crime-rates-by-borough-fy_1999-00_2009-10.csv.gz")
    rows = result.table.to_pylist()
    assert {r["measure"] for r in rows} == {"rate_per_1000"}
    assert all(r["count"] is None and r["value"] > 0 for r in rows)


def test_dashboard_vintage_is_its_latest_refresh_date(london_dir: Path):
    result = read_source("mps-crime-dashboard", london_dir / "mps-crime-dashboard-borough_2021-08_2025-07.csv.gz")
    assert result.vintage == "2025-08-21"
    rows = result.table.to_pylist()
    assert {r["measure"] for r in rows} == {"Offences", "Positive Outcomes"}
    assert "Miscalleneous" in {r["crime_type"] for r in rows}
    assert read_source("mps-crime-dashboard", london_dir / "mps-crime-dashboard-borough_2021-08_2025-07.csv.gz",
                       vintage="2025-09-01").vintage == "2025-09-01"


def test_dashboard_counts_add_up_to_the_file(london_dir: Path):
    file = london_dir / "mps-crime-dashboard-borough_2021-08_2025-07.csv.gz"
    with open_text(file) as handle:
        expected = sum(int(r["count"]) for r in csv.DictReader(handle)
                       if r["crime_type"] == "Knife Crime" and r["measure"] == "Offences"
                       and r["month_year"].startswith("2023-"))
    rows = totals_json("mps-crime-dashboard", str(file), "--period", "year", "--by", "force",
                       "--where", "crime_type=Knife Crime", "--where", "measure=Offences")
    assert {r["period"]: r["count"] for r in rows}["2023"] == expected


def test_homicide_solved_status_by_year(london_dir: Path):
    file = london_dir / "mps-homicide-victims_2003-2023.csv.gz"
    with open_text(file) as handle:
        rows = [r for r in csv.DictReader(handle) if r["Year"] == "2006"]
    solved = totals_json("mps-homicide-victims", str(file), "--period", "year", "--by", "force",
                         "--where", "solved=solved")
    assert {r["period"]: r["count"] for r in solved}["2006"] == sum(r["Solved_Status"] == "Solved" for r in rows)


def test_value_columns_are_declared_for_every_kind():
    assert set(VALUE_COLUMNS) == set(ATTRIBUTES)


def test_gla_force_total_is_the_boroughs_not_the_aggregate_areas_again(london_dir: Path):
    file = london_dir / "gla-recorded-offences-by-borough-fy_1999-00_2009-10.csv.gz"
    with open_text(file) as handle:
        met_area = {r["Year"][:4]: int(r["Value"]) for r in csv.DictReader(handle)
                    if r["Borough"] == "Met Police Area"}
    rows = totals_json("gla-borough-fy", str(file), "--period", "fy", "--by", "force")
    force = {r["period"][:4]: r["count"] for r in rows}
    # The boroughs and Heathrow add up to the publisher's own Met Police Area row
    # (exactly from 2005/06 on, within 0.1% before), not to twice or thrice it.
    assert force["2007"] == met_area["2007"] == 862_032
    for year, published in met_area.items():
        assert abs(force[year] - published) <= published * 0.001
