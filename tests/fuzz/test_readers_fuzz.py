"""Fuzzing every reader (issue 17, bad input everywhere): whatever the bytes, ``read_source``
returns a result, never an exception, and an accepted file's rows are canonical.

Three kinds of input, for every source kind:

- wholly random bytes (and random text, and random bytes behind a gzip, zip or Excel
  signature), under the name a real file of the kind has;
- a real file from ``data/`` (its first lines, decompressed) with one to four mutations:
  cut short at a random byte, random bytes inserted, deleted or replaced, a field replaced
  by random Unicode, a line duplicated or deleted, byte-order marks, mixed line endings, an
  invalid UTF-8 byte, a NUL byte, a structural character (quote, comma, line break, tab), an
  enormous field; then perhaps gzip-compressed, perhaps cut short once compressed;
- the same mutated file as a member of a zip archive (``archive.zip!member.csv``), the
  archive itself perhaps damaged.

The property, from ``policingplan.data.readers``: "No reader raises for bad bytes; every
fault becomes a Problem", and a file with any error is rejected whole.  A reader's own bug
that ``read_source`` catches ("the file could not be read (SomeError: …)") counts as a
failure here too: it is an exception the reader does not document, only contained.

When the result is ok, every row satisfies the canonical schema: the schema itself, no
null (or empty) unit, period or period kind, no null attribute, a period written as its
kind says, and counts that are whole and not negative.

The examples are bounded (``max_examples``) so that ``tests/fuzz`` takes well under a
minute on two cores; under ``CI`` the project's profile draws the same examples each run
(tests/conftest.py).
"""

from __future__ import annotations

import gzip
import io
import math
import os
import re
import signal
import tempfile
import threading
import zipfile
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from policingplan.data.files import read_bytes
from policingplan.data.readers import (
    ATTRIBUTES, SOURCE_KINDS, VALUE_COLUMNS, ReadResult, canonical_schema, read_source,
)
from policingplan.data.readers.registry import READER_MODULES
from policingplan.settings import PROJECT_ROOT

#: Each kind's real files (the GLA reader reads offences or rates by the file's name).
BASES: dict[str, tuple[str, ...]] = {
    "mps-borough-monthly": ("data/london/mps-recorded-crime-borough-monthly_2010-04_2024-02.csv.gz",),
    "police-uk-street": ("data/city-of-london/police-uk-street/2021-09-city-of-london-street.csv.gz",),
    "gla-borough-fy": ("data/london/gla-recorded-offences-by-borough-fy_1999-00_2009-10.csv.gz",
                       "data/london/gla-crime-rates-by-borough-fy_1999-00_2009-10.csv.gz"),
    "ons-lsoa-population": ("data/london/ons-population-lsoa-mid2020.csv.gz",),
    "tfl-casualties": ("data/london/tfl-road-casualties-2019.csv.gz",),
    "mps-homicide-victims": ("data/london/mps-homicide-victims_2003-2023.csv.gz",),
    "mps-crime-dashboard": ("data/london/mps-crime-dashboard-borough_2021-08_2025-07.csv.gz",),
    "tidy": ("src/policingplan/data/templates/tidy.csv",),
}

#: How many physical lines of each real file a mutated example starts from.
CUT = 50

#: What read_source says when a reader raised (a bug contained, not a problem described).
READER_BUG = "the file could not be read ("

#: Examples per test; ``POLICINGPLAN_FUZZ_EXAMPLES=2000`` for a longer hunt.
EXAMPLES = int(os.environ.get("POLICINGPLAN_FUZZ_EXAMPLES", "30"))

FUZZ = settings(
    max_examples=EXAMPLES, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.large_base_example, HealthCheck.filter_too_much],
)

_WORKDIR = Path(tempfile.mkdtemp(prefix="policingplan-fuzz-readers-"))


def test_every_kind_is_fuzzed():
    """Every source kind has a base file here, and every module of data/readers/ but the shared
    ones is the reader of a kind: a new reader cannot be added unfuzzed."""
    assert set(BASES) == set(SOURCE_KINDS) == set(READER_MODULES)
    shared = {"__init__", "base", "registry"}
    modules = {p.stem for p in (PROJECT_ROOT / "src" / "policingplan" / "data" / "readers").glob("*.py")}
    assert modules - shared == set(READER_MODULES.values())


