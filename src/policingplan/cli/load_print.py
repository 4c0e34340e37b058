"""Printers for ``data load`` and ``data status``: what a service returned, in words and tables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table

from policingplan.cli.common import console, err_console, print_json, print_problems
from policingplan.formatting import fmt_int

if TYPE_CHECKING:
    from policingplan.services.data import LoadResult, StatusResult


def shown_path(path: Path) -> str:
    """A path as the user would type it: relative to the current directory where that is shorter."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return relative if len(relative) < len(str(path)) else str(path)


def print_load(result: "LoadResult", as_json: bool) -> None:
    """The load report: JSON, or a line for each file, the categories checked and the warehouse."""
    if as_json:
        print_json(result)
        return
    if result.problems:
        print_problems(result.problems)
    for outcome in result.files:
        name = Path(outcome.file).name
        vintage = f", vintage {outcome.vintage}" if outcome.vintage else ""
        if outcome.status == "loaded":
            console.print(
                f"loaded {name} ({outcome.kind}{vintage}) as load {outcome.load_id}: "
                f"{fmt_int(outcome.rows_read)} rows read, {fmt_int(outcome.rows_accepted)} accepted",
                highlight=False,
            )
            for replacement in outcome.replacements:
                console.print(f"  {replacement.description}", highlight=False)
        elif outcome.status == "already loaded":
            console.print(f"{name}: {outcome.message}", highlight=False)
        else:
            err_console.print(f"{name}: {outcome.message or 'rejected'}", highlight=False)
    drift = result.categories
    if drift:
        many = "values" if len(drift) > 1 else "value"
        err_console.print(f"categories: {fmt_int(len(drift))} {many} that this load brought and that no "
                          f"counting rule of plan {result.plan} names", highlight=False, markup=False, soft_wrap=True)
        print_problems([finding.problem for finding in drift])
    elif result.categories_checked:
        console.print(f"categories: every category this load brought is named by plan {result.plan}'s rules, "
                      "or left out on purpose (not_counted)", highlight=False, soft_wrap=True)
    if result.ok:
        console.print(f"warehouse: {shown_path(Path(result.warehouse))}", highlight=False)


def print_status(status: "StatusResult") -> None:
    """The rows held for each source kind, then every load, then what each load replaced."""
    if not status.loads:
        console.print(f"The warehouse {shown_path(Path(status.warehouse))} holds no loads yet.", highlight=False)
        return
    sources = Table(title="Rows by source", title_justify="left")
    for column in ("source", "files", "rows", "first period", "last period"):
        sources.add_column(column, justify="right" if column in ("files", "rows") else "left")
    for row in status.sources:
        sources.add_row(row.kind, fmt_int(row.files), fmt_int(row.rows),
                        row.first_period or "–", row.last_period or "–")
    loads = Table(title="Loads", title_justify="left")
    loads.add_column("load", justify="right")
    loads.add_column("source")
    loads.add_column("file", overflow="fold")
    loads.add_column("vintage")
    loads.add_column("rows read / accepted", justify="right")
    loads.add_column("loaded (UTC)")
    replaced = []
    for row in status.loads:
        loads.add_row(str(row.load_id), row.kind, row.file, row.vintage or "–",
                      f"{fmt_int(row.rows_read)} / {fmt_int(row.rows_accepted)}",
                      row.loaded_at.replace("T", " ").replace("+00:00", ""))
        if row.replaced:
            replaced.append(f"load {row.load_id} {row.replaced}")
    console.print(sources)
    console.print(loads)
    for line in replaced:
        console.print(line, highlight=False)
