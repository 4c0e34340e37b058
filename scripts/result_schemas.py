"""Write the JSON Schema of every service result into docs/schema/.

    .venv/bin/python scripts/result_schemas.py          # write docs/schema/*.schema.json and README.md
    .venv/bin/python scripts/result_schemas.py --check  # exit 1 when any file there is stale

The schemas come from the result models that each module of
policingplan.services lists in RESULTS (see policingplan.services.schemas).
A schema file whose model is gone is removed.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = ROOT / "docs" / "schema"
sys.path.insert(0, str(ROOT / "src"))

from policingplan.services.schemas import schema_files  # noqa: E402


def stale(files: dict[str, str], folder: Path | None = None) -> list[str]:
    """What differs between ``folder`` (docs/schema/) and ``files``: each missing, changed or left-over file."""
    folder = SCHEMA_DIR if folder is None else folder
    problems = []
    for name, text in files.items():
        path = folder / name
        if not path.exists():
            problems.append(f"docs/schema/{name} is missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"docs/schema/{name} is stale")
    present = {p.name for p in folder.glob("*.schema.json")}
    problems += [f"docs/schema/{name} belongs to no result model" for name in sorted(present - set(files))]
    return problems


def main(argv: list[str]) -> int:
    files = schema_files()
    if "--check" in argv:
        problems = stale(files)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("Run: .venv/bin/python scripts/result_schemas.py", file=sys.stderr)
        return 1 if problems else 0
    SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
    for path in SCHEMA_DIR.glob("*.schema.json"):
        if path.name not in files:
            path.unlink()
    for name, text in files.items():
        path = SCHEMA_DIR / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8", newline="\n")
    print(f"docs/schema/: {len(files) - 1} schemas and README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