@lru_cache(maxsize=None)
def _base(path: str) -> tuple[str, bytes]:
    """A real file's name as published (less ``.gz``) and its first :data:`CUT` lines."""
    lines = read_bytes(PROJECT_ROOT / path).splitlines(keepends=True)[:CUT]
    return Path(path).name.removesuffix(".gz"), b"".join(lines)


# --- mutations: plain data, so that a failing example prints as a short list -------------------

_INVALID_UTF8 = (b"\xff", b"\xc3", b"\x80", b"\xed\xa0\x80", b"\xe2\x82", b"\xc0\xaf", b"\xf4\x90\x80\x80")
_STRUCTURAL = ('"', ",", "\n", "\r", "\r\n", '""', ",,,,", "\t", ";", '"\n"', "\u2028", "\x85", " ")
_BOMS = (b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_ENORMOUS = (10_000, 200_000, 2_000_000)

_position = st.integers(min_value=0, max_value=10**6)
_unicode = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)

MUTATION = st.one_of(
    st.tuples(st.just("truncate"), _position),
    st.tuples(st.just("insert"), _position, st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("delete"), _position, st.integers(1, 40)),
    st.tuples(st.just("replace"), _position, st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("field"), _position, _position, _unicode),
    st.tuples(st.just("duplicate line"), _position),
    st.tuples(st.just("delete line"), _position),
    st.tuples(st.just("bom"), st.sampled_from(_BOMS), st.booleans()),
    st.tuples(st.just("line endings"), st.sampled_from(["\r\n", "\r", "mixed"]), _position),
    st.tuples(st.just("invalid utf-8"), _position, st.sampled_from(_INVALID_UTF8)),
    st.tuples(st.just("nul"), _position),
    st.tuples(st.just("structural"), _position, st.sampled_from(_STRUCTURAL)),
    st.tuples(st.just("enormous field"), _position, _position, st.sampled_from(["9", "x", "é", '"']),
              st.sampled_from(_ENORMOUS)),
    # A run of commas is many empty columns, not one field: a few thousand at most here (a header
    # of 10,000 columns is test_many_empty_columns_are_read_in_bounded_time's).
    st.tuples(st.just("enormous field"), _position, _position, st.just(","), st.sampled_from([100, 1_000])),
)


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True) or [b""]


def _set_field(data: bytes, line: int, column: int, value: bytes) -> bytes:
    lines = _lines(data)
    i = line % len(lines)
    body = lines[i].rstrip(b"\r\n")
    ending = lines[i][len(body):]
    fields = body.split(b",")
    fields[column % len(fields)] = value
    lines[i] = b",".join(fields) + ending
    return b"".join(lines)


