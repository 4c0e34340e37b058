"""The ``mps-crime-dashboard`` reader: every column checked, the areas agreeing, the
publisher's header and date spellings, and the key held once."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest

from policingplan.data.files import open_text, read_bytes
from policingplan.data.readers import read_source
from policingplan.data.readers.mps_crime_dashboard import KNOWN_PAIRS

KIND = "mps-crime-dashboard"
REAL = "mps-crime-dashboard-borough_2021-08_2025-07.csv.gz"
#: How the publisher's spreadsheet heads the same twelve columns.
SPREADSHEET_HEADER = ["Month_Year", "Area Type", "Borough_SNT", "Area name", "Area code", "Offence Group",
                      "Offence Subgroup", "Measure", "Financial Year", "FY_FYIndex", "Count", "Refresh Date"]
#: The units of the areas without a borough code, by name (written here, not taken from the reader).
OTHER_AREAS = {"": "MPS-UNKNOWN", "Unknown": "MPS-UNKNOWN", "N/K (Legacy Only)": "MPS-UNKNOWN",
               "Non MET police force": "MPS-NON-MET",
               "Aviation Security (SO18) (Legacy Only)": "MPS-AIRPORTS"}


def hand_unit(row: dict) -> str:
    code = row["area_code"]
    if code.startswith("E09"):
        return code
    return "MPS-AIRPORTS" if code == "SO18" else OTHER_AREAS[row["area_name"]]


def real_rows(london_dir: Path) -> list[dict]:
    with open_text(london_dir / REAL) as handle:
        return list(csv.DictReader(handle))


def test_the_real_file_is_accepted_with_the_totals_of_a_hand_count(london_dir):
    rows = real_rows(london_dir)
    expected: Counter = Counter()
    for row in rows:
        expected[(hand_unit(row), row["month_year"][:7], row["measure"])] += int(row["count"])
    result = read_source(KIND, london_dir / REAL)
    assert result.ok, [str(p) for p in result.problems.errors]
    got: Counter = Counter()
    for row in result.table.to_pylist():
        got[(row["unit"], row["period"], row["measure"])] += row["count"]
    assert got == expected
    assert {u for u, _, _ in got} >= {"MPS-AIRPORTS", "MPS-NON-MET", "MPS-UNKNOWN"}
    # Every crime type and subtype of the real file is a known one: no warning names a pair.
    assert not [w for w in result.problems.warnings if "does not know" in w.message]


def test_one_subtype_spelt_two_ways_by_the_publisher_is_one(london_dir):
    rows = real_rows(london_dir)
    spellings = {r["crime_subtype"] for r in rows if r["crime_subtype"].lower() == "domestic abuse violence with injury"}
    assert len(spellings) == 2  # 'violence with injury' for offences, 'Violence with Injury' for outcomes
    expected = sum(int(r["count"]) for r in rows if r["crime_subtype"] in spellings)
    table = read_source(KIND, london_dir / REAL).table.to_pylist()
    subtypes = {r["crime_subtype"] for r in table if r["crime_subtype"].lower() in {s.lower() for s in spellings}}
    assert subtypes == {"Domestic Abuse Violence with Injury"}
    assert sum(r["count"] for r in table if r["crime_subtype"] in subtypes) == expected


def test_the_known_pairs_are_those_of_the_real_file(london_dir):
    seen = {(r["crime_type"].lower(), r["crime_subtype"].lower()) for r in real_rows(london_dir)}
    assert seen == {(t.lower(), s.lower()) for t, s in KNOWN_PAIRS}


def _write(tmp_path: Path, lines: list[str], *, bom=False, trailing=False, name="dash.csv") -> Path:
    if trailing:
        lines = [line + "," for line in lines]
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + ("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def _real_lines(london_dir: Path, count: int) -> list[str]:
    return read_bytes(london_dir / REAL).decode("utf-8").splitlines()[:count]


def rows_of(result) -> set[tuple]:
    return {tuple(r.values()) for r in result.table.to_pylist()}


def test_the_spreadsheet_header_bom_trailing_column_and_letter_case(tmp_path, london_dir):
    lines = _real_lines(london_dir, 60)
    reference = read_source(KIND, _write(tmp_path, lines, name="plain.csv"))
    assert reference.ok
    variant = [",".join(SPREADSHEET_HEADER)] + [
        line.replace("Offences", "OFFENCES").replace("Borough,", "borough,").replace("Hate crime", "HATE CRIME")
        for line in lines[1:]]
    result = read_source(KIND, _write(tmp_path, variant, bom=True, trailing=True))
    assert result.ok, [str(p) for p in result.problems]
    assert not result.problems.warnings
    assert rows_of(result) == rows_of(reference)
    assert "Hate crime" in {r["crime_type"] for r in result.table.to_pylist()}


def test_day_first_dates_are_read_and_the_vintage_is_iso(tmp_path, london_dir):
    lines = _real_lines(london_dir, 5)
    lines[1:] = [line.replace("2021-08-01", "01/08/2021").replace("2025-08-02", "02/08/2025")
                 for line in lines[1:]]
    result = read_source(KIND, _write(tmp_path, lines))
    assert result.ok and result.vintage == "2025-08-02"
    assert {r["period"] for r in result.table.to_pylist()} == {"2021-08"}


def test_an_extra_column_warns_and_a_missing_one_suggests_its_name(tmp_path, london_dir):
    lines = _real_lines(london_dir, 5)
    extra = [lines[0] + ",notes"] + [line + ",x" for line in lines[1:]]
    result = read_source(KIND, _write(tmp_path, extra))
    assert result.ok
    [warning] = result.problems.warnings
    assert (warning.line, warning.column) == (1, "notes")
    result = read_source(KIND, _write(tmp_path, [lines[0].replace("fy_fyindex", "fy_index")] + lines[1:]))
    [error] = result.problems.errors
    assert (error.line, error.column, error.value) == (1, "fy_fyindex", "fy_index")
    assert "misspelt" in error.message


HEADER = ("month_year,area_type,borough_snt,area_name,area_code,crime_type,crime_subtype,measure,"
          "financial_year,fy_fyindex,count,refresh_date")


@pytest.mark.parametrize("month,fy,index,ok", [
    ("2022-03-01", "fy21-22", "21-22_01", True),    # March ends the financial year
    ("2022-04-01", "fy22-23", "22-23_01", True),    # April starts the next
    ("2022-04-01", "fy21-22", "22-23_01", False),
    ("2022-03-01", "fy21-22", "22-23_01", False),
    ("2000-01-01", "fy99-00", "99-00_01", True),    # the century turns inside a year
    ("2022-04-01", "FY22-23", "22-23_07", True),    # any letter case, any two-digit index
])
def test_the_financial_year_and_its_index_are_those_of_the_month(tmp_path, month, fy, index, ok):
    line = f"{month},Borough,Camden,Camden,E09000007,Knife Crime,Knife Crime,Offences,{fy},{index},30,2025-08-02"
    result = read_source(KIND, _write(tmp_path, [HEADER, line]))
    assert result.ok == ok, [str(p) for p in result.problems]
    if not ok:
        [error] = result.problems.errors
        assert error.line == 2 and error.column in ("financial_year", "fy_fyindex")


@pytest.mark.parametrize("areas,column", [
    ("Camden,Camden,E09000007", None),
    ("Aviation Security,Aviation Security (SO18) (Legacy Only),SO18", None),
    ("Other / NK,Aviation Security (SO18) (Legacy Only),", None),
    ("Other / NK,Non MET police force,", None),
    ("Other / NK,,", None),
    ("Camden,Camden,E09000002", "area_code"),      # the two names agree: the code is wrong
    ("Camden,Barnet,E09000007", "area_name"),
    ("Barnet,Camden,E09000007", "borough_snt"),
    ("Other / NK,Camden,", "area_code"),           # a borough without its code
    ("Camden,Unknown,", "borough_snt"),
    ("Camden,Camden,E12000007", "area_code"),      # not an area the dashboard reports
    ("Camden,Camden Town,E09000007", "area_name"),
    (",,", "borough_snt"),
])
def test_the_area_code_name_and_borough_agree(tmp_path, areas, column):
    line = f"2023-04-01,Borough,{areas},Knife Crime,Knife Crime,Offences,fy23-24,23-24_01,30,2025-08-02"
    result = read_source(KIND, _write(tmp_path, [HEADER, line]))
    if column is None:
        assert result.ok, [str(p) for p in result.problems]
    else:
        assert [(e.line, e.column) for e in result.problems.errors] == [(2, column)]


def test_an_unknown_crime_type_and_subtype_is_kept_with_a_warning(tmp_path):
    lines = [HEADER,
             "2023-04-01,Borough,Camden,Camden,E09000007,Knife Crime,Knife Crime,Offences,fy23-24,23-24_01,30,2025-08-02",
             "2023-04-01,Borough,Camden,Camden,E09000007,Violence Against Women,VAWG,Offences,fy23-24,23-24_01,12,2025-08-02"]
    result = read_source(KIND, _write(tmp_path, lines))
    assert result.ok
    [warning] = result.problems.warnings
    assert (warning.line, warning.column, warning.value) == (3, "crime_subtype", "Violence Against Women | VAWG")
    counts = {(r["crime_type"], r["crime_subtype"]): r["count"] for r in result.table.to_pylist()}
    assert counts == {("Knife Crime", "Knife Crime"): 30, ("Violence Against Women", "VAWG"): 12}


def test_a_repeated_key_names_both_lines(tmp_path, london_dir):
    lines = _real_lines(london_dir, 8)
    other = lines[3].rsplit(",", 2)
    lines.append(f"{other[0]},{int(other[1]) + 1},{other[2]}")   # line 9 repeats line 4
    lines.append(lines[5])                                        # line 10 copies line 6
    errors = read_source(KIND, _write(tmp_path, lines)).problems.errors
    found = {(e.line, e.column): e for e in errors}
    assert set(found) == {(9, "count"), (10, "month_year")}
    assert "line 4" in found[(9, "count")].message and "line 9" in found[(9, "count")].message
    assert "line 6" in found[(10, "month_year")].message


def test_the_refresh_date_is_a_real_date_on_or_after_its_month(tmp_path):
    def line(refresh: str) -> str:
        return f"2023-04-01,Borough,Camden,Camden,E09000007,Knife Crime,Knife Crime,Offences,fy23-24,23-24_01,30,{refresh}"
    assert read_source(KIND, _write(tmp_path, [HEADER, line("2023-04-01")])).ok
    for refresh in ("2023-03-31", "2025-02-29", "", "yesterday"):
        [error] = read_source(KIND, _write(tmp_path, [HEADER, line(refresh)])).problems.errors
        assert (error.line, error.column) == (2, "refresh_date"), refresh
