"""Warehouses for the monitor's tests, loaded from the project's real data."""

from __future__ import annotations

from pathlib import Path

import pytest

from policingplan.data.files import plan_data_files
from policingplan.data.warehouse import Warehouse
from policingplan.plan.io import load_plan


@pytest.fixture(scope="session")
def example_dir(project_root: Path) -> Path:
    return project_root / "examples" / "london-2023-24"


@pytest.fixture(scope="session")
def example_plan(example_dir: Path):
    return load_plan(example_dir)


def load_plan_sources(plan, data_dir: Path, directory: Path, replaced: dict[str, Path] | None = None) -> Path:
    """Load every data source of ``plan`` into a new warehouse; ``replaced`` maps a file name to another file."""
    replaced = replaced or {}
    sources = [(kind, replaced.get(name, path)) for kind, name, path in plan_data_files(plan, data_dir)]
    report = Warehouse(directory).load_files(sources)
    assert report.ok, [str(p) for p in report.problems]
    return directory


@pytest.fixture(scope="session")
def example_warehouse(example_plan, data_dir: Path, tmp_path_factory) -> Path:
    return load_plan_sources(example_plan, data_dir, tmp_path_factory.mktemp("warehouse"))
