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
]
