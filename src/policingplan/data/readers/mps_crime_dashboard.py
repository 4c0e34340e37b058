"""``mps-crime-dashboard``: the MPS Monthly Crime Dashboard, long format.

Columns used: ``month_year`` (``2021-08-01``: the month), ``area_code``,
``area_name``, ``crime_type``, ``crime_subtype``, ``measure``, ``count`` and
``refresh_date`` (the vintage: the latest date in the file, with a warning
when a file mixes several).  Attributes ``crime_type``, ``crime_subtype`` and
``measure`` (``Offences`` or ``Positive Outcomes``) keep the publisher's
values, spelling included (``Miscalleneous``).

The unit is ``area_code`` when it is a London borough's ONS code; otherwise the
area named: ``SO18``/Aviation Security is ``MPS-AIRPORTS``, ``Non MET police
force`` is ``MPS-NON-MET``, and a blank, ``Unknown`` or ``N/K`` area is
``MPS-UNKNOWN`` (a warning).
"""

from __future__ import annotations

import polars as pl

from policingplan.data.readers import ReadResult
from policingplan.data.readers.base import (
    LINE, check_duplicates, check_rows, finish, grouped_table, map_units, match_columns, start_csv,
    parse_counts,
)
from policingplan.data.units import LONDON_BOROUGHS

#: No borough records this many offences of one type in a month.
CEILING = 1_000_000


def read(kind: str, file: str, data: bytes) -> ReadResult:
    result, problems, rows = start_csv(kind, file, data)
    if rows is None:
        return finish(result, problems)
    found = match_columns(rows, {
        "month_year": ["month_year"], "area_code": ["area_code"], "area_name": ["area_name"],
        "crime_type": ["crime_type"], "crime_subtype": ["crime_subtype"], "measure": ["measure"],
        "count": ["count"], "refresh_date": ["refresh_date"],
    }, problems)
    if found is None:
        return finish(result, problems)
    frame = rows.frame.select(
        LINE, *[pl.col(header).str.strip_chars().alias(name) for name, header in found.items()]
    )
    month = pl.col("month_year").str.extract(r"^((?:19|20)[0-9][0-9]-(?:0[1-9]|1[0-2]))(?:-[0-9][0-9])?$")
    frame = frame.with_columns(period=month, period_kind=pl.lit("month"))
    check_rows(frame, pl.col("period").is_null(), problems, message="not a real month",
               column="month_year", label=found["month_year"],
               accepted="the first day of a month, YYYY-MM-01 (or YYYY-MM), month 01 to 12")
    check_rows(frame, pl.col("measure") == "", problems, message="the measure is blank",
               column="measure", label=found["measure"], accepted="Offences or Positive Outcomes")
    check_rows(frame, pl.col("crime_type") == "", problems, message="the crime type is blank",
               column="crime_type", label=found["crime_type"], accepted="a crime type, e.g. Knife Crime")
    code_is_borough = pl.col("area_code").str.to_uppercase().is_in(list(LONDON_BOROUGHS))
    area = frame.select(
        pl.when(code_is_borough).then(pl.col("area_code"))
        .when(pl.col("area_code").str.to_uppercase() == "SO18").then(pl.lit("SO18"))
        .when(pl.col("area_name") == "").then(pl.lit("Unknown"))
        .otherwise(pl.col("area_name"))
    ).to_series()
    frame = frame.with_columns(
        unit=map_units(area, frame, found["area_name"], problems),
        count=parse_counts(frame, "count", problems, ceiling=CEILING, label=found["count"]),
    )
    check_duplicates(frame, ["period", "area_code", "area_name", "crime_type", "crime_subtype", "measure"],
                     problems, described_as="month, area, crime type, subtype and measure")
    refresh = frame.filter(pl.col("refresh_date") != "")["refresh_date"].unique().sort().to_list()
    if len(refresh) > 1:
        problems.add(f"the file mixes {len(refresh)} refresh dates ({', '.join(refresh)}); "
                     f"its vintage is taken as the latest, {refresh[-1]}",
                     column=found["refresh_date"], value=refresh[0], severity="warning")
    result.vintage = refresh[-1] if refresh else None
    if problems.has_errors:
        return finish(result, problems)
    return finish(result, problems, grouped_table(kind, frame), rows_accepted=rows.rows_read)
