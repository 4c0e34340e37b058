"""The police.uk street-level reader: every column checked, the crime-ID rule, and the layouts of
other years (``docs/formats/police-uk-street.md``)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from policingplan.data.files import open_text, read_bytes
from policingplan.data.readers import read_source
from policingplan.data.units import LONDON_BOROUGHS, normalise_name

YEARS = Path(__file__).parent / "fixtures" / "years"
STREET = Path(__file__).parent / "fixtures" / "street"
BOROUGHS = {normalise_name(name): code for code, name in LONDON_BOROUGHS.items()}


def _independent_totals(path: Path) -> Counter:
    """Records by unit, month and crime type, counted with the csv module."""
    totals: Counter = Counter()
    with open_text(path) as handle:
        for row in csv.DictReader(handle):
            force = row["Falls within"]
            if force == "City of London Police":
                unit = "E09000001"
            elif force == "Metropolitan Police Service":
                district = row["LSOA name"].rsplit(" ", 1)[0] if row["LSOA name"] else ""
                unit = BOROUGHS.get(normalise_name(district), "MPS-UNKNOWN")
            else:
                unit = force
            totals[(unit, row["Month"], row["Crime type"])] += 1
    return totals


def _totals(result) -> Counter:
    totals: Counter = Counter()
    for row in result.table.to_pylist():
        totals[(row["unit"], row["period"], row["crime_type"])] += row["count"]
    return totals


@pytest.mark.parametrize("name", ["police-uk-street-2010-12-metropolitan.csv",
                                  "police-uk-street-2012-01-metropolitan.csv",
                                  "police-uk-street-2014-01-metropolitan.csv"])
def test_the_metropolitan_files_of_other_years_load_with_their_own_totals(name: str):
    result = read_source("police-uk-street", YEARS / name)
    assert result.ok, [str(p) for p in result.problems.errors]
    assert _totals(result) == _independent_totals(YEARS / name)
    assert result.rows_accepted == sum(_independent_totals(YEARS / name).values())


def test_the_2014_file_keeps_its_met_crime_outside_london_under_mps_unknown():
    result = read_source("police-uk-street", YEARS / "police-uk-street-2014-01-metropolitan.csv")
    [warning] = result.problems.warnings
    assert (warning.line, warning.value) == (2, "Ashford 009H")
    assert _totals(result)[("MPS-UNKNOWN", "2014-01", "Violence and sexual offences")] == 1


def test_every_real_city_file_counts_as_the_csv_module_counts(data_dir: Path):
    for path in sorted((data_dir / "city-of-london" / "police-uk-street").glob("*.csv.gz")):
        result = read_source("police-uk-street", path)
        assert result.ok and not result.problems.warnings, (path.name, [str(p) for p in result.problems])
        assert _totals(result) == _independent_totals(path), path.name


def _variant(tmp_path: Path, text: str, name: str = "street.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def _city_text(data_dir: Path, month: str = "2021-09") -> str:
    path = data_dir / "city-of-london" / "police-uk-street" / f"{month}-city-of-london-street.csv.gz"
    return read_bytes(path).decode("utf-8")


def test_header_spellings_a_trailing_empty_column_a_bom_and_upper_case_codes(data_dir: Path, tmp_path: Path):
    text = _city_text(data_dir)
    header, *records = text.split("\r\n")
    plain = read_source("police-uk-street", _variant(tmp_path, text, "plain.csv"))
    variant_header = ("crime id,MONTH, Reported By ,falls_within,longitude,LATITUDE,location,lsoa code,"
                      "LSOA_Name,Crime Type,last outcome category,context,")
    upper = [line.upper().replace("CITY OF LONDON POLICE", "City of London Police") if line else line
             for line in records]
    # Upper-casing the crime IDs and names would break them: only the coded columns are changed.
    changed = []
    for original in records:
        if not original:
            changed.append(original)
            continue
        fields = original.split(",")
        fields[3] = fields[3].upper()    # Falls within
        fields[9] = fields[9].upper()    # Crime type
        fields[10] = fields[10].upper()  # Last outcome category
        changed.append(",".join(fields) + ",")
    assert upper  # the records are there
    variant = read_source("police-uk-street", _variant(
        tmp_path, "\r\n".join([variant_header, *changed]), "variant.csv", bom=True))
    assert variant.ok and not variant.problems.warnings, [str(p) for p in variant.problems]
    assert sorted(variant.table.to_pylist(), key=str) == sorted(plain.table.to_pylist(), key=str)


def test_an_unknown_extra_column_is_a_warning(data_dir: Path, tmp_path: Path):
    header, *records = _city_text(data_dir).split("\r\n")
    lines = [header + ",Ward"] + [line + ",Bishopsgate" for line in records if line]
    result = read_source("police-uk-street", _variant(tmp_path, "\n".join(lines) + "\n"))
    assert result.ok
    [warning] = result.problems.warnings
    assert (warning.line, warning.column) == (1, "Ward") and "does not have" in warning.message


def test_a_missing_column_is_an_error_that_suggests_the_closest_name(data_dir: Path, tmp_path: Path):
    text = _city_text(data_dir).replace("Last outcome category", "Last outcome categry", 1)
    [error] = read_source("police-uk-street", _variant(tmp_path, text)).problems.errors
    assert error.line == 1 and "'Last outcome category' is missing" in error.message
    assert "'Last outcome categry'" in error.message


def test_a_repeated_crime_id_with_another_crime_type_names_both_lines(data_dir: Path, tmp_path: Path):
    header, *records = _city_text(data_dir).split("\r\n")
    records = [r for r in records if r]
    fields = records[7].split(",")  # line 9, Bicycle theft
    fields[9] = "Robbery"
    lines = [header, *records, ",".join(fields)]
    result = read_source("police-uk-street", _variant(tmp_path, "\n".join(lines) + "\n"))
    errors = result.problems.errors
    assert {(e.line, e.column) for e in errors} == {(9, "Crime type"), (len(lines), "Crime type")}
    later = next(e for e in errors if e.line == len(lines))
    assert "line 9 has Bicycle theft" in later.value
    first = next(e for e in errors if e.line == 9)
    assert f"line {len(lines)} has Robbery" in first.value


def test_repeated_crime_ids_and_identical_lines_are_records(data_dir: Path, tmp_path: Path):
    # The City's own file for October 2021 repeats crime IDs with other locations and outcomes,
    # and repeats anti-social behaviour lines word for word: every line is a record.
    path = data_dir / "city-of-london" / "police-uk-street" / "2021-10-city-of-london-street.csv.gz"
    with open_text(path) as handle:
        rows = list(csv.DictReader(handle))
    ids = Counter(r["Crime ID"] for r in rows if r["Crime ID"])
    assert max(ids.values()) >= 2
    result = read_source("police-uk-street", path)
    assert result.ok and result.rows_accepted == len(rows) == sum(r["count"] for r in result.table.to_pylist())
    header, *records = _city_text(data_dir).split("\r\n")
    records = [r for r in records if r]
    lines = [header, *records, records[7], records[4]]  # a crime and an ASB line, again
    again = read_source("police-uk-street", _variant(tmp_path, "\n".join(lines) + "\n"))
    assert again.ok and again.rows_accepted == len(records) + 2


def test_a_met_lsoa_that_does_not_exist_is_refused(tmp_path: Path):
    fixture = (YEARS / "police-uk-street-2014-01-metropolitan.csv").read_text(encoding="utf-8")
    lines = fixture.splitlines()
    fields = lines[5].split(",")
    assert fields[8].startswith("Barking and Dagenham")
    fields[7] = "E01000999"  # a 2011-range code that is no London LSOA of Barking and Dagenham
    lines[5] = ",".join(fields)
    result = read_source("police-uk-street", _variant(tmp_path, "\n".join(lines) + "\n"))
    at = [e for e in result.problems.errors if (e.line, e.column) == (6, "LSOA code")]
    assert any("no such London LSOA" in e.message for e in at), [str(e) for e in result.problems.errors]


def test_a_2021_london_lsoa_is_accepted(data_dir: Path):
    # September 2022 onwards the City's files use 2021 LSOAs (E01035687 Tower Hamlets 021H).
    path = data_dir / "city-of-london" / "police-uk-street" / "2023-08-city-of-london-street.csv.gz"
    result = read_source("police-uk-street", path)
    assert result.ok and "E01035687" in {r["lsoa"] for r in result.table.to_pylist()}


def test_the_fixture_of_the_format_page_is_valid():
    # tests/data_readers/fixtures/street/every-column.csv: one line for each rule of the format page.
    result = read_source("police-uk-street", STREET / "every-column.csv")
    assert result.ok, [str(p) for p in result.problems.errors]
    rows = {(r["unit"], r["crime_type"], r["outcome"], r["lsoa"]): r["count"] for r in result.table.to_pylist()}
    assert rows[("E09000001", "Anti-social behaviour", "", "E01000001")] == 1
    assert rows[("E09000001", "Bicycle theft", "Under investigation", "")] == 1
    assert rows[("British Transport Police", "Robbery", "Under investigation", "W01000001")] == 1
    [warning] = result.problems.warnings
    assert warning.column == "Crime type" and warning.value == "Fraud and forgery"


def test_thousands_of_blank_columns_are_passed_over_and_a_value_in_one_is_a_warning(
        data_dir: Path, tmp_path: Path):
    """Found by fuzzing (tests/fuzz): each unnamed column was tested with a query on the whole
    frame, a time in the square of the columns (10,000 blank ones took minutes).  Each is
    now tested on its own; the file reads as without them, and a value in one is a warning."""
    wide = 10_000
    header, *records = _city_text(data_dir).split("\r\n")
    lines = [header + "," * wide] + [line + "," * wide for line in records if line]
    plain = read_source("police-uk-street", _variant(tmp_path, _city_text(data_dir), "plain.csv"))
    result = read_source("police-uk-street", _variant(tmp_path, "\n".join(lines) + "\n"))
    assert result.ok and not result.problems.warnings, [str(p) for p in result.problems][:3]
    assert sorted(result.table.to_pylist(), key=str) == sorted(plain.table.to_pylist(), key=str)
    lines[3] += "spilt"
    result = read_source("police-uk-street", _variant(tmp_path, "\n".join(lines) + "\n", "spilt.csv"))
    assert result.ok
    [warning] = result.problems.warnings
    assert warning.column == f"(column {12 + wide}, unnamed)" and warning.line == 1
