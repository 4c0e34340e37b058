"""Text for published documents: the plan's Markdown as plain blocks, and figures typeset (pure).

The narrative files use a small part of Markdown: headings, paragraphs, bullet
lists, *emphasis* and **strong**.  :func:`blocks` turns such text into plain
values (``{"kind": "p", "runs": [...]}``) that the HTML and the Typst
templates render alike, so that neither has to understand Markdown, and
nothing in a plan's text can inject markup into either.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

from policingplan.formatting import fmt_date

Run = dict[str, Any]
Block = dict[str, Any]

_MINUS = re.compile(r"(?<![\w.,])-(?=[\d£.])")
_INLINE = re.compile(r"\*\*(.+?)\*\*|\*(.+?)\*|_(.+?)_")


def typeset(text: str) -> str:
    """A figure or a sentence as printed: a true minus sign before a number (``-5.5%`` → ``−5.5%``)."""
    return _MINUS.sub("\u2212", text).replace(" - ", " \u2013 ")


def long_date(value: dt.date | None) -> str:
    """``2007-03-01`` → ``1 March 2007`` (an empty string when there is no date)."""
    return fmt_date(value) if value is not None else ""


def runs(text: str) -> list[Run]:
    """A line of Markdown as runs of text, each plain, emphasised or strong."""
    found: list[Run] = []
    position = 0
    text = " ".join(text.split())
    for match in _INLINE.finditer(text):
        if match.start() > position:
            found.append({"text": text[position:match.start()], "style": ""})
        strong, em, em2 = match.groups()
        found.append({"text": strong or em or em2, "style": "strong" if strong else "em"})
        position = match.end()
    if position < len(text):
        found.append({"text": text[position:], "style": ""})
    return found


def blocks(markdown: str, drop_title: bool = True, shift: int = 0) -> list[Block]:
    """The Markdown's blocks: headings (``h``, with a level), paragraphs (``p``) and lists (``list``).

    ``drop_title`` leaves out a first ``#`` heading (the plan gives each section its title);
    ``shift`` lowers every heading that remains by that many levels.
    """
    found: list[Block] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            found.append({"kind": "p", "runs": runs(" ".join(paragraph))})
            paragraph.clear()
        if items:
            found.append({"kind": "list", "items": [runs(item) for item in items]})
            items.clear()

    lines = markdown.replace("\r\n", "\n").split("\n")
    for number, line in enumerate(lines):
        stripped = line.strip()
        heading = re.match(r"^(#{1,6})\s+(.*)$", stripped)
        bullet = re.match(r"^[-*+]\s+(.*)$", stripped)
        if heading:
            flush()
            level = len(heading.group(1))
            if drop_title and level == 1 and not found:
                continue
            found.append({"kind": "h", "level": max(1, level - 1) + shift, "runs": runs(heading.group(2))})
        elif bullet:
            if paragraph:
                flush()
            items.append(bullet.group(1))
        elif not stripped:
            flush()
        elif items and line.startswith((" ", "\t")):
            items[-1] += " " + stripped
        else:
            if items:
                flush()
            paragraph.append(stripped)
    flush()
    return found


def plain(block_list: list[Block]) -> str:
    """The blocks as plain text, paragraphs separated by blank lines (for Word and for tests)."""
    out = []
    for block in block_list:
        if block["kind"] == "list":
            out.extend("• " + "".join(r["text"] for r in item) for item in block["items"])
        else:
            out.append("".join(r["text"] for r in block["runs"]))
    return "\n\n".join(out)


def runs_html(items: list[Run]) -> str:
    out = []
    for run in items:
        text = html.escape(run["text"])
        out.append(f"<{run['style']}>{text}</{run['style']}>" if run["style"] else text)
    return "".join(out)


def blocks_html(block_list: list[Block], base_level: int = 2) -> str:
    """The blocks as HTML, headings from ``<h{base_level + 1}>`` down."""
    out = []
    for block in block_list:
        if block["kind"] == "p":
            out.append(f"<p>{runs_html(block['runs'])}</p>")
        elif block["kind"] == "list":
            out.append("<ul>" + "".join(f"<li>{runs_html(item)}</li>" for item in block["items"]) + "</ul>")
        else:
            level = min(6, base_level + block["level"])
            out.append(f"<h{level}>{runs_html(block['runs'])}</h{level}>")
    return "\n".join(out)


def paragraph(text: str) -> Block:
    """One paragraph of plain text (no Markdown) as a block."""
    return {"kind": "p", "runs": [{"text": text, "style": ""}]}


__all__ = ["blocks", "blocks_html", "long_date", "paragraph", "plain", "runs", "runs_html", "typeset"]
