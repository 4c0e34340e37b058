"""``tfl-casualties``: TfL's road casualty extracts (from police STATS19 returns), one row per casualty.

Columns used, in any letter case: ``AREFNO`` (the accident reference),
``Borough``, ``Casualty Class``, ``Casualty Severity``, ``Casualty Age
(Banded)`` (or ``Casualty Age Band``/``Age Band``), ``Casualty Age`` and
``Mode of Travel``; a ``Date``/``Accident Date`` column, where an extract has
one, gives months.  Labels lose any numeric prefix and are lower-cased
(``1 FATAL`` and ``Fatal`` are both ``fatal``).

Attributes: ``severity`` (``fatal``, ``serious``, ``slight``), ``age_group``
(``child`` for 0–15, ``adult``, ``unknown``), ``mode`` (``car``, ``pedestrian``,
``pedal cycle`` …) and ``casualty_class`` (``driver/rider``, ``passenger``,
``pedestrian``).  Unknown age is band ``U`` with a blank age (2019) or band
``Unknown`` with age 0 (2018): both are ``unknown``, never a child.  Without a
date, the period is the calendar year that the accident reference encodes in
the two digits after its force code: the reference has 10 or 11 digits, a
force code of 1 or 2 digits (1 the Metropolitan Police, 48 the City of London
Police), then the year (``1190…`` and ``4819…`` are both 2019).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from policingplan.data.readers import ReadResult
from policingplan.data.readers.base import (
    LINE, check_rows, finish, grouped_table, map_units, match_columns, start_csv,
)

SEVERITIES = ("fatal", "serious", "slight")
_UNKNOWN_BANDS = ("u", "unknown", "not known", "")
_CHILD_BANDS = ("0-15", "0 - 15")


def _label(column: str) -> pl.Expr:
    """A publisher's label without its numeric prefix or quote, lower-cased: ``'-1 UNKNOWN`` → ``unknown``."""
    return (pl.col(column).str.strip_chars().str.replace(r"^'?-?[0-9]+\s+", "")
            .str.to_lowercase().str.strip_chars())


def read(kind: str, file: str, data: bytes) -> ReadResult:
    result, problems, rows = start_csv(kind, file, data)
    if rows is None:
        return finish(result, problems)
    wanted = {
        "reference": ["AREFNO", "Accident Ref", "Accident Reference"],
        "borough": ["Borough"],
        "casualty_class": ["Casualty Class"],
        "severity": ["Casualty Severity", "Severity"],
        "band": ["Casualty Age (Banded)", "Casualty Age Band", "Age Band"],
        "age": ["Casualty Age", "Age"],
        "mode": ["Mode of Travel", "Mode"],
    }
    found = match_columns(rows, wanted, problems)
    if found is None:
        return finish(result, problems)
    by_lower = {h.lower(): h for h in rows.header}
    date_header = next((by_lower[n] for n in ("date", "accident date") if n in by_lower), None)
    frame = rows.frame.select(
        LINE, *[pl.col(header).str.strip_chars().alias(name) for name, header in found.items()],
        *([pl.col(date_header).str.strip_chars().alias("date")] if date_header else []),
    )
    frame = frame.with_columns(
        severity=_label("severity"), casualty_class=_label("casualty_class"), mode=_label("mode"),
        band_label=pl.col("band").str.to_lowercase(),
        age_number=pl.col("age").cast(pl.Int64, strict=False),
    )
    check_rows(frame, ~pl.col("severity").is_in(SEVERITIES), problems,
               message="not a casualty severity", column="severity", label=found["severity"],
               accepted="FATAL, SERIOUS or SLIGHT (with or without a numeric prefix, any case)")
    check_rows(frame, (pl.col("age") != "") & pl.col("age_number").is_null(), problems,
               message="the age is not a whole number", column="age", label=found["age"],
               accepted="an age in years (0 to 120) or blank")
    check_rows(frame, (pl.col("age_number") < 0) | (pl.col("age_number") > 120), problems,
               message="the age is impossible", column="age", label=found["age"],
               accepted="an age in years from 0 to 120, or blank")
    for attribute in ("casualty_class", "mode"):
        check_rows(frame, pl.col(attribute) == "", problems, message=f"the {attribute.replace('_', ' ')} is blank",
                   column=attribute, label=found[attribute], accepted="a label, e.g. 4 CAR")
    frame = frame.with_columns(
        age_group=pl.when(pl.col("band_label").is_in(_UNKNOWN_BANDS)).then(pl.lit("unknown"))
        .when(pl.col("band_label").is_in(_CHILD_BANDS)).then(pl.lit("child"))
        .when(pl.col("band_label").str.contains(r"^[0-9]")).then(
            pl.when(pl.col("band_label").str.extract(r"^([0-9]+)").cast(pl.Int64, strict=False) <= 15)
            .then(pl.lit("child")).otherwise(pl.lit("adult")))
        .otherwise(None),
    )
    check_rows(frame, pl.col("age_group").is_null(), problems, message="not an age band",
               column="band", label=found["band"],
               accepted="an age band such as 0-15, 16-24, 25-59, 60+, or U/Unknown for not known")
    if date_header:
        parsed = pl.coalesce(
            pl.col("date").str.to_date("%Y-%m-%d", strict=False),
            pl.col("date").str.to_date("%d/%m/%Y", strict=False),
        )
        frame = frame.with_columns(period=parsed.dt.strftime("%Y-%m"), period_kind=pl.lit("month"))
        check_rows(frame, pl.col("period").is_null(), problems, message="not a date",
                   column="date", label=date_header,
                   accepted="a date written YYYY-MM-DD or DD/MM/YYYY")
    else:
        year = "20" + pl.col("reference").str.slice(pl.col("reference").str.len_chars() - 9, 2)
        reference_ok = (pl.col("reference").str.contains(r"^[0-9]{10,11}$")
                        & (year.cast(pl.Int64, strict=False) <= date.today().year))
        frame = frame.with_columns(period=pl.when(reference_ok).then(year), period_kind=pl.lit("year"))
        check_rows(frame, ~reference_ok, problems,
                   message="not an accident reference", column="reference", label=found["reference"],
                   accepted="10 or 11 digits: a force code of 1 or 2 digits, then the year's last "
                            "two digits (not a future year), e.g. 1190128300 or 48190012345 (2019)")
    frame = frame.with_columns(unit=map_units(frame["borough"], frame, found["borough"], problems),
                               count=pl.lit(1, dtype=pl.Int64))
    if problems.has_errors:
        return finish(result, problems)
    return finish(result, problems, grouped_table(kind, frame), rows_accepted=rows.rows_read)
