"""The units of a unit-targets table (``targets allocate UNITS_CSV``), parsed from its text (pure).

The table has a header row, then one row per unit::

    unit,baseline,population,peer_group,proposed_reduction,min_reduction,max_reduction
    Lambeth,38868,280500,Inner,0.05,0.02,0.12

``unit`` and ``baseline`` are needed; the others may be left out or blank.  A
reduction is a fraction (0.055) or a percentage (5.5%).  :func:`parse_unit_inputs`
takes the text and a label for the file (its name, as the user gave it), and
returns the units with EVERY problem found, each naming the file, the line, the
column, the value and what is accepted, so that a form can show them all.  It
reads no file.
"""

from __future__ import annotations

import math
from policingplan.formatting import read_fraction
from typing import Optional

from policingplan.plan.source import parse_csv
from policingplan.problems import Problem, ProblemList
from policingplan.targets.allocation import AllocationInputError, UnitInput

REQUIRED_COLUMNS = ("unit", "baseline")
OPTIONAL_COLUMNS = ("population", "peer_group", "proposed_reduction", "min_reduction", "max_reduction")
FRACTION = "a fraction such as 0.055, or a percentage such as 5.5%, for a 5.5% reduction (more than -1, at most 1)"
FRACTION_ACCEPTED = f"{FRACTION}, or blank"
_REDUCTIONS = ("proposed_reduction", "min_reduction", "max_reduction")


def _number(text: str) -> Optional[float]:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_unit_inputs(text: str, file: str) -> tuple[list[UnitInput], ProblemList]:
    """The units of a unit-targets table and every problem found (the units only when there is none)."""
    table, problems = parse_csv(text, file)
    if table.cause is not None:
        return [], problems
    columns = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    if not table.header:
        problems.add(Problem("the file is empty", file=file, line=1, value="",
                             accepted=f"a header row ({', '.join(columns)}), then one row per unit"))
        return [], problems
    header_ok = True
    for name in REQUIRED_COLUMNS:
        if name not in table.header:
            header_ok = False
            problems.add(Problem(f"the column {name!r} is missing", file=file, line=table.header_line, column=name,
                                 value=",".join(table.header),
                                 accepted=f"a header with unit and baseline; optional: {', '.join(OPTIONAL_COLUMNS)}"))
    for name in table.header:
        if name not in columns:
            problems.add(Problem("unknown column", file=file, line=table.header_line, column=name, value=name,
                                 accepted=", ".join(columns)))
    if not table.rows:
        problems.add(Problem("there are no units", file=file, accepted="a header row, then one row per unit"))
        return [], problems

    units: list[UnitInput] = []
    lines: dict[str, int] = {}
    for row, line in zip(table.rows, table.lines):
        unit = _row_unit(row, line, file, header_ok, lines, problems)
        if unit is not None:
            units.append(unit)
    return (units if problems.ok else []), problems


def _row_unit(row: dict[str, str], line: int, file: str, header_ok: bool, lines: dict[str, int],
              problems: ProblemList) -> Optional[UnitInput]:
    """One row's unit, every problem of the row added to ``problems`` (``None`` when it has any)."""
    found = len(problems.errors)
    cells = {k: (v or "").strip() for k, v in row.items() if k is not None}
    unit = cells.get("unit", "")
    if "unit" in cells and not unit:
        problems.add(Problem("the unit is blank", file=file, line=line, column="unit", value="",
                             accepted="a unit name or code"))
    elif unit in lines:
        problems.add(Problem(f"the unit is given twice (first at line {lines[unit]})", file=file, line=line,
                             column="unit", value=unit, accepted="each unit once"))
    elif unit:
        lines[unit] = line
    values: dict[str, object] = {"unit": unit}
    if "baseline" in cells:
        values["baseline"] = _checked_number(cells["baseline"], line, file, "baseline",
                                             "a number of crimes above 0, such as 21384", problems)
    if cells.get("population"):
        values["population"] = _checked_number(cells["population"], line, file, "population",
                                               "a number of residents, or blank", problems)
    if cells.get("peer_group"):
        values["peer_group"] = cells["peer_group"]
    for name in _REDUCTIONS:
        if cells.get(name):
            value = read_fraction(cells[name])
            if value is None:
                problems.add(Problem("not a number", file=file, line=line, column=name, value=cells[name],
                                     accepted=FRACTION_ACCEPTED))
            values[name] = value
    if not header_ok or any(value is None for value in values.values()):
        return None  # a cell that is not a number: the unit's own checks need every figure
    try:
        unit_input = UnitInput(**values)
    except AllocationInputError as exc:
        problems.add(Problem(str(exc).split(": ", 1)[-1], file=file, line=line, column=exc.field_name,
                             value=cells.get(exc.field_name or "", exc.value), accepted=exc.accepted))
        return None
    return unit_input if len(problems.errors) == found else None


def _checked_number(text: str, line: int, file: str, column: str, accepted: str, problems: ProblemList) -> Optional[float]:
    value = _number(text)
    if value is None:
        problems.add(Problem("not a number", file=file, line=line, column=column, value=text, accepted=accepted))
    return value


__all__ = ["FRACTION", "OPTIONAL_COLUMNS", "REQUIRED_COLUMNS", "parse_unit_inputs", "read_fraction"]
