"""The core (plan, stats, targets, and monitor's core and roll-up) imports no framework and reads no files.

plan/io.py is the plan's edge; monitor/warehouse.py is the monitor's.  The core
does not reach back to the edges either: no import of the data layer, the
settings or the command line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = ("plan", "stats", "targets", "monitor")
CORE_FILES = ("periods.py", "formatting.py", "problems.py", "attribution.py")
EDGE = {"plan/io.py", "monitor/warehouse.py"}
FORBIDDEN_MODULES = {"django", "duckdb", "ibis", "polars", "pathlib", "os.path", "shutil", "tempfile",
                     "policingplan.data", "policingplan.settings", "policingplan.cli"}
FORBIDDEN_CALLS = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "Path", "listdir", "scandir", "walk"}


def offences(source: str, filename: str) -> list[str]:
    """Each forbidden import or file-reading call in ``source``, as 'line: what'."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name in FORBIDDEN_CALLS:
                found.append(f"{node.lineno}: calls {name}()")
            continue
        else:
            continue
        for name in names:
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN_MODULES):
                found.append(f"{node.lineno}: imports {name}")
    return found


def core_files(src: Path) -> list[Path]:
    files = [src / name for name in CORE_FILES]
    for package in CORE:
        for path in sorted((src / package).rglob("*.py")):
            if path.relative_to(src).as_posix() not in EDGE:
                files.append(path)
    return files


def test_the_core_imports_no_framework_and_reads_no_files(project_root):
    src = project_root / "src" / "policingplan"
    files = core_files(src)
    assert any(p.name == "validate.py" for p in files) and any(p.name == "periods.py" for p in files)
    assert any(p.name == "rollup.py" for p in files) and not any(p.name == "warehouse.py" for p in files)
    problems = {
        path.relative_to(src).as_posix(): found
        for path in files
        if (found := offences(path.read_text(encoding="utf-8"), str(path)))
    }
    assert problems == {}


@pytest.mark.parametrize(
    "source",
    [
        "import duckdb\n",
        "from polars import col\n",
        "import ibis.expr.types as t\n",
        "from django.db import models\n",
        "from pathlib import Path\n",
        "from os.path import join\n",
        "data = open('plan.yaml').read()\n",
        "text = folder.read_text()\n",
        "from policingplan.data.warehouse import Warehouse\n",
        "from policingplan import settings\n",
    ],
)
def test_the_scan_catches_each_kind_of_offence(source):
    assert offences(source, "example.py")


def test_the_scan_lets_pure_code_through():
    assert offences("import json\nfrom policingplan.periods import FinancialYear\nx = json.dumps({})\n", "ok.py") == []
