"""Change against a baseline, on like-for-like periods
(``docs/conventions.md#change-against-a-baseline``).

Monthly series are ``Mapping[Month, float | None]``.  A month that is absent,
``None`` or NaN is missing: it is never filled with zero.  A comparison whose
periods have missing months has no totals and no change, and lists the missing
months so that the report can say why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from policingplan.periods import FinancialYear, Month

MonthlySeries = Mapping[Month, "float | None"]


def change_against_baseline(current: float | None, baseline: float | None) -> float | None:
    """(current − baseline) ÷ baseline; ``None`` when either is missing or the baseline is 0."""
    if _missing(current) or _missing(baseline) or baseline == 0:
        return None
    return (current - baseline) / baseline


@dataclass(frozen=True)
class PeriodComparison:
    """Two like-for-like periods of a monthly series and the change between them.

    Totals and change are ``None`` when a period has a missing month; the
    missing months are listed.
    """

    label: str
    current_months: tuple[Month, ...]
    baseline_months: tuple[Month, ...]
    current_total: float | None
    baseline_total: float | None
    change: float | None
    missing_current: tuple[Month, ...]
    missing_baseline: tuple[Month, ...]

    @property
    def complete(self) -> bool:
        return not self.missing_current and not self.missing_baseline


def year_to_date_comparison(
    series: MonthlySeries,
    year: FinancialYear | str,
    as_of: Month | str,
    baseline_year: FinancialYear | str | None = None,
) -> PeriodComparison:
    """The financial year to date against the same months of the baseline year
    (the year before, unless given).  An ``as_of`` after the year compares whole years."""
    year = FinancialYear(year)
    as_of = Month(as_of)
    baseline_year = year - 1 if baseline_year is None else FinancialYear(baseline_year)
    current_months = year.months_to_date(as_of)
    if not current_months:
        raise ValueError(f"{as_of} is before the financial year {year} starts (April {year.start_year})")
    shift = (baseline_year - year) * 12
    baseline_months = [m + shift for m in current_months]
    label = (
        f"{year} against {baseline_year}"
        if len(current_months) == 12
        else f"{year} to {as_of.label()} against the same months of {baseline_year}"
    )
    return _compare(series, label, current_months, baseline_months)


def rolling_12_months_comparison(series: MonthlySeries, as_of: Month | str) -> PeriodComparison:
    """The 12 months to ``as_of`` against the 12 months before them."""
    as_of = Month(as_of)
    current_months = [as_of - 11 + i for i in range(12)]
    baseline_months = [m - 12 for m in current_months]
    label = f"12 months to {as_of.label()} against the previous 12 months"
    return _compare(series, label, current_months, baseline_months)


def _compare(
    series: MonthlySeries, label: str, current_months: list[Month], baseline_months: list[Month]
) -> PeriodComparison:
    values = {Month(k): v for k, v in series.items()}
    current_total, missing_current = _total(values, current_months)
    baseline_total, missing_baseline = _total(values, baseline_months)
    return PeriodComparison(
        label=label,
        current_months=tuple(current_months),
        baseline_months=tuple(baseline_months),
        current_total=current_total,
        baseline_total=baseline_total,
        change=change_against_baseline(current_total, baseline_total),
        missing_current=tuple(missing_current),
        missing_baseline=tuple(missing_baseline),
    )


def _total(values: Mapping[Month, float | None], months: list[Month]) -> tuple[float | None, list[Month]]:
    missing = [m for m in months if _missing(values.get(m))]
    if missing:
        return None, missing
    return float(sum(values[m] for m in months)), []


def _missing(value: float | None) -> bool:
    return value is None or value != value  # NaN, of any float type, is the only value unequal to itself
