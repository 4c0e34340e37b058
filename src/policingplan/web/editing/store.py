"""Plan versions in the database: the one way every change to a version is made.

Every function here that changes something does it inside one ``transaction.atomic()``, with the
version's row locked (``select_for_update``), and records who, when, what and why in the audit
trail (:func:`policingplan.web.audit.record`) in the same transaction: a change and its entry are
stored together or not at all.  An approved, published or superseded version is never changed:
the store refuses (:class:`VersionLocked`), whatever page or helper asks.

For other areas (the planning cycle applies an accepted borough proposal with it):

- :func:`edit_target` changes one target of a draft, refusing when the target's stored values are
  no longer those the user saw (:class:`EditConflict`: optimistic locking);
- :func:`current_draft` is the newest draft of a plan, :func:`shown_version` the version the pages show.
"""

from __future__ import annotations

import math
import time
from typing import Any, Iterable, Mapping

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from policingplan.problems import UserError
from policingplan.web import audit
from policingplan.web.editing import rules
from policingplan.web.editing.models import Comment, PlanVersion, files_hash

SYSTEM = "system"
IMPORT_REASON = "imported from the plan folder"


class EditRefused(Exception):
    """A change the store refused; ``str()`` says why, in words for the page.  Nothing was changed."""

    def __init__(self, message: str, *, field: str | None = None, problems: Iterable[Any] = ()):
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems = list(problems)


class VersionLocked(EditRefused):
    """The version is not a draft (or, for a step, not in a status the step starts from)."""


class EditConflict(EditRefused):
    """Someone else changed the target since the user saw it: ``current`` holds its stored values now."""

    def __init__(self, message: str, *, current: Mapping[str, Any], seen: Mapping[str, Any]):
        super().__init__(message)
        self.current = dict(current)
        self.seen = dict(seen)


class InvalidEdit(EditRefused):
    """The change would not give a valid plan, names no target the plan has, or changes nothing."""


class ReasonMissing(EditRefused):
    """Every change needs a reason."""

    def __init__(self, message: str = "Enter the reason for this change", field: str = "reason"):
        super().__init__(message, field=field)


class NotAllowed(EditRefused):
    """The user's role may not take this step."""


# --- which versions there are ---------------------------------------------------------------------


def _settings_plan_dir() -> str:
    return settings.POLICINGPLAN_PLAN_DIR


def settings_plan_id() -> str | None:
    """The id of the plan in the settings' plan folder (``POLICINGPLAN_PLAN_DIR``)."""
    from policingplan.services.plan import plan_id_of

    return plan_id_of(_settings_plan_dir())


def ensure_imported(plan_dir: str | None = None) -> PlanVersion | None:
    """The first version of the settings' plan, importing the plan folder when the database holds no
    version of it: status published, recorded in the audit trail as done by the system.  Idempotent,
    and safe when two requests ask at once (the second finds the first's).  ``None`` when the folder
    holds no plan."""
    from policingplan.services.plan import plan_id_of, read_folder

    folder = plan_dir or _settings_plan_dir()
    plan_id = plan_id_of(folder)
    if plan_id is None:
        return None
    existing = PlanVersion.objects.filter(plan_id=plan_id).order_by("id").first()
    if existing is not None:
        return existing
    try:
        files = read_folder(folder)
    except UserError:
        return None
    from policingplan.services.plan import read_files

    plan, _ = read_files(files)
    label = plan.version if plan is not None else "1.0"
    for attempt in range(1, 6):
        now = timezone.now()
        try:
            with transaction.atomic():
                version = PlanVersion.objects.create(
                    plan_id=plan_id, label=label, status=rules.PUBLISHED, files=files,
                    content_hash=files_hash(files), created_by_name=SYSTEM, status_changed_at=now,
                    status_changed_by_name=SYSTEM, published_at=now)
                audit.record(None, "version.import", f"Version {label} of {plan_id} imported from the plan folder, "
                             "as the published version", IMPORT_REASON, object_type="plan", object_id=plan_id,
                             plan_id=plan_id, plan_version=label, after={"status": rules.PUBLISHED})
            return version
        except IntegrityError:  # another request imported it first
            version = PlanVersion.objects.filter(plan_id=plan_id).order_by("id").first()
            if version is None:
                raise
            return version
        except OperationalError as exc:  # SQLite: another request holds the write lock while it imports
            if "locked" not in str(exc) or attempt == 5:
                raise
            time.sleep(0.05 * attempt)
            version = PlanVersion.objects.filter(plan_id=plan_id).order_by("id").first()
            if version is not None:
                return version
    raise AssertionError("unreachable")


