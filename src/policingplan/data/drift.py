"""Categories that drift: values in the data that a measure's counting rule neither counts nor leaves out on purpose.

Publishers rename and reorganise their categories over the years: the MPS
split ``DOMESTIC BURGLARY`` into ``RES BURGLARY OF A HOME`` and ``RES
BURGLARY OF UNCONNECTED BUILDING`` in 2023; police.uk merged ``Violent
crime`` into ``Violence and sexual offences`` in 2013.  A counting rule that
names a category by its old name then silently stops counting it.  This
module finds, for each measure, the values that may have slipped out of its
rule (see ``docs/categories.md``):

``not named``
    For a kind whose categories nest (a ``minor`` class under a ``major``
    class, a ``crime_subtype`` under a ``crime_type``, see :data:`HIERARCHY`):
    a child value under a parent that the rule counts, which the rule does not
    name.  A parent is counted when the rule names it, or, when the rule
    filters only the children, when a child that the rule names sits under it.
``parent not counted``
    A child value that the rule counts under one parent, found under a parent
    that the rule does not count: the parent was renamed, or the child moved.
``new``
    A value that first occurs after the kind's data begins (a new category),
    on an attribute that the rule filters, which the rule neither names nor
    counts: for kinds with no parent column (police.uk's ``crime_type`` and
    ``outcome``, TfL's severities, see :data:`FLAT`), and, for nested kinds,
    a new pair under a parent that the rule does not count.

A rule says that it leaves a value out on purpose with ``not_counted``
(attribute to values, as in its filters); a parent listed there covers every
child under it.  Nothing is reported then.

The logic (:func:`find_drift`) is pure: it takes the measures and a
:class:`CategorySummary` per source kind, the distinct values with their
records (the sum of the kind's ``count``, over rows with a count above 0) and
their first and last periods.  :func:`warehouse_summaries` builds the
summaries from the warehouse's records, all of them or only the rows of some
loads; :func:`in_loads` keeps the findings that a load brought, with the
load's own counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from policingplan.formatting import fmt_int
from policingplan.plan.model import Measure
from policingplan.problems import Problem, ProblemList

if TYPE_CHECKING:  # the warehouse (DuckDB) is imported by the functions that read it
    import pyarrow as pa

    from policingplan.data.warehouse import Warehouse

#: Kinds whose categories nest: (parent attribute, child attribute).
HIERARCHY: dict[str, tuple[str, str]] = {
    "mps-borough-monthly": ("major", "minor"),
    "mps-crime-dashboard": ("crime_type", "crime_subtype"),
}

#: Category attributes with no parent column: a value is checked only when it is new.
FLAT: dict[str, tuple[str, ...]] = {
    "mps-crime-dashboard": ("measure",),
    "police-uk-street": ("crime_type", "outcome"),
    "tfl-casualties": ("severity", "age_group", "mode", "casualty_class"),
    "mps-homicide-victims": ("solved", "method", "domestic_abuse", "sex", "age_group", "ethnicity"),
}

#: The kinds whose categories are checked (``lsoa``, ``force``, and the series names of
#: ``gla-borough-fy``, ``tidy`` and ``ons-lsoa-population`` are not publishers' categories).
CHECKED_KINDS: tuple[str, ...] = tuple(dict.fromkeys([*HIERARCHY, *FLAT]))

#: Each category attribute in words.
CATEGORY_NAMES: dict[str, str] = {
    "major": "major class",
    "minor": "minor class",
    "crime_type": "crime type",
    "crime_subtype": "crime subtype",
    "measure": "dashboard measure",
    "outcome": "outcome",
    "severity": "severity",
    "age_group": "age group",
    "mode": "mode of travel",
    "casualty_class": "casualty class",
    "solved": "solved status",
    "method": "method of killing",
    "domestic_abuse": "domestic abuse flag",
    "sex": "sex",
    "ethnicity": "ethnicity",
}

#: The pseudo-attribute of a filter that chooses a value column (see ``rules.SUM_OF``).
_SUM_OF = "sum_of"

NOT_NAMED = "not named"
PARENT_NOT_COUNTED = "parent not counted"
NEW = "new"


@dataclass(frozen=True)
class Tally:
    """How much of one category value the data holds."""

    records: int
    first_period: str
    last_period: str
    periods: int


@dataclass
class CategorySummary:
    """A kind's category values, with their tallies: pairs for nested kinds, values for flat attributes."""

    kind: str
    first_period: str | None = None
    last_period: str | None = None
    pairs: dict[tuple[str, str], Tally] = field(default_factory=dict)
    values: dict[str, dict[str, Tally]] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """A value that a measure's rule neither counts nor leaves out on purpose."""

    measure: str
    kind: str
    attribute: str
    value: str
    reason: str
    new: bool
    records: int
    first_period: str
    last_period: str
    periods: int
    parent_attribute: str | None = None
    parent: str | None = None
    parent_new: bool = False
    counted_under: tuple[str, ...] = ()

    def describe(self) -> str:
        """The finding in one sentence."""
        amount = f"{fmt_int(self.records)} {'record' if self.records == 1 else 'records'} {_span(self)}"
        new = "new " if self.new else ""
        what = CATEGORY_NAMES.get(self.attribute, self.attribute)
        if self.reason in (PARENT_NOT_COUNTED, NEW) and self.parent is not None:
            parent_what = CATEGORY_NAMES.get(self.parent_attribute, self.parent_attribute)
            parent_new = "new " if self.parent_new else ""
            counted = (f", which counts it under {', '.join(self.counted_under)}"
                       if self.reason == PARENT_NOT_COUNTED else "")
            return (f"{what} {_shown(self.value)} under a {parent_new}{parent_what} {_shown(self.parent)}, "
                    f"{amount}, is counted by no rule of measure {self.measure}{counted}")
        article = "an" if (new or what)[0] in "aeiou" else "a"
        under = f" under {self.parent}" if self.parent is not None else ""
        return (f"{article} {new}{what} {_shown(self.value)}{under}, {amount}, "
                f"is counted by no rule of measure {self.measure}")

    def advice(self) -> str:
        """What the plan can do about it."""
        if self.reason == NEW and self.parent is not None:
            return (f"name it in the rule if its records belong to the measure (a renamed category), or list "
                    f"{_shown(self.parent)} in the rule's not_counted.{self.parent_attribute} if it is left out "
                    f"on purpose")
        if self.reason == PARENT_NOT_COUNTED:
            attribute, value = self.parent_attribute, self.parent
        else:
            attribute, value = self.attribute, self.value
        return (f"name {_shown(value)} in the rule's {attribute} if its records belong to the measure "
                f"(a renamed category), or list it in the rule's not_counted.{attribute} if it is left out "
                f"on purpose")

    def problem(self) -> Problem:
        """The finding as a warning, located at the measure's rule."""
        return Problem(self.describe(), column=f"measures.{self.measure}.rule", accepted=self.advice(),
                       severity="warning")


