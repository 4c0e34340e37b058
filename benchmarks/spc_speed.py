"""Time the XmR chart on 33 units × 50 series × 120 months (198,000 points).

Runs ``policingplan.stats.spc.spc_many`` on all the series at once (the way
the monitor charts a whole plan), ``spc`` on each series in turn, then a plain-Python loop
that applies the same conventions point by point (windows over the series, as
NHSRplotthedots writes them), checks that the two agree on every point, and
prints both times and their ratio.  The series are seeded Poisson counts with a
seasonal pattern, a drift and, in a third of them, a step change with a rebase.

Run from the project root:

    .venv/bin/python benchmarks/spc_speed.py
"""

from __future__ import annotations

import math
import time

import numpy as np

from policingplan.stats.spc import spc, spc_many
from policingplan.services.stats import spc_model

UNITS, SERIES, MONTHS = 33, 50, 120
SEED = 20070301


def make_series(rng: np.random.Generator) -> list[dict]:
    months = np.arange(MONTHS)
    charts = []
    for unit in range(UNITS):
        for series in range(SERIES):
            level = rng.uniform(5, 400)
            seasonal = 1 + 0.12 * np.sin(2 * np.pi * (months + rng.integers(12)) / 12)
            drift = 1 + rng.uniform(-0.3, 0.3) * months / MONTHS
            step = 1.0
            rebase: tuple[int, ...] = ()
            if (unit * SERIES + series) % 3 == 0:
                step = np.where(months >= 60, rng.uniform(0.6, 1.4), 1.0)
                rebase = (61,)
            values = rng.poisson(level * seasonal * drift * step).astype(float)
            charts.append({
                "values": values,
                "direction": ("decrease", "increase", "neutral")[series % 3],
                "target": float(level) if series % 2 else None,
                "rebase_at": rebase,
            })
    return charts


def plain_python_spc(values, direction, target, rebase_at, length=7):
    """The same chart in plain Python: loops over points and windows, no numpy."""
    n = len(values)
    starts = [0] + [i - 1 for i in rebase_at] + [n]
    polarity = {"increase": 1, "decrease": -1, "neutral": 0}[direction]
    types, means, lpls, upls = [], [], [], []
    for lo, hi in zip(starts, starts[1:]):
        y = values[lo:hi]
        m = len(y)
        mean = sum(y) / m
        mr = [abs(y[i] - y[i - 1]) for i in range(1, m)]
        amr = sum(mr) / len(mr)
        if amr > 0:
            kept = [r for r in mr if r < 3.267 * amr]
            amr = sum(kept) / len(kept)
        upl, lpl = mean + 2.66 * amr, mean - 2.66 * amr
        nupl, nlpl = mean + 2 * (2.66 / 3) * amr, mean - 2 * (2.66 / 3) * amr
        rel = [(v > mean) - (v < mean) for v in y]
        outside = [v > upl or v < lpl for v in y]
        close = [(v > nupl or v < nlpl) and not o for v, o in zip(y, outside)]
        shift = [False] * m
        trend = [0] * m
        two = [False] * m
        for end in range(length - 1, m):
            first = end - length + 1
            if rel[end] != 0 and all(rel[k] == rel[end] for k in range(first, end)):
                for k in range(first, end + 1):
                    shift[k] = True
            step = (y[first + 1] > y[first]) - (y[first + 1] < y[first])
            if step and all((y[k + 1] > y[k]) - (y[k + 1] < y[k]) == step for k in range(first, end)):
                for k in range(first, end + 1):
                    trend[k] = step
        for first in range(m - 2):
            window = range(first, first + 3)
            if sum(close[k] for k in window) >= 2 and abs(sum(rel[k] for k in window)) == 3:
                for k in window:
                    two[k] = two[k] or close[k]
        for k in range(m):
            if outside[k]:
                sign = rel[k]
            elif trend[k]:
                sign = trend[k]
            elif two[k] or shift[k]:
                sign = rel[k]
            else:
                types.append("common_cause")
                continue
            if polarity == 0:
                types.append("special_cause_neutral_high" if sign > 0 else "special_cause_neutral_low")
            else:
                types.append("special_cause_improvement" if sign * polarity > 0 else "special_cause_concern")
        means += [mean] * m
        lpls += [lpl] * m
        upls += [upl] * m
    return types, means, lpls, upls


def main() -> None:
    charts = make_series(np.random.default_rng(SEED))
    points = sum(len(c["values"]) for c in charts)

    started = time.perf_counter()
    results = spc_many(
        [c["values"] for c in charts],
        directions=[c["direction"] for c in charts],
        targets=[c["target"] for c in charts],
        rebase_ats=[c["rebase_at"] for c in charts],
    )
    batched = time.perf_counter() - started

    started = time.perf_counter()
    for result in results:
        result.points  # the point objects are built on first use
    building = time.perf_counter() - started

    started = time.perf_counter()
    one_by_one = [spc(c["values"], c["direction"], c["target"], c["rebase_at"]) for c in charts]
    single = time.perf_counter() - started

    as_lists = [dict(c, values=c["values"].tolist()) for c in charts]
    started = time.perf_counter()
    baseline = [plain_python_spc(c["values"], c["direction"], c["target"], c["rebase_at"]) for c in as_lists]
    plain = time.perf_counter() - started

    disagreements = sum(spc_model(a).model_dump() != spc_model(b).model_dump() for a, b in zip(results, one_by_one))
    for result, (types, means, lpls, upls) in zip(results, baseline):
        for p, t, m, lo, hi in zip(result.points, types, means, lpls, upls):
            if p.point_type != t or not all(math.isclose(a, b, abs_tol=1e-9) for a, b in ((p.mean, m), (p.lpl, lo), (p.upl, hi))):
                disagreements += 1
    signals = sum(p.point_type != "common_cause" for r in results for p in r.points)

    print(f"{len(charts):,} series ({UNITS} units × {SERIES} series × {MONTHS} months), {points:,} points")
    print(f"special-cause points: {signals:,} ({signals / points:.1%})")
    print(f"spc_many, all series at once     : {batched:6.3f} s  (limits, rules, icons)")
    print(f"  then building every point object : {building:6.3f} s")
    print(f"spc, one series at a time        : {single:6.3f} s")
    print(f"plain-Python loop baseline       : {plain:6.3f} s")
    print(f"baseline ÷ spc_many              : {plain / batched:6.1f} ×")
    print(f"baseline ÷ (spc_many + points)   : {plain / (batched + building):6.1f} ×")
    print(f"baseline ÷ spc one at a time     : {plain / single:6.1f} ×")
    print(f"disagreements                    : {disagreements:,}")
    if disagreements:
        raise SystemExit("spc_many, spc and the plain-Python baseline disagree")


if __name__ == "__main__":
    main()
