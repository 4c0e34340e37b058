"""The ``policingplan`` command line: one Typer application, thin glue over the core.

Each area registers its own commands from its own module, so that the command
line grows with the system without one file becoming a tangle.
"""

from __future__ import annotations

import importlib
import sys

import typer

from policingplan import __version__
from policingplan.problems import UserError

app = typer.Typer(
    name="policingplan",
    help="Plan, target and monitor police performance: the plan as code, real data, honest statistics.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"policingplan {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Plan, target and monitor police performance."""


# Each module defines ``register(app)``.  Order here is the order of --help.
_COMMAND_MODULES = (
    "policingplan.cli.plan_cmds",
    "policingplan.cli.data_cmds",
    "policingplan.cli.warehouse_cmds",
    "policingplan.cli.stats_cmds",
    "policingplan.cli.forecast_cmds",
    "policingplan.cli.targets_cmds",
    "policingplan.cli.monitor_cmds",
)

from policingplan.cli.groups import data_app  # noqa: E402

app.add_typer(data_app, name="data")

for _name in _COMMAND_MODULES:
    try:
        _module = importlib.import_module(_name)
    except ModuleNotFoundError as exc:  # an area not yet built
        if exc.name != _name:
            raise
        continue
    _module.register(app)


def main() -> None:
    """Entry point: user errors become one line and exit code 1, never a traceback."""
    from policingplan.cli.common import fail

    try:
        app()
    except UserError as exc:
        try:
            fail(str(exc))
        except typer.Exit as exit_:
            sys.exit(exit_.exit_code)


if __name__ == "__main__":
    main()
