"""``policingplan publish``: every document of a plan, written at once.

Thin glue over :func:`policingplan.services.publish.publish`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape as esc

from policingplan.cli.common import console, fail, print_json
from policingplan.formatting import fmt_int
from policingplan.problems import UserError

PLAN_DIR_HELP = "The plan folder: plan.yaml, the CSV tables and narrative/*.md."
OUT_HELP = ("The folder to write the documents into: made if new, replaced whole if it holds only an earlier "
            "publication.")
SINCE_HELP = ("The version the report of changes is since (a version kept in the plan folder's versions/, such "
              "as 0.3, or an earlier version's folder); default: the previous version.")


def publish(
    plan_dir: Path = typer.Argument(..., help=PLAN_DIR_HELP),
    out: Path = typer.Option(..., "--out", help=OUT_HELP),
    since: Optional[str] = typer.Option(None, "--since", help=SINCE_HELP),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Publish the plan: plan.html and .pdf, changes.html and .pdf, the committee report (.pdf and .docx),
    a letter to each borough and targets.xlsx.

    Every figure comes from the same services as the other commands; the PDFs are tagged (PDF/UA-1), and
    the same plan always gives byte-identical files, dated from the plan's version.  Nothing is
    half-written: the documents are made in a temporary folder and renamed into place.
    """
    from policingplan.services.publish import publish as publish_plan

    try:
        result = publish_plan(plan_dir, out, since=since)
    except UserError as exc:
        fail(str(exc))
    if json_output:
        print_json(result)
        return
    letters = [f for f in result.files if f.name.startswith("letters/")]
    console.print(f"Published {esc(result.plan)} version {esc(result.version)}"
                  + (f" ({esc(result.date)})" if result.date else "") + f" into {esc(result.out_dir)}:",
                  highlight=False)
    for item in result.files:
        if not item.name.startswith("letters/"):
            console.print(f"  {esc(item.name):<24} {fmt_int(item.bytes):>11} bytes", highlight=False)
    if letters:
        console.print(f"  {'letters/':<24} {fmt_int(len(letters)):>11} letters, one per unit", highlight=False)
    if result.since:
        console.print(f"Changes since version {esc(result.since)}.", highlight=False)
    for note in result.notes:
        console.print(f"Note: {esc(note)}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("publish")(publish)
