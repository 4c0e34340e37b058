"""``policingplan data load``, ``data status`` and ``measures``: the warehouse from the command line."""

from __future__ import annotations

import csv
import os
import shlex
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from policingplan import settings
from policingplan.cli.common import console, err_console, fail, print_json, print_problems
from policingplan.cli.groups import data_app
from policingplan.data.files import expand_archives, plan_data_files
from policingplan.data.kinds import SOURCE_KINDS

if TYPE_CHECKING:  # the readers and the warehouse load PyArrow, Polars and DuckDB: only when a command runs
    from policingplan.data.readers import ReadResult
    from policingplan.data.warehouse import LoadReport, Warehouse
from policingplan.formatting import fmt_int, fmt_num, fmt_pct
from policingplan.plan.model import Plan
from policingplan.problems import Problem, UserError

WAREHOUSE_HELP = "The warehouse directory (default: $POLICINGPLAN_WAREHOUSE or .policingplan/warehouse)."


def _warehouse(directory: Optional[Path]) -> "Warehouse":
    from policingplan.data.warehouse import Warehouse

    return Warehouse(directory if directory is not None else settings.warehouse_dir())


def _shown_path(path: Path) -> str:
    """A path as the user would type it: relative to the current directory where that is shorter."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return relative if len(relative) < len(str(path)) else str(path)


def _problem_json(problem: Problem) -> dict:
    return {"file": problem.file, "line": problem.line, "column": problem.column,
            "value": problem.to_dict()["value"], "message": problem.message, "accepted": problem.accepted}


def _load_plan(plan_dir: Path) -> Plan:
    from policingplan.plan.io import load_plan

    return load_plan(plan_dir)


@contextmanager
def _reading_progress(paths: list[Path], quiet: bool) -> Iterator[Callable[[ReadResult], None] | None]:
    """A progress bar over the bytes of the files read, on a terminal and not under --json."""
    if quiet or not err_console.is_terminal:
        yield None
        return
    sizes = {str(path): (path.stat().st_size if path.is_file() else 0) for path in paths}
    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as progress:
        task = progress.add_task("reading", total=sum(sizes.values()) or 1)

        def on_read(result: ReadResult) -> None:
            progress.update(task, advance=sizes.get(result.file, 0), description=f"read {Path(result.file).name}")

        yield on_read
        progress.update(task, description="writing the warehouse")


def _category_drift(plan: Plan, store: Warehouse, report: LoadReport) -> list | None:
    """The categories this load brought that no counting rule of the plan names (docs/categories.md).

    ``None`` when nothing was checked: the load failed, or it loaded no file of a kind that
    a measure of the plan counts by category.
    """
    from policingplan.data.drift import CHECKED_KINDS, warehouse_drift

    loaded = [outcome for outcome in report.files if outcome.status == "loaded"]
    counted = {m.source for m in plan.measures if m.rule is not None} & set(CHECKED_KINDS)
    if not report.ok or not any(outcome.kind in counted for outcome in loaded):
        return None
    return warehouse_drift(store, plan.measures, [outcome.load_id for outcome in loaded])


def _print_report(report: LoadReport, as_json: bool, plan: Plan | None = None, drift: list | None = None) -> None:
    checked, drift = drift is not None, drift or []
    if as_json:
        print_json({
            "ok": report.ok,
            "warehouse": report.warehouse,
            "files": [outcome.to_dict() for outcome in report.files],
            "errors": [_problem_json(p) for p in report.problems.errors],
            "warnings": [_problem_json(p) for p in report.problems.warnings]
            + [_problem_json(f.problem()) for f in drift],
            "plan": plan.id if plan is not None else None,
            "categories": [finding.to_dict() for finding in drift],
        })
        return
    if report.problems.items:
        print_problems(report.problems)
    for outcome in report.files:
        name = Path(outcome.file).name
        vintage = f", vintage {outcome.vintage}" if outcome.vintage else ""
        if outcome.status == "loaded":
            console.print(
                f"loaded {name} ({outcome.kind}{vintage}) as load {outcome.load_id}: "
                f"{fmt_int(outcome.rows_read)} rows read, {fmt_int(outcome.rows_accepted)} accepted",
                highlight=False,
            )
            for replacement in outcome.replacements:
                console.print(f"  {replacement.describe()}", highlight=False)
        elif outcome.status == "already loaded":
            console.print(f"{name}: {outcome.message}", highlight=False)
        else:
            err_console.print(f"{name}: {outcome.message or 'rejected'}", highlight=False)
    if drift:
        many = "values" if len(drift) > 1 else "value"
        err_console.print(f"categories: {fmt_int(len(drift))} {many} that this load brought and that no "
                          f"counting rule of plan {plan.id} names", highlight=False, markup=False, soft_wrap=True)
        print_problems([finding.problem() for finding in drift])
    elif checked:
        console.print(f"categories: every category this load brought is named by plan {plan.id}'s rules, "
                      "or left out on purpose (not_counted)", highlight=False, soft_wrap=True)
    if report.ok:
        console.print(f"warehouse: {_shown_path(Path(report.warehouse))}", highlight=False)


def load_command(
    kind: Optional[str] = typer.Argument(None, help=f"The source kind: {', '.join(SOURCE_KINDS)}."),
    files: Optional[list[Path]] = typer.Argument(None, help="The files to load, all or none."),
    plan_dir: Optional[Path] = typer.Option(
        None, "--plan", help="Load every data source file a plan names; with KIND FILE..., load those files. "
        "Either way, report the categories loaded that no counting rule of the plan names."),
    data_dir: Optional[Path] = typer.Option(
        None, "--data-dir", help="Where a plan's data files are (default: $POLICINGPLAN_DATA_DIR or the project's data/ folder)."),
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", help=WAREHOUSE_HELP),
    vintage: Optional[str] = typer.Option(
        None, "--vintage", help="The files' vintage (publication date, YYYY-MM-DD) where the file does not state it."),
    as_json: bool = typer.Option(False, "--json", help="Print the load report as JSON."),
) -> None:
    """Load files into the warehouse atomically and print the load report."""
    plan = None
    if plan_dir is not None:
        try:
            plan = _load_plan(plan_dir)
        except UserError as exc:
            fail(escape(str(exc)))
    if plan is not None and kind is None and not files:
        base = data_dir if data_dir is not None else settings.data_dir()
        sources = [(kind, path) for kind, _, path in plan_data_files(plan, base)]
        if not sources:
            fail(escape(f"the plan in {plan_dir} names no data sources (data_sources in plan.yaml)"))
    else:
        if kind is None or not files:
            fail("give a source kind and one or more files (policingplan data load KIND FILE...), "
                 "or --plan PLAN_DIR")
        if kind not in SOURCE_KINDS:
            fail(f"unknown source kind {kind!r}; accepted: {', '.join(SOURCE_KINDS)}")
        sources = [(kind, path) for path in files]
    expanded = [(k, expand_archives(k, [path])) for k, path in sources]  # a published zip: its files
    for note in (note for _, e in expanded for note in e.notes):
        err_console.print(f"Note: {escape(note)}", highlight=False)
    sources = [(k, Path(file)) for k, e in expanded for file in e.files]
    store = _warehouse(warehouse)
    try:
        with _reading_progress([Path(path) for _, path in sources], quiet=as_json) as on_read:
            report = store.load_files(sources, vintage=vintage, on_read=on_read)
    except UserError as exc:
        fail(escape(str(exc)))
    except OSError as exc:
        fail(escape(f"cannot write the warehouse {store.directory}: {exc.strerror or exc}"))
    drift = _category_drift(plan, store, report) if plan is not None else None
    _print_report(report, as_json, plan, drift)
    if not report.ok:
        raise typer.Exit(1)


def status_command(
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", help=WAREHOUSE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the status as JSON."),
) -> None:
    """List the loads and the rows held for each source kind."""
    status = _warehouse(warehouse).status()
    if as_json:
        print_json(status)
        return
    if not status["loads"]:
        console.print(f"The warehouse {_shown_path(Path(status['warehouse']))} holds no loads yet.", highlight=False)
        return
    sources = Table(title="Rows by source", title_justify="left")
    for column in ("source", "files", "rows", "first period", "last period"):
        sources.add_column(column, justify="right" if column in ("files", "rows") else "left")
    for row in status["sources"]:
        sources.add_row(row["kind"], fmt_int(row["files"]), fmt_int(row["rows"]),
                        row["first_period"] or "–", row["last_period"] or "–")
    loads = Table(title="Loads", title_justify="left")
    loads.add_column("load", justify="right")
    loads.add_column("source")
    loads.add_column("file", overflow="fold")
    loads.add_column("vintage")
    loads.add_column("rows read / accepted", justify="right")
    loads.add_column("loaded (UTC)")
    replaced = []
    for row in status["loads"]:
        loads.add_row(str(row["load_id"]), row["kind"], row["file"], row["vintage"] or "–",
                      f"{fmt_int(row['rows_read'])} / {fmt_int(row['rows_accepted'])}",
                      row["loaded_at"].replace("T", " ").replace("+00:00", ""))
        if row["replaced"]:
            replaced.append(f"load {row['load_id']} {row['replaced']}")
    console.print(sources)
    console.print(loads)
    for line in replaced:
        console.print(line, highlight=False)


def _number(value: float | None):
    """Whole numbers print as integers; other values as they are."""
    if value is not None and float(value).is_integer():
        return int(value)
    return value


def _shown_number(value: float | None) -> str:
    if value is None:
        return ""
    return fmt_int(value) if float(value).is_integer() else fmt_num(value)


def _load_hint(plan: Plan, kind: str, warehouse: Optional[Path]) -> str:
    paths = [_shown_path(path) for _, _, path in plan_data_files(plan, settings.data_dir(), kind)] or ["FILE..."]
    command = ["policingplan", "data", "load", kind, *paths]
    if warehouse is not None:
        command += ["--warehouse", str(warehouse)]
    return " ".join(shlex.quote(part) if part != "FILE..." else part for part in command)


#: The columns of ``measures --csv``: the values as the warehouse computes them, the measure's
#: value (the count, or the rate as a fraction) and its source kind, so that ``spc`` and
#: ``forecast`` read the file as it is and carry the data's attribution.
MEASURE_CSV_COLUMNS = ("measure", "unit", "month", "period_kind", "numerator", "denominator", "value", "source")


def _measure_rows(plan: Plan, table) -> list[dict]:
    sources = {m.id: m.source for m in plan.measures}
    rows = []
    for row in table.to_pylist():
        numerator, denominator = row["numerator"], row["denominator"]
        if denominator is None:
            value = numerator
        else:
            value = numerator / denominator if denominator and numerator is not None else None
        rows.append(dict(row, numerator=_number(numerator), denominator=_number(denominator),
                         value=_number(value), source=sources.get(row["measure"])))
    return rows


def _csv_text(rows: list[dict]) -> str:
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(MEASURE_CSV_COLUMNS), lineterminator="\n",
                            extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _print_measure_table(rows: list[dict]) -> None:
    """The rows as aligned columns under a heading, printed in slices (a progress bar when that runs long).

    Laid out by hand rather than as a Rich table: seventeen thousand rows take a Rich table
    eight seconds, and these columns need no wrapping (no cell has a space)."""
    from policingplan.cli.progress import delayed_progress

    headings = ("measure", "unit", "period", "numerator", "denominator", "rate")
    cells = []
    for row in rows:
        numerator, denominator = row["numerator"], row["denominator"]
        rate = fmt_pct(numerator / denominator) if denominator else ""
        cells.append((row["measure"], row["unit"], row["month"], _shown_number(numerator),
                      _shown_number(denominator), rate))
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(headings)]

    def line(values) -> str:
        left = [v.ljust(w) for v, w in zip(values[:3], widths[:3])]
        right = [v.rjust(w) for v, w in zip(values[3:], widths[3:])]
        return "  ".join(left + right).rstrip()

    console.out(line(headings), highlight=False)
    console.out("  ".join("─" * w for w in widths), highlight=False)
    size = 1000
    with delayed_progress("printing", len(cells)) as advance:
        for first in range(0, len(cells), size):
            console.out("\n".join(line(c) for c in cells[first:first + size]), highlight=False)
            advance(len(cells[first:first + size]))


def _unit_option(plan: Plan, unit: Optional[str]) -> Optional[str]:
    """``--unit`` as a unit code: a plan unit's code or name in any case, ``force``, or another
    unit's code as written (``MPS-UNKNOWN``); anything else is refused with the closest name."""
    import re

    from policingplan.cli.values import find_unit, resolve_unit

    if unit is None:
        return None
    if unit.strip().casefold() == "force":
        return "force"
    names = {u.code: u.name for u in plan.units}
    code = find_unit(unit, names)
    if code is not None:
        return code
    if re.fullmatch(r"[A-Z0-9][A-Z0-9-]*", unit.strip()):
        return unit.strip()
    return resolve_unit(unit, names, "--unit")


