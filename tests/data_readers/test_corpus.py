"""The malformed-file corpus (``tests/data_readers/corpus/``), and a property test that
corrupts one field of a real file at random.

Every case is a real file with a planted change: a reader must refuse it at the
line and column of the change (and name both lines of a repeated key), or accept
it where the change is valid.  The property test plants garbage in one field of a
real cut: the file is then refused with an error at that line, or it loads with
exactly the same totals by unit and period as the file without the garbage.
"""

from __future__ import annotations

import re
import tempfile
from collections import defaultdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from policingplan.data.readers import SOURCE_KINDS, VALUE_COLUMNS, read_source
from .corpus import Case, _header, all_cases, base_lines, build

CASES = all_cases()

#: Each format's real file (or, for the project's own tidy format, its template).
BASES = {
    "mps-borough-monthly": "data/london/mps-recorded-crime-borough-monthly_2010-04_2024-02.csv.gz",
    "police-uk-street": "data/city-of-london/police-uk-street/2021-09-city-of-london-street.csv.gz",
    "gla-borough-fy": "data/london/gla-recorded-offences-by-borough-fy_1999-00_2009-10.csv.gz",
    "ons-lsoa-population": "data/london/ons-population-lsoa-mid2020.csv.gz",
    "tfl-casualties": "data/london/tfl-road-casualties-2019.csv.gz",
    "mps-homicide-victims": "data/london/mps-homicide-victims_2003-2023.csv.gz",
    "mps-crime-dashboard": "data/london/mps-crime-dashboard-borough_2021-08_2025-07.csv.gz",
    "tidy": "src/policingplan/data/templates/tidy.csv",
}

#: The formats whose records have a key (a repeat with other values is refused).
KEYED = ("mps-borough-monthly", "police-uk-street", "gla-borough-fy", "ons-lsoa-population",
         "tfl-casualties", "mps-crime-dashboard", "tidy")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_case_is_refused_where_it_is_changed_or_accepted(case: Case, tmp_path: Path):
    name, data = build(case)
    path = tmp_path / name
    path.write_bytes(data)
    result = read_source(case.kind, path)
    if case.refused_at is None:
        assert result.ok, [str(p) for p in result.problems.errors]
        assert result.table.num_rows > 0
        return
    assert not result.ok, f"{case.name}: accepted, but the change at {case.refused_at} is not valid"
    assert result.table.num_rows == 0 and result.rows_accepted == 0
    line, column = case.refused_at
    at = [e for e in result.problems.errors if e.line == line and e.column == column]
    assert at, (f"{case.name}: no error at line {line}, column {column!r}; the errors: "
                + "; ".join(str(e) for e in result.problems.errors[:5]))
    if case.message:
        assert any(case.message.lower() in e.message.lower() for e in at), [e.message for e in at]
    if case.append is not None:
        first = f"line {case.append[0]}"
        assert any(first in f"{e.message} {e.value}" for e in at), (
            f"{case.name}: the repeated key's error does not name the first line ({first}): "
            + "; ".join(str(e) for e in at))


def test_the_corpus_has_at_least_60_files_and_every_format():
    assert len(CASES) >= 60
    assert len({c.name for c in CASES}) == len(CASES), "case names repeat"
    assert {c.kind for c in CASES} == set(SOURCE_KINDS)


@pytest.mark.parametrize("kind", SOURCE_KINDS)
def test_every_column_of_every_format_is_corrupted_at_least_once(kind: str):
    header = _header(base_lines(BASES[kind], 1)[0])
    changed = {column for c in CASES if c.kind == kind and c.refused_at is not None
               for _, column, _ in c.edits}
    changed |= {column for c in CASES if c.kind == kind and c.append for column, _ in c.append[1]}
    if kind == "mps-borough-monthly":  # one column per month: the identifiers and some month
        months = [h for h in header if h.isdigit()]
        header = [h for h in header if not h.isdigit()]
        assert changed & set(months), "no month column is corrupted"
    missing = [column for column in header if column.strip() and column not in changed]
    assert not missing, f"{kind}: no case corrupts {missing}"


@pytest.mark.parametrize("kind", KEYED)
def test_every_keyed_format_has_a_repeated_key_case(kind: str):
    assert any(c.kind == kind and c.append is not None and c.refused_at is not None for c in CASES)


# --- one field of a real file, corrupted at random ---------------------------------------------

CUT = 30
_WORKDIR = Path(tempfile.mkdtemp(prefix="policingplan-corpus-"))

GARBAGE = st.one_of(
    st.sampled_from(["1000000000000", "-1", "12a", "1e3", "+5", "NaN", "?", "x", "\u00a0", "#REF!",
                     "0x1F", "99999999999999999999", "2023-13", "31/02/2023"]),
    # Random text, never a plain whole number (which a count column accepts as a valid value).
    st.text(alphabet="abcXYZ09!@#%&*()_;:'?<>|~é£", min_size=1, max_size=10)
    .filter(lambda text: not text.isdigit()),
)


def _totals(result) -> dict[tuple[str, str, str], tuple]:
    """Each unit and period's values, summed over the attributes."""
    table = result.table.to_pylist()
    values = [name for name, _ in VALUE_COLUMNS[result.kind]]
    totals: dict[tuple[str, str, str], list] = defaultdict(lambda: [0.0] * len(values))
    for row in table:
        key = (row["unit"], row["period"], row["period_kind"])
        for i, name in enumerate(values):
            totals[key][i] += row[name] or 0
    return {k: tuple(v) for k, v in totals.items()}


_CLEAN: dict[str, dict] = {}


def _clean_totals(kind: str) -> dict:
    if kind not in _CLEAN:
        name, data = build(Case(name=f"{kind}-clean", kind=kind, base=BASES[kind], lines=CUT))
        path = _WORKDIR / name
        path.write_bytes(data)
        result = read_source(kind, path)
        assert result.ok, [str(p) for p in result.problems.errors]
        _CLEAN[kind] = _totals(result)
    return _CLEAN[kind]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(SOURCE_KINDS), where=st.data(), garbage=GARBAGE)
def test_garbage_in_one_field_is_refused_at_its_line_or_changes_no_total(kind, where, garbage):
    lines = base_lines(BASES[kind], CUT)
    header = _header(lines[0])
    line = where.draw(st.integers(2, len(lines)), label="line")
    column = where.draw(st.sampled_from([h for h in header if h.strip()]), label="column")
    # A tidy file's unit may be any code in capitals, digits and hyphens (docs/formats/tidy.md):
    # such "garbage" is another unit, valid, and moves its line's figures to that unit.
    assume(not (kind == "tidy" and column.strip().lower() == "unit" and re.fullmatch(r"[A-Z0-9-]+", garbage)))
    case = Case(name="random", kind=kind, base=BASES[kind], lines=CUT, edits=((line, column, garbage),))
    name, data = build(case)
    path = _WORKDIR / name
    path.write_bytes(data)
    result = read_source(kind, path)
    if result.ok:
        assert _totals(result) == _clean_totals(kind), (
            f"{kind}: {garbage!r} in {column!r} on line {line} was accepted and changed the totals")
    else:
        assert any(e.line == line for e in result.problems.errors), (
            f"{kind}: {garbage!r} in {column!r} on line {line} was refused elsewhere: "
            + "; ".join(str(e) for e in result.problems.errors[:3]))
