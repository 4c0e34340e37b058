"""The input tables of the SPC chart and the year-end forecast, parsed from their text (pure).

``policingplan spc`` and ``policingplan forecast`` (and, later, a web form's
upload) read a CSV file of values in time order.  This module turns the file's
bytes or text into a series and the **whole** list of problems found, each
naming the file, the line, the column, the value and what is accepted, so that
a form can show them all and not only the first.  It reads no file: the
caller passes the text (or the bytes) and a label for the file.

- :func:`decode_csv` turns bytes into text (UTF-8, a byte-order mark allowed);
- :func:`csv_rows` splits text into rows;
- :func:`parse_spc_input` reads one series for an XmR chart: a column ``y``
  (or one named), else ``value``, so that the file ``measures --csv`` writes
  is read as it is;
- :func:`parse_forecast_input` reads monthly counts by series (``month``,
  ``value``, optional ``series``, ``target`` and ``group``), or the file that
  ``measures --csv`` writes, whose ratio rows are numerators and denominators.

Each parse returns a :class:`Parsed`: the series (``None`` when there is an
error) and the :class:`~policingplan.problems.ProblemList`.  A mistake that
hides the rest of the file (no header, a missing column, bytes that are not
UTF-8, broken CSV quoting) is reported alone; otherwise every row is checked,
listing at most :data:`PROBLEMS_SHOWN` problems of one kind and counting the rest.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from policingplan.periods import Month, PeriodError
from policingplan.problems import Problem, ProblemList
from policingplan.results import Notice, notice, register_notices

#: How many problems of one kind are listed before the rest are only counted.
PROBLEMS_SHOWN = 50

#: Cells that mean a missing value in an SPC input.
MISSING_MARKERS = ("", "NA")
ACCEPTED_VALUE = "a number such as 1234, -3.5 or 1,234, or an empty cell or NA for a missing value"
#: The columns that name a series in the file that ``measures --csv`` writes.
SERIES_COLUMNS = ("measure", "unit")

REQUIRED_FORECAST_COLUMNS = ("month", "value")
ACCEPTED_FORECAST_COLUMNS = ("columns month (YYYY-MM) and value, optionally series, target and group; "
                             "or the file measures --csv writes")
ACCEPTED_COUNT = "a count of zero or more, or an empty cell for a missing month"
ACCEPTED_MONTH = "YYYY-MM with a month from 01 to 12, for example 2024-04"

register_notices({
    "spc.months-not-consecutive": "the months are not consecutive ({gaps}): the chart takes the rows in file order, "
                                  "so a month with no row is not on it",
})

T = TypeVar("T")


@dataclass(frozen=True)
class Parsed(Generic[T]):
    """What a parse found: the series (``None`` when the file has an error) and every problem."""

    series: T | None
    problems: ProblemList

    @property
    def ok(self) -> bool:
        return self.series is not None and self.problems.ok


@dataclass(frozen=True)
class SpcInput:
    """One series for an XmR chart: its values in file order (``None`` is missing), the column
    they came from, the source kinds behind them (for the attribution) and notices about the file."""

    file: str
    column: str
    values: list[float | None]
    kinds: list[str] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


@dataclass
class ForecastInput:
    """What a forecast file holds: each series' monthly values (counts), each ratio series'
    numerators and denominators, targets and groups where given, and the source kinds."""

    file: str
    histories: dict[str | None, dict[Month, float | None]] = field(default_factory=dict)
    ratios: dict[str | None, tuple[dict[Month, float | None], dict[Month, float | None]]] = field(default_factory=dict)
    targets: dict[str | None, float] = field(default_factory=dict)
    groups: dict[str | None, str] = field(default_factory=dict)
    kinds: list[str] = field(default_factory=list)


class _Collector:
    """The problems of one file: every one of a kind up to :data:`PROBLEMS_SHOWN`, then a count."""

    def __init__(self, file: str):
        self.file = file
        self.problems = ProblemList()
        self._shown: dict[str, int] = {}
        self._hidden: dict[str, tuple[int, str | None]] = {}

    def add(self, message: str, line: int | None = None, column: str | None = None, value=None,
            accepted: str | None = None, *, key: str | None = None) -> None:
        key = key or message
        if self._shown.get(key, 0) >= PROBLEMS_SHOWN:
            count, _ = self._hidden.get(key, (0, accepted))
            self._hidden[key] = (count + 1, accepted)
            return
        self._shown[key] = self._shown.get(key, 0) + 1
        self.problems.add(Problem(message, self.file, line, column, value, accepted))

    def finish(self) -> ProblemList:
        for key, (count, accepted) in self._hidden.items():
            self.problems.add(Problem(f"{count:,} more line(s) with the same problem: {key.split('|', 1)[0]}",
                                      self.file, accepted=accepted))
        self._hidden.clear()
        return self.problems


def _alone(problem: Problem) -> ProblemList:
    return ProblemList([problem])


def decode_csv(data: bytes, file: str) -> tuple[str | None, ProblemList]:
    """The text of a CSV file's bytes in UTF-8 (a byte-order mark is allowed), or the problem."""
    try:
        return data.decode("utf-8-sig"), ProblemList()
    except UnicodeDecodeError as exc:
        return None, _alone(Problem(
            "the file is not UTF-8 text", file, data[: exc.start].count(b"\n") + 1,
            value=f"byte 0x{data[exc.start]:02X}", accepted="a CSV file saved in UTF-8 (in Excel: CSV UTF-8)"))


