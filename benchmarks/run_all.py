"""Run every benchmark in turn and print its figures (``make bench``).

Each benchmark times a baseline in the same run; see docs/performance.md for
what each measures and the figures recorded.  The load benchmark runs at
1 million records here to keep ``make bench`` to a few minutes; run
``benchmarks/load_benchmark.py`` alone for the 10-million figure.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

BENCHMARKS = [
    ["spc_speed.py"],
    ["forecast_speed.py"],
    ["stats_speed.py"],
    ["allocation_speed.py"],
    ["forecast_backtest.py"],
    ["monitor_backtest.py"],
    ["load_benchmark.py", "--rows", "1000000"],
    ["spark_measures.py", "--rows", "1000000"],
]


def main() -> int:
    failures = []
    for command in BENCHMARKS:
        print(f"\n=== {' '.join(command)}\n", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(HERE / command[0]), *command[1:]])
        print(f"\n({command[0]} took {time.perf_counter() - started:,.1f} s)", flush=True)
        if result.returncode != 0:
            failures.append(command[0])
    if failures:
        print(f"\nFailed: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
