"""A monitored target's words and figures as ``policingplan monitor`` shows them (display only).

The symbols and words of the statuses, SPC's variation and assurance, and a
position's figures in the measure's own terms: a count with thousands commas,
a rate as a percentage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from policingplan.formatting import fmt_int, fmt_pct

if TYPE_CHECKING:
    from policingplan.services.monitor import MonitoredTarget

#: How each status is shown: a symbol and a word carry it as well as the colour.
STATUS_STYLE = {
    "likely": ("▲", "likely", "green"),
    "in_the_balance": ("●", "in the balance", "yellow"),
    "unlikely": ("✗", "unlikely", "red"),
    "not_assessed": ("–", "not assessed", "dim"),
}
VARIATION_TEXT = {
    "common_cause": ("·", "common cause", ""),
    "special_cause_improvement": ("✓", "improvement", "blue"),
    "special_cause_concern": ("!", "concern", "dark_orange"),
    "special_cause_neutral_high": ("↑", "neutral high", "magenta"),
    "special_cause_neutral_low": ("↓", "neutral low", "magenta"),
    "improvement": ("✓", "improvement", "blue"),
    "concern": ("!", "concern", "dark_orange"),
}
ASSURANCE_TEXT = {
    "consistent_pass": ("✓", "consistent pass", "blue"),
    "consistent_fail": ("✗", "consistent fail", "dark_orange"),
    "inconsistent": ("~", "inconsistent", ""),
}


def styled(symbol: str, word: str, style: str) -> str:
    text = f"{symbol} {word}"
    return f"[{style}]{text}[/]" if style else text


def status_text(position_status: str, p_meet: float | None, short: bool = False) -> str:
    """``▲ likely (82%)``, ``✗ unlikely (3%)``: the symbol and word carry the status without colour.

    ``short`` gives the symbol and the chance only (``✗ 3%``), for the units' grid with its legend.
    """
    symbol, word, style = STATUS_STYLE[position_status]
    if short:
        return styled(symbol, fmt_pct(p_meet, 0) if p_meet is not None else word, style)
    if p_meet is not None:
        word = f"{word} ({fmt_pct(p_meet, 0)})"
    return styled(symbol, word, style)


def lookup(table: dict, key: str | None) -> str:
    if key is None:
        return "–"
    symbol, word, style = table.get(key, ("", key.replace("_", " "), ""))
    return styled(symbol, word, style)


def amount(value: float | None, kind: str) -> str:
    if value is None:
        return "–"
    return fmt_pct(value) if kind == "ratio" else fmt_int(value)


def target_text(position: MonitoredTarget) -> str:
    if position.met_at is None:
        return "–"
    sign = {"lower": "≤ ", "higher": "≥ "}.get(position.polarity, "")
    return sign + amount(position.met_at, position.kind)  # whole crimes that meet it, for a count


def interval_text(position: MonitoredTarget) -> str:
    if position.interval_80 is None:
        return "–"
    low, high = position.interval_80
    return f"{amount(low, position.kind)}–{amount(high, position.kind)}"


def forecast_text(position: MonitoredTarget) -> str:
    if position.forecast_total is None:
        return "–"
    text = amount(position.forecast_total, position.kind)
    return text if position.interval_80 is None else f"{text} ({interval_text(position)})"
