"""``gla-borough-fy``: the GLA's financial-year borough figures, ``Code,Borough,Year,Value``.

Every column is checked (see ``docs/formats/gla-borough-fy.md``):

* ``Code`` is one of the codes the GLA files use: a London borough's ONS code
  (``E09000002`` … ``E09000033``, and ``E09000001`` for the City), ``E12000007``
  (Met Police Area), ``E13000001`` / ``E13000002`` (Inner / Outer London),
  ``727`` or ``K04000001`` (England and Wales) and ``#N/A`` (Heathrow, which has
  no code); and ``Borough`` is that code's area (however spelt).
* ``Year`` is written ``YYYY-12-31`` and means the financial year that starts in
  April of YYYY (``2003-12-31`` is 2003/04); ``YYYY/YY`` is accepted too.  The
  year starts from 1970 to this year.
* ``Value``: the measure comes from the file's name: a name containing ``rate``
  is the rates file (``rate_per_1000``: offences per 1,000 residents, a decimal
  from 0 to 5,000, in ``value``, with ``count`` left null); any other name is the
  offences file (``offences``: whole numbers, in both ``count`` and ``value``).
  ``n/a`` is no figure: the row is left out with a warning, never counted as zero.

The key is the area and year (``Code``, ``Year``): a repeat is an error naming both lines.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from policingplan.data.readers import ReadResult
from policingplan.data.readers.base import (
    LINE, check_key, check_rows, find_columns, finish, grouped_table, parse_counts, start_csv,
)
from policingplan.data.units import LONDON_BOROUGHS, OTHER_AREAS, unit_code

#: No area records more offences in a year than this (England and Wales: about 6 million).
CEILING = 20_000_000
#: No borough (nor Heathrow) records more offences in a year than this (Westminster: under 90,000).
BOROUGH_CEILING = 1_000_000
#: No area has a rate above this many offences per 1,000 residents (Westminster is near 460).
RATE_CEILING = 5_000.0

#: The codes that the GLA files write for areas without an ONS code of their own, as units.
GLA_CODES = {"727": "K04000001", "#N/A": "MPS-HEATHROW"}
#: Every accepted ``Code`` → its unit.
CODES: dict[str, str] = {
    **{code: code for code in LONDON_BOROUGHS},
    **{code: code for code in ("E12000007", "E13000001", "E13000002", "K04000001")},
    **GLA_CODES,
}
ACCEPTED_CODES = ("a London borough's ONS code (E09000001 to E09000033), E12000007 (Met Police "
                  "Area), E13000001 (Inner London), E13000002 (Outer London), 727 or K04000001 "
                  "(England and Wales), or #N/A (Heathrow)")
#: The value written for "no figure" in these files.
NO_FIGURE = "n/a"
_DECIMAL = r"^[0-9]+(?:\.[0-9]+)?$"

COLUMNS = "Code, Borough, Year, Value"


def measure_of(file: str) -> str:
    """``rate_per_1000`` for a file whose name says ``rate``; ``offences`` otherwise."""
    return "rate_per_1000" if "rate" in Path(file).name.lower() else "offences"


def _area_name(unit: str) -> str:
    return LONDON_BOROUGHS.get(unit) or OTHER_AREAS.get(unit, unit)


def read(kind: str, file: str, data: bytes) -> ReadResult:
    result, problems, rows = start_csv(kind, file, data)
    if rows is None:
        return finish(result, problems)
    found = find_columns(rows, {"code": ["Code"], "borough": ["Borough"], "year": ["Year"],
                                "value": ["Value"]}, problems, accepted=COLUMNS)
    if found is None:
        return finish(result, problems)
    labels = found
    frame = rows.frame.select(
        LINE, *[pl.col(header).str.strip_chars().alias(name) for name, header in found.items()]
    )

    # Code and Borough: a known code, and the area that the code stands for.
    codes = frame["code"].unique().to_list()
    code_units = {c: CODES.get(c.upper()) if c is not None else None for c in codes}
    names = frame["borough"].unique().to_list()
    name_units = {n: unit_code(n) if n else None for n in names}
    frame = frame.with_columns(
        unit=pl.col("code").replace_strict(code_units, default=None, return_dtype=pl.Utf8),
        named=pl.col("borough").replace_strict(name_units, default=None, return_dtype=pl.Utf8),
    )
    check_rows(frame, pl.col("unit").is_null(), problems, message="not an area code of this file",
               column="code", label=labels["code"], accepted=ACCEPTED_CODES)
    check_rows(frame, pl.col("named").is_null(), problems, message="unknown borough or area",
               column="borough", label=labels["borough"],
               accepted="a London borough's name, Heathrow, Met Police Area, Inner London, "
                        "Outer London or England and Wales")
    mismatch = frame.filter(pl.col("unit").is_not_null() & pl.col("named").is_not_null()
                            & (pl.col("unit") != pl.col("named")))
    for row in mismatch.head(50).iter_rows(named=True):
        problems.add(f"the borough does not match the code: {row['code']} is {_area_name(row['unit'])}",
                     line=row[LINE], column=labels["borough"], value=row["borough"],
                     accepted=f"{_area_name(row['unit'])} for the code {row['code']}",
                     key="gla-code-name")
    if mismatch.height > 50:
        problems.add(f"{mismatch.height - 50:,} more line(s) whose borough does not match the code",
                     accepted="the area that the code stands for", key="gla-code-name-more")

    # Year: the financial year that starts in April of YYYY.
    this_year = dt.date.today().year
    year = pl.col("year")
    start = (
        pl.when(year.str.contains(r"^[0-9]{4}-12-31$"))
        .then(year.str.slice(0, 4))
        .when(year.str.contains(r"^[0-9]{4}/[0-9]{2}$")
              & ((year.str.slice(0, 4).cast(pl.Int64, strict=False) + 1) % 100
                 == year.str.slice(5, 2).cast(pl.Int64, strict=False)))
        .then(year.str.slice(0, 4))
        .otherwise(None).cast(pl.Int64, strict=False)
    )
    frame = frame.with_columns(start=start)
    check_rows(frame, pl.col("start").is_null() | ~pl.col("start").is_between(1970, this_year),
               problems, message="not a financial year", column="year", label=labels["year"],
               accepted=f"YYYY-12-31 for the financial year starting in April of YYYY "
                        f"(2003-12-31 is 2003/04), or YYYY/YY; from 1970 to {this_year}")

    # The key: the area and the year, once each (compared before n/a rows are left out).
    check_key(frame.with_columns(area=pl.col("unit")), ["area", "start"], ["borough", "value"],
              {"area": labels["code"], "start": labels["year"], "borough": labels["borough"],
               "value": labels["value"]},
              problems, described_as="area and year")

    # Value: n/a is no figure; otherwise a count (offences) or a rate.
    missing = frame.filter(pl.col("value").str.to_lowercase() == NO_FIGURE)
    if missing.height:
        problems.add(
            f"{missing.height:,} row(s) have no figure (marked {missing['value'][0]!r}); "
            "they are left out as missing, not counted as zero",
            line=int(missing[LINE][0]), column=labels["value"], value=missing["value"][0],
            severity="warning", key="not-available",
        )
    frame = frame.filter(pl.col("value").str.to_lowercase() != NO_FIGURE)
    measure = measure_of(file)
    if measure == "offences":
        count = parse_counts(frame, "value", problems, ceiling=CEILING, label=labels["value"])
        frame = frame.with_columns(count=count, value_number=count.cast(pl.Float64))
        small = pl.col("unit").is_in(list(LONDON_BOROUGHS) + ["MPS-HEATHROW"])
        check_rows(frame, small & (pl.col("count") > BOROUGH_CEILING), problems,
                   message="the count is implausibly large for a borough", column="value",
                   label=labels["value"],
                   accepted=f"at most {BOROUGH_CEILING:,} offences in a year for a borough or Heathrow")
    else:
        frame = frame.with_columns(
            count=pl.lit(None, dtype=pl.Int64),
            value_number=pl.when(pl.col("value").str.contains(_DECIMAL))
            .then(pl.col("value").cast(pl.Float64, strict=False)),
        )
        check_rows(frame, pl.col("value_number").is_null() & ~pl.col("value").str.contains(r"^-[0-9.]+$"),
                   problems, message="the rate is not a number", column="value", label=labels["value"],
                   accepted="a rate per 1,000 residents written in digits, e.g. 120.45, or n/a")
        check_rows(frame, pl.col("value").str.contains(r"^-[0-9.]+$"), problems,
                   message="the rate is negative", column="value", label=labels["value"],
                   accepted=f"a rate per 1,000 residents from 0 to {RATE_CEILING:,.0f}")
        check_rows(frame, pl.col("value_number") > RATE_CEILING, problems,
                   message="the rate is implausibly large", column="value", label=labels["value"],
                   accepted=f"a rate per 1,000 residents from 0 to {RATE_CEILING:,.0f}")

    if problems.has_errors:
        return finish(result, problems)
    frame = frame.with_columns(
        period=pl.format("{}/{}", pl.col("start"),
                         ((pl.col("start") + 1) % 100).cast(pl.Utf8).str.zfill(2)),
        period_kind=pl.lit("fy"),
        measure=pl.lit(measure),
        value=pl.col("value_number"),
    )
    return finish(result, problems, grouped_table(kind, frame, aggregate=False),
                  rows_accepted=frame.height)
