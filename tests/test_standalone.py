"""A user's clone has nothing beside it: no file of the project reads or cites the
folder that the project's developers keep outside it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = "../" + "shared"  # written in two parts so that this file does not name it
CHECKED = ("src", "tests", "scripts", "examples", "benchmarks", "docs", ".ci", "data")
TOP_FILES = ("Makefile", "README.md", "pyproject.toml")


def _text_files():
    for name in TOP_FILES:
        yield ROOT / name
    for folder in CHECKED:
        for path in sorted((ROOT / folder).rglob("*")):
            if (path.is_file() and path.suffix not in (".gz", ".pyc", ".png", ".pdf", ".xlsx")
                    and "egg-info" not in path.as_posix()):
                yield path


def test_no_file_of_the_project_names_the_folder_outside_it():
    offenders = []
    for path in _text_files():
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not offenders, "\n".join(offenders)