def _shown(value: str | None) -> str:
    return "(blank)" if value == "" else repr(value)


def _period_label(period: str) -> str:
    """``2023-04`` as ``April 2023``; a year or a financial year as it is."""
    from policingplan.periods import Month, PeriodError

    try:
        return Month(period).label()
    except (PeriodError, ValueError, TypeError):
        return period


def _span(finding: Finding) -> str:
    if finding.first_period == finding.last_period:
        return f"in {_period_label(finding.first_period)}"
    return f"from {_period_label(finding.first_period)} to {_period_label(finding.last_period)}"


# ----- the rule's names --------------------------------------------------------------------


def named_values(measure: Measure) -> dict[str, set[str]]:
    """The values a measure's rule names, by attribute, over all its filters (``sum_of`` left out)."""
    rule = measure.rule
    named: dict[str, set[str]] = {}
    if rule is None:
        return named
    for flt in (rule.count, rule.numerator, rule.denominator):
        for attribute, values in (flt or {}).items():
            if attribute != _SUM_OF:
                named.setdefault(attribute, set()).update(values)
    return named


def not_counted_values(measure: Measure) -> dict[str, set[str]]:
    """The values a measure's rule leaves out on purpose, by attribute."""
    rule = measure.rule
    return {attribute: set(values) for attribute, values in ((rule.not_counted if rule else None) or {}).items()}


def not_counted_problems(measure: Measure, attributes: Sequence[str]) -> ProblemList:
    """Errors in a rule's ``not_counted``: an attribute the kind does not have, or a value the rule also names."""
    problems = ProblemList()
    named = named_values(measure)
    for attribute, values in not_counted_values(measure).items():
        where = f"measures.{measure.id}.rule.not_counted.{attribute}"
        if attribute not in attributes:
            problems.add(Problem(
                f"measure {measure.id!r}: not_counted names an attribute that {measure.source} does not have",
                column=where, value=attribute, accepted=", ".join(attributes) or "none",
            ))
            continue
        for value in sorted(values & named.get(attribute, set())):
            problems.add(Problem(
                f"measure {measure.id!r}: {value!r} is both counted and listed in not_counted",
                column=where, value=value, accepted="a value in one of the two",
            ))
    return problems