def mutate(data: bytes, mutation: tuple) -> bytes:
    """``data`` with one mutation applied (positions are taken modulo the length)."""
    what, *args = mutation
    n = len(data)
    if what == "truncate":
        return data[: args[0] % (n + 1)]
    if what == "insert":
        at = args[0] % (n + 1)
        return data[:at] + args[1] + data[at:]
    if what == "delete":
        at = args[0] % (n + 1)
        return data[:at] + data[at + args[1]:]
    if what == "replace":
        at = args[0] % (n + 1)
        return data[:at] + args[1] + data[at + len(args[1]):]
    if what == "field":
        return _set_field(data, args[0], args[1], args[2].encode("utf-8"))
    if what in ("duplicate line", "delete line"):
        lines = _lines(data)
        i = args[0] % len(lines)
        lines[i:i + 1] = [lines[i], lines[i]] if what == "duplicate line" else []
        return b"".join(lines)
    if what == "bom":
        bom, at_start = args
        if at_start:
            return bom + data
        lines = _lines(data)
        lines.insert(len(lines) // 2, bom)
        return b"".join(lines)
    if what == "line endings":
        style, pattern = args
        out = []
        for i, line in enumerate(_lines(data)):
            body = line.rstrip(b"\r\n")
            if len(body) == len(line):
                out.append(line)
                continue
            ending = (style if style != "mixed" else ("\r\n", "\r", "\n")[(pattern >> (i % 16)) % 3])
            out.append(body + ending.encode())
        return b"".join(out)
    if what == "invalid utf-8":
        at = args[0] % (n + 1)
        return data[:at] + args[1] + data[at:]
    if what == "nul":
        at = args[0] % (n + 1)
        return data[:at] + b"\x00" + data[at:]
    if what == "structural":
        at = args[0] % (n + 1)
        return data[:at] + args[1].encode("utf-8") + data[at:]
    if what == "enormous field":
        line, column, char, size = args
        return _set_field(data, line, column, (char * size).encode("utf-8"))
    raise AssertionError(f"unknown mutation {what!r}")


#: After the mutations: left plain, gzip-compressed, or compressed and then cut short.
PACKING = st.one_of(st.just(("plain",)), st.just(("gzip",)), st.tuples(st.just("gzip, cut at"), _position))


def pack(data: bytes, packing: tuple) -> tuple[bytes, str]:
    """The bytes as written, and the ending their file name gets."""
    if packing[0] == "plain":
        return data, ""
    compressed = gzip.compress(data, mtime=0)
    if packing[0] == "gzip, cut at":
        compressed = compressed[: packing[1] % (len(compressed) + 1)]
    return compressed, ".gz"


# --- the property -----------------------------------------------------------------------------

_PERIOD = {
    "month": re.compile(r"(\d{4})-(0[1-9]|1[0-2])"),
    "fy": re.compile(r"(\d{4})/(\d{2})"),
    "year": re.compile(r"\d{4}"),
}


#: Seconds one read of a fuzzed file (at most a few MB) may take before it counts as hung.
BUDGET = 30


class TooSlow(BaseException):
    """A read ran past its budget (a BaseException, so that read_source does not contain it)."""


@contextmanager
def budget(seconds: float, what: str):
    """Fail with :class:`TooSlow` when the block runs longer than ``seconds`` (on the main
    thread, where a test runs, by SIGALRM; elsewhere unbounded)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise TooSlow(f"{what}: still running after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check(kind: str, path: Path, seconds: float = BUDGET) -> ReadResult:
    """Read the file; fail on any exception, a contained reader bug, a read that runs past its
    budget, or a non-canonical row."""
    with budget(seconds, f"read_source({kind!r}, {path.name!r})"):
        result = read_source(kind, path)
    assert isinstance(result, ReadResult)
    assert result.kind == kind and result.file == str(path)
    contained = [p for p in result.problems if p.message.startswith(READER_BUG)]
    assert not contained, f"{kind}: a reader raised, and read_source contained it: {contained[0]}"
    for problem in result.problems:
        assert problem.file == str(path), problem
        assert problem.line is None or (isinstance(problem.line, int) and problem.line >= 1), problem
        assert problem.severity in ("error", "warning"), problem
        str(problem)  # every problem can be shown
    if not result.ok:
        assert result.problems.errors
        assert result.table.num_rows == 0 and result.rows_accepted == 0
        return result
    _check_canonical(kind, result)
    return result


def _check_canonical(kind: str, result: ReadResult) -> None:
    table = result.table
    assert table.schema == canonical_schema(kind), table.schema
    assert 0 <= result.rows_accepted <= result.rows_read
    for name in ("unit", "period", "period_kind", *ATTRIBUTES[kind]):
        assert table[name].null_count == 0, f"{kind}: an accepted file has a null {name!r}"
    rows = table.to_pylist()
    for row in rows:
        assert row["unit"].strip(), f"{kind}: an empty unit: {row}"
        assert row["period_kind"] in _PERIOD, row
        match = _PERIOD[row["period_kind"]].fullmatch(row["period"])
        assert match, f"{kind}: period {row['period']!r} is not a {row['period_kind']}: {row}"
        if row["period_kind"] == "fy":
            first, second = match.groups()
            assert (int(first) + 1) % 100 == int(second), f"{kind}: financial year {row['period']!r}: {row}"
        for name, dtype in VALUE_COLUMNS[kind]:
            value = row[name]
            if value is None:
                # Only the GLA rates file leaves its count blank; the tidy format its denominator.
                assert (kind, name) in {("gla-borough-fy", "count"), ("tidy", "denominator")}, (
                    f"{kind}: a null {name!r}: {row}")
                if kind == "gla-borough-fy":
                    assert row["measure"] == "rate_per_1000", row
                continue
            if isinstance(value, float):
                assert math.isfinite(value), f"{kind}: {name!r} is {value!r}: {row}"
            assert value >= 0, f"{kind}: a negative {name!r}: {row}"
            if (kind, name) == ("tidy", "denominator"):
                assert value > 0, row


def _write(name: str, data: bytes) -> Path:
    path = _WORKDIR / name
    path.write_bytes(data)
    return path


# --- (a) wholly random input ------------------------------------------------------------------

RANDOM_BYTES = st.one_of(
    st.binary(max_size=3000),
    st.text(max_size=1000).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.binary(max_size=400).map(lambda b: b"\x1f\x8b" + b),  # says gzip
    st.binary(max_size=400).map(lambda b: b"PK\x03\x04" + b),  # says zip / Excel workbook
    st.binary(max_size=400).map(lambda b: gzip.compress(b, mtime=0)),  # real gzip of random bytes
    st.lists(st.lists(st.text(st.sampled_from('ab1,"\r\n\t é0-/'), max_size=8), max_size=8),
             max_size=12).map(lambda rows: "\n".join(",".join(r) for r in rows).encode("utf-8")),
)


@pytest.mark.parametrize("kind", SOURCE_KINDS)
@FUZZ
@given(data=RANDOM_BYTES, base=st.integers(0, 1))
def test_random_bytes_never_raise(kind: str, data: bytes, base: int):
    names = BASES[kind]
    name, _ = _base(names[base % len(names)])
    check(kind, _write(name, data))


# --- (b) a real file, mutated -----------------------------------------------------------------

@pytest.mark.parametrize("kind", SOURCE_KINDS)
@FUZZ
@given(base=st.integers(0, 1), mutations=st.lists(MUTATION, min_size=1, max_size=4), packing=PACKING)
def test_a_mutated_real_file_never_raises_and_what_it_accepts_is_canonical(
        kind: str, base: int, mutations: list, packing: tuple):
    names = BASES[kind]
    name, data = _base(names[base % len(names)])
    for mutation in mutations:
        data = mutate(data, mutation)
    data, ending = pack(data, packing)
    check(kind, _write(name + ending, data))


def test_the_unmutated_cuts_are_accepted():
    """The starting points are valid: a mutated file's rejection is the mutation's doing."""
    for kind, names in BASES.items():
        for base in names:
            name, data = _base(base)
            result = check(kind, _write(name, data))
            assert result.ok and result.table.num_rows > 0, (kind, [str(p) for p in result.problems.errors[:3]])


#: Empty columns added to a header for the test of a wide file: a 10 KB line.
MANY_COLUMNS = 10_000


@pytest.mark.parametrize("kind", SOURCE_KINDS)
def test_many_empty_columns_are_read_in_bounded_time(kind: str):
    """A header of 10,000 empty columns (a 10 KB line, as a spreadsheet that saved its blank
    columns writes) is refused or read in a few seconds, like any small file: a reader whose
    time grows with the square of the columns would hang a load, or an upload, for hours
    on a 200 KB header."""
    name, data = _base(BASES[kind][0])
    lines = data.splitlines(keepends=True)
    header = lines[0].rstrip(b"\r\n")
    lines[0] = header + b"," * MANY_COLUMNS + lines[0][len(header):]
    check(kind, _write(name, b"".join(lines)), seconds=10)


# --- (c) a member of a zip archive, the archive perhaps damaged -------------------------------

@FUZZ
@given(kind=st.sampled_from(SOURCE_KINDS), mutations=st.lists(MUTATION, max_size=2),
       damage=st.lists(st.one_of(
           st.tuples(st.just("truncate"), _position),
           st.tuples(st.just("replace"), _position, st.binary(min_size=1, max_size=8)),
           st.tuples(st.just("delete"), _position, st.integers(1, 40)),
       ), max_size=2),
       compression=st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]),
       member=st.sampled_from(["as named", "missing"]))
def test_a_zip_member_never_raises(kind: str, mutations: list, damage: list, compression: int, member: str):
    name, data = _base(BASES[kind][0])
    for mutation in mutations:
        data = mutate(data, mutation)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        archive.writestr(f"2021-09/{name}", data)
    archive_bytes = buffer.getvalue()
    for mutation in damage:
        archive_bytes = mutate(archive_bytes, mutation)
    path = _write("fuzz.zip", archive_bytes)
    wanted = f"2021-09/{name}" if member == "as named" else f"2021-10/{name}"
    check(kind, Path(f"{path}!{wanted}"))
    check(kind, path)  # the whole archive: refused with one problem, never an exception
