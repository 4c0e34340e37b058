"""Counting rules compiled to Ibis expressions over a source kind's canonical records.

A measure's :class:`~policingplan.plan.model.CountingRule` says which records
count: each filter maps a canonical attribute to the values that count
(attributes ANDed, values ORed; ``{}`` is every record).  :func:`compile_rule`
turns it into one backend-agnostic Ibis expression, grouped by unit and
period, with a ``numerator`` and a ``denominator`` column.  Nothing here is
SQL: the expression runs on DuckDB by default and on any Ibis backend
(PySpark, Trino) where the canonical table lives.

What is summed.  Record kinds sum their ``count`` column.  A kind with more
than one value column takes the pseudo-attribute ``sum_of`` in a filter to
choose it (see :data:`VALUE_CHOICES`): ``{"sum_of": ["age_0_15"]}`` counts
children in ``ons-lsoa-population``.

Coverage.  For record kinds, every unit and period present in the source gets
a row: a unit-month with records but none that match counts 0, because the
source says so; a unit-month absent from the source is absent, never 0.  For
``tidy`` (values, not records), a row exists only where a matching value does.
"""

from __future__ import annotations

from typing import Collection, Mapping

import ibis
import ibis.expr.types as ir

from policingplan.data.readers import ATTRIBUTES
from policingplan.data.units import AGGREGATE_AREA_PREFIXES
from policingplan.plan.model import FORCE, CountingRule, Measure
from policingplan.plan.validate import rule_meaning_problems
from policingplan.problems import Problem, ProblemList

#: The columns every measure value is grouped by.
GROUP_KEYS = ("unit", "period", "period_kind")

#: The pseudo-attribute that chooses which value column a filter sums.
SUM_OF = "sum_of"

#: For kinds with several value columns: the columns ``sum_of`` accepts, default first.
VALUE_CHOICES: dict[str, tuple[str, ...]] = {
    "ons-lsoa-population": ("all_ages", "age_0_15"),
    "gla-borough-fy": ("value", "count"),
    "tidy": ("numerator", "denominator"),
}

#: How many accepted values a problem lists before it says "and N more".
_ACCEPTED_SHOWN = 40


def value_column(kind: str, chosen: Collection[str] | None = None) -> str:
    """The column a filter sums: ``count``, or the kind's chosen or default value column."""
    if kind not in VALUE_CHOICES:
        return "count"
    return next(iter(chosen)) if chosen else VALUE_CHOICES[kind][0]


def rule_filters(rule: CountingRule) -> dict[str, dict[str, list[str]]]:
    """The rule's filters by role: ``count``, or ``numerator`` and ``denominator``."""
    if rule.count is not None:
        return {"count": rule.count}
    return {"numerator": rule.numerator or {}, "denominator": rule.denominator or {}}


def rule_attributes(rule: CountingRule) -> set[str]:
    """The canonical attributes a rule filters on (without ``sum_of``)."""
    return {attr for flt in rule_filters(rule).values() for attr in flt if attr != SUM_OF}


def validate_rule(
    measure: Measure,
    attribute_values: Mapping[str, Collection[str]] | None = None,
) -> ProblemList:
    """Problems with a measure's source and rule.

    Checks the source kind, each attribute against the kind's canonical
    attributes, ``sum_of`` against the kind's value columns, and, when
    ``attribute_values`` (the values present in the loaded data) is given,
    each value against the values seen.
    """
    problems = ProblemList()
    where = f"measures.{measure.id}"
    kind = measure.source
    if kind not in ATTRIBUTES:
        problems.add(Problem(
            f"measure {measure.id!r} names an unknown source kind", column=f"{where}.source",
            value=kind, accepted=", ".join(ATTRIBUTES),
        ))
        return problems
    if measure.rule is None:
        problems.add(Problem(
            f"measure {measure.id!r} has a source but no counting rule", column=f"{where}.rule",
            accepted="a rule with 'count', or 'numerator' and 'denominator'",
        ))
        return problems
    for suffix, message, value, accepted in rule_meaning_problems(measure.model_dump(mode="json")):
        problems.add(Problem(f"measure {measure.id!r}: {message}", column=f"{where}.rule.{'.'.join(suffix)}",
                             value=value, accepted=accepted))
    known = ATTRIBUTES[kind]
    for role, flt in rule_filters(measure.rule).items():
        for attr, values in flt.items():
            field = f"{where}.rule.{role}.{attr}"
            if attr == SUM_OF:
                choices = VALUE_CHOICES.get(kind, ("count",))
                if len(values) != 1 or values[0] not in choices:
                    problems.add(Problem(
                        f"measure {measure.id!r}: sum_of names one value column of {kind}",
                        column=field, value=", ".join(values), accepted=", ".join(choices),
                    ))
                continue
            if attr not in known:
                problems.add(Problem(
                    f"measure {measure.id!r}: {kind} has no attribute {attr!r}", column=field,
                    value=attr, accepted=", ".join(known) or f"no attributes ({kind} is counted whole)",
                ))
                continue
            if not values:
                problems.add(Problem(
                    f"measure {measure.id!r}: attribute {attr!r} lists no values, so nothing would count",
                    column=field, accepted="one or more values, or leave the attribute out to count all",
                ))
                continue
            if attribute_values is None or attr not in attribute_values:
                continue
            seen = set(attribute_values[attr])
            for value in values:
                if value not in seen:
                    problems.add(Problem(
                        f"measure {measure.id!r}: {attr} {value!r} never occurs in the loaded {kind} data",
                        column=field, value=value, accepted=_accepted_list(seen),
                    ))
    return problems


