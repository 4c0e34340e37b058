"""Totals straight from canonical tables, without a plan: ``policingplan data totals``."""

from __future__ import annotations

from typing import Iterable

import polars as pl
import pyarrow as pa

from policingplan.data.readers import ATTRIBUTES, VALUE_COLUMNS
from policingplan.data.units import AGGREGATE_AREA_PREFIXES
from policingplan.problems import UserError
from policingplan.periods import Month

PERIOD_KINDS = ("month", "fy", "year")
BY_CHOICES = ("unit", "force")


def parse_where(kind: str, clauses: Iterable[str]) -> dict[str, list[str]]:
    """``ATTR=V1,V2`` clauses → {attribute: values}; an unknown attribute is a UserError."""
    attributes = ATTRIBUTES[kind]
    where: dict[str, list[str]] = {}
    for clause in clauses:
        name, sep, values = clause.partition("=")
        name = name.strip()
        if not sep or not name or not values.strip():
            raise UserError(f"--where {clause!r} is not ATTRIBUTE=VALUE[,VALUE...]; "
                            f"for example --where {attributes[0] if attributes else 'unit'}=...")
        if name != "unit" and name not in attributes:
            known = ", ".join(("unit",) + attributes)
            raise UserError(f"--where: {kind} has no attribute {name!r}; its attributes are {known}")
        where.setdefault(name, []).extend(v.strip() for v in values.split(","))
    return where


def _period_converter(source_kind: str, target: str, kind: str):
    """An expression turning ``period`` of ``source_kind`` into a ``target`` period, or a UserError."""
    if source_kind == target:
        return pl.col("period")
    if source_kind == "month" and target == "year":
        return pl.col("period").str.slice(0, 4)
    if source_kind == "month" and target == "fy":
        return pl.col("period").map_elements(lambda m: str(Month(m).financial_year), return_dtype=pl.Utf8)
    raise UserError(
        f"{kind} gives {'calendar years' if source_kind == 'year' else 'financial years'}; "
        f"they cannot be split into {'months' if target == 'month' else 'calendar years' if target == 'year' else 'financial years'}. "
        f"Use --period {source_kind}"
    )


def file_totals(kind: str, tables: Iterable[pa.Table], *, period: str, by: str,
                where: dict[str, list[str]] | None = None, value: str | None = None) -> list[dict]:
    """Sum a value by unit (or the whole force) and period: ``[{"unit","period","count"}]``.

    The force's total adds up every unit, ``MPS-UNKNOWN`` included, but not
    areas made of units (see :data:`~policingplan.data.units.AGGREGATE_AREA_PREFIXES`).

    Within one ``where`` attribute the values are ORed, letter case ignored;
    attributes are ANDed.  ``value`` picks the value column (the kind's first by default).
    """
    if period not in PERIOD_KINDS:
        raise UserError(f"--period {period!r} is not accepted; use one of {', '.join(PERIOD_KINDS)}")
    if by not in BY_CHOICES:
        raise UserError(f"--by {by!r} is not accepted; use unit or force")
    value_columns = [name for name, _ in VALUE_COLUMNS[kind]]
    value = value or value_columns[0]
    if value not in value_columns:
        raise UserError(f"--value {value!r}: {kind} has the values {', '.join(value_columns)}")
    frames = [pl.from_arrow(t) for t in tables if t.num_rows]
    if not frames:
        return []
    frame = pl.concat(frames, how="vertical")
    if frame[value].null_count() == frame.height:
        others = [v for v in value_columns if v != value and frame[v].null_count() < frame.height]
        raise UserError(f"these {kind} files have no {value!r} values"
                        + (f"; use --value {others[0]}" if others else ""))
    for attribute, values in (where or {}).items():
        wanted = [v.lower() for v in values]
        frame = frame.filter(pl.col(attribute).str.to_lowercase().is_in(wanted))
    parts = []
    for source_kind in frame["period_kind"].unique().sort().to_list():
        part = frame.filter(pl.col("period_kind") == source_kind)
        parts.append(part.with_columns(period=_period_converter(source_kind, period, kind)))
    if not parts:
        return []
    frame = pl.concat(parts)
    if by == "force":
        # Areas made of units (the Met Police Area, England and Wales) would count them twice.
        frame = frame.filter(~pl.col("unit").str.slice(0, 3).is_in(list(AGGREGATE_AREA_PREFIXES)))
        frame = frame.with_columns(unit=pl.lit("force"))
    totals = frame.group_by("unit", "period").agg(pl.col(value).sum().alias("count")).sort("unit", "period")
    return totals.to_dicts()


def part_periods(tables: Iterable[pa.Table], period: str) -> list[str]:
    """The financial or calendar years that the files' months cover only in part."""
    if period == "month":
        return []
    months = set()
    for table in tables:
        if table.num_rows:
            frame = pl.from_arrow(table.select(["period", "period_kind"]))
            months.update(frame.filter(pl.col("period_kind") == "month")["period"].unique().to_list())
    covered: dict[str, int] = {}
    for month in months:
        key = str(Month(month).financial_year) if period == "fy" else month[:4]
        covered[key] = covered.get(key, 0) + 1
    return sorted(key for key, count in covered.items() if count < 12)