def csv_rows(text: str, file: str) -> tuple[list[list[str]] | None, ProblemList]:
    """Every row of a CSV text, or the problem that stops it being read."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return list(reader), ProblemList()
    except csv.Error as exc:
        return None, _alone(Problem(f"not a valid CSV file: {exc}", file, reader.line_num,
                                          accepted="a comma-separated file"))


def missing_column(file: str, header: list[str], column: str, accepted: str) -> Problem:
    """The problem that ``column`` is not in the header (saying so when the file is not comma-separated)."""
    separator = next((s for s in (";", "\t", "|") if len(header) == 1 and s in header[0]), None)
    message = f"there is no column {column!r}"
    if separator is not None:
        message += f": the header looks separated by {separator!r}, not by commas"
        accepted = "a comma-separated file with " + accepted
    return Problem(message, file, 1, column, ",".join(header), accepted)


def _text_of(data: str | bytes, file: str) -> tuple[str | None, ProblemList]:
    return decode_csv(data, file) if isinstance(data, bytes) else (data.removeprefix("\ufeff"), ProblemList())


# ---------------------------------------------------------------------------
# SPC


def _value_column(file: str, header: list[str], column: str | None) -> int | Problem:
    """Where the values are: the column asked for, else ``y``, else ``value`` (as ``measures --csv`` writes)."""
    folded = [h.lower() for h in header]
    candidates = [column] if column is not None else ["y", "value"]
    for name in candidates:
        if name in header:
            return header.index(name)
        if name.lower() in folded:
            return folded.index(name.lower())
    return missing_column(file, header, candidates[0],
                          "a column named with --column, or y, or value (as measures --csv writes)")


def parse_spc_input(data: str | bytes, file: str, column: str | None = None) -> Parsed[SpcInput]:
    """One series for an XmR chart, from a CSV file's text (or bytes), with every problem found.

    The values are in ``column`` (by default ``y``, or ``value``); empty cells and ``NA``
    are missing (None).  A file written by ``measures --csv`` must hold one series (one
    measure for one unit); its ``source`` column names the source kind, for the attribution,
    and months missing between its rows are a notice.  Blank lines after the last value are
    ignored; a blank line between values is a missing value.
    """
    text, problems = _text_of(data, file)
    if text is None:
        return Parsed(None, problems)
    rows, problems = csv_rows(text, file)
    if rows is None:
        return Parsed(None, problems)
    if not rows or not any(cell.strip() for cell in rows[0]):
        return Parsed(None, _alone(Problem("the file has no header row", file, 1,
                                                 accepted=f"a header row naming a column {column or 'y'!r}")))
    header = [cell.strip() for cell in rows[0]]
    position = _value_column(file, header, column)
    if isinstance(position, Problem):
        return Parsed(None, _alone(position))
    while len(rows) > 1 and not any(cell.strip() for cell in rows[-1]):
        rows.pop()

    def cell_of(row: list[str], name: str) -> str:
        index = header.index(name)
        return row[index].strip() if index < len(row) else ""

    found = _Collector(file)
    series = [name for name in SERIES_COLUMNS if name in header]
    if series:
        keys = list(dict.fromkeys(tuple(cell_of(row, name) for name in series)
                                  for row in rows[1:] if any(c.strip() for c in row)))
        if len(keys) > 1:
            shown = ", ".join(" ".join(key) for key in keys[:3]) + (", …" if len(keys) > 3 else "")
            found.add(f"the file holds {len(keys)} series ({shown}); spc charts one", None, "/".join(series),
                      accepted="one measure for one unit: write the file with "
                               "policingplan measures PLAN --measure ID --unit CODE --csv")
    kinds = []
    if "source" in header:
        kinds = list(dict.fromkeys(cell_of(row, "source") for row in rows[1:] if cell_of(row, "source")))
    notices = []
    if "month" in header:
        try:
            months = [Month(cell_of(row, "month")) for row in rows[1:] if cell_of(row, "month")]
        except PeriodError:
            months = []  # years or financial years: no months to check
        gaps = [f"{a}–{b}" for a, b in zip(months, months[1:]) if b != a + 1] if months else []
        if gaps:
            notices.append(notice("spc.months-not-consecutive", gaps=", ".join(gaps[:3]), count=len(gaps)))
    values: list[float | None] = []
    for line, row in enumerate(rows[1:], start=2):
        cell = row[position].strip() if position < len(row) else ""
        if cell in MISSING_MARKERS:
            values.append(None)
            continue
        try:
            value = float(cell.replace(",", ""))
        except ValueError:
            value = math.nan
        if math.isnan(value) or math.isinf(value):
            found.add("not a number", line, header[position], cell, ACCEPTED_VALUE)
            continue
        values.append(value)
    if len(rows) < 2:
        found.add("the file has no values", 2, header[position], accepted="one value a row, in time order")
    problems = found.finish()
    if not problems.ok:
        return Parsed(None, problems)
    return Parsed(SpcInput(file, header[position], values, kinds, notices), problems)


# ---------------------------------------------------------------------------
# Year-end forecasts


def _number(text: str, line: int, column: str, accepted: str, allow_negative: bool,
            found: _Collector) -> tuple[float | None, bool]:
    """A number from a cell (an empty cell is missing, None, never zero), and whether it was read."""
    text = text.strip()
    if text == "":
        return None, True
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        value = math.nan
    if math.isnan(value) or math.isinf(value) or (value < 0 and not allow_negative):
        found.add("not an accepted number", line, column, text, accepted, key=f"not an accepted number|{column}")
        return None, False
    return value, True


def parse_forecast_input(data: str | bytes, file: str) -> Parsed[ForecastInput]:
    """Each series' monthly values, and its target and group where given, with every problem found.

    A file that ``measures --csv`` wrote is read as it is: its series are named by the unit
    (with the measure, when it holds several), a ratio measure's rows (a denominator given)
    hold numerators and denominators, and its ``source`` column names the source kind for
    the attribution.  An empty value is a missing month, never zero.
    """
    text, problems = _text_of(data, file)
    if text is None:
        return Parsed(None, problems)
    rows, problems = csv_rows(text, file)
    if rows is None:
        return Parsed(None, problems)
    if not rows:
        return Parsed(None, _alone(Problem("the file is empty", file, 1,
                                                 accepted="a header row: " + ACCEPTED_FORECAST_COLUMNS)))
    header = [h.strip().lower() for h in rows[0]]
    for column in REQUIRED_FORECAST_COLUMNS:
        if column not in header:
            return Parsed(None, _alone(missing_column(file, header, column, ACCEPTED_FORECAST_COLUMNS)))
    names = ("month", "value", "series", "target", "group", "measure", "unit", "period_kind", "numerator",
             "denominator", "source")
    position = {name: header.index(name) for name in names if name in header}

    def cell(row: list[str], name: str) -> str:
        return row[position[name]].strip() if name in position and position[name] < len(row) else ""

    data_rows = [(line, row) for line, row in enumerate(rows[1:], start=2) if any(c.strip() for c in row)]
    several_measures = len({cell(row, "measure") for _, row in data_rows}) > 1
    result = ForecastInput(file)
    found = _Collector(file)
    per_series: dict[str, dict[str | None, tuple[object, int]]] = {"target": {}, "group": {}}
    for line, row in data_rows:
        if len(row) < len(header):
            found.add(f"the row has {len(row)} cells, the header {len(header)}", line,
                      accepted=ACCEPTED_FORECAST_COLUMNS, key="the row has fewer cells than the header")
            continue
        if "series" in position:
            name = cell(row, "series")
        elif "unit" in position:
            name = f"{cell(row, 'measure')} {cell(row, 'unit')}" if several_measures else cell(row, "unit")
        else:
            name = None
        if cell(row, "period_kind") not in ("", "month"):
            found.add("forecast needs monthly values", line, "period_kind", cell(row, "period_kind"),
                      "a measure published by month (period_kind month)")
            continue
        try:
            month: Month | None = Month(row[position["month"]])
        except PeriodError:
            month = None
            found.add("not a month", line, "month", row[position["month"]], ACCEPTED_MONTH)
        source = cell(row, "source")
        if source and source not in result.kinds:
            result.kinds.append(source)
        twice = f"month {month} appears twice" + (f" for series {name!r}" if name else "")
        if "denominator" in position and (cell(row, "denominator") or name in result.ratios):
            numerator, read_n = _number(cell(row, "numerator"), line, "numerator", ACCEPTED_COUNT, False, found)
            denominator, read_d = _number(cell(row, "denominator"), line, "denominator", ACCEPTED_COUNT, False, found)
            if month is not None and read_n and read_d:
                nums, dens = result.ratios.setdefault(name, ({}, {}))
                if month in nums:
                    found.add(twice, line, "month", str(month), "one row per series and month",
                              key="a month appears twice")
                else:
                    nums[month], dens[month] = numerator, denominator
        else:
            value, read = _number(row[position["value"]], line, "value", ACCEPTED_COUNT, False, found)
            if month is not None and read:
                series = result.histories.setdefault(name, {})
                if month in series:
                    found.add(twice, line, "month", str(month), "one row per series and month",
                              key="a month appears twice")
                else:
                    series[month] = value
        for column in ("target", "group"):
            if column not in position:
                continue
            raw = row[position[column]].strip()
            if column == "target":
                given, _ = _number(raw, line, column, "a number, or an empty cell", True, found)
            else:
                given = raw or None
            if given is None:
                continue
            seen = per_series[column]
            if name in seen and seen[name][0] != given:
                found.add(f"a second {column} for series {name!r} (line {seen[name][1]} has {seen[name][0]})",
                          line, column, raw, f"one {column} per series", key=f"a second {column} for a series")
                continue
            seen[name] = (given, line)
    if not data_rows:
        found.add("no data rows", 2, accepted=ACCEPTED_FORECAST_COLUMNS)
    problems = found.finish()
    if not problems.ok:
        return Parsed(None, problems)
    result.targets = {name: value for name, (value, _) in per_series["target"].items()}
    result.groups = {name: value for name, (value, _) in per_series["group"].items()}
    return Parsed(result, problems)


__all__ = [
    "ACCEPTED_VALUE", "ForecastInput", "MISSING_MARKERS", "PROBLEMS_SHOWN", "Parsed", "SpcInput", "csv_rows",
    "decode_csv", "missing_column", "parse_forecast_input", "parse_spc_input",
]
