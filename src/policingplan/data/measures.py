"""A plan's measure values, by unit and period, computed in the warehouse by counting rules.

Each measure's rule is compiled to Ibis (:mod:`policingplan.data.rules`) and
run on DuckDB over the warehouse's records (:meth:`Warehouse.records_table`), or, the same
expressions, on Spark (:mod:`policingplan.data.engines`).  The result has one row
per measure, unit and period: ``measure, unit, month, period_kind, numerator,
denominator``.  ``month`` holds the source's period: a month ``2019-04`` for
monthly sources, but a calendar year ``2019`` or a financial year ``2006/07``
for sources published only by year (``period_kind`` says which), so that an
annual source is never passed off as a month.

The force's row (unit ``force``) is the force's own figure where the source
gives one (a ``tidy`` line for unit ``force``: a survey of all London, say),
used as it is; otherwise it is the sum of every unit in the source that
the rule counts, including records a publisher could not place in a borough
(``MPS-UNKNOWN``) but not areas made of other areas (the Met Police Area,
England and Wales: see :data:`~policingplan.data.units.AGGREGATE_AREA_PREFIXES`);
ratios and percentages are recomputed from the summed numerators and
denominators, never averaged (docs/conventions.md#roll-ups).
"""

from __future__ import annotations

from typing import Iterable

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from policingplan.data.engines import Engine, spark_failure
from policingplan.data.readers import ATTRIBUTES
from policingplan.data.rules import SUM_OF, compile_rule, force_totals, rule_attributes, validate_rule
from policingplan.data.warehouse import Warehouse
from policingplan.plan.model import FORCE, Measure, Plan
from policingplan.problems import UserError
from policingplan.periods import FinancialYear, Month, PeriodError

#: The columns of :func:`measure_values`' table.
MEASURE_VALUE_SCHEMA = pa.schema([
    ("measure", pa.string()), ("unit", pa.string()), ("month", pa.string()),
    ("period_kind", pa.string()), ("numerator", pa.float64()), ("denominator", pa.float64()),
])


class SourceNotLoaded(UserError):
    """A measure's source kind has no records in the warehouse."""

    def __init__(self, measure: Measure, kind: str):
        super().__init__(f"measure {measure.id!r} counts {kind} records, and none are loaded")
        self.measure = measure
        self.kind = kind


def period_months(period: str, period_kind: str) -> tuple[Month, Month]:
    """The first and last month of a period: a month, a financial year or a calendar year."""
    if period_kind == "month":
        return Month(period), Month(period)
    if period_kind == "fy":
        year = FinancialYear(period)
        return year.first_month, year.last_month
    return Month.of(int(period), 1), Month.of(int(period), 12)


def measures_with_rules(plan: Plan, measure_id: str | None = None) -> list[Measure]:
    """The measures to compute: the one asked for, or every measure that has a source and a rule."""
    if measure_id is not None:
        try:
            measure = plan.measure(measure_id)
        except KeyError:
            known = ", ".join(m.id for m in plan.measures) or "none"
            raise UserError(f"the plan has no measure {measure_id!r}; its measures: {known}") from None
        if measure.source is None or measure.rule is None:
            raise UserError(f"measure {measure_id!r} has no source and counting rule in the plan, "
                            "so it cannot be computed from data")
        return [measure]
    return [m for m in plan.measures if m.source is not None and m.rule is not None]


def measure_values(
    plan: Plan,
    warehouse: Warehouse,
    measure_id: str | None = None,
    unit: str | None = None,
    start: str | None = None,
    end: str | None = None,
    engine: Engine | None = None,
) -> pa.Table:
    """The plan's measure values from the warehouse, with the force's totals (see the module doc).

    ``start`` and ``end`` (``YYYY-MM``) keep the periods that lie wholly
    within them; ``unit`` keeps one unit (or ``force``).  A measure whose
    source is not loaded raises :class:`SourceNotLoaded`; a rule that names
    an unknown attribute or a value the data never holds raises a
    :class:`UserError` carrying the problems.

    ``engine`` is where the counting rules run: DuckDB in this process by default, or Spark
    (:mod:`policingplan.data.engines`); the same Ibis expressions run on either.
    """
    first, last = _month_bounds(start, end)
    measures = measures_with_rules(plan, measure_id)
    engine = engine or Engine()
    try:
        return warehouse.read_consistently(
            lambda: _measure_values(measures, warehouse, unit, first, last, engine), engine.retry_errors())
    except engine.retry_errors() as exc:  # none for DuckDB; Spark's job errors, after the retry
        raise spark_failure(exc) from None


