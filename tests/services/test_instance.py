"""The warehouse part of ``policingplan export``: a copy is one consistent state, never a load half-seen."""

from __future__ import annotations

import gzip
from pathlib import Path

from policingplan.data.warehouse import Warehouse
from policingplan.services import instance

KIND = "mps-homicide-victims"


def _homicides(data_dir: Path) -> Path:
    return data_dir / "london" / "mps-homicide-victims_2003-2023.csv.gz"


def _same_records(a: Path, b: Path) -> bool:
    return Warehouse(a).records(KIND).sort_by("load_id").equals(Warehouse(b).records(KIND).sort_by("load_id"))


def test_a_copy_holds_what_the_catalogue_lists_and_reads_the_same(tmp_path, data_dir):
    source = tmp_path / "warehouse"
    assert Warehouse(source).load_files([(KIND, _homicides(data_dir))]).ok
    copied = instance.copy_warehouse(source, tmp_path / "copy")
    assert (copied.loads, copied.files) == (1, 2)  # the catalogue and one segment
    assert copied.records == 2364
    assert copied.status == instance.warehouse_status(source)
    assert sorted(p.relative_to(tmp_path / "copy").as_posix() for p in (tmp_path / "copy").rglob("*") if p.is_file()) \
        == ["catalogue.duckdb", f"records/{KIND}/1.parquet"]
    assert _same_records(source, tmp_path / "copy")


def test_a_load_that_commits_while_the_copy_runs_is_seen_whole(tmp_path, data_dir, monkeypatch):
    """The second load replaces every row of the first (one victim's case now unsolved), so it rewrites the
    first segment and removes it after its commit.  It commits after the copy took the catalogue and
    before it copied that segment: the copy starts again, and holds the state after the load, whole."""
    source = tmp_path / "warehouse"
    assert Warehouse(source).load_files([(KIND, _homicides(data_dir))]).ok
    changed = tmp_path / "homicides-revised.csv"
    changed.write_text(gzip.decompress(_homicides(data_dir).read_bytes()).decode("utf-8")
                       .replace(",Solved,", ",Unsolved,", 1), encoding="utf-8")
    real = instance._link_or_copy
    calls = []

    def copy_while_a_load_commits(src: Path, dst: Path) -> None:
        if not calls:
            assert Warehouse(source).load_files([(KIND, changed)]).ok  # commits, and removes 1.parquet
        calls.append(src.name)
        real(src, dst)

    monkeypatch.setattr(instance, "_link_or_copy", copy_while_a_load_commits)
    copied = instance.copy_warehouse(source, tmp_path / "copy")
    assert calls[0] == "1.parquet" and "1.parquet" not in calls[1:]  # the first try met the removed segment
    assert copied.loads == 2
    assert copied.status == instance.warehouse_status(source)
    assert _same_records(source, tmp_path / "copy")


def test_an_absent_warehouse_copies_as_an_empty_one(tmp_path):
    copied = instance.copy_warehouse(tmp_path / "none", tmp_path / "copy")
    assert (copied.loads, copied.records, copied.files) == (0, 0, 0)
    assert list((tmp_path / "copy").iterdir()) == []
