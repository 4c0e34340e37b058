"""Each fault in a user's file gets an error naming the file, line, column, value
and what is accepted; a file with any error is rejected whole."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policingplan.data.files import read_bytes
from policingplan.data.readers import read_source

FIXTURES = Path(__file__).parent / "fixtures"


def read(kind: str, name: str):
    return read_source(kind, FIXTURES / name)


def only_errors(result):
    assert not result.ok
    assert result.table.num_rows == 0 and result.rows_accepted == 0
    for problem in result.problems.errors:
        assert problem.file == result.file
        assert problem.accepted
    return result.problems.errors


def test_a_good_file_reads_whatever_the_borough_spelling():
    result = read("mps-borough-monthly", "mps-monthly-good.csv")
    assert result.ok
    rows = {(r["unit"], r["period"], r["minor"]): r["count"] for r in result.table.to_pylist()}
    assert rows[("E09000021", "2023-04", "BURGLARY - RESIDENTIAL")] == 10
    assert rows[("E09000033", "2023-05", "BURGLARY - RESIDENTIAL")] == 2
    # The Unknown borough is kept, under its own code, with a warning: not dropped silently.
    assert rows[("MPS-UNKNOWN", "2023-04", "ROBBERY OF PERSONAL PROPERTY")] == 3
    [warning] = result.problems.warnings
    assert warning.line == 4 and warning.value == "Unknown"


def test_a_misspelt_column_suggests_the_header_it_has():
    [error] = only_errors(read("mps-borough-monthly", "mps-monthly-misspelt-column.csv"))
    assert error.line == 1 and error.column == "BoroughName" and error.value == "BoroughNme"
    assert "misspelt" in error.message


def test_an_impossible_month_column_is_an_error():
    [error] = only_errors(read("mps-borough-monthly", "mps-monthly-impossible-month.csv"))
    assert (error.line, error.column, error.value) == (1, "202413", "202413")


def test_non_numeric_negative_fractional_and_absurd_counts():
    errors = only_errors(read("mps-borough-monthly", "mps-monthly-bad-counts.csv"))
    found = {(e.line, e.column, e.value): e.message for e in errors}
    assert "not a number" in found[(2, "202304", "ten")]
    assert "negative" in found[(3, "202304", "-3")]
    assert "implausibly large" in found[(4, "202305", "99999999")]
    assert "whole number" in found[(5, "202304", "4.5")]


def test_an_unknown_borough_is_named_with_a_close_match():
    [error] = only_errors(read("mps-borough-monthly", "mps-monthly-unknown-borough.csv"))
    assert (error.line, error.column, error.value) == (2, "BoroughName", "Kingstn upon Thames")
    assert "Kingston upon Thames" in error.message
    assert "E09000001" in error.accepted


def test_a_duplicated_row_in_an_aggregate_file_names_both_lines():
    [error] = only_errors(read("mps-borough-monthly", "mps-monthly-duplicate.csv"))
    assert error.line == 4
    assert "first on line 2" in error.value


def test_a_truncated_file_is_caught_at_its_last_line():
    [error] = only_errors(read("mps-borough-monthly", "mps-monthly-truncated.csv"))
    assert error.line == 3 and "truncated" in error.message


@pytest.mark.parametrize("name,words", [
    ("mps-monthly-empty.csv", "empty"),
    ("mps-monthly-header-only.csv", "no data rows"),
    ("mps-monthly-semicolons.csv", "semicolons"),
    ("mps-monthly-tabs.csv", "tabs"),
    ("binary-garbage.csv", "binary"),
    ("excel-named-csv.csv", "Excel workbook"),
])
def test_files_that_are_not_comma_separated_text(name: str, words: str):
    [error] = only_errors(read("mps-borough-monthly", name))
    assert words in error.message


def test_a_non_utf8_file_is_told_to_resave_as_utf8():
    [error] = only_errors(read("mps-borough-monthly", "mps-monthly-cp1252.csv"))
    assert error.line == 3
    assert "re-save it as UTF-8" in error.message and "96" in error.message


def test_a_row_with_too_many_fields():
    [error] = only_errors(read("mps-borough-monthly", "mps-monthly-too-many-fields.csv"))
    assert error.line == 3 and "more fields" in error.message


def test_a_bom_extra_columns_crlf_and_quoted_newlines_are_valid():
    result = read("mps-borough-monthly", "mps-monthly-bom-extra-quoted.csv")
    assert result.ok, [str(p) for p in result.problems]
    assert result.rows_read == 2
    counts = {(r["minor"], r["period"]): r["count"] for r in result.table.to_pylist()}
    assert counts[("BURGLARY - RESIDENTIAL", "2023-05")] == 12
    assert counts[("ROBBERY OF PERSONAL PROPERTY", "2023-04")] == 4


def test_line_numbers_are_physical_lines_after_a_quoted_newline():
    [error] = only_errors(read("mps-borough-monthly", "mps-monthly-quoted-newline-bad-count.csv"))
    assert (error.line, error.value) == (4, "ten")


def test_the_same_faults_in_a_police_uk_street_file():
    errors = only_errors(read("police-uk-street", "police-uk-street-bad-rows.csv"))
    found = {(e.line, e.column): e.value for e in errors}
    assert found[(2, "Month")] == "2023-13"
    assert (3, "Crime type") in found


def test_police_uk_units_by_force_and_lsoa():
    result = read("police-uk-street", "police-uk-street-mixed-forces.csv")
    assert result.ok
    by_unit: dict[str, int] = {}
    for row in result.table.to_pylist():
        by_unit[row["unit"]] = by_unit.get(row["unit"], 0) + row["count"]
    assert by_unit == {"E09000007": 2, "E09000021": 1, "MPS-UNKNOWN": 2,
                       "Thames Valley Police": 1, "E09000001": 1}
    [warning] = result.problems.warnings
    assert warning.line == 5 and "2 Metropolitan" in warning.message
    outcomes = {r["crime_type"]: r["outcome"] for r in result.table.to_pylist()}
    assert outcomes["Anti-social behaviour"] == ""


def test_dashboard_faults():
    errors = only_errors(read("mps-crime-dashboard", "dashboard-bad.csv"))
    found = {(e.line, e.column): e for e in errors}
    assert found[(3, "month_year")].value == "2024-13-01"
    assert found[(5, "count")].value == "-2"
    assert "first on line 2" in found[(4, "count")].value


def test_tidy_faults():
    errors = only_errors(read("tidy", "tidy-bad.csv"))
    found = {(e.line, e.column): e for e in errors}
    assert "Kingston upon Thames" in found[(2, "unit")].message
    assert found[(3, "month")].value == "2024-13"
    assert found[(4, "numerator")].value == "-5"
    assert found[(5, "denominator")].value == "0"
    assert found[(6, "numerator")].value == "lots"
    # The same unit (Camden is E09000007), month and measure again, with another numerator.
    assert "line 8 has 800" in found[(9, "numerator")].value
    assert not any(e.line == 7 for e in errors)  # another unit's code in capitals is kept


def test_gla_year_faults():
    errors = only_errors(read("gla-borough-fy", "gla-bad-year.csv"))
    assert {(e.line, e.value) for e in errors} == {(3, "2003-06-30"), (4, "2004/06")}


def test_homicide_faults():
    errors = only_errors(read("mps-homicide-victims", "homicide-bad.csv"))
    assert {(e.line, e.column, e.value) for e in errors} == {
        (2, "Solved_Status", "Maybe"), (3, "Year", "06")}


def test_ons_duplicated_lsoa():
    [error] = only_errors(read("ons-lsoa-population", "ons-population-lsoa-mid2020-bad.csv"))
    assert error.line == 3 and "E01000001" in error.value


def test_ons_file_name_must_give_the_mid_year(tmp_path: Path, london_dir: Path):
    copy = tmp_path / "population.csv"
    shutil.copy(london_dir / "ons-population-lsoa-mid2020.csv.gz", copy)
    [error] = only_errors(read_source("ons-lsoa-population", copy))
    assert "mid-year" in error.message and error.value == "population.csv"


def test_tfl_2018_format_unknown_age_zero_is_unknown_not_a_baby():
    result = read("tfl-casualties", "tfl-casualties-2018-format.csv")
    assert result.ok, [str(p) for p in result.problems]
    rows = result.table.to_pylist()
    assert {r["period"] for r in rows} == {"2018"}
    groups = {(r["unit"], r["severity"], r["age_group"]): r["count"] for r in rows}
    assert groups[("E09000033", "slight", "unknown")] == 1    # band Unknown, age 0
    assert groups[("E09000021", "fatal", "unknown")] == 1     # band Unknown, age 0
    assert groups[("E09000021", "serious", "child")] == 1     # band 0-15, age 0: a baby
    assert groups[("E09000001", "slight", "adult")] == 1      # City of London Police reference
    assert {r["casualty_class"] for r in rows} == {"driver/rider", "passenger", "pedestrian"}


def test_problem_lists_are_capped_with_a_count(tmp_path: Path):
    lines = ["MajorText,MinorText,BoroughName,202304"]
    lines += [f"BURGLARY,MINOR {i},Camden,bad" for i in range(120)]
    file = tmp_path / "many.csv"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = only_errors(read_source("mps-borough-monthly", file))
    assert len(errors) == 51
    assert errors[-1].message.startswith("70 more line(s)")
    assert [e.line for e in errors[:50]] == list(range(2, 52))


def test_an_unreadable_path_is_an_error_not_an_exception(tmp_path: Path):
    result = read_source("tidy", tmp_path / "missing.csv")
    assert not result.ok and "cannot read" in result.problems.errors[0].message


def test_quoted_commas_count_as_one_field_and_lines_stay_exact(tmp_path: Path):
    file = tmp_path / "homicides.csv"
    file.write_text(
        "Age_Group,Sex,Method_of_Killing,Domestic_Abuse,Solved_Status,Borough,Ethnicity,Year\n"
        'Adult,Male,"Physical Assault, no weapon",Not Domestic Abuse,Solved,Camden,White,2006\n'
        '\n'
        'Adult,Male,"Physical Assault, no weapon",Not Domestic Abuse,Solved,Camden,White,2006,extra\n'
        'Adult,Female,Shooting,Not Domestic Abuse,"Un""solved",Camden,White,2006\n',
        encoding="utf-8")
    errors = only_errors(read_source("mps-homicide-victims", file))
    assert [(e.line, e.message) for e in errors] == [(4, "the line has more fields than the header")]
    file.write_text(file.read_text(encoding="utf-8").replace(",extra", ""), encoding="utf-8")
    errors = only_errors(read_source("mps-homicide-victims", file))
    assert [(e.line, e.value) for e in errors] == [(5, 'Un"solved')]


def test_tidy_workbook_errors_name_the_sheet_row(tmp_path: Path):
    import xlsxwriter

    file = tmp_path / "figures.xlsx"
    book = xlsxwriter.Workbook(str(file))
    sheet = book.add_worksheet()
    rows = [["unit", "month", "measure", "numerator", "denominator"],
            ["Camden", "2024-04", "public_confidence", 800, 1000],
            [],
            ["Camden", "2024-13", "public_confidence", 790, 1000]]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    [error] = only_errors(read_source("tidy", file))
    assert (error.line, error.column, error.value) == (4, "month", "2024-13")


def test_counts_must_be_plain_whole_numbers(tmp_path: Path):
    file = tmp_path / "counts.csv"
    file.write_text("MajorText,MinorText,BoroughName,202304\n"
                    "A,B,Camden,9999999999999999999999999\nA,C,Camden,-inf\nA,D,Camden,1e3\n"
                    'A,E,Camden,"1,234"\nA,F,Camden,+5\nA,G,Camden, 7 \n', encoding="utf-8")
    errors = only_errors(read_source("mps-borough-monthly", file))
    assert {(e.line, e.message) for e in errors} == {
        (2, "the count is implausibly large"), (3, "the count is not a number"),
        (4, "the count is not written in digits"), (6, "the count is not written in digits")}
    file.write_text("MajorText,MinorText,BoroughName,202304\n"
                    'A,E,Camden,"1,234"\nA,G,Camden, 7 \n', encoding="utf-8")
    result = read_source("mps-borough-monthly", file)
    assert sorted(r["count"] for r in result.table.to_pylist()) == [7, 1234]


def test_tidy_numbers_must_be_finite(tmp_path: Path):
    file = tmp_path / "tidy.csv"
    file.write_text("unit,month,measure,numerator,denominator\n"
                    "Camden,2024-04,x,inf,\nCamden,2024-05,x,1,inf\nCamden,2024-06,x,nan,\n"
                    "Camden,2024-07,x,1e3,\n", encoding="utf-8")
    errors = only_errors(read_source("tidy", file))
    # 1e3 is refused too: a number is written in digits, so that no typing slip reads as 1,000.
    assert {(e.line, e.column) for e in errors} == {(2, "numerator"), (3, "denominator"), (4, "numerator"),
                                                    (5, "numerator")}


def _city_street_lines(data_dir: Path, copies: int) -> list[str]:
    """A real City of London street file's header and records, the records repeated."""
    source = data_dir / "city-of-london" / "police-uk-street" / "2021-09-city-of-london-street.csv.gz"
    header, *records = read_bytes(source).decode("utf-8").splitlines()
    return [header, *(records * copies)]


