"""The forms of plan editing, read from a POST: values and, per field, what is wrong (display-free, no Django forms).

A figure is read as people write it: a percentage as ``-5.5`` (the box says %) or ``5.5%``, a
count as ``1,234``.  Each error names the field, the value and what is accepted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from policingplan.formatting import read_fraction

#: The most a reason or a comment may hold (characters).
LONGEST = 4000


@dataclass
class Read:
    """What a form gave: ``values`` by field, and ``errors`` (field → message) in the order of the page."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def seen_text(value: Any) -> str:
    """A stored value as the form carries it, unchanged, in a hidden field: a number's exact digits, text as it is."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def seen_value(text: str, numeric: bool) -> Any:
    """A hidden field's value back as the stored value it was (``None`` for empty)."""
    if text == "":
        return None
    if numeric:
        try:
            return float(text)
        except ValueError:
            return text  # never equal to a stored number: the save is refused as a conflict
    return text.replace("\r\n", "\n")


def shown_figure(value: float | None, percent: bool) -> str:
    """A stored figure as the edit box shows it: a fraction as a percentage (``-5.5``), else the number."""
    if value is None:
        return ""
    number = value * 100 if percent else value
    text = f"{number:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def read_figure(text: str, percent: bool, label: str) -> tuple[float | None, str | None]:
    """A figure typed in a box: (the value, or None for an empty box; an error message or None)."""
    raw = (text or "").strip()
    if not raw:
        return None, None
    if percent:
        cleaned = raw.rstrip("%").strip()
        value = read_fraction(cleaned + "%")
        if value is None:
            return None, f"{label} must be a percentage, like -5.5 or 3: “{raw}” is not a number"
        return value, None
    try:
        value = float(raw.replace(",", ""))
    except ValueError:
        return None, f"{label} must be a number, like 1,234 or 0.5: “{raw}” is not a number"
    if not math.isfinite(value):
        return None, f"{label} must be a number, like 1,234 or 0.5: “{raw}” is not a number"
    return value, None


def read_reason(post, name: str = "reason", what: str = "the reason for this change",
                example: str = "the committee's decision of 1 March 2007") -> Read:
    result = Read()
    text = (post.get(name) or "").replace("\r\n", "\n").strip()
    if not text:
        result.errors[name] = f"Enter {what}, like “{example}”"
    elif len(text) > LONGEST:
        result.errors[name] = f"{what.capitalize()} must be {LONGEST:,} characters or fewer: it has {len(text):,}"
    result.values[name] = text
    return result


def read_target_edit(post, fields: list[str], percent: bool) -> Read:
    """The target edit form: each figure in ``fields`` (``value``, or ``minimum`` and ``maximum``), the
    rationale, the reason, and the values the user saw (``seen_<field>``)."""
    result = Read()
    labels = {"value": "The target", "minimum": "The lower end of the range", "maximum": "The upper end of the range"}
    for name in fields:
        value, error = read_figure(post.get(name, ""), percent, labels[name])
        result.values[name] = value
        if error:
            result.errors[name] = error
        elif value is None and name == "value":
            result.errors[name] = "Enter the target, like " + ("-5.5 (a 5.5% reduction)" if percent else "1,234")
        elif value is None:
            result.errors[name] = f"Enter {labels[name].lower()}"
    if not result.errors and "minimum" in fields and result.values["minimum"] > result.values["maximum"]:
        result.errors["minimum"] = "The lower end of the range must not be above the upper end"
    rationale = (post.get("rationale") or "").replace("\r\n", "\n").strip()
    if len(rationale) > LONGEST:
        result.errors["rationale"] = f"The rationale must be {LONGEST:,} characters or fewer: it has {len(rationale):,}"
    result.values["rationale"] = rationale or None
    reason = read_reason(post)
    result.values.update(reason.values)
    result.errors.update(reason.errors)
    result.values["seen"] = {name: seen_value(post.get(f"seen_{name}", ""), name != "rationale")
                             for name in [*fields, "rationale"]}
    return result