# ----- the logic ---------------------------------------------------------------------------


def find_drift(measures: Iterable[Measure], summaries: Mapping[str, CategorySummary]) -> list[Finding]:
    """Every value that a measure's rule neither counts nor leaves out on purpose (see the module doc).

    Measures with no source or rule, or whose kind has no summary, are passed over.
    """
    findings: list[Finding] = []
    for measure in measures:
        if measure.source is None or measure.rule is None or measure.source not in summaries:
            continue
        summary = summaries[measure.source]
        named, skipped = named_values(measure), not_counted_values(measure)
        if measure.source in HIERARCHY:
            findings += _nested(measure, summary, named, skipped)
        for attribute in FLAT.get(measure.source, ()):
            if attribute in named:
                findings += _flat(measure, summary, attribute, named[attribute], skipped.get(attribute, set()))
    return findings


def _is_new(summary: CategorySummary, tally: Tally) -> bool:
    return summary.first_period is not None and tally.first_period > summary.first_period


def _finding(measure: Measure, summary: CategorySummary, tally: Tally, **what) -> Finding:
    return Finding(measure=measure.id, kind=summary.kind, new=_is_new(summary, tally), records=tally.records,
                   first_period=tally.first_period, last_period=tally.last_period, periods=tally.periods, **what)


def _nested(measure: Measure, summary: CategorySummary, named: dict[str, set[str]],
            skipped: dict[str, set[str]]) -> list[Finding]:
    parent_attr, child_attr = HIERARCHY[summary.kind]
    if parent_attr not in named and child_attr not in named:
        return []  # the rule counts every category of the kind
    parents, children = named.get(parent_attr), named.get(child_attr)
    skip_parents, skip_children = skipped.get(parent_attr, set()), skipped.get(child_attr, set())

    def counts(parent: str, child: str) -> bool:
        return (parents is None or parent in parents) and (children is None or child in children)

    pairs = summary.pairs
    if parents is not None:
        counted_parents = set(parents)
    else:
        counted_parents = {parent for parent, child in pairs if child in children}
    counted_under: dict[str, list[str]] = {}
    parent_first: dict[str, str] = {}
    for (parent, child), tally in sorted(pairs.items()):
        if counts(parent, child):
            counted_under.setdefault(child, []).append(parent)
        parent_first[parent] = min(parent_first.get(parent, tally.first_period), tally.first_period)
    findings = []
    for (parent, child), tally in sorted(pairs.items()):
        if counts(parent, child) or parent in skip_parents or child in skip_children:
            continue
        parent_new = parent_first[parent] > summary.first_period
        where = dict(attribute=child_attr, value=child, parent_attribute=parent_attr, parent=parent,
                     parent_new=parent_new)
        if children is not None and parent in counted_parents:
            findings.append(_finding(measure, summary, tally, reason=NOT_NAMED, **where))
        elif child in counted_under:
            findings.append(_finding(measure, summary, tally, reason=PARENT_NOT_COUNTED,
                                     counted_under=tuple(counted_under[child]), **where))
        elif parent_new:
            findings.append(_finding(measure, summary, tally, reason=NEW, **where))
    return findings


def _flat(measure: Measure, summary: CategorySummary, attribute: str, named: set[str],
          skipped: set[str]) -> list[Finding]:
    findings = []
    for value, tally in sorted(summary.values.get(attribute, {}).items()):
        if value in named or value in skipped or not _is_new(summary, tally):
            continue
        findings.append(_finding(measure, summary, tally, attribute=attribute, value=value, reason=NEW))
    return findings


def in_loads(findings: Iterable[Finding], load_summaries: Mapping[str, CategorySummary]) -> list[Finding]:
    """The findings whose value some loads brought, with those loads' own records and periods.

    Whether a value is *new* stays as the whole warehouse says.
    """
    kept = []
    for finding in findings:
        summary = load_summaries.get(finding.kind)
        if summary is None:
            continue
        if finding.parent_attribute is not None:
            tally = summary.pairs.get((finding.parent, finding.value))
        else:
            tally = summary.values.get(finding.attribute, {}).get(finding.value)
        if tally is not None:
            kept.append(replace(finding, records=tally.records, first_period=tally.first_period,
                                last_period=tally.last_period, periods=tally.periods))
    return kept


