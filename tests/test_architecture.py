"""The code keeps to the parts and imports that docs/architecture.md lists.

The rules are the two tables under "The parts and their imports" in
docs/architecture.md: this test reads them from the page (so the page and the
test cannot disagree), parses every module under src/policingplan with ``ast``
(imports at any level: inside functions, under ``if TYPE_CHECKING:``, and
relative imports resolved), puts each module in its part, and fails naming the
module, the line and the import (or call) that the tables forbid.  A module
that belongs to no part fails too: a new package needs its row first.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
SRC = ROOT / "src" / "policingplan"
HEADING = "## The parts and their imports"
PARTS_HEADER = ["Part", "Modules", "May import", "Never imports"]
GROUPS_HEADER = ["Group", "Stands for"]
#: The parts the project plans for, which must have their rows before their first line is written.
REQUIRED_PARTS = {"shared", "settings", "plan", "plan folder", "stats", "targets", "monitor", "portfolio",
                  "data names", "data", "services", "cli", "web", "publish"}


# --- The rules, read from the page ----------------------------------------------------------

@dataclass
class Part:
    name: str
    patterns: list[str]  # "policingplan.plan.*" (the package and all under it) or "policingplan.periods"
    allowed: set[str]  # the parts it may import (its own always)
    never_parts: set[str] = field(default_factory=set)
    never_modules: set[str] = field(default_factory=set)  # libraries, matched with their submodules
    never_calls: set[str] = field(default_factory=set)  # "open", "read_text", ...


@dataclass
class Rules:
    parts: dict[str, Part]

    def part_of(self, module: str) -> Part | None:
        """The part a module belongs to: the most particular row that names it."""
        best, best_rank = None, -1
        for part in self.parts.values():
            for pattern in part.patterns:
                if pattern.endswith(".*"):
                    package = pattern[:-2]
                    rank = len(package) if module == package or module.startswith(package + ".") else -1
                else:
                    rank = len(pattern) + 1 if module == pattern else -1  # a named module beats a package
                if rank > best_rank:
                    best, best_rank = part, rank
        return best


def _table(lines: list[str], header: list[str]) -> list[list[str]]:
    """The rows of the first Markdown table in ``lines`` whose header is ``header``."""
    for i, line in enumerate(lines):
        if line.startswith("|") and _cells(line) == header:
            rows = []
            for row in lines[i + 2:]:
                if not row.startswith("|"):
                    break
                cells = _cells(row)
                assert len(cells) == len(header), f"docs/architecture.md: a row with {len(cells)} cells: {row}"
                rows.append(cells)
            return rows
    raise AssertionError(f"docs/architecture.md: no table headed {' | '.join(header)} under {HEADING!r}")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _items(cell: str) -> list[str]:
    return [] if cell in ("", "—", "-") else [item.strip() for item in cell.split(",") if item.strip()]


def read_rules(text: str) -> Rules:
    """The parts table and the groups table under the heading, as rules."""
    assert HEADING in text, f"docs/architecture.md has no section {HEADING!r}"
    section = text.split(HEADING, 1)[1].split("\n## ", 1)[0].splitlines()
    groups = {name: _items(stands_for) for name, stands_for in _table(section, GROUPS_HEADER)}
    rows = _table(section, PARTS_HEADER)
    names = [name.strip("*") for name, *_ in rows]
    assert len(names) == len(set(names)), f"docs/architecture.md: a part is listed twice: {names}"
    parts: dict[str, Part] = {}
    for (name, modules, allowed, never) in rows:
        name = name.strip("*")
        patterns = re.findall(r"`([^`]+)`", modules)
        assert patterns, f"docs/architecture.md: the part {name!r} names no module"
        unknown = [p for p in _items(allowed) if p not in names]
        assert not unknown, f"docs/architecture.md: the part {name!r} may import {unknown}, which are not parts"
        part = Part(name, patterns, set(_items(allowed)))
        for item in _items(never):
            for token in groups.get(item, [item]):
                if token.startswith("`") and token.endswith("()`"):
                    part.never_calls.add(token[1:-3])
                elif token.startswith("`") and token.endswith("`"):
                    part.never_modules.add(token[1:-1])
                elif token in names:
                    part.never_parts.add(token)
                else:
                    raise AssertionError(f"docs/architecture.md: the part {name!r} never imports {token!r}, "
                                         "which is neither a part, a group, a `library` nor a `call()`")
        both = part.allowed & part.never_parts
        assert not both, f"docs/architecture.md: the part {name!r} both may and never imports {sorted(both)}"
        parts[name] = part
    claimed: dict[str, str] = {}
    for part in parts.values():
        for pattern in part.patterns:
            assert pattern not in claimed, f"docs/architecture.md: {pattern} is in both {claimed[pattern]!r} and {part.name!r}"
            claimed[pattern] = part.name
    return Rules(parts)


RULES = read_rules(DOC.read_text(encoding="utf-8"))


# --- The scan ---------------------------------------------------------------------------------

def module_name(path: Path, src: Path = SRC) -> str:
    """The dotted name of the module at ``path`` (``src`` is the policingplan package folder)."""
    parts = ("policingplan",) + path.relative_to(src).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(source: str, module: str, is_package: bool, known: set[str]) -> list[tuple[int, str]]:
    """Every module imported anywhere in ``source``, with its line.

    ``from a import b`` imports ``a.b`` when that is a module of the project
    (``from policingplan import settings``) and ``a`` otherwise; for a library
    both ``a`` and ``a.b`` are given, so that ``from os import path`` is seen as
    ``os.path``.  Relative imports are resolved against ``module``.
    """
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                full = f"{target}.{alias.name}"
                if full in known:
                    found.append((node.lineno, full))
                elif target.split(".")[0] == "policingplan":
                    found.append((node.lineno, target))
                else:
                    found += [(node.lineno, target), (node.lineno, full)]
    return sorted(set(found))


def calls(source: str) -> list[tuple[int, str]]:
    """Every call by name, ``open(...)`` and ``path.read_text(...)`` alike."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            if name:
                found.append((node.lineno, name))
    return found


