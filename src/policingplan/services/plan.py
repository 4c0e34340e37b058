"""The plan service: read a plan folder, check it, show it, and give its JSON Schema.

- :func:`validate` checks a plan folder (every problem with its file and line),
  the plan as a whole (unit targets against the force's), and the categories
  in a warehouse against the plan's counting rules
  (:func:`policingplan.services.data.category_drift`): a :class:`PlanValidation`,
  what ``policingplan validate --json`` prints.
- :func:`show` gives the plan with the attribution of its data sources: a
  :class:`ShownPlan`, what ``policingplan show --json`` prints.
- :func:`schema` is the plan's JSON Schema; :func:`load` and :func:`read` read
  a plan folder for the other services and the faces.

The words for a plan's parts (:func:`describe_target` and the rest) are the
core's, given here so that every face words them alike.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, Optional

from pydantic import Field, field_serializer

from policingplan.attribution import attribution
from policingplan.plan.describe import (
    describe_partner_target,
    describe_requirement,
    describe_target,
    peer_group_counts,
    unit_target_counts,
)
from policingplan.plan.io import load_plan, read_plan
from policingplan.plan.model import Plan
from policingplan.plan.schema import plan_json_schema, plan_json_schema_text
from policingplan.plan.validate import plan_summary
from policingplan.problems import Problem, ProblemList, UserError
from policingplan.results import Result
from policingplan.services.data import CategoryCheck, category_drift


class InvalidPlan(UserError):
    """A plan folder that cannot be read as a plan: ``problems`` holds every error, then every warning."""


# --- results -------------------------------------------------------------------------------------


class PlanProblem(Result):
    """A problem with a plan: where it is, the value found, what is wrong and what would be accepted."""

    file: str | None
    line: int | None
    column: str | None
    value: Any = Field(description="The value found (text when it is not a plain value).")
    message: str
    accepted: str | None
    held_back: int = Field(description="How many problems that follow from this one are not shown.")

    @field_serializer("value")
    def _plain(self, value: Any) -> Any:
        return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)

    @classmethod
    def of(cls, problem: Problem) -> "PlanProblem":
        return cls(file=problem.file, line=problem.line, column=problem.column, value=problem.value,
                   message=problem.message, accepted=problem.accepted, held_back=problem.held_back)

    def problem(self, severity: str) -> Problem:
        """The :class:`~policingplan.problems.Problem` again, as an error or a warning."""
        return Problem(self.message, file=self.file, line=self.line, column=self.column, value=self.value,
                       accepted=self.accepted, severity=severity, held_back=self.held_back)


class PlanSummary(Result):
    """A plan's name and version, and how many of each of its parts it has."""

    id: str
    name: str
    period: str
    version: str
    status: str
    priorities: int
    objectives: int
    measures: int
    cpas: int
    targets: int
    force_targets: int
    unit_targets: int
    units: int
    partner_targets: int
    requirements: int
    narrative_sections: int
    investments: int
    amendments: int


class PlanValidation(Result):
    """A plan folder checked: valid or not, its summary, every error and warning, and the categories' check."""

    ok: bool
    summary: PlanSummary | None = Field(description="Null when the plan cannot be read.")
    errors: list[PlanProblem]
    warnings: list[PlanProblem]
    categories: CategoryCheck = Field(description="The warehouse's categories against the counting rules.")

    def problems(self) -> ProblemList:
        """Every error, then every warning, as problems."""
        return ProblemList([p.problem("error") for p in self.errors] + [p.problem("warning") for p in self.warnings])


class ShownPlan(Plan, Result):
    """A plan as ``show --json`` gives it: the plan's own fields, then the attribution of its data sources."""

    attribution: list[str] = Field(default_factory=list,
                                   description="The attribution that the plan's data sources require.")


# --- the service ---------------------------------------------------------------------------------


def read(plan_dir: str | os.PathLike) -> tuple[Plan | None, ProblemList]:
    """A plan folder read and checked: the plan (``None`` if it has errors) and every problem found."""
    return read_plan(plan_dir)


def load(plan_dir: str | os.PathLike) -> Plan:
    """A plan folder's plan; :class:`UserError` carrying every error when it is not valid."""
    return load_plan(plan_dir)


def _invalid(plan_dir: str | os.PathLike, problems: ProblemList) -> InvalidPlan:
    errors = problems.errors
    message = str(errors[0]) if len(errors) == 1 else f"{plan_dir}: {len(errors)} errors"
    return InvalidPlan(message, problems=errors + problems.warnings)