def _plan_id(plan_id: str | None) -> str | None:
    return plan_id or settings_plan_id()


def shown_version(plan_id: str | None = None) -> PlanVersion | None:
    """The version the pages show: the plan's newest published version (the settings' plan by default),
    importing the plan folder first when the database holds no version of it."""
    plan_id = _plan_id(plan_id)
    if plan_id is None:
        return None
    version = PlanVersion.objects.filter(plan_id=plan_id, status=rules.PUBLISHED).order_by(
        "-published_at", "-id").first()
    if version is None and not PlanVersion.objects.filter(plan_id=plan_id).exists():
        ensure_imported()
        return shown_version(plan_id)
    return version


def current_draft(plan_id: str | None = None) -> PlanVersion | None:
    """The plan's newest draft (the settings' plan by default), or ``None`` when it has none."""
    plan_id = _plan_id(plan_id)
    if plan_id is None:
        return None
    return PlanVersion.objects.filter(plan_id=plan_id, status=rules.DRAFT).order_by("-created_at", "-id").first()


def versions(plan_id: str | None = None):
    """Every version of the plan (the settings' plan by default), newest first."""
    ensure_imported()
    return PlanVersion.objects.filter(plan_id=_plan_id(plan_id)).select_related("parent").order_by(
        "-created_at", "-id")


def get(pk: int) -> PlanVersion:
    return PlanVersion.objects.select_related("parent").get(pk=pk)


def plan_of(version: PlanVersion):
    """The plan a version holds (:func:`policingplan.services.plan.read_files`), or ``None`` with the problems."""
    from policingplan.services.plan import read_files

    return read_files(version.files)


# --- changes --------------------------------------------------------------------------------------


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ReasonMissing()
    return text


def _user_roles(user) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    from policingplan.web.access import user_roles

    return user_roles(user)[0]


def _name(user) -> str:
    return user.get_username() if user is not None and getattr(user, "is_authenticated", False) else SYSTEM


def _locked_row(version: PlanVersion | int) -> PlanVersion:
    pk = version.pk if isinstance(version, PlanVersion) else int(version)
    return PlanVersion.objects.select_for_update().get(pk=pk)


def _locked_draft(version: PlanVersion | int) -> PlanVersion:
    """The version's row, locked for this transaction; :class:`VersionLocked` unless it is a draft."""
    row = _locked_row(version)
    if row.status != rules.DRAFT:
        raise VersionLocked(f"Version {row.label} is {row.status_name.lower()}: only a draft can be changed. "
                            "Start a new draft to change it.")
    return row


def _save(version: PlanVersion, fields: list[str]) -> None:
    """Write the version's row (the last step of every change, inside its transaction)."""
    version.save(update_fields=fields + ["updated_at", "revision"])


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-15)
    norm = lambda v: str(v).replace("\r\n", "\n").strip()  # noqa: E731
    return norm(a) == norm(b)


def target_id(measure: str, scope: str, period: str) -> str:
    """A target's id in the audit trail: ``neighbourhood-crime/E09000022/2023/24``."""
    return f"{measure}/{scope}/{period}"


