"""The data service: check, count and load source files, the warehouse's status, and a plan's measure values.

What ``policingplan data check``, ``data totals``, ``data template``, ``data
load``, ``data status`` and ``measures`` show, for every face:

- :func:`check_files`: each file read by its kind's reader, every problem found;
- :func:`count_totals`: the records of some files counted by unit (or the whole
  force) and period, through the same compiled counting rules as the measures
  (:mod:`policingplan.data.rules`);
- :func:`template_csv` and :func:`template_xlsx`: a template to fill in;
- :func:`load_files`: files loaded into the warehouse, all or none, with the
  categories they brought that no counting rule of the plan names;
- :func:`warehouse_status`: the loads, and the rows held for each source kind;
- :func:`measures`: a plan's measure values, by unit and period;
- :func:`category_drift`: a plan's counting rules against the categories in the warehouse.

Progress: the functions that read many files take ``on_read``, called with a
:class:`ReadProgress` as the reading goes (for a progress bar); :func:`measures`
takes ``on_measure``.  The heavy libraries (the readers, the warehouse) are
imported when a function runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence, Union

from pydantic import Field

from policingplan.attribution import attribution
from policingplan.data.kinds import SOURCE_KINDS
from policingplan.plan.model import Plan
from policingplan.problems import Problem, UserError
from policingplan.results import Notice, Result, notice, register_notices

register_notices({
    "data.archive-passed-over": "{archive}: {count:,} {what}, passed over",
    "data.part-periods": "the files cover only part of {periods}; those totals are not whole years.",
})

PERIOD_CHOICES = ("month", "fy", "year")
BY_CHOICES = ("unit", "force")

#: The columns of ``measures --csv``: the values as the warehouse computes them, the measure's
#: value (the count, or the rate as a fraction) and its source kind, so that ``spc`` and
#: ``forecast`` read the file as it is and carry the data's attribution.
MEASURE_CSV_COLUMNS = ("measure", "unit", "month", "period_kind", "numerator", "denominator", "value", "source")

Number = Union[int, float]


# ----- shapes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadProgress:
    """Where a read of several files has got to, for a progress bar.

    ``file`` is the file about to be read (``check_files``, ``count_totals``) or
    just read (``load_files``); ``None`` once a file is done.
    """

    file: Optional[str]
    files_done: int
    files_total: int
    bytes_done: int = 0
    bytes_total: int = 0


OnRead = Callable[[ReadProgress], None]


class FileProblem(Result):
    """A problem with a file or a plan, as ``--json`` shows it."""

    file: Optional[str] = None
    line: Optional[int] = None
    column: Optional[str] = None
    value: Union[str, int, float, bool, None] = None
    message: str
    accepted: Optional[str] = None

    @classmethod
    def of(cls, problem: Problem) -> "FileProblem":
        return cls(file=problem.file, line=problem.line, column=problem.column,
                   value=problem.to_dict()["value"], message=problem.message, accepted=problem.accepted)


def _problems(problems: Sequence[Problem]) -> list[FileProblem]:
    return [FileProblem.of(p) for p in problems]


class CheckedFile(Result):
    """One file checked: its rows and the problems found in it."""

    file: str
    ok: bool
    rows_read: int
    rows_accepted: int
    errors: int
    warnings: int
    problems: list[Problem] = Field(default_factory=list, exclude=True,
                                    description="Every problem, in the order found (for a terminal).")


class CheckResult(Result):
    """``data check``: whether every file is acceptable, its rows, and every error and warning."""

    ok: bool
    rows: int
    errors: list[FileProblem]
    warnings: list[FileProblem]
    files: list[CheckedFile] = Field(default_factory=list, exclude=True)
    notes: list[Notice] = Field(default_factory=list, exclude=True)


class TotalsRow(Result):
    """One total: a unit (or ``force``), a period and the sum."""

    unit: str
    period: str
    count: Number


class TotalsResult(Result):
    """``data totals``: the files' records counted by unit (or force) and period."""

    kind: str
    period: str
    by: str
    rows: list[TotalsRow]
    attribution: list[str]
    notes: list[Notice] = Field(default_factory=list)


class ReplacementItem(Result):
    """Rows of an earlier load that a newer file replaced."""

    replaced_load_id: int
    replaced_file: str
    replaced_vintage: Optional[str]
    rows: int
    periods: int
    units: int
    first_period: str
    last_period: str
    description: str


class LoadedFile(Result):
    """What a load did with one file: ``loaded``, ``already loaded`` or ``rejected``."""

    file: str
    kind: str
    status: str
    sha256: str
    rows_read: int
    rows_accepted: int
    vintage: Optional[str]
    load_id: Optional[int] = None
    loaded_at: Optional[str] = None
    replacements: list[ReplacementItem] = Field(default_factory=list)
    message: str = ""


class CategoryFinding(Result):
    """A category value that a measure's counting rule neither counts nor leaves out on purpose."""

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
    parent_attribute: Optional[str] = None
    parent: Optional[str] = None
    parent_new: bool = False
    counted_under: list[str] = Field(default_factory=list)
    message: str
    problem: Optional[Problem] = Field(None, exclude=True, description="The finding as a warning.")

    @classmethod
    def of(cls, finding) -> "CategoryFinding":
        """From a :class:`policingplan.data.drift.Finding`."""
        return cls(measure=finding.measure, kind=finding.kind, attribute=finding.attribute, value=finding.value,
                   reason=finding.reason, new=finding.new, records=finding.records,
                   first_period=finding.first_period, last_period=finding.last_period, periods=finding.periods,
                   parent_attribute=finding.parent_attribute, parent=finding.parent,
                   parent_new=finding.parent_new, counted_under=list(finding.counted_under),
                   message=finding.describe(), problem=finding.problem())


