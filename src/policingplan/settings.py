"""Settings read from the environment, with sensible defaults.

This module sits at the edge (it knows about paths); the core never imports it.

- ``POLICINGPLAN_DATA_DIR``: where the real data lives.  Default: the project's
  own ``data/`` folder, which carries the publishers' files compressed, with
  their sources and checksums in ``data/SOURCES.csv``.
- ``POLICINGPLAN_WAREHOUSE``: the warehouse directory.  Default: ``.policingplan/warehouse``
  under the current directory.
- ``POLICINGPLAN_WEB_PLAN``: the plan folder the web application shows.  Default: the
  project's ``examples/london-2023-24``.

A variable set to nothing but spaces counts as not set (:func:`environment`), as an empty one does.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def environment(name: str) -> str | None:
    """The variable's value with the spaces around it taken off; ``None`` when it is unset,
    empty or only spaces (a line ``DATABASE_URL= `` in a service file means "not set", not a
    value of one space)."""
    value = os.environ.get(name, "").strip()
    return value or None


def data_dir() -> Path:
    """The directory that holds the real data (read-only): ``$POLICINGPLAN_DATA_DIR``,
    else the project's ``data/`` folder."""
    configured = environment("POLICINGPLAN_DATA_DIR")
    if configured:
        return Path(configured)
    return PROJECT_ROOT / "data"


def warehouse_dir() -> Path:
    """The default warehouse directory."""
    configured = environment("POLICINGPLAN_WAREHOUSE")
    if configured:
        return Path(configured)
    return Path(".policingplan") / "warehouse"


def web_plan_dir() -> Path:
    """The plan folder the web application shows: ``$POLICINGPLAN_WEB_PLAN``, else the project's
    ``examples/london-2023-24``.  A relative path is taken from the current directory."""
    configured = environment("POLICINGPLAN_WEB_PLAN")
    if configured:
        return Path(configured)
    return PROJECT_ROOT / "examples" / "london-2023-24"


def web_state_dir() -> Path:
    """The web application's own folder (its SQLite database and dev secret key): ``.policingplan``
    under the current directory, beside the default warehouse."""
    return Path(".policingplan")
