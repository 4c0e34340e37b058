"""Shared fixtures.  The real data travels with the project (``data/``, compressed);
tests that need it fail loudly when it is absent."""

from __future__ import annotations

from pathlib import Path

import os

import pytest
from hypothesis import settings as hypothesis_settings

from policingplan.settings import PROJECT_ROOT, data_dir as _data_dir


# In CI, property-based tests draw the same examples every run, so that a result can be
# reproduced; on a developer's machine they draw new ones each time, to keep finding bugs.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    path = _data_dir()
    if not (path / "london").is_dir():
        pytest.fail(
            f"The data directory was not found at {path}. It is the project's data/ folder, "
            "or POLICINGPLAN_DATA_DIR: the folder that holds london/ and city-of-london/."
        )
    return path


@pytest.fixture(scope="session")
def london_dir(data_dir: Path) -> Path:
    return data_dir / "london"


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """Reference cases computed by other software (tests/stats/reference/)."""
    return Path(__file__).parent / "stats" / "reference"


@pytest.fixture(autouse=True)
def _no_inherited_terminal_size(monkeypatch):
    """Each test starts with no ``COLUMNS`` or ``LINES``: pytest-xdist's workers inherit
    80 × 24, which would wrap output meant for no terminal.  A test that wants a width
    sets it itself."""
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
