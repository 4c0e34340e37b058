"""Fixtures for the data loads pages: a fresh warehouse of each test's own (never the session's),
the performance team signed in, real files from data/ and damaged copies of them."""

from __future__ import annotations

import gzip
import tempfile
from pathlib import Path

import pytest

from policingplan.web import figures

TFL = "london/tfl-road-casualties-2019.csv.gz"


@pytest.fixture
def warehouse(settings, tmp_path) -> Path:
    """A warehouse of the test's own, empty, that the pages show and the uploads load into."""
    directory = tmp_path / "warehouse"
    settings.POLICINGPLAN_WAREHOUSE = str(directory)
    figures.clear()
    yield directory
    figures.clear()


@pytest.fixture
def upload_tmp(tmp_path, monkeypatch) -> Path:
    """The temporary folder that uploads are spooled and stored in during the test (to prove they are removed)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def performance(client, make_user):
    user = make_user("performance")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def tfl_file(data_dir) -> Path:
    return data_dir / TFL


@pytest.fixture
def tfl_damaged(tfl_file) -> bytes:
    """The TfL file with one casualty's severity written wrong on line 101 (gzip, as published)."""
    lines = gzip.decompress(tfl_file.read_bytes()).decode("utf-8-sig").splitlines(keepends=True)
    assert ",3 SLIGHT," in lines[100]
    lines[100] = lines[100].replace(",3 SLIGHT,", ",4 GRAZED,", 1)
    return gzip.compress("".join(lines).encode("utf-8"))