class LoadResult(Result):
    """``data load``: every file's outcome (all landed, or none did), the problems, and the categories checked."""

    ok: bool
    warehouse: str
    files: list[LoadedFile]
    errors: list[FileProblem]
    warnings: list[FileProblem]
    plan: Optional[str]
    categories: list[CategoryFinding]
    categories_checked: bool = Field(False, exclude=True,
                                     description="Whether the categories were checked against the plan's rules.")
    problems: list[Problem] = Field(default_factory=list, exclude=True,
                                    description="The files' problems in the order found (for a terminal).")
    notes: list[Notice] = Field(default_factory=list, exclude=True)


class LoadEntry(Result):
    """One load, as the warehouse's catalogue records it."""

    load_id: int
    kind: str
    file: str
    sha256: str
    vintage: Optional[str]
    rows_read: int
    rows_accepted: int
    loaded_at: str
    first_period: Optional[str]
    last_period: Optional[str]
    replaced: Optional[str]


class SourceHolding(Result):
    """The rows a warehouse holds for one source kind."""

    kind: str
    files: int
    rows: int
    first_period: Optional[str]
    last_period: Optional[str]


class StatusResult(Result):
    """``data status``: the warehouse, its loads, and the rows it holds for each source kind."""

    warehouse: str
    loads: list[LoadEntry]
    sources: list[SourceHolding]


class MeasureRow(Result):
    """One measure value: the count, or for a ratio the rate as a fraction (numerator ÷ denominator)."""

    measure: str
    unit: str
    month: str
    period_kind: str
    numerator: Optional[Number]
    denominator: Optional[Number]
    value: Optional[Number]
    source: Optional[str]


class MeasureValues(Result):
    """``measures``: a plan's measure values by unit and period, with the data's attribution."""

    plan: str
    rows: list[MeasureRow]
    attribution: list[str]

    def source_kinds(self) -> list[str]:
        """The source kinds behind the rows, in order (for an attribution line)."""
        return list(dict.fromkeys(row.source for row in self.rows if row.source))

    def counts(self) -> tuple[int, int, int]:
        """How many rows, measures and units (the force left out) the values hold."""
        return (len(self.rows), len({row.measure for row in self.rows}),
                len({row.unit for row in self.rows} - {"force"}))


class CategoryCheck(Result):
    """A plan's counting rules against the categories in the warehouse (docs/categories.md)."""

    warehouse: Optional[str] = Field(
        description="The warehouse checked; null when none was, or it holds none of the kinds "
                    "that the rules count by category.")
    findings: list[CategoryFinding]
    warnings: list[Problem] = Field(default_factory=list, exclude=True,
                                    description="The rules' not_counted mistakes and the findings, as warnings.")


# ----- reading files -----------------------------------------------------------------------


def _expand(kind: str, files: Sequence[Union[str, Path]]) -> tuple[list[str], list[Notice]]:
    """The files that the paths stand for (a published zip: its files of the kind), with notes."""
    from policingplan.data.files import expand_archives

    expanded = expand_archives(kind, files)
    notes = [notice("data.archive-passed-over", archive=item.archive, count=item.count, what=item.what)
             for item in expanded.passed_over]
    return expanded.files, notes


def _read(kind: str, files: Sequence[Union[str, Path]], on_read: Optional[OnRead]) -> tuple[list, list[Notice]]:
    """Each file read with the kind's reader, in turn; an unknown kind is a UserError."""
    from policingplan.data.readers import read_source
    from policingplan.data.readers.registry import reader_for

    reader_for(kind)  # an unknown kind fails before any file is read
    paths, notes = _expand(kind, files)
    results = []
    for done, file in enumerate(paths):
        if on_read is not None:
            on_read(ReadProgress(file, done, len(paths)))
        results.append(read_source(kind, Path(file)))  # a member: Path("police.zip!2023-01/….csv")
        if on_read is not None:
            on_read(ReadProgress(None, done + 1, len(paths)))
    return results, notes


def check_files(kind: str, files: Sequence[Union[str, Path]], *, on_read: Optional[OnRead] = None) -> CheckResult:
    """Validate files against their source kind without loading them (``ok`` when no file has an error)."""
    results, notes = _read(kind, files, on_read)
    errors = [p for r in results for p in r.problems.errors]
    warnings = [p for r in results for p in r.problems.warnings]
    checked = [CheckedFile(file=r.file, ok=r.ok, rows_read=r.rows_read, rows_accepted=r.rows_accepted,
                           errors=len(r.problems.errors), warnings=len(r.problems.warnings),
                           problems=list(r.problems.items)) for r in results]
    return CheckResult(ok=not errors, rows=sum(r.rows_read for r in results), errors=_problems(errors),
                       warnings=_problems(warnings), files=checked, notes=notes)


# ----- totals ------------------------------------------------------------------------------


def parse_where(kind: str, clauses: Sequence[str]) -> dict[str, list[str]]:
    """``ATTR=V1,V2`` clauses → {attribute: values}; an unknown attribute is a UserError."""
    from policingplan.data.readers import ATTRIBUTES

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


