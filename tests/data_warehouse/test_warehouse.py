"""The warehouse: load records, idempotence, atomicity and vintages, on the real files."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pyarrow.compute as pc
import pytest

from policingplan.data import warehouse as warehouse_module
from policingplan.data.warehouse import Warehouse

from .conftest import DASHBOARD, HOMICIDES, MPS_MONTHLY, TFL_2019, write_dashboard_extract
from policingplan.data.files import open_text, read_bytes


def _snapshot(directory: Path) -> dict[str, str]:
    """Every file in the warehouse directory (but the lock) with its checksum."""
    return {
        path.relative_to(directory).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*")) if path.is_file() and path.name != ".lock"
    }


def _bad_monthly_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad-monthly.csv"
    path.write_text("majortext,minortext,boroughname,202304,202305\n"
                    "BURGLARY,DOMESTIC BURGLARY,Westminster,12,abc\n", encoding="utf-8")
    return path


def test_it_records_each_load(tmp_path, data_dir):
    warehouse = Warehouse(tmp_path / "wh")
    path = data_dir / HOMICIDES
    report = warehouse.load_files([("mps-homicide-victims", path)])

    assert report.ok
    (record,) = warehouse.loads()
    with open_text(path) as handle:
        data_rows = sum(1 for _ in csv.DictReader(handle))
    assert record.kind == "mps-homicide-victims"
    assert record.file == path.name
    assert record.sha256 == hashlib.sha256(read_bytes(path)).hexdigest()
    assert record.rows_read == data_rows == 2670
    assert record.rows_accepted == data_rows
    assert record.vintage is None
    assert record.loaded_at.endswith("+00:00")
    assert (record.first_period, record.last_period) == ("2003", "2023")
    assert record.replaced is None
    # The canonical rows stand for every victim in the file.
    records = warehouse.records("mps-homicide-victims")
    assert pc.sum(records.column("count")).as_py() == data_rows
    assert set(records.column("load_id").to_pylist()) == {record.load_id}


def test_it_changes_nothing_when_the_same_file_is_loaded_twice(tmp_path, data_dir):
    warehouse = Warehouse(tmp_path / "wh")
    path = data_dir / TFL_2019
    first = warehouse.load_files([("tfl-casualties", path)])
    before = _snapshot(warehouse.directory)

    again = warehouse.load_files([("tfl-casualties", path)])

    assert first.files[0].status == "loaded"
    assert again.ok
    assert again.files[0].status == "already loaded"
    assert again.files[0].load_id == first.files[0].load_id
    assert "already loaded" in again.files[0].message
    assert _snapshot(warehouse.directory) == before
    assert len(warehouse.loads()) == 1


def test_it_loads_nothing_when_any_file_of_the_load_has_an_error(tmp_path, data_dir):
    warehouse = Warehouse(tmp_path / "wh")
    report = warehouse.load_files([
        ("mps-borough-monthly", data_dir / MPS_MONTHLY),
        ("mps-borough-monthly", _bad_monthly_file(tmp_path)),
    ])

    assert not report.ok
    (error,) = report.problems.errors
    assert error.line == 2 and error.column == "202305" and error.value == "abc"
    assert {f.status for f in report.files} == {"rejected"}
    assert warehouse.loads() == []
    assert warehouse.records("mps-borough-monthly").num_rows == 0
    assert not (warehouse.directory / "records").exists()


def test_a_load_that_fails_at_the_commit_leaves_the_warehouse_as_it_was(tmp_path, data_dir, monkeypatch):
    warehouse = Warehouse(tmp_path / "wh")
    assert warehouse.load_files([("mps-homicide-victims", data_dir / HOMICIDES)]).ok
    before = _snapshot(warehouse.directory)
    loads_before = warehouse.loads()

    def failing_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(warehouse_module.os, "replace", failing_replace)
    with pytest.raises(OSError):
        warehouse.load_files([("tfl-casualties", data_dir / TFL_2019)])
    monkeypatch.undo()

    assert _snapshot(warehouse.directory) == before
    assert warehouse.loads() == loads_before
    assert warehouse.loaded_kinds() == {"mps-homicide-victims"}
    # and the same file loads cleanly afterwards
    assert warehouse.load_files([("tfl-casualties", data_dir / TFL_2019)]).files[0].status == "loaded"


def test_a_replacement_that_fails_keeps_the_older_rows_whole(tmp_path, data_dir, monkeypatch):
    warehouse = Warehouse(tmp_path / "wh")
    months = {"2023-04", "2023-05"}
    older = write_dashboard_extract(data_dir / DASHBOARD, tmp_path / "older.csv", months, "2025-07-02")
    newer = write_dashboard_extract(data_dir / DASHBOARD, tmp_path / "newer.csv", months, "2025-08-02",
                                    add_to_outcomes=1)
    assert warehouse.load_files([("mps-crime-dashboard", older)]).ok
    before = _snapshot(warehouse.directory)

    def failing_write(*args, **kwargs):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(warehouse_module.pq, "write_table", failing_write)
    with pytest.raises(OSError):
        warehouse.load_files([("mps-crime-dashboard", newer)])
    monkeypatch.undo()

    assert _snapshot(warehouse.directory) == before
    assert [load.file for load in warehouse.loads()] == ["older.csv"]


def test_a_newer_vintage_replaces_the_same_months_and_says_so(tmp_path, data_dir):
    warehouse = Warehouse(tmp_path / "wh")
    older_months = {f"2023-{m:02d}" for m in range(1, 10)}
    newer_months = {f"2023-{m:02d}" for m in range(4, 10)}
    older = write_dashboard_extract(data_dir / DASHBOARD, tmp_path / "older.csv", older_months, "2025-07-02")
    newer = write_dashboard_extract(data_dir / DASHBOARD, tmp_path / "newer.csv", newer_months, "2025-08-02",
                                    add_to_outcomes=1)
    first = warehouse.load_files([("mps-crime-dashboard", older)])
    second = warehouse.load_files([("mps-crime-dashboard", newer)])

    assert first.ok and second.ok
    outcome = second.files[0]
    assert outcome.vintage == "2025-08-02"
    (replacement,) = outcome.replacements
    assert (replacement.first_period, replacement.last_period) == ("2023-04", "2023-09")
    assert replacement.periods == 6
    assert replacement.replaced_load_id == first.files[0].load_id
    assert replacement.describe().startswith("replaced 2023-04…2023-09 from vintage 2025-07-02")
    assert warehouse.loads()[-1].replaced.startswith("replaced 2023-04…2023-09 from vintage 2025-07-02")

    records = warehouse.records("mps-crime-dashboard")
    periods_by_load = {}
    for period, load_id in zip(records.column("period").to_pylist(), records.column("load_id").to_pylist()):
        periods_by_load.setdefault(load_id, set()).add(period)
    assert periods_by_load == {first.files[0].load_id: {"2023-01", "2023-02", "2023-03"},
                               outcome.load_id: newer_months}
    # The rows now held for the replaced months are the newer file's, counted by hand.
    with open(newer, newline="", encoding="utf-8") as handle:
        expected = sum(int(row["count"]) for row in csv.DictReader(handle))
    held = pc.sum(pc.filter(records.column("count"), pc.equal(records.column("load_id"), outcome.load_id)))
    assert held.as_py() == expected


def test_an_older_vintage_is_refused_and_nothing_is_loaded(tmp_path, data_dir):
    warehouse = Warehouse(tmp_path / "wh")
    months = {"2023-04"}
    newer = write_dashboard_extract(data_dir / DASHBOARD, tmp_path / "newer.csv", months, "2025-08-02")
    older = write_dashboard_extract(data_dir / DASHBOARD, tmp_path / "older.csv", months, "2025-07-02",
                                    add_to_outcomes=1)
    assert warehouse.load_files([("mps-crime-dashboard", newer)]).ok
    before = _snapshot(warehouse.directory)

    report = warehouse.load_files([("mps-crime-dashboard", older)])

    assert not report.ok
    (error,) = report.problems.errors
    assert error.file == str(older) and error.value == "2025-07-02" and "2025-08-02" in error.accepted
    assert report.files[0].status == "rejected"
    assert _snapshot(warehouse.directory) == before


def test_a_file_with_no_vintage_replaces_what_it_overlaps_with_a_warning(tmp_path):
    warehouse = Warehouse(tmp_path / "wh")
    first = tmp_path / "officers-first.csv"
    first.write_text("unit,month,measure,numerator,denominator\n"
                     "Westminster,2023-04,officers,900,\nCamden,2023-04,officers,700,\n", encoding="utf-8")
    corrected = tmp_path / "officers-corrected.csv"
    corrected.write_text("unit,month,measure,numerator,denominator\nWestminster,2023-04,officers,905,\n",
                         encoding="utf-8")
    other_measure = tmp_path / "confidence.csv"
    other_measure.write_text("unit,month,measure,numerator,denominator\nWestminster,2023-04,confidence,60,100\n",
                             encoding="utf-8")

    assert warehouse.load_files([("tidy", first), ("tidy", other_measure)]).ok
    report = warehouse.load_files([("tidy", corrected)])

    assert report.ok
    (warning,) = report.problems.warnings
    assert "no vintage" in warning.message and warning.file == str(corrected)
    (replacement,) = report.files[0].replacements
    assert replacement.rows == 1 and replacement.units == 1
    rows = {(r["unit"], r["measure"]): r["numerator"] for r in warehouse.records("tidy").to_pylist()}
    # Westminster's officers replaced; Camden's officers and Westminster's confidence untouched.
    assert rows == {("E09000033", "officers"): 905.0, ("E09000007", "officers"): 700.0,
                    ("E09000033", "confidence"): 60.0}


def test_status_counts_rows_by_source(loaded_warehouse):
    status = loaded_warehouse.status()
    by_kind = {row["kind"]: row for row in status["sources"]}

    assert set(by_kind) == {"mps-borough-monthly", "tfl-casualties", "mps-homicide-victims", "mps-crime-dashboard"}
    for kind, row in by_kind.items():
        assert row["rows"] == loaded_warehouse.records(kind).num_rows
        assert row["files"] == 1
    assert (by_kind["mps-borough-monthly"]["first_period"], by_kind["mps-borough-monthly"]["last_period"]) == (
        "2010-04", "2024-02")
    assert [load["file"] for load in status["loads"]] == [
        Path(name).name for name in (MPS_MONTHLY, TFL_2019, HOMICIDES, DASHBOARD)]


def test_two_loads_at_once_both_land_one_after_the_other(tmp_path, data_dir):
    from concurrent.futures import ThreadPoolExecutor

    warehouse = Warehouse(tmp_path / "wh")
    sources = [("tfl-casualties", data_dir / TFL_2019), ("mps-homicide-victims", data_dir / HOMICIDES)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(lambda source: Warehouse(warehouse.directory).load_files([source]), sources))

    assert all(report.ok for report in reports)
    assert sorted(load.load_id for load in warehouse.loads()) == [1, 2]
    assert warehouse.loaded_kinds() == {"tfl-casualties", "mps-homicide-victims"}


def test_readers_in_another_process_are_not_blocked_by_a_load_in_progress(tmp_path, data_dir):
    import subprocess
    import sys

    warehouse = Warehouse(tmp_path / "wh")
    assert warehouse.load_files([("mps-homicide-victims", data_dir / HOMICIDES)]).ok
    reader = ("import json, sys; from policingplan.data.warehouse import Warehouse; "
              "print(json.dumps([l['file'] for l in Warehouse(sys.argv[1]).status()['loads']]))")
    with warehouse._writer_lock():  # as a load holds it while it writes
        out = subprocess.run([sys.executable, "-c", reader, str(warehouse.directory)],
                             capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f'["{Path(HOMICIDES).name}"]'
