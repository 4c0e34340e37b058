"""Speed of year-end forecasts: 33 units × 50 series × 120 months on one core.

The series are Poisson resamples of the real MPS borough × major-category
series (the last 120 months, to February 2024), forecast for 2023/24 as of
February 2024.  Timed in the same run, as baselines: the naive run rate for
the same series in plain Python (the cost of touching the input at all), and
the forecast called once per series instead of in one batch.  The batch is
timed twice: each series on its own history, and pooled as a monitor would
pool it (series j of every unit forms a group: one measure across 33 units).

Run from the project root:

    .venv/bin/python benchmarks/forecast_speed.py
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from forecast_backtest import CRIME_FILE, load_series  # noqa: E402
from policingplan.data.files import resolve  # noqa: E402
from policingplan.settings import data_dir  # noqa: E402
from policingplan.stats.forecast import forecast_year_end, forecast_year_end_many  # noqa: E402
from policingplan.periods import FinancialYear, Month  # noqa: E402

UNITS, SERIES_PER_UNIT, MONTHS = 33, 50, 120
YEAR, AS_OF = FinancialYear("2023/24"), Month("2024-02")
LIMIT_SECONDS = 5.0


def workload() -> dict[str, dict[Month, float]]:
    real = list(load_series(resolve(CRIME_FILE, data_dir())).values())
    months = [AS_OF - (MONTHS - 1 - i) for i in range(MONTHS)]
    rng = np.random.default_rng(33)
    series = {}
    for unit in range(UNITS):
        for j in range(SERIES_PER_UNIT):
            source = real[(unit * SERIES_PER_UNIT + j) % len(real)]
            counts = rng.poisson([source[m] for m in months])
            series[f"unit {unit + 1} / series {j + 1}"] = dict(zip(months, counts.astype(float).tolist()))
    return series


def groups_by_measure(series: dict[str, dict[Month, float]]) -> dict[str, str]:
    """Series j of every unit in one group: the same measure across the units."""
    return {name: name.split(" / ")[1] for name in series}


def naive_run_rate(series: dict[str, dict[Month, float]]) -> list[float]:
    year_months = YEAR.months_to_date(AS_OF)
    return [sum(values[m] for m in year_months) * 12 / len(year_months) for values in series.values()]


def timed(label: str, func, *args) -> float:
    started = time.perf_counter()
    func(*args)
    seconds = time.perf_counter() - started
    print(f"| {label} | {seconds:.2f} s |")
    return seconds


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    series = workload()
    sample = dict(list(series.items())[:165])
    print(f"{len(series):,} series × {MONTHS} months, one core\n")
    print("| what | time |\n|---|---:|")
    baseline = timed("baseline: naive run rate, plain Python", naive_run_rate, series)
    alone = timed("forecast_year_end_many, all series in one batch, each alone", forecast_year_end_many,
                  series, YEAR, AS_OF, 1000.0)
    batch = timed("forecast_year_end_many, all series in one batch, pooled by measure", forecast_year_end_many,
                  series, YEAR, AS_OF, 1000.0, "lower", groups_by_measure(series))
    one_by_one = timed(
        "forecast_year_end one series at a time (first 165 series)",
        lambda: [forecast_year_end(h, YEAR, AS_OF, 1000.0) for h in sample.values()],
    )
    print(
        f"\npooled batch: {batch:.2f} s (alone: {alone:.2f} s) against a limit of {LIMIT_SECONDS:.0f} s "
        f"({'within' if max(batch, alone) < LIMIT_SECONDS else 'OVER'}); {batch / baseline:.0f}× the naive baseline; "
        f"one at a time would take about {one_by_one * len(series) / len(sample):.1f} s"
    )
    sys.exit(0 if max(batch, alone) < LIMIT_SECONDS else 1)


if __name__ == "__main__":
    main()
