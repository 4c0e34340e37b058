"""Shared glue for the command line: output, errors and exit codes.

Exit codes: 0 success; 1 the input is bad (validation errors); 2 usage error
(Typer's own); 3 the request cannot be met (for example an infeasible target).
"""

from __future__ import annotations

import json
import math
import os
import sys
from typing import Any, Iterable, NoReturn

import typer
from rich.console import Console, ConsoleDimensions
from rich.markup import escape

from policingplan.problems import Problem

#: The width given to output that goes to no terminal (a pipe, a file, a test): wide enough
#: that no line is ever wrapped, so nothing depends on the length of a path.
UNWRAPPED_WIDTH = 100_000


class _Console(Console):
    """A console that wraps to the terminal's width, and not at all when there is no
    terminal (unless ``COLUMNS`` asks for a width)."""

    @property
    def size(self) -> ConsoleDimensions:
        size = super().size
        if not self.is_terminal and not os.environ.get("COLUMNS", "").isdigit():
            return ConsoleDimensions(UNWRAPPED_WIDTH, size.height)
        return size

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


console = _Console()
err_console = _Console(stderr=True)

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_INFEASIBLE = 3


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return _jsonable(value.item())
    return value


def print_json(data: Any) -> None:
    """Write ``data`` as JSON to standard output (NaN becomes null)."""
    sys.stdout.write(json.dumps(_jsonable(data), indent=2, ensure_ascii=False, default=str))
    sys.stdout.write("\n")


def fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    """Print a one-line error for a user's mistake and exit; never a traceback."""
    err_console.print(f"[bold red]Error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def print_problems(problems: Iterable[Problem], heading: str | None = None) -> None:
    problems = list(problems)
    if heading:
        err_console.print(heading, highlight=False)
    for problem in problems:
        label = "[red]error[/]" if problem.severity == "error" else "[yellow]warning[/]"
        err_console.print(f"  {label} {escape(str(problem))}", highlight=False, soft_wrap=True, markup=True)
