"""Words, icons and British formats for the pages: display only, no arithmetic on figures.

A status, an SPC variation or an assurance is shown as an icon with its word
beside it, so that neither colour nor the icon alone carries the meaning (the
NHS "Making Data Count" icons, simplified: a circle with a letter or arrow).
"""

from __future__ import annotations

from typing import Any

from django.utils.text import slugify

from policingplan.formatting import fmt_int, fmt_num, fmt_pct
from policingplan.periods import Month

#: Each status from P(meet): its words and its tag's colour.
STATUS = {
    "likely": ("Likely", "green"),
    "in_the_balance": ("In the balance", "yellow"),
    "unlikely": ("Unlikely", "red"),
    "not_assessed": ("Not assessed", "grey"),
    "no_target": ("No target", "grey"),
}

#: SPC variation of the latest month: (icon text, short word, a sentence, style).
VARIATION = {
    "common_cause": ("~", "Common cause", "No significant change: the latest month is within normal variation.",
                     "common"),
    "special_cause_improvement": ("↑", "Improvement", "Special cause variation: a significant improvement.",
                                  "improvement"),
    "special_cause_concern": ("!", "Concern", "Special cause variation: a significant change for the worse.",
                              "concern"),
    "special_cause_neutral_high": ("H", "Higher", "Special cause variation: significantly higher (neither better "
                                   "nor worse).", "neutral"),
    "special_cause_neutral_low": ("L", "Lower", "Special cause variation: significantly lower (neither better "
                                  "nor worse).", "neutral"),
}

#: SPC assurance against the monthly target: (icon text, short word, a sentence, style).
ASSURANCE = {
    "consistent_pass": ("P", "Consistently passing", "The process limits are all on the right side of the "
                        "target: it will be met month by month unless something changes.", "improvement"),
    "consistent_fail": ("F", "Consistently failing", "The process limits are all on the wrong side of the "
                        "target: it will not be met month by month unless something changes.", "concern"),
    "inconsistent": ("?", "Hit and miss", "The target lies within the process limits: some months will meet it "
                     "and some will not.", "common"),
}


def slug(name: str) -> str:
    """A unit's name in a URL: ``Barking and Dagenham`` → ``barking-and-dagenham``."""
    return slugify(name)


def amount(value: float | None, kind: str) -> str:
    """A figure in the measure's own terms: a count with thousands commas, a rate as a percentage."""
    if value is None:
        return "–"
    return fmt_pct(value) if kind == "ratio" else fmt_int(value)


def precise(value: float | None, kind: str) -> str:
    """A monthly figure for a chart's table: a rate to one decimal place of a percentage, a mean to one place."""
    if value is None:
        return "–"
    return fmt_pct(value) if kind == "ratio" else fmt_num(value, 1)


def target_words(met_at: float | None, polarity: str, kind: str) -> str:
    """``222,947 or fewer``, ``at least 16.0%``: the figure that meets the target."""
    if met_at is None:
        return "No target figure"
    figure = amount(met_at, kind)
    if polarity == "lower":
        return f"{figure} or fewer" if kind == "count" else f"{figure} or lower"
    if polarity == "higher":
        return f"at least {figure}"
    return figure


def month_label(value: str | None) -> str:
    """``2024-02`` → ``February 2024``."""
    return Month(value).label() if value else "–"


def chance(p_meet: float | None) -> str | None:
    """``82%``; ``under 1%`` and ``over 99%`` rather than ``0%`` or ``100%``: a forecast is never certain."""
    if p_meet is None:
        return None
    if p_meet < 0.005:
        return "under 1%"
    if p_meet > 0.995:
        return "over 99%"
    return fmt_pct(p_meet, 0)


def status(code: str | None, p_meet: float | None = None) -> dict[str, Any]:
    words, colour = STATUS.get(code or "not_assessed", STATUS["not_assessed"])
    return {"code": code, "words": words, "colour": colour, "chance": chance(p_meet)}


def icon(table: dict, code: str | None) -> dict[str, Any] | None:
    if code is None or code not in table:
        return None
    symbol, word, sentence, style = table[code]
    return {"symbol": symbol, "word": word, "sentence": sentence, "style": style}


def position(target, measure=None) -> dict[str, Any]:
    """A monitored target (:class:`~policingplan.services.monitor.MonitoredTarget`) as a page shows it."""
    interval = None
    if target.interval_80 is not None:
        interval = f"{amount(target.interval_80[0], target.kind)} to {amount(target.interval_80[1], target.kind)}"
    return {
        "measure": target.measure, "measure_name": target.measure_name, "unit": target.unit,
        "unit_name": target.unit_name, "unit_slug": slug(target.unit_name), "cpa": bool(measure and measure.cpa),
        "unit_of_count": measure.unit_of_count if measure else "",
        "target": target_words(target.met_at, target.polarity, target.kind),
        "year_to_date": amount(target.year_to_date, target.kind),
        "forecast": amount(target.forecast_total, target.kind), "interval": interval,
        "status": status(target.status, target.p_meet_target),
        "variation": icon(VARIATION, target.variation), "assurance": icon(ASSURANCE, target.assurance),
        "warnings": target.warnings,
    }


def ordinal(n: int | None) -> str:
    """``1st``, ``2nd``, ``23rd``, ``11th``."""
    if n is None:
        return "–"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rate(value: float | None, basis: str) -> str:
    """A peer comparison's rate: ``27.1`` per 1,000 residents, or a ratio's ``16.3%``."""
    if value is None:
        return "–"
    return fmt_pct(value) if basis == "rate" else fmt_num(value, 1)


#: A peer comparison's band, as a sentence's end and a tag's colour.
BAND = {
    "better than": ("better than its peers", "green"),
    "in line with": ("in line with its peers", "grey"),
    "worse than": ("worse than its peers", "red"),
    "higher than": ("higher than its peers", "grey"),
    "lower than": ("lower than its peers", "grey"),
}


def band(code: str | None) -> dict[str, Any] | None:
    if code is None or code not in BAND:
        return None
    words, colour = BAND[code]
    return {"code": code, "words": words, "colour": colour}
