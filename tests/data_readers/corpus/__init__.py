"""A corpus of malformed files, each made from a real file by changing what a case says.

A :class:`Case` names a real file (``base``, a path from the project's root:
``data/…csv.gz``, a fixture, or the tidy template), keeps its first ``lines``
physical lines (the header is line 1), sets named columns of named lines to new
values, and may append a copy of one line with some values changed (a repeated
key).  The file keeps its base's name (less ``.gz``), since a reader may read
the name (the ONS reader takes the mid-year from it).

Each format's cases live in ``cases_<kind>.py`` (dashes as underscores) as a
module-level ``CASES`` list; ``tests/data_readers/test_corpus.py`` runs them all.
"""

from __future__ import annotations

import csv
import importlib
import io
import pkgutil
from dataclasses import dataclass
from pathlib import Path

from policingplan.data.files import read_bytes

ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Case:
    """One malformed (or valid but changed) file and what the reader must make of it."""

    name: str
    kind: str
    base: str
    edits: tuple[tuple[int, str, str], ...] = ()
    #: ``(source line, ((column, value), ...))``: a copy of the source line, changed, at the end.
    append: tuple[int, tuple[tuple[str, str], ...]] | None = None
    #: ``(line, column)`` an error must name; ``None``: the file must be accepted.
    refused_at: tuple[int, str] | None = None
    #: A piece of the error's message (any case), when the case wants one.
    message: str | None = None
    lines: int = 40

    @property
    def appended_line(self) -> int:
        """The physical line number of the appended copy."""
        return len(base_lines(self.base, self.lines)) + 1


def base_lines(base: str, lines: int) -> list[str]:
    """The first ``lines`` physical lines of a base file, each with its line ending."""
    text = read_bytes(ROOT / base).decode("utf-8")
    return text.splitlines(keepends=True)[:lines]


def _header(first_line: str) -> list[str]:
    return next(csv.reader([first_line.lstrip("\ufeff").rstrip("\r\n")]))


def _set(line: str, header: list[str], changes: dict[str, str], where: str) -> str:
    ending = line[len(line.rstrip("\r\n")):] or "\n"
    fields = next(csv.reader([line.rstrip("\r\n")]))
    for column, value in changes.items():
        if column not in header:
            raise KeyError(f"{where}: no column {column!r} in the header {header}")
        fields[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    return out.getvalue() + ending


def build(case: Case) -> tuple[str, bytes]:
    """The case's file name and bytes."""
    lines = base_lines(case.base, case.lines)
    header = _header(lines[0])
    by_line: dict[int, dict[str, str]] = {}
    for line, column, value in case.edits:
        by_line.setdefault(line, {})[column] = value
    for line, changes in by_line.items():
        if not 2 <= line <= len(lines):
            raise IndexError(f"{case.name}: line {line} is not a data line of the cut (2 to {len(lines)})")
        lines[line - 1] = _set(lines[line - 1], header, changes, case.name)
    if case.append is not None:
        source, changes = case.append
        if not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines.append(_set(lines[source - 1], header, dict(changes), case.name))
    name = Path(case.base).name.removesuffix(".gz")
    return name, "".join(lines).encode("utf-8")


def all_cases() -> list[Case]:
    """Every case of every ``cases_*`` module in this package."""
    cases: list[Case] = []
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("cases_"):
            cases += importlib.import_module(f"{__name__}.{module.name}").CASES
    return cases
