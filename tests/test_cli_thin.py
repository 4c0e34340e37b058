"""The command line is thin glue: parse the options, call one service, print.

Every module of src/policingplan/cli is under 250 lines, parses no input file
(no ``open()``, no CSV reader), and reaches the data only through the
services: none of the data libraries, and of policingplan only the services,
the plan model, the shared modules, the settings, the names of the source
kinds and the command line's own modules (docs/architecture.md, "Command
line").  Imports at any level count: inside a function, under
``if TYPE_CHECKING:``, and relative ones resolved.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CLI = Path(__file__).resolve().parents[1] / "src" / "policingplan" / "cli"
MAX_LINES = 250
#: Libraries the command line never imports: the data is reached through the services.
NEVER = ("duckdb", "ibis", "polars", "pyarrow", "pandas", "numpy", "scipy", "statsmodels",
         "policingplan.data.readers", "policingplan.data.warehouse", "policingplan.data.measures",
         "policingplan.data.rules", "policingplan.data.drift")
#: All that the command line may import of policingplan (a name ending in ".*" takes in its package).
ALLOWED = ("policingplan", "policingplan.services.*", "policingplan.plan.model", "policingplan.results",
           "policingplan.problems", "policingplan.formatting", "policingplan.attribution", "policingplan.periods",
           "policingplan.settings", "policingplan.data.kinds", "policingplan.cli.*")
#: Calls that parse an input file: the command hands the file, or its text, to a service.
PARSING_CALLS = {("open",), ("csv", "reader"), ("csv", "DictReader"), ("csv", "Sniffer")}
SRC = CLI.parent
#: Every module of the project, so that ``from policingplan import settings`` is seen as policingplan.settings.
KNOWN = frozenset(".".join(("policingplan",) + p.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
                  for p in SRC.rglob("*.py"))


def _imports(source: str, package: str) -> list[tuple[int, str]]:
    """Every module imported anywhere in ``source``; ``package`` resolves relative imports."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                full = f"{module}.{alias.name}"
                found.append((node.lineno, full if full in KNOWN else module))
    return sorted(set(found))


def _parsing_calls(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name):
            name = (func.id,)
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            name = (func.value.id, func.attr)
        else:
            continue
        if name in PARSING_CALLS:
            found.append((node.lineno, ".".join(name)))
    return found


def _matches(name: str, pattern: str) -> bool:
    """``name`` is ``pattern``, or under it when the pattern ends in ``.*`` or names a library."""
    if pattern.endswith(".*"):
        return name == pattern[:-2] or name.startswith(pattern[:-1])
    return name == pattern or (pattern in NEVER and name.startswith(pattern + "."))


def offences(source: str, package: str = "policingplan.cli") -> list[str]:
    """What in ``source`` (a module of ``package``) makes the command line more than glue."""
    found = []
    for line, name in _imports(source, package):
        if any(_matches(name, bad) for bad in NEVER):
            found.append(f"line {line}: imports {name} (the data is reached through policingplan.services)")
        elif name.split(".")[0] == "policingplan" and not any(_matches(name, ok) for ok in ALLOWED):
            found.append(f"line {line}: imports {name} (call a service in policingplan.services instead)")
    for line, name in _parsing_calls(source):
        found.append(f"line {line}: calls {name}() (a service parses input files)")
    return sorted(found, key=lambda s: int(s.split()[1].rstrip(":")))


def _modules() -> list[Path]:
    return sorted(CLI.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(CLI).as_posix())
def test_every_command_line_module_is_under_250_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines < MAX_LINES, (f"{path.relative_to(CLI.parent).as_posix()} has {lines} lines; a command line "
                               f"module is under {MAX_LINES} (move logic to a service, printers to a module of their own)")


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(CLI).as_posix())
def test_every_command_line_module_reaches_the_data_only_through_the_services(path):
    package = "policingplan.cli" if path.name == "__init__.py" or path.parent == CLI else \
        "policingplan." + ".".join(path.parent.relative_to(CLI.parent).parts)
    found = offences(path.read_text(encoding="utf-8"), package)
    if found:
        pytest.fail(f"{path.relative_to(CLI.parent).as_posix()}:\n  " + "\n  ".join(found), pytrace=False)


@pytest.mark.parametrize(
    "source",
    [
        "import duckdb\n",
        "def command():\n    import polars as pl\n",
        "def command():\n    import pyarrow as pa\n",
        "import numpy as np\n",
        "from scipy import stats\n",
        "from statsmodels.tsa import api\n",
        "def command():\n    from policingplan.data.readers import read_source\n",
        "from policingplan.data.readers.totals import file_totals\n",
        "from policingplan.data.warehouse import Warehouse\n",
        "from policingplan.data.measures import measure_values\n",
        "from policingplan.data.rules import compile_rule\n",
        "from policingplan.data.drift import warehouse_drift\n",
        "from policingplan.data import warehouse\n",
        "from policingplan.data.files import plan_data_files\n",
        "from policingplan.plan.io import read_plan\n",
        "from policingplan.plan.source import parse_csv\n",
        "from policingplan.targets.allocation import allocate_unit_targets\n",
        "from policingplan.stats.spc import spc\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from policingplan.monitor.core import TargetPosition\n",
        "from ..data.warehouse import Warehouse\n",
        "text = open(path).read()\n",
        "import csv\nrows = list(csv.reader(text.splitlines()))\n",
        "import csv\nrows = csv.DictReader(handle)\n",
    ],
)
def test_the_scan_catches_each_kind_of_offence(source):
    assert offences(source), source


def test_the_scan_lets_glue_through():
    source = (
        "import csv\nimport io\nimport json\nfrom pathlib import Path\nimport typer\n"
        "from policingplan import settings, __version__\n"
        "from policingplan.cli.common import fail, print_json\nfrom .values import parse_fraction\n"
        "from policingplan.data.kinds import SOURCE_KINDS\nfrom policingplan.plan.model import FORCE, Plan\n"
        "from policingplan.formatting import fmt_int\nfrom policingplan.periods import Month\n"
        "from policingplan.problems import UserError\nfrom policingplan.results import Notice\n"
        "from policingplan.attribution import attribution_line\n"
        "def command(path: Path):\n"
        "    from policingplan.services import targets\n"
        "    from policingplan.services.monitor import monitor_plan\n"
        "    result = targets.allocate_from_text(path.read_text(encoding='utf-8'), label=str(path))\n"
        "    buffer = io.StringIO()\n    csv.writer(buffer).writerows(result.rows)\n"
    )
    assert offences(source) == []
