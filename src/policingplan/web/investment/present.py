"""Words, tags and British formats for the portfolio's pages: display only."""

from __future__ import annotations

import datetime as dt
import re
from typing import Optional

from policingplan.formatting import fmt_int, fmt_money, fmt_num, fmt_pct
from policingplan.web import present as shared

#: A benefit's status: its words, its tag's colour and a sentence.
BENEFIT_STATUS = {
    "realised": ("Realised", "green", "The latest figure has made the whole of the planned change."),
    "on_track": ("On track", "blue", "The latest figure is within the benefit's tolerance of the planned path."),
    "off_track": ("Off track", "red", "The latest figure is behind the planned path by more than the benefit's "
                                      "tolerance."),
    "late": ("Late", "red", "The due date has passed and the planned change has not been made."),
    "awaiting_data": ("Awaiting data", "grey", "No actual figure has been reported yet."),
    "not_measurable": ("Not yet measurable", "yellow", "It has no baseline, no target that differs from it, or no "
                                                       "due date, so it cannot yet be judged."),
}

#: A business case's status: its words and its tag's colour.
CASE_STATUS = {
    "draft": ("Draft", "grey"),
    "submitted": ("Awaiting decision", "blue"),
    "approved": ("Approved", "green"),
    "rejected": ("Rejected", "red"),
    "funded": ("Funded", "green"),
}

#: The decision buttons: (action, the button's words, its style).
ACTION_WORDS = {
    "submit": ("Submit to the board", ""),
    "approve": ("Approve", ""),
    "reject": ("Reject", "button--warning"),
    "fund": ("Release the money (funded)", ""),
}
PAST = {"submit": "Submitted", "approve": "Approved", "reject": "Rejected", "fund": "Funded"}

STAGE = {"proposed": "Proposed", "defining": "Defining", "delivering": "Delivering", "closing": "Closing",
         "closed": "Closed"}


def money(pounds: Optional[float]) -> str:
    """``£15m``, ``£1.2m``, ``£250,000``; ``–`` for none."""
    if pounds is None:
        return "–"
    if abs(pounds) >= 1_000_000 and pounds % 100_000 != 0:
        return f"£{pounds / 1_000_000:,.2f}m".replace("0m", "m")
    return fmt_money(pounds)


def date(value: Optional[dt.date]) -> str:
    """``1 March 2007``."""
    if value is None:
        return "–"
    return f"{value.day} {value:%B %Y}"


def when(value: Optional[dt.datetime]) -> str:
    """``10 May 2007, 2:00pm`` in London time."""
    if value is None:
        return "–"
    from django.utils import timezone

    local = timezone.localtime(value) if timezone.is_aware(value) else value
    hour = local.strftime("%I").lstrip("0") or "12"
    return f"{local.day} {local:%B %Y}, {hour}:{local:%M}{local.strftime('%p').lower()}"


def value(figure: Optional[float], as_percent: bool, unit: str = "") -> str:
    """A benefit's figure: a percentage (one place) for a rate or percentage measure, else a number and its unit."""
    if figure is None:
        return "–"
    if as_percent:
        return fmt_pct(figure, 1)
    text = fmt_int(figure) if float(figure).is_integer() or abs(figure) >= 100 else fmt_num(figure, 1)
    return f"{text} {unit}".strip()


def share(fraction: Optional[float]) -> str:
    return "–" if fraction is None else fmt_pct(fraction, 0)


def benefit_status(code: str) -> dict:
    words, colour, sentence = BENEFIT_STATUS[code]
    return {"code": code, "words": words, "colour": colour, "sentence": sentence,
            "flag": code in ("off_track", "late")}


def case_status(code: str) -> dict:
    words, colour = CASE_STATUS[code]
    return {"code": code, "words": words, "colour": colour}


def spc(check) -> Optional[dict]:
    """A plan measure's SPC status in words, from the monitor: variation, assurance and chance of the target."""
    if check is None:
        return None
    variation = shared.VARIATION.get(check.variation or "")
    assurance = shared.ASSURANCE.get(check.assurance or "")
    status = shared.STATUS.get(check.status, (check.status, "grey"))
    return {"as_of": shared.month_label(check.as_of),
            "variation": variation[1] if variation else "No signal yet",
            "variation_sentence": variation[2] if variation else "",
            "assurance": assurance[1] if assurance else "Not assessed",
            "status": status[0], "colour": status[1]}


def parse_amount(text: str) -> Optional[int]:
    """Whole pounds as people write them: ``2000000``, ``2,000,000``, ``£2,000,000``, ``£2m``, ``1.5m``,
    ``250k``; ``None`` for anything else (or 0 or less)."""
    cleaned = re.sub(r"[\s,£]", "", str(text or "")).lower()
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(m|k)?", cleaned)
    if not match:
        return None
    number = float(match.group(1)) * {"m": 1_000_000, "k": 1_000, None: 1}[match.group(2)]
    if number <= 0 or not float(round(number, 6)).is_integer():
        return None
    return int(round(number))


__all__ = ["ACTION_WORDS", "BENEFIT_STATUS", "CASE_STATUS", "benefit_status", "case_status", "date", "money",
           "parse_amount", "share", "spc", "value", "when"]
