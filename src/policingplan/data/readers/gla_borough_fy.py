"""``gla-borough-fy``: the GLA's financial-year borough figures, ``Code,Borough,Year,Value``.

``Year`` is written ``YYYY-12-31`` and means the financial year that starts in
April of YYYY (``2003-12-31`` is 2003/04); ``YYYY/YY`` is accepted too.  The
one attribute, ``measure``, comes from the file's name: a name containing
``rate`` is the rates file (``rate_per_1000``: offences per 1,000 residents,
in ``value``, with ``count`` left null); any other name is the offences file
(``offences``: whole numbers, in both ``count`` and ``value``).  The unit is
the ``Code`` when it is a known ONS code, otherwise the area named in
``Borough`` (``Heathrow`` is ``MPS-HEATHROW``, ``England and Wales`` is
``K04000001``).  A value of ``n/a`` (or blank) is no figure: the row is left
out with a warning, never counted as zero.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from policingplan.data.readers import ReadResult
from policingplan.data.readers.base import (
    LINE, check_duplicates, check_rows, drop_not_available, finish, grouped_table, map_units,
    match_columns, start_csv, parse_counts,
)
from policingplan.data.units import ALL_UNITS

#: More offences than England and Wales records in a year is not a real figure.
CEILING = 20_000_000
#: No area has a rate above this many offences per 1,000 residents (Westminster is near 400).
RATE_CEILING = 5_000.0


def measure_of(file: str) -> str:
    """``rate_per_1000`` for a file whose name says ``rate``; ``offences`` otherwise."""
    return "rate_per_1000" if "rate" in Path(file).name.lower() else "offences"


def read(kind: str, file: str, data: bytes) -> ReadResult:
    result, problems, rows = start_csv(kind, file, data)
    if rows is None:
        return finish(result, problems)
    found = match_columns(rows, {"code": ["Code"], "borough": ["Borough"], "year": ["Year"],
                                 "value": ["Value"]}, problems)
    if found is None:
        return finish(result, problems)
    frame = rows.frame.select(
        LINE, *[pl.col(header).str.strip_chars().alias(name) for name, header in found.items()]
    )
    start = (
        pl.when(pl.col("year").str.contains(r"^[0-9]{4}-12-31$"))
        .then(pl.col("year").str.slice(0, 4))
        .when(pl.col("year").str.contains(r"^[0-9]{4}/[0-9]{2}$")
              & ((pl.col("year").str.slice(0, 4).cast(pl.Int64, strict=False) + 1) % 100
                 == pl.col("year").str.slice(5, 2).cast(pl.Int64, strict=False)))
        .then(pl.col("year").str.slice(0, 4))
        .otherwise(None).cast(pl.Int64, strict=False)
    )
    frame = frame.with_columns(start=start)
    check_rows(frame, pl.col("start").is_null() | ~pl.col("start").is_between(1900, 2099), problems,
               message="not a financial year", column="year", label=found["year"],
               accepted="YYYY-12-31 for the financial year starting in April of YYYY "
                        "(2003-12-31 is 2003/04), or YYYY/YY")
    code_known = pl.col("code").str.to_uppercase().is_in(list(ALL_UNITS))
    names = frame.select(pl.when(code_known).then(pl.col("code")).otherwise(pl.col("borough")))
    frame = frame.with_columns(unit=map_units(names.to_series(), frame, found["borough"], problems))
    frame = drop_not_available(frame, "value", found["value"], problems)
    measure = measure_of(file)
    if measure == "offences":
        count = parse_counts(frame, "value", problems, ceiling=CEILING, label=found["value"])
        frame = frame.with_columns(count=count, value=count.cast(pl.Float64))
    else:
        value = frame["value"].cast(pl.Float64, strict=False)
        frame = frame.with_columns(count=pl.lit(None, dtype=pl.Int64), value=value)
        check_rows(frame, pl.col("value").is_null() | pl.col("value").is_nan(), problems,
                   message="the rate is not a number", column="value", label=found["value"],
                   accepted="a rate per 1,000 residents, e.g. 120.45")
        check_rows(frame, (pl.col("value") < 0) | (pl.col("value") > RATE_CEILING), problems,
                   message="the rate is negative or implausibly large", column="value",
                   label=found["value"],
                   accepted=f"a rate per 1,000 residents from 0 to {RATE_CEILING:,.0f}")
    if problems.has_errors:
        return finish(result, problems)
    frame = frame.with_columns(
        period=pl.format("{}/{}", pl.col("start"),
                         ((pl.col("start") + 1) % 100).cast(pl.Utf8).str.zfill(2)),
        period_kind=pl.lit("fy"),
        measure=pl.lit(measure),
    )
    check_duplicates(frame, ["unit", "period"], problems, described_as="area and year")
    return finish(result, problems, grouped_table(kind, frame, aggregate=False),
                  rows_accepted=frame.height)
