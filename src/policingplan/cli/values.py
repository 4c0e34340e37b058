"""Values that users type into options: fractions (or percentages) and units (by code or name).

Written once so that every command reads them the same way:

- :func:`parse_fraction`: ``0.055``, ``5.5%``, ``-6.8%`` and ``−6.8%`` (a typographic
  minus) are all accepted wherever a fraction is;
- :func:`resolve_unit`: a unit's code or its name, in any case (``E09000033``,
  ``e09000033``, ``Westminster``, ``westminster``, ``City of Westminster``).

A value that cannot be read ends the command with a one-line error naming the
option, the value found and what is accepted.  Light: no heavy imports.
"""

from __future__ import annotations

import difflib
from policingplan.formatting import read_fraction  # noqa: F401  (re-exported: the command line reads fractions with it)
from typing import Mapping, Optional

from policingplan.cli.common import fail

#: What a fraction option accepts, in words.
FRACTION_WORDS = "a fraction such as 0.055 or a percentage such as 5.5%"
NONE_WORDS = "none"


def parse_fraction(
    text: str,
    option: str,
    *,
    minimum: float = -1.0,
    maximum: float = 1.0,
    include_minimum: bool = False,
    include_maximum: bool = True,
    what: str = "a fraction",
    accepted: Optional[str] = None,
) -> float:
    """``text`` as a fraction within the bounds, or a one-line error naming ``option``.

    By default a fraction above -1 and at most 1 (-100% and 100%); ``accepted``
    replaces the words that say what would do.
    """
    value = read_fraction(text)
    low_ok = value is not None and (value >= minimum if include_minimum else value > minimum)
    high_ok = value is not None and (value <= maximum if include_maximum else value < maximum)
    if value is None or not (low_ok and high_ok):
        fail(f"{option}: not {what} (found {text!r}); accepted: {accepted or fraction_words(minimum, maximum)}")
    return value


def fraction_words(minimum: float = -1.0, maximum: float = 1.0) -> str:
    return f"{FRACTION_WORDS} (more than {_pct(minimum)}, at most {_pct(maximum)})"


def _pct(fraction: float) -> str:
    return f"{fraction * 100:g}%"


def resolve_unit(text: str, units: Mapping[str, str], option: str) -> str:
    """The code of the unit that ``text`` names, by its code or its name in any case.

    ``units`` maps each code to its name (the plan's units).  An unknown unit is
    a one-line error that names the option and the value, with the closest name.
    """
    code = find_unit(text, units)
    if code is not None:
        return code
    names = {name.casefold(): name for name in units.values()}
    close = difflib.get_close_matches(text.strip().casefold(), list(names), n=1, cutoff=0.75)
    hint = f" (did you mean {names[close[0]]}?)" if close else ""
    example = next(iter(units.items()), None)
    such_as = f", such as {example[0]} or {example[1]}" if example else ""
    fail(f"{option}: not a unit of the plan (found {text.strip()!r}){hint}; accepted: a unit's code or name, "
         f"in any case{such_as}")


def find_unit(text: str, units: Mapping[str, str]) -> Optional[str]:
    """The code of the unit ``text`` names (code or name, any case), or ``None`` (see
    :func:`policingplan.services.plan.find_unit`)."""
    from policingplan.services.plan import find_unit as find

    return find(text, units)


def parse_unit_fractions(
    pairs: list[str], units: Mapping[str, str], option: str, *, allow_none: bool = True, minimum: float = -1.0,
    maximum: float = 1.0,
) -> dict[str, Optional[float]]:
    """``["Westminster=8%", "e09000001=none"]`` → ``{"E09000033": 0.08, "E09000001": None}``.

    Each unit by its code or name in any case; each value a fraction or a
    percentage, or ``none`` (when ``allow_none``) to remove it.
    """
    none = f", or '{NONE_WORDS}' to remove it" if allow_none else ""
    values: dict[str, Optional[float]] = {}
    for pair in pairs:
        unit, sep, text = pair.partition("=")
        if not sep or not unit.strip() or not text.strip():
            fail(f"{option}: {pair!r} is not UNIT=FRACTION; accepted: a unit's code or name, '=', and "
                 f"{FRACTION_WORDS}{none}, such as Westminster=8%")
        code = resolve_unit(unit, units, option)
        if allow_none and text.strip().lower() == NONE_WORDS:
            values[code] = None
            continue
        values[code] = parse_fraction(text.strip(), f"{option} {unit.strip()}", minimum=minimum, maximum=maximum,
                                      accepted=fraction_words(minimum, maximum) + none)
    return values
