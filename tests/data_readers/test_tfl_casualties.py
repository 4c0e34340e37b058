"""The ``tfl-casualties`` reader: other years' layouts, every column checked, the key.

Totals are checked against an independent count made here with the csv module,
on real files: the 2019 extract in ``data/``, and cuts of the 2013 and 2018
extracts in ``fixtures/years/``.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from policingplan.data.files import open_text, read_bytes
from policingplan.data.readers import read_source

KIND = "tfl-casualties"
FIXTURES = Path(__file__).parent / "fixtures"
YEARS = FIXTURES / "years"
T2013 = YEARS / "tfl-casualties-2013.csv"
T2018 = YEARS / "tfl-casualties-2018.csv"
CRAFTED = FIXTURES / "tfl-casualties-2018-format.csv"
BOM_CRLF = FIXTURES / "tfl" / "tfl-casualties-2018-bom-crlf.csv"
T2019 = "tfl-road-casualties-2019.csv.gz"


# --- an independent count ------------------------------------------------------------------------

def _ons_boroughs(london_dir: Path) -> dict[str, str]:
    """Borough name (upper case, '&' as AND, hyphens as spaces) → ONS code, from the ONS file."""
    with open_text(london_dir / "ons-population-lsoa-mid2020.csv.gz") as handle:
        return {row["LAD11NM"].upper(): row["LAD11CD"] for row in csv.DictReader(handle)}


def _name(borough: str) -> str:
    return borough.upper().replace("&", "AND").replace("-", " ").strip()


def _label(value: str) -> str:
    """'3 Slight', "'-2 NOT APPLICABLE" or 'Serious' → the label in lower case."""
    value = value.strip().lstrip("'")
    head, _, rest = value.partition(" ")
    return (rest if head.lstrip("-").isdigit() else value).strip().lower()


def _age_group(band: str) -> str:
    band = band.strip().lower()
    if band in ("u", "unknown"):
        return "unknown"
    return "child" if band == "0-15" else "adult"


def _hand_count(path: Path, boroughs: dict[str, str]) -> dict[str, Counter]:
    """Casualties by (unit, severity), (unit, age group), (mode, class) and year, counted here."""
    counts = {"severity": Counter(), "age_group": Counter(), "mode_class": Counter(), "year": Counter(),
              "ksi": Counter()}
    with open_text(path) as handle:
        reader = csv.reader(handle)
        header = [h.strip().lower() for h in next(reader)]
        col = {name: i for i, name in enumerate(header)}
        reference = col["arefno"] if "arefno" in col else col["accident ref."]
        band = col.get("casualty age (banded)", col.get("casualty age band"))
        for row in reader:
            unit = boroughs[_name(row[col["borough"]])]
            counts["severity"][unit, _label(row[col["casualty severity"]])] += 1
            counts["age_group"][unit, _age_group(row[band])] += 1
            counts["mode_class"][_label(row[col["mode of travel"]]), _label(row[col["casualty class"]])] += 1
            counts["year"]["20" + row[reference][-9:-7]] += 1
            if _label(row[col["casualty severity"]]) in ("fatal", "serious"):
                counts["ksi"][_age_group(row[band])] += 1
    return counts


def _read_totals(path) -> dict[str, Counter]:
    result = read_source(KIND, path)
    assert result.ok, [str(p) for p in result.problems]
    counts = {"severity": Counter(), "age_group": Counter(), "mode_class": Counter(), "year": Counter(),
              "ksi": Counter()}
    for row in result.table.to_pylist():
        counts["severity"][row["unit"], row["severity"]] += row["count"]
        counts["age_group"][row["unit"], row["age_group"]] += row["count"]
        counts["mode_class"][row["mode"], row["casualty_class"]] += row["count"]
        counts["year"][row["period"]] += row["count"]
        if row["severity"] in ("fatal", "serious"):
            counts["ksi"][row["age_group"]] += row["count"]
    return counts


@pytest.mark.parametrize("path", [T2013, T2018, CRAFTED, BOM_CRLF], ids=lambda p: p.name)
def test_other_years_load_with_the_totals_of_an_independent_count(path: Path, london_dir: Path):
    expected = _hand_count(path, _ons_boroughs(london_dir))
    assert sum(expected["year"].values()) > 5
    assert _read_totals(path) == expected


def test_the_2019_file_gives_the_totals_of_an_independent_count_by_borough_severity_and_age(
        london_dir: Path):
    path = london_dir / T2019
    expected = _hand_count(path, _ons_boroughs(london_dir))
    assert _read_totals(path) == expected
    assert sum(expected["ksi"].values()) == 3905 and expected["ksi"]["child"] == 211
    assert len({unit for unit, _ in expected["severity"]}) == 33


def test_each_year_names_the_same_attributes():
    years = {path.name: read_source(KIND, path).table.to_pylist() for path in (T2013, T2018, CRAFTED)}
    for rows in years.values():
        assert {r["severity"] for r in rows} <= {"fatal", "serious", "slight"}
        assert {r["casualty_class"] for r in rows} <= {"driver/rider", "passenger", "pedestrian"}
        assert {r["age_group"] for r in rows} <= {"child", "adult", "unknown"}
    assert {r["period"] for r in years["tfl-casualties-2013.csv"]} == {"2013"}
    assert {r["period"] for r in years["tfl-casualties-2018.csv"]} == {"2018"}
    # 2018's unknown age: band Unknown, age 0 (data line 4 of the cut), not a baby
    unknown = [r for r in years["tfl-casualties-2018.csv"] if r["age_group"] == "unknown"]
    assert unknown and all(r["age_group"] != "child" for r in unknown)


# --- variants of one file give one table ------------------------------------------------------------

def _lines(path: Path, count: int | None = None) -> list[str]:
    text = read_bytes(path).decode("utf-8-sig")
    return text.splitlines()[:count]


def _write(tmp_path: Path, lines: list[str], name: str = "tfl.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((("\ufeff" if bom else "") + "\n".join(lines) + "\n").encode("utf-8"))
    return path


def _table(path: Path) -> list[dict]:
    result = read_source(KIND, path)
    assert result.ok, [str(p) for p in result.problems]
    return sorted(result.table.to_pylist(), key=lambda r: tuple(str(v) for v in r.values()))


@pytest.fixture(scope="module")
def cut_2019() -> list[str]:
    from policingplan.settings import data_dir
    return _lines(data_dir() / "london" / T2019, 200)


def _set_header(lines: list[str], header: list[str]) -> list[str]:
    return [",".join(header)] + lines[1:]


def test_header_spellings_of_every_year_give_the_same_table(cut_2019, tmp_path: Path):
    base = _table(_write(tmp_path, cut_2019, "base.csv"))
    variants = [
        # the 2013 and 2018 spellings, with dots
        ["Accident Ref.", "Borough", "Boro", "Easting", "Northing", "CREFNO", "Casualty Class",
         "Casualty Sex", "Casualty Age (Banded)", "Casualty Age", "No. of Casualties",
         "Casualty Severity", "Ped. Location", "Ped. Movement", "Mode of Travel"],
        # letter case, spacing and punctuation
        ["arefno", "BOROUGH", "boro", "EASTING", "northing", "crefno", "casualty  class",
         "Casualty_Sex", "casualty age banded", "CASUALTY AGE", "No of Casualties",
         "casualty severity", "PED LOCATION", "ped-movement", "mode of travel"],
        # the crafted layout's names, and Accident Ref without its dot
        ["Accident Ref", "Borough", "Boro", "Easting", "Northing", "CREFNO", "Casualty Class",
         "Casualty Sex", "Casualty Age Band", "Casualty Age", "No of Casualties in Acc",
         "Casualty Severity", "Ped Location", "Ped Movement", "Mode of Travel"],
    ]
    for i, header in enumerate(variants):
        assert _table(_write(tmp_path, _set_header(cut_2019, header), f"v{i}.csv")) == base, header


def test_codes_in_title_case_or_without_prefix_or_apostrophe_give_the_same_table(cut_2019, tmp_path):
    base = _table(_write(tmp_path, cut_2019, "base.csv"))
    rows = list(csv.reader(cut_2019))
    title = [rows[0]] + [[v.title() if i >= 6 else v for i, v in enumerate(r)] for r in rows[1:]]
    bare = [rows[0]] + [[v.lstrip("'") for v in r] for r in rows[1:]]
    unprefixed = [rows[0]] + [[_strip_code(v) if i in (6, 11, 14) else v for i, v in enumerate(r)]
                              for r in rows[1:]]
    for name, variant in (("title", title), ("bare", bare), ("unprefixed", unprefixed)):
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(variant)
        path = tmp_path / f"{name}.csv"
        path.write_text(out.getvalue(), encoding="utf-8")
        assert _table(path) == base, name


def _strip_code(value: str) -> str:
    head, _, rest = value.lstrip("'").partition(" ")
    return rest if head.lstrip("-").isdigit() else value


def test_bom_crlf_and_a_trailing_blank_column_give_the_same_table(tmp_path: Path):
    base = _table(T2018)
    assert _table(BOM_CRLF) == base
    lines = _lines(T2018)
    # the trailing header blank rather than one space, and its values blank rather than a space
    blank = [lines[0].rstrip(" ")] + [line.rstrip(" ") for line in lines[1:]]
    assert all(line.endswith(",") for line in blank)
    assert _table(_write(tmp_path, blank, bom=True)) == base


def test_unknown_age_as_u_with_blank_or_unknown_with_zero_is_unknown(cut_2019, tmp_path: Path):
    rows = list(csv.reader(cut_2019))
    unknown = [r for r in rows[1:] if r[8] == "U"]
    assert unknown and all(r[9] == "" for r in unknown)
    for r in unknown:
        r[8], r[9] = "Unknown", "0"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path = tmp_path / "unknown.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    assert _table(path) == _table(_write(tmp_path, cut_2019, "base.csv"))


def test_an_unknown_column_is_a_warning_and_changes_nothing(cut_2019, tmp_path: Path):
    lines = [cut_2019[0] + ",Weather"] + [line + ",Fine" for line in cut_2019[1:]]
    result = read_source(KIND, _write(tmp_path, lines))
    assert result.ok
    warning = [p for p in result.problems.warnings if p.column == "Weather"]
    assert warning and warning[0].line == 1 and "does not know" in warning[0].message
    assert _table(tmp_path / "tfl.csv") == _table(_write(tmp_path, cut_2019, "base.csv"))


@pytest.mark.parametrize("wrong,right", [
    ("Casualty Severty", "Casualty Severity"), ("AREFN", "AREFNO"), ("Ped Locaton", "Ped Location"),
    ("No. of Casualty", "No. of Casualties"),
])
def test_a_missing_column_is_an_error_suggesting_the_closest_name(cut_2019, tmp_path, wrong, right):
    header = next(csv.reader([cut_2019[0]]))
    header[header.index(right)] = wrong
    result = read_source(KIND, _write(tmp_path, _set_header(cut_2019, header)))
    assert not result.ok
    errors = [e for e in result.problems.errors if e.line == 1]
    assert len(errors) == 1 and right in errors[0].message and wrong in errors[0].message


# --- faults: refused at their line and column ---------------------------------------------------------

def _edit(lines: list[str], line: int, column: str, value: str) -> list[str]:
    rows = list(csv.reader(lines))
    rows[line - 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().splitlines()


def _errors_at(path: Path, line: int, column: str):
    result = read_source(KIND, path)
    assert not result.ok and result.table.num_rows == 0
    return [e for e in result.problems.errors if e.line == line and e.column == column]


@pytest.mark.parametrize("value,message", [
    ("1000000000000", "out of range"), ("-1", "negative"), ("12a", "not a whole number"),
    ("0", "out of range"), ("", "blank"), ("1.0", "not a whole number"), ("1e3", "not a whole number"),
])
def test_a_bad_number_of_casualties_is_refused_at_its_line(cut_2019, tmp_path, value, message):
    # line 5 is an accident with one casualty, so nothing else on the line disagrees
    path = _write(tmp_path, _edit(cut_2019, 5, "No. of Casualties", value))
    errors = _errors_at(path, 5, "No. of Casualties")
    assert errors and message in errors[0].message and errors[0].value == value
    assert "1 to 999" in errors[0].accepted


def test_a_repeated_key_with_other_values_names_both_lines(cut_2019, tmp_path: Path):
    rows = list(csv.reader(cut_2019[:10]))
    copy = list(rows[6])  # line 7: 1190155192, casualty 1, 2 SERIOUS
    copy[11] = "1 FATAL"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows + [copy])
    path = _write(tmp_path, out.getvalue().splitlines())
    errors = _errors_at(path, 11, "CREFNO")
    assert len(errors) == 1
    assert "different values" in errors[0].message
    assert "line 7" in errors[0].value and "Casualty Severity" in errors[0].value
    assert "1190155192" in errors[0].value


def test_an_exact_repeat_is_refused_too(cut_2019, tmp_path: Path):
    path = _write(tmp_path, cut_2019[:10] + [cut_2019[4]])
    errors = _errors_at(path, 11, "CREFNO")
    assert len(errors) == 1 and "exact repeat" in errors[0].message and "line 5" in errors[0].value


def test_the_same_casualty_number_written_twice_differently_is_one_key(cut_2019, tmp_path: Path):
    copy = _edit(cut_2019[:10] + [cut_2019[4]], 11, "CREFNO", "01")
    assert _errors_at(_write(tmp_path, copy), 11, "CREFNO")


@pytest.mark.parametrize("line,column,value,message", [
    (5, "AREFNO", "1190152270 ", None),  # surrounding spaces are stripped: accepted
    (5, "AREFNO", "2190152270", "not an accident reference"),
    (5, "AREFNO", "119015227", "not an accident reference"),
    (5, "Borough", "LAMBETH NORTH", "not a London borough"),
    (5, "Borough", "UNKNOWN", "not a London borough"),
    (5, "Boro", "", "not a TfL borough code"),
    (5, "Boro", "1", "not the code of the borough"),
    (5, "Easting", "", "blank"),
    (5, "Easting", "600000", "out of range"),
    (5, "Northing", "1000000000000", "out of range"),
    (5, "Northing", "17246a", "not a whole number"),
    (5, "CREFNO", "", "blank"),
    (5, "CREFNO", "1000", "out of range"),
    (5, "Casualty Class", "", "blank"),
    (5, "Casualty Class", "1 PASSENGER", "not a casualty class code"),
    (5, "Casualty Sex", "3 MALE", "not a casualty sex code"),
    (5, "Casualty Age (Banded)", "", "not an age band"),
    (5, "Casualty Age (Banded)", "25-59", "outside its age band"),
    (5, "Casualty Age", "-1", "not a whole number"),
    (5, "Casualty Age", "121", "impossible"),
    (5, "Casualty Severity", "", "blank"),
    (5, "Casualty Severity", "2 FATAL", "not a casualty severity code"),
    (5, "Casualty Severity", "SERIOUS INJURY", "not a casualty severity code"),
    (5, "Ped Location", "", "blank"),
    (5, "Ped Location", "99 UNKNOWN", "not a pedestrian location code"),
    (5, "Ped Movement", "'-2 NOT APPLICABLEX", "not a pedestrian movement code"),
    (5, "Mode of Travel", "", "blank"),
    (5, "Mode of Travel", "4", "not a mode of travel code"),
    (5, "Mode of Travel", "4 CAR 4 CAR", "not a mode of travel code"),
    (2, "Easting", "528219", "rows of one accident"),
    (3, "Borough", "CAMDEN", "rows of one accident"),
    (7, "Casualty Class", "1 DRIVER/RIDER", "disagree about a pedestrian"),
])
def test_every_column_refuses_a_bad_value_at_its_line(cut_2019, tmp_path, line, column, value, message):
    path = _write(tmp_path, _edit(cut_2019, line, column, value))
    if message is None:
        assert read_source(KIND, path).ok
        return
    result = read_source(KIND, path)
    assert not result.ok
    at_line = [e for e in result.problems.errors if e.line == line]
    assert any(message in e.message for e in at_line), [str(e) for e in result.problems.errors][:4]
    assert all(e.file == str(path) and e.accepted for e in result.problems.errors)


def test_a_borough_and_its_code_disagreeing_is_refused_at_the_code(cut_2019, tmp_path: Path):
    path = _write(tmp_path, _edit(cut_2019, 5, "Borough", "CAMDEN"))
    errors = _errors_at(path, 5, "Boro")
    assert errors and errors[0].value == "9 (the borough is CAMDEN, whose code is 2)"


def test_rows_of_one_accident_that_disagree_are_each_named(cut_2019, tmp_path: Path):
    path = _write(tmp_path, _edit(cut_2019, 3, "No. of Casualties", "2"))
    result = read_source(KIND, path)
    errors = [e for e in result.problems.errors if e.column == "No. of Casualties"]
    assert [e.line for e in errors] == [2, 3, 4]
    assert "line 3: 2" in errors[0].value and "1190128300" in errors[0].value


def test_more_casualty_rows_than_no_of_casualties_is_accepted_as_in_the_real_file(london_dir: Path):
    # Accident 1190171728 (lines 6,318 and 6,319) has two casualty rows and No. of Casualties 1;
    # the 2013 and 2018 extracts give 1 on every row whatever the accident's casualties.
    with open_text(london_dir / T2019) as handle:
        rows = [r for r in csv.DictReader(handle) if r["AREFNO"] == "1190171728"]
    assert len(rows) == 2 and {r["No. of Casualties"] for r in rows} == {"1"}
    with open_text(T2018) as handle:
        rows = list(csv.DictReader(handle))
    per_accident = Counter(r["Accident Ref."] for r in rows)
    shared = [ref for ref, n in per_accident.items() if n > 1]
    assert shared and all(r["No. of Casualties"] == "1" for r in rows if r["Accident Ref."] in shared)
    assert read_source(KIND, london_dir / T2019).ok and read_source(KIND, T2018).ok


def test_a_value_under_a_blank_header_is_refused(tmp_path: Path):
    lines = _lines(T2013)
    lines[3] = lines[3][:-1] + "7"
    errors = _errors_at(_write(tmp_path, lines), 4, "(column 16, unnamed)")
    assert errors and errors[0].value == "7"


def test_a_date_column_gives_months_and_a_bad_date_is_refused(cut_2019, tmp_path: Path):
    lines = [cut_2019[0] + ",Accident Date"] + [line + ",14/03/2019" for line in cut_2019[1:20]]
    result = read_source(KIND, _write(tmp_path, lines))
    assert result.ok and {r["period"] for r in result.table.to_pylist()} == {"2019-03"}
    lines[4] = lines[4][: lines[4].rindex(",")] + ",31/02/2019"
    assert _errors_at(_write(tmp_path, lines), 5, "Accident Date")


# --- garbage in any field of a real cut: refused at its line, or no total changes ----------------------

#: Values valid in some column (they reach the checks between columns): one may change an
#: attribute, as a real correction would, so only the totals by unit and period must hold.
PLAUSIBLE = ["0", "1", "2", "99", "U", "0-15", "3 SLIGHT", "1 FATAL", "CAMDEN", "'-2 N/A"]
GARBAGE = st.one_of(
    st.sampled_from(["1000000000000", "-1", "12a", "1e3", "+5", "NaN", "?", "x", "\u00a0", "#REF!",
                     *PLAUSIBLE]),
    st.text(alphabet="abcXYZ0129!@#%&*()_;:'?<>|~é£ -/", min_size=1, max_size=10),
)


def _totals(result, attributes: bool) -> Counter:
    totals = Counter()
    for row in result.table.to_pylist():
        key = (row["unit"], row["period"])
        if attributes:
            key += (row["severity"], row["age_group"], row["mode"], row["casualty_class"])
        totals[key] += row["count"]
    return totals


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.sampled_from(["2019", "2018", "2013"]), where=st.data(), garbage=GARBAGE)
def test_garbage_in_any_field_is_refused_at_its_line_or_changes_no_total(which, where, garbage, tmp_path_factory):
    from policingplan.settings import data_dir
    base = {"2019": data_dir() / "london" / T2019, "2018": T2018, "2013": T2013}[which]
    lines = _lines(base, 31)
    header = next(csv.reader([lines[0]]))
    line = where.draw(st.integers(2, len(lines)), label="line")
    column = where.draw(st.sampled_from([h for h in header if h.strip()]), label="column")
    folder = tmp_path_factory.mktemp("garbage")
    clean = read_source(KIND, _write(folder, lines, "clean.csv"))
    result = read_source(KIND, _write(folder, _edit(lines, line, column, garbage), "dirty.csv"))
    if result.ok:
        attributes = garbage not in PLAUSIBLE  # garbage cannot be read as another valid value
        assert _totals(result, attributes) == _totals(clean, attributes), (
            f"{which}: {garbage!r} in {column!r} on line {line} was accepted and changed a total")
    else:
        assert any(e.line == line for e in result.problems.errors), (
            f"{which}: {garbage!r} in {column!r} on line {line} was refused elsewhere: "
            + "; ".join(str(e) for e in result.problems.errors[:3]))


#: Blank columns a spreadsheet saved after the data: a 10 KB header line.
WIDE = 10_000


def test_thousands_of_blank_columns_are_passed_over_and_a_value_in_one_is_named(cut_2019, tmp_path: Path):
    """Found by fuzzing (tests/fuzz): each unnamed column was tested on the whole frame, a
    time in the square of the columns (10,000 blank ones took minutes).  Each is now tested
    on its own; the file reads as without them, and a value in one is still named."""
    wide = [line + "," * WIDE for line in cut_2019]
    assert _table(_write(tmp_path, wide)) == _table(_write(tmp_path, cut_2019, "base.csv"))
    wide[5] += "spilt"  # in the last column
    [error] = _errors_at(_write(tmp_path, wide, "spilt.csv"), 6, f"(column {15 + WIDE}, unnamed)")
    assert error.value == "spilt" and error.message == "a value in a column without a name"
