"""Refresh the sizes and checksums in data/SOURCES.csv from the files in data/.

    .venv/bin/python scripts/data_sources.py          # rewrite the sizes and checksums
    .venv/bin/python scripts/data_sources.py --check  # exit 1 when any differs

The descriptive columns (publisher, page, licence, attribution, dates) are
written by hand; this script fills in only ``bytes``, ``sha256``,
``content_bytes`` and ``content_sha256``, and refuses a file in data/ that the
table does not list, or a listed file that is missing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SOURCES = DATA / "SOURCES.csv"
sys.path.insert(0, str(ROOT / "src"))

from policingplan.data.files import read_bytes  # noqa: E402

COMPUTED = ("bytes", "sha256", "content_bytes", "content_sha256")


def measured(path: Path) -> dict[str, str]:
    raw, content = path.read_bytes(), read_bytes(path)
    return {"bytes": str(len(raw)), "sha256": hashlib.sha256(raw).hexdigest(),
            "content_bytes": str(len(content)), "content_sha256": hashlib.sha256(content).hexdigest()}


def main(argv: list[str]) -> int:
    check = "--check" in argv
    with open(SOURCES, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = list(reader.fieldnames or []), list(reader)
    listed = {row["file"] for row in rows}
    present = {p.relative_to(DATA).as_posix() for p in DATA.rglob("*.gz")}
    problems = [f"data/{name} is not listed in data/SOURCES.csv" for name in sorted(present - listed)]
    problems += [f"data/SOURCES.csv lists data/{name}, which is missing" for name in sorted(listed - present)]
    for row in rows:
        if row["file"] not in present:
            continue
        for key, value in measured(DATA / row["file"]).items():
            if row[key] != value:
                problems.append(f"data/{row['file']}: {key} is {value}, SOURCES.csv says {row[key] or '(blank)'}")
                row[key] = value
    if check:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    SOURCES.write_text(out.getvalue(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
