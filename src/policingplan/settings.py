"""Settings read from the environment, with sensible defaults.

This module sits at the edge (it knows about paths); the core never imports it.

- ``POLICINGPLAN_DATA_DIR``: where the real data lives.  Default: ``../shared/data``
  from the current directory, or from the project's root when run elsewhere.
- ``POLICINGPLAN_WAREHOUSE``: the warehouse directory.  Default: ``.policingplan/warehouse``
  under the current directory.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """The directory that holds the shared real data (read-only)."""
    configured = os.environ.get("POLICINGPLAN_DATA_DIR")
    if configured:
        return Path(configured)
    for base in (Path.cwd(), PROJECT_ROOT):
        candidate = base.parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return Path("..") / "shared" / "data"


def warehouse_dir() -> Path:
    """The default warehouse directory."""
    configured = os.environ.get("POLICINGPLAN_WAREHOUSE")
    if configured:
        return Path(configured)
    return Path(".policingplan") / "warehouse"
