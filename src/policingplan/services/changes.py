"""The changes between two versions of a plan, and the versions a plan folder keeps.

- :func:`plan_changes` reads two plan folders and gives every added, removed or
  changed priority, objective, measure, target, CPA flag, investment, narrative
  section (and the rest), each as a sentence with the reason from the amendment
  that made it: a :class:`PlanChanges`, what ``policingplan diff --json``
  prints and what the published report of changes is filled from.
  :func:`plan_changes_between` does the same for two plans already read.
- A plan folder keeps its earlier versions, each a complete plan folder, in
  ``versions/<version>/`` (docs/plan-format.md, "Versions").
  :func:`plan_versions` lists them, :func:`previous_version` finds the version
  before a given one, and :func:`find_version` finds a version by its label or
  the date of its meeting.

The comparison itself is the core's (:mod:`policingplan.plan.diff`).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from policingplan.plan.diff import SECTIONS, plan_differences, version_key
from policingplan.plan.io import load_plan
from policingplan.plan.model import Plan
from policingplan.plan.source import PLAN_FILE
from policingplan.problems import Problem, UserError
from policingplan.results import Result

#: The folder of a plan folder that holds its earlier versions, one complete plan folder each.
VERSIONS_DIR = "versions"
#: Each section's heading, in the order a report of changes gives them.
SECTION_TITLES = {
    "priorities": "Strategic priorities", "objectives": "Objectives", "measures": "Measures",
    "targets": "Targets", "cpas": "Critical Performance Areas (CPAs)", "investment": "Investment",
    "narrative": "Narrative", "requirements": "Requirements", "units": "Units", "other": "Other changes",
}


class Change(Result):
    """One change between two versions of a plan: what changed, the values before and after, and why."""

    kind: Literal["added", "removed", "changed"]
    section: str = Field(description="Where the change belongs: " + ", ".join(SECTIONS) + ".")
    subject: str = Field(description="What changed, in words: \"the target for ‘Homicide sanction detections’ "
                                     "(force, 2007/08)\".")
    field: str | None = Field(description="The field that changed (\"value\", \"cpa\"), or null for a part "
                                          "added or removed.")
    before: Any = Field(None, description="The value before (the whole part, for one removed); JSON.")
    after: Any = Field(None, description="The value after (the whole part, for one added); JSON.")
    sentence: str = Field(description="The change in a sentence, with its reason; British formats.")
    reason: str | None = Field(description="The reason, from the amendment that made the change.")
    amendment: str | None = Field(None, description="The version of the amendment the reason is from.")


class PlanChanges(Result):
    """The changes from one version of a plan to another, in order and grouped by section."""

    old: str = Field(description="The older version: the plan's id and version, such as 'london-2007-08 0.3'.")
    new: str = Field(description="The newer version, likewise.")
    old_version: str
    new_version: str
    changes: list[Change]
    sections: dict[str, list[Change]] = Field(
        description="The same changes grouped by section, in the order " + ", ".join(SECTIONS)
                    + "; only sections with a change.")


class PlanVersion(Result):
    """One version a plan folder keeps: its label, folder, and the date of the amendment that made it."""

    version: str
    path: str
    date: dt.date | None = Field(description="The date of the plan's amendment of this version, if it lists one.")
    current: bool = Field(description="True for the plan folder's own (latest) version.")


class PlanVersions(Result):
    """The versions of a plan folder, oldest first."""

    plan: str
    versions: list[PlanVersion]


# --- the changes --------------------------------------------------------------------------------


def _label(plan: Plan) -> str:
    return f"{plan.id} {plan.version}"


def plan_changes_between(old: Plan, new: Plan) -> PlanChanges:
    """Every change from ``old`` to ``new``, each with its reason from ``new``'s amendments."""
    changes = [
        Change(kind=d.kind, section=d.section, subject=d.subject, field=d.field, before=d.before, after=d.after,
               sentence=d.sentence, reason=d.reason, amendment=d.amendment)
        for d in plan_differences(old, new)
    ]
    sections = {s: [c for c in changes if c.section == s] for s in SECTIONS}
    return PlanChanges(old=_label(old), new=_label(new), old_version=old.version, new_version=new.version,
                       changes=changes, sections={s: cs for s, cs in sections.items() if cs})


