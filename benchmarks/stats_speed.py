"""SPC and year-end forecasts together: 33 units × 50 series × 120 months on one core.

Issue 4's speed aim: charting and forecasting a whole force's plan (33 units,
50 series each, 120 months of history) in under 5 seconds on one core.  The
process is pinned to one CPU and the numeric libraries to one thread.

The series are Poisson resamples of the real MPS borough × major-category
series (the last 120 months, to February 2024; see ``forecast_speed.py``).
Each is charted with ``spc_many`` (every point object built, as a report
reads them), lower is better, against a target 5% below its last year's mean,
and forecast for 2023/24 as of February 2024 with ``forecast_year_end_many``,
pooled by measure (series j of every unit forms a group).

Timed in the same run, as baselines: the same XmR rules in plain Python
(``spc_speed.plain_python_spc``), which must agree with ``spc_many`` on every
point, and the naive run rate in plain Python (the cost of touching the input;
the forecast has no plain-Python equivalent).  Each step is timed in three rounds and the best
is reported.  Exits 1 if the total is over 5 seconds.

Run from the project root:

    .venv/bin/python benchmarks/stats_speed.py
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from forecast_speed import (  # noqa: E402
    AS_OF, MONTHS, SERIES_PER_UNIT, UNITS, YEAR, groups_by_measure, naive_run_rate, workload,
)
from spc_speed import plain_python_spc  # noqa: E402
from policingplan.stats.forecast import forecast_year_end_many  # noqa: E402
from policingplan.stats.spc import spc_many  # noqa: E402

LIMIT_SECONDS = 5.0
ROUNDS = 3


def best_of(func, *args):
    """The result of the last round and the fastest round's seconds."""
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        result = func(*args)
        times.append(time.perf_counter() - started)
    return result, min(times)


def chart_all(values: list[list[float]], targets: list[float]):
    charts = spc_many(values, directions="decrease", targets=targets)
    for chart in charts:
        chart.points  # the point objects are built on first use
    return charts


def forecast_all(series, groups):
    return forecast_year_end_many(series, YEAR, AS_OF, 1000.0, "lower", groups)


def plain_python_charts(values: list[list[float]], targets: list[float]):
    return [plain_python_spc(v, "decrease", t, ()) for v, t in zip(values, targets)]


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    series = workload()
    groups = groups_by_measure(series)
    values = [list(history.values()) for history in series.values()]
    targets = [0.95 * sum(v[-12:]) / 12 for v in values]

    charts, spc_seconds = best_of(chart_all, values, targets)
    forecasts, forecast_seconds = best_of(forecast_all, series, groups)
    plain_charts, plain_spc_seconds = best_of(plain_python_charts, values, targets)
    _, run_rate_seconds = best_of(naive_run_rate, series)

    disagreements = 0
    for chart, (types, means, lpls, upls) in zip(charts, plain_charts):
        for p, kind, mean, lpl, upl in zip(chart.points, types, means, lpls, upls):
            close = all(math.isclose(a, b, abs_tol=1e-9) for a, b in ((p.mean, mean), (p.lpl, lpl), (p.upl, upl)))
            disagreements += p.point_type != kind or not close
    forecast_count = sum(f.forecast_total is not None for f in forecasts)

    total = spc_seconds + forecast_seconds
    print(f"{len(series):,} series ({UNITS} units × {SERIES_PER_UNIT} series × {MONTHS} months), "
          f"{len(series) * MONTHS:,} points; {cores} core; best of {ROUNDS} rounds\n")
    print("| step | time |\n|---|---:|")
    print(f"| SPC: `spc_many`, every point object built | {spc_seconds:.2f} s |")
    print(f"| forecasts: `forecast_year_end_many`, pooled by measure ({forecast_count:,} forecasts) | "
          f"{forecast_seconds:.2f} s |")
    print(f"| **SPC and forecasts together** | **{total:.2f} s** |")
    print(f"| baseline: the same XmR rules in plain Python | {plain_spc_seconds:.2f} s |")
    print(f"| baseline: the naive run rate in plain Python | {run_rate_seconds:.2f} s |")
    verdict = "within" if total < LIMIT_SECONDS else "OVER"
    print(f"\ntogether {total:.2f} s against a limit of {LIMIT_SECONDS:.0f} s ({verdict}); "
          f"SPC {plain_spc_seconds / spc_seconds:.1f}× faster than the plain-Python rules; "
          f"SPC points disagreeing with them: {disagreements:,}")
    if disagreements:
        sys.exit("spc_many and the plain-Python rules disagree")
    sys.exit(0 if total < LIMIT_SECONDS else 1)


if __name__ == "__main__":
    main()