def _under(name: str, prefixes: set[str]) -> str | None:
    return next((p for p in sorted(prefixes) if name == p or name.startswith(p + ".")), None)


def offences(source: str, module: str, rules: Rules = RULES, *, is_package: bool = False,
             known: set[str] | None = None) -> list[str]:
    """Each import or call in ``source`` (the module ``module``) that the rules forbid, as 'line N: what'.

    ``known`` is every module of the project (by default, those under src/policingplan)."""
    known = KNOWN if known is None else known
    part = rules.part_of(module)
    if part is None:
        return [f"belongs to no part of the table in docs/architecture.md: add it to a row, or add a row"]
    found, seen = [], set()
    for line, name in imports(source, module, is_package, known):
        if (library := _under(name, part.never_modules)) is not None:
            if (line, library) not in seen:  # ``from glob import glob`` once, not as glob and glob.glob
                seen.add((line, library))
                what = name if library == name else f"{name} ({library})"
                found.append(f"line {line}: imports {what}, which {part.name} never imports")
        elif name == "policingplan" or name.startswith("policingplan."):
            target = rules.part_of(name)
            if target is None:
                found.append(f"line {line}: imports {name}, which belongs to no part")
            elif target is not part and (target.name not in part.allowed or target.name in part.never_parts):
                found.append(f"line {line}: imports {name} ({target.name}), which {part.name} may not import")
    for line, name in calls(source):
        if name in part.never_calls:
            found.append(f"line {line}: calls {name}(), which {part.name} never calls")
    return sorted(set(found), key=lambda s: (int(s.split()[1].rstrip(":")) if s.startswith("line ") else 0, s))


KNOWN = frozenset(module_name(p) for p in SRC.rglob("*.py"))


def scan(src: Path = SRC, rules: Rules = RULES) -> dict[str, list[str]]:
    """Each module under ``src`` that breaks a rule, with what it does."""
    paths = sorted(src.rglob("*.py"))
    known = {module_name(p, src) for p in paths}
    problems = {}
    for path in paths:
        module = module_name(path, src)
        found = offences(path.read_text(encoding="utf-8"), module, rules,
                         is_package=path.name == "__init__.py", known=known)
        if found:
            problems[f"{module} ({path.relative_to(src.parent).as_posix()})"] = found
    return problems


# --- The code keeps to the rules --------------------------------------------------------------

def test_every_module_keeps_to_the_parts_and_imports_in_docs_architecture():
    problems = scan()
    if problems:
        pytest.fail("Imports that docs/architecture.md (The parts and their imports) forbids:\n"
                    + "\n".join(f"  {module}: {offence}" for module, found in problems.items() for offence in found),
                    pytrace=False)


