"""The data that travels with the project: every file listed in data/SOURCES.csv,
with its source and licence, and every file's bytes as the table records them."""

from __future__ import annotations

import csv
import gzip
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from policingplan.data.files import read_bytes, resolve
from policingplan.data.readers import read_source
from policingplan.plan.io import load_plan

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


def _sources() -> list[dict[str, str]]:
    with open(DATA / "SOURCES.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


SOURCES = _sources()


def test_every_file_in_data_is_listed_once_and_every_listed_file_is_there():
    listed = [row["file"] for row in SOURCES]
    assert len(listed) == len(set(listed))
    present = sorted(p.relative_to(DATA).as_posix() for p in DATA.rglob("*") if p.is_file()
                     and p.name not in ("SOURCES.csv", "README.md"))
    assert sorted(listed) == present


@pytest.mark.parametrize("row", SOURCES, ids=[row["file"] for row in SOURCES])
def test_each_file_matches_its_size_and_sha256(row):
    raw = (DATA / row["file"]).read_bytes()
    assert len(raw) == int(row["bytes"])
    assert hashlib.sha256(raw).hexdigest() == row["sha256"]
    content = gzip.decompress(raw)
    assert len(content) == int(row["content_bytes"])
    assert hashlib.sha256(content).hexdigest() == row["content_sha256"]


@pytest.mark.parametrize("row", SOURCES, ids=[row["file"] for row in SOURCES])
def test_each_file_names_its_publisher_page_licence_and_attribution(row):
    assert row["publisher"].strip() and row["dataset"].strip() and row["covers"].strip()
    assert row["source_page"].startswith("https://")
    assert "Open Government Licence" in row["licence"] or "TfL open data" in row["licence"]
    assert "Open Government Licence" in row["attribution"]
    assert row["published_or_taken"].strip()


def test_the_checksum_script_agrees_with_the_table():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "data_sources.py"), "--check"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_every_file_an_example_plan_names_is_carried(project_root):
    for example in ("london-2007-08", "london-2023-24"):
        plan = load_plan(project_root / "examples" / example)
        for source in plan.data_sources:
            for name in source.files:
                path = resolve(name, DATA)
                assert path.is_file(), name
                assert path.relative_to(DATA).as_posix() in {row["file"] for row in SOURCES}


def test_a_compressed_file_reads_exactly_as_the_plain_file(tmp_path):
    compressed = DATA / "london" / "mps-homicide-victims_2003-2023.csv.gz"
    plain = tmp_path / "mps-homicide-victims_2003-2023.csv"
    plain.write_bytes(gzip.decompress(compressed.read_bytes()))
    a = read_source("mps-homicide-victims", compressed)
    b = read_source("mps-homicide-victims", plain)
    assert a.ok and b.ok
    assert a.rows_read == b.rows_read > 2000
    assert a.sha256 == b.sha256 == hashlib.sha256(plain.read_bytes()).hexdigest()
    assert a.table.sort_by([(c, "ascending") for c in a.table.column_names]).equals(
        b.table.sort_by([(c, "ascending") for c in b.table.column_names]))


def test_a_name_finds_the_file_compressed_or_not(tmp_path):
    (tmp_path / "a.csv.gz").write_bytes(gzip.compress(b"x"))
    (tmp_path / "b.csv").write_bytes(b"y")
    assert resolve("a.csv", tmp_path) == tmp_path / "a.csv.gz"
    assert resolve("b.csv.gz", tmp_path) == tmp_path / "b.csv"
    assert resolve("c.csv", tmp_path) == tmp_path / "c.csv"  # missing: the name as written
    assert read_bytes(tmp_path / "a.csv.gz") == b"x"


def test_a_compressed_file_cut_short_is_one_error_naming_the_file(tmp_path):
    whole = (DATA / "london" / "mps-homicide-victims_2003-2023.csv.gz").read_bytes()
    cut = tmp_path / "homicides.csv.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    result = read_source("mps-homicide-victims", cut)
    assert not result.ok and result.table.num_rows == 0
    [error] = result.problems.errors
    assert error.file == str(cut)
    assert "compressed (gzip) but cannot be decompressed" in error.message
    assert "gzip" in error.accepted