def test_a_long_line_and_a_short_line_are_both_caught_in_a_large_unquoted_file(data_dir: Path, tmp_path: Path):
    # The file's comma count is right overall (one field too many on one line, one too few
    # on another), and the long line lies deep in a file large enough to be parsed in chunks.
    lines = _city_street_lines(data_dir, 40)  # 30,600 records, about 7 MB
    long_line, short_line = 25_000, 26_000  # physical line numbers
    lines[long_line - 1] += ",extra"
    lines[short_line - 1] = lines[short_line - 1].rsplit(",", 1)[0]
    path = tmp_path / "street.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    errors = only_errors(read_source("police-uk-street", path))
    found = {e.line: e.message for e in errors}
    assert set(found) == {long_line, short_line}
    assert "more fields" in found[long_line] and "fewer fields" in found[short_line]


def test_a_blank_line_in_an_unquoted_file_keeps_the_line_numbers(data_dir: Path, tmp_path: Path):
    lines = _city_street_lines(data_dir, 1)
    fields = lines[10].split(",")
    fields[1] = "2021-13"  # the month, on physical line 12 once a blank line is put before it
    lines[10] = ",".join(fields)
    lines.insert(5, "")
    path = tmp_path / "street.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [error] = only_errors(read_source("police-uk-street", path))
    assert (error.line, error.column, error.value) == (12, "Month", "2021-13")


