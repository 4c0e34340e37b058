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


@dataclass
class PlanSource:
    """Everything read from a plan folder, before the model is built.

    ``lines`` maps a path in ``data`` (keys and list indexes) to its line in
    ``plan.yaml``.  ``narrative`` maps each Markdown file found, relative to
    the folder (``narrative/alcohol.md``), to its text; ``unreadable`` holds
    the Markdown files found that could not be read (already a problem).
    """

    data: Any = None
    lines: dict[Path_, int] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    narrative: dict[str, str] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)
    problems: ProblemList = field(default_factory=ProblemList)


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
        problems.add(
            Problem(
                f"the YAML cannot be read: {what}",
                file=file,
                line=mark.line + 1 if mark else None,
                accepted="YAML with consistent indentation, 'key: value' pairs and '- ' list items",
            )
        )
        return None, lines, problems
    except yaml.YAMLError as exc:
        problems.add(Problem(f"the YAML cannot be read: {exc}", file=file))
        return None, lines, problems
    finally:
        loader.dispose()
    _walk(node, (), lines, problems, file)
    return data, lines, problems


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


def parse_csv(text: str, file: str) -> tuple[Table, ProblemList]:
    """Parse CSV text with a header row; each row keeps its physical line number.

    Blank lines are skipped.  A row with more cells than the header is a problem.
    """
    problems = ProblemList()
    table = Table(file=file)
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(_io.StringIO(text, newline=""))
    try:
        for cells in reader:
            line = reader.line_num - (sum(cell.count("\n") for cell in cells))
            if not any(cell.strip() for cell in cells):
                continue
            if not table.header:
                table.header = [cell.strip() for cell in cells]
                table.header_line = line
                continue
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
        problems.add(Problem(f"the CSV cannot be read: {exc}", file=file, line=reader.line_num))
    return table, problems
