"""Backtest the year-end forecast on every MPS borough × major-category series.

For each financial year 2013/14 … 2022/23 and each as-of month 3, 6 and 9
(June, September, December), forecast the year's total from the months up to
the as-of month only, then compare with the outturn.  The forecasts are made as
a monitor would make them: one batch per major category, holding all its
boroughs, pooled as one group.  The same forecasts made for each series alone
(its own history only) are reported for comparison.  Reports the coverage of
the 80% and 95% intervals and the mean absolute error (MAE, in crimes) against
two baselines: the naive run rate (year to date × 12 ÷ months elapsed) and
last year's remaining months scaled by the year-to-date ratio.  The COVID-19
years are reported on their own rows and are not in the "normal years" rows.

Run from the project root:

    .venv/bin/python benchmarks/forecast_backtest.py

It prints Markdown tables (pasted into docs/methods.md).  With ``--parts`` it
also measures each part of the pooling on its own, by switching the others off
through the module's constants (about 35 s more).
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

from policingplan.data.files import read_bytes, resolve
from policingplan.settings import data_dir
from policingplan.stats import forecast
from policingplan.stats.forecast import METHOD_SEASONAL, forecast_year_end_many
from policingplan.periods import FinancialYear, Month

CRIME_FILE = Path("london") / "mps-recorded-crime-borough-monthly_2010-04_2024-02.csv.gz"
YEARS = [FinancialYear.of(y) for y in range(2013, 2023)]
AS_OF_MONTHS = (3, 6, 9)
COVID_YEARS = ("2019/20", "2020/21", "2021/22")


def load_series(path: Path) -> dict[str, dict[Month, float]]:
    """Borough × major category monthly counts: minor categories summed, every row kept."""
    frame = pl.read_csv(read_bytes(path), infer_schema_length=0)
    frame = frame.rename({c: c.lower() for c in frame.columns[:3]})
    month_columns = frame.columns[3:]
    frame = frame.with_columns([pl.col(c).cast(pl.Float64, strict=True) for c in month_columns])
    nulls = sum(frame[c].null_count() for c in month_columns)
    if nulls:
        print(f"note: {nulls} empty cells kept as missing months", file=sys.stderr)
    grouped = (
        frame.group_by(["boroughname", "majortext"])
        .agg([  # a missing minor-category month makes the major-category month missing, never zero
            pl.when(pl.col(c).null_count() > 0).then(None).otherwise(pl.col(c).sum()).alias(c)
            for c in month_columns
        ])
        .sort(["boroughname", "majortext"])
    )
    months = [Month(f"{c[:4]}-{c[4:]}") for c in month_columns]
    series = {}
    for row in grouped.iter_rows(named=True):
        name = f"{row['boroughname']} / {row['majortext']}"
        series[name] = {m: row[c] for m, c in zip(months, month_columns)}
    print(f"{frame.height} rows read; {len(series)} borough × major-category series", file=sys.stderr)
    return series


def category(name: str) -> str:
    return name.split(" / ")[1]


def forecast_by_category(series: dict[str, dict[Month, float]], year: FinancialYear, as_of: Month) -> dict:
    """The pooled forecasts: one batch per major category, its boroughs one group."""
    forecasts = {}
    for group in sorted({category(name) for name in series}):
        batch = {name: values for name, values in series.items() if category(name) == group}
        results = forecast_year_end_many(batch, year, as_of, groups={name: group for name in batch})
        forecasts.update(zip(batch, results))
    return forecasts


def backtest(series: dict[str, dict[Month, float]]) -> list[dict]:
    """One record per series, year and as-of month."""
    records = []
    for year in YEARS:
        months = year.months()
        last_year = (year - 1).months()
        for k in AS_OF_MONTHS:
            as_of = months[k - 1]
            pooled = forecast_by_category(series, year, as_of)
            alone = forecast_year_end_many(series, year, as_of)
            for name, own in zip(series, alone):
                fc = pooled[name]
                values = series[name]
                ytd = sum(values[m] for m in months[:k])
                outturn = sum(values[m] for m in months)
                ly_ytd = sum(values[m] for m in last_year[:k])
                ly_rest = sum(values[m] for m in last_year[k:])
                naive = ytd * 12 / k
                seasonal_ratio = ytd + ly_rest * ytd / ly_ytd if ly_ytd > 0 else naive
                records.append({
                    "year": str(year), "k": k, "series": name, "outturn": outturn,
                    "forecast": fc.forecast_total, "alone": own.forecast_total,
                    "naive": naive, "seasonal_ratio": seasonal_ratio,
                    "in80": fc.interval_80[0] <= outturn <= fc.interval_80[1],
                    "in95": fc.interval_95[0] <= outturn <= fc.interval_95[1],
                    "alone_in80": own.interval_80[0] <= outturn <= own.interval_80[1],
                    "alone_in95": own.interval_95[0] <= outturn <= own.interval_95[1],
                    "seasonal": fc.method == METHOD_SEASONAL, "warned": bool(fc.warnings),
                    "monthly_mean": ytd / k,
                })
    return records


def summarise(records: list[dict]) -> dict:
    outturn = np.array([r["outturn"] for r in records])
    err = {
        key: np.abs(np.array([r[key] for r in records]) - outturn)
        for key in ("forecast", "alone", "naive", "seasonal_ratio")
    }
    return {
        "n": len(records),
        "cov80": np.mean([r["in80"] for r in records]),
        "cov95": np.mean([r["in95"] for r in records]),
        "mae": err["forecast"].mean(),
        "mae_alone": err["alone"].mean(),
        "alone_cov80": np.mean([r["alone_in80"] for r in records]),
        "alone_cov95": np.mean([r["alone_in95"] for r in records]),
        "mae_naive": err["naive"].mean(),
        "mae_ratio": err["seasonal_ratio"].mean(),
        "warned": np.mean([r["warned"] for r in records]),
        "fallback": np.mean([not r["seasonal"] for r in records]),
    }


def table(records: list[dict]) -> str:
    groups = [("normal years (7)", lambda y: y not in COVID_YEARS)] + [(y, lambda y, c=y: y == c) for y in COVID_YEARS]
    groups.append(("all 10 years", lambda y: True))
    lines = [
        "| years | as-of | forecasts | 80% coverage | 95% coverage | MAE | MAE naive run rate | "
        "MAE last year's ratio | vs naive | vs last year's ratio | alone: vs naive | with a warning |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, keep in groups:
        ratios, alone_ratios = [], []
        for k in AS_OF_MONTHS:
            s = summarise([r for r in records if keep(r["year"]) and r["k"] == k])
            ratios.append(s["mae"] / s["mae_naive"])
            alone_ratios.append(s["mae_alone"] / s["mae_naive"])
            lines.append(
                f"| {label} | {Month.of(2000, 3 + k).label().split()[0]} ({k}) | {s['n']:,} | {s['cov80']:.1%} | "
                f"{s['cov95']:.1%} | {s['mae']:,.1f} | {s['mae_naive']:,.1f} | {s['mae_ratio']:,.1f} | "
                f"{s['mae'] / s['mae_naive'] - 1:+.1%} | {s['mae'] / s['mae_ratio'] - 1:+.1%} | "
                f"{s['mae_alone'] / s['mae_naive'] - 1:+.1%} | {s['warned']:.1%} |"
            )
        lines.append(
            f"| {label} | mean of 3, 6, 9 | | | | | | | {np.mean(ratios) - 1:+.1%} | | "
            f"{np.mean(alone_ratios) - 1:+.1%} | |"
        )
    return "\n".join(lines)


TUNING_YEARS = ("2013/14", "2014/15", "2015/16", "2016/17", "2017/18")


def table_pooled_against_alone(records: list[dict]) -> str:
    """The change in MAE against the naive run rate (mean over June, September, December), pooled and alone."""
    periods = [
        ("tuning years 2013/14 to 2017/18", lambda y: y in TUNING_YEARS),
        ("held out: 2018/19 and 2022/23", lambda y: y not in TUNING_YEARS and y not in COVID_YEARS),
        ("normal years (7)", lambda y: y not in COVID_YEARS),
        ("COVID-19 years (3)", lambda y: y in COVID_YEARS),
        ("all 10 years", lambda y: True),
    ]
    lines = [
        "| years | alone: vs naive | alone: 80% / 95% coverage | pooled: vs naive | pooled: 80% / 95% coverage |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, keep in periods:
        chosen = [r for r in records if keep(r["year"])]
        by_k = [summarise([r for r in chosen if r["k"] == k]) for k in AS_OF_MONTHS]
        alone = np.mean([s["mae_alone"] / s["mae_naive"] for s in by_k]) - 1
        pooled = np.mean([s["mae"] / s["mae_naive"] for s in by_k]) - 1
        s = summarise(chosen)
        lines.append(
            f"| {label} | {alone:+.1%} | {s['alone_cov80']:.1%} / {s['alone_cov95']:.1%} | "
            f"{pooled:+.1%} | {s['cov80']:.1%} / {s['cov95']:.1%} |"
        )
    return "\n".join(lines)


SIZE_BANDS = (("under 10 a month", 0, 10), ("10 to 99 a month", 10, 100), ("100 or more a month", 100, math.inf))


def table_by_size(records: list[dict]) -> str:
    """Normal years only: coverage and error by the size of the series (its year-to-date monthly mean)."""
    lines = [
        "| size (year to date) | forecasts | 80% coverage | 95% coverage | vs naive | alone: vs naive | "
        "with a warning |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    normal = [r for r in records if r["year"] not in COVID_YEARS]
    for label, low, high in SIZE_BANDS:
        band = [r for r in normal if low <= r["monthly_mean"] < high]
        s = summarise(band)
        lines.append(
            f"| {label} | {s['n']:,} | {s['cov80']:.1%} | {s['cov95']:.1%} | "
            f"{s['mae'] / s['mae_naive'] - 1:+.1%} | {s['mae_alone'] / s['mae_naive'] - 1:+.1%} | {s['warned']:.1%} |"
        )
    return "\n".join(lines)


NO_POOLING = 1e-12  # a pooling volume this small gives the series' own pattern or level all the weight
PARTS = (
    ("peers' seasonal pattern only", {"LEVEL_POOL_VOLUME": NO_POOLING, "TREND_WEIGHT": 0.0}),
    ("peer-tracked level only", {"SEASONAL_POOL_VOLUME": NO_POOLING, "TREND_WEIGHT": 0.0}),
    ("peers' trend only", {"SEASONAL_POOL_VOLUME": NO_POOLING, "LEVEL_POOL_VOLUME": NO_POOLING}),
    ("pattern and level, no trend", {"TREND_WEIGHT": 0.0}),
    ("all three (the method)", {}),
)


def table_of_parts(series: dict[str, dict[Month, float]]) -> str:
    """Normal years: MAE against the naive run rate with only some parts of the pooling switched on.

    The first row, "none (alone)", is the same backtest's forecasts of each series on its own history.
    """
    lines = [
        "| pooled part | June | September | December | mean | tuning years | held out |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, constants, key in (("none (alone)", {}, "mae_alone"), *((l, c, "mae") for l, c in PARTS)):
        saved = {name: getattr(forecast, name) for name in constants}
        for name, value in constants.items():
            setattr(forecast, name, value)
        try:
            records = [r for r in backtest(series) if r["year"] not in COVID_YEARS]
        finally:
            for name, value in saved.items():
                setattr(forecast, name, value)

        def change(rows: list[dict]) -> list[float]:
            by_k = [summarise([r for r in rows if r["k"] == k]) for k in AS_OF_MONTHS]
            return [s[key] / s["mae_naive"] for s in by_k]

        ratios = change(records)
        tuning = change([r for r in records if r["year"] in TUNING_YEARS])
        held = change([r for r in records if r["year"] not in TUNING_YEARS])
        lines.append(
            f"| {label} | " + " | ".join(f"{r - 1:+.1%}" for r in ratios) + f" | {np.mean(ratios) - 1:+.1%} | "
            f"{np.mean(tuning) - 1:+.1%} | {np.mean(held) - 1:+.1%} |"
        )
    return "\n".join(lines)


def main() -> None:
    started = time.perf_counter()
    series = load_series(resolve(CRIME_FILE, data_dir()))
    records = backtest(series)
    print(table(records))
    print()
    print(table_pooled_against_alone(records))
    print()
    print(table_by_size(records))
    if "--parts" in sys.argv[1:]:
        print()
        print(table_of_parts(series))
    fallback = summarise(records)["fallback"]
    print(
        f"\n{len(records):,} forecasts; {fallback:.1%} used the run-rate fallback; "
        f"{time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
