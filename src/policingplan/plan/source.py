"""The text of a plan folder, parsed but not yet checked, with the line of every value.

:func:`parse_yaml` and :func:`parse_csv` turn text (already read by
:mod:`policingplan.plan.io`) into plain values plus a map from each value's
path to its line, so that :mod:`policingplan.plan.validate` can say where a
problem is.  This module is pure: it reads no files.
"""

from __future__ import annotations

import csv
import io as _io
from dataclasses import dataclass, field
from typing import Any

import yaml

from policingplan.problems import Problem, ProblemList

PLAN_FILE = "plan.yaml"
UNITS_FILE = "units.csv"
UNIT_TARGETS_FILE = "unit_targets.csv"
PARTNER_TARGETS_FILE = "partner_targets.csv"
NARRATIVE_DIR = "narrative"

Path_ = tuple  # a path into the parsed YAML: ("targets", 2, "value")


@dataclass
class Table:
    """One CSV table: its header, its rows (cells as text) and each row's physical line."""

    file: str
    header: list[str] = field(default_factory=list)
    header_line: int = 1
    rows: list[dict[str, str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    #: The problem that stops the file being read as a table at all (another delimiter, an
    #: unclosed quote): its one error, and the reason its rows are not used.
    cause: Problem | None = None


@dataclass
class PlanSource:
    """Everything read from a plan folder, before the model is built.

    ``lines`` maps a path in ``data`` (keys and list indexes) to its line in
    ``plan.yaml``.  ``narrative`` maps each Markdown file found, relative to
    the folder (``narrative/alcohol.md``), to its text; ``unreadable`` holds
    the Markdown files found that could not be read (already a problem).
    ``broken`` maps each file that cannot be read as a whole (missing where
    it is needed, not UTF-8, another delimiter, an unclosed quote) to the
    problem that says why: its one error.  The problems that follow from it
    are held back (see :mod:`policingplan.plan.validate`).
    """

    data: Any = None
    lines: dict[Path_, int] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    narrative: dict[str, str] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)
    problems: ProblemList = field(default_factory=ProblemList)
    broken: dict[str, Problem] = field(default_factory=dict)


# libyaml's parser where it is installed (much faster); the same nodes and marks either way.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def parse_yaml(text: str, file: str = PLAN_FILE) -> tuple[Any, dict[Path_, int], ProblemList]:
    """Parse YAML text; return the data, the line of every key and list item, and problems.

    Broken YAML gives one problem with the line the parser stopped at, and no data.
    A key given twice in one mapping is a problem (plain YAML would keep the last silently).
    """
    problems = ProblemList()
    lines: dict[Path_, int] = {}
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, lines, problems
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        line = mark.line + 1 if mark else None
        message = f"the YAML cannot be read: {what}"
        accepted = "YAML with consistent indentation, 'key: value' pairs and '- ' list items"
        if exc.context_mark and exc.context and "quoted scalar" in exc.context:
            # A quote never closed: the parser runs on to the end; the cause is where the quote opened.
            line = exc.context_mark.line + 1
            message = "the YAML cannot be read: a quote opened on this line is never closed"
            accepted = QUOTE_ACCEPTED
        elif line is not None:
            opened = _quote_closed_at(text, line)
            if opened is not None:
                message = (f"the YAML cannot be read: a quote opened on this line is not closed until line {line}, "
                           f"so the lines between are read as one value")
                line, accepted = opened, QUOTE_ACCEPTED
        problems.add(Problem(message, file=file, line=line, accepted=accepted))
        return None, lines, problems
    except yaml.reader.ReaderError as exc:
        # A character YAML does not allow (a control character, U+FFFE): at its line, in one line of text.
        position = exc.position if isinstance(exc.position, int) else 0
        line = text.count("\n", 0, position) + 1
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        problems.add(Problem(f"the YAML cannot be read: it holds the character U+{code:04X}, "
                             "which YAML does not allow", file=file, line=line, value=f"U+{code:04X}",
                             accepted="text without control characters (tabs and line breaks are fine)"))
        return None, lines, problems
    except yaml.YAMLError as exc:
        problems.add(Problem(f"the YAML cannot be read: {exc}", file=file))
        return None, lines, problems
    finally:
        loader.dispose()
    _walk(node, (), lines, problems, file)
    return data, lines, problems


QUOTE_ACCEPTED = ("a closing quote at the end of the value, or no quotes (a value needs quotes only when it "
                  "starts with a quote or holds ': ' or ' #')")


def _quote_closed_at(text: str, line: int) -> int | None:
    """The line a quoted value opened on, if one opened on an earlier line closes on ``line`` (where
    the parser stopped): a quote left open that swallowed the lines between, and then broke the YAML."""
    found = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.line + 1 > line:
                break
            if (isinstance(token, yaml.ScalarToken) and token.style in ('"', "'")
                    and token.end_mark.line + 1 == line and token.start_mark.line + 1 < line):
                found = token.start_mark.line + 1
    except yaml.YAMLError:
        pass
    return found


def _walk(node: yaml.Node, path: Path_, lines: dict, problems: ProblemList, file: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = _line_of(key_node)
            if key in seen:
                problems.add(
                    Problem(
                        f"the key '{key}' is given twice in one mapping (first at line {seen[key]})",
                        file=file,
                        line=line,
                        column=_dotted(path + (key,)),
                        value=key,
                        accepted="each key once per mapping",
                    )
                )
            seen[key] = line
            lines[path + (key,)] = line
            _walk(value_node, path + (key,), lines, problems, file)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[path + (index,)] = _line_of(item)
            _walk(item, path + (index,), lines, problems, file)


def _dotted(path: Path_) -> str:
    """``("targets", 2, "value")`` → ``targets[2].value``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


dotted_path = _dotted


#: Delimiters a spreadsheet may have used instead of a comma, and their names.
_OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}

#: The accepted form of a plan table's text.
CSV_ACCEPTED = ("cells separated by commas, a cell that holds a comma or a quote in double quotes, and a "
                "quote inside a cell doubled (in Excel: Save As 'CSV UTF-8 (Comma delimited)')")


def parse_csv(text: str, file: str) -> tuple[Table, ProblemList]:
    """Parse CSV text with a header row; each row keeps its physical line number.

    Blank lines are skipped.  A row with more cells than the header is a problem.
    A file that cannot be read as a table at all (cells separated by semicolons,
    a quote opened and not closed where it should be) is one problem, at the line
    of its cause, set as the table's ``cause``; its rows are then not used.
    """
    problems = ProblemList()
    table = Table(file=file)
    if text.startswith("\ufeff"):
        text = text[1:]

    def broken(problem: Problem) -> tuple[Table, ProblemList]:
        table.cause = problem
        table.rows, table.lines = [], []
        return table, ProblemList([problem])

    # Strict: a quote that closes in the middle of a cell, or never closes, is an error, not a guess.
    reader = csv.reader(_io.StringIO(text, newline=""), strict=True)
    start = 1  # the physical line the next row starts on
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if not table.header:
                table.header = [cell.strip() for cell in cells]
                table.header_line = line
                other = _other_delimiter(table.header)
                if other is not None:
                    return broken(Problem(
                        f"the cells are separated by {_OTHER_DELIMITERS[other]}, not commas",
                        file=file, line=line, value=",".join(cells), accepted=CSV_ACCEPTED))
                continue
            unclosed = _swallowed_rows(cells, line, len(table.header), reader.line_num)
            if unclosed is not None:
                return broken(Problem(unclosed[1], file=file, line=unclosed[0], accepted=CSV_ACCEPTED))
            if len(cells) > len(table.header):
                problems.add(
                    Problem(
                        f"this row has {len(cells)} cells but the header has {len(table.header)}",
                        file=file,
                        line=line,
                        value=",".join(cells[len(table.header):]),
                        accepted=f"{len(table.header)} cells: {', '.join(table.header)} (quote a cell that holds a comma)",
                    )
                )
                continue
            row = {name: cells[i] for i, name in enumerate(table.header) if i < len(cells)}
            table.rows.append(row)
            table.lines.append(line)
    except csv.Error as exc:
        reason = str(exc)
        if "unexpected end of data" in reason:
            message = "a quote opened on this line is never closed, so the rest of the file is read as one cell"
        elif "expected after" in reason:
            message = ("a quote closes in the middle of a cell (a quote left open, or a quote inside a "
                       "quoted cell that is not doubled)")
            if reader.line_num > start:
                message = (f"a quote opened on this line closes in the middle of a cell on line "
                           f"{reader.line_num} (a quote left open, or a quote inside a quoted cell that is "
                           "not doubled)")
        else:
            message = f"the CSV cannot be read: {reason}"
        return broken(Problem(message, file=file, line=start, accepted=CSV_ACCEPTED))
    return table, problems


def _other_delimiter(header: list[str]) -> str | None:
    """The delimiter a one-cell header was written with, if not a comma."""
    if len(header) != 1:
        return None
    counts = {d: header[0].count(d) for d in _OTHER_DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else None


def _swallowed_rows(cells: list[str], line: int, width: int, end: int) -> tuple[int, str] | None:
    """A quote left open that swallowed whole rows before closing: the line it opened, and the problem.

    A quoted cell may hold a line break; but a cell with a whole line inside it that looks like
    a row of the table (as many commas as the header has, less one) is a quote left open.
    """
    if width < 3:
        return None
    opened = line
    for cell in cells:
        inside = cell.split("\n")[1:-1]  # the lines wholly within the cell
        if any(part.count(",") >= width - 1 for part in inside):
            return opened, (f"a quote opened on this line is not closed until line {end}, "
                            "so the lines between are read as one cell")
        opened += cell.count("\n")
    return None
