"""The command-line reference (docs/cli.md), generated from the commands themselves.

``policingplan`` is introspected through Click, so the reference cannot drift
from the code: a test regenerates it and compares it with the committed file.
Regenerate with ``.venv/bin/python -m policingplan.cli.reference > docs/cli.md``.
"""

from __future__ import annotations

import inspect

import typer
import typer.main
from typer._click import Context

HEADER = """# Command-line reference

Generated from the code by `python -m policingplan.cli.reference`; a test
fails when this page and the commands disagree. Every command that prints
results takes `--json`. Exit codes: 0 success; 1 the input is bad (each
problem names the file, the line or field, the value and what is accepted);
2 a usage error; 3 the request cannot be met (an infeasible target).
"""


EXAMPLE_PREFIX = "Example:"


def _plain(text: str) -> str:
    """Help text without Rich markup: a bold phrase (a command line) becomes code."""
    import re

    from rich.text import Text

    text = re.sub(r"\[bold\](.*?)\[/(?:bold)?\]", r"`\1`", text)
    return Text.from_markup(text).plain


def _param_line(param, ctx: Context) -> str:
    record = param.get_help_record(ctx)
    if record is None:  # an argument without help of its own
        return f"- `{param.name.upper()}`" + (" (required)" if param.required else "")
    names, help_text = record
    return f"- `{names}`: {help_text}".rstrip(": ")


def _section(command, path: list[str], out: list[str]) -> None:
    ctx = Context(command, info_name=" ".join(path))
    out.append(f"## `{' '.join(path)}`\n")
    help_text = _plain(inspect.cleandoc(command.help or "").replace("\b\n", "").strip())
    if help_text:
        out.append(help_text + "\n")
    out.append(f"```\n{' '.join([' '.join(path), *command.collect_usage_pieces(ctx)])}\n```\n")
    params = [p for p in command.params if not getattr(p, "hidden", False)]
    if params:
        out.extend(_param_line(p, ctx) for p in params)
        out.append("")
    example = (command.epilog or "").strip()
    if example.startswith(EXAMPLE_PREFIX):
        out.append(f"Example:\n\n```\n{example[len(EXAMPLE_PREFIX):].strip()}\n```\n")


def _walk(command, path: list[str], out: list[str]) -> None:
    """Document a command, or each command of a group in the order of --help."""
    commands = getattr(command, "commands", None)
    if commands:
        # Every group has a section of its own: its help says what it does itself
        # (``targets PLAN_DIR``, short for ``targets plan PLAN_DIR``) and its example.
        if len(path) > 1:
            _section(command, path, out)
        for name, sub in commands.items():
            if not getattr(sub, "hidden", False):
                _walk(sub, path + [name], out)
        return
    _section(command, path, out)


def cli_reference() -> str:
    from policingplan.cli import app

    root = typer.main.get_command(app)
    out = [HEADER]
    _walk(root, ["policingplan"], out)
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    print(cli_reference(), end="")
