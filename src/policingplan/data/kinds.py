"""The source kinds, named as the command line and the plan name them.

A module of its own, importing nothing, so that the command line can name the
kinds in its help without loading the readers (PyArrow, Polars).
"""

from __future__ import annotations

SOURCE_KINDS: tuple[str, ...] = (
    "mps-borough-monthly",
    "police-uk-street",
    "gla-borough-fy",
    "ons-lsoa-population",
    "tfl-casualties",
    "mps-homicide-victims",
    "mps-crime-dashboard",
    "tidy",
)
