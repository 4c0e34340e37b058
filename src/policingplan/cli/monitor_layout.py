"""Tables that fit the terminal's width without breaking a word or a number (display only).

A :class:`Fit` is a Rich table with the widths its columns need: to keep every
word whole, to wrap no cell of the body, and to wrap nothing.  The monitor's
printers (:mod:`policingplan.cli.monitor_print`) choose among layouts with them.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text


@dataclass(frozen=True)
class Cell:
    """A cell's Rich markup, and an indent that every line of it keeps when it wraps."""

    markup: str
    indent: int = 0

    def lines(self) -> list[str]:
        return Text.from_markup(self.markup).plain.split("\n")

    def shortest(self) -> int:
        """The narrowest the cell can be without breaking a word (or a number)."""
        return self.indent + max((cell_len(word) for line in self.lines() for word in line.split()), default=0)

    def widest(self) -> int:
        return self.indent + max((cell_len(line) for line in self.lines()), default=0)

    def renderable(self) -> RenderableType:
        if self.indent:
            return Padding(Text.from_markup(self.markup), (0, 0, 0, self.indent))
        return self.markup


def as_cell(value: str | Cell) -> Cell:
    return value if isinstance(value, Cell) else Cell(value)


def _overhead(table: Table) -> int:
    """The columns' padding and the borders: what a table takes beyond its cells."""
    columns = len(table.columns)
    _, right, _, left = table.padding
    padding = (left + right) * columns - (0 if table.pad_edge else left + right)
    borders = (2 if table.box and table.show_edge else 0) + (columns - 1 if table.box else 0)
    return padding + borders


@dataclass
class Fit:
    """A table and the widths its columns need: to keep every word whole (``least``), to wrap no
    cell of the body (``body``), and to wrap nothing, headings included (``full``)."""

    table: Table
    rows: list[list[Cell]]
    least: list[int]
    body: list[int]
    full: list[int]

    @classmethod
    def of(cls, table: Table, rows: list[list[str | Cell]]) -> "Fit":
        cells = [[as_cell(value) for value in row] for row in rows]
        headers = [Cell(str(column.header)) for column in table.columns]
        least = [max([h.shortest()] + [row[i].shortest() for row in cells]) for i, h in enumerate(headers)]
        body = [max([least[i]] + [row[i].widest() for row in cells]) for i in range(len(headers))]
        full = [max(body[i], h.widest()) for i, h in enumerate(headers)]
        return cls(table, cells, least, body, full)

    def needs(self, widths: list[int]) -> int:
        return sum(widths) + _overhead(self.table)

    def widths(self, width: int) -> list[int] | None:
        """Each column's width to fit ``width``; ``None`` when a word would break."""
        available = width - _overhead(self.table)
        if sum(self.least) > available:
            return None
        widths = list(self.least)
        for wanted in (self.body, self.full):
            spare = available - sum(widths)
            # The columns that need least more are widened first: a narrow column of figures is
            # kept on one line, and a long name is the one that wraps.
            for index in sorted(range(len(widths)), key=lambda i: wanted[i] - widths[i]):
                more = min(max(wanted[index] - widths[index], 0), spare)
                widths[index] += more
                spare -= more
        return widths

    def filled(self, widths: list[int] | None) -> Table:
        """The table with its rows and these widths (``None``: Rich's own)."""
        if widths is not None:
            for column, column_width in zip(self.table.columns, widths):
                column.width = column_width
        for row in self.rows:
            self.table.add_row(*(cell.renderable() for cell in row))
        return self.table

    def render(self, width: int) -> Table | None:
        """The table with its columns' widths set to fit ``width``; ``None`` when a word would break."""
        widths = self.widths(width)
        return None if widths is None else self.filled(widths)


def best_fit(candidates: list[Fit], width: int) -> Table | None:
    """The first layout whose body fits unwrapped; else the one that wraps least; ``None`` if none fits."""
    for candidate in candidates:
        if candidate.needs(candidate.body) <= width:
            return candidate.render(width)
    possible = [c for c in candidates if c.needs(c.least) <= width]
    if not possible:
        return None
    return min(possible, key=lambda c: c.needs(c.body)).render(width)


__all__ = ["Cell", "Fit", "as_cell", "best_fit"]
