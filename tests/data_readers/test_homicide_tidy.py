"""The homicide reader checks every coded column against the publisher's closed sets and
the BCU against the borough; the tidy reader checks every column and its key."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from policingplan.data.files import open_text
from policingplan.data.readers import read_source
from policingplan.data.readers.mps_homicide_victims import BCU_OF, CODES

HOMICIDES = "mps-homicide-victims_2003-2023.csv.gz"
OTHER = Path(__file__).parent / "fixtures" / "other"


def _rows(path: Path) -> list[dict[str, str]]:
    with open_text(path) as handle:
        return list(csv.DictReader(handle))


def test_the_closed_sets_are_exactly_those_of_the_real_file(london_dir: Path):
    rows = _rows(london_dir / HOMICIDES)
    columns = {"age_group": "Age_Group", "sex": "Sex", "method": "Method_of_Killing",
               "domestic_abuse": "Domestic_Abuse", "solved": "Solved_Status", "ethnicity": "Ethnicity"}
    for attribute, column in columns.items():
        assert {r[column] for r in rows} == set(CODES[attribute]), column
    # Every borough lies in one BCU, the one the reader knows.
    from policingplan.data.units import unit_code
    assert {(unit_code(r["Borough"]), r["BCU"]) for r in rows} == set(BCU_OF.items())


def test_the_real_file_counts_every_victim_repeats_included(london_dir: Path):
    rows = _rows(london_dir / HOMICIDES)
    keys = Counter(tuple(r.values()) for r in rows)
    # 550 lines have an identical twin elsewhere (306 beyond the first of each): victims alike.
    assert sum(n for n in keys.values() if n > 1) == 550
    assert sum(n - 1 for n in keys.values() if n > 1) == 306
    result = read_source("mps-homicide-victims", london_dir / HOMICIDES)
    assert result.ok and not list(result.problems)
    table = result.table.to_pylist()
    assert sum(r["count"] for r in table) == len(rows) == 2670
    by_year = Counter(r["Year"] for r in rows if r["Solved_Status"] == "Solved")
    solved = Counter()
    for r in table:
        if r["solved"] == "solved":
            solved[r["period"]] += r["count"]
    assert solved == by_year


def test_the_quoted_variant_reads_as_an_independent_count(tmp_path: Path):
    path = OTHER / "mps-homicide-victims-quoted.csv"
    rows = _rows(path)
    result = read_source("mps-homicide-victims", path)
    assert result.ok and not list(result.problems)
    got = Counter()
    for r in result.table.to_pylist():
        got[(r["unit"], r["solved"], r["method"])] += r["count"]
    from policingplan.data.units import unit_code
    want = Counter((unit_code(r["Borough"]), r["Solved_Status"].lower(), r["Method_of_Killing"]) for r in rows)
    assert got == want and got[("E09000021", "solved", "Blunt Implement")] == 1  # Kingston Upon Thames


def test_homicide_header_spellings_codes_in_any_case_and_no_bcu(tmp_path: Path):
    path = tmp_path / "homicides.csv"
    path.write_bytes(b"\xef\xbb\xbfage group,SEX,Method of Killing,domestic-abuse,Solved Status,borough,ethnicity,year,\n"
                     b"ADULT,male,knife or sharp implement,NOT DOMESTIC ABUSE,SOLVED,Camden,white,2006,\n")
    result = read_source("mps-homicide-victims", path)
    assert result.ok, [str(p) for p in result.problems]
    [row] = result.table.to_pylist()
    assert (row["age_group"], row["sex"], row["method"], row["solved"]) == (
        "Adult", "Male", "Knife or Sharp Implement", "solved")


def test_homicide_missing_column_suggests_the_closest(tmp_path: Path):
    path = tmp_path / "homicides.csv"
    path.write_text("Age_Group,Sex,Method_of_Kiling,Domestic_Abuse,Solved_Status,Borough,Ethnicity,Year\n"
                    "Adult,Male,Shooting,Not Domestic Abuse,Solved,Camden,White,2006\n", encoding="utf-8")
    [error] = read_source("mps-homicide-victims", path).problems.errors
    assert (error.column, error.value) == ("Method_of_Killing", "Method_of_Kiling")


TEMPLATE = "unit,month,measure,numerator,denominator\n"


def test_tidy_header_spellings_bom_trailing_column_and_extra_column(tmp_path: Path):
    path = tmp_path / "figures.csv"
    path.write_bytes(b"\xef\xbb\xbfUnit, Month ,MEASURE,Numerator,Denominator,\n"
                     b"Camden,2024-04,public_confidence,812,1000,\n")
    result = read_source("tidy", path)
    assert result.ok and not list(result.problems)
    path.write_text(TEMPLATE.replace("\n", ",note\n") + "Camden,2024-04,public_confidence,812,1000,x\n",
                    encoding="utf-8")
    result = read_source("tidy", path)
    assert result.ok
    [warning] = result.problems.warnings
    assert warning.column == "note"


def test_tidy_repeated_key_names_both_lines_and_the_column_that_differs(tmp_path: Path):
    path = tmp_path / "figures.csv"
    path.write_text(TEMPLATE + "Camden,2024-04,public_confidence,812,1000\n"
                    "Westminster,2024-04,public_confidence,700,1000\n"
                    "E09000007,2024-04-01,public_confidence,812,1001\n"
                    "Westminster,2024-04,public_confidence,700,1000\n", encoding="utf-8")
    errors = read_source("tidy", path).problems.errors
    found = {(e.line, e.column): e for e in errors}
    assert set(found) == {(4, "denominator"), (5, "unit")}
    assert "line 2 has 1000" in found[(4, "denominator")].value
    assert "first on line 3" in found[(5, "unit")].value


def test_tidy_numbers_in_digits_with_thousands(tmp_path: Path):
    path = tmp_path / "figures.csv"
    path.write_text(TEMPLATE + 'Camden,2024-04,officers,"1,650",\nCamden,2024-05,officers,+5,\n'
                    "Camden,2024-06,officers,1000000000000,\n", encoding="utf-8")
    errors = read_source("tidy", path).problems.errors
    assert {(e.line, e.column) for e in errors} == {(3, "numerator"), (4, "numerator")}
    path.write_text(TEMPLATE + 'Camden,2024-04,officers,"1,650",\n', encoding="utf-8")
    [row] = read_source("tidy", path).table.to_pylist()
    assert row["numerator"] == 1650 and row["denominator"] is None