def measures_command(
    plan_dir: Path = typer.Argument(..., help="The plan folder."),
    measure: Optional[str] = typer.Option(None, "--measure", help="Only this measure (its id)."),
    unit: Optional[str] = typer.Option(
        None, "--unit", help="Only this unit (its code or name, in any case), or 'force'."),
    start: Optional[str] = typer.Option(None, "--from", help="First month, YYYY-MM."),
    end: Optional[str] = typer.Option(None, "--to", help="Last month, YYYY-MM."),
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", help=WAREHOUSE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the rows as JSON, with the data's attribution."),
    as_csv: bool = typer.Option(False, "--csv", help="Print the rows as CSV (columns: " + ", ".join(
        MEASURE_CSV_COLUMNS) + "), which spc and forecast read as it is."),
    out: Optional[Path] = typer.Option(
        None, "--out", help="Write the rows to this file instead: CSV, or JSON with --json."),
) -> None:
    """The plan's measure values by unit and period, computed from the warehouse by its counting rules.

    The value is the count, or for a ratio the rate as a fraction (numerator ÷ denominator).
    """
    import pyarrow as pa

    from policingplan.attribution import JSON_KEY, attribution, attribution_line
    from policingplan.cli.progress import delayed_progress
    from policingplan.data.measures import SourceNotLoaded, measure_values, measures_with_rules

    if as_json and as_csv:
        fail("give --json or --csv, not both")
    plan = None
    try:
        plan = _load_plan(plan_dir)
        unit = _unit_option(plan, unit)
        store = _warehouse(warehouse)
        wanted = measures_with_rules(plan, measure)
        parts = []
        with delayed_progress("computing", len(wanted), quiet=as_json) as advance:
            for each in wanted:
                advance(0, description=f"computing {each.id}")
                parts.append(measure_values(plan, store, measure_id=each.id, unit=unit, start=start, end=end))
                advance()
    except SourceNotLoaded as exc:
        fail(escape(f"{exc}; load it first: {_load_hint(plan, exc.kind, warehouse)}"))
    except UserError as exc:
        fail(escape(str(exc)))
    table = pa.concat_tables(parts) if parts else None
    if table is not None:
        table = table.sort_by([("measure", "ascending"), ("unit", "ascending"), ("month", "ascending")])
    rows = _measure_rows(plan, table) if table is not None else []
    kinds = list(dict.fromkeys(row["source"] for row in rows if row["source"]))
    document = {"plan": plan.id, "rows": rows, JSON_KEY: attribution(kinds)}
    if out is not None:
        from policingplan.cli.files import write_atomically

        import json

        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n" if as_json else _csv_text(rows)
        try:
            write_atomically(out, text)
        except OSError as exc:
            fail(escape(f"{out}: cannot write the file ({exc.strerror or exc}); accepted: a path in an existing folder"))
        err_console.print(f"Wrote {fmt_int(len(rows))} rows to {_shown_path(out)}", highlight=False, soft_wrap=True)
        return
    if as_json:
        print_json(document)
        return
    if as_csv:
        sys.stdout.write(_csv_text(rows))
        return
    if not rows:
        console.print("No measure values in that range.")
        return
    if measure is None and unit is None and start is None and end is None:
        units = len({row["unit"] for row in rows} - {"force"})
        measures = len({row["measure"] for row in rows})
        err_console.print(
            f"{fmt_int(len(rows))} rows ({measures} measures, {units} units and the force, every period): printing them all. Narrow them with --measure, --unit, --from and --to, "
            "or write them to a file with --out FILE.", highlight=False, soft_wrap=True)
    _print_measure_table(rows)
    line = attribution_line(kinds)
    if line:
        console.print(line, highlight=False, markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    data_app.command("load")(load_command)
    data_app.command("status")(status_command)
    app.command("measures")(measures_command)
