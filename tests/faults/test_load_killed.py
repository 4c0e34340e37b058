"""A data load killed with SIGKILL at any point leaves the warehouse exactly as it was before the
load, or exactly as it is after it: never in between (issue 17, faults).

The warehouse starts with one load in it (the real MPS crime dashboard).  A child process
(``_load_child.py``) then loads, in one load, the real MPS borough monthly file, a revision of
the dashboard (twelve months with newer counts and a newer vintage, so that the first load's
segment is rewritten and, after the commit, the superseded file deleted) and the City of London
Police's 24 monthly street files.  The child is killed with SIGKILL at 27 points: before it
starts, at its start, at 20 delays spread evenly across the load's measured duration, as the
1st, 3rd, 14th and last of its 27 new segment files appear, as the new catalogue is renamed into
place, and after it has ended.  After each
kill the warehouse is opened afresh and its whole observable state (``status()``, ``loads()``,
``loaded_kinds()`` and the records of every kind it holds, sorted) must equal the state before the load or the state an
uninterrupted load gives; then the same load, run again, must finish it and leave exactly the
files the catalogue lists.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import duckdb
import pyarrow as pa

from policingplan.data import warehouse as warehouse_module
from policingplan.data.readers import SOURCE_KINDS
from policingplan.data.warehouse import CATALOGUE, RECORDS, Warehouse

CHILD = Path(__file__).with_name("_load_child.py")
CLOCK = "2025-09-01T12:00:00+00:00"  # every load's loaded_at, in the child and here

DASHBOARD = "london/mps-crime-dashboard-borough_2021-08_2025-07.csv.gz"
MPS_MONTHLY = "london/mps-recorded-crime-borough-monthly_2010-04_2024-02.csv.gz"
STREET = "city-of-london/police-uk-street"
REVISED_MONTHS = {f"2024-{m:02d}" for m in range(4, 13)} | {f"2025-{m:02d}" for m in range(1, 4)}

#: Kills spread across the load: this many evenly spaced through its measured duration ...
EVENLY_SPACED = 20
#: ... and as the first, third, fourteenth and last of its 27 new segment files appear.
SEGMENTS_SEEN = (1, 3, 14, 27)


def _revised_dashboard(source: Path, target: Path) -> Path:
    """The dashboard's rows for REVISED_MONTHS, a month's publication later, with one more
    positive outcome in every row: a newer vintage that replaces those rows of the first load."""
    with gzip.open(source, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames
        rows = [row for row in reader if row["month_year"][:7] in REVISED_MONTHS]
    for row in rows:
        row["refresh_date"] = "2025-09-01"
        if row["measure"] == "Positive Outcomes":
            row["count"] = str(int(row["count"]) + 1)
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return target


def _canonical(table: pa.Table) -> pa.Table:
    """The records in one order (every column, ascending) and one chunk: two tables hold the same
    records when their canonical tables are equal (compared only when the tables as read differ)."""
    return table.sort_by([(name, "ascending") for name in table.column_names]).combine_chunks()


def _state(directory: Path) -> dict:
    """Everything a reader of the warehouse can see, read by a new Warehouse object."""
    warehouse = Warehouse(directory)
    status = warehouse.status()
    status["warehouse"] = None  # the folder's own path: each kill runs in a copy
    loaded = warehouse.loaded_kinds()
    return {
        "status": status,
        "loads": [asdict(load) for load in warehouse.loads()],
        "loaded kinds": loaded,
        # a kind with no live records is read as empty, without opening the catalogue again
        "records": {kind: warehouse.records(kind) if kind in loaded else None for kind in SOURCE_KINDS},
    }


def _differences(state: dict, reference: dict) -> list[str]:
    found = [part for part in ("status", "loads", "loaded kinds") if state[part] != reference[part]]
    for kind in SOURCE_KINDS:
        mine, theirs = state["records"][kind], reference["records"][kind]
        if mine is None or theirs is None:
            if mine is not theirs:
                found.append(f"records of {kind} (held on one side only)")
            continue
        same = mine.num_rows == theirs.num_rows and (
            mine.equals(theirs) or _canonical(mine).equals(_canonical(theirs)))
        if not same:
            found.append(f"records of {kind} ({mine.num_rows:,} rows against {theirs.num_rows:,})")
    return found


def _listed(directory: Path) -> set[str]:
    """The segment files the live catalogue lists (paths relative to the warehouse)."""
    con = duckdb.connect(str(directory / CATALOGUE), read_only=True)
    try:
        return {path for (path,) in con.execute("SELECT path FROM segments").fetchall()}
    finally:
        con.close()


def _leftovers(directory: Path) -> list[str]:
    """Files a load wrote that the live catalogue does not list (segments, catalogue copies)."""
    listed = _listed(directory)
    segments = [p.relative_to(directory).as_posix() for p in (directory / RECORDS).rglob("*") if p.is_file()]
    others = [p.name for p in directory.iterdir() if p.is_file() and p.name not in (CATALOGUE, ".lock")]
    return sorted([p for p in segments if p not in listed] + others)


def _digests(directory: Path, names) -> dict[str, str]:
    return {name: hashlib.sha256((directory / name).read_bytes()).hexdigest() for name in names}


class _Child:
    """The load in a child process, imported and waiting for the word to start."""

    def __init__(self, directory: Path, sources: list[tuple[str, Path]]):
        self.process = subprocess.Popen(
            [sys.executable, str(CHILD), str(directory), CLOCK, *(f"{kind}={path}" for kind, path in sources)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait_ready(self) -> None:
        line = self.process.stdout.readline()
        assert line.strip() == "ready", (line, self.process.stderr.read())

    def start(self) -> float:
        self.process.stdin.write("go\n")
        self.process.stdin.flush()
        return time.perf_counter()

    def finish(self) -> tuple[int, str, str]:
        stdout, stderr = self.process.communicate(timeout=120)
        return self.process.returncode, stdout, stderr

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)  # does nothing once the child has been reaped


def test_a_load_killed_at_any_point_leaves_the_warehouse_as_before_or_as_after(tmp_path, data_dir, monkeypatch):
    started = time.perf_counter()
    monkeypatch.setattr(warehouse_module, "_utc_now", lambda: CLOCK)
    revised = _revised_dashboard(data_dir / DASHBOARD, tmp_path / "mps-crime-dashboard-revised.csv")
    second_load = [("mps-borough-monthly", data_dir / MPS_MONTHLY), ("mps-crime-dashboard", revised)] + [
        ("police-uk-street", path) for path in sorted((data_dir / STREET).glob("*.csv*"))]

    before_dir = tmp_path / "before"
    assert Warehouse(before_dir).load_files([("mps-crime-dashboard", data_dir / DASHBOARD)]).ok
    before = _state(before_dir)
    before_files = _digests(before_dir, [CATALOGUE, *sorted(_listed(before_dir))])

    # The reference "after": the same load, uninterrupted, in a child like the ones killed, twice
    # (each gives the same state).  The shorter of the two times is taken as the load's duration,
    # so that the kills by the clock land within it even when the machine is quicker later on.
    durations = []
    for run in ("after", "after-again"):
        shutil.copytree(before_dir, tmp_path / run)
        child = _Child(tmp_path / run, second_load)
        child.wait_ready()
        child.start()
        code, stdout, stderr = child.finish()
        assert code == 0, stderr
        durations.append(float(stdout.split()[-2]))
    after_dir = tmp_path / "after"
    duration = min(durations)
    after = _state(after_dir)
    assert not _differences(_state(tmp_path / "after-again"), after)
    assert _leftovers(after_dir) == []
    assert _differences(after, before), "the second load changed nothing"
    replaced = [load for load in after["loads"] if load["replaced"]]
    assert len(replaced) == 1 and "2024-04…2025-03" in replaced[0]["replaced"]  # a segment was rewritten

    # Kill points: before the load starts, at its start, evenly through it (by the clock), as the
    # 1st, 3rd, 14th and last of its new segment files appear and as its catalogue is renamed into
    # place (by watching the folder: these land in the writing and the commit however fast the
    # machine is that day), and after it has ended.
    kills = ([("before go", None), ("time", 0.0)]
             + [("time", duration * (i + 0.5) / EVENLY_SPACED) for i in range(EVENLY_SPACED)]
             + [("segments", k) for k in SEGMENTS_SEEN] + [("commit", None)]
             + [("done", None)])
    outcomes = []
    checked_again = set()
    child_dir = tmp_path / "kill-0"
    shutil.copytree(before_dir, child_dir)
    child = _Child(child_dir, second_load)
    for number, (trigger, value) in enumerate(kills):
        directory = child_dir
        child.wait_ready()
        killed_at = None
        if trigger != "before go":
            go = child.start()
            _wait_for(trigger, value, child, directory, go)
        child.kill()
        if trigger != "before go":
            killed_at = time.perf_counter() - go
        code, stdout, _ = child.finish()
        if number + 1 < len(kills):  # the next child imports while this warehouse is examined
            child_dir = tmp_path / f"kill-{number + 1}"
            shutil.copytree(before_dir, child_dir)
            child = _Child(child_dir, second_load)

        state = _state(directory)
        when = "before go" if killed_at is None else f"{killed_at:.3f} s"
        where = (f"kill {number} ({trigger} {value}) at {when} of a {duration:.3f} s load "
                 f"(exit code {code}), in {directory}")
        if not _differences(state, before):
            outcome = "before"
            # the catalogue and the files it lists are the very bytes they were
            assert _digests(directory, [CATALOGUE, *sorted(_listed(directory))]) == before_files, where
        elif not _differences(state, after):
            outcome = "after"
        else:
            raise AssertionError(f"{where}: the warehouse is in between: it differs from the state before the "
                                 f"load in {_differences(state, before)} and from the state after it in "
                                 f"{_differences(state, after)}; leftovers {_leftovers(directory)}")
        if code == 0:
            assert outcome == "after", where  # the load had finished
        leftovers = _leftovers(directory)

        # The same load, run again, finishes the job and removes what the killed one left (once for
        # each kind of wreck: the state it was left in, and whether it left a catalogue copy,
        # segment files, or both).
        wreck = (outcome, any(not p.startswith(RECORDS) for p in leftovers),
                 any(p.startswith(RECORDS) for p in leftovers))
        if wreck not in checked_again:
            checked_again.add(wreck)
            assert Warehouse(directory).load_files(second_load).ok, where
            assert not _differences(_state(directory), after), where
            assert _leftovers(directory) == [], where
        outcomes.append((trigger, killed_at, code, outcome, len(leftovers)))
        shutil.rmtree(directory)

    mid_way = [o for o in outcomes if o[2] == -signal.SIGKILL and o[1] is not None]
    counts = {state: sum(1 for o in outcomes if o[3] == state) for state in ("before", "after")}
    print(f"\n{len(outcomes)} kills of a {duration:.2f} s load (timed at {durations[0]:.2f} s and "
          f"{durations[1]:.2f} s): "
          f"{counts['before']} before, {counts['after']} after "
          f"({len(mid_way)} killed while loading, {sum(1 for o in mid_way if o[3] == 'after')} of them after the "
          f"commit; {sum(1 for o in outcomes if o[4])} left unlisted files; the load run again after "
          f"{len(checked_again)}); {time.perf_counter() - started:.1f} s in all")
    for trigger, killed_at, code, outcome, leftovers in outcomes:
        print(f"  {trigger:<9} {'' if killed_at is None else f'{killed_at:6.3f} s':>8}  exit {code:>3}  "
              f"{outcome:<6} {leftovers} leftover files")
    assert len(outcomes) >= 20
    assert counts["before"] >= 1 and counts["after"] >= 1, counts
    # (15, not all 26: on a busy machine a load can run quicker than it did when it was timed)
    assert len(mid_way) >= 15, "too few kills landed while the load ran"


def _wait_for(trigger: str, value, child: _Child, directory: Path, go: float) -> None:
    """Return when the kill is due: ``value`` seconds after ``go``; when ``value`` new segment
    files have appeared; when the catalogue has been replaced; or when the child has ended."""
    if trigger == "time":
        time.sleep(max(0.0, value - (time.perf_counter() - go)))
        return
    if trigger == "done":
        child.process.wait(timeout=120)
        return
    records = directory / RECORDS
    existing = sum(1 for p in records.rglob("*") if p.is_file())
    catalogue = (directory / CATALOGUE).stat().st_ino
    while child.process.poll() is None:
        if trigger == "segments" and sum(1 for p in records.rglob("*") if p.is_file()) - existing >= value:
            return
        if trigger == "commit" and (directory / CATALOGUE).stat().st_ino != catalogue:
            return
        time.sleep(0.0005)