def test_the_table_names_every_part_including_those_to_come():
    assert REQUIRED_PARTS <= set(RULES.parts), sorted(REQUIRED_PARTS - set(RULES.parts))
    assert RULES.part_of("policingplan.web.views").name == "web"
    assert RULES.part_of("policingplan.publish.plan_document").name == "publish"
    assert RULES.part_of("policingplan.portfolio.benefits").name == "portfolio"


def test_the_table_puts_modules_in_their_parts():
    part = lambda module: RULES.part_of(module).name  # noqa: E731
    assert part("policingplan") == "shared"
    assert part("policingplan.periods") == "shared"
    assert part("policingplan.plan.io") == "plan folder"
    assert part("policingplan.plan") == "plan" and part("policingplan.plan.target_meaning") == "plan"
    assert part("policingplan.data.kinds") == "data names" and part("policingplan.data.readers.base") == "data"
    assert part("policingplan.services.targets") == "services"
    assert RULES.part_of("policingplan.elsewhere") is None


def test_the_core_is_pure_and_the_faces_reach_the_data_only_through_the_services():
    """What the issue asks of the table, read back from it."""
    heavy = {"duckdb", "ibis", "polars", "pyarrow", "numpy", "scipy"}
    for core in ("shared", "plan", "stats", "targets", "monitor", "portfolio"):
        p = RULES.parts[core]
        assert {"django", "duckdb", "ibis", "polars", "pyarrow", "pathlib", "os.path"} <= p.never_modules, core
        assert "open" in p.never_calls, core
        assert not p.allowed & {"data", "settings", "services", "cli", "web", "publish", "plan folder"}, core
    assert not RULES.parts["data"].allowed & {"services", "cli", "web", "publish"}
    assert not RULES.parts["services"].allowed & {"cli", "web", "publish"}
    for face in ("cli", "web", "publish"):
        p = RULES.parts[face]
        assert "services" in p.allowed and "data" not in p.allowed and heavy <= p.never_modules, face
    assert [name for name, p in RULES.parts.items() if "cli" in p.allowed] == ["main"]


# --- The scan itself --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("policingplan.stats.spc", "import duckdb\n"),
        ("policingplan.plan.model", "from polars import col\n"),
        ("policingplan.targets.allocation", "import ibis.expr.types as t\n"),
        ("policingplan.monitor.core", "from django.db import models\n"),
        ("policingplan.periods", "import pyarrow as pa\n"),
        ("policingplan.plan.validate", "from pathlib import Path\n"),
        ("policingplan.plan.validate", "from os.path import join\n"),
        ("policingplan.plan.validate", "from os import path\n"),
        ("policingplan.plan.validate", "data = open('plan.yaml').read()\n"),
        ("policingplan.targets.partners", "text = folder.read_text()\n"),
        ("policingplan.stats.forecast", "from policingplan.data.warehouse import Warehouse\n"),
        ("policingplan.monitor.core", "from policingplan import settings\n"),
        ("policingplan.monitor.core", "def f():\n    from policingplan.services import monitor\n"),  # lazy
        ("policingplan.plan.describe", "from ..data import warehouse\n"),  # relative
        ("policingplan.monitor.core", "from ..data.measures import measure_values\n"),  # relative
        ("policingplan.targets.whatif", "from typing import TYPE_CHECKING\n"
                                        "if TYPE_CHECKING:\n    from policingplan.cli.common import fail\n"),
        ("policingplan.stats.change", "from policingplan.plan.model import Plan\n"),  # a part not allowed
        ("policingplan.data.warehouse", "from policingplan.services.data import load\n"),
        ("policingplan.data.measures", "import policingplan.cli.common\n"),
        ("policingplan.services.targets", "from policingplan.cli.values import parse_fraction\n"),
        ("policingplan.services.targets", "print('done')\n"),
        ("policingplan.services.targets", "import sys\nsys.exit(1)\n"),
        ("policingplan.services.targets", "from policingplan.web import views\n"),
        ("policingplan.cli.targets_cmds", "def command():\n    from policingplan.data.readers import read_source\n"),
        ("policingplan.cli.warehouse_cmds", "def command():\n    import pyarrow as pa\n"),
        ("policingplan.cli.stats_cmds", "import numpy as np\n"),
        ("policingplan.cli.plan_cmds", "from policingplan.plan.io import read_plan\n"),
        ("policingplan.cli.data_cmds", "from policingplan.web.views import page\n"),
        ("policingplan.web.views", "from policingplan.data.warehouse import Warehouse\n"),
        ("policingplan.web.views", "from policingplan.cli.common import print_json\n"),
        ("policingplan.publish.document", "import polars as pl\n"),
        ("policingplan.publish.document", "from policingplan.web import views\n"),
        ("policingplan.portfolio.benefits", "from policingplan.data.measures import measure_values\n"),
        ("policingplan.portfolio.benefits", "from pathlib import Path\n"),
        ("policingplan.elsewhere", "import json\n"),  # a module in no part
        ("policingplan.plan.model", "from policingplan.elsewhere import thing\n"),  # an import of no part
    ],
)
def test_the_scan_catches_each_kind_of_offence(module, source):
    assert offences(source, module), (module, source)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("policingplan.plan.validate",
         "import json\nfrom policingplan.periods import FinancialYear\nfrom .model import Plan\nx = json.dumps({})\n"),
        ("policingplan.stats.spc", "import numpy as np\nfrom scipy import stats\nfrom policingplan import periods\n"),
        ("policingplan.plan.io", "from pathlib import Path\ntext = Path('plan.yaml').read_text()\n"),
        ("policingplan.data.warehouse", "import duckdb\nfrom policingplan.settings import data_dir\n"),
        ("policingplan.services.targets", "from policingplan.data.warehouse import Warehouse\n"
                                          "from policingplan.plan.io import load_plan\n"),
        ("policingplan.cli.targets_cmds", "def command():\n    from policingplan.services import targets\n"
                                          "from policingplan.cli.common import fail\nprint('x')\n"),
        ("policingplan.cli", "from . import common\nfrom .values import parse_fraction\n"),
        ("policingplan.cli.data_cmds", "from policingplan.data.kinds import SOURCE_KINDS\n"),
        ("policingplan.web.views", "from django.http import HttpResponse\nfrom policingplan.services import monitor\n"),
        ("policingplan.__main__", "from policingplan.cli import main\nmain()\n"),
    ],
)
def test_the_scan_lets_what_the_rules_allow_through(module, source):
    assert offences(source, module, is_package=module == "policingplan.cli") == []


