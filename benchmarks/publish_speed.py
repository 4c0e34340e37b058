"""How long does publishing the whole London 2007/08 example take?

Times :func:`policingplan.services.publish.publish` (the plan's HTML and PDF, the
report of changes, the committee report as PDF and Word, 32 letters and the
spreadsheet), in a fresh process each time so that the first run's imports
count, against a baseline in the same run: the same content gathered from the
services and rendered as the plan's HTML only (no Typst, no charts, no Word,
no spreadsheet).  The difference is what the typesetting costs.

Run from the project root:

    .venv/bin/python benchmarks/publish_speed.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile

RUNS = 3
PLAN = "examples/london-2007-08"

WHOLE = f"""
import time, tempfile, pathlib
t = time.perf_counter()
from policingplan.services.publish import publish
result = publish({PLAN!r}, pathlib.Path(tempfile.mkdtemp()) / "out")
print(time.perf_counter() - t, len(result.files))
"""

HTML_ONLY = f"""
import time
t = time.perf_counter()
from policingplan.services.publish import gather
from policingplan.publish import content, html
publication = gather({PLAN!r})
page = html.plan_html(content.plan_content(publication, {{}}))
print(time.perf_counter() - t, 1)
"""


def _time(code: str) -> tuple[float, int]:
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1])


def main() -> None:
    whole = [_time(WHOLE) for _ in range(RUNS)]
    baseline = [_time(HTML_ONLY) for _ in range(RUNS)]
    w = statistics.median(t for t, _ in whole)
    b = statistics.median(t for t, _ in baseline)
    print(f"publish, whole London example ({whole[0][1]} files): median {w:.2f} s of {RUNS} runs "
          f"(each in a fresh process)")
    print(f"baseline, the same content as the plan's HTML only: median {b:.2f} s")
    print(f"typesetting, charts, Word and the spreadsheet add {w - b:.2f} s; target: under 10 s "
          f"({'met' if w < 10 else 'NOT met'})")


if __name__ == "__main__":
    main()
