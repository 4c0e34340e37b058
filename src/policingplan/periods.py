"""Months and financial years (April to March), the calendar of every plan.

``Month("2019-04")`` is a calendar month; ``FinancialYear("2007/08")`` runs from
April 2007 to March 2008.  Both are immutable, hashable and ordered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_FY_RE = re.compile(r"^(\d{4})/(\d{2})$")

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


class PeriodError(ValueError):
    """A period written in a form that is not accepted."""


@total_ordering
@dataclass(frozen=True)
class Month:
    """A calendar month.  Construct from ``"YYYY-MM"`` or with :meth:`of`."""

    year: int
    month: int

    def __init__(self, text: "str | Month"):
        if isinstance(text, Month):
            year, month = text.year, text.month
        else:
            match = _MONTH_RE.match(str(text).strip())
            if not match:
                raise PeriodError(f"{text!r} is not a month; write it as YYYY-MM, for example 2019-04")
            year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(f"{text!r} is not a month: the month must be 01 to 12")
        if not 1900 <= year <= 2100:
            raise PeriodError(f"{text!r} is not a month: the year must be between 1900 and 2100")
        object.__setattr__(self, "year", year)
        object.__setattr__(self, "month", month)

    @classmethod
    def of(cls, year: int, month: int) -> "Month":
        return cls(f"{year:04d}-{month:02d}")

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __repr__(self) -> str:
        return f"Month({str(self)!r})"

    def __lt__(self, other: "Month") -> bool:
        if not isinstance(other, Month):
            return NotImplemented
        return self.ordinal < other.ordinal

    @property
    def ordinal(self) -> int:
        """Months since January of year 0: handy for differences."""
        return self.year * 12 + (self.month - 1)

    @classmethod
    def from_ordinal(cls, ordinal: int) -> "Month":
        return cls.of(ordinal // 12, ordinal % 12 + 1)

    def __add__(self, months: int) -> "Month":
        return Month.from_ordinal(self.ordinal + int(months))

    def __sub__(self, other: "Month | int"):
        if isinstance(other, Month):
            return self.ordinal - other.ordinal
        return Month.from_ordinal(self.ordinal - int(other))

    @property
    def financial_year(self) -> "FinancialYear":
        return FinancialYear.of(self.year if self.month >= 4 else self.year - 1)

    @property
    def fy_index(self) -> int:
        """Position in the financial year: April is 1, March is 12."""
        return (self.month - 4) % 12 + 1

    def label(self) -> str:
        """British long form: ``April 2019``."""
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"


@total_ordering
@dataclass(frozen=True)
class FinancialYear:
    """A financial year, April to March, written ``2007/08``."""

    start_year: int

    def __init__(self, text: "str | FinancialYear"):
        if isinstance(text, FinancialYear):
            start = text.start_year
        else:
            raw = str(text).strip()
            match = _FY_RE.match(raw)
            if not match:
                raise PeriodError(
                    f"{text!r} is not a financial year; write it as YYYY/YY, for example 2007/08"
                )
            start, end = int(match.group(1)), int(match.group(2))
            if (start + 1) % 100 != end:
                raise PeriodError(
                    f"{text!r} is not a financial year: it must end the year after it starts "
                    f"({start}/{(start + 1) % 100:02d})"
                )
        if not 1900 <= start <= 2100:
            raise PeriodError(f"{text!r} is not a financial year: the year must be between 1900 and 2100")
        object.__setattr__(self, "start_year", start)

    @classmethod
    def of(cls, start_year: int) -> "FinancialYear":
        return cls(f"{start_year:04d}/{(start_year + 1) % 100:02d}")

    @classmethod
    def containing(cls, month: "Month | str") -> "FinancialYear":
        return Month(month).financial_year

    def __str__(self) -> str:
        return f"{self.start_year:04d}/{(self.start_year + 1) % 100:02d}"

    def __repr__(self) -> str:
        return f"FinancialYear({str(self)!r})"

    def __lt__(self, other: "FinancialYear") -> bool:
        if not isinstance(other, FinancialYear):
            return NotImplemented
        return self.start_year < other.start_year

    def __add__(self, years: int) -> "FinancialYear":
        return FinancialYear.of(self.start_year + int(years))

    def __sub__(self, other: "FinancialYear | int"):
        if isinstance(other, FinancialYear):
            return self.start_year - other.start_year
        return FinancialYear.of(self.start_year - int(other))

    @property
    def first_month(self) -> Month:
        return Month.of(self.start_year, 4)

    @property
    def last_month(self) -> Month:
        return Month.of(self.start_year + 1, 3)

    def months(self) -> list[Month]:
        first = self.first_month
        return [first + i for i in range(12)]

    def __contains__(self, month: object) -> bool:
        if isinstance(month, str):
            month = Month(month)
        if not isinstance(month, Month):
            return False
        return self.first_month <= month <= self.last_month

    def months_to_date(self, as_of: "Month | str") -> list[Month]:
        """The months of this year up to and including ``as_of`` (empty if before it starts)."""
        as_of = Month(as_of)
        return [m for m in self.months() if m <= as_of]
