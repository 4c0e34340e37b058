"""Problems found in a user's input, reported in words that a person can act on.

One shape serves every edge of the system: plan validation, data checks and
the command line.  A :class:`Problem` names where it is (file, line, column or
field), the value that was found, what is wrong, and what would be accepted.
This module is pure: it reads no files.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in a user's input."""

    message: str
    file: str | None = None
    line: int | None = None
    column: str | None = None
    value: Any = None
    accepted: str | None = None
    severity: Severity = "error"
    #: How many problems that follow from this one (its cause) are not shown.
    held_back: int = 0

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}")
        where = ":".join(parts[:1]) + (f", {parts[1]}" if len(parts) > 1 else "")
        if self.column:
            where = f"{where}, {self.column}" if where else self.column
        return where

    def __str__(self) -> str:
        text = self.message
        if self.value is not None and self.value != "":
            text += f" (found {self.value!r})"
        if self.accepted:
            text += f"; accepted: {self.accepted}"
        if self.held_back:
            text += (f"; and {self.held_back:,} problems that follow from it are not shown" if self.held_back > 1
                     else "; and 1 problem that follows from it is not shown")
        where = self.location()
        return f"{where}: {text}" if where else text

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        value = data["value"]
        if value is not None and not isinstance(value, (str, int, float, bool)):
            data["value"] = str(value)
        return data


@dataclass
class ProblemList:
    """An ordered collection of problems; errors and warnings together."""

    items: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.items.append(problem)

    def extend(self, problems: "ProblemList | list[Problem]") -> None:
        self.items.extend(problems.items if isinstance(problems, ProblemList) else problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self):
        return iter(self.items)


class UserError(Exception):
    """An error that a user caused and can fix: reported in one line, never a traceback."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []
