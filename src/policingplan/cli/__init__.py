"""The ``policingplan`` command line: one Typer application, thin glue over the core.

Each area registers its own commands from its own module, so that the command
line grows with the system without one file becoming a tangle.
"""

from __future__ import annotations

import importlib
import sys

#: The one line that a command stopped by Ctrl-C prints (exit code 130).
INTERRUPTED = "Stopped (Ctrl-C); nothing was written."
EXIT_INTERRUPTED = 130


def _stopped_while_starting() -> None:
    """Ctrl-C while the command line is still being imported: the same one line, no traceback."""
    sys.stderr.write(INTERRUPTED + "\n")
    raise SystemExit(EXIT_INTERRUPTED)


try:
    import typer

    from policingplan import __version__
    from policingplan.problems import UserError
except KeyboardInterrupt:
    _stopped_while_starting()

#: ``-h`` as well as ``--help``, for every command: sub-commands inherit it from the root's context.
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(
    name="policingplan",
    context_settings=CONTEXT_SETTINGS,
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
    "policingplan.cli.diff_cmds",
    "policingplan.cli.portfolio_cmds",
    "policingplan.cli.publish_cmds",
    "policingplan.cli.web_cmds",
    "policingplan.cli.instance_cmds",
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
    except KeyboardInterrupt:
        _stopped_while_starting()
    _module.register(app)


#: One example for each command, by its path: the last line of its help (and of docs/cli.md).
#: A test checks that every command has one and that each names a real command and options.
EXAMPLES: dict[str, str] = {
    "": "policingplan validate examples/london-2023-24",
    "validate": "policingplan validate examples/london-2007-08",
    "show": "policingplan show examples/london-2023-24",
    "schema": "policingplan schema --output plan.schema.json",
    "measures": "policingplan measures examples/london-2023-24 --measure neighbourhood-crime --unit E09000033 "
                "--csv --out westminster.csv",
    "spc": "policingplan spc westminster.csv --direction decrease",
    "forecast": "policingplan forecast westminster.csv --year 2023/24 --as-of 2023-09",
    "requirement": "policingplan requirement examples/london-2007-08",
    "partners": "policingplan partners examples/london-2007-08",
    "monitor": "policingplan monitor examples/london-2023-24 --as-of 2023-09",
    "data": "policingplan data load --plan examples/london-2023-24",
    "data check": "policingplan data check mps-borough-monthly "
                  "data/london/mps-recorded-crime-borough-monthly_2010-04_2024-02.csv.gz",
    "data totals": "policingplan data totals mps-borough-monthly "
                   "data/london/mps-recorded-crime-borough-monthly_2010-04_2024-02.csv.gz --period fy --by force",
    "data template": "policingplan data template tidy my-figures.xlsx",
    "data load": "policingplan data load --plan examples/london-2023-24",
    "data status": "policingplan data status",
    "targets": "policingplan targets examples/london-2007-08",
    "targets allocate": "policingplan targets allocate examples/london-2007-08/units.csv --reduction 0.05",
    "targets plan": "policingplan targets plan examples/london-2007-08",
    "targets rate": "policingplan targets rate",
    "diff": "policingplan diff examples/london-2007-08/versions/0.3 examples/london-2007-08",
    "portfolio": "policingplan portfolio examples/london-2007-08",
    "publish": "policingplan publish examples/london-2007-08 --out published",
    "serve": "policingplan serve --port 8000",
    "web": "policingplan web create-demo-accounts",
    "web create-demo-accounts": "policingplan web create-demo-accounts",
    "web export-plan": "policingplan web export-plan --out my-plan",
    "export": "policingplan export instance.tar.gz --warehouse .policingplan/warehouse",
    "import": "policingplan import instance.tar.gz --warehouse .policingplan/warehouse",
}


def _example_epilog(path: str) -> str | None:
    example = EXAMPLES.get(path)
    return f"Example: {example}" if example else None


def _reflowed(doc: str) -> str:
    """A docstring's paragraphs each made one line, so that help wraps them to the terminal's width
    (Typer keeps the line breaks of every paragraph after the first); lists and indented lines stay."""
    import inspect

    paragraphs = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(
        paragraph if any(line.startswith((" ", "-", "*", "|")) for line in paragraph.splitlines())
        else " ".join(line.strip() for line in paragraph.splitlines())
        for paragraph in paragraphs)


def _add_examples(typer_app: typer.Typer, prefix: str) -> None:
    """Set each command's epilog to its example, so that its help ends with it; and its help to its
    docstring with each paragraph on one line."""
    import typer.main

    for info in typer_app.registered_commands:
        if info.help is None and info.callback is not None and info.callback.__doc__:
            info.help = _reflowed(info.callback.__doc__)
        name = info.name or typer.main.get_command_name(info.callback.__name__)
        epilog = _example_epilog(f"{prefix} {name}".strip())
        if epilog and info.epilog is None:
            info.epilog = epilog
    for group in typer_app.registered_groups:
        name = group.name if isinstance(group.name, str) else group.typer_instance.info.name
        path = f"{prefix} {name}".strip()
        epilog = _example_epilog(path)
        if epilog:
            group.epilog = epilog
        _add_examples(group.typer_instance, path)


_add_examples(app, "")
app.info.epilog = _example_epilog("")

def _interrupt_handler():
    """Ctrl-C raises KeyboardInterrupt, which unwinds the command (each file it writes is written
    whole or not at all: a temporary name, then a rename); a second Ctrl-C while that
    unwinds ends the process at once."""
    import os
    import signal

    state = {"interrupted": False}

    def handler(signum, frame):
        if state["interrupted"]:
            sys.stderr.write(INTERRUPTED + "\n")
            sys.stderr.flush()
            os._exit(EXIT_INTERRUPTED)
        state["interrupted"] = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    return state


def main() -> None:
    """Entry point: user errors become one line and exit code 1, never a traceback; Ctrl-C
    stops the command with one line and exit code 130."""
    from policingplan.cli.common import fail

    state = _interrupt_handler()
    code = 0
    try:
        try:
            app()
        except UserError as exc:
            try:
                fail(str(exc))
            except typer.Exit as exit_:
                sys.exit(exit_.exit_code)
        except KeyboardInterrupt:  # raised outside the command (Typer turns the command's own into 130)
            code = EXIT_INTERRUPTED
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        if not state["interrupted"]:
            raise
    except BaseException:  # DuckDB turns Ctrl-C into an error of its own (InterruptException)
        if not state["interrupted"]:
            raise
    if state["interrupted"] or code == EXIT_INTERRUPTED:
        sys.stderr.write(INTERRUPTED + "\n")
        sys.stderr.flush()
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(code)


if __name__ == "__main__":
    main()