def edit_target(version: PlanVersion | int, measure: str, scope: str, period: str, *, changes: dict, seen: dict,
                user, reason: str) -> PlanVersion:
    """Change one target of a draft: ``changes`` sets some of its ``value``, ``minimum``, ``maximum`` and
    ``rationale``; ``seen`` holds the values of those fields as the user saw them.

    Refuses, changing nothing, with :class:`ReasonMissing` (no reason), :class:`VersionLocked` (not a
    draft), :class:`EditConflict` (a field's stored value is no longer the one in ``seen``: someone
    else saved first; ``current`` holds the stored values), or :class:`InvalidEdit` (no such target, the
    same values, or a plan that would not be valid).  ``user`` is the signed-in user (``None``: the
    system); the caller checks the user's role.  Returns the version as saved.
    """
    from policingplan.services.plan import files_with_target, find_target, read_files

    why = _reason(reason)
    with transaction.atomic():
        row = _locked_draft(version)
        plan, problems = read_files(row.files)
        target = find_target(plan, measure, scope, period) if plan is not None else None
        if target is None:
            raise InvalidEdit(f"Version {row.label} has no target for {measure} in {scope} for {period}")
        current = {name: getattr(target, name) for name in set(changes) | set(seen)
                   if name in ("value", "minimum", "maximum", "rationale")}
        stale = [name for name in seen if name in current and not _same(current[name], seen[name])]
        if stale:
            raise EditConflict(
                "Someone else changed this target after you opened it, so your change was not saved. "
                "Its values now are shown below: check them, then make your change again if it is still needed.",
                current=current, seen=seen)
        if all(_same(current.get(name), value) for name, value in changes.items()):
            raise InvalidEdit("The new values are the same as the current ones: change at least one", field="value")
        try:
            files, before, after = files_with_target(row.files, measure, scope, period, changes)
        except UserError as exc:
            raise InvalidEdit(f"The change would not give a valid plan: {exc}", problems=exc.problems) from None
        row.files = files
        row.content_hash = files_hash(files)
        row.revision += 1
        audit.record(user, "target.edit", _edit_words(plan, target, before, after), why, object_type="target",
                     object_id=target_id(measure, scope, period), plan_id=row.plan_id, plan_version=row.label,
                     before=before, after=after)
        _save(row, ["files", "content_hash"])
    return row


def text_hash(text: str) -> str:
    """The fingerprint of a narrative section's text as a user saw it (optimistic locking)."""
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def narrative_section(plan, section_id: str):
    """The plan's narrative section with this id, or ``None``."""
    return next((s for s in (plan.narrative if plan is not None else []) if s.id == section_id), None)


def edit_narrative(version: PlanVersion | int, section_id: str, *, text: str, seen_hash: str, user,
                   reason: str) -> PlanVersion:
    """Rewrite one narrative section of a draft (its Markdown file), when its text is still the one the
    user saw (``seen_hash``, :func:`text_hash`).  Refuses, changing nothing, as :func:`edit_target` does:
    :class:`ReasonMissing`, :class:`VersionLocked`, :class:`EditConflict` (``current`` holds the text now),
    :class:`InvalidEdit` (no such section, or the same text)."""
    from policingplan.services.plan import read_files

    why = _reason(reason)
    text = text.replace("\r\n", "\n").strip() + "\n"
    with transaction.atomic():
        row = _locked_draft(version)
        plan, _ = read_files(row.files)
        section = narrative_section(plan, section_id)
        if section is None:
            raise InvalidEdit(f"Version {row.label} has no narrative section {section_id!r}", field="text")
        current = row.files.get(section.file, "")
        if text_hash(current) != seen_hash:
            raise EditConflict(
                "Someone else changed this section after you opened it, so your change was not saved. Its text "
                "now is shown below: check it, then make your change again if it is still needed.",
                current={"text": current}, seen={"hash": seen_hash})
        if current.strip() == text.strip():
            raise InvalidEdit("The text is the same as the current one: change it, or cancel", field="text")
        files = dict(row.files)
        files[section.file] = text
        row.files = files
        row.content_hash = files_hash(files)
        row.revision += 1
        audit.record(user, "narrative.edit", f"The narrative section ‘{section.title}’ rewritten "
                     f"({len(current.split()):,} words to {len(text.split()):,})", why, object_type="narrative",
                     object_id=section.id, plan_id=row.plan_id, plan_version=row.label,
                     before={"file": section.file, "text": current}, after={"file": section.file, "text": text})
        _save(row, ["files", "content_hash"])
    return row


def target_name(plan, target) -> str:
    """A target in words: ``Neighbourhood crime in Lambeth, 2023/24`` (``the force`` for a corporate one)."""
    measures = {m.id: m.name for m in plan.measures}
    units = {u.code: u.name for u in plan.units}
    where = "the force" if target.scope == "force" else units.get(target.scope, target.scope)
    return f"{measures.get(target.measure, target.measure)} in {where}, {target.period}"


