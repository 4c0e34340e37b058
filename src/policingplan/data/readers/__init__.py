"""Readers: each publisher's file format turned into canonical records.

The one entry point is :func:`read_source`::

    from policingplan.data.readers import read_source, SOURCE_KINDS, ReadResult
    result = read_source("mps-borough-monthly", path)
    if result.ok:
        result.table  # a pyarrow.Table of canonical records

Every kind's table has the columns ``unit`` (string), ``period`` (string:
``YYYY-MM``, ``YYYY/YY`` or ``YYYY``), ``period_kind`` (``month``, ``fy`` or
``year``), then the kind's attributes (strings, see :data:`ATTRIBUTES`), then
its value columns (see :data:`VALUE_COLUMNS`: ``count`` for most kinds).  Rows
are grouped: one row per distinct unit, period and attributes, with ``count``
the number of records it stands for.  A file with any error is rejected whole:
its table has no rows.  No reader raises for bad bytes; every fault becomes a
:class:`~policingplan.problems.Problem`.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
import pyarrow as pa

from policingplan.problems import Problem, ProblemList

from policingplan.data.kinds import SOURCE_KINDS  # noqa: E402  (re-exported: the kinds' one home)

#: Each kind's canonical attributes (string columns between ``period_kind`` and the values).
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "mps-borough-monthly": ("major", "minor"),
    "police-uk-street": ("crime_type", "outcome", "lsoa", "force"),
    "gla-borough-fy": ("measure",),
    "ons-lsoa-population": (),
    "tfl-casualties": ("severity", "age_group", "mode", "casualty_class"),
    "mps-homicide-victims": ("solved", "method", "domestic_abuse", "sex", "age_group", "ethnicity"),
    "mps-crime-dashboard": ("crime_type", "crime_subtype", "measure"),
    "tidy": ("measure",),
}

_COUNT = (("count", pa.int64()),)

#: Each kind's value columns, after the attributes.
VALUE_COLUMNS: dict[str, tuple[tuple[str, pa.DataType], ...]] = {
    "mps-borough-monthly": _COUNT,
    "police-uk-street": _COUNT,
    # ``count`` holds offences (null for the rates file); ``value`` the published figure.
    "gla-borough-fy": (("count", pa.int64()), ("value", pa.float64())),
    "ons-lsoa-population": (("all_ages", pa.int64()), ("age_0_15", pa.int64())),
    "tfl-casualties": _COUNT,
    "mps-homicide-victims": _COUNT,
    "mps-crime-dashboard": _COUNT,
    "tidy": (("numerator", pa.float64()), ("denominator", pa.float64())),
}


def canonical_schema(kind: str) -> pa.Schema:
    """The Arrow schema of a kind's canonical table."""
    fields = [("unit", pa.string()), ("period", pa.string()), ("period_kind", pa.string())]
    fields += [(name, pa.string()) for name in ATTRIBUTES[kind]]
    fields += list(VALUE_COLUMNS[kind])
    return pa.schema(fields)


def empty_table(kind: str) -> pa.Table:
    """A kind's canonical table with no rows (``Schema.empty_table`` would import pandas)."""
    return pa.Table.from_batches([], schema=canonical_schema(kind))


@dataclass
class ReadResult:
    """What a reader made of one file: canonical records, counts and problems."""

    kind: str
    file: str
    table: pa.Table
    rows_read: int = 0
    rows_accepted: int = 0
    problems: ProblemList = field(default_factory=ProblemList)
    vintage: str | None = None
    sha256: str = ""

    @property
    def ok(self) -> bool:
        """True when the file has no errors (warnings are allowed)."""
        return self.problems.ok


#: Threads that take files' checksums, kept for the process's life (one per file would cost
#: a thread start for every file of a load).
_CHECKSUMS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="checksum")


def read_source(
    kind: str,
    path: str | Path,
    *,
    vintage: str | None = None,
) -> ReadResult:
    """Read one file of a source kind into canonical records; never raises for bad input.

    A gzip file (``.csv.gz``) is read as the CSV file it holds; ``sha256`` is
    the checksum of that content, compressed or not.  A member of a zip archive
    is named ``archive.zip!folder/file.csv`` (see
    :func:`policingplan.data.files.expand_archives`); a whole archive, which holds
    several files, is refused with one problem that says why (damaged, or what
    to give instead).

    ``vintage`` overrides the vintage the file states (the dashboard's
    ``refresh_date``); kinds without one have ``None`` unless it is given.
    An unknown ``kind`` raises :class:`~policingplan.problems.UserError`.
    """
    from policingplan.data.files import CompressedFileError, archive_problem, decompress, read_raw
    from policingplan.data.readers.registry import reader_for

    reader = reader_for(kind)
    file = str(path)
    whole_archive = archive_problem(path, kind)
    if whole_archive is not None:
        return _rejected(kind, file, "", Problem(
            whole_archive, file=file,
            accepted="a whole zip archive as published (data load and data check open it), or the CSV files in it",
        ))
    try:
        raw = read_raw(path)
    except OSError as exc:
        return _rejected(kind, file, "", Problem(
            f"cannot read the file: {exc.strerror or exc}", file=file,
            accepted="a readable file",
        ))
    except KeyError:
        return _rejected(kind, file, "", Problem(
            "the zip archive has no such file", file=file, accepted="a file that the archive holds",
        ))
    except CompressedFileError as exc:
        return _rejected(kind, file, "", Problem(
            str(exc), file=file, accepted="a whole zip archive, as published",
        ))
    try:
        data = decompress(raw)
    except CompressedFileError as exc:
        return _rejected(kind, file, hashlib.sha256(raw).hexdigest(), Problem(
            str(exc), file=file, accepted="a whole gzip file (.csv.gz), or the plain CSV file",
        ))
    # The checksum is of the content (decompressed), so a file loads as the same file whether
    # compressed or not; it is taken in another thread while the reader works (hashlib
    # releases the GIL).
    digest = _CHECKSUMS.submit(lambda: hashlib.sha256(data).hexdigest())
    try:
        result = reader(kind, file, data)
    except Exception as exc:  # a reader's own bug must still not lose the user's file silently
        if type(exc).__name__ == "InterruptException":  # Ctrl-C inside DuckDB: stop, not a rejected file
            raise KeyboardInterrupt from exc
        return _rejected(kind, file, digest.result(), Problem(
            f"the file could not be read ({type(exc).__name__}: {exc})", file=file,
            accepted=f"a {kind} file as described in docs/data.md",
        ))
    result.sha256 = digest.result()
    if vintage is not None:
        result.vintage = vintage
    if not result.ok:
        result.table = empty_table(kind)
        result.rows_accepted = 0
    return result


def _rejected(kind: str, file: str, digest: str, problem: Problem) -> ReadResult:
    problems = ProblemList()
    problems.add(problem)
    return ReadResult(kind=kind, file=file, table=empty_table(kind),
                      problems=problems, sha256=digest)


__all__ = [
    "ATTRIBUTES", "SOURCE_KINDS", "VALUE_COLUMNS", "ReadResult", "canonical_schema", "empty_table",
    "read_source",
]