def _measure_values(measures: list[Measure], warehouse: Warehouse, unit: str | None,
                    first: Month | None, last: Month | None, engine: Engine) -> pa.Table:
    con = engine.connect()
    # The force's rows sum the units' rows, a few thousand at most: that roll-up runs here, on
    # DuckDB, whatever the engine (a Spark job for it would cost more than the sum).
    local = con if engine.runs_here else Warehouse.connection()
    try:
        return _values_on(con, local, measures, warehouse, unit, first, last, engine)
    finally:
        engine.release(con)
        if local is not con:
            local.disconnect()


def _values_on(con, local, measures: list[Measure], warehouse: Warehouse, unit: str | None,
               first: Month | None, last: Month | None, engine: Engine) -> pa.Table:
    tables: dict[str, ibis.Table] = {}
    seen: dict[tuple[str, str], set[str]] = {}
    parts: list[pa.Table] = []
    for measure in measures:
        problems = validate_rule(measure)
        if not problems.ok:
            raise UserError(str(problems.errors[0]), problems.errors)
        kind = measure.source
        if kind not in tables:
            records = engine.records_table(con, warehouse, kind)
            if records is None:
                raise SourceNotLoaded(measure, kind)
            tables[kind] = records
            # The values of every attribute that this kind's measures filter on, in one scan (a
            # query costs Spark far more than the scan does).
            _values_seen(records, kind, _attributes_of(measures, kind), seen)
        source = tables[kind]
        problems = validate_rule(measure, _values_seen(source, kind, rule_attributes(measure.rule), seen))
        if not problems.ok:
            raise UserError(str(problems.errors[0]), problems.errors)
        values = compile_rule(measure, source)
        if unit is not None and unit != FORCE:
            values = values.filter(values.unit == unit)
        table = values.to_pyarrow()
        if measure.kind in ("ratio", "percentage"):
            # A force line without its denominator is no rate: the force's row is then the units' sum.
            table = table.filter(pc.or_(pc.not_equal(table.column("unit"), FORCE),
                                        pc.is_valid(table.column("denominator"))))
        if unit is None or unit == FORCE:
            # The force's rows sum the units' rows just computed (no second scan of the records),
            # for the periods where the source gives no figure for the force itself.
            totals = local.to_pyarrow(force_totals(ibis.memtable(table), measure)).cast(table.schema)
            if unit == FORCE:
                table = table.filter(pc.equal(table.column("unit"), FORCE))
            table = pa.concat_tables([table, totals])
        parts.append(_in_range(table, measure.id, first, last))
    if not parts:
        return MEASURE_VALUE_SCHEMA.empty_table()
    table = pa.concat_tables(parts)
    return table.sort_by([("measure", "ascending"), ("unit", "ascending"), ("month", "ascending")])


def _attributes_of(measures: list[Measure], kind: str) -> list[str]:
    """The known attributes of ``kind`` that the measures of that kind filter on."""
    known = set(ATTRIBUTES.get(kind, ()))
    return sorted({attr for m in measures if m.source == kind and m.rule is not None
                   for attr in rule_attributes(m.rule) if attr in known})


def _values_seen(source: ibis.Table, kind: str, attributes: Iterable[str],
                 cache: dict[tuple[str, str], set[str]]) -> dict[str, set[str]]:
    """The distinct values of each attribute in the loaded data, each looked up once per call
    (all those not yet known in one scan)."""
    wanted = [attr for attr in attributes if attr != SUM_OF and (kind, attr) not in cache]
    if wanted:
        distinct = {attr: source[attr].collect(distinct=True) for attr in wanted}
        found = source.aggregate(**distinct).to_pyarrow()
        for attr in wanted:
            cache[(kind, attr)] = {value for value in found.column(attr)[0].as_py() if value is not None}
    return {attr: cache[(kind, attr)] for attr in attributes if attr != SUM_OF}


def _month_bounds(start: str | None, end: str | None) -> tuple[Month | None, Month | None]:
    try:
        first = Month(start) if start else None
        last = Month(end) if end else None
    except PeriodError as exc:
        raise UserError(str(exc)) from None
    if first and last and last < first:
        raise UserError(f"the range runs backwards: from {first} to {last}")
    return first, last


def _in_range(table: pa.Table, measure_id: str, first: Month | None, last: Month | None) -> pa.Table:
    keep = []
    for period, kind in zip(table.column("period").to_pylist(), table.column("period_kind").to_pylist()):
        begins, ends = period_months(period, kind)
        keep.append((first is None or first <= begins) and (last is None or ends <= last))
    table = table.filter(pa.array(keep, pa.bool_()))
    return pa.table({
        "measure": pa.array([measure_id] * table.num_rows, pa.string()),
        "unit": table.column("unit"),
        "month": table.column("period"),
        "period_kind": table.column("period_kind"),
        "numerator": table.column("numerator").cast(pa.float64()),
        "denominator": table.column("denominator").cast(pa.float64()),
    }, schema=MEASURE_VALUE_SCHEMA)


__all__ = ["MEASURE_VALUE_SCHEMA", "SourceNotLoaded", "measure_values", "measures_with_rules", "period_months"]
