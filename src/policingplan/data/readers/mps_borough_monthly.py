"""``mps-borough-monthly``: the MPS "Recorded Crime: Geographic Breakdown" wide file.

Columns ``MajorText,MinorText,BoroughName`` (any letter case), then one column
per month written ``YYYYMM``, holding counts of recorded offences.  Attributes:
``major`` and ``minor``, as the publisher writes them.  A blank cell is no
figure (a warning; nothing is recorded for it), never a zero.
"""

from __future__ import annotations

import re

import polars as pl

from policingplan.data.readers import ReadResult
from policingplan.data.readers.base import (
    LINE, check_duplicates, check_rows, finish, grouped_table, map_units, match_columns, start_csv,
    parse_counts,
)

_MONTH_HEADER = re.compile(r"^[0-9]{6}$")
#: No borough records this many offences of one minor category in one month.
CEILING = 100_000


def read(kind: str, file: str, data: bytes) -> ReadResult:
    result, problems, rows = start_csv(kind, file, data)
    if rows is None:
        return finish(result, problems)
    wanted = {
        "major": ["MajorText", "Major Text", "major"],
        "minor": ["MinorText", "Minor Text", "minor"],
        "borough": ["BoroughName", "Borough Name", "borough"],
    }
    found = match_columns(rows, wanted, problems)
    identifiers = {s.lower() for spellings in wanted.values() for s in spellings}
    month_columns: dict[str, str] = {}
    for name in rows.header:
        if name.lower() in identifiers or (found and name in found.values()):
            continue
        if _MONTH_HEADER.match(name):
            year, month = int(name[:4]), int(name[4:])
            if 1 <= month <= 12 and 1900 <= year <= 2100:
                month_columns[name] = f"{year:04d}-{month:02d}"
            else:
                problems.add("a month column that is not a real month", line=1, column=name,
                             value=name, accepted="month columns written YYYYMM, month 01 to 12, e.g. 202304")
        elif name:
            problems.add("a column that is not a month is ignored", line=1, column=name, value=name,
                         accepted="MajorText, MinorText, BoroughName and YYYYMM month columns",
                         severity="warning")
    if found is None:
        return finish(result, problems)
    if not month_columns:
        problems.add("the file has no month columns", line=1,
                     accepted="one column per month, headed YYYYMM, e.g. 202304")
        return finish(result, problems)
    frame = rows.frame.rename({found["major"]: "major", found["minor"]: "minor",
                               found["borough"]: "borough"})
    frame = frame.with_columns(pl.col("major", "minor", "borough").str.strip_chars())
    for attribute in ("major", "minor"):
        check_rows(frame, pl.col(attribute) == "", problems, message=f"the {attribute} category is blank",
                   column=attribute, label=found[attribute], accepted="a category name, e.g. BURGLARY")
    frame = frame.with_columns(unit=map_units(frame["borough"], frame, found["borough"], problems))
    check_duplicates(frame.rename({"borough": found["borough"]}), ["unit", "major", "minor"], problems,
                     described_as="borough, major and minor category")
    long = frame.unpivot(index=[LINE, "unit", "major", "minor"], on=list(month_columns),
                         variable_name="header", value_name="cell")
    blank = long.filter(pl.col("cell").str.strip_chars() == "")
    if blank.height:
        problems.add(f"{blank.height:,} blank cell(s): no figure is recorded for them (not zero)",
                     line=int(blank[LINE][0]), column=blank["header"][0], value="",
                     severity="warning", key="blank-cell")
    long = long.filter(pl.col("cell").str.strip_chars() != "")
    long = long.with_columns(count=parse_counts(long, "cell", problems, ceiling=CEILING,
                                                label_column="header"))
    if problems.has_errors:
        return finish(result, problems)
    long = long.with_columns(
        period=pl.col("header").replace_strict(month_columns, return_dtype=pl.Utf8),
        period_kind=pl.lit("month"),
    )
    return finish(result, problems, grouped_table(kind, long), rows_accepted=rows.rows_read)
