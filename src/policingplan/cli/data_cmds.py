"""``policingplan data check``, ``data totals`` and ``data template``: the readers on the command line.

Thin glue over :mod:`policingplan.services.data`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from policingplan.cli.common import (
    EXIT_INVALID, console, err_console, fail, print_json, print_problems, print_table,
)
from policingplan.cli.groups import data_app
from policingplan.data.kinds import SOURCE_KINDS
from policingplan.formatting import fmt_int
from policingplan.problems import UserError

KIND_HELP = "The source kind: " + ", ".join(SOURCE_KINDS) + "."


def print_notes(notes) -> None:
    """Each notice as a note on standard error."""
    for note in notes:
        err_console.print(f"Note: {note}", highlight=False)


def check(
    kind: str = typer.Argument(..., help=KIND_HELP),
    files: List[Path] = typer.Argument(..., help="The files to check."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Validate files against their source kind without loading them.

    Exits 0 when every file is acceptable (warnings allowed), 1 otherwise.
    """
    from policingplan.cli.data_progress import files_progress
    from policingplan.services.data import check_files

    try:
        with files_progress(as_json) as on_read:
            result = check_files(kind, files, on_read=on_read)
    except UserError as exc:
        fail(str(exc))
    print_notes(result.notes)
    if as_json:
        print_json(result)
    else:
        for checked in result.files:
            status = "[green]ok[/]" if checked.ok else "[red]rejected[/]"
            console.print(
                f"{status} {checked.file}: {fmt_int(checked.rows_read)} rows read, "
                f"{fmt_int(checked.rows_accepted)} accepted, {checked.errors} error(s), "
                f"{checked.warnings} warning(s)", highlight=False)
            print_problems(checked.problems)
        rejected = sum(1 for checked in result.files if not checked.ok)
        verdict = "all acceptable" if result.ok else f"{rejected} rejected"
        console.print(f"{len(result.files)} file(s), {fmt_int(result.rows)} rows: {verdict}", highlight=False)
    if not result.ok:
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
    from policingplan.attribution import attribution_line
    from policingplan.cli.data_progress import files_progress
    from policingplan.services.data import count_totals

    try:
        with files_progress(as_json) as on_read:
            result = count_totals(kind, files, period=period, by=by, where=where or [], value=value,
                                  on_read=on_read)
    except UserError as exc:
        files_with_errors = list(dict.fromkeys(p.file for p in exc.problems))
        for file in files_with_errors:
            print_problems([p for p in exc.problems if p.file == file], heading=f"{file} is rejected:")
        fail(str(exc))
    archive_notes = [n for n in result.notes if n.code != "data.part-periods"]
    print_notes(archive_notes)
    if as_json:
        print_json(result)
        return
    table = Table("unit", "period", "count", title=f"{kind}: totals by {by} and {period}")
    for row in result.rows:
        shown = fmt_int(row.count) if isinstance(row.count, int) else f"{row.count:,.2f}"
        table.add_row(row.unit, row.period, shown)
    print_table(table)
    line = attribution_line([kind])
    if line:
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    print_notes([n for n in result.notes if n.code == "data.part-periods"])


def template(
    name: str = typer.Argument(..., help="The template: tidy."),
    out: Optional[Path] = typer.Argument(
        None, help="Where to write it: a .csv or .xlsx file. Without it, the CSV is printed."),
) -> None:
    """Write a template to fill in: the tidy format as CSV or XLSX."""
    from policingplan.services.data import template_csv, template_xlsx

    try:
        text = template_csv(name)
    except UserError as exc:
        fail(str(exc))
    if out is None:
        sys.stdout.write(text)
        return
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        fail(f"{out}: write the template to a .csv or .xlsx file")
    try:
        from policingplan.cli.files import write_atomically

        write_atomically(out, template_xlsx(name) if suffix == ".xlsx" else text)
    except OSError as exc:
        fail(f"{out}: cannot write the template ({exc.strerror or exc}); accepted: a path in an existing folder, ending .csv or .xlsx")
    err_console.print(f"Wrote the {name} template to {out}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``data check``, ``data totals`` and ``data template`` to the ``data`` group."""
    data_app.command("check")(check)
    data_app.command("totals")(totals)
    data_app.command("template")(template)