def figure(plan, target, value: Any) -> str:
    """A target's figure as the pages write it: a change as a signed percentage, a rate as a percentage,
    a count with thousands commas."""
    from policingplan.formatting import fmt_int, fmt_num, fmt_pct

    if value is None:
        return "none"
    if isinstance(value, str):
        return value
    if percent_figure(plan, target):
        return fmt_pct(value, 1, signed=target.kind in ("change", "range") and target.baseline_period is not None)
    return fmt_int(value) if float(value).is_integer() else fmt_num(value, 2)


def percent_figure(plan, target) -> bool:
    """Whether a target's figures are percentages (a change on a baseline, or a rate's level)."""
    measure = next((m for m in plan.measures if m.id == target.measure), None)
    if target.kind == "change" or (target.kind == "range" and target.baseline_period is not None):
        return True
    return measure is not None and measure.kind == "ratio"


def _edit_words(plan, target, before: dict, after: dict) -> str:
    parts = []
    for name in ("value", "minimum", "maximum", "rationale"):
        if name in after and not _same(before.get(name), after.get(name)):
            if name == "rationale":
                parts.append("rationale changed")
            else:
                parts.append(f"{name} {figure(plan, target, before.get(name))} to {figure(plan, target, after[name])}")
    return f"{target_name(plan, target)}: " + ("; ".join(parts) or "no change")


def _check_step(row: PlanVersion, step_id: str, user) -> rules.Step:
    step = rules.STEPS[step_id]
    problem = rules.why_not(step_id, row.status)
    if problem:
        raise VersionLocked(f"Version {row.label}: {problem}.")
    if user is not None and not (_user_roles(user) & step.roles):
        raise NotAllowed("Only the performance team may do this.")
    return step


def start_draft(source: PlanVersion | int, *, user, reason: str) -> PlanVersion:
    """A new draft started from ``source``: its files, with the next version label and status draft in
    plan.yaml, and ``source`` kept as ``versions/<label>/`` so that the changes since it can be shown."""
    from policingplan.services.plan import files_with_version

    why = _reason(reason)
    with transaction.atomic():
        parent = _locked_row(source)
        _check_step(parent, "start-draft", user)
        taken = PlanVersion.objects.filter(plan_id=parent.plan_id).values_list("label", flat=True)
        label = rules.next_label(parent.label, taken)
        try:
            files = files_with_version(parent.files, label, rules.PLAN_STATUS[rules.DRAFT])
        except UserError as exc:
            raise InvalidEdit(f"Version {parent.label} does not hold a valid plan: {exc}", problems=exc.problems) \
                from None
        kept = {f"versions/{parent.label}/{name}": text for name, text in parent.files.items()
                if not name.startswith("versions/")}
        files.update(kept)
        draft = PlanVersion.objects.create(
            plan_id=parent.plan_id, label=label, status=rules.DRAFT, files=files, content_hash=files_hash(files),
            parent=parent, created_by=user if _name(user) != SYSTEM else None, created_by_name=_name(user),
            status_changed_at=timezone.now(), status_changed_by_name=_name(user))
        audit.record(user, "version.start-draft", f"Draft {label} of {parent.plan_id} started from version "
                     f"{parent.label}", why, object_type="plan", object_id=parent.plan_id, plan_id=parent.plan_id,
                     plan_version=label, before={"from": parent.label}, after={"status": rules.DRAFT})
    return draft


