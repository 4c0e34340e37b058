"""``policingplan diff``: the changes between two versions of a plan, each with its reason.

Thin glue over :mod:`policingplan.services.changes`: the service compares the
plans and words each change; this prints the sentences, grouped by section.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape as esc

from policingplan.cli.common import console, fail, print_json
from policingplan.formatting import fmt_int
from policingplan.problems import UserError

if TYPE_CHECKING:  # the service is imported by the command
    from policingplan.services.changes import PlanChanges

OLD_HELP = ("The older version's plan folder (an earlier version is kept in the plan folder's "
            "versions/<version>/, such as examples/london-2007-08/versions/0.3).")
NEW_HELP = "The newer version's plan folder."


def print_changes(result: PlanChanges, titles: dict[str, str]) -> None:
    """The changes, a heading per section, one sentence per change."""
    count = len(result.changes)
    heading = f"Changes from {result.old} to {result.new}: "
    heading += "none" if count == 0 else f"{fmt_int(count)} change{'' if count == 1 else 's'}"
    console.print(esc(heading), highlight=False, soft_wrap=True)
    for section, changes in result.sections.items():
        console.print()
        console.print(f"[bold]{esc(titles.get(section, section))}[/]", highlight=False)
        for change in changes:
            console.print(f"  - {esc(change.sentence)}", highlight=False, soft_wrap=True)


def diff(
    old: Path = typer.Argument(..., help=OLD_HELP),
    new: Path = typer.Argument(..., help=NEW_HELP),
    json_output: bool = typer.Option(False, "--json", help="Print the changes as JSON."),
) -> None:
    """Show what changed between two versions of a plan: every added, removed or changed priority,
    objective, measure, target, CPA flag, investment and narrative section, each with the reason
    from the amendment that made it."""
    from policingplan.services.changes import SECTION_TITLES, plan_changes

    try:
        result = plan_changes(old, new)
    except UserError as exc:
        fail(str(exc))
    if json_output:
        print_json(result)
        return
    print_changes(result, SECTION_TITLES)


def register(app: typer.Typer) -> None:
    app.command("diff")(diff)