def _accepted_list(values: Collection[str]) -> str:
    ordered = sorted(values)
    shown = ", ".join(repr(v) for v in ordered[:_ACCEPTED_SHOWN])
    if len(ordered) > _ACCEPTED_SHOWN:
        shown += f" and {len(ordered) - _ACCEPTED_SHOWN:,} more"
    return shown or "none (the source has no records)"


def _predicate(table: ir.Table, flt: Mapping[str, list[str]]) -> ir.BooleanValue:
    """Attributes ANDed, values ORed; ``{}`` (or only ``sum_of``) is every record."""
    predicate: ir.BooleanValue = ibis.literal(True)
    for attr, values in flt.items():
        if attr != SUM_OF:
            predicate = predicate & table[attr].isin(list(values))
    return predicate


def matching(table: ir.Table, flt: Mapping[str, list[str]]) -> ir.Table:
    """The records that a filter keeps (attributes ANDed, values ORed), as :func:`compile_rule` counts them."""
    return table.filter(_predicate(table, flt))


def _summed(table: ir.Table, kind: str, flt: Mapping[str, list[str]]) -> ir.Column:
    return table[value_column(kind, flt.get(SUM_OF))].cast("float64")


def compile_rule(measure: Measure, table: ir.Table) -> ir.Table:
    """An Ibis expression: ``unit, period, period_kind, numerator, denominator`` for one measure.

    ``table`` is the canonical table of the measure's source kind.  A count
    measure's denominator is null.  The rule is assumed valid (see
    :func:`validate_rule`).
    """
    kind = measure.source
    filters = rule_filters(measure.rule)
    null = ibis.null().cast("float64")
    if kind == "tidy":
        return _compile_tidy(table, filters, null)
    if "count" in filters:
        flt = filters["count"]
        numerator = ibis.ifelse(_predicate(table, flt), _summed(table, kind, flt), 0.0).sum()
        denominator = null
    else:
        num, den = filters["numerator"], filters["denominator"]
        numerator = ibis.ifelse(_predicate(table, num), _summed(table, kind, num), 0.0).sum()
        denominator = ibis.ifelse(_predicate(table, den), _summed(table, kind, den), 0.0).sum()
    grouped = table.group_by(list(GROUP_KEYS)).aggregate(numerator=numerator, denominator=denominator)
    return grouped.select(*GROUP_KEYS, "numerator", grouped.denominator.cast("float64"))


def _compile_tidy(table: ir.Table, filters: dict, null) -> ir.Table:
    """Tidy rows are values: a count rule sums both columns; a ratio sums ``sum_of`` on each side."""
    if "count" in filters:
        flt = filters["count"]
        matching = table.filter(_predicate(table, flt))
        return matching.group_by(list(GROUP_KEYS)).aggregate(
            numerator=matching.numerator.sum(), denominator=matching.denominator.sum(),
        )
    num, den = filters["numerator"], filters["denominator"]
    in_num, in_den = _predicate(table, num), _predicate(table, den)
    matching = table.filter(in_num | in_den)
    return matching.group_by(list(GROUP_KEYS)).aggregate(
        numerator=ibis.ifelse(in_num, _summed(matching, "tidy", num), null).sum(),
        denominator=ibis.ifelse(in_den, _summed(matching, "tidy", den), null).sum(),
    )


def force_totals(values: ir.Table, measure: Measure) -> ir.Table:
    """The force's row for each period that has none of its own: the sum of its units' numerators
    and denominators.

    Counts and levels add up.  Ratios and percentages are summed on both sides,
    so that the rate is recomputed from the totals, never averaged
    (docs/conventions.md#roll-ups); a period where any unit lacks a
    denominator gets no force row.
    Aggregate areas (see :data:`~policingplan.data.units.AGGREGATE_AREA_PREFIXES`) are not added in.
    A row the source gives for the force itself (unit ``force`` in a ``tidy`` file: a survey of
    all London, say) is the force's own figure: it is neither added in nor summed over; the
    periods it covers get no summed row (it stays in ``values``, as it is).
    """
    needs_denominator = measure.kind in ("ratio", "percentage")
    given = values.filter((values.unit == FORCE)
                          & (values.denominator.notnull() if needs_denominator else ibis.literal(True)))
    given = given.select("period", "period_kind").distinct()
    values = values.filter((values.unit != FORCE)
                           & ~values.unit.substr(0, 3).isin(list(AGGREGATE_AREA_PREFIXES)))
    totals = values.group_by(["period", "period_kind"]).aggregate(
        numerator=values.numerator.sum(),
        denominator=values.denominator.sum(),
        missing_denominators=values.denominator.isnull().sum(),
    )
    if needs_denominator:
        totals = totals.filter(totals.missing_denominators == 0)
    totals = totals.anti_join(given, ["period", "period_kind"])
    return totals.select(
        unit=ibis.literal(FORCE), period=totals.period, period_kind=totals.period_kind,
        numerator=totals.numerator, denominator=totals.denominator.cast("float64"),
    )
