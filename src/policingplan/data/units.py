"""Units: London borough names, however a publisher spells them, to ONS codes.

The 33 London local authority codes (``E09000001`` City of London …
``E09000033`` Westminster) are public facts from the Office for National
Statistics.  Areas that are not boroughs get the codes listed in
:data:`OTHER_AREAS` (documented in ``docs/data.md``).
"""

from __future__ import annotations

import difflib
import re

#: ONS code → the ONS name of each London local authority.
LONDON_BOROUGHS: dict[str, str] = {
    "E09000001": "City of London",
    "E09000002": "Barking and Dagenham",
    "E09000003": "Barnet",
    "E09000004": "Bexley",
    "E09000005": "Brent",
    "E09000006": "Bromley",
    "E09000007": "Camden",
    "E09000008": "Croydon",
    "E09000009": "Ealing",
    "E09000010": "Enfield",
    "E09000011": "Greenwich",
    "E09000012": "Hackney",
    "E09000013": "Hammersmith and Fulham",
    "E09000014": "Haringey",
    "E09000015": "Harrow",
    "E09000016": "Havering",
    "E09000017": "Hillingdon",
    "E09000018": "Hounslow",
    "E09000019": "Islington",
    "E09000020": "Kensington and Chelsea",
    "E09000021": "Kingston upon Thames",
    "E09000022": "Lambeth",
    "E09000023": "Lewisham",
    "E09000024": "Merton",
    "E09000025": "Newham",
    "E09000026": "Redbridge",
    "E09000027": "Richmond upon Thames",
    "E09000028": "Southwark",
    "E09000029": "Sutton",
    "E09000030": "Tower Hamlets",
    "E09000031": "Waltham Forest",
    "E09000032": "Wandsworth",
    "E09000033": "Westminster",
}

#: Codes for areas that are not London boroughs, with their names.
OTHER_AREAS: dict[str, str] = {
    "MPS-AIRPORTS": "London Heathrow and London City Airports (MPS Aviation Security, SO18)",
    "MPS-HEATHROW": "Heathrow (MPS, before the airports were joined)",
    "MPS-NON-MET": "Recorded by the MPS for another police force",
    "MPS-UNKNOWN": "Borough not known",
    "E12000007": "London (Met Police Area)",
    "E13000001": "Inner London",
    "E13000002": "Outer London",
    "K04000001": "England and Wales",
}

#: Names (after :func:`normalise_name`) that mean a non-borough area, with its code.
_OTHER_AREA_NAMES: dict[str, str] = {
    "london heathrow and london city airports": "MPS-AIRPORTS",
    "aviation security": "MPS-AIRPORTS",
    "aviation security (so18)": "MPS-AIRPORTS",
    "aviation security (so18) (legacy)": "MPS-AIRPORTS",
    "aviation security (so18) (legacy only)": "MPS-AIRPORTS",
    "so18": "MPS-AIRPORTS",
    "heathrow": "MPS-HEATHROW",
    "non met police force": "MPS-NON-MET",
    "unknown": "MPS-UNKNOWN",
    "n/k": "MPS-UNKNOWN",
    "n/k (legacy only)": "MPS-UNKNOWN",
    "other / nk": "MPS-UNKNOWN",
    "met police area": "E12000007",
    "inner london": "E13000001",
    "outer london": "E13000002",
    "england and wales": "K04000001",
}

#: ONS code prefixes (three characters) of areas made of other areas (regions such as the Met Police Area
#: ``E12000007``, Inner and Outer London ``E13``, England ``E92``, Wales ``W92``, Great
#: Britain ``K03``, the United Kingdom ``K02``, England and Wales ``K04``).  A publisher may
#: list them beside its units; adding them into a force total would count the units twice.
AGGREGATE_AREA_PREFIXES = ("E12", "E13", "E92", "W92", "K02", "K03", "K04")


#: Codes that stand for "the borough is not known": accepted with a warning.
UNKNOWN_UNITS = frozenset({"MPS-UNKNOWN"})


def normalise_name(name: str) -> str:
    """Lower case, ``&`` as ``and``, hyphens and runs of spaces as one space."""
    text = name.strip().lower().replace("&", " and ")
    text = re.sub(r"[-_]+", " ", text)
    text = re.sub(r"\s+", " ", text)
    if text.startswith("london borough of "):
        text = text[len("london borough of "):]
    if text.startswith("royal borough of "):
        text = text[len("royal borough of "):]
    if text in ("city of westminster",):
        text = "westminster"
    return text


_BOROUGH_NAMES: dict[str, str] = {normalise_name(n): code for code, n in LONDON_BOROUGHS.items()}
_BOROUGH_NAMES.update({
    "kingston": "E09000021",
    "richmond": "E09000027",
    "city of london police": "E09000001",
})

#: Every accepted name (normalised) → its code.
UNIT_NAMES: dict[str, str] = {**_BOROUGH_NAMES, **_OTHER_AREA_NAMES}

ALL_UNITS: dict[str, str] = {**LONDON_BOROUGHS, **OTHER_AREAS}


def unit_code(name: str) -> str | None:
    """The code for a borough or area name, however spelt; ``None`` when unknown.

    A value that is already a known code (``E09000021``) is returned as it is.
    """
    raw = name.strip()
    if raw.upper() in ALL_UNITS:
        return raw.upper()
    return UNIT_NAMES.get(normalise_name(raw))


def accepted_unit_names() -> str:
    """A short description of what is accepted as a unit, for error messages."""
    return "a London borough name or ONS code (E09000001 to E09000033), e.g. 'Kingston upon Thames'"


def suggest_unit(name: str) -> str | None:
    """The accepted name closest to ``name``, for a 'did you mean' hint."""
    names = list(LONDON_BOROUGHS.values()) + [
        "London Heathrow and London City Airports", "Unknown", "Heathrow",
    ]
    lowered = {n.lower(): n for n in names}
    match = difflib.get_close_matches(normalise_name(name), list(lowered), n=1, cutoff=0.75)
    return lowered[match[0]] if match else None
