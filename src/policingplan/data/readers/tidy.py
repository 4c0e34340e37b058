"""``tidy``: a generic long table, CSV or XLSX, for any figure a force holds.

Columns ``unit, month, measure, numerator, denominator`` (headers matched without
regard to case, spaces or punctuation; another column is a warning, and is not read).
Every column is checked (see ``docs/formats/tidy.md``):

* ``unit``: a London borough's name or ONS code (mapped to the code, however spelt)
  or any other unit code written in capitals, digits and hyphens (``W06000015``,
  ``TVP-OXFORD``), kept as it is; or ``force`` (any case) for a figure of the
  whole force, such as a survey of all London, which the force's row takes as
  it is rather than summing the units; anything else is an error with the
  closest borough suggested.
* ``month``: ``YYYY-MM`` (a spreadsheet date on the first of the month is accepted),
  from 1990-01 to this month.
* ``measure``: a measure's id (letters, digits, spaces and ``_ - . / ( )``).
* ``numerator``: a number of 0 or more written in digits (``1,234.5`` allowed);
  ``denominator``: such a number above 0, or blank for a plain count.
* The key is the unit, month and measure: a repeat is an error naming both lines.

An XLSX workbook is read from its first sheet; line numbers are its row numbers.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from policingplan.data.readers import ReadResult
from policingplan.data.readers.base import (
    LINE, PROBLEMS_SHOWN, XLSX_MAGIC, CsvRows, FileProblems, check_key, check_rows, find_columns,
    finish, grouped_table, new_result, parse_csv, text_bytes,
)
from policingplan.data.units import accepted_unit_names, suggest_unit, unit_code
from policingplan.plan.model import FORCE

COLUMNS = ("unit", "month", "measure", "numerator", "denominator")
_CODE = r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$"
#: A number written in digits, its thousands perhaps separated by commas: 812, 1,234.5, 0.25.
_PLAIN = r"^(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]+)?$"
_NEGATIVE = r"^-(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]+)?$"
_MEASURE = r"^[A-Za-z0-9][A-Za-z0-9 _.()/-]{0,99}$"
#: No unit's figure for one month reaches this (a numerator or a denominator).
CEILING = 1_000_000_000
#: No figure a force holds in this format goes back further.
FIRST_MONTH = "1990-01"


def read(kind: str, file: str, data: bytes) -> ReadResult:
    result = new_result(kind, file)
    problems = FileProblems(file)
    if data.startswith(XLSX_MAGIC):
        rows = _read_workbook(data, problems)
    else:
        text = text_bytes(data, problems)
        rows = parse_csv(text, problems) if text is not None else None
    if rows is None:
        return finish(result, problems)
    result.rows_read = rows.rows_read
    found = find_columns(rows, {name: [name] for name in COLUMNS}, problems,
                         accepted=", ".join(COLUMNS))
    if found is None:
        return finish(result, problems)
    frame = rows.frame.select(
        LINE, *[pl.col(header).fill_null("").str.strip_chars().alias(name) for name, header in found.items()]
    )
    distinct = frame["unit"].unique().to_list()
    # ``force`` (in any case) is the force's own figure, such as a survey of all London.
    lookup = {name: FORCE if name.lower() == FORCE else unit_code(name) for name in distinct}
    frame = frame.with_columns(
        unit_code=pl.col("unit").replace_strict(lookup, default=None, return_dtype=pl.Utf8),
    ).with_columns(
        unit_code=pl.when(pl.col("unit_code").is_null() & pl.col("unit").str.contains(_CODE))
        .then(pl.col("unit")).otherwise(pl.col("unit_code"))
    )
    accepted_units = (accepted_unit_names() + ", or another unit's code in capitals (e.g. W06000015), "
                      "or force for the force's own figure")
    unknown = frame.filter(pl.col("unit_code").is_null())["unit"].unique(maintain_order=True).to_list()
    for name in unknown[:PROBLEMS_SHOWN]:
        suggestion = suggest_unit(name)
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        check_rows(frame, pl.col("unit_code").is_null() & (pl.col("unit") == name), problems,
                   message=f"unknown unit{hint}", column="unit", label=found["unit"],
                   accepted=accepted_units)
    if len(unknown) > PROBLEMS_SHOWN:
        check_rows(frame, pl.col("unit").is_in(unknown[PROBLEMS_SHOWN:]), problems,
                   message="unknown unit", column="unit", label=found["unit"], accepted=accepted_units)
    today = dt.date.today()
    latest = f"{today.year:04d}-{today.month:02d}"
    month = pl.col("month").str.extract(r"^((?:19|20)[0-9][0-9]-(?:0[1-9]|1[0-2]))(?:-01(?:[ T][0-9:.]*)?)?$")
    frame = frame.with_columns(period=month, period_kind=pl.lit("month"))
    check_rows(frame, pl.col("period").is_null(), problems, message="not a real month",
               column="month", label=found["month"], accepted="a month written YYYY-MM, month 01 to 12")
    check_rows(frame, (pl.col("period") < FIRST_MONTH) | (pl.col("period") > latest), problems,
               message="a month outside the range a figure can have", column="month",
               label=found["month"], accepted=f"a month from {FIRST_MONTH} to {latest} (this month)")
    check_rows(frame, pl.col("measure") == "", problems, message="the measure is blank",
               column="measure", label=found["measure"], accepted="a measure's id, e.g. public_confidence")
    check_rows(frame, (pl.col("measure") != "") & ~pl.col("measure").str.contains(_MEASURE), problems,
               message="not a measure's id", column="measure", label=found["measure"],
               accepted="a measure's id: letters, digits, spaces and _ - . / ( ), starting with a "
                        "letter or digit, at most 100 characters, e.g. public_confidence")
    frame = frame.with_columns(numerator_value=_number("numerator"), denominator_value=_number("denominator"))
    check_rows(frame, pl.col("numerator_value").is_null() & ~pl.col("numerator").str.contains(_NEGATIVE),
               problems, message="the numerator is not a number written in digits", column="numerator",
               label=found["numerator"], accepted="a number of 0 or more written in digits, e.g. 812 or 1,234.5")
    check_rows(frame, pl.col("numerator").str.contains(_NEGATIVE), problems,
               message="the numerator is negative", column="numerator", label=found["numerator"],
               accepted="a number of 0 or more")
    check_rows(frame, (pl.col("denominator") != "")
               & (pl.col("denominator_value").is_null() | (pl.col("denominator_value") <= 0)), problems,
               message="the denominator is not a number above 0", column="denominator",
               label=found["denominator"],
               accepted="a number above 0 written in digits, e.g. 1000, or blank for a plain count")
    check_rows(frame, pl.col("numerator_value") > CEILING, problems,
               message="the numerator is implausibly large", column="numerator",
               label=found["numerator"], accepted=f"a number of at most {CEILING:,}")
    check_rows(frame, pl.col("denominator_value") > CEILING, problems,
               message="the denominator is implausibly large", column="denominator",
               label=found["denominator"], accepted=f"a number of at most {CEILING:,}")
    # A measure is a plain count (no denominators) or a ratio (a denominator on every line).
    ratio = pl.col("denominator_value").is_not_null().any().over("measure")
    check_rows(frame, (pl.col("measure") != "") & ratio & (pl.col("denominator") == ""), problems,
               message="the denominator is blank, but other lines of this measure have one",
               column="denominator", label=found["denominator"],
               accepted="a denominator on every line of a measure that has one (a ratio), or on none "
                        "(a plain count)")
    frame = frame.with_columns(numerator=pl.col("numerator_value"), denominator=pl.col("denominator_value"))
    check_key(frame.with_columns(unit_key=pl.col("unit_code")), ["unit_key", "period", "measure"],
              ["numerator", "denominator"],
              {"unit_key": found["unit"], "period": found["month"], "measure": found["measure"],
               "numerator": found["numerator"], "denominator": found["denominator"]},
              problems, described_as="unit, month and measure")
    if problems.has_errors:
        return finish(result, problems)
    frame = frame.with_columns(unit=pl.col("unit_code"))
    return finish(result, problems, grouped_table(kind, frame, aggregate=False), rows_accepted=frame.height)


def _number(column: str) -> pl.Expr:
    """A number of 0 or more written in digits (thousands may be separated by commas), else null."""
    text = pl.col(column)
    return pl.when(text.str.contains(_PLAIN)).then(
        text.str.replace_all(",", "", literal=True).cast(pl.Float64, strict=False))


def _read_workbook(data: bytes, problems: FileProblems) -> CsvRows | None:
    """The first sheet of an XLSX workbook as text rows; sheet row numbers as lines."""
    import fastexcel

    try:
        sheet = fastexcel.read_excel(data).load_sheet(0, dtypes="string")
        frame = sheet.to_polars()
    except Exception as exc:  # fastexcel raises its own error types for damaged workbooks
        problems.add(f"the workbook cannot be read ({exc})", line=None,
                     accepted="an .xlsx workbook whose first sheet has the header in row 1")
        return None
    header = [str(name).strip() for name in frame.columns]
    frame.columns = header
    frame = frame.with_row_index(LINE, offset=2).with_columns(pl.col(LINE).cast(pl.Int64))
    blank = pl.all_horizontal([pl.col(c).fill_null("").str.strip_chars() == "" for c in header])
    frame = frame.filter(~blank)
    if frame.height == 0:
        problems.add("the workbook's first sheet has a header but no data rows", line=1,
                     accepted="at least one data row after the header")
        return None
    return CsvRows(header=header, frame=frame, rows_read=frame.height)