def validate(plan_dir: str | os.PathLike, warehouse_dir: str | os.PathLike | None = None) -> PlanValidation:
    """Check a plan folder and report every problem found, each with its file and line.

    The plan as a whole is checked too (its unit targets against the force's), and, with a
    warehouse, the categories in the data that a counting rule neither names nor leaves out on
    purpose, as warnings.  A plan with errors is a result with ``ok`` false, not an exception;
    :class:`UserError` only when ``warehouse_dir`` is a file.
    """
    plan, problems = read_plan(plan_dir)
    errors, warnings = problems.errors, problems.warnings
    summary = plan_summary(plan) if plan is not None else None
    categories = CategoryCheck(warehouse=None, findings=[])
    if plan is not None:
        categories = category_drift(plan, None if warehouse_dir is None else Path(warehouse_dir))
        warnings = warnings + categories.warnings
        from policingplan.targets.plan_check import unit_target_problems  # unit targets meet the force's

        unmet = unit_target_problems(plan)
        if unmet:
            errors, plan = errors + unmet, None
    return PlanValidation(
        ok=plan is not None,
        summary=None if summary is None else PlanSummary(**summary),
        errors=[PlanProblem.of(p) for p in errors],
        warnings=[PlanProblem.of(p) for p in warnings],
        categories=categories,
    )


def shown_plan(plan: Plan) -> ShownPlan:
    """The plan with the attribution of its data sources."""
    fields = {name: getattr(plan, name) for name in Plan.model_fields}
    return ShownPlan.model_construct(**fields, attribution=attribution(s.kind for s in plan.data_sources))


def show(plan_dir: str | os.PathLike) -> ShownPlan:
    """A plan folder's plan with the attribution of its data sources; :class:`InvalidPlan` (carrying
    every error, then every warning) when the folder does not hold a valid plan."""
    plan, problems = read_plan(plan_dir)
    if plan is None:
        raise _invalid(plan_dir, problems)
    return shown_plan(plan)


def schema() -> dict[str, Any]:
    """The JSON Schema of a plan (draft 2020-12), generated from the model."""
    return plan_json_schema()


def schema_text() -> str:
    """The schema as the text committed in ``docs/plan-schema.json``."""
    return plan_json_schema_text()


RESULTS = (PlanValidation, ShownPlan)


def find_unit(text: str, units: Mapping[str, str]) -> Optional[str]:
    """The code of the unit ``text`` names (code or name, any case), or ``None``."""
    from policingplan.data.units import normalise_name, unit_code

    raw = text.strip()
    for code in units:
        if raw.casefold() == code.casefold():
            return code
    wanted = normalise_name(raw)
    for code, name in units.items():
        if name and normalise_name(name) == wanted:
            return code
    known = unit_code(raw)  # another spelling of a London borough: "Kingston", "City of Westminster"
    return known if known in units else None


__all__ = [
    "InvalidPlan", "PlanProblem", "PlanSummary", "PlanValidation", "RESULTS", "ShownPlan",
    "describe_partner_target", "describe_requirement", "describe_target", "find_unit", "load", "peer_group_counts", "read",
    "schema", "schema_text", "show", "shown_plan", "unit_target_counts", "validate",
    "EDITABLE_TARGET_FIELDS", "FOLDER_FILE_LIMIT", "files_with_target", "files_with_version", "find_target", "own_files",
    "plan_id_of", "read_files", "read_folder", "write_folder",
]


# --- a plan folder as files (for the web application's versions) --------------------------------

#: The largest file a plan folder's text files may hold, in bytes (a folder as files keeps text only).
FOLDER_FILE_LIMIT = 5_000_000


def read_folder(plan_dir: str | os.PathLike) -> dict[str, str]:
    """Every UTF-8 text file of a plan folder, by its path in the folder (``narrative/about.md``),
    its kept versions (``versions/0.3/plan.yaml``) and other files (``portfolio.yaml``) included.

    Hidden files and folders, ``__pycache__``, files that are not UTF-8 and files larger than
    :data:`FOLDER_FILE_LIMIT` are left out.  :class:`UserError` when the folder holds no plan.yaml.
    """
    from policingplan.plan.source import PLAN_FILE

    folder = Path(plan_dir)
    if not (folder / PLAN_FILE).is_file():
        raise UserError(f"{plan_dir}: the plan folder has no plan.yaml",
                        problems=[Problem("the plan folder has no plan.yaml", file=str(plan_dir),
                                          accepted="a folder that holds plan.yaml")])
    files: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") or part == "__pycache__" for part in relative.parts) or not path.is_file():
            continue
        if path.stat().st_size > FOLDER_FILE_LIMIT:
            continue
        try:
            files[relative.as_posix()] = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
    return files


def _safe_name(name: str) -> bool:
    parts = name.split("/")
    return bool(name) and not name.startswith("/") and "\\" not in name and all(p not in ("", ".", "..") for p in parts)


def write_folder(files: Mapping[str, str], plan_dir: str | os.PathLike) -> None:
    """Write ``files`` (path in the folder → text) as the folder ``plan_dir``, whole or not at all
    (:func:`policingplan.plan.io.write_files`): anything the folder held before is gone.
    :class:`UserError` for a name that would leave the folder."""
    from policingplan.plan.io import write_files

    unsafe = [name for name in files if not _safe_name(name)]
    if unsafe:
        raise UserError(f"{unsafe[0]!r}: not a file name inside a plan folder",
                        problems=[Problem("not a file name inside a plan folder", value=name,
                                          accepted="a relative path such as narrative/about.md") for name in unsafe])
    write_files(dict(files), plan_dir)


