"""The shapes every face shares: service results and notices (pure).

A **result** is what a service returns (see :mod:`policingplan.services`): a
pydantic model, frozen, that forbids unknown fields.  ``--json`` prints
``result.model_dump(mode="json")``; a web view renders the same model; a
published document fills its tables from it.  The JSON Schema of every result
is generated into ``docs/schema/`` and a test keeps it current.

A **notice** is a warning about a figure ("no data for May 2023: the year to
date leaves it out").  It carries a stable ``code`` and the ``values`` it was
made from, with the English sentence made from them by the code's template in
:data:`NOTICE_TEXTS`.  A page or a document can show the sentence as it is, or
render the code and values its own way; a test can ask for a code, not a
sentence.  Each part of the core registers its templates with
:func:`register_notices` when it is imported.
"""

from __future__ import annotations

from typing import Any, Mapping, Union

from pydantic import BaseModel, ConfigDict, Field

#: A notice's values are plain JSON scalars (or lists of them).
NoticeValue = Union[str, int, float, bool, None, list[Union[str, int, float, bool, None]]]

#: Each notice code's English template, filled with ``str.format(**values)``.
NOTICE_TEXTS: dict[str, str] = {}


def register_notices(texts: Mapping[str, str]) -> None:
    """Add notice templates; a code registered twice with different texts is a programming error."""
    for code, text in texts.items():
        known = NOTICE_TEXTS.get(code)
        if known is not None and known != text:
            raise ValueError(f"notice code {code!r} is registered twice with different texts")
        NOTICE_TEXTS[code] = text


class Result(BaseModel):
    """The base of every service result: frozen, no unknown fields, JSON by ``model_dump(mode="json")``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def to_json_data(self) -> dict[str, Any]:
        """The result as JSON-ready data: what ``--json`` prints."""
        return self.model_dump(mode="json")


class Notice(Result):
    """A warning about a figure: a stable code, the values it was made from, and its sentence.

    Make one with :func:`notice`.  ``about`` names what the notice came from when
    it is passed up from a part to a whole (``"SPC"`` for a chart's notice shown
    with a target's position); the sentence then begins with it.
    """

    code: str = Field(description="A stable, kebab-case code, such as 'forecast.months-missing'.")
    values: dict[str, NoticeValue] = Field(default_factory=dict, description="The values the sentence is made from.")
    text: str = Field(description="The notice in English, made from the code's template and the values.")
    about: str | None = Field(None, description="What the notice came from, when passed up to a whole.")

    def __str__(self) -> str:
        return f"{self.about}: {self.text}" if self.about else self.text

    def within(self, about: str) -> "Notice":
        """The same notice, passed up and labelled with what it came from."""
        return self.model_copy(update={"about": about if self.about is None else f"{about}: {self.about}"})


def notice(code: str, **values: NoticeValue) -> Notice:
    """The notice ``code`` with ``values``, its sentence made from the registered template."""
    try:
        template = NOTICE_TEXTS[code]
    except KeyError:
        raise KeyError(f"notice code {code!r} has no registered text") from None
    return Notice(code=code, values=values, text=template.format(**values))


__all__ = ["NOTICE_TEXTS", "Notice", "NoticeValue", "Result", "notice", "register_notices"]
