"""The attribution that figures derived from open data must carry (the licences require it).

Pure: it knows each source kind's publisher and licence, and reads no file.
Every face that shows figures derived from a source calls :func:`attribution`
with the source kinds behind them and shows the result: one line under a
table (:func:`attribution_line`), a field ``"attribution"`` in JSON.  The
texts follow ``data/SOURCES.csv`` and ``docs/data.md#licences-and-attribution``.
"""

from __future__ import annotations

from typing import Iterable

OGL = "Contains public sector information licensed under the Open Government Licence v3.0"

#: Each source kind's attribution, as its licence asks.
ATTRIBUTIONS: dict[str, str] = {
    "mps-borough-monthly": f"{OGL} (Metropolitan Police Service)",
    "mps-crime-dashboard": f"{OGL} (Metropolitan Police Service)",
    "mps-homicide-victims": f"{OGL} (Metropolitan Police Service)",
    "gla-borough-fy": f"{OGL} (Greater London Authority)",
    "ons-lsoa-population": "Source: Office for National Statistics licensed under the Open Government Licence v3.0",
    "police-uk-street": f"{OGL} (the police force that published it, through data.police.uk)",
    "tfl-casualties": "Powered by TfL Open Data (Transport for London)",
}

#: The key under which JSON output carries the attribution.
JSON_KEY = "attribution"


def attribution(kinds: Iterable[str]) -> list[str]:
    """The distinct attributions for figures derived from sources of these kinds, in order.

    A kind the table does not know (``tidy``: the force's own figures) needs none.
    """
    texts: list[str] = []
    for kind in kinds:
        text = ATTRIBUTIONS.get(kind)
        if text is not None and text not in texts:
            texts.append(text)
    return texts


def attribution_line(kinds: Iterable[str]) -> str | None:
    """One line for the foot of a table (``None`` when no source needs attributing)."""
    texts = attribution(kinds)
    if not texts:
        return None
    # Sources under the same licence share one sentence, with their publishers in brackets.
    prefix = OGL + " ("
    publishers = [text[len(prefix):-1] for text in texts if text.startswith(prefix) and text.endswith(")")]
    others = [text for text in texts if not (text.startswith(prefix) and text.endswith(")"))]
    shared = [f"{prefix}{'; '.join(publishers)})"] if publishers else []
    return "Data: " + "; ".join(shared + others) + "."
