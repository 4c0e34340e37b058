"""Real monthly series for the forecast tests, read from the project's data."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from policingplan.periods import Month

CRIME_FILE = "mps-recorded-crime-borough-monthly_2010-04_2024-02.csv.gz"
DASHBOARD_FILE = "mps-crime-dashboard-borough_2021-08_2025-07.csv.gz"


@pytest.fixture(scope="session")
def mps_series(london_dir: Path) -> dict[tuple[str, str], dict[Month, float]]:
    """Borough × major category monthly offences, April 2010 to February 2024 (minor categories summed)."""
    frame = pl.read_csv(london_dir / CRIME_FILE, infer_schema_length=0)
    frame = frame.rename({c: c.lower() for c in frame.columns[:3]})
    months = frame.columns[3:]
    frame = frame.with_columns([pl.col(c).cast(pl.Float64) for c in months])
    grouped = frame.group_by(["boroughname", "majortext"]).agg([pl.col(c).sum() for c in months])
    return {
        (row["boroughname"], row["majortext"]): {Month(f"{c[:4]}-{c[4:]}"): row[c] for c in months}
        for row in grouped.iter_rows(named=True)
    }


@pytest.fixture(scope="session")
def domestic_abuse(london_dir: Path) -> dict[str, dict[str, dict[Month, float]]]:
    """Domestic abuse offences and positive outcomes by borough, August 2021 to July 2025."""
    frame = pl.read_csv(london_dir / DASHBOARD_FILE, infer_schema_length=0).filter(
        (pl.col("area_type") == "Borough") & (pl.col("crime_subtype") == "Domestic Abuse")
    )
    result: dict[str, dict[str, dict[Month, float]]] = {}
    for row in frame.iter_rows(named=True):
        by_measure = result.setdefault(row["area_name"], {})
        month = Month(row["month_year"][:7])
        series = by_measure.setdefault(row["measure"], {})
        series[month] = series.get(month, 0.0) + float(row["count"])
    return result
