"""Change against a baseline on like-for-like periods, on the MPS monthly borough file."""

from __future__ import annotations

import csv
import math

import pytest

from policingplan.stats.change import (
    change_against_baseline,
    rolling_12_months_comparison,
    year_to_date_comparison,
)
from policingplan.periods import FinancialYear, Month
from policingplan.data.files import open_text

MONTHLY_FILE = "mps-recorded-crime-borough-monthly_2010-04_2024-02.csv.gz"


@pytest.fixture(scope="module")
def westminster_rows(london_dir) -> list[dict[str, str]]:
    with open_text(london_dir / MONTHLY_FILE) as handle:
        return [row for row in csv.DictReader(handle) if row["boroughname"] == "Westminster"]


@pytest.fixture(scope="module")
def westminster(westminster_rows) -> dict[Month, float]:
    """Westminster's total recorded offences, month by month, as the file holds them."""
    months = [key for key in westminster_rows[0] if key.isdigit()]
    return {
        Month(f"{key[:4]}-{key[4:]}"): float(sum(int(row[key]) for row in westminster_rows))
        for key in months
    }


def column_total(rows, *columns: str) -> float:
    return float(sum(int(row[c]) for row in rows for c in columns))


def test_change_against_baseline():
    assert change_against_baseline(94.5, 100) == pytest.approx(-0.055)
    assert change_against_baseline(10, 0) is None
    assert change_against_baseline(None, 100) is None
    assert change_against_baseline(10, math.nan) is None


def test_year_to_date_against_the_same_months_of_last_year(westminster, westminster_rows):
    comparison = year_to_date_comparison(westminster, "2022/23", "2022-09")
    assert comparison.current_months == tuple(Month(f"2022-{m:02d}") for m in range(4, 10))
    assert comparison.baseline_months == tuple(Month(f"2021-{m:02d}") for m in range(4, 10))
    current = column_total(westminster_rows, *(f"2022{m:02d}" for m in range(4, 10)))
    baseline = column_total(westminster_rows, *(f"2021{m:02d}" for m in range(4, 10)))
    assert comparison.current_total == current
    assert comparison.baseline_total == baseline
    assert comparison.change == pytest.approx(current / baseline - 1)
    assert comparison.complete
    assert comparison.label == "2022/23 to September 2022 against the same months of 2021/22"


def test_year_to_date_against_a_chosen_baseline_year(westminster, westminster_rows):
    comparison = year_to_date_comparison(westminster, FinancialYear("2019/20"), "2020-01", baseline_year="2012/13")
    months = [f"2019{m:02d}" for m in range(4, 13)] + ["202001"]
    baseline = [f"2012{m:02d}" for m in range(4, 13)] + ["201301"]
    assert comparison.current_total == column_total(westminster_rows, *months)
    assert comparison.baseline_total == column_total(westminster_rows, *baseline)


def test_a_whole_year_comparison(westminster, westminster_rows):
    comparison = year_to_date_comparison(westminster, "2015/16", "2016-03")
    assert len(comparison.current_months) == 12
    assert comparison.label == "2015/16 against 2014/15"
    months = [f"2015{m:02d}" for m in range(4, 13)] + [f"2016{m:02d}" for m in range(1, 4)]
    assert comparison.current_total == column_total(westminster_rows, *months)


def test_rolling_12_months_against_the_previous_12(westminster, westminster_rows):
    comparison = rolling_12_months_comparison(westminster, "2023-06")
    assert comparison.current_months[0] == Month("2022-07")
    assert comparison.baseline_months[0] == Month("2021-07")
    assert comparison.baseline_months[-1] == Month("2022-06")
    current = [f"2022{m:02d}" for m in range(7, 13)] + [f"2023{m:02d}" for m in range(1, 7)]
    assert comparison.current_total == column_total(westminster_rows, *current)


def test_a_month_beyond_the_data_is_missing_not_zero(westminster):
    # The file ends in February 2024.
    comparison = year_to_date_comparison(westminster, "2023/24", "2024-03")
    assert comparison.missing_current == (Month("2024-03"),)
    assert comparison.missing_baseline == ()
    assert comparison.current_total is None and comparison.change is None
    assert not comparison.complete
    rolling = rolling_12_months_comparison(westminster, "2011-03")
    assert rolling.missing_baseline == tuple(Month("2009-04") + i for i in range(12))


def test_none_and_nan_months_are_missing(westminster):
    series = dict(westminster)
    series[Month("2022-05")] = None
    series[Month("2021-06")] = math.nan
    comparison = year_to_date_comparison(series, "2022/23", "2022-09")
    assert comparison.missing_current == (Month("2022-05"),)
    assert comparison.missing_baseline == (Month("2021-06"),)
    assert comparison.change is None


def test_a_month_of_zero_is_a_value(westminster):
    series = dict(westminster)
    series[Month("2022-05")] = 0.0
    comparison = year_to_date_comparison(series, "2022/23", "2022-09")
    assert comparison.complete and comparison.change is not None


def test_as_of_before_the_year_starts_is_refused(westminster):
    with pytest.raises(ValueError):
        year_to_date_comparison(westminster, "2022/23", "2022-03")