def test_spaces_around_values_do_not_split_a_count(tmp_path: Path):
    header = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
              "LSOA name,Crime type,Last outcome category,Context")
    kent = "Kent Police"
    lines = [header,
             f"{1:064x},2023-04,{kent},{kent},0.2,51.4,On or near X,E01024000,Dartford 001A,Burglary,Under investigation,",
             f"{2:064x}, 2023-04 ,{kent}, {kent} ,0.2,51.4,On or near X,E01024000 ,Dartford 001A,Burglary ,Under investigation,",
             f"{3:064x},2023-04,{kent},{kent},0.2,51.4,On or near X,E01024000,Dartford 001A,Robbery,Under investigation,"]
    path = tmp_path / "street.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read_source("police-uk-street", path)
    assert result.ok
    rows = {(r["unit"], r["period"], r["crime_type"], r["lsoa"], r["force"]): r["count"]
            for r in result.table.to_pylist()}
    assert rows == {(kent, "2023-04", "Burglary", "E01024000", kent): 2,
                    (kent, "2023-04", "Robbery", "E01024000", kent): 1}


def test_a_byte_that_is_not_utf8_deep_in_an_unread_column_is_caught(data_dir: Path, tmp_path: Path):
    lines = _city_street_lines(data_dir, 40)
    fields = lines[24_999].split(",")
    fields[6] = "On or near Caf\xe9"  # Location, a column the reader does not keep; é in Latin-1
    lines[24_999] = ",".join(fields)
    path = tmp_path / "street.csv"
    path.write_bytes("\r\n".join(lines).encode("latin-1") + b"\r\n")
    [error] = only_errors(read_source("police-uk-street", path))
    assert error.line == 25_000 and "not UTF-8" in error.message