def _totals_options(kind: str, period: str, by: str, value: Optional[str]) -> str:
    """The options checked before any file is read; the value column to sum."""
    from policingplan.data.readers import VALUE_COLUMNS

    if period not in PERIOD_CHOICES:
        raise UserError(f"--period {period!r} is not accepted; use one of {', '.join(PERIOD_CHOICES)}")
    if by not in BY_CHOICES:
        raise UserError(f"--by {by!r} is not accepted; use unit or force")
    value_columns = [name for name, _ in VALUE_COLUMNS[kind]]
    value = value or value_columns[0]
    if value not in value_columns:
        raise UserError(f"--value {value!r}: {kind} has the values {', '.join(value_columns)}")
    return value


def count_totals(
    kind: str,
    files: Sequence[Union[str, Path]],
    *,
    period: str,
    by: str = "unit",
    where: Sequence[str] = (),
    value: Optional[str] = None,
    on_read: Optional[OnRead] = None,
) -> TotalsResult:
    """Count records straight from files, without a plan, by unit (or force) and period.

    ``where`` holds ``ATTR=V1,V2`` clauses: values ORed (letter case ignored),
    attributes ANDed.  ``value`` picks the value column to sum where a kind has
    several (the kind's first by default).  The records are counted by the
    measures' own engine: a counting rule compiled to Ibis
    (:func:`policingplan.data.rules.compile_rule`), and for ``by="force"`` the
    force's total as a measure's (:func:`~policingplan.data.rules.force_totals`:
    every unit, ``MPS-UNKNOWN`` included, but no area made of units).  A month
    is summed into its financial or calendar year; a unit and period with no
    matching record has no row.  A file with errors counts nothing: a UserError
    carries every error.
    """
    from policingplan.data.readers.registry import reader_for

    reader_for(kind)
    conditions = parse_where(kind, where)
    column = _totals_options(kind, period, by, value)
    results, notes = _read(kind, files, on_read)
    rejected = [r for r in results if not r.ok]
    if rejected:
        raise UserError(f"{len(rejected)} file(s) have errors; nothing was counted. "
                        f"Run 'policingplan data check {kind} FILE' for the full list",
                        [p for r in rejected for p in r.problems.errors])
    tables = [r.table for r in results]
    rows = _count(kind, tables, period=period, by=by, where=conditions, value=column)
    part = _part_periods(tables, period)
    if part:
        notes.append(notice("data.part-periods", periods=", ".join(part)))
    return TotalsResult(kind=kind, period=period, by=by, rows=rows, attribution=attribution([kind]), notes=notes)


def _period_target(source_kind: str, target: str, kind: str) -> Callable[[str], str]:
    """A function turning a ``source_kind`` period into a ``target`` period, or a UserError."""
    from policingplan.periods import Month

    if source_kind == target:
        return lambda period: period
    if source_kind == "month" and target == "year":
        return lambda period: period[:4]
    if source_kind == "month" and target == "fy":
        return lambda period: str(Month(period).financial_year)
    raise UserError(
        f"{kind} gives {'calendar years' if source_kind == 'year' else 'financial years'}; "
        f"they cannot be split into {'months' if target == 'month' else 'calendar years' if target == 'year' else 'financial years'}. "
        f"Use --period {source_kind}"
    )


def _count(kind: str, tables: list, *, period: str, by: str, where: dict[str, list[str]], value: str) -> list[TotalsRow]:
    """The totals, counted by a compiled counting rule over the records (see :func:`count_totals`)."""
    import ibis
    import pyarrow as pa
    import pyarrow.compute as pc

    from policingplan.data.readers import VALUE_COLUMNS, canonical_schema
    from policingplan.data.rules import SUM_OF, VALUE_CHOICES, compile_rule, force_totals, matching
    from policingplan.data.warehouse import Warehouse
    from policingplan.plan.model import FORCE, CountingRule, Measure

    tables = [t.cast(canonical_schema(kind)) for t in tables if t.num_rows]
    if not tables:
        return []
    table = pa.concat_tables(tables)
    if table[value].null_count == table.num_rows:
        others = [v for v, _ in VALUE_COLUMNS[kind] if v != value and table[v].null_count < table.num_rows]
        raise UserError(f"these {kind} files have no {value!r} values"
                        + (f"; use --value {others[0]}" if others else ""))
    # Letter case ignored: each value as the data spells it (a value the data never holds matches nothing).
    rule: dict[str, list[str]] = {}
    for attribute, values in where.items():
        wanted = {v.lower() for v in values}
        spelt = [v for v in pc.unique(table[attribute]).to_pylist() if v is not None and v.lower() in wanted]
        if not spelt:
            return []
        rule[attribute] = spelt
    if kind in VALUE_CHOICES and kind != "tidy":
        rule[SUM_OF] = [value]
    measure = Measure(id="totals", name="totals", kind="count", polarity="lower", unit_of_count="records",
                      source=kind, rule=CountingRule(count=rule))
    summed = "denominator" if kind == "tidy" and value == "denominator" else "numerator"
    con = Warehouse.connection()
    try:
        records = matching(ibis.memtable(table), rule)  # a unit and period with no matching record has no row
        values = compile_rule(measure, records)
        if by == "force":
            values = values.filter(values.unit == FORCE).union(force_totals(values, measure))
        periods = con.to_pyarrow(values.select("period", "period_kind").distinct())
        targets = {source_kind: _period_target(source_kind, period, kind)
                   for source_kind in sorted(set(periods["period_kind"].to_pylist()))}
        pairs = list(zip(periods["period"].to_pylist(), periods["period_kind"].to_pylist()))
        mapping = ibis.memtable(pa.table({
            "period": pa.array([p for p, _ in pairs], pa.string()),
            "period_kind": pa.array([k for _, k in pairs], pa.string()),
            "target": pa.array([targets[k](p) for p, k in pairs], pa.string()),
        }))
        joined = values.join(mapping, ["period", "period_kind"])
        totals = joined.group_by(["unit", "target"]).aggregate(count=ibis.coalesce(joined[summed].sum(), 0.0))
        result = con.to_pyarrow(totals).sort_by([("unit", "ascending"), ("target", "ascending")])
    finally:
        con.disconnect()
    whole = pa.types.is_integer(dict(VALUE_COLUMNS[kind])[value])
    return [TotalsRow(unit=unit, period=target, count=int(count) if whole else count)
            for unit, target, count in zip(result["unit"].to_pylist(), result["target"].to_pylist(),
                                           result["count"].to_pylist())]