def test_a_library_is_reported_once_per_line():
    assert offences("from glob import glob\n", "policingplan.stats.spc") == [
        "line 1: imports glob, which stats never imports"]


def test_the_scan_resolves_relative_imports_and_submodules():
    known = {"policingplan.settings", "policingplan.data.warehouse"}
    assert imports("from .. import settings\n", "policingplan.plan.io", False, known) == [(1, "policingplan.settings")]
    assert imports("from . import warehouse\n", "policingplan.data", True, known) == [(1, "policingplan.data.warehouse")]
    assert imports("from .model import Plan\n", "policingplan.plan.io", False, known) == [(1, "policingplan.plan.model")]
    assert imports("from os import path\n", "policingplan.plan.io", False, known) == [(1, "os"), (1, "os.path")]


def test_a_new_package_outside_the_table_fails_the_suite(tmp_path):
    src = tmp_path / "policingplan"
    (src / "newpart").mkdir(parents=True)
    (src / "__init__.py").write_text("", encoding="utf-8")
    (src / "periods.py").write_text("import re\n", encoding="utf-8")
    (src / "newpart" / "__init__.py").write_text("", encoding="utf-8")
    (src / "newpart" / "things.py").write_text("from policingplan.periods import Month\n", encoding="utf-8")
    problems = scan(src)
    assert sorted(problems) == ["policingplan.newpart (policingplan/newpart/__init__.py)",
                                "policingplan.newpart.things (policingplan/newpart/things.py)"]
    assert all("belongs to no part" in found[0] for found in problems.values())


def test_an_offence_is_reported_with_its_module_line_and_import(tmp_path):
    src = tmp_path / "policingplan"
    (src / "stats").mkdir(parents=True)
    (src / "stats" / "spc.py").write_text("import math\n\ndef f():\n    import duckdb\n", encoding="utf-8")
    assert scan(src) == {"policingplan.stats.spc (policingplan/stats/spc.py)":
                         ["line 4: imports duckdb, which stats never imports"]}


def test_a_table_that_names_an_unknown_part_or_group_is_refused():
    page = (f"{HEADING}\n\n| Part | Modules | May import | Never imports |\n|---|---|---|---|\n"
            "| plan | `policingplan.plan.*` | shared | frameworks |\n\n"
            "| Group | Stands for |\n|---|---|\n| frameworks | `django` |\n")
    with pytest.raises(AssertionError, match="not parts"):
        read_rules(page)
    with pytest.raises(AssertionError, match="neither a part"):
        read_rules(page.replace("| shared |", "| — |").replace("| frameworks |\n\n", "| gadgets |\n\n"))
