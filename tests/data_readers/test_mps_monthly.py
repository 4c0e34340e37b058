"""The ``mps-borough-monthly`` reader: the publisher's layouts across the years, every
column checked, and the key (borough, major and minor category) held once."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest

from policingplan.data.files import open_text, read_bytes
from policingplan.data.readers import read_source
from policingplan.data.units import LONDON_BOROUGHS

YEARS = Path(__file__).parent / "fixtures" / "years"
REAL = "mps-recorded-crime-borough-monthly_2010-04_2024-02.csv.gz"
KIND = "mps-borough-monthly"

#: Each year's fixture and how its header names the three identifiers (borough, major, minor).
LAYOUTS = {
    "mps-borough-monthly-2016-historic.csv": ("Borough", "Major Category", "Minor Category"),
    "mps-borough-monthly-2020-24months.csv": ("LookUp_BoroughName", "MajorText", "MinorText"),
    "mps-borough-monthly-2025-24months.csv": ("BoroughName", "MajorText", "MinorText"),
}
CODES = {name: code for code, name in LONDON_BOROUGHS.items()}
CODES.update({"London Heathrow and London City Airports": "MPS-AIRPORTS", "Unknown": "MPS-UNKNOWN"})


def hand_count(text: str, borough: str, major: str) -> tuple[Counter, Counter]:
    """Totals by (unit, month) and by (unit, month, major in upper case), with the csv module."""
    by_month: Counter = Counter()
    by_major: Counter = Counter()
    for row in csv.DictReader(io.StringIO(text)):
        unit = CODES[row[borough]]
        for column, cell in row.items():
            if column.isdigit():
                period = f"{column[:4]}-{column[4:]}"
                by_month[(unit, period)] += int(cell)
                by_major[(unit, period, row[major].upper())] += int(cell)
    return by_month, by_major


def table_totals(result) -> tuple[Counter, Counter]:
    by_month: Counter = Counter()
    by_major: Counter = Counter()
    for row in result.table.to_pylist():
        by_month[(row["unit"], row["period"])] += row["count"]
        by_major[(row["unit"], row["period"], row["major"])] += row["count"]
    return by_month, by_major


def rows_of(result) -> set[tuple]:
    return {tuple(r.values()) for r in result.table.to_pylist()}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_each_years_layout_loads_with_the_totals_of_a_hand_count(name: str):
    borough, major, _ = LAYOUTS[name]
    result = read_source(KIND, YEARS / name)
    assert result.ok, [str(p) for p in result.problems]
    assert not result.problems.warnings
    expected_month, expected_major = hand_count((YEARS / name).read_text(encoding="utf-8"), borough, major)
    got_month, got_major = table_totals(result)
    assert got_month == expected_month
    assert got_major == expected_major
    assert sum(got_month.values()) > 1_000


def test_the_three_layouts_give_the_same_canonical_attributes():
    majors = {}
    for name in LAYOUTS:
        table = read_source(KIND, YEARS / name).table
        assert table.column_names == ["unit", "period", "period_kind", "major", "minor", "count"]
        majors[name] = set(table.column("major").to_pylist())
        assert all(m == m.upper() for m in majors[name])
    # The 2016 file writes 'Burglary' and 'Burglary in a Dwelling'; it means the same as 2025's.
    assert "BURGLARY" in majors["mps-borough-monthly-2016-historic.csv"] & majors["mps-borough-monthly-2025-24months.csv"]
    minors = set(read_source(KIND, YEARS / "mps-borough-monthly-2016-historic.csv").table.column("minor").to_pylist())
    assert "BURGLARY IN A DWELLING" in minors


def test_a_minor_name_cut_at_50_characters_with_a_comma_is_one_category():
    table = read_source(KIND, YEARS / "mps-borough-monthly-2020-24months.csv").table
    minors = set(table.column("minor").to_pylist())
    assert "MAKING, SUPPLYING OR POSSESSING ARTICLES FOR USE I" in minors


def test_the_real_files_categories_are_kept_as_the_plans_name_them(london_dir: Path):
    # The publisher writes the 2010-2024 file in upper case: the canonical spelling is the file's
    # own, so the London plans' rules (BURGLARY, DOMESTIC BURGLARY…) count what they counted.
    file = london_dir / REAL
    with open_text(file) as handle:
        raw = {(r["majortext"], r["minortext"]) for r in csv.DictReader(handle)}
    table = read_source(KIND, file).table
    assert set(zip(table.column("major").to_pylist(), table.column("minor").to_pylist())) == raw


def _rewrite(text: str, header: list[str] | None = None, *, bom=False, crlf=False, trailing=False,
             lower_values=False) -> bytes:
    lines = text.splitlines()
    if header is not None:
        old = next(csv.reader([lines[0]]))
        lines[0] = ",".join(header + old[len(header):])
    if lower_values:
        lines = [lines[0]] + [line.lower() for line in lines[1:]]
    if trailing:
        lines = [line + "," for line in lines]
    data = ("\r\n" if crlf else "\n").join(lines) + "\n"
    return (b"\xef\xbb\xbf" if bom else b"") + data.encode("utf-8")


@pytest.mark.parametrize("header,options", [
    (["majortext", "minortext", "boroughname"], {}),
    (["MAJORTEXT", "MINORTEXT", "BOROUGHNAME"], {"bom": True}),
    (["Major Text", "Minor Text", "Borough Name"], {"crlf": True}),
    (["major_text", " minor-text ", "LookUp_BoroughName"], {"trailing": True}),
    (["Major Category", "Minor Category", "Borough"], {"lower_values": True}),
    (None, {"bom": True, "crlf": True, "trailing": True, "lower_values": True}),
])
def test_header_spellings_bom_line_endings_trailing_column_and_letter_case(tmp_path, header, options):
    source = YEARS / "mps-borough-monthly-2025-24months.csv"
    reference = read_source(KIND, source)
    path = tmp_path / "variant.csv"
    path.write_bytes(_rewrite(source.read_text(encoding="utf-8"), header, **options))
    result = read_source(KIND, path)
    assert result.ok, [str(p) for p in result.problems]
    assert not result.problems.warnings, [str(p) for p in result.problems]
    assert rows_of(result) == rows_of(reference)


def test_an_unknown_extra_column_is_a_warning_and_changes_nothing(tmp_path):
    source = YEARS / "mps-borough-monthly-2016-historic.csv"
    lines = source.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",Notes"] + [line + ",checked" for line in lines[1:]]
    path = tmp_path / "notes.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read_source(KIND, path)
    assert result.ok
    [warning] = result.problems.warnings
    assert (warning.line, warning.column) == (1, "Notes")
    assert rows_of(result) == rows_of(read_source(KIND, source))


@pytest.mark.parametrize("old,new,missing", [
    ("LookUp_BoroughName", "LookUp_BoroughNam", "BoroughName"),
    ("MinorText", "MinrText", "MinorText"),
])
def test_a_missing_column_suggests_the_closest_name(tmp_path, old, new, missing):
    text = (YEARS / "mps-borough-monthly-2020-24months.csv").read_text(encoding="utf-8")
    path = tmp_path / "misspelt.csv"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = read_source(KIND, path)
    [error] = result.problems.errors
    assert (error.line, error.column, error.value) == (1, missing, new)
    assert "misspelt" in error.message
    assert result.table.num_rows == 0


def _cut(tmp_path: Path, london_dir: Path, lines: int, extra: list[str]) -> Path:
    text = read_bytes(london_dir / REAL).decode("utf-8").splitlines()[:lines]
    path = tmp_path / "cut.csv"
    path.write_text("\n".join(text + extra) + "\n", encoding="utf-8")
    return path


def test_a_repeated_key_with_other_figures_names_both_lines(tmp_path, london_dir):
    line2 = read_bytes(london_dir / REAL).decode("utf-8").splitlines()[1].split(",")
    changed = line2[:3] + ["99"] + line2[4:]  # 201004 differs
    changed[2] = "BARKING & DAGENHAM"
    result = read_source(KIND, _cut(tmp_path, london_dir, 10, [",".join(changed)]))
    [error] = result.problems.errors
    assert (error.line, error.column) == (11, "201004")
    assert "line 2" in error.message and "line 11" in error.message
    assert "'6' on line 2" in error.message and "'99' on line 11" in error.message


def test_a_line_copied_exactly_is_refused_since_it_would_double_the_figures(tmp_path, london_dir):
    line3 = read_bytes(london_dir / REAL).decode("utf-8").splitlines()[2]
    result = read_source(KIND, _cut(tmp_path, london_dir, 10, [line3]))
    [error] = result.problems.errors
    assert (error.line, error.column) == (11, "boroughname")
    assert "copy of line 3" in error.message
    assert result.table.num_rows == 0


def test_a_minor_category_under_a_second_major_is_refused_at_the_odd_line(tmp_path, london_dir):
    # Line 35 is Barnet's CRIMINAL DAMAGE: under BURGLARY it disagrees with lines 3 and 68.
    text = read_bytes(london_dir / REAL).decode("utf-8").splitlines()[:70]
    text[34] = text[34].replace("ARSON AND CRIMINAL DAMAGE,", "BURGLARY,", 1)
    path = tmp_path / "split.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    [error] = read_source(KIND, path).problems.errors
    assert (error.line, error.column, error.value) == (35, "majortext", "BURGLARY")
    assert "'ARSON AND CRIMINAL DAMAGE' on 2 line(s) (first on line 3)" in error.message


def test_category_text_is_checked(tmp_path):
    path = tmp_path / "text.csv"
    path.write_text("MajorText,MinorText,BoroughName,202304\n"
                    "BURGLARY,,Camden,1\n"
                    "ROBBERY,#REF!,Camden,1\n"
                    "THEFT,\"OTHER\tTHEFT\",Camden,1\n"
                    f"THEFT,{'SHOPLIFTING ' * 10},Camden,1\n"
                    "42,VIOLENCE,Camden,1\n"
                    "Theft,Bicycle  Theft,Camden,1\n", encoding="utf-8")
    result = read_source(KIND, path)
    found = {(e.line, e.column): e.message for e in result.problems.errors}
    assert set(found) == {(2, "MinorText"), (3, "MinorText"), (4, "MinorText"), (5, "MinorText"),
                          (6, "MajorText")}
    assert "blank" in found[(2, "MinorText")] and "spreadsheet error" in found[(3, "MinorText")]
    assert "control character" in found[(4, "MinorText")] and "long" in found[(5, "MinorText")]
    assert "no letters" in found[(6, "MajorText")]
    path.write_text("MajorText,MinorText,BoroughName,202304\nTheft,Bicycle  Theft,Camden,1\n",
                    encoding="utf-8")
    [row] = read_source(KIND, path).table.to_pylist()
    assert (row["major"], row["minor"]) == ("THEFT", "BICYCLE THEFT")