def _part_periods(tables: list, period: str) -> list[str]:
    """The financial or calendar years that the files' months cover only in part."""
    import pyarrow.compute as pc

    from policingplan.periods import Month

    if period == "month":
        return []
    months: set[str] = set()
    for table in tables:
        if table.num_rows:
            monthly = table.filter(pc.equal(table["period_kind"], "month"))
            months.update(pc.unique(monthly["period"]).to_pylist())
    covered: dict[str, int] = {}
    for month in months:
        key = str(Month(month).financial_year) if period == "fy" else month[:4]
        covered[key] = covered.get(key, 0) + 1
    return sorted(key for key, count in covered.items() if count < 12)


# ----- templates ---------------------------------------------------------------------------


def template_names() -> list[str]:
    """The templates there are (``tidy``)."""
    from policingplan.data.templates import TEMPLATES

    return list(TEMPLATES)


def _template(name: str) -> None:
    if name not in template_names():
        raise UserError(f"no template {name!r}; accepted: {', '.join(template_names())}")


def template_csv(name: str) -> str:
    """A template as CSV text: its header and example rows."""
    import csv
    import io

    from policingplan.data.templates import template_rows

    _template(name)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(template_rows(name))
    return buffer.getvalue()


def template_xlsx(name: str) -> bytes:
    """A template as an XLSX workbook."""
    from policingplan.data.templates import template_xlsx as workbook

    _template(name)
    return workbook(name)


# ----- the warehouse -----------------------------------------------------------------------


def _warehouse(directory: Optional[Path]):
    from policingplan import settings
    from policingplan.data.warehouse import Warehouse

    return Warehouse(directory if directory is not None else settings.warehouse_dir())


def load_plan(plan_dir: Path) -> Plan:
    """The plan in a folder, checked (a UserError carries every problem)."""
    from policingplan.plan.io import load_plan as load

    return load(plan_dir)


def load_files(
    warehouse_dir: Optional[Path] = None,
    *,
    kind: Optional[str] = None,
    files: Sequence[Union[str, Path]] = (),
    plan: Optional[Plan] = None,
    data_dir: Optional[Path] = None,
    vintage: Optional[str] = None,
    on_read: Optional[OnRead] = None,
) -> LoadResult:
    """Load files into the warehouse, all or none: ``files`` of ``kind``, or every file the plan's
    data sources name (under ``data_dir``, by default the settings').

    With a plan, the categories that the load brought are checked against the plan's counting
    rules (docs/categories.md).  ``warehouse_dir`` defaults to the settings' warehouse.
    """
    from policingplan import settings
    from policingplan.data.files import plan_data_files

    if plan is not None and kind is None and not files:
        base = data_dir if data_dir is not None else settings.data_dir()
        sources = [(k, path) for k, _, path in plan_data_files(plan, base)]
        if not sources:
            raise UserError(f"the plan {plan.id} names no data sources (data_sources in plan.yaml)")
    else:
        if kind is None or not files:
            raise UserError("give a source kind and one or more files (policingplan data load KIND FILE...), "
                            "or --plan PLAN_DIR")
        if kind not in SOURCE_KINDS:
            raise UserError(f"unknown source kind {kind!r}; accepted: {', '.join(SOURCE_KINDS)}")
        sources = [(kind, path) for path in files]
    notes: list[Notice] = []
    expanded = []
    for source_kind, path in sources:
        paths, passed_over = _expand(source_kind, [path])
        expanded += [(source_kind, Path(file)) for file in paths]
        notes += passed_over
    store = _warehouse(warehouse_dir)
    try:
        report = store.load_files(expanded, vintage=vintage, on_read=_bytes_progress(expanded, on_read))
    except OSError as exc:
        raise UserError(f"cannot write the warehouse {store.directory}: {exc.strerror or exc}") from None
    drift = _load_drift(plan, store, report) if plan is not None else None
    return LoadResult(
        ok=report.ok, warehouse=report.warehouse,
        files=[_loaded_file(outcome) for outcome in report.files],
        errors=_problems(report.problems.errors),
        warnings=_problems(report.problems.warnings) + [FileProblem.of(f.problem) for f in drift or []],
        plan=plan.id if plan is not None else None, categories=drift or [],
        categories_checked=drift is not None, problems=list(report.problems.items), notes=notes,
    )


def _bytes_progress(sources: list[tuple[str, Path]], on_read: Optional[OnRead]):
    """The warehouse's ``on_read`` (a reader's result) as :class:`ReadProgress` over the files' bytes."""
    if on_read is None:
        return None
    sizes = {str(path): (path.stat().st_size if path.is_file() else 0) for _, path in sources}
    total, state = sum(sizes.values()), {"files": 0, "bytes": 0}

    def read(result) -> None:
        state["files"] += 1
        state["bytes"] += sizes.get(result.file, 0)
        on_read(ReadProgress(result.file, state["files"], len(sources), state["bytes"], total))

    return read


