"""The workflow of a plan version, as a table: which steps there are, from which status, and who may take each.

Pure: no Django, no files.  A version moves draft → consultation → approved → published; a
draft may also go back from consultation to draft, and the version published before becomes
superseded.  Only a draft's targets may be edited; a version approved (or later) is never changed.
Tested as a table in ``tests/web/editing/test_rules.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

DRAFT, CONSULTATION, APPROVED, PUBLISHED, SUPERSEDED = "draft", "consultation", "approved", "published", "superseded"
STATUSES = (DRAFT, CONSULTATION, APPROVED, PUBLISHED, SUPERSEDED)
STATUS_NAMES = {DRAFT: "Draft", CONSULTATION: "In consultation", APPROVED: "Approved", PUBLISHED: "Published",
                SUPERSEDED: "Superseded"}
#: The status the plan folder's plan.yaml gives for each (the plan format's words).
PLAN_STATUS = {DRAFT: "draft", CONSULTATION: "consultation", APPROVED: "agreed", PUBLISHED: "published",
               SUPERSEDED: "superseded"}
LOCKED = frozenset({APPROVED, PUBLISHED, SUPERSEDED})

# The roles' ids, as in policingplan.web.roles (kept as text here, so that this module imports nothing).
VIEWER, COMMANDER, PERFORMANCE, INVESTMENT, ADMINISTRATOR = (
    "viewer", "commander", "performance", "investment", "administrator")


@dataclass(frozen=True)
class Step:
    """A workflow step: its id (the audit action is ``version.<id>``), the statuses it starts from, the
    status it leads to, who may take it, and its words."""

    id: str
    from_statuses: frozenset[str]
    to_status: str | None
    roles: frozenset[str]
    button: str
    done: str


STEPS: dict[str, Step] = {step.id: step for step in (
    Step("start-draft", frozenset(STATUSES), DRAFT, frozenset({PERFORMANCE}),
         "Start a new draft from this version", "started a new draft"),
    Step("consult", frozenset({DRAFT}), CONSULTATION, frozenset({PERFORMANCE}),
         "Send for consultation", "sent for consultation"),
    Step("withdraw", frozenset({CONSULTATION}), DRAFT, frozenset({PERFORMANCE}),
         "Take back to draft", "taken back to draft"),
    Step("approve", frozenset({CONSULTATION}), APPROVED, frozenset({PERFORMANCE}),
         "Approve", "approved"),
    Step("publish", frozenset({APPROVED}), PUBLISHED, frozenset({PERFORMANCE}),
         "Publish", "published"),
)}

#: Who may edit a draft's targets, and who may comment on a version in consultation.
EDITORS = frozenset({PERFORMANCE})
COMMENTERS = frozenset({VIEWER, COMMANDER, PERFORMANCE})


def is_locked(status: str) -> bool:
    """An approved, published or superseded version is never changed."""
    return status in LOCKED


def may_edit(status: str, roles: Iterable[str]) -> bool:
    """Whether a user with ``roles`` may edit the targets of a version in ``status`` (a draft only)."""
    return status == DRAFT and bool(set(roles) & EDITORS)


def may_comment(status: str, roles: Iterable[str]) -> bool:
    """Whether a user with ``roles`` may comment on a version in ``status`` (in consultation only)."""
    return status == CONSULTATION and bool(set(roles) & COMMENTERS)


def why_not(step_id: str, status: str, roles: Iterable[str] | None = None) -> str | None:
    """Why the step cannot be taken from ``status`` by ``roles`` (``None``: it can; roles ``None``: not asked)."""
    step = STEPS.get(step_id)
    if step is None:
        return f"there is no step {step_id!r}"
    if status not in step.from_statuses:
        starts = " or ".join(STATUS_NAMES[s].lower() for s in STATUSES if s in step.from_statuses)
        return f"a version that is {STATUS_NAMES.get(status, status).lower()} cannot be {step.done}: only one " \
               f"{starts}"
    if roles is not None and not (set(roles) & step.roles):
        return "only the performance team may do this"
    return None


def steps_for(status: str, roles: Iterable[str]) -> list[Step]:
    """The steps a user with ``roles`` may take from ``status``, in the order of :data:`STEPS`."""
    roles = set(roles)
    return [s for s in STEPS.values() if why_not(s.id, status, roles) is None]


def next_label(label: str, taken: Iterable[str]) -> str:
    """The label of a new draft started from ``label``: its last number plus one (``1.0`` → ``1.1``,
    ``1.9`` → ``1.10``), or ``label.1`` when it does not end in a number; never one in ``taken``."""
    taken = set(taken)
    parts = str(label).split(".")
    if parts[-1].isdigit():
        stem, number = ".".join(parts[:-1]), int(parts[-1])
    else:
        stem, number = str(label), 0
    while True:
        number += 1
        candidate = f"{stem}.{number}" if stem else str(number)
        if candidate not in taken:
            return candidate
