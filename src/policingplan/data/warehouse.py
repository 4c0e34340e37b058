"""The warehouse: canonical records in Parquet, and a DuckDB catalogue of every load.

Layout of a warehouse directory::

    catalogue.duckdb              loads, replacements, segments (the one commit point)
    records/<kind>/<n>.parquet    the rows that load n added (a *segment*)
    records/<kind>/<n>-r<m>.parquet   segment n rewritten when load m replaced some of its rows
    .lock                         held by the one load that may run at a time

A load is atomic.  New segments are written under names no reader knows;
then a copy of the catalogue that lists them is written to a temporary file
and renamed over ``catalogue.duckdb`` (:func:`os.replace`).  That rename is
the commit: before it, readers see the old warehouse whole; after it, the new
one whole.  Files that no catalogue lists (from a failed load, or superseded)
are removed after the commit.  The live catalogue is never opened for
writing, so readers (the web app) open it read-only at any time and read the
segments it lists.

Loading a file whose checksum was loaded before changes nothing.  A file
whose records cover keys already loaded (unit, period, and the kind's series
attributes, see :data:`SERIES_ATTRIBUTES`) replaces those rows when its
vintage is newer, or when either file has no vintage (the file loaded later
is taken as the newer); an older vintage is refused.  A file with any error
loads nothing, and neither does any other file of the same load.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import shutil
import uuid
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Sequence, TypeVar

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from policingplan.data.readers import SOURCE_KINDS, ReadResult, canonical_schema, read_source
from policingplan.problems import Problem, ProblemList, UserError

if TYPE_CHECKING:  # Ibis is imported by those who query the records
    import ibis

T = TypeVar("T")

CATALOGUE = "catalogue.duckdb"
RECORDS = "records"
LOCK = ".lock"

#: Attributes that, beside unit and period, say which series a row belongs to, so that a
#: newer file replaces only its own series (the rates file does not replace the offences file).
SERIES_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "police-uk-street": ("force",),
    "gla-borough-fy": ("measure",),
    "mps-crime-dashboard": ("measure",),
    "tidy": ("measure",),
}

_CATALOGUE_SCHEMA = """
CREATE TABLE IF NOT EXISTS loads (
    load_id INTEGER PRIMARY KEY, kind VARCHAR NOT NULL, file VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL, vintage VARCHAR, rows_read BIGINT NOT NULL,
    rows_accepted BIGINT NOT NULL, loaded_at VARCHAR NOT NULL,
    first_period VARCHAR, last_period VARCHAR, replaced VARCHAR
);
CREATE TABLE IF NOT EXISTS replacements (
    load_id INTEGER NOT NULL, replaced_load_id INTEGER NOT NULL, replaced_vintage VARCHAR,
    rows BIGINT NOT NULL, periods INTEGER NOT NULL, units INTEGER NOT NULL,
    first_period VARCHAR NOT NULL, last_period VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS segments (
    load_id INTEGER PRIMARY KEY, kind VARCHAR NOT NULL, path VARCHAR NOT NULL, rows BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS segment_periods (load_id INTEGER NOT NULL, period VARCHAR NOT NULL, series VARCHAR NOT NULL);
"""


def key_columns(kind: str) -> list[str]:
    """The columns whose values a newer file replaces: unit, period and the series attributes."""
    return ["unit", "period", *SERIES_ATTRIBUTES.get(kind, ())]


@dataclass
class Replacement:
    """Rows of an earlier load that a newer file replaced."""

    replaced_load_id: int
    replaced_file: str
    replaced_vintage: str | None
    rows: int
    periods: int
    units: int
    first_period: str
    last_period: str

    def describe(self) -> str:
        span = self.first_period if self.first_period == self.last_period else (
            f"{self.first_period}…{self.last_period}")
        source = f"vintage {self.replaced_vintage}" if self.replaced_vintage else "a file with no vintage"
        return (f"replaced {span} from {source} ({self.rows:,} rows, {self.units:,} units; "
                f"load {self.replaced_load_id}, {self.replaced_file})")


@dataclass
class LoadRecord:
    """One file's load, as the catalogue records it."""

    load_id: int
    kind: str
    file: str
    sha256: str
    vintage: str | None
    rows_read: int
    rows_accepted: int
    loaded_at: str
    first_period: str | None
    last_period: str | None
    replaced: str | None


@dataclass
class FileOutcome:
    """What a load did with one file: ``loaded``, ``already loaded`` or ``rejected``."""

    file: str
    kind: str
    status: str
    sha256: str
    rows_read: int
    rows_accepted: int
    vintage: str | None
    load_id: int | None = None
    loaded_at: str | None = None
    replacements: list[Replacement] = field(default_factory=list)
    message: str = ""


@dataclass
class LoadReport:
    """The outcome of one load of one or more files: all of them landed, or none did."""

    warehouse: str
    files: list[FileOutcome] = field(default_factory=list)
    problems: ProblemList = field(default_factory=ProblemList)

    @property
    def ok(self) -> bool:
        return self.problems.ok


class Warehouse:
    """A warehouse directory: read its catalogue and segments, or load files into it."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    @property
    def catalogue_path(self) -> Path:
        return self.directory / CATALOGUE

    # ----- reading -------------------------------------------------------------------------

    @contextmanager
    def _catalogue(self) -> Iterator[duckdb.DuckDBPyConnection | None]:
        """A short read-only connection to the live catalogue (``None`` before the first load)."""
        if not self.catalogue_path.exists():
            yield None
            return
        con = duckdb.connect(str(self.catalogue_path), read_only=True)
        try:
            yield con
        finally:
            con.close()

    def loads(self) -> list[LoadRecord]:
        """Every load, oldest first."""
        with self._catalogue() as con:
            if con is None:
                return []
            rows = con.execute(
                "SELECT load_id, kind, file, sha256, vintage, rows_read, rows_accepted, loaded_at, "
                "first_period, last_period, replaced FROM loads ORDER BY load_id"
            ).fetchall()
        return [LoadRecord(*row) for row in rows]

    def _segment_files(self, kind: str) -> list[Path]:
        """The Parquet files that hold a kind's live records, as the catalogue lists them."""
        with self._catalogue() as con:
            if con is None:
                return []
            rows = con.execute(
                "SELECT path FROM segments WHERE kind = ? AND rows > 0 ORDER BY load_id", [kind]
            ).fetchall()
        return [self.directory / path for (path,) in rows]

    def loaded_kinds(self) -> set[str]:
        """The source kinds with live records."""
        with self._catalogue() as con:
            if con is None:
                return set()
            rows = con.execute("SELECT DISTINCT kind FROM segments WHERE rows > 0").fetchall()
        return {kind for (kind,) in rows}

    @staticmethod
    def connection() -> "ibis.BaseBackend":
        """A new in-memory Ibis connection (DuckDB) to query the records on: :meth:`records_table`.

        Nothing but results goes to standard output (DuckDB's progress bar is off).
        """
        import ibis

        con = ibis.duckdb.connect()
        con.raw_sql("SET enable_progress_bar = false")
        return con

    def records_table(self, con: "ibis.BaseBackend", kind: str) -> "ibis.Table | None":
        """A kind's live canonical records as an Ibis table on ``con`` (a DuckDB backend), with
        each row's ``load_id``; ``None`` when none are loaded.

        This is how every reader of the warehouse reaches its records: how they are stored
        (Parquet segments listed by the catalogue) is this module's business alone.  The
        table is read lazily, when a query on it runs: run it inside :meth:`read_consistently`.
        """
        files = self._segment_files(kind)
        if not files:
            return None
        return con.read_parquet([str(f) for f in files], table_name=f"records_{kind.replace('-', '_')}")

    def segment_locations(self, kind: str, base: str | None = None) -> list[str]:
        """Where a kind's live segments are, for an engine that reads the Parquet files itself
        (Spark): their paths on this machine, or under ``base``, a URL at which another
        machine sees this warehouse folder (``hdfs://nn/warehouse``, ``s3a://bucket/warehouse``)."""
        files = self._segment_files(kind)
        if base is None:
            return [str(f) for f in files]
        return [f"{base.rstrip('/')}/{f.relative_to(self.directory).as_posix()}" for f in files]

    def read_consistently(self, read: "Callable[[], T]",
                          retry_on: tuple[type[BaseException], ...] = ()) -> "T":
        """``read()``, run again once when a load committed meanwhile and removed a segment it
        listed (a load that replaced rows supersedes the segment it rewrote).  DuckDB's
        I/O error says so; another engine names its own errors in ``retry_on``."""
        try:
            return read()
        except (duckdb.IOException, *retry_on):
            return read()

    def records(self, kind: str) -> pa.Table:
        """All live records of a kind as one Arrow table (with each row's ``load_id``)."""
        files = self._segment_files(kind)
        if not files:
            return _segment_schema(kind).empty_table()
        return pq.ParquetDataset([str(f) for f in files], schema=_segment_schema(kind)).read()

    def status(self) -> dict:
        """The loads, and the rows and periods held for each source kind."""
        sources = []
        with self._catalogue() as con:
            rows = [] if con is None else con.execute(
                "SELECT s.kind, count(*) FILTER (WHERE s.rows > 0), sum(s.rows), "
                "min(p.first_period), max(p.last_period) FROM segments s "
                "LEFT JOIN (SELECT load_id, min(period) AS first_period, max(period) AS last_period "
                "FROM segment_periods GROUP BY load_id) p USING (load_id) "
                "GROUP BY s.kind ORDER BY s.kind"
            ).fetchall()
        for kind, files, total, first, last in rows:
            sources.append({"kind": kind, "files": int(files), "rows": int(total or 0),
                            "first_period": first, "last_period": last})
        return {"warehouse": str(self.directory), "loads": [asdict(r) for r in self.loads()],
                "sources": sources}

    # ----- loading -------------------------------------------------------------------------

    def load_files(
        self,
        sources: Sequence[tuple[str, str | Path]],
        *,
        vintage: str | None = None,
        on_read: Callable[[ReadResult], None] | None = None,
    ) -> LoadReport:
        """Read each ``(kind, path)`` with its reader and load them all, or none."""
        return self.load(read_files(sources, vintage=vintage, on_read=on_read))

    def load(self, results: Iterable[ReadResult]) -> LoadReport:
        """Load readers' results atomically: every file lands, or none does.

        ``results`` may be a generator: each file's rows are written as it
        arrives and not kept, so a load of many files holds one or two in memory.
        """
        report = LoadReport(warehouse=str(self.directory))
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._writer_lock():
            _Load(self, report).run(results)
        return report

    @contextmanager
    def _writer_lock(self) -> Iterator[None]:
        with open(self.directory / LOCK, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def remove_unlisted_files(self) -> None:
        """Delete segment and temporary files that the live catalogue does not list."""
        with self._catalogue() as con:
            listed = set() if con is None else {p for (p,) in con.execute("SELECT path FROM segments").fetchall()}
        records = self.directory / RECORDS
        for path in records.rglob("*") if records.exists() else ():
            if path.is_file() and path.relative_to(self.directory).as_posix() not in listed:
                path.unlink(missing_ok=True)
        for path in self.directory.glob(f"{CATALOGUE}.tmp-*"):
            path.unlink(missing_ok=True)


#: Files read at once, on threads: the readers spend their time in Polars, which releases
#: the GIL.  Two per core keep the cores busier than one: a reader's small queries each
#: leave a core idle for a moment.
READ_THREADS = min(8, 2 * (os.cpu_count() or 1))


def read_files(
    sources: Sequence[tuple[str, str | Path]],
    *,
    vintage: str | None = None,
    on_read: Callable[[ReadResult], None] | None = None,
) -> Iterator[ReadResult]:
    """Read ``(kind, path)`` pairs with their readers, a few at a time, yielding results in order.

    At most ``2 × READ_THREADS`` files are read ahead of the one yielded, so that the
    threads keep reading while the caller writes.
    ``on_read`` is called with each result as it is yielded (for a progress bar).
    """
    for kind, _ in sources:
        if kind not in SOURCE_KINDS:
            raise UserError(f"unknown source kind {kind!r}; accepted: {', '.join(SOURCE_KINDS)}")
    return _read_ahead(list(sources), vintage, on_read)


def _read_ahead(sources, vintage, on_read) -> Iterator[ReadResult]:
    with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
        ahead = 2 * READ_THREADS
        waiting = deque(pool.submit(read_source, kind, path, vintage=vintage) for kind, path in sources[:ahead])
        following = iter(sources[ahead:])
        while waiting:
            result = waiting.popleft().result()
            for kind, path in islice(following, 1):
                waiting.append(pool.submit(read_source, kind, path, vintage=vintage))
            if on_read is not None:
                on_read(result)
            yield result


def _segment_schema(kind: str) -> pa.Schema:
    return canonical_schema(kind).append(pa.field("load_id", pa.int32()))


def _utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def _newer_or_unknown(new: str | None, old: str | None) -> bool:
    """Whether a file of vintage ``new`` may replace rows of vintage ``old`` (ISO dates compare as text)."""
    return new is None or old is None or new >= old


@dataclass
class _Segment:
    """A live segment as the load in progress sees it."""

    load_id: int
    kind: str
    path: str
    rows: int
    vintage: str | None
    file: str
    series: set[tuple[str, str]]  # (period, series) pairs it holds
    changed: bool = False


class _Load:
    """One load in progress: new segments written, the catalogue copied, then one rename.

    The catalogue's state is read once and kept in memory for the whole load,
    so that a load of many files costs a few statements, not a few per file.
    """

    def __init__(self, warehouse: Warehouse, report: LoadReport):
        self.warehouse = warehouse
        self.report = report
        self.directory = warehouse.directory
        self.token = uuid.uuid4().hex[:12]
        self.written: list[Path] = []  # new files, removed if the load fails
        self.segments: dict[int, _Segment] = {}
        self.by_series: dict[tuple[str, str, str], set[int]] = {}  # (kind, period, series) -> load ids
        self.loaded: dict[tuple[str, str], tuple[int, str]] = {}  # (kind, sha256) -> (load id, loaded at)
        self.new_loads: list[list] = []
        self.new_replacements: list[list] = []

    def run(self, results: Iterable[ReadResult]) -> None:
        tmp_catalogue = self.directory / f"{CATALOGUE}.tmp-{self.token}"
        try:
            self.written.append(tmp_catalogue)  # before the copy: a copy stopped part-way is removed too
            if self.warehouse.catalogue_path.exists():
                shutil.copyfile(self.warehouse.catalogue_path, tmp_catalogue)
            con = duckdb.connect(str(tmp_catalogue))
            try:
                con.execute("SET enable_progress_bar = false")  # keep standard output for the report
                con.execute(_CATALOGUE_SCHEMA)
                self._read_state(con)
                self._apply(con, results)
                if self.report.ok:
                    self._write_state(con)
                    con.execute("CHECKPOINT")
            finally:
                con.close()
            if not self.report.ok:
                self._discard()
                return
            os.replace(tmp_catalogue, self.warehouse.catalogue_path)  # the commit
        except BaseException:
            self._discard()
            raise
        self.warehouse.remove_unlisted_files()

    def _discard(self) -> None:
        for path in self.written:
            path.unlink(missing_ok=True)
            Path(f"{path}.wal").unlink(missing_ok=True)
        records = self.directory / RECORDS
        for folder in sorted({p.parent for p in self.written if records in p.parents}, reverse=True) + [records]:
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        for outcome in self.report.files:
            if outcome.status in ("loaded", "pending"):
                outcome.status = "rejected"
                outcome.load_id = None
                outcome.loaded_at = None
                outcome.replacements = []
                outcome.message = "nothing loaded: a file of this load has errors"

    def _read_state(self, con: duckdb.DuckDBPyConnection) -> None:
        for load_id, kind, sha256, loaded_at in con.execute(
                "SELECT load_id, kind, sha256, loaded_at FROM loads ORDER BY load_id").fetchall():
            self.loaded.setdefault((kind, sha256), (load_id, loaded_at))
        (self.next_id,) = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchall()[0]
        for load_id, kind, path, rows, vintage, file in con.execute(
                "SELECT s.load_id, s.kind, s.path, s.rows, l.vintage, l.file FROM segments s "
                "JOIN loads l USING (load_id) WHERE s.rows > 0").fetchall():
            self.segments[load_id] = _Segment(load_id, kind, path, rows, vintage, file, set())
        for load_id, period, series in con.execute(
                "SELECT load_id, period, series FROM segment_periods WHERE list_contains(?, load_id)",
                [list(self.segments)]).fetchall():
            segment = self.segments[load_id]
            segment.series.add((period, series))
            self.by_series.setdefault((segment.kind, period, series), set()).add(load_id)

    def _write_state(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute("BEGIN TRANSACTION")
        loads = pa.table(list(zip(*self.new_loads)) if self.new_loads else [[]] * 11, names=[
            "load_id", "kind", "file", "sha256", "vintage", "rows_read", "rows_accepted", "loaded_at",
            "first_period", "last_period", "replaced"])
        con.register("pending_loads", loads)
        con.execute("INSERT INTO loads SELECT * FROM pending_loads")
        con.unregister("pending_loads")
        changed = [s for s in self.segments.values() if s.changed]
        if changed:
            ids = [s.load_id for s in changed]
            con.execute("DELETE FROM segments WHERE list_contains(?, load_id)", [ids])
            con.execute("DELETE FROM segment_periods WHERE list_contains(?, load_id)", [ids])
            segments = pa.table({
                "load_id": [s.load_id for s in changed], "kind": [s.kind for s in changed],
                "path": [s.path for s in changed], "rows": pa.array([s.rows for s in changed], pa.int64()),
            })
            periods = pa.table({
                "load_id": [s.load_id for s in changed for _ in s.series],
                "period": [p for s in changed for p, _ in sorted(s.series)],
                "series": [x for s in changed for _, x in sorted(s.series)],
            })
            con.register("pending_segments", segments)
            con.register("pending_periods", periods)
            con.execute("INSERT INTO segments SELECT * FROM pending_segments")
            con.execute("INSERT INTO segment_periods SELECT * FROM pending_periods")
            con.unregister("pending_segments")
            con.unregister("pending_periods")
        if self.new_replacements:
            replacements = pa.table(list(zip(*self.new_replacements)), names=[
                "load_id", "replaced_load_id", "replaced_vintage", "rows", "periods", "units",
                "first_period", "last_period"])
            con.register("pending_replacements", replacements)
            con.execute("INSERT INTO replacements SELECT * FROM pending_replacements")
            con.unregister("pending_replacements")
        con.execute("COMMIT")

    def _apply(self, con: duckdb.DuckDBPyConnection, results: Iterable[ReadResult]) -> None:
        """Each file in turn: recorded, and its rows written while no file so far has an error."""
        for result in results:
            outcome = FileOutcome(
                file=result.file, kind=result.kind, status="pending", sha256=result.sha256,
                rows_read=result.rows_read, rows_accepted=result.rows_accepted, vintage=result.vintage,
            )
            self.report.files.append(outcome)
            self.report.problems.extend(result.problems)
            if not result.ok:
                outcome.status = "rejected"
                outcome.message = "the file has errors; nothing loaded"
                continue
            if not self.report.ok:
                continue  # read on, to report every file's errors, but write nothing more
            previous = self.loaded.get((result.kind, result.sha256))
            if previous is not None:
                outcome.status = "already loaded"
                outcome.load_id, outcome.loaded_at = previous
                outcome.message = f"already loaded (load {previous[0]}, {previous[1]}); nothing changed"
                continue
            self._load_one(con, self.next_id, result, outcome)
            self.next_id += 1

    def _load_one(self, con, load_id: int, result: ReadResult, outcome: FileOutcome) -> None:
        kind = result.kind
        table = result.table.cast(canonical_schema(kind))
        table = table.append_column(pa.field("load_id", pa.int32()),
                                    pa.array(np.full(table.num_rows, load_id, dtype=np.int32)))
        series = _series_pairs(kind, table)
        periods = sorted({period for period, _ in series})
        candidates = sorted({old_id for period, name in series
                             for old_id in self.by_series.get((kind, period, name), ())})
        if candidates:
            keys = key_columns(kind)
            con.register("new_keys", table.select(keys).group_by(keys).aggregate([]))
            try:
                for old_id in candidates:
                    self._replace_in_segment(con, kind, keys, load_id, result, outcome, self.segments[old_id])
            finally:
                con.unregister("new_keys")
            if not self.report.ok:
                return
        path = (Path(RECORDS) / kind / f"{load_id}.parquet").as_posix()
        self._write_segment(table, path)
        loaded_at = _utc_now()
        replaced = "; ".join(r.describe() for r in outcome.replacements) or None
        file = Path(result.file).name
        self.new_loads.append([load_id, kind, file, result.sha256, result.vintage, result.rows_read,
                               result.rows_accepted, loaded_at, periods[0] if periods else None,
                               periods[-1] if periods else None, replaced])
        self.segments[load_id] = _Segment(load_id, kind, path, table.num_rows, result.vintage, file,
                                          series, changed=True)
        for period, name in series:
            self.by_series.setdefault((kind, period, name), set()).add(load_id)
        self.loaded[(kind, result.sha256)] = (load_id, loaded_at)
        for r in outcome.replacements:
            self.new_replacements.append([load_id, r.replaced_load_id, r.replaced_vintage, r.rows, r.periods,
                                          r.units, r.first_period, r.last_period])
        outcome.status, outcome.load_id, outcome.loaded_at = "loaded", load_id, loaded_at
        outcome.message = "; ".join([f"loaded {table.num_rows:,} rows"] + [r.describe() for r in outcome.replacements])

    def _replace_in_segment(self, con, kind, keys, load_id, result, outcome, old: _Segment) -> None:
        source = str(self.directory / old.path)
        summary = con.execute(
            f"SELECT count(*), count(DISTINCT period), count(DISTINCT unit), min(period), max(period) "
            f"FROM read_parquet(?) SEMI JOIN new_keys USING ({_cols(keys)})", [source],
        ).fetchall()[0]
        rows, periods, units, first, last = summary
        if rows == 0:
            return
        if not _newer_or_unknown(result.vintage, old.vintage):
            self.report.problems.add(Problem(
                f"the warehouse holds vintage {old.vintage} of {first}…{last} (load {old.load_id}, {old.file}), "
                f"newer than this file's; nothing loaded",
                file=result.file, column="vintage", value=result.vintage,
                accepted=f"a vintage of {old.vintage} or later",
            ))
            return
        if result.vintage is None or old.vintage is None:
            self.report.problems.add(Problem(
                f"{first}…{last} were loaded before from {old.file} (load {old.load_id}); with no vintage to "
                f"compare, this file, loaded later, replaces them", file=result.file, severity="warning",
            ))
        remaining_path = (Path(RECORDS) / kind / f"{old.load_id}-r{load_id}.parquet").as_posix()
        remaining = str(self.directory / remaining_path)
        self.written.append(self.directory / remaining_path)
        con.execute(
            f"COPY (SELECT * FROM read_parquet(?) ANTI JOIN new_keys USING ({_cols(keys)})) "
            f"TO '{_quote(remaining)}' (FORMAT parquet, COMPRESSION snappy)", [source],
        )
        kept = pq.read_table(remaining, columns=["unit", "period", *SERIES_ATTRIBUTES.get(kind, ())])
        for pair in old.series:
            self.by_series.get((kind, *pair), set()).discard(old.load_id)
        old.path, old.rows, old.changed = remaining_path, kept.num_rows, True
        old.series = _series_pairs(kind, kept)
        for period, name in old.series:
            self.by_series.setdefault((kind, period, name), set()).add(old.load_id)
        outcome.replacements.append(Replacement(
            replaced_load_id=old.load_id, replaced_file=old.file, replaced_vintage=old.vintage,
            rows=rows, periods=periods, units=units, first_period=first, last_period=last,
        ))

    def _write_segment(self, table: pa.Table, path: str) -> None:
        target = self.directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        self.written.append(target)
        # Statistics (min and max) only for the columns that queries filter on: a quarter less
        # time writing.
        pq.write_table(table, target, compression="snappy", write_statistics=["unit", "period"])


def _series_pairs(kind: str, table: pa.Table) -> set[tuple[str, str]]:
    """The (period, series) pairs a table holds; the series joins the kind's series attributes with '|'."""
    attributes = SERIES_ATTRIBUTES.get(kind, ())
    if attributes:
        name = pc.binary_join_element_wise(*[table[a] for a in attributes], "|", null_handling="skip")
    else:
        name = pa.array([""] * table.num_rows, pa.string())
    periods, names = pc.unique(table["period"]), pc.unique(name)
    if len(periods) == 1 or len(names) == 1:  # a file of one month or one series: every pair occurs
        return {(period, series) for period in periods.to_pylist() for series in names.to_pylist()}
    pairs = pa.table({"period": table["period"], "series": name}).group_by(["period", "series"]).aggregate([])
    return set(zip(pairs["period"].to_pylist(), pairs["series"].to_pylist()))


def _cols(columns: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def _quote(text: str) -> str:
    return text.replace("'", "''")


__all__ = [
    "FileOutcome", "LoadRecord", "LoadReport", "Replacement", "SERIES_ATTRIBUTES",
    "Warehouse", "key_columns", "read_files",
]