def _loaded_file(outcome) -> LoadedFile:
    return LoadedFile(
        file=outcome.file, kind=outcome.kind, status=outcome.status, sha256=outcome.sha256,
        rows_read=outcome.rows_read, rows_accepted=outcome.rows_accepted, vintage=outcome.vintage,
        load_id=outcome.load_id, loaded_at=outcome.loaded_at, message=outcome.message,
        replacements=[ReplacementItem(
            replaced_load_id=r.replaced_load_id, replaced_file=r.replaced_file, replaced_vintage=r.replaced_vintage,
            rows=r.rows, periods=r.periods, units=r.units, first_period=r.first_period,
            last_period=r.last_period, description=r.describe()) for r in outcome.replacements],
    )


def _load_drift(plan: Plan, store, report) -> Optional[list[CategoryFinding]]:
    """The categories this load brought that no counting rule of the plan names (docs/categories.md).

    ``None`` when nothing was checked: the load failed, or it loaded no file of a kind that
    a measure of the plan counts by category.
    """
    from policingplan.data.drift import CHECKED_KINDS, warehouse_drift

    loaded = [outcome for outcome in report.files if outcome.status == "loaded"]
    counted = {m.source for m in plan.measures if m.rule is not None} & set(CHECKED_KINDS)
    if not report.ok or not any(outcome.kind in counted for outcome in loaded):
        return None
    findings = warehouse_drift(store, plan.measures, [outcome.load_id for outcome in loaded])
    return [CategoryFinding.of(finding) for finding in findings]


def warehouse_status(warehouse_dir: Optional[Path] = None) -> StatusResult:
    """The warehouse's loads, and the rows and periods it holds for each source kind."""
    status = _warehouse(warehouse_dir).status()
    return StatusResult(warehouse=status["warehouse"], loads=[LoadEntry(**row) for row in status["loads"]],
                        sources=[SourceHolding(**row) for row in status["sources"]])


def category_drift(plan: Plan, warehouse_dir: Union[str, Path, None] = None) -> CategoryCheck:
    """The plan's counting rules against the categories in the warehouse (docs/categories.md).

    ``warehouse_dir`` is the warehouse asked for (``--warehouse``), or ``None`` for the
    settings' own, which is passed over quietly when it does not exist; one asked for that
    does not exist gives a warning.  A path that is a file is a UserError.  ``warehouse``
    is ``None`` when no warehouse was checked, or it holds none of the kinds that the rules
    count by category; ``warnings`` holds the rules' ``not_counted`` mistakes and the findings.
    """
    from dataclasses import replace

    from policingplan import settings

    directory = Path(warehouse_dir) if warehouse_dir is not None else settings.warehouse_dir()
    if directory.exists() and not directory.is_dir():
        raise UserError(f"--warehouse {directory}: this is a file, not a folder; accepted: a warehouse folder, "
                        f"as 'policingplan data load --plan PLAN_DIR --warehouse DIR' fills")
    if not directory.is_dir():
        if warehouse_dir is None:
            return CategoryCheck(warehouse=None, findings=[])
        return CategoryCheck(warehouse=None, findings=[], warnings=[Problem(
            f"the warehouse {directory} does not exist, so the categories in the data were not checked "
            "against the counting rules", column="--warehouse", value=str(directory),
            accepted="a warehouse folder, as 'policingplan data load --plan PLAN_DIR --warehouse DIR' fills",
            severity="warning")])
    from policingplan.data.drift import CHECKED_KINDS, not_counted_problems, warehouse_drift
    from policingplan.data.readers import ATTRIBUTES
    from policingplan.data.warehouse import Warehouse

    store = Warehouse(directory)
    problems = [replace(problem, severity="warning") for measure in plan.measures
                if measure.rule is not None and measure.source in ATTRIBUTES
                for problem in not_counted_problems(measure, ATTRIBUTES[measure.source])]
    counted = {m.source for m in plan.measures if m.rule is not None} & set(CHECKED_KINDS)
    if not counted & store.loaded_kinds():
        return CategoryCheck(warehouse=None, findings=[], warnings=problems)
    findings = [CategoryFinding.of(finding) for finding in warehouse_drift(store, plan.measures)]
    return CategoryCheck(warehouse=str(directory), findings=findings,
                         warnings=problems + [finding.problem for finding in findings])


# ----- uploads -----------------------------------------------------------------------------
#
# A file that a person uploads (through the web application) is checked before any reader
# sees it: its name (no path, no control character, nothing a file system treats specially),
# its size, and its type by its name's ending AND by its first bytes.  Only then is it
# written to a private temporary folder, loaded by :func:`load_files` exactly as
# ``policingplan data load`` loads a file, and deleted.  The readers take meaning from a
# file's name (the GLA rates file by "rate", an ONS estimate's mid-year), and the warehouse
# records it, so the file is stored under its checked name, inside a folder that only this
# process can open (``tempfile.mkdtemp``: a random name, mode 0700).

#: The endings an uploaded file's name may have, by source kind (what the readers accept:
#: a CSV file, the same compressed with gzip, a data.police.uk zip, a tidy XLSX workbook).
UPLOAD_ENDINGS: dict[str, tuple[str, ...]] = {
    kind: (".csv", ".csv.gz") + ((".zip",) if kind == "police-uk-street" else ())
    + ((".xlsx",) if kind == "tidy" else ())
    for kind in SOURCE_KINDS
}
#: The longest file name accepted, in bytes of UTF-8 (most file systems' limit).
UPLOAD_NAME_MAX_BYTES = 255
#: How much of a file's start is checked for its type (and, compressed, of its content).
UPLOAD_SNIFF_BYTES = 64 * 1024
#: Names that Windows keeps for devices, whatever the extension (``con.csv`` is the console).
WINDOWS_RESERVED_NAMES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"] + [f"{p}{n}" for p in ("COM", "LPT") for n in
                                                         list("123456789") + ["\u00b9", "\u00b2", "\u00b3"]])
