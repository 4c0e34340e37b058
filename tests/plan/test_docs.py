"""docs/plan-format.md documents every field of the model, and its example output is real; and the
docs stand alone: every link between pages lands on a page and a heading that exist, every
project file a page names is in the repository, and no page cites a file that a user's clone
does not have."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from pydantic import BaseModel

from policingplan.plan import model
from policingplan.plan.io import read_plan

from .conftest import edit


def _models() -> list[type[BaseModel]]:
    return [
        value
        for value in vars(model).values()
        if isinstance(value, type) and issubclass(value, model.PlanModel) and value is not model.PlanModel
    ]


def test_every_field_of_every_model_is_documented(project_root):
    text = (project_root / "docs" / "plan-format.md").read_text(encoding="utf-8")
    missing = sorted(
        f"{m.__name__}.{name}" for m in _models() for name in m.model_fields if f"`{name}`" not in text
    )
    assert missing == []


def test_the_documented_validation_output_is_what_validate_prints(project_root, tmp_path, monkeypatch):
    text = (project_root / "docs" / "plan-format.md").read_text(encoding="utf-8")
    documented = re.findall(r"^  error (my-plan/.*)$", text, flags=re.MULTILINE)
    assert len(documented) == 4
    folder = tmp_path / "my-plan"
    shutil.copytree(project_root / "examples" / "london-2007-08", folder)
    edit(folder / "plan.yaml", "    polarity: lower\n    unit_of_count: offences\n    cpa: true\n    description: >-\n      Theft",
         "    polarty: lower\n    unit_of_count: offences\n    cpa: true\n    description: >-\n      Theft")
    edit(folder / "plan.yaml", "    minimum: -0.06", "    minimum: -0.04")
    edit(folder / "units.csv", "E09000021,Kingston upon Thames,borough,153667,", "E09000021,Kingston upon Thames,borough,lots,")
    monkeypatch.chdir(tmp_path)
    plan, problems = read_plan("my-plan")
    assert [str(p) for p in problems.errors] == documented


# --- The docs stand alone -------------------------------------------------------------------

#: Files that are not in the repository: the methods brief and the design notes the project was
#: started from.  What the docs take from them is in docs/conventions.md and docs/architecture.md.
OUTSIDE_FILES = re.compile(r"METHODS\.md|DESIGN\.md|\bMETHODS(?: §| section)|\bshared/reference\b"
                           r"|\b(?i:the shared (?:data|files|directory))\b")
#: Where such a citation would be read: the docs, the examples, the code, its tests and benchmarks.
CITING = ("docs", "examples", "src", "tests", "benchmarks")
LINK = re.compile(r"\]\(([^)\s]+)\)")
CITED_SECTION = re.compile(r"docs/([\w-]+\.md)#([\w-]+)")
PROJECT_PATH = re.compile(r"`((?:data|tests|src|benchmarks|examples|scripts|docs)/[^`\s]*)`")


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = heading.strip().lower().replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    anchors: set[str] = set()
    in_code = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            slug = _slug(line.lstrip("#"))
            n, unique = 0, slug
            while unique in anchors:
                n += 1
                unique = f"{slug}-{n}"
            anchors.add(unique)
    return anchors


def _pages(project_root: Path) -> list[Path]:
    return sorted((project_root / "docs").glob("*.md"))


def _cited_files(project_root: Path):
    for folder in CITING:
        for path in sorted((project_root / folder).rglob("*")):
            if path.is_file() and path.suffix in (".md", ".py", ".yaml", ".csv"):
                yield path


def test_every_link_between_pages_lands_on_a_page_and_a_heading_that_exist(project_root):
    broken = []
    for page in _pages(project_root):
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue  # a web address
            file, _, anchor = target.partition("#")
            linked = (page.parent / file).resolve() if file else page
            if not linked.exists():
                broken.append(f"{page.name}: {target} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
                broken.append(f"{page.name}: {target} (no such heading)")
    assert broken == []


def test_every_section_that_code_and_plans_cite_exists(project_root):
    cited = set()
    for path in _cited_files(project_root):
        for file, anchor in CITED_SECTION.findall(path.read_bytes().decode("utf-8", errors="replace")):
            cited.add((path.relative_to(project_root).as_posix(), file, anchor))
    assert {file for _, file, _ in cited} >= {"conventions.md"}
    missing = sorted(
        f"{where}: docs/{file}#{anchor}" for where, file, anchor in cited
        if not (project_root / "docs" / file).exists() or anchor not in _anchors(project_root / "docs" / file)
    )
    assert missing == []


def test_no_page_or_docstring_cites_a_file_that_the_clone_does_not_have(project_root):
    citing = [
        f"{path.relative_to(project_root)}:{number}: {line.strip()}"
        for path in _cited_files(project_root)
        for number, line in enumerate(path.read_bytes().decode("utf-8", errors="replace").splitlines(), 1)
        if OUTSIDE_FILES.search(line)
    ]
    assert citing == []


def test_every_project_file_a_page_names_is_in_the_repository(project_root):
    """A path such as `data/london/...csv.gz` or `tests/stats/reference/spc/` exists (a plan-style
    `.csv` name counts when its `.csv.gz` is there, as the readers find it)."""
    missing = []
    for page in _pages(project_root):
        for name in PROJECT_PATH.findall(page.read_text(encoding="utf-8")):
            if any(mark in name for mark in ("<", "*", "...", "…", "{")):
                continue  # a pattern, not a file
            name, _, test = name.partition("::")  # a test cited as tests/x.py::test_name must exist too
            path = project_root / name.rstrip("/")
            if not (path.exists() or path.with_name(path.name + ".gz").exists()):
                missing.append(f"{page.name}: {name}")
            elif test and not re.search(rf"def {re.escape(test.split('[')[0].split('::')[-1])}\b",
                                        path.read_text(encoding="utf-8")):
                missing.append(f"{page.name}: {name}::{test} (no such test)")
    assert missing == []


def test_the_conventions_page_names_its_sources(project_root):
    """Each method the conventions fix names the public source it rests on."""
    text = (project_root / "docs" / "conventions.md").read_text(encoding="utf-8")
    for source in ("methods brief", "MPA report 8a", "Making Data Count", "NHSRplotthedots",
                   "Wilson, E. B. (1927)", "Garwood, F. (1936)", "Clopper, C. J.", "STATS19"):
        assert source in text, source
