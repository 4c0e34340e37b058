"""Speed of the ``police-uk-street`` reader against a baseline, in one process.

Generates N synthetic street-level records (default 2 million) in per-force
monthly files with the generator of ``benchmarks/load_benchmark.py``, then
times ``read_source("police-uk-street", path)`` over every file, for the
current reader and for a baseline reader in the same run: the reader as it
was at a git commit (default ``477510a``, before every column was checked),
its source taken with ``git show`` and loaded as a module of its own.  The
two take turns; each one's fastest of ``--repeat`` rounds (default 3) counts.
Both must accept every file and count the same records.

Run from the project root::

    .venv/bin/python benchmarks/street_reader_speed.py [--rows 2000000] [--months 12] [--baseline 477510a]

``--data DIR`` keeps the generated files for another run; ``--also FILE.py`` times one more
version of the reader (a copy of its source) in the same rounds.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from load_benchmark import generate  # noqa: E402

from policingplan.data.readers import read_source  # noqa: E402
from policingplan.data.readers import registry  # noqa: E402

KIND = "police-uk-street"
READER = "src/policingplan/data/readers/police_uk_street.py"


def load_baseline(commit: str) -> str:
    """The reader's source at ``commit`` as a module inside the readers package; its name
    in :data:`registry.READER_MODULES` terms."""
    source = subprocess.run(["git", "show", f"{commit}:{READER}"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout
    return load_source(source, f"_baseline_police_uk_street_{commit}", f"{commit}:{READER}")


def load_source(source: str, name: str, origin: str) -> str:
    """A reader's source as a module inside the readers package (its imports resolve there)."""
    full = f"policingplan.data.readers.{name}"
    spec = importlib.util.spec_from_loader(full, loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__file__ = f"<{origin}>"
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    sys.modules[full] = module
    return name


def read_all(files: list[Path]) -> tuple[float, int, int]:
    """Seconds to read every file, the records accepted and the files refused."""
    gc.collect()
    started = time.perf_counter()
    accepted = refused = 0
    for path in files:
        result = read_source(KIND, path)
        accepted += result.rows_accepted
        refused += not result.problems.ok
    return time.perf_counter() - started, accepted, refused


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000, help="Records in all (default 2 million).")
    parser.add_argument("--months", type=int, default=12, help="Months of files (default 12).")
    parser.add_argument("--repeat", type=int, default=3, help="Rounds for each reader (default 3).")
    parser.add_argument("--baseline", default="477510a", help="The commit whose reader is the baseline.")
    parser.add_argument("--data", type=Path, help="Reuse (or create) the synthetic files in this folder.")
    parser.add_argument("--also", type=Path, action="append", default=[],
                        help="Another version of the reader (a .py file) to time in the same rounds.")
    args = parser.parse_args()

    readers = {"current": registry.READER_MODULES[KIND], f"at {args.baseline}": load_baseline(args.baseline)}
    for i, path in enumerate(args.also):
        readers[path.name] = load_source(path.read_text(), f"_other_police_uk_street_{i}", str(path))
    with tempfile.TemporaryDirectory(prefix="street-speed-") as tmp:
        data = args.data or Path(tmp)
        data.mkdir(parents=True, exist_ok=True)
        files = sorted(data.glob("*-street.csv"))
        if not files:
            started = time.perf_counter()
            files = sorted(generate(data, args.rows, args.months))
            print(f"generated {args.rows:,} records in {len(files):,} files in "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
        print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs before timing", flush=True)
        best: dict[str, float] = {}
        records: dict[str, int] = {}
        try:
            for round_ in range(1, args.repeat + 1):
                for label, module in readers.items():
                    registry.READER_MODULES[KIND] = module
                    seconds, accepted, refused = read_all(files)
                    if refused:
                        raise SystemExit(f"{label}: {refused} file(s) refused")
                    records.setdefault(label, accepted)
                    best[label] = min(best.get(label, seconds), seconds)
                    print(f"round {round_} {label:>24}: {seconds:6.2f} s ({accepted:,} records)", flush=True)
        finally:
            registry.READER_MODULES[KIND] = readers["current"]
        print(f"load average {os.getloadavg()[0]:.2f} after timing")
    if len(set(records.values())) != 1:
        raise SystemExit(f"the readers accepted different numbers of records: {records}")
    current, baseline = best["current"], best[f"at {args.baseline}"]
    print(f"best of {args.repeat}: current {current:.2f} s, at {args.baseline} {baseline:.2f} s, "
          f"ratio {current / baseline:.2f}x ({len(files):,} files, {records['current']:,} records)")
    for path in args.also:
        print(f"best of {args.repeat}: {path.name} {best[path.name]:.2f} s, "
              f"ratio {best[path.name] / baseline:.2f}x to {args.baseline}")


if __name__ == "__main__":
    main()
