"""The counting rules on DuckDB and on Spark, over the synthetic 10-million-record set.

Generates N police.uk street-level records (default 10 million, as
``load_benchmark.py`` does: one file per force per month, the 43 forces of England
and Wales), loads them into one warehouse, then computes four measures (burglary
and violence, counts; anti-social behaviour, a count of records with no crime ID;
the charge rate, a ratio) for every unit and month on each engine, each in its own
child process so that its time and peak memory are its own:

- **duckdb**: the default engine, in the process;
- **spark**: the same Ibis expressions on PySpark in local mode (``--master``,
  default ``local[*]``), from the same Parquet segments.  Its peak memory is the
  Python process's and the Spark driver's (a JVM) together.

Each child computes the measures ``--repeat`` times (default 3): the first run
(Spark's includes its queries' compilation, not its start), and the fastest.  The
two engines' tables must be equal, row for row and bit for bit, or the benchmark
fails.  Run from the project root::

    .venv/bin/python benchmarks/spark_measures.py [--rows 10000000] [--months 12]

It prints the figures and a Markdown row for docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from load_benchmark import CHARGED, CRIME_TYPES, generate  # noqa: E402


def _plan():
    from policingplan.plan.model import CountingRule, Measure, Plan

    crimes = [t for t in CRIME_TYPES if t != "Anti-social behaviour"]
    return Plan(id="bench", name="Benchmark", organisation="England and Wales", period="2023/24", measures=[
        Measure(id="burglary", name="Burglary", kind="count", polarity="lower", unit_of_count="crimes",
                source="police-uk-street", rule=CountingRule(count={"crime_type": ["Burglary"]})),
        Measure(id="violence", name="Violence", kind="count", polarity="lower", unit_of_count="crimes",
                source="police-uk-street",
                rule=CountingRule(count={"crime_type": ["Violence and sexual offences"]})),
        Measure(id="asb", name="Anti-social behaviour", kind="count", polarity="lower",
                unit_of_count="incidents", source="police-uk-street",
                rule=CountingRule(count={"crime_type": ["Anti-social behaviour"]})),
        Measure(id="charge_rate", name="Charge rate", kind="ratio", polarity="higher", unit_of_count="per crime",
                source="police-uk-street", rule=CountingRule(
                    numerator={"outcome": CHARGED}, denominator={"crime_type": crimes})),
    ])


def _peak_mb(pid: str = "self") -> float:
    """A process's peak resident memory (VmHWM: unlike ``ru_maxrss``, not inherited from the
    parent that started this child)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _jvm_peak_mb() -> float:
    """The Spark driver's peak resident memory (its VmHWM), read before it stops."""
    from pyspark import SparkContext

    popen = getattr(SparkContext._gateway, "proc", None) if SparkContext._gateway else None
    if popen is None:
        return 0.0
    children = Path(f"/proc/{popen.pid}/task/{popen.pid}/children")
    pids = [popen.pid] + ([int(p) for p in children.read_text().split()] if children.exists() else [])
    return max(_peak_mb(str(pid)) for pid in pids)  # spark-submit's shell may sit between Python and the JVM


def run_child(engine_name: str, warehouse_dir: Path, out: Path, repeat: int, master: str) -> dict:
    import pyarrow.parquet as pq

    from policingplan.data.engines import Engine, spark_session, stop_spark
    from policingplan.data.measures import measure_values
    from policingplan.data.warehouse import Warehouse

    plan, warehouse = _plan(), Warehouse(warehouse_dir)
    result = {"engine": engine_name}
    engine = Engine(engine_name)
    if engine_name == "spark":
        started = time.perf_counter()
        spark_session(master=master)
        result["start_seconds"] = time.perf_counter() - started
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        values = measure_values(plan, warehouse, engine=engine)
        times.append(time.perf_counter() - started)
    pq.write_table(values, out)
    result.update(first_seconds=times[0], best_seconds=min(times), value_rows=values.num_rows,
                  peak_mb=_peak_mb())
    if engine_name == "spark":
        result["jvm_peak_mb"] = _jvm_peak_mb()
        stop_spark()
    return result


