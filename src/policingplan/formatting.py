"""British number and date formats, used by every face of the system, and fractions read as people write them (pure)."""

from __future__ import annotations

import datetime as _dt
import math
from decimal import Decimal, InvalidOperation


def fmt_int(value: float | int | None) -> str:
    """``3905`` → ``3,905``; ``None`` or NaN → ``–``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{round(value):,}"


def fmt_num(value: float | None, places: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{places}f}"


def fmt_pct(fraction: float | None, places: int = 1, signed: bool = False) -> str:
    """``-0.055`` → ``-5.5%`` (``−5.5%`` is not used, so that output stays ASCII-safe)."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "–"
    sign = "+" if signed and fraction > 0 else ""
    return f"{sign}{fraction * 100:,.{places}f}%"


def fmt_date(value: _dt.date) -> str:
    """``2007-03-31`` → ``31 March 2007``."""
    return f"{value.day} {value.strftime('%B')} {value.year}"


def fmt_money(pounds: float) -> str:
    """``15000000`` → ``£15m``; ``250000`` → ``£250,000``."""
    if abs(pounds) >= 1_000_000 and pounds % 100_000 == 0:
        millions = pounds / 1_000_000
        return f"£{millions:,.1f}m".replace(".0m", "m")
    return f"£{pounds:,.0f}"


def read_fraction(text: str) -> float | None:
    """A fraction as people write it: ``"0.055"`` → 0.055; ``"5.5%"`` → 0.055; ``"−6.8 %"`` → -0.068; anything else → ``None``."""
    cleaned = str(text).strip().replace("\u2212", "-").replace("\u2013", "-")
    percent = cleaned.endswith("%")
    if percent:
        cleaned = cleaned[:-1].strip()
    try:
        number = Decimal(cleaned)  # decimal, so that 82.2% is exactly 0.822
    except InvalidOperation:
        return None
    value = float(number / 100 if percent else number) if number.is_finite() else math.inf
    return value if math.isfinite(value) else None
