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
    terminal (unless ``COLUMNS`` asks for a width).

    ``COLUMNS`` is read each time the width is needed, not once when the console is made:
    Rich fixes the width from ``COLUMNS`` at construction, so a console first made while
    ``COLUMNS`` was set (by a test, say) would wrap at that width for ever after."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "width" not in kwargs:
            self._width = None

    @property
    def size(self) -> ConsoleDimensions:
        size = super().size
        if self._width is None and not self.is_terminal and not os.environ.get("COLUMNS", "").isdigit():
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
    if hasattr(value, "model_dump") and callable(value.model_dump):  # a service's result (pydantic)
        return _jsonable(value.model_dump(mode="json"))
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
    """Write ``data`` (a service's result, or plain data) as JSON to standard output (NaN becomes null)."""
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


def _cell_text(cell: Any) -> str:
    from rich.text import Text

    return cell.plain if isinstance(cell, Text) else Text.from_markup(cell).plain if isinstance(cell, str) else ""


def print_table(table: Any) -> None:
    """Print a Rich table so that a narrow terminal wraps its cells between words, never inside
    a word or a number, and nothing is cut off.

    When the table is wider than the terminal, each column gets at least its longest word, and
    the room left is shared in proportion to what each column would need to be whole (Rich's
    own narrowing would fold words).  A terminal too narrow even for that is left to Rich.
    """
    width = console.width
    texts = [[_cell_text(column.header), *(_cell_text(c) for c in column._cells)] for column in table.columns]
    longest_line = [max((len(line) for text in cells for line in text.splitlines()), default=0) for cells in texts]
    longest_word = [max((len(word) for text in cells for word in text.split()), default=0) for cells in texts]
    padding = sum(table._get_padding_width(i) for i in range(len(table.columns)))
    room = width - table._extra_width - padding
    if sum(longest_line) > room >= sum(longest_word):
        spare = room - sum(longest_word)
        wants = [line - word for line, word in zip(longest_line, longest_word)]
        total = sum(wants) or 1
        shares = [word + spare * want // total for word, want in zip(longest_word, wants)]
        for column, share in zip(table.columns, shares):
            column.width = share
    console.print(table)
