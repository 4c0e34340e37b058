"""Property-based tests: whatever the bytes, every reader returns a ReadResult,
never an exception, and never half a file."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings, strategies as st

from policingplan.data.readers import SOURCE_KINDS, canonical_schema, read_source

HEADERS = {
    "mps-borough-monthly": ["MajorText", "MinorText", "BoroughName", "202304", "202305"],
    "police-uk-street": ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude",
                         "Location", "LSOA code", "LSOA name", "Crime type",
                         "Last outcome category", "Context"],
    "gla-borough-fy": ["Code", "Borough", "Year", "Value"],
    "ons-lsoa-population": ["LSOA11CD", "LAD11CD", "Persons_All-Ages", "Persons_0-15"],
    "tfl-casualties": ["AREFNO", "Borough", "Boro", "Easting", "Northing", "CREFNO", "Casualty Class",
                       "Casualty Sex", "Casualty Age (Banded)", "Casualty Age", "No. of Casualties",
                       "Casualty Severity", "Ped Location", "Ped Movement", "Mode of Travel"],
    "mps-homicide-victims": ["Age_Group", "Sex", "Method_of_Killing", "Domestic_Abuse",
                             "Solved_Status", "Borough", "Ethnicity", "Year"],
    "mps-crime-dashboard": ["month_year", "area_code", "area_name", "crime_type", "crime_subtype",
                            "measure", "count", "refresh_date"],
    "tidy": ["unit", "month", "measure", "numerator", "denominator"],
}

# Plausible values and near misses, so that random rows reach the deeper checks.
FIELD = st.one_of(
    st.sampled_from([
        "", "0", "12", "-3", "4.5", "1e9", "n/a", "Camden", "KINGSTON-UPON-THAMES", "Unknown",
        "E09000007", "E01000907", "Camden 024B", "2023-04", "2023-13", "2023-04-01", "2003-12-31",
        "2019", "1190128300", "48190012345", "3 SLIGHT", "1 FATAL", "0-15", "U", "Solved",
        "Offences", "Metropolitan Police Service", "City of London Police", "Burglary",
        '"quoted, with comma"', '"two\nlines"', "\ufeff", "é", "£",
    ]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
)

_WORKDIR = Path(tempfile.mkdtemp(prefix="policingplan-readers-"))


def _check(kind: str, data: bytes) -> None:
    path = _WORKDIR / f"{kind}-fuzz-mid2020.csv"
    path.write_bytes(data)
    result = read_source(kind, path)
    assert result.kind == kind and result.file == str(path)
    for problem in result.problems:
        assert not problem.message.startswith("the file could not be read"), problem.message
    if result.ok:
        assert result.table.schema == canonical_schema(kind)
        assert result.rows_accepted <= result.rows_read
    else:
        assert result.table.num_rows == 0 and result.rows_accepted == 0
        assert all(p.file == str(path) for p in result.problems)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(SOURCE_KINDS), data=st.binary(max_size=400))
def test_random_bytes_never_raise(kind: str, data: bytes):
    _check(kind, data)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(SOURCE_KINDS), rows=st.lists(st.lists(FIELD, max_size=14), max_size=8),
       header_ok=st.booleans(), newline=st.sampled_from(["\n", "\r\n"]), bom=st.booleans(),
       final_newline=st.booleans())
def test_random_csv_text_never_raises(kind, rows, header_ok, newline, bom, final_newline):
    header = HEADERS[kind] if header_ok else HEADERS[kind][::-1][:3]
    lines = [",".join(header)] + [",".join(row) for row in rows]
    text = ("\ufeff" if bom else "") + newline.join(lines) + (newline if final_newline else "")
    _check(kind, text.encode("utf-8"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(SOURCE_KINDS),
       rows=st.lists(st.lists(FIELD, min_size=1, max_size=14), min_size=1, max_size=6))
def test_rows_of_the_right_width_never_raise(kind, rows):
    width = len(HEADERS[kind])
    lines = [",".join(HEADERS[kind])]
    lines += [",".join((row * width)[:width]) for row in rows]
    _check(kind, ("\n".join(lines) + "\n").encode("utf-8"))


BOROUGH_SPELLINGS = st.sampled_from([
    ("E09000021", "Kingston upon Thames"), ("E09000021", "KINGSTON-UPON-THAMES"),
    ("E09000021", "Kingston Upon Thames"), ("E09000033", "City of Westminster"),
    ("E09000033", "WESTMINSTER"), ("E09000002", "BARKING & DAGENHAM"),
    ("E09000002", "Barking and Dagenham"), ("MPS-AIRPORTS", "London Heathrow and London City Airports"),
])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.dictionaries(
           keys=st.tuples(st.sampled_from(["BURGLARY", "ROBBERY", "THEFT"]), st.sampled_from(["A", "B, C"]),
                          BOROUGH_SPELLINGS),
           values=st.lists(st.integers(0, 5000), min_size=2, max_size=2), min_size=1, max_size=12),
       quote_all=st.booleans(), newline=st.sampled_from(["\n", "\r\n"]))
def test_monthly_totals_survive_any_spelling_and_quoting(cells, quote_all, newline):
    # Each minor category sits under one major (a minor under two majors is an error).
    cells = {(major, f"{minor} ({major})", borough): counts
             for (major, minor, borough), counts in cells.items()}
    by_unit_key: dict[tuple, list[int]] = {}
    for (major, minor, (code, _)), counts in cells.items():
        if (code, major, minor) in by_unit_key:
            return  # the same borough spelt two ways is a duplicate: tested elsewhere
        by_unit_key[(code, major, minor)] = counts

    def field(value: str) -> str:
        return f'"{value}"' if quote_all or "," in value else value

    lines = ["MajorText,MinorText,BoroughName,202303,202304"]
    for (major, minor, (_, name)), counts in cells.items():
        lines.append(",".join([field(major), field(minor), field(name)] + [str(c) for c in counts]))
    path = _WORKDIR / "monthly.csv"
    path.write_text(newline.join(lines) + newline, encoding="utf-8")
    result = read_source("mps-borough-monthly", path)
    assert result.ok, [str(p) for p in result.problems]
    assert result.rows_read == len(cells)
    got: dict[tuple, int] = {}
    for row in result.table.to_pylist():
        got[(row["unit"], row["major"], row["minor"], row["period"])] = row["count"]
    expected = {}
    for (code, major, minor), counts in by_unit_key.items():
        expected[(code, major, minor, "2023-03")] = counts[0]
        expected[(code, major, minor, "2023-04")] = counts[1]
    assert got == expected


STREET_RECORDS = st.tuples(
    st.sampled_from([("Metropolitan Police Service", "E01000938,Camden 024B", "E09000007"),
                     ("Metropolitan Police Service", "E01000027,Barking and Dagenham 001A", "E09000002"),
                     ("Metropolitan Police Service", "E01015530,Three Rivers 005C", "MPS-UNKNOWN"),
                     ("City of London Police", "E01000938,Camden 024B", "E09000001"),
                     ("Kent Police", "E01024000,Dartford 001A", "Kent Police")]),
    st.sampled_from(["Burglary", "Robbery", "Anti-social behaviour"]),
    st.sampled_from(["2023-03", "2023-04"]),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(STREET_RECORDS, min_size=1, max_size=40), blank_lines=st.booleans())
def test_street_records_are_all_counted_under_their_unit(records, blank_lines):
    lines = [",".join(HEADERS["police-uk-street"])]
    expected: dict[tuple, int] = {}
    for i, ((force, lsoa_name, unit), crime_type, month) in enumerate(records):
        crime_id = "" if crime_type == "Anti-social behaviour" else f"{i:064x}"  # ASB has no crime ID
        lines.append(f"{crime_id},{month},{force},{force},-0.1,51.5,On or near X,{lsoa_name},"
                     f"{crime_type},,")
        if blank_lines and i % 5 == 0:
            lines.append("")
        expected[(unit, month, crime_type)] = expected.get((unit, month, crime_type), 0) + 1
    path = _WORKDIR / "street.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read_source("police-uk-street", path)
    assert result.ok and result.rows_read == len(records)
    got: dict[tuple, int] = {}
    for row in result.table.to_pylist():
        key = (row["unit"], row["period"], row["crime_type"])
        got[key] = got.get(key, 0) + row["count"]
    assert got == expected


UNQUOTED_FIELD = st.one_of(st.sampled_from(["", " ", "2023-04", "Camden 024B", "Burglary", "é", "\t"]),
                           st.text(alphabet="abc XYZ019-;.", max_size=6))

#: A fault put into an unquoted file: none, a blank line, a line one field long or short,
#: or both (the file's comma count then still looks right).
FAULTS = st.sampled_from(["none", "blank", "long", "short", "long and short"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(width=st.integers(1, 5), rows=st.lists(st.lists(UNQUOTED_FIELD, min_size=5, max_size=5), min_size=2, max_size=8),
       fault=FAULTS, where=st.integers(0, 7), newline=st.sampled_from(["\n", "\r\n"]),
       final_newline=st.booleans(), wanted=st.one_of(st.none(), st.sets(st.integers(0, 4), min_size=1)))
def test_the_one_parse_of_an_unquoted_file_vouches_only_for_a_sound_file(
        width, rows, fault, where, newline, final_newline, wanted):
    # Where the one parse vouches for a file, it reads the same records, on the same lines,
    # as the careful line pass; it never vouches for a file with a blank, short or long line.
    from policingplan.data.readers.base import _LINE_PASS, FileProblems, _parse_lines, _parse_unquoted

    header = [f"c{i}" for i in range(width)]
    lines = [",".join(row[:width]) for row in rows]
    first, second = where % len(lines), (where + 1) % len(lines)
    if fault == "blank":
        lines.insert(first, "")
    if fault in ("long", "long and short"):
        lines[first] += ",x"
    if fault in ("short", "long and short") and width > 1:
        lines[second] = lines[second].rsplit(",", 1)[0]
    # A last line cut to nothing, with no line break after it, is no line at all: the file
    # then reads as sound with one record fewer, rightly, so that case says nothing here.
    assume(lines[-1] != "" or final_newline)
    text = newline.join([",".join(header), *lines]) + (newline if final_newline else "")
    data = text.encode("utf-8")
    columns = None if wanted is None else [header[min(i, width - 1)] for i in wanted]
    one = _parse_unquoted(data, FileProblems("f.csv"), columns)
    if width == 1 or fault != "none":
        assert one is _LINE_PASS
        return
    assert one is not _LINE_PASS
    careful_problems = FileProblems("f.csv")
    careful = _parse_lines(data, careful_problems, columns)
    assert careful_problems.problems.ok
    assert (one.header, one.rows_read) == (careful.header, careful.rows_read) == (header, len(rows))
    assert one.frame.to_dicts() == careful.frame.to_dicts()