def _run(engine: str, warehouse: Path, out: Path, repeat: int, master: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", engine, "--warehouse", str(warehouse), "--out", str(out),
         "--repeat", str(repeat), "--master", master],
        capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{engine} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="Records in all (default 10 million).")
    parser.add_argument("--months", type=int, default=12, help="Months of files (default 12).")
    parser.add_argument("--repeat", type=int, default=3, help="Runs of the measures per engine (default 3).")
    parser.add_argument("--master", default="local[*]", help="Spark's master URL (default local[*]).")
    parser.add_argument("--child", choices=["duckdb", "spark"], help=argparse.SUPPRESS)
    parser.add_argument("--warehouse", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(args.child, args.warehouse, args.out, args.repeat, args.master)))
        return

    import pyarrow.parquet as pq

    from policingplan.data.warehouse import Warehouse

    with tempfile.TemporaryDirectory(prefix="policingplan-spark-bench-") as tmp:
        data = Path(tmp) / "street"
        data.mkdir()
        started = time.perf_counter()
        files = generate(data, args.rows, args.months)
        print(f"generated {args.rows:,} records in {len(files):,} files in {time.perf_counter() - started:.0f} s",
              flush=True)
        warehouse = Warehouse(Path(tmp) / "warehouse")
        started = time.perf_counter()
        report = warehouse.load_files([("police-uk-street", path) for path in files])
        if not report.ok:
            raise SystemExit(f"the synthetic files did not load: {report.problems.errors[:3]}")
        stored = sum(s["rows"] for s in warehouse.status()["sources"])
        print(f"loaded into the warehouse in {time.perf_counter() - started:.1f} s: {stored:,} rows "
              "(records grouped by month, LSOA, crime type and outcome)", flush=True)
        for path in files:
            path.unlink()
        results = {}
        for engine in ("duckdb", "spark"):
            results[engine] = _run(engine, warehouse.directory, Path(tmp) / f"{engine}.parquet",
                                   args.repeat, args.master)
            r = results[engine]
            print(f"{engine:>6}: first {r['first_seconds']:.1f} s, best {r['best_seconds']:.1f} s"
                  + (f" (after {r['start_seconds']:.1f} s to start Spark)" if "start_seconds" in r else "")
                  + f", peak {r['peak_mb']:,.0f} MB"
                  + (f" + the JVM's {r['jvm_peak_mb']:,.0f} MB" if "jvm_peak_mb" in r else ""), flush=True)
        on_duckdb = pq.read_table(Path(tmp) / "duckdb.parquet")
        on_spark = pq.read_table(Path(tmp) / "spark.parquet")
    if not on_spark.equals(on_duckdb):
        raise SystemExit("the engines disagree: the Spark table is not the DuckDB table")
    duck, spark = results["duckdb"], results["spark"]
    print(f"the engines agree exactly: {on_duckdb.num_rows:,} measure values")
    print("\n| records | warehouse rows | values | DuckDB (first / best) | Spark start | Spark (first / best) "
          "| Spark ÷ DuckDB (best) | peak memory (DuckDB / Spark: Python + JVM) |")
    print(f"| {args.rows:,} | {stored:,} | {on_duckdb.num_rows:,} | {duck['first_seconds']:.1f} s / "
          f"{duck['best_seconds']:.1f} s | {spark['start_seconds']:.1f} s | {spark['first_seconds']:.1f} s / "
          f"{spark['best_seconds']:.1f} s | {spark['best_seconds'] / duck['best_seconds']:.1f}× | "
          f"{duck['peak_mb']:,.0f} MB / {spark['peak_mb']:,.0f} + {spark['jvm_peak_mb']:,.0f} MB |")


if __name__ == "__main__":
    main()