def read_files(files: Mapping[str, str]) -> tuple[Plan | None, ProblemList]:
    """The plan that a folder's files hold, read and checked as :func:`read` reads a folder: the plan
    (``None`` if it has errors) and every problem, each naming its file as a path in the folder."""
    import tempfile

    from policingplan.plan.io import read_plan as _read_plan

    with tempfile.TemporaryDirectory(prefix="policingplan-files-") as scratch:
        folder = Path(scratch) / "plan"
        write_folder({name: text for name, text in files.items() if not name.startswith("versions/")}, folder)
        plan, problems = _read_plan(folder)
    prefix = str(folder) + os.sep
    named = ProblemList()
    for problem in problems:
        if problem.file and problem.file.startswith(prefix):
            from dataclasses import replace

            problem = replace(problem, file=problem.file[len(prefix):])
        named.add(problem)
    return plan, named


def plan_id_of(plan_dir: str | os.PathLike) -> str | None:
    """The ``id`` a plan folder's plan.yaml gives, read without checking the plan; ``None`` when there is none."""
    import yaml

    from policingplan.plan.source import PLAN_FILE

    try:
        data = yaml.safe_load((Path(plan_dir) / PLAN_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    value = data.get("id") if isinstance(data, dict) else None
    return str(value) if value is not None else None


def own_files(plan: Plan) -> dict[str, str]:
    """The text of each of the plan's own files (plan.yaml, the tables, the narrative), by path in the folder."""
    from policingplan.plan.io import plan_files

    return plan_files(plan)


#: The fields of a target that an edit may change.
EDITABLE_TARGET_FIELDS = ("value", "minimum", "maximum", "rationale")


def _holding_file(plan: Plan, target) -> str:
    from policingplan.plan.model import FORCE
    from policingplan.plan.source import PLAN_FILE, UNIT_TARGETS_FILE

    return UNIT_TARGETS_FILE if target.scope != FORCE and not target.activities else PLAN_FILE


def find_target(plan: Plan, measure: str, scope: str, period: str):
    """The plan's target for ``measure`` in ``scope`` (``force`` or a unit code) and ``period``, or ``None``."""
    return next((t for t in plan.targets if t.key == (measure, scope, period)), None)


def files_with_target(files: Mapping[str, str], measure: str, scope: str, period: str,
                      changes: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
    """A plan folder's files with one target changed: the new files, and the target's changed fields
    before and after.

    ``changes`` may set a target's ``value``, ``minimum``, ``maximum`` and ``rationale`` (a number or
    ``None``; text or ``None``).  Only the file that holds the target is rewritten (unit_targets.csv
    for a unit's target from the table, plan.yaml for the rest); every other file is kept as it is.
    :class:`UserError` with every problem when the folder does not hold a valid plan, the target does
    not exist, or the changed plan would not be valid.
    """
    unknown = sorted(set(changes) - set(EDITABLE_TARGET_FIELDS))
    if unknown:
        raise UserError(f"a target edit cannot change {', '.join(unknown)}",
                        problems=[Problem("a target edit cannot change this field", column=name,
                                          accepted=", ".join(EDITABLE_TARGET_FIELDS)) for name in unknown])
    plan, problems = read_files(files)
    if plan is None:
        raise _invalid("the version", problems)
    target = find_target(plan, measure, scope, period)
    if target is None:
        raise UserError(f"the plan has no target for {measure} in {scope} for {period}",
                        problems=[Problem("no such target in the plan", value=f"{measure}/{scope}/{period}",
                                          accepted="a target the plan sets")])
    before = {name: getattr(target, name) for name in changes}
    changed = target.model_copy(update=dict(changes))
    targets = [changed if t.key == target.key else t for t in plan.targets]
    new_plan = plan.model_copy(update={"targets": targets})
    holding = _holding_file(plan, target)
    new_files = dict(files)
    new_files[holding] = own_files(new_plan)[holding]
    checked, problems = read_files(new_files)
    if checked is None:
        raise _invalid("the changed plan", problems)
    after_target = find_target(checked, measure, scope, period)
    after = {name: getattr(after_target, name) for name in changes}
    return new_files, before, after


def files_with_version(files: Mapping[str, str], version: str, status: str, amendment: Mapping[str, Any] | None = None
                       ) -> dict[str, str]:
    """A plan folder's files with the plan's ``version`` and ``status`` set in plan.yaml, and ``amendment``
    (version, date, summary, reason, ...) added to its amendments; every other file kept as it is.
    :class:`UserError` with every problem when the files do not hold a valid plan."""
    from policingplan.plan.model import Amendment
    from policingplan.plan.source import PLAN_FILE

    plan, problems = read_files(files)
    if plan is None:
        raise _invalid("the version", problems)
    update: dict[str, Any] = {"version": version, "status": status}
    if amendment is not None:
        update["amendments"] = [a for a in plan.amendments if a.version != amendment["version"]] + [
            Amendment(**amendment)]
    new_files = dict(files)
    new_files[PLAN_FILE] = own_files(plan.model_copy(update=update))[PLAN_FILE]
    return new_files
