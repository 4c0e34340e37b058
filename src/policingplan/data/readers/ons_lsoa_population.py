"""``ons-lsoa-population``: ONS mid-year population estimates for LSOAs, summed to units.

Columns used: ``LSOA11CD`` (each LSOA once), ``LAD11CD`` (the local authority's
ONS code: the unit), ``Persons_All-Ages`` and ``Persons_0-15`` (any letter
case; ``All Ages``, ``0-15`` and the ``LSOA code``/``LA code`` spellings are
accepted too).  The values are ``all_ages`` and ``age_0_15``; there are no
attributes.  The file holds no date, so the mid-year comes from the file's
name: ``…mid2020.csv``, ``…mid-2020.csv`` or ``…2020.csv`` give the period
``2020`` (period kind ``year``).
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from policingplan.data.readers import ReadResult
from policingplan.data.readers.base import (
    LINE, FileProblems, check_duplicates, check_rows, text_bytes, finish, grouped_table, map_units,
    match_columns, new_result, parse_counts, parse_csv,
)

#: No LSOA (about 1,500 people) holds this many residents.
CEILING = 100_000


def mid_year_of(file: str) -> str | None:
    """The mid-year that a file's name gives (``ons-population-lsoa-mid2020.csv`` → ``2020``)."""
    name = Path(file).name.lower()
    match = re.search(r"mid[-_ ]?((?:19|20)[0-9][0-9])", name) or re.search(r"(?<![0-9])((?:19|20)[0-9][0-9])(?![0-9])", name)
    return match.group(1) if match else None


def read(kind: str, file: str, data: bytes) -> ReadResult:
    result = new_result(kind, file)
    problems = FileProblems(file)
    year = mid_year_of(file)
    if year is None:
        problems.add("the file's name does not say which mid-year it estimates", value=Path(file).name,
                     accepted="a name holding the year, e.g. ons-population-lsoa-mid2020.csv")
    text = text_bytes(data, problems)
    rows = parse_csv(text, problems) if text is not None else None
    if rows is None:
        return finish(result, problems)
    result.rows_read = rows.rows_read
    found = match_columns(rows, {
        "lsoa": ["LSOA11CD", "LSOA code", "LSOA21CD"],
        "lad": ["LAD11CD", "LA code", "LAD code", "LAD21CD"],
        "all_ages": ["Persons_All-Ages", "All Ages", "All-Ages"],
        "age_0_15": ["Persons_0-15", "0-15"],
    }, problems)
    if found is None or year is None:
        return finish(result, problems)
    frame = rows.frame.select(
        LINE, *[pl.col(header).str.strip_chars().alias(name) for name, header in found.items()]
    )
    frame = frame.with_columns(
        unit=map_units(frame["lad"], frame, found["lad"], problems),
        all_ages=parse_counts(frame, "all_ages", problems, ceiling=CEILING, label=found["all_ages"]),
        age_0_15=parse_counts(frame, "age_0_15", problems, ceiling=CEILING, label=found["age_0_15"]),
    )
    check_duplicates(frame, ["lsoa"], problems, described_as="LSOA")
    if problems.has_errors:
        return finish(result, problems)
    check_rows(frame, pl.col("age_0_15") > pl.col("all_ages"), problems,
               message="more children than people of all ages", column="age_0_15",
               label=found["age_0_15"], accepted="a 0-15 count no larger than the all-ages count")
    frame = frame.with_columns(period=pl.lit(year), period_kind=pl.lit("year"))
    return finish(result, problems, grouped_table(kind, frame), rows_accepted=rows.rows_read)
