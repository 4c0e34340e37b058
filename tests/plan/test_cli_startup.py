"""The plan, targets and monitor commands import their heavy modules inside the command, not at start-up.

``policingplan --help`` and ``validate`` load every command module; a module-level
import of the warehouse (DuckDB, ibis, polars) or of the statistics (numpy, scipy)
would make every command pay for it.
"""

from __future__ import annotations

import ast

import pytest

from pathlib import Path

#: Every module of the command line: --help imports them all.
COMMAND_MODULES = tuple(sorted(p.name for p in (Path(__file__).resolve().parents[2] / "src" / "policingplan" / "cli").glob("*.py")))
#: Modules that import nothing heavy: the kinds' names, file access, and the plan service (checked in a
#: fresh process by the --help test below).
LIGHT = ("policingplan.data.kinds", "policingplan.data.files", "policingplan.services.plan")
HEAVY = ("numpy", "scipy", "polars", "pyarrow", "duckdb", "ibis", "pandas", "statsmodels",
         "policingplan.services", "policingplan.data", "policingplan.targets", "policingplan.monitor", "policingplan.stats.forecast",
         "policingplan.stats.spc", "policingplan.stats.rates", "policingplan.stats.peers")


def module_level_imports(source: str) -> list[tuple[int, str]]:
    """The modules imported when the module is imported (``if TYPE_CHECKING:`` blocks left out)."""
    found = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            continue
        for inner in ast.walk(node):
            if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)):
                break
            if isinstance(inner, ast.Import):
                found += [(inner.lineno, alias.name) for alias in inner.names]
            elif isinstance(inner, ast.ImportFrom) and inner.level == 0:
                found.append((inner.lineno, inner.module or ""))
    return found


def heavy(name: str) -> bool:
    return name not in LIGHT and any(name == h or name.startswith(h + ".") for h in HEAVY)


@pytest.mark.parametrize("module", COMMAND_MODULES)
def test_command_modules_import_no_heavy_module_at_start_up(project_root, module):
    source = (project_root / "src" / "policingplan" / "cli" / module).read_text(encoding="utf-8")
    offending = [f"line {line}: {name}" for line, name in module_level_imports(source) if heavy(name)]
    assert offending == []


def test_the_scan_sees_a_module_level_import_and_skips_type_checking_and_functions():
    source = (
        "from typing import TYPE_CHECKING\n"
        "import scipy\n"
        "if TYPE_CHECKING:\n    from policingplan.targets.allocation import Allocation\n"
        "def command():\n    import duckdb\n"
    )
    assert [name for _, name in module_level_imports(source) if heavy(name)] == ["scipy"]


def test_help_loads_none_of_the_heavy_libraries():
    """``policingplan --help`` (every command module imported) loads no data or statistics library."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from typer.testing import CliRunner\n"
            "from policingplan.cli import app\n"
            "assert CliRunner().invoke(app, ['--help']).exit_code == 0\n"
            "print(' '.join(m for m in ('duckdb', 'ibis', 'polars', 'pyarrow', 'numpy', 'scipy', 'pandas')"
            " if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""