def take_step(version: PlanVersion | int, step_id: str, *, user, reason: str, meeting: str = "") -> PlanVersion:
    """Move a version on in the workflow (``consult``, ``withdraw``, ``approve``, ``publish``), as
    :data:`policingplan.web.editing.rules.STEPS` allows.  Approval records the reason as the plan's
    amendment for this version (its date today); publishing makes the version the one the pages show,
    and the one published before it superseded."""
    from datetime import date

    from policingplan.services.plan import files_with_version

    if step_id == "start-draft":
        return start_draft(version, user=user, reason=reason)
    why = _reason(reason)
    published = False
    with transaction.atomic():
        row = _locked_row(version)
        step = _check_step(row, step_id, user)
        before = row.status
        fields = ["status", "status_changed_at", "status_changed_by_name"]
        if step_id == "approve":
            amendment = {"version": row.label, "date": date.today(), "summary": why, "reason": why}
            if meeting.strip():
                amendment["meeting"] = meeting.strip()
            try:
                row.files = files_with_version(row.files, row.label, rules.PLAN_STATUS[rules.APPROVED], amendment)
            except UserError as exc:
                raise InvalidEdit(f"Version {row.label} cannot be approved: {exc}", problems=exc.problems) from None
            _check_valid(row)
            row.content_hash = files_hash(row.files)
            fields += ["files", "content_hash"]
        if step_id == "publish":
            now = timezone.now()
            for old in PlanVersion.objects.select_for_update().filter(plan_id=row.plan_id, status=rules.PUBLISHED):
                old.status, old.status_changed_at, old.status_changed_by_name = rules.SUPERSEDED, now, _name(user)
                old.revision += 1
                _save(old, ["status", "status_changed_at", "status_changed_by_name"])
                audit.record(user, "version.supersede", f"Version {old.label} of {old.plan_id} superseded by "
                             f"{row.label}", why, object_type="plan", object_id=old.plan_id, plan_id=old.plan_id,
                             plan_version=old.label, before={"status": rules.PUBLISHED},
                             after={"status": rules.SUPERSEDED})
            row.published_at = now
            fields.append("published_at")
            published = True
        row.status = step.to_status
        row.status_changed_at = timezone.now()
        row.status_changed_by_name = _name(user)
        row.revision += 1
        audit.record(user, f"version.{step_id}", f"Version {row.label} of {row.plan_id} {step.done}", why,
                     object_type="plan", object_id=row.plan_id, plan_id=row.plan_id, plan_version=row.label,
                     before={"status": before}, after={"status": row.status})
        _save(row, fields)
    if published:
        transaction.on_commit(_published_now)
        _published_now()
    return row


def _check_valid(row: PlanVersion) -> None:
    """An approved version must validate as ``policingplan validate`` checks a folder (the unit targets
    meeting the force's included)."""
    import tempfile
    from pathlib import Path

    from policingplan.services.plan import validate, write_folder

    with tempfile.TemporaryDirectory(prefix="policingplan-check-") as scratch:
        folder = Path(scratch) / "plan"
        write_folder(row.files, folder)
        result = validate(folder)
    if not result.ok:
        first = result.errors[0]
        where = f"{first.file.replace(str(folder) + '/', '')}: " if first.file else ""
        raise InvalidEdit(f"Version {row.label} cannot be approved: the plan is not valid ({where}{first.message})",
                          problems=[p.problem("error") for p in result.errors])


def _published_now() -> None:
    from policingplan.web import figures, shown

    shown.forget()
    figures.clear()


def add_comment(version: PlanVersion | int, *, user, text: str, measure: str = "") -> Comment:
    """A comment on a version in consultation, on one measure or (``measure`` blank) the whole plan."""
    body = (text or "").strip()
    if not body:
        raise ReasonMissing("Enter your comment", field="text")
    with transaction.atomic():
        row = _locked_row(version)
        if not rules.may_comment(row.status, _user_roles(user) if user is not None else {rules.PERFORMANCE}):
            if row.status != rules.CONSULTATION:
                raise VersionLocked(f"Version {row.label} is {row.status_name.lower()}: comments are taken only "
                                    "while a version is in consultation.")
            raise NotAllowed("Your role may not comment on the plan.")
        roles = _user_roles(user)
        role = next((r for r in ("commander", "viewer", "performance") if r in roles), "")
        comment = Comment.objects.create(version=row, who=user if _name(user) != SYSTEM else None,
                                         who_name=_name(user), role=role, measure=measure, text=body)
        about = f"the measure {measure}" if measure else "the whole plan"
        audit.record(user, "version.comment", f"Comment on {about} in version {row.label}: {body[:200]}",
                     "consultation comment", object_type="comment", object_id=str(comment.pk), plan_id=row.plan_id,
                     plan_version=row.label, after={"measure": measure, "text": body})
    return comment


__all__ = [
    "EditConflict", "EditRefused", "InvalidEdit", "NotAllowed", "ReasonMissing", "VersionLocked", "add_comment",
    "current_draft", "edit_target", "ensure_imported", "shown_version", "start_draft", "take_step", "versions",
]
