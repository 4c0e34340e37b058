"""``tidy``: a generic long table, CSV or XLSX, for any figure a force holds.

Columns ``unit, month, measure, numerator, denominator`` (any letter case;
extra columns are ignored).  ``unit`` is a London borough's name or ONS code
(mapped to the code, however spelt) or any other unit code written in
capitals, digits and hyphens (``W06000015``, ``TVP-OXFORD``), kept as it is;
anything else is an error with the closest borough suggested.  ``month`` is
``YYYY-MM`` (a spreadsheet date on the first of the month is accepted).
``numerator`` is a number of 0 or more; ``denominator`` a number above 0, or
blank for a measure that is a plain count.  Each unit, month and measure once.

An XLSX workbook is read from its first sheet; line numbers are its row numbers.
"""

from __future__ import annotations


import polars as pl

from policingplan.data.readers import ReadResult
from policingplan.data.readers.base import (
    LINE, PROBLEMS_SHOWN, XLSX_MAGIC, CsvRows, FileProblems, check_duplicates, check_rows, text_bytes, finish,
    grouped_table, match_columns, new_result, parse_csv,
)
from policingplan.data.units import accepted_unit_names, suggest_unit, unit_code

COLUMNS = ("unit", "month", "measure", "numerator", "denominator")
_CODE = r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$"


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
    found = match_columns(rows, {name: [name] for name in COLUMNS}, problems)
    if found is None:
        return finish(result, problems)
    frame = rows.frame.select(
        LINE, *[pl.col(header).fill_null("").str.strip_chars().alias(name) for name, header in found.items()]
    )
    distinct = frame["unit"].unique().to_list()
    lookup = {name: unit_code(name) for name in distinct}
    frame = frame.with_columns(
        unit_code=pl.col("unit").replace_strict(lookup, default=None, return_dtype=pl.Utf8),
    ).with_columns(
        unit_code=pl.when(pl.col("unit_code").is_null() & pl.col("unit").str.contains(_CODE))
        .then(pl.col("unit")).otherwise(pl.col("unit_code"))
    )
    accepted_units = accepted_unit_names() + ", or another unit's code in capitals (e.g. W06000015)"
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
    month = pl.col("month").str.extract(r"^((?:19|20)[0-9][0-9]-(?:0[1-9]|1[0-2]))(?:-01(?:[ T][0-9:.]*)?)?$")
    frame = frame.with_columns(period=month, period_kind=pl.lit("month"),
                               numerator=pl.col("numerator").cast(pl.Float64, strict=False),
                               denominator_value=pl.col("denominator").cast(pl.Float64, strict=False))
    check_rows(frame, pl.col("period").is_null(), problems, message="not a real month",
               column="month", label=found["month"], accepted="a month written YYYY-MM, month 01 to 12")
    check_rows(frame, pl.col("measure") == "", problems, message="the measure is blank",
               column="measure", label=found["measure"], accepted="a measure's id, e.g. public_confidence")
    raw_numerators = rows.frame.select(LINE, pl.col(found["numerator"]).fill_null("").alias("raw"))
    frame = frame.with_columns(raw_numerator=raw_numerators["raw"])
    check_rows(frame, ~pl.col("numerator").is_finite().fill_null(False), problems,
               message="the numerator is not a number", column="raw_numerator", label=found["numerator"],
               accepted="a number of 0 or more, e.g. 812")
    check_rows(frame, pl.col("numerator") < 0, problems, message="the numerator is negative",
               column="raw_numerator", label=found["numerator"], accepted="a number of 0 or more")
    check_rows(frame, (pl.col("denominator") != "")
               & (~pl.col("denominator_value").is_finite().fill_null(False)
                  | (pl.col("denominator_value") <= 0)), problems,
               message="the denominator is not a number above 0", column="denominator",
               label=found["denominator"], accepted="a number above 0, or blank for a plain count")
    frame = frame.with_columns(unit=pl.col("unit_code"), denominator=pl.col("denominator_value"))
    check_duplicates(frame, ["unit", "period", "measure"], problems, described_as="unit, month and measure")
    if problems.has_errors:
        return finish(result, problems)
    return finish(result, problems, grouped_table(kind, frame, aggregate=False), rows_accepted=frame.height)


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