# ----- summaries from the data -------------------------------------------------------------


def _groupings(kind: str) -> list[tuple[str, ...]]:
    sets = [HIERARCHY[kind]] if kind in HIERARCHY else []
    return sets + [(attribute,) for attribute in FLAT.get(kind, ())]


def _summarise(con, kind: str, relation: str, parameters: list) -> CategorySummary:
    """One scan: the pairs and flat values of ``relation`` (rows with a count above 0), and its periods."""
    groupings = _groupings(kind)
    columns = list(dict.fromkeys(attribute for grouping in groupings for attribute in grouping))
    sets = ", ".join("(" + ", ".join(f'"{a}"' for a in grouping) + ")" for grouping in groupings)
    quoted = ", ".join(f'"{c}"' for c in columns)
    rows = con.execute(
        f"SELECT {quoted}, GROUPING({quoted}) AS g, sum(count) AS records, min(period), max(period), "
        f"count(DISTINCT period) FROM {relation} WHERE count > 0 "
        f"GROUP BY GROUPING SETS ({sets}, ())", parameters,
    ).fetchall()
    summary = CategorySummary(kind=kind)
    # GROUPING sets a bit for each column that a row is NOT grouped by, the first column highest.
    masks = {grouping: sum(1 << (len(columns) - 1 - i) for i, c in enumerate(columns) if c not in grouping)
             for grouping in groupings}
    everything = (1 << len(columns)) - 1
    for row in rows:
        values, mask = row[:len(columns)], row[len(columns)]
        records, first, last, periods = row[len(columns) + 1:]
        if records is None:  # no rows with a count (the loads brought none of this kind): no summary
            continue
        tally = Tally(int(records), first, last, int(periods))
        if mask == everything:
            summary.first_period, summary.last_period = first, last
            continue
        by_column = dict(zip(columns, values))
        for grouping, grouping_mask in masks.items():
            if mask != grouping_mask or any(by_column[a] is None for a in grouping):
                continue
            if len(grouping) == 2:
                summary.pairs[(by_column[grouping[0]], by_column[grouping[1]])] = tally
            else:
                summary.values.setdefault(grouping[0], {})[by_column[grouping[0]]] = tally
    return summary


def summarise_table(kind: str, table: "pa.Table") -> CategorySummary:
    """The summary of a kind's canonical table (a reader's result, say)."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        con.register("records", table)
        return _summarise(con, kind, "records", [])
    finally:
        con.close()


def warehouse_summaries(warehouse: "Warehouse", kinds: Iterable[str],
                        load_ids: Sequence[int] | None = None) -> dict[str, CategorySummary]:
    """The summaries of the kinds' live records in the warehouse, or of the rows that ``load_ids`` added.

    Kinds whose categories are not checked, or that have no records, get no summary.
    """
    summaries: dict[str, CategorySummary] = {}
    con = warehouse.connection()
    try:
        for kind in dict.fromkeys(kinds):
            if kind not in CHECKED_KINDS:
                continue
            records = warehouse.records_table(con, kind)
            if records is None:
                continue
            if load_ids is not None:
                records = records.filter(records.load_id.isin([int(i) for i in load_ids]))
            summary = _summarise(con.con, kind, f"({con.compile(records)})", [])
            if summary.first_period is not None:
                summaries[kind] = summary
    finally:
        con.disconnect()
    return summaries


def warehouse_drift(warehouse: "Warehouse", measures: Sequence[Measure],
                    load_ids: Sequence[int] | None = None) -> list[Finding]:
    """The findings for the measures over the whole warehouse, or only those that ``load_ids`` brought."""
    return warehouse.read_consistently(lambda: _warehouse_drift(warehouse, measures, load_ids))


def _warehouse_drift(warehouse: "Warehouse", measures: Sequence[Measure],
                     load_ids: Sequence[int] | None) -> list[Finding]:
    kinds = [m.source for m in measures if m.source is not None and m.rule is not None]
    findings = find_drift(measures, warehouse_summaries(warehouse, kinds))
    if load_ids is None:
        return findings
    if not load_ids:
        return []
    return in_loads(findings, warehouse_summaries(warehouse, kinds, load_ids))


__all__ = [
    "CATEGORY_NAMES", "CHECKED_KINDS", "CategorySummary", "FLAT", "Finding", "HIERARCHY", "Tally",
    "find_drift", "in_loads", "named_values", "not_counted_problems", "not_counted_values",
    "summarise_table", "warehouse_drift", "warehouse_summaries",
]
