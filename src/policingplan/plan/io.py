"""Read and write plan folders: the edge between the plan model and the file system.

A plan folder holds ``plan.yaml`` (everything that is not a table), the CSV
tables ``units.csv``, ``unit_targets.csv`` and ``partner_targets.csv``, and
the narrative in ``narrative/*.md``.  See ``docs/plan-format.md``.
"""

from __future__ import annotations

import csv
import io as _io
import json
import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from policingplan.plan.model import FORCE, Plan, Target
from policingplan.plan.source import (
    NARRATIVE_DIR,
    PARTNER_TARGETS_FILE,
    PLAN_FILE,
    UNIT_TARGETS_FILE,
    UNITS_FILE,
    PlanSource,
    parse_csv,
    parse_yaml,
)
from policingplan.plan.validate import TABLES, item_model, validate_source
from policingplan.problems import Problem, ProblemList, UserError

# libyaml's emitter where it is installed (much faster than the pure-Python one).
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# Fields of the plan that live in their own files, not in plan.yaml.
_TABLE_FIELDS = {"units", "partner_targets"}


def _read_text(path: Path, label: str, problems: ProblemList) -> str | None:
    """The file's text, or ``None`` with one problem that says why (at the line of a byte that is not UTF-8)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        problems.add(Problem(f"the file cannot be read: {exc.strerror}", file=label))
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.add(_not_utf8(data, exc, label))
        return None


def _not_utf8(data: bytes, exc: UnicodeDecodeError, label: str) -> Problem:
    """The first byte that is not UTF-8, at its line, with what it is in Windows-1252 if it is a character there."""
    line = data.count(b"\n", 0, exc.start) + 1
    byte = data[exc.start : exc.start + 1]
    message = f"the file is not UTF-8 text: the byte 0x{byte.hex().upper()} on this line is not UTF-8"
    try:
        data.decode("cp1252")
        char = byte.decode("cp1252")
        message += (f" ({char!r} in Windows-1252: the file looks saved as Windows-1252 (cp1252), "
                    "as Excel's plain 'CSV' does; save it as 'CSV UTF-8')")
    except UnicodeDecodeError:
        pass
    return Problem(message, file=label, line=line, accepted="a UTF-8 text file")


def read_source(path: str | os.PathLike) -> PlanSource:
    """Read a plan folder's files into a :class:`PlanSource` (parsed, not yet checked)."""
    folder = Path(path)
    source = PlanSource()
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        source.problems.add(
            Problem(f"the plan folder {what}", file=str(path), accepted="a folder that holds plan.yaml")
        )
        return source
    plan_file = folder / PLAN_FILE
    if not plan_file.is_file():
        source.problems.add(
            Problem("the plan folder has no plan.yaml", file=str(path), accepted="a folder that holds plan.yaml")
        )
        return source
    text = _read_text(plan_file, PLAN_FILE, source.problems)
    if text is None:
        return source
    source.data, source.lines, problems = parse_yaml(text, PLAN_FILE)
    source.problems.extend(problems)
    for name, (field_name, refused) in TABLES.items():
        table_file = folder / name
        if table_file.is_dir():
            _broken(source, Problem("this is a folder, not a CSV file", file=name,
                                    accepted=f"a CSV file of {field_name.replace('_', ' ')}, or no such file"))
        if not table_file.is_file():
            continue
        unread = ProblemList()
        table_text = _read_text(table_file, name, unread)
        if table_text is None:
            _broken(source, unread.errors[0])
            continue
        table, problems = parse_csv(table_text, name)
        if table.cause is not None:
            _broken(source, table.cause)
            continue
        if not table.header:
            columns = ", ".join(n for n in item_model(Plan, field_name).model_fields if n not in refused)
            _broken(source, Problem("the file is empty", file=name, line=1,
                                    accepted=f"a header row ({columns}), then one row per item; or no such file"))
            continue
        source.tables[name] = table
        source.problems.extend(problems)
    narrative_dir = folder / NARRATIVE_DIR
    if narrative_dir.is_dir():
        try:
            found = sorted(narrative_dir.rglob("*.md"))
        except OSError as exc:
            source.problems.add(Problem(f"the narrative folder cannot be listed: {exc.strerror}", file=NARRATIVE_DIR))
            found = []
        for md in found:
            label = md.relative_to(folder).as_posix()
            body = _read_text(md, label, source.problems)
            if body is None:
                source.unreadable.add(label)
            else:
                source.narrative[label] = body
    return source


def _broken(source: PlanSource, cause: Problem) -> None:
    """A table file that cannot be read as a whole: its one error, and no rows."""
    source.broken.setdefault(cause.file, cause)
    source.problems.add(cause)


def read_plan(path: str | os.PathLike) -> tuple[Plan | None, ProblemList]:
    """Read and check a plan folder: the plan (``None`` if it has errors) and every problem found."""
    source = read_source(path)
    if source.data is None and source.problems.errors:
        plan, problems = None, source.problems
    else:
        plan, problems = validate_source(source)
    return plan, _named_in_folder(problems, path)


def _named_in_folder(problems: ProblemList, path: str | os.PathLike) -> ProblemList:
    """Problems name files relative to the plan folder; name them as the user gave the folder."""
    folder = str(path)
    named = ProblemList()
    for problem in problems:
        if problem.file and problem.file != folder:
            problem = replace(problem, file=os.path.join(folder, problem.file))
        named.add(problem)
    return named


