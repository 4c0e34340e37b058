"""``police-uk-street``: the national street-level crime format of the police data portal.

One row per crime (or anti-social behaviour incident), for any force in
England, Wales and Northern Ireland.  Attributes: ``crime_type`` (``Crime
type``), ``outcome`` (``Last outcome category``; blank for anti-social
behaviour, kept as an empty string), ``lsoa`` (``LSOA code``) and ``force``
(``Falls within``).

The unit: for the City of London Police, the City (``E09000001``); for the
Metropolitan Police Service, the London borough named at the start of the
LSOA name (``Camden 024B`` is Camden, ``E09000007``), or ``MPS-UNKNOWN`` (a
warning) when the LSOA is blank or outside London; for every other force, the
force's own name, as published (``Thames Valley Police``).
"""

from __future__ import annotations

import polars as pl

from policingplan.data.readers import ReadResult
from policingplan.data.readers.base import (
    LINE, check_distinct, finish, grouped_table, match_columns, start_csv,
)
from policingplan.data.units import LONDON_BOROUGHS, normalise_name

CITY_OF_LONDON_POLICE = "City of London Police"
METROPOLITAN_POLICE = "Metropolitan Police Service"

#: Canonical name → the header that holds it.
COLUMNS = {
    "month": ["Month"],
    "force": ["Falls within"],
    "lsoa": ["LSOA code"],
    "lsoa_name": ["LSOA name"],
    "crime_type": ["Crime type"],
    "outcome": ["Last outcome category"],
}

_BOROUGH_BY_NAME = {normalise_name(name): code for code, name in LONDON_BOROUGHS.items()}


def read(kind: str, file: str, data: bytes) -> ReadResult:
    wanted = [spelling for spellings in COLUMNS.values() for spelling in spellings]
    result, problems, rows = start_csv(kind, file, data, columns=wanted)
    if rows is None:
        return finish(result, problems)
    found = match_columns(rows, COLUMNS, problems)
    if found is None:
        return finish(result, problems)
    records = rows.frame.select(LINE, *[pl.col(header).alias(name) for name, header in found.items()])
    # Group the records first: the checks, the stripping of surrounding spaces and the units
    # then work on far fewer rows.  The LSOA name decides the unit only for the Metropolitan
    # Police (its borough), so it is a key only when the file names that force.
    names_units = METROPOLITAN_POLICE.encode() in data
    keys = ["month", "force", "lsoa", *(["lsoa_name"] if names_units else []), "crime_type", "outcome"]
    # Each group's first line only for the Metropolitan Police (for the warning about rows
    # without a London LSOA).
    first_line = [pl.col(LINE).min()] if names_units else []
    frame = records.lazy().group_by(keys).agg(pl.len().cast(pl.Int64).alias("count"), *first_line).collect()
    blank = r"^\s*$"
    checks = (
        ("month", pl.col("month").str.contains(r"^\s*(19|20|21)[0-9][0-9]-(0[1-9]|1[0-2])\s*$"),
         "not a real month", "a month written YYYY-MM, month 01 to 12, e.g. 2023-04"),
        ("crime_type", ~pl.col("crime_type").str.contains(blank), "the crime type is blank",
         "a crime type, e.g. Burglary"),
        ("force", ~pl.col("force").str.contains(blank), "the force is blank",
         "the force's name, e.g. City of London Police"),
    )
    # The checked columns' distinct combinations (a few dozen): only a bad value among them
    # sends a check back to the records for its lines.
    distinct = frame.lazy().select(column for column, *_ in checks).unique().collect()
    if not distinct.select(pl.all_horizontal(valid.fill_null(False) for _, valid, *_ in checks).all()).item():
        for column, valid, message, accepted in checks:
            check_distinct(records, column, valid, problems, message=message, label=found[column],
                           accepted=accepted, grouped=distinct)
    del records
    if problems.has_errors:
        return finish(result, problems)
    spaced = frame.select(pl.any_horizontal(pl.col(keys).str.strip_chars() != pl.col(keys)).any()).item()
    if spaced:
        frame = frame.with_columns(pl.col(keys).str.strip_chars())
    unit = pl.when(pl.col("force") == CITY_OF_LONDON_POLICE).then(pl.lit("E09000001"))
    if names_units:
        names = frame["lsoa_name"].unique()
        boroughs = pl.DataFrame({"lsoa_name": names}).with_columns(
            borough=pl.col("lsoa_name").str.replace(r"\s+[0-9]{3}[A-Z]$", "").str.to_lowercase()
            .str.replace_all("&", " and ", literal=True).str.replace_all(r"[-_\s]+", " ")
            .replace_strict(_BOROUGH_BY_NAME, default=None, return_dtype=pl.Utf8)
        )
        frame = frame.join(boroughs, on="lsoa_name", how="left", nulls_equal=True)
        met = pl.col("force") == METROPOLITAN_POLICE
        unknown = frame.filter(met & pl.col("borough").is_null()).sort(LINE)
        if unknown.height:
            problems.add(
                f"{unknown['count'].sum():,} Metropolitan Police row(s) have no London LSOA; they are kept "
                "as unit 'MPS-UNKNOWN' and count only towards force totals",
                line=int(unknown[LINE][0]), column=found["lsoa_name"],
                value=unknown["lsoa_name"][0], severity="warning",
            )
        unit = unit.when(met).then(pl.col("borough").fill_null("MPS-UNKNOWN"))
    frame = frame.with_columns(unit=unit.otherwise(pl.col("force")), period=pl.col("month"),
                               period_kind=pl.lit("month"))
    # Rows merge only where stripping made two values one, or where LSOA names were a key.
    table = grouped_table(kind, frame, aggregate=spaced or names_units)
    return finish(result, problems, table, rows_accepted=rows.rows_read)
