"""Load benchmark: synthetic police.uk street-level files through the reader and the warehouse.

Generates N records (default 10 million) in the ``police-uk-street`` format,
one file per force per month as data.police.uk publishes them, for the 43
territorial forces of England and Wales, with realistic crime types and
outcomes.  Then times, each in its own child process (so that its peak
memory is its own):

- **policingplan**: every file read and checked by the reader and loaded
  into a fresh warehouse in one atomic load (as ``policingplan data load
  police-uk-street *.csv`` does), then the monthly values of two measures
  (burglary, a count; the charge rate, a ratio) for every unit;
- **pandas**: the same counting as an analyst would write it: ``pd.read_csv``
  of every file, ``concat``, ``groupby(...).size()``;
- **floor**: DuckDB's bare ``read_csv`` over the files and ``GROUP BY``
  count, with no checks at all.

Run from the project root::

    .venv/bin/python benchmarks/load_benchmark.py [--rows 10000000] [--months 12]

Each contender runs ``--repeat`` times (default 2), taking turns, and its
fastest round counts, so that other work on the machine disturbs the ratios
less.  It prints the times, the ratios against the aims (at least 5 times faster
than pandas, within 2 times the floor, peak memory under 2 GB) and a
Markdown row for docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

FORCES = {  # "Falls within" as published, and a rough share of recorded crime
    "Avon and Somerset Constabulary": 2.4, "Bedfordshire Police": 1.0, "Cambridgeshire Constabulary": 1.2,
    "Cheshire Constabulary": 1.5, "City of London Police": 0.15, "Cleveland Police": 1.3,
    "Cumbria Constabulary": 0.7, "Derbyshire Constabulary": 1.6, "Devon & Cornwall Police": 2.0,
    "Dorset Police": 0.9, "Durham Constabulary": 1.0, "Dyfed-Powys Police": 0.6, "Essex Police": 2.8,
    "Gloucestershire Constabulary": 0.9, "Greater Manchester Police": 6.5, "Gwent Police": 0.9,
    "Hampshire Constabulary": 3.2, "Hertfordshire Constabulary": 1.7, "Humberside Police": 1.7,
    "Kent Police": 3.2, "Lancashire Constabulary": 2.7, "Leicestershire Police": 1.6,
    "Lincolnshire Police": 1.0, "Merseyside Police": 2.4, "Metropolitan Police Service": 15.0,
    "Norfolk Constabulary": 1.2, "North Wales Police": 1.0, "North Yorkshire Police": 0.9,
    "Northamptonshire Police": 1.2, "Northumbria Police": 2.6, "Nottinghamshire Police": 1.7,
    "South Wales Police": 2.0, "South Yorkshire Police": 2.5, "Staffordshire Police": 1.6,
    "Suffolk Constabulary": 0.9, "Surrey Police": 1.3, "Sussex Police": 2.3, "Thames Valley Police": 3.3,
    "Warwickshire Police": 0.8, "West Mercia Police": 1.9, "West Midlands Police": 6.0,
    "West Yorkshire Police": 5.5, "Wiltshire Police": 0.8,
}
CRIME_TYPES = {
    "Violence and sexual offences": 33, "Anti-social behaviour": 20, "Public order": 7,
    "Criminal damage and arson": 7, "Shoplifting": 5, "Other theft": 5, "Vehicle crime": 5, "Burglary": 4,
    "Drugs": 2.5, "Other crime": 2, "Theft from the person": 1.5, "Bicycle theft": 1, "Robbery": 1,
    "Possession of weapons": 0.6,
}
OUTCOMES = {
    "Investigation complete; no suspect identified": 35, "Unable to prosecute suspect": 30,
    "Under investigation": 8, "Status update unavailable": 5, "Awaiting court outcome": 4,
    "Court result unavailable": 3, "Local resolution": 3, "Further investigation is not in the public interest": 2,
    "Action to be taken by another organisation": 2, "Offender given a caution": 1,
    "Formal action is not in the public interest": 1, "Suspect charged as part of another case": 1,
    "Offender sent to prison": 1, "Offender given community sentence": 0.5, "Offender given penalty notice": 0.5,
}
CHARGED = ["Awaiting court outcome", "Court result unavailable", "Offender sent to prison",
           "Offender given community sentence", "Suspect charged as part of another case"]
STREETS = ["High Street", "Station Road", "Church Lane", "Park Road", "London Road", "Victoria Street",
           "Mill Lane", "The Green", "Queens Road", "Shopping Area", "Parking Area", "Supermarket"]
HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
          "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"]


def _weights(table: dict) -> tuple[list[str], np.ndarray]:
    names = list(table)
    weights = np.array([table[n] for n in names], dtype=float)
    return names, weights / weights.sum()


def _lsoas(force: str, index: int) -> tuple[np.ndarray, np.ndarray]:
    """A force's LSOA codes and names; the Met's are named after London boroughs, as published."""
    if force == "Metropolitan Police Service":
        from policingplan.data.units import LONDON_BOROUGHS

        areas = [name for code, name in LONDON_BOROUGHS.items() if code != "E09000001"]
    else:
        areas = [force.split(" Police")[0].split(" Constabulary")[0] + f" District {d}" for d in range(1, 9)]
    names = [f"{area} {n:03d}{letter}" for area in areas for n in range(1, 41) for letter in "ABCD"]
    codes = [f"E01{100_000 + index * 10_000 + i:06d}" for i in range(len(names))]  # above the real 2011 codes
    return np.array(codes), np.array(names)


def generate(directory: Path, rows: int, months: int, seed: int = 2024) -> list[Path]:
    """Write one CSV per force per month, ``rows`` records in all; returns the files."""
    rng = np.random.default_rng(seed)
    forces, force_share = _weights(FORCES)
    crime_types, crime_p = _weights(CRIME_TYPES)
    outcomes, outcome_p = _weights(OUTCOMES)
    per_file = np.floor(force_share * rows / months).astype(int)
    per_file[-1] += rows // months - per_file.sum()
    month_names = [f"{2023 + m // 12}-{m % 12 + 1:02d}" for m in range(months)]
    files = []
    for m, month in enumerate(month_names):
        count_this_month = rows // months + (rows % months if m == months - 1 else 0)
        sizes = per_file.copy()
        sizes[-1] += count_this_month - sizes.sum()
        for index, (force, n) in enumerate(zip(forces, sizes)):
            codes, names = _lsoas(force, index)
            place = rng.integers(0, len(codes), n)
            crime = np.array(crime_types)[rng.choice(len(crime_types), n, p=crime_p)]
            asb = crime == "Anti-social behaviour"
            outcome = np.array(outcomes)[rng.choice(len(outcomes), n, p=outcome_p)]
            ids = np.frombuffer(rng.bytes(32 * n).hex().encode(), dtype="S64").astype(str)
            frame = pl.DataFrame({
                "Crime ID": pl.Series(ids).set(pl.Series(asb), None),
                "Month": month,
                "Reported by": force,
                "Falls within": force,
                "Longitude": np.round(rng.uniform(-5.5, 1.7, n), 6),
                "Latitude": np.round(rng.uniform(50.0, 55.8, n), 6),
                "Location": np.char.add("On or near ", np.array(STREETS)[rng.integers(0, len(STREETS), n)]),
                "LSOA code": codes[place],
                "LSOA name": names[place],
                "Crime type": crime,
                "Last outcome category": pl.Series(outcome).set(pl.Series(asb), None),
                "Context": pl.Series([None] * n, dtype=pl.Utf8),
            })
            slug = force.lower().replace(" & ", "-").replace(" ", "-")
            path = directory / f"{month}-{slug}-street.csv"
            frame.write_csv(path)
            files.append(path)
    return files


# ----- contenders, each run in a child process ---------------------------------------------


def run_policingplan(data: Path, work: Path) -> dict:
    from policingplan.data.measures import measure_values
    from policingplan.data.warehouse import Warehouse
    from policingplan.plan.model import CountingRule, Measure, Plan

    warehouse = Warehouse(work / "warehouse")
    files = sorted(data.glob("*.csv"))
    started = time.perf_counter()
    report = warehouse.load_files([("police-uk-street", path) for path in files])
    if not report.ok:
        raise SystemExit(f"the synthetic files did not load: {report.problems.errors[:3]}")
    accepted = sum(outcome.rows_accepted for outcome in report.files)
    loaded = time.perf_counter()
    plan = Plan(id="bench", name="Benchmark", organisation="England and Wales", period="2023/24", measures=[
        Measure(id="burglary", name="Burglary", kind="count", polarity="lower", unit_of_count="crimes",
                source="police-uk-street", rule=CountingRule(count={"crime_type": ["Burglary"]})),
        Measure(id="charge_rate", name="Charge rate", kind="ratio", polarity="higher", unit_of_count="per crime",
                source="police-uk-street", rule=CountingRule(
                    numerator={"outcome": CHARGED},
                    denominator={"crime_type": [t for t in CRIME_TYPES if t != "Anti-social behaviour"]})),
    ])
    values = measure_values(plan, warehouse)
    done = time.perf_counter()
    import pyarrow.compute as pc

    force_rows = values.filter(pc.and_(pc.equal(values["unit"], "force"), pc.equal(values["measure"], "burglary")))
    return {"seconds": done - started, "load_seconds": loaded - started, "measure_seconds": done - loaded,
            "records": accepted, "burglaries": int(pc.sum(force_rows["numerator"]).as_py()),
            "value_rows": values.num_rows}


def run_pandas(data: Path, work: Path) -> dict:
    import pandas as pd

    started = time.perf_counter()
    frames = [pd.read_csv(path) for path in sorted(data.glob("*.csv"))]
    crimes = pd.concat(frames, ignore_index=True)
    counts = crimes.groupby(["Falls within", "Month", "Crime type", "Last outcome category"],
                            dropna=False).size()
    done = time.perf_counter()
    burglaries = int(counts.xs("Burglary", level="Crime type").sum())
    return {"seconds": done - started, "records": int(len(crimes)), "burglaries": burglaries}


def run_floor(data: Path, work: Path) -> dict:
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    rows = con.execute(
        "SELECT \"Falls within\", \"Month\", \"Crime type\", \"Last outcome category\", count(*) AS n "
        "FROM read_csv(?) GROUP BY ALL", [str(data / "*.csv")],
    ).fetchall()
    done = time.perf_counter()
    return {"seconds": done - started, "records": sum(r[4] for r in rows),
            "burglaries": sum(r[4] for r in rows if r[2] == "Burglary")}


CONTENDERS = {"policingplan": run_policingplan, "pandas": run_pandas, "floor": run_floor}


def _child(name: str, data: Path, work: Path) -> dict:
    result = CONTENDERS[name](data, work)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _run_child(name: str, data: Path, work: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", name, "--data", str(data), "--work", str(work)],
        capture_output=True, text=True, check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{name} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="Records in all (default 10 million).")
    parser.add_argument("--months", type=int, default=12, help="Months of files (default 12).")
    parser.add_argument("--repeat", type=int, default=2,
                        help="Rounds; each contender's fastest round counts, and its highest peak memory (default 2).")
    parser.add_argument("--child", choices=list(CONTENDERS), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.data, args.work)))
        return

    with tempfile.TemporaryDirectory(prefix="policingplan-bench-") as tmp:
        data = Path(tmp) / "street"
        data.mkdir()
        started = time.perf_counter()
        files = generate(data, args.rows, args.months)
        size = sum(f.stat().st_size for f in files)
        print(f"generated {args.rows:,} records in {len(files):,} files ({size / 1e9:.2f} GB) "
              f"in {time.perf_counter() - started:.0f} s", flush=True)
        results = {}
        for round_ in range(1, args.repeat + 1):
            for name in ("floor", "policingplan", "pandas"):
                work = Path(tmp) / f"{name}-{round_}"
                work.mkdir()
                result = _run_child(name, data, work)
                shutil.rmtree(work)
                print(f"round {round_} {name:>13}: {result['seconds']:7.1f} s, peak {result['peak_rss_mb']:,.0f} MB",
                      flush=True)
                best = results.get(name)
                if best is None or result["seconds"] < best["seconds"]:
                    result["peak_rss_mb"] = max(result["peak_rss_mb"], best["peak_rss_mb"] if best else 0)
                    results[name] = result
                else:
                    best["peak_rss_mb"] = max(best["peak_rss_mb"], result["peak_rss_mb"])

    ours, pandas, floor = results["policingplan"], results["pandas"], results["floor"]
    for name, result in results.items():
        if result["records"] != args.rows or result["burglaries"] != floor["burglaries"]:
            raise SystemExit(f"{name} counted {result['records']:,} records and {result['burglaries']:,} "
                             f"burglaries; the floor {floor['records']:,} and {floor['burglaries']:,}")
    faster_than_pandas = pandas["seconds"] / ours["seconds"]
    times_floor = ours["seconds"] / floor["seconds"]
    print(f"policingplan: load {ours['load_seconds']:.1f} s + measures {ours['measure_seconds']:.1f} s")
    print(f"faster than pandas: {faster_than_pandas:.1f}x (aim >= 5x)")
    print(f"times the floor:    {times_floor:.1f}x (aim <= 2x)")
    print(f"peak memory:        {ours['peak_rss_mb']:,.0f} MB (aim < 2,048 MB)")
    print("\n| records | files | policingplan (load + measures) | pandas | floor | vs pandas | vs floor | peak memory |")
    print(f"| {args.rows:,} | {len(files):,} | {ours['seconds']:.1f} s ({ours['load_seconds']:.1f} + "
          f"{ours['measure_seconds']:.1f}) | {pandas['seconds']:.1f} s | {floor['seconds']:.1f} s | "
          f"{faster_than_pandas:.1f}x faster | {times_floor:.1f}x | {ours['peak_rss_mb']:,.0f} MB |")


if __name__ == "__main__":
    main()