#: Characters that Windows refuses in a file name (``:`` also opens an NTFS stream).
_WINDOWS_FORBIDDEN = set('<>:"|?*')
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_NAME_ACCEPTED = ("a plain file name, as the publisher named the file, such as "
                  "mps-recorded-crime-borough-monthly.csv.gz: no folder, no control character, "
                  "not starting with a dot or a dash, at most 255 bytes")


def upload_endings(kind: str) -> tuple[str, ...]:
    """The endings a file of ``kind`` may have when uploaded (a UserError for an unknown kind)."""
    if kind not in UPLOAD_ENDINGS:
        raise UserError(f"unknown source kind {kind!r}; accepted: {', '.join(SOURCE_KINDS)}")
    return UPLOAD_ENDINGS[kind]


def upload_accepts(kind: str) -> str:
    """What an upload of ``kind`` may be, in words: ``a .csv file or a .csv.gz file``."""
    words = {".csv": "a CSV file (.csv)", ".csv.gz": "the same compressed with gzip (.csv.gz)",
             ".zip": "the police data portal's zip download (.zip)", ".xlsx": "an Excel workbook (.xlsx)"}
    parts = [words[ending] for ending in upload_endings(kind)]
    return ", ".join(parts[:-1]) + " or " + parts[-1] if len(parts) > 1 else parts[0]


