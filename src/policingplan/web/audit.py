"""Recording a change in the audit trail: the one way every area adds an entry.

Plan edits, workflow steps, data loads, proposals and business-case decisions
all call :func:`record`, inside the same database transaction as the change
itself, so that a change and its entry are stored together or not at all.
"""

from __future__ import annotations

from typing import Any

from policingplan.web.models import AuditEntry


def record(user, action: str, what: str, why: str, *, object_type: str, object_id: str,
           plan_id: str = "", plan_version: str = "", before: Any = None, after: Any = None) -> AuditEntry:
    """Add one entry: ``user`` (a signed-in user, or None for the system) did ``action`` to the object,
    described in words by ``what``, for the reason ``why`` (required); ``before``/``after`` are JSON values."""
    if not (why or "").strip():
        raise ValueError("an audit entry needs a reason")
    who = user if user is not None and getattr(user, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        who=who, who_name=who.get_username() if who else "system", action=action, what=what, why=why.strip(),
        object_type=object_type, object_id=object_id, plan_id=plan_id, plan_version=plan_version,
        before=before, after=after)