def load_plan(path: str | os.PathLike) -> Plan:
    """Read a plan folder, raising :class:`UserError` (with every problem) if it is not valid."""
    plan, problems = read_plan(path)
    if plan is None:
        errors = problems.errors
        first = str(errors[0]) if errors else "the plan could not be read"
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise UserError(f"{first}{more}", problems=errors)
    return plan


# --- writing -----------------------------------------------------------------------------------


def _is_table_target(target: Target) -> bool:
    return target.scope != FORCE and not target.activities


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _csv_text(rows: list[dict[str, Any]], columns: list[str]) -> str:
    buffer = _io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return buffer.getvalue()


def _table_columns(field_name: str, refused: frozenset[str]) -> list[str]:
    model = item_model(Plan, field_name)
    return [name for name in model.model_fields if name not in refused]


def plan_files(plan: Plan) -> dict[str, str]:
    """The text of each file of the plan's folder, keyed by its path in the folder."""
    data = plan.model_dump(mode="json", exclude_defaults=True)
    table_targets = [t for t in plan.targets if _is_table_target(t)]
    yaml_targets = [t.model_dump(mode="json", exclude_defaults=True) for t in plan.targets if not _is_table_target(t)]
    for name in _TABLE_FIELDS:
        data.pop(name, None)
    data.pop("targets", None)
    if yaml_targets:
        data["targets"] = yaml_targets
    if "narrative" in data:
        for section in data["narrative"]:
            section.pop("body", None)
    # Keep the model's field order in plan.yaml, and always state the version and status.
    data.update(plan.model_dump(mode="json", include={"version", "status"}))
    ordered = {name: data[name] for name in Plan.model_fields if name in data}
    files = {PLAN_FILE: yaml.dump(ordered, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)}
    columns = {
        UNITS_FILE: _table_columns("units", frozenset()),
        UNIT_TARGETS_FILE: _table_columns("targets", TABLES[UNIT_TARGETS_FILE][1]),
        PARTNER_TARGETS_FILE: _table_columns("partner_targets", frozenset()),
    }
    rows = {
        UNITS_FILE: [u.model_dump(mode="json") for u in plan.units],
        UNIT_TARGETS_FILE: [t.model_dump(mode="json") for t in table_targets],
        PARTNER_TARGETS_FILE: [p.model_dump(mode="json") for p in plan.partner_targets],
    }
    for name, table_rows in rows.items():
        if table_rows:
            files[name] = _csv_text(table_rows, columns[name])
    for section in plan.narrative:
        files[section.file.replace("\\", "/")] = section.body
    return files


def write_plan(plan: Plan, path: str | os.PathLike) -> None:
    """Write the plan as a folder, whole or not at all.

    The files are written to a new folder beside ``path``, which then replaces
    ``path`` by renaming.  Files in an existing folder that are not part of
    the plan format (a README, say) are carried across; the plan's own files
    are replaced, so a narrative file that the plan no longer names is dropped.
    """
    problems = _unwritable(plan)
    if problems:
        raise UserError(str(problems[0]), problems=problems)
    write_files(plan_files(plan), path, carry_other_files=True)


def write_files(files: dict[str, str], path: str | os.PathLike, *, carry_other_files: bool = False) -> None:
    """Write ``files`` (a path inside the folder → its text) as the folder ``path``, whole or not at all:
    to a new folder beside it, each file flushed to disk, which then takes its place by renaming.  With
    ``carry_other_files``, the files of an existing folder that are not the plan format's own are kept."""
    target = Path(path)
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    try:
        # mkdtemp makes a private folder; give the plan the mode it had, or the usual one.
        os.chmod(staging, target.stat().st_mode & 0o7777 if target.is_dir() else _usual_folder_mode())
        if carry_other_files and target.is_dir():
            _carry_other_files(target, staging)
        for name, text in sorted(files.items()):
            destination = staging / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            with open(destination, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
        if target.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=parent))
            retired.rmdir()
            os.rename(target, retired)
            os.rename(staging, target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _usual_folder_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o777 & ~mask


def _carry_other_files(folder: Path, staging: Path) -> None:
    owned = {PLAN_FILE, *TABLES}
    for item in folder.rglob("*"):
        relative = item.relative_to(folder)
        if item.is_dir():
            continue
        name = relative.as_posix()
        if name in owned or (relative.parts[0] == NARRATIVE_DIR and item.suffix == ".md"):
            continue
        destination = staging / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(item, destination)


def _unwritable(plan: Plan) -> list[Problem]:
    """Problems that would stop a plan being written faithfully (two sections in one file, a file outside narrative/)."""
    problems = []
    seen: set[str] = set()
    for section in plan.narrative:
        name = section.file.replace("\\", "/")
        parts = name.split("/")
        if len(parts) < 2 or parts[0] != NARRATIVE_DIR or ".." in parts or not name.endswith(".md"):
            problems.append(Problem("a narrative file must be a Markdown file inside the narrative folder",
                                    column=f"narrative {section.id}", value=section.file,
                                    accepted=f"{NARRATIVE_DIR}/<name>.md"))
        elif name in seen:
            problems.append(Problem("two narrative sections name the same file", column=f"narrative {section.id}",
                                    value=section.file, accepted="one file for each section"))
        seen.add(name)
    return problems