def plan_changes(old_dir: str | os.PathLike, new_dir: str | os.PathLike) -> PlanChanges:
    """The changes between two plan folders; :class:`UserError` when either is not a valid plan."""
    return plan_changes_between(load_plan(old_dir), load_plan(new_dir))


# --- the versions a plan folder keeps -----------------------------------------------------------


def _root(plan_dir: Path) -> Path:
    """The plan folder that keeps ``plan_dir``'s versions: itself, or the folder above ``versions/``."""
    parent = Path(os.path.abspath(plan_dir)).parent
    if parent.name == VERSIONS_DIR and (parent.parent / PLAN_FILE).is_file():
        return Path(os.path.normpath(os.path.join(plan_dir, os.pardir, os.pardir)))
    return plan_dir


def _kept(root: Path) -> list[tuple[str, Path]]:
    folder = root / VERSIONS_DIR
    if not folder.is_dir():
        return []
    return [(p.name, p) for p in sorted(folder.iterdir()) if p.is_dir() and (p / PLAN_FILE).is_file()]


def _not_a_plan(plan_dir: Path) -> None:
    if not (plan_dir / PLAN_FILE).is_file():
        what = "has no plan.yaml" if plan_dir.is_dir() else "does not exist"
        raise UserError(f"{plan_dir}: the plan folder {what}",
                        problems=[Problem(f"the plan folder {what}", file=str(plan_dir),
                                          accepted="a folder that holds plan.yaml")])


def plan_versions(plan_dir: str | os.PathLike) -> PlanVersions:
    """The versions of the plan in ``plan_dir`` (or of the plan whose ``versions/`` holds it), oldest first."""
    folder = Path(plan_dir)
    _not_a_plan(folder)
    root = _root(folder)
    plan = load_plan(root)
    dates = {a.version: a.date for a in plan.amendments}
    kept = [(label, path) for label, path in _kept(root) if label != plan.version]
    versions = [PlanVersion(version=label, path=str(path), date=dates.get(label), current=False)
                for label, path in kept]
    versions.append(PlanVersion(version=plan.version, path=str(root), date=dates.get(plan.version), current=True))
    versions.sort(key=lambda v: version_key(v.version))
    return PlanVersions(plan=plan.id, versions=versions)


def previous_version(plan_dir: str | os.PathLike) -> Path | None:
    """The folder of the version before ``plan_dir``'s, or ``None`` when the folder keeps none before it."""
    folder = Path(plan_dir)
    listed = plan_versions(folder).versions
    here = folder.resolve()
    index = next((i for i, v in enumerate(listed) if Path(v.path).resolve() == here), None)
    if index is None or index == 0:
        return None
    return Path(listed[index - 1].path)


def find_version(plan_dir: str | os.PathLike, version: str) -> Path:
    """The folder of ``version`` (its label, such as ``0.3``, or the date of its meeting, ``2007-02-14``)."""
    listed = plan_versions(plan_dir).versions
    for v in listed:
        if version in (v.version, v.date.isoformat() if v.date else None):
            return Path(v.path)
    known = ", ".join(f"{v.version}" + (f" ({v.date.isoformat()})" if v.date else "") for v in listed)
    raise UserError(f"{plan_dir}: no version {version!r}; the folder keeps {known}",
                    problems=[Problem("no such version of the plan", file=str(plan_dir), value=version,
                                      accepted=known)])


RESULTS = (PlanChanges, PlanVersions)

__all__ = ["Change", "PlanChanges", "PlanVersion", "PlanVersions", "RESULTS", "SECTION_TITLES", "VERSIONS_DIR",
           "find_version", "plan_changes", "plan_changes_between", "plan_versions", "previous_version"]
