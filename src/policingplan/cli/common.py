"""Shared glue for the command line: output, errors and exit codes.

Exit codes: 0 success; 1 the input is bad (validation errors); 2 usage error
(Typer's own); 3 the request cannot be met (for example an infeasible target).
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any, Iterable, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from policingplan.problems import Problem

console = Console()
err_console = Console(stderr=True)

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
