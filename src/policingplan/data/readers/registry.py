"""Which reader serves which source kind."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Callable

from policingplan.problems import UserError

if TYPE_CHECKING:
    from policingplan.data.readers import ReadResult

#: A reader takes (kind, file name as given, the file's bytes) and returns a ReadResult.
Reader = Callable[[str, str, bytes], "ReadResult"]

#: Source kind → the module (in this package) whose ``read`` function reads it.
READER_MODULES: dict[str, str] = {
    "mps-borough-monthly": "mps_borough_monthly",
    "police-uk-street": "police_uk_street",
    "gla-borough-fy": "gla_borough_fy",
    "ons-lsoa-population": "ons_lsoa_population",
    "tfl-casualties": "tfl_casualties",
    "mps-homicide-victims": "mps_homicide_victims",
    "mps-crime-dashboard": "mps_crime_dashboard",
    "tidy": "tidy",
}


def reader_for(kind: str) -> Reader:
    """The read function for ``kind``; a :class:`UserError` listing the kinds when unknown."""
    module = READER_MODULES.get(kind)
    if module is None:
        raise UserError(
            f"unknown source kind {kind!r}; accepted: {', '.join(READER_MODULES)}"
        )
    return importlib.import_module(f"policingplan.data.readers.{module}").read
