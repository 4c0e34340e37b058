"""A data load run in a child process, for tests/faults/test_load_killed.py to kill with SIGKILL.

    python _load_child.py WAREHOUSE CLOCK KIND=PATH [KIND=PATH ...]

It imports everything first (the readers of the kinds it loads too, which a load would
otherwise import as it starts) and prints ``ready``; it then waits for a line on standard input
(the parent's "go"), so that the parent's clock starts when the load does, not while Python
imports.  It loads the files in one load (``Warehouse.load_files``) and prints
``done <seconds the load took> <ok>``.  ``CLOCK`` is the time every load is recorded at (the
catalogue's ``loaded_at``), so that two runs of the same load give the same catalogue.
"""

from __future__ import annotations

import sys
import time


def main(argv: list[str]) -> int:
    directory, clock, *pairs = argv
    from policingplan.data import warehouse as warehouse_module
    from policingplan.data.readers.registry import reader_for

    warehouse_module._utc_now = lambda: clock
    sources = [tuple(pair.split("=", 1)) for pair in pairs]
    for kind in {kind for kind, _ in sources}:
        reader_for(kind)
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.perf_counter()
    report = warehouse_module.Warehouse(directory).load_files(sources)
    print(f"done {time.perf_counter() - started:.4f} {report.ok}", flush=True)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
