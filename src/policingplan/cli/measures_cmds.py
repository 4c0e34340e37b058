"""``policingplan measures``: a plan's measure values from the warehouse, on the command line.

Thin glue over :func:`policingplan.services.data.measures`.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from policingplan.cli.common import console, err_console, fail, print_json
from policingplan.cli.warehouse_cmds import WAREHOUSE_HELP
from policingplan.formatting import fmt_int, fmt_num, fmt_pct
from policingplan.plan.model import Plan
from policingplan.problems import UserError

if TYPE_CHECKING:
    from policingplan.services.data import MeasureRow

#: The columns of ``measures --csv`` (as :data:`policingplan.services.data.MEASURE_CSV_COLUMNS`; kept
#: here too so that ``--help`` imports no service).
MEASURE_CSV_COLUMNS = ("measure", "unit", "month", "period_kind", "numerator", "denominator", "value", "source")


def _shown_number(value) -> str:
    if value is None:
        return ""
    return fmt_int(value) if float(value).is_integer() else fmt_num(value)


def csv_text(rows: list["MeasureRow"]) -> str:
    """The rows as CSV, with the columns of :data:`MEASURE_CSV_COLUMNS`."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(MEASURE_CSV_COLUMNS), lineterminator="\n",
                            extrasaction="ignore")
    writer.writeheader()
    writer.writerows(row.model_dump() for row in rows)
    return buffer.getvalue()


def print_measure_table(rows: list["MeasureRow"]) -> None:
    """The rows as aligned columns under a heading, printed in slices (a progress bar when that runs long).

    Laid out by hand rather than as a Rich table: seventeen thousand rows take a Rich table
    eight seconds, and these columns need no wrapping (no cell has a space)."""
    from policingplan.cli.progress import delayed_progress

    headings = ("measure", "unit", "period", "numerator", "denominator", "rate")
    cells = []
    for row in rows:
        rate = fmt_pct(row.value) if row.denominator else ""
        cells.append((row.measure, row.unit, row.month, _shown_number(row.numerator),
                      _shown_number(row.denominator), rate))
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


def _starting(sentence: str) -> None:
    """Say that a slow engine (Spark) is starting: it takes seconds."""
    err_console.print(sentence, highlight=False, markup=False, soft_wrap=True)


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
    engine: Optional[str] = typer.Option(
        None, "--engine", envvar="POLICINGPLAN_ENGINE", show_envvar=False, help="Where the counting rules run: duckdb (on this machine) or spark (a Spark "
        "session, local or the cluster the settings name: docs/deployment.md). Default: "
        "$POLICINGPLAN_ENGINE, else duckdb."),
) -> None:
    """The plan's measure values by unit and period, computed from the warehouse by its counting rules.

    The value is the count, or for a ratio the rate as a fraction (numerator ÷ denominator).
    """
    from policingplan.attribution import attribution_line
    from policingplan.cli.load_print import shown_path
    from policingplan.cli.progress import delayed_progress
    from policingplan.services.data import load_plan, measure_ids, measures

    if as_json and as_csv:
        fail("give --json or --csv, not both")
    try:
        plan = load_plan(plan_dir)
        unit = _unit_option(plan, unit)
        with delayed_progress("computing", len(measure_ids(plan, measure)), quiet=as_json) as advance:
            def on_measure(measure_id: Optional[str], done: int, total: int) -> None:
                advance(0 if measure_id else 1, description=f"computing {measure_id}" if measure_id else None)

            result = measures(plan, warehouse, measure=measure, unit=unit, start=start, end=end,
                              on_measure=on_measure, engine=engine, on_engine=_starting)
    except UserError as exc:
        fail(str(exc))  # fail() escapes the markup itself
    rows = result.rows
    if out is not None:
        from policingplan.cli.files import write_atomically

        import json

        text = json.dumps(result.to_json_data(), indent=2, ensure_ascii=False) + "\n" if as_json else csv_text(rows)
        try:
            write_atomically(out, text)
        except OSError as exc:
            fail(f"{out}: cannot write the file ({exc.strerror or exc}); accepted: a path in an existing folder")
        err_console.print(f"Wrote {fmt_int(len(rows))} rows to {shown_path(out)}", highlight=False, soft_wrap=True)
        return
    if as_json:
        print_json(result)
        return
    if as_csv:
        sys.stdout.write(csv_text(rows))
        return
    if not rows:
        console.print("No measure values in that range.")
        return
    if measure is None and unit is None and start is None and end is None:
        count, measures_count, units = result.counts()
        err_console.print(
            f"{fmt_int(count)} rows ({measures_count} measures, {units} units and the force, every period): printing them all. Narrow them with --measure, --unit, --from and --to, "
            "or write them to a file with --out FILE.", highlight=False, soft_wrap=True)
    print_measure_table(rows)
    line = attribution_line(result.source_kinds())
    if line:
        console.print(line, highlight=False, markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add ``measures`` to the application."""
    app.command("measures")(measures_command)
