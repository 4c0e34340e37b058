"""What every published document is made from: the plan and the services' results about it (pure).

:func:`policingplan.services.publish.publish` gathers a :class:`Publication`
(the plan, its unit targets checked, the requirement position, the partner
targets, the changes since the previous version and the committee report's
front matter) and the documents are rendered from it alone, so that they agree
with each other and with the command line, figure for figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Optional

import yaml

from policingplan.plan.model import Plan
from policingplan.problems import UserError

#: The committee report's front matter file in a plan folder (optional).
REPORT_FILE = "committee-report.md"
#: The sections of a committee report that only a person can write, in the report's order.
WRITTEN_SECTIONS = ("Race and equality impact", "Financial implications", "Background papers")


@dataclass(frozen=True)
class ReportMeta:
    """The committee report's own details: ``committee-report.md`` in the plan folder."""

    title: str
    report: str = ""
    committee: str = ""
    by: str = ""
    author: str = ""
    recommendations: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    sections: dict[str, str] = field(default_factory=dict)  # "Financial implications" -> Markdown


@dataclass(frozen=True)
class Publication:
    """Everything the documents are made from."""

    plan: Plan
    version_date: Optional[dt.date]
    check: Any  # policingplan.services.targets.PlanTargetsCheck, or None
    requirement: Any  # PlanRequirementResult, or None
    partners: Any  # PartnerAlignmentResult, or None
    changes: Any  # policingplan.services.changes.PlanChanges, or None
    since: Optional[str]  # the version the changes are since
    changes_note: Optional[str]  # why there are no changes documents, when there are none
    report: ReportMeta
    portfolio: Any = None  # policingplan.services.portfolio.PortfolioResult (the investment section), or None


def version_date(plan: Plan) -> Optional[dt.date]:
    """The date of the plan's version: its amendment of the same version, else its last amendment's."""
    same = [a.date for a in plan.amendments if a.version == plan.version]
    if same:
        return max(same)
    return max((a.date for a in plan.amendments), default=None)


def parse_report_meta(text: Optional[str], plan: Plan, label: str = REPORT_FILE) -> ReportMeta:
    """The front matter (YAML between ``---`` lines) and the ``##`` sections of ``committee-report.md``.

    Without the file, the report is titled from the plan and its written sections say that none
    was given."""
    if text is None:
        return ReportMeta(title=f"{plan.name}", recommendations=(f"Members agree the {plan.name}.",))
    front: dict[str, Any] = {}
    body = text
    if text.startswith("---"):
        parts = text.split("\n---", 1)
        if len(parts) != 2:
            raise UserError(f"{label}: the front matter opened by '---' on line 1 is never closed; "
                            "accepted: a second line '---' after the YAML")
        try:
            front = yaml.safe_load(parts[0].lstrip("-")) or {}
        except yaml.YAMLError as exc:
            raise UserError(f"{label}: the front matter is not YAML ({exc})") from None
        body = parts[1].split("\n", 1)[1] if "\n" in parts[1] else ""
    known = {"title", "report", "committee", "by", "author", "recommendations", "contacts"}
    unknown = sorted(set(front) - known)
    if unknown:
        raise UserError(f"{label}: unknown front matter key {unknown[0]!r}; accepted: {', '.join(sorted(known))}")
    sections: dict[str, str] = {}
    current = None
    for line in body.splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = ""
        elif current is not None:
            sections[current] += line + "\n"
    return ReportMeta(
        title=str(front.get("title") or plan.name), report=str(front.get("report") or ""),
        committee=str(front.get("committee") or ""), by=str(front.get("by") or ""),
        author=str(front.get("author") or ""),
        recommendations=tuple(str(r) for r in front.get("recommendations") or (f"Members agree the {plan.name}.",)),
        contacts=tuple(str(c) for c in front.get("contacts") or ()),
        sections={name: value.strip() for name, value in sections.items()},
    )


__all__ = ["Publication", "REPORT_FILE", "ReportMeta", "WRITTEN_SECTIONS", "parse_report_meta", "version_date"]
