"""``mps-homicide-victims``: the MPS homicide dashboard's victims extract, one row per victim.

Columns: ``Age_Group,Sex,Method_of_Killing,Domestic_Abuse,Solved_Status,Borough,Ethnicity,Year``
(any letter case; ``BCU`` and other extra columns are ignored).  Attributes:
``solved`` (``solved`` or ``unsolved``, from ``Solved_Status``), ``method``,
``domestic_abuse``, ``sex``, ``age_group`` and ``ethnicity``, as the publisher
writes them.  The period is the calendar year.
"""

from __future__ import annotations

import polars as pl

from policingplan.data.readers import ReadResult
from policingplan.data.readers.base import (
    LINE, check_rows, finish, grouped_table, map_units, match_columns, start_csv,
)

SOLVED_VALUES = ("solved", "unsolved")


def read(kind: str, file: str, data: bytes) -> ReadResult:
    result, problems, rows = start_csv(kind, file, data)
    if rows is None:
        return finish(result, problems)
    found = match_columns(rows, {
        "age_group": ["Age_Group", "Age Group"],
        "sex": ["Sex"],
        "method": ["Method_of_Killing", "Method of Killing"],
        "domestic_abuse": ["Domestic_Abuse", "Domestic Abuse"],
        "solved": ["Solved_Status", "Solved Status"],
        "borough": ["Borough"],
        "ethnicity": ["Ethnicity"],
        "year": ["Year"],
    }, problems)
    if found is None:
        return finish(result, problems)
    frame = rows.frame.select(
        LINE, *[pl.col(header).str.strip_chars().alias(name) for name, header in found.items()]
    )
    check_rows(frame, ~pl.col("solved").str.to_lowercase().is_in(SOLVED_VALUES), problems,
               message="not a solved status", column="solved", label=found["solved"],
               accepted="Solved or Unsolved")
    check_rows(frame, ~pl.col("year").str.contains(r"^(19|20)[0-9][0-9]$"), problems,
               message="not a year", column="year", label=found["year"],
               accepted="a calendar year written YYYY, e.g. 2007")
    for attribute in ("method", "domestic_abuse", "sex", "age_group", "ethnicity"):
        check_rows(frame, pl.col(attribute) == "", problems,
                   message=f"the {attribute.replace('_', ' ')} is blank", column=attribute,
                   label=found[attribute], accepted="a value as the publisher writes it, e.g. Not Known/Not Recorded")
    frame = frame.with_columns(
        unit=map_units(frame["borough"], frame, found["borough"], problems),
        solved=pl.col("solved").str.to_lowercase(),
        period=pl.col("year"), period_kind=pl.lit("year"), count=pl.lit(1, dtype=pl.Int64),
    )
    if problems.has_errors:
        return finish(result, problems)
    return finish(result, problems, grouped_table(kind, frame), rows_accepted=rows.rows_read)