def shown_name(name: str, limit: int = 80) -> str:
    """A file name as it can be shown: control and format characters written as ``\\x..``, cut at ``limit``."""
    import unicodedata

    text = "".join(ch if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp", "Cs") else
                   f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}" for ch in name)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def upload_name_problems(kind: str, name: str) -> list[Problem]:
    """Why a file's name is refused for an upload of ``kind`` (none when it is accepted).

    Refused: an empty name; a folder in it (``/`` or ``\\``), ``..``; a control, format or
    line-separator character (NUL, a tab, a right-to-left override); a character that Windows
    refuses (``< > : " | ? *``); a name that starts with a dot or a dash, or ends with a dot or
    a space; a Windows device name (``CON``, ``NUL``, ``COM1``, … with any extension); more
    than 255 bytes; and an ending that the kind's readers do not read.
    """
    import unicodedata

    endings = upload_endings(kind)
    shown = shown_name(name)
    if not name or not name.strip():
        return [Problem("the file has no name", column="file", value="", accepted=_NAME_ACCEPTED)]

    def problem(message: str, accepted: str = _NAME_ACCEPTED) -> Problem:
        return Problem(message, file=shown, column="file name", accepted=accepted)

    problems: list[Problem] = []
    if "/" in name or "\\" in name:
        problems.append(problem("the name holds a folder (a / or \\ in it)"))
    if ".." in name:
        problems.append(problem("the name holds '..', which can point outside a folder"))
    bad = sorted({ch for ch in name if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")})
    if bad:
        problems.append(problem("the name holds a control character (" +
                                ", ".join(shown_name(ch) for ch in bad[:5]) + ")"))
    forbidden = sorted(set(name) & _WINDOWS_FORBIDDEN)
    if forbidden:
        problems.append(problem("the name holds a character that file systems refuse (" +
                                " ".join(forbidden) + ")"))
    if name[0] in ".-":
        problems.append(problem(f"the name starts with {'a dot' if name[0] == '.' else 'a dash'}"))
    if name[-1] in ". ":
        problems.append(problem(f"the name ends with {'a dot' if name[-1] == '.' else 'a space'}"))
    stem = name.split(".", 1)[0].rstrip(" ").upper()
    if stem in WINDOWS_RESERVED_NAMES:
        problems.append(problem(f"{stem} is a name that Windows keeps for a device"))
    size = len(name.encode("utf-8", errors="surrogatepass"))
    if size > UPLOAD_NAME_MAX_BYTES:
        problems.append(problem(f"the name is {size:,} bytes long, more than {UPLOAD_NAME_MAX_BYTES}"))
    if not name.lower().endswith(endings):
        problems.append(Problem(
            f"the name does not end {', '.join(endings[:-1])} or {endings[-1]}, as a {kind} file must"
            if len(endings) > 1 else f"the name does not end {endings[0]}, as a {kind} file must",
            file=shown, column="file type", accepted=upload_accepts(kind)))
    return problems


def _text_problem(head: bytes, complete: bool) -> Optional[str]:
    """Why the start of a file is not CSV text (``None`` when it is); ``complete``: the head is the whole file."""
    if head.startswith(_GZIP_MAGIC):
        return "the file is compressed (gzip), but its name ends .csv; name it .csv.gz, or upload the CSV inside it"
    if head.startswith(_ZIP_MAGIC):
        return "the file is a zip archive or an Excel workbook, not CSV text"
    if head.startswith(_XLS_MAGIC):
        return "the file is an Excel 97–2003 workbook, not CSV text"
    if b"\x00" in head:
        return "the file holds binary data (a NUL byte), not CSV text"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if complete or exc.end < len(head) or exc.reason != "unexpected end of data":
            line = head[: exc.start].count(b"\n") + 1
            return (f"the file is not UTF-8 text (line {line}, byte {head[exc.start:exc.start + 1].hex().upper()}); "
                    "save it as CSV UTF-8")
    return None


def upload_type_problems(kind: str, name: str, head: bytes, size: int, path: Optional[Path] = None) -> list[Problem]:
    """Why a file's content does not match its name's ending (none when it does).

    ``head`` is the file's first bytes (at least :data:`UPLOAD_SNIFF_BYTES`, or the whole
    file), ``size`` its length, and ``path``, when given, the file itself (a zip archive's
    directory, at its end, is opened).  A ``.csv`` must be text (UTF-8, no NUL byte, not a
    workbook or a compressed file); a ``.csv.gz`` gzip whose content starts as such text; a
    ``.zip`` or ``.xlsx`` a zip archive that opens.
    """
    import zlib
    import zipfile

    shown = shown_name(name)
    lower = name.lower()

    def problem(message: str) -> list[Problem]:
        return [Problem(message, file=shown, column="file type", accepted=upload_accepts(kind))]

    if size == 0:
        return problem("the file is empty")
    if lower.endswith(".csv.gz"):
        if not head.startswith(_GZIP_MAGIC):
            return problem("the name ends .csv.gz, but the file is not compressed with gzip")
        try:
            content = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, UPLOAD_SNIFF_BYTES)
        except zlib.error as exc:
            return problem(f"the file is not a whole gzip file ({exc}); compress it again, or upload the CSV")
        why = _text_problem(content, complete=False) if content else None
        return problem(f"inside the gzip file: {why}") if why else []
    if lower.endswith(".csv"):
        why = _text_problem(head, complete=size <= len(head))
        return problem(why) if why else []
    if lower.endswith((".zip", ".xlsx")):
        what = "a zip archive" if lower.endswith(".zip") else "an Excel workbook (.xlsx)"
        if not head.startswith(_ZIP_MAGIC):
            return problem(f"the name ends {Path(lower).suffix}, but the file is not {what}")
        if path is not None and not zipfile.is_zipfile(path):
            return problem(f"the file starts as {what} but cannot be opened: it may be cut short; download it again")
        return []
    return []  # the name's ending is reported by upload_name_problems


def load_upload(
    kind: str,
    name: str,
    source,
    *,
    max_bytes: Optional[int] = None,
    warehouse_dir: Optional[Path] = None,
    plan: Optional[Plan] = None,
    vintage: Optional[str] = None,
) -> LoadResult:
    """Load one uploaded file, given its kind, the name it came with and its content (``bytes``
    or a binary file object, read in chunks), as :func:`load_files` loads a file: all or nothing.

    Refused before any reader reads it (a :class:`UserError` carrying every problem, and the
    warehouse untouched): an unknown kind, a hostile or wrong name (:func:`upload_name_problems`),
    a file larger than ``max_bytes``, and content that does not match its name
    (:func:`upload_type_problems`).  The result names the file by its uploaded name, never by the
    temporary file it was read from, which is deleted whatever happens.
    """
    import io
    import os
    import shutil
    import tempfile

    upload_endings(kind)
    problems = upload_name_problems(kind, name)
    if problems:
        raise UserError(f"{shown_name(name)}: the file's name is refused", problems)
    stream = io.BytesIO(source) if isinstance(source, (bytes, bytearray, memoryview)) else source
    folder = Path(tempfile.mkdtemp(prefix="policingplan-upload-"))
    try:
        path = folder / name
        if path.parent != folder:  # upload_name_problems makes this impossible; never write elsewhere
            raise UserError(f"{shown_name(name)}: the file's name is refused")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        size, head = 0, b""
        with os.fdopen(os.open(path, flags, 0o600), "wb") as out:
            while True:
                chunk = stream.read(1024 * 1024)
                if not chunk:
                    break
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise UserError(f"{shown_name(name)}: the file is too large", [Problem(
                        f"the file is larger than {size_words(max_bytes)}", file=shown_name(name),
                        column="file size", accepted=f"a file of at most {size_words(max_bytes)}")])
                if len(head) < UPLOAD_SNIFF_BYTES:
                    head += chunk[: UPLOAD_SNIFF_BYTES - len(head)]
                out.write(chunk)
        problems = upload_type_problems(kind, name, head, size, path)
        if problems:
            raise UserError(f"{shown_name(name)}: the file is not what its name says", problems)
        result = load_files(warehouse_dir, kind=kind, files=[path], plan=plan, vintage=vintage)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return _named(result, str(path), name, str(folder))


def size_words(size: int) -> str:
    """A size in words: ``200 MB``, ``1.5 MB``, ``512 KB``, ``100 bytes`` (1 MB = 1,000,000 bytes)."""
    for unit, scale in (("GB", 10 ** 9), ("MB", 10 ** 6), ("KB", 10 ** 3)):
        if size >= scale:
            value = size / scale
            return f"{value:,.0f} {unit}" if value.is_integer() or value >= 100 else f"{value:,.1f} {unit}"
    return f"{size:,} bytes"


def _named(result: LoadResult, path: str, name: str, folder: str) -> LoadResult:
    """The result with the temporary file's path replaced by the uploaded name (and the folder by nothing)."""
    from dataclasses import replace

    def text(value):
        if not isinstance(value, str):
            return value
        return value.replace(path, name).replace(folder + "/", "").replace(folder, "")

    def problem(p: Problem) -> Problem:
        return replace(p, file=text(p.file), message=text(p.message), value=text(p.value))

    def file_problem(p: FileProblem) -> FileProblem:
        return p.model_copy(update={"file": text(p.file), "message": text(p.message), "value": text(p.value)})

    return result.model_copy(update={
        "files": [f.model_copy(update={"file": text(f.file), "message": text(f.message)}) for f in result.files],
        "errors": [file_problem(p) for p in result.errors],
        "warnings": [file_problem(p) for p in result.warnings],
        "problems": [problem(p) for p in result.problems],
    })


# ----- measures ----------------------------------------------------------------------------


def load_hint(plan: Plan, kind: str, warehouse_dir: Optional[Path] = None) -> str:
    """The command that loads a plan's files of ``kind`` (``--warehouse`` when one was asked for)."""
    import os
    import shlex

    from policingplan import settings
    from policingplan.data.files import plan_data_files

    def shown(path: Path) -> str:
        try:
            relative = os.path.relpath(path)
        except ValueError:
            return str(path)
        return relative if len(relative) < len(str(path)) else str(path)

    paths = [shown(path) for _, _, path in plan_data_files(plan, settings.data_dir(), kind)] or ["FILE..."]
    command = ["policingplan", "data", "load", kind, *paths]
    if warehouse_dir is not None:
        command += ["--warehouse", str(warehouse_dir)]
    return " ".join(shlex.quote(part) if part != "FILE..." else part for part in command)


def _number(value: Optional[float]) -> Optional[Number]:
    """Whole numbers as integers; other values as they are."""
    if value is not None and float(value).is_integer():
        return int(value)
    return value


def measure_ids(plan: Plan, measure: Optional[str] = None) -> list[str]:
    """The measures that :func:`measures` computes: the one asked for, or every one with a source and
    a counting rule (a UserError for a measure the plan lacks, or one it cannot compute)."""
    from policingplan.data.measures import measures_with_rules

    return [each.id for each in measures_with_rules(plan, measure)]


def measures(
    plan: Plan,
    warehouse_dir: Optional[Path] = None,
    *,
    measure: Optional[str] = None,
    unit: Optional[str] = None,
    start: Optional[str] = None,
    end: Optional[str] = None,
    on_measure: Optional[Callable[[Optional[str], int, int], None]] = None,
    engine: Optional[str] = None,
    on_engine: Optional[Callable[[str], None]] = None,
) -> MeasureValues:
    """The plan's measure values by unit and period, computed from the warehouse by its counting rules.

    ``unit`` is a unit's code or ``force``; ``start`` and ``end`` (``YYYY-MM``) keep the periods
    wholly within them.  ``on_measure(measure_id, done, total)`` is called before each measure is
    computed, and with ``None`` after.  A measure whose source is not loaded is a UserError that
    says how to load it.  ``engine`` (``duckdb``, the default, or ``spark``) is where the
    counting rules run; ``on_engine(sentence)`` is told before Spark starts.
    """
    import pyarrow as pa

    from policingplan.data.engines import Engine, engine_name
    from policingplan.data.measures import SourceNotLoaded, measure_values, measures_with_rules

    runs_on = Engine(engine_name(engine), on_start=on_engine)
    store = _warehouse(warehouse_dir)
    wanted = measures_with_rules(plan, measure)
    parts = []
    try:
        for done, each in enumerate(wanted):
            if on_measure is not None:
                on_measure(each.id, done, len(wanted))
            parts.append(measure_values(plan, store, measure_id=each.id, unit=unit, start=start, end=end,
                                        engine=runs_on))
            if on_measure is not None:
                on_measure(None, done + 1, len(wanted))
    except SourceNotLoaded as exc:
        raise UserError(f"{exc}; load it first: {load_hint(plan, exc.kind, warehouse_dir)}") from None
    rows: list[MeasureRow] = []
    if parts:
        table = pa.concat_tables(parts).sort_by([("measure", "ascending"), ("unit", "ascending"),
                                                 ("month", "ascending")])
        sources = {m.id: m.source for m in plan.measures}
        for row in table.to_pylist():
            numerator, denominator = row["numerator"], row["denominator"]
            if denominator is None:
                value = numerator
            else:
                value = numerator / denominator if denominator and numerator is not None else None
            rows.append(MeasureRow(measure=row["measure"], unit=row["unit"], month=row["month"],
                                   period_kind=row["period_kind"], numerator=_number(numerator),
                                   denominator=_number(denominator), value=_number(value),
                                   source=sources.get(row["measure"])))
    kinds = list(dict.fromkeys(row.source for row in rows if row.source))
    return MeasureValues(plan=plan.id, rows=rows, attribution=attribution(kinds))


RESULTS = (CheckResult, TotalsResult, LoadResult, StatusResult, MeasureValues, CategoryCheck)

__all__ = [
    "BY_CHOICES", "MEASURE_CSV_COLUMNS", "PERIOD_CHOICES", "RESULTS", "CategoryCheck", "CategoryFinding",
    "CheckResult", "CheckedFile", "FileProblem", "LoadEntry", "LoadResult", "LoadedFile", "MeasureRow",
    "MeasureValues", "ReadProgress", "ReplacementItem", "SourceHolding", "StatusResult", "TotalsResult",
    "TotalsRow", "category_drift", "check_files", "count_totals", "load_files", "load_hint", "load_plan",
    "measure_ids", "measures", "parse_where", "template_csv", "template_names", "template_xlsx", "warehouse_status",
    "UPLOAD_ENDINGS", "load_upload", "shown_name", "size_words", "upload_accepts", "upload_endings", "upload_name_problems",
    "upload_type_problems",
]
