"""PDFs typeset with Typst: tagged PDF/UA-1, the language set, only Typst's own fonts (so the same on
every machine), and the date from the plan, never the clock.

Each template in ``templates/`` reads its content as JSON from ``sys.inputs.data`` (the plain values
that :mod:`policingplan.publish.content` makes), so nothing in a plan's text is read as markup.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from importlib import resources
from typing import Any, Optional

#: The PDF standard the documents claim (Typst checks it as it compiles: alt text, a title, tags).
PDF_STANDARDS = ["ua-1"]


def templates_dir() -> str:
    return str(resources.files("policingplan.publish") / "templates")


@functools.lru_cache(maxsize=None)
def _compiler(template: str):
    import typst

    folder = templates_dir()
    return typst.Compiler(f"{folder}/{template}.typ", root=folder, ignore_system_fonts=True, font_paths=[])


def date_parts(value: Optional[dt.date]) -> Optional[list[int]]:
    return None if value is None else [value.year, value.month, value.day]


def pdf(template: str, content: dict[str, Any], date: Optional[dt.date]) -> bytes:
    """The template typeset with ``content`` as a tagged PDF/UA-1 document dated ``date``."""
    data = dict(content, date_parts=date_parts(date))
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    stamp = dt.datetime(date.year, date.month, date.day, tzinfo=dt.timezone.utc).timestamp() if date else 0
    return _compiler(template).compile(sys_inputs={"data": text}, pdf_standards=PDF_STANDARDS, timestamp=int(stamp))


__all__ = ["PDF_STANDARDS", "date_parts", "pdf", "templates_dir"]
