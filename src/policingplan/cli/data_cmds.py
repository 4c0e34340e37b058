"""``policingplan data check``, ``data totals`` and ``data template``: the readers on the command line."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, List, Optional

import typer
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from policingplan.cli.common import (
    EXIT_INVALID, console, err_console, fail, print_json, print_problems, print_table,
)
from policingplan.cli.groups import data_app
from policingplan.data.kinds import SOURCE_KINDS
from policingplan.formatting import fmt_int
from policingplan.problems import UserError

KIND_HELP = "The source kind: " + ", ".join(SOURCE_KINDS) + "."


@contextmanager
def reading_progress(files: list[Path], quiet: bool) -> Iterator:
    """A progress bar over the files on a terminal; nothing under --json or in a pipe."""
    if quiet or not err_console.is_terminal:
        yield lambda file: None
        return
    with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total} files"), console=err_console,
                  transient=True) as progress:
        task = progress.add_task("Reading", total=len(files))

        def advance(file: Path | None) -> None:
            if file is None:
                progress.advance(task)
            else:
                progress.update(task, description=f"Reading {file.name}")

        yield advance


def read_files(kind: str, files: list[Path], quiet: bool) -> list:
    """Read each file with the kind's reader, showing progress; an unknown kind fails.

    A zip archive as published (data.police.uk) stands for its files of the kind;
    its files of other formats are passed over with a note.
    """
    from policingplan.data.files import expand_archives
    from policingplan.data.readers import read_source

    if kind in SOURCE_KINDS:
        expanded = expand_archives(kind, files)
        for note in expanded.notes:
            err_console.print(f"Note: {note}", highlight=False)
        files = [Path(f) for f in expanded.files]  # a member: Path("police.zip!2023-01/….csv")
    results = []
    with reading_progress(files, quiet) as advance:
        for file in files:
            advance(file)
            results.append(read_source(kind, file))
            advance(None)
    return results


def _problem_json(problem) -> dict:
    return {"file": problem.file, "line": problem.line, "column": problem.column,
            "value": problem.to_dict()["value"], "message": problem.message,
            "accepted": problem.accepted}


def check(
    kind: str = typer.Argument(..., help=KIND_HELP),
    files: List[Path] = typer.Argument(..., help="The files to check."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Validate files against their source kind without loading them.

    Exits 0 when every file is acceptable (warnings allowed), 1 otherwise.
    """
    try:
        results = read_files(kind, files, as_json)
    except UserError as exc:
        fail(str(exc))
    errors = [p for r in results for p in r.problems.errors]
    warnings = [p for r in results for p in r.problems.warnings]
    rows = sum(r.rows_read for r in results)
    ok = not errors
    if as_json:
        print_json({"ok": ok, "rows": rows, "errors": [_problem_json(p) for p in errors],
                    "warnings": [_problem_json(p) for p in warnings]})
    else:
        for result in results:
            status = "[green]ok[/]" if result.ok else "[red]rejected[/]"
            console.print(
                f"{status} {result.file}: {fmt_int(result.rows_read)} rows read, "
                f"{fmt_int(result.rows_accepted)} accepted, {len(result.problems.errors)} error(s), "
                f"{len(result.problems.warnings)} warning(s)", highlight=False)
            print_problems(result.problems)
        rejected = sum(1 for r in results if not r.ok)
        verdict = "all acceptable" if ok else f"{rejected} rejected"
        console.print(f"{len(results)} file(s), {fmt_int(rows)} rows: {verdict}", highlight=False)
    if not ok:
        raise typer.Exit(EXIT_INVALID)


def totals(
    kind: str = typer.Argument(..., help=KIND_HELP),
    files: List[Path] = typer.Argument(..., help="The files to count."),
    period: str = typer.Option(..., "--period", help="month, fy (April to March) or year."),
    by: str = typer.Option("unit", "--by", help="unit, or force for one total over every unit."),
    where: Optional[List[str]] = typer.Option(
        None, "--where", help="ATTR=V1,V2: keep rows whose attribute is one of the values "
                              "(letter case ignored). Repeat to AND several attributes."),
    value: Optional[str] = typer.Option(
        None, "--value", help="The value to sum where a kind has several "
                              "(ons-lsoa-population: all_ages or age_0_15; gla-borough-fy: count or value)."),
    as_json: bool = typer.Option(False, "--json", help="Print {kind, period, by, rows: [{unit, period, count}], attribution}."),
) -> None:
    """Count records straight from files, without a plan, by unit (or force) and period."""
    from policingplan.data.readers.registry import reader_for
    from policingplan.data.readers.totals import file_totals, parse_where, part_periods

    try:
        reader_for(kind)  # an unknown kind fails before any file is read
        conditions = parse_where(kind, where or [])
        results = read_files(kind, files, as_json)
    except UserError as exc:
        fail(str(exc))
    rejected = [r for r in results if not r.ok]
    if rejected:
        for result in rejected:
            print_problems(result.problems.errors, heading=f"{result.file} is rejected:")
        fail(f"{len(rejected)} file(s) have errors; nothing was counted. "
             f"Run 'policingplan data check {kind} FILE' for the full list")
    try:
        rows = file_totals(kind, [r.table for r in results], period=period, by=by,
                           where=conditions, value=value)
    except UserError as exc:
        fail(str(exc))
    from policingplan.attribution import JSON_KEY, attribution, attribution_line

    if as_json:
        print_json({"kind": kind, "period": period, "by": by, "rows": rows, JSON_KEY: attribution([kind])})
        return
    table = Table("unit", "period", "count", title=f"{kind}: totals by {by} and {period}")
    for row in rows:
        count = row["count"]
        shown = fmt_int(count) if isinstance(count, int) else f"{count:,.2f}"
        table.add_row(row["unit"], row["period"], shown)
    print_table(table)
    line = attribution_line([kind])
    if line:
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    part = part_periods([r.table for r in results], period)
    if part:
        err_console.print(f"Note: the files cover only part of {', '.join(part)}; "
                          "those totals are not whole years.", highlight=False)


def template(
    name: str = typer.Argument(..., help="The template: tidy."),
    out: Optional[Path] = typer.Argument(
        None, help="Where to write it: a .csv or .xlsx file. Without it, the CSV is printed."),
) -> None:
    """Write a template to fill in: the tidy format as CSV or XLSX."""
    from policingplan.data.templates import TEMPLATES, template_rows, template_xlsx

    if name not in TEMPLATES:
        fail(f"no template {name!r}; accepted: {', '.join(TEMPLATES)}")
    import csv
    import io

    if out is None:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(template_rows(name))
        sys.stdout.write(buffer.getvalue())
        return
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        fail(f"{out}: write the template to a .csv or .xlsx file")
    try:
        from policingplan.cli.files import write_atomically

        if suffix == ".xlsx":
            write_atomically(out, template_xlsx(name))
        else:
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(template_rows(name))
            write_atomically(out, buffer.getvalue())
    except OSError as exc:
        fail(f"{out}: cannot write the template ({exc.strerror or exc}); accepted: a path in an existing folder, ending .csv or .xlsx")
    err_console.print(f"Wrote the {name} template to {out}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``data check``, ``data totals`` and ``data template`` to the ``data`` group."""
    data_app.command("check")(check)
    data_app.command("totals")(totals)
    data_app.command("template")(template)
