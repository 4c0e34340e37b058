"""The planning cycle in the application: its dates, proposals and commentary, each change audited.

Every change here is made inside ``transaction.atomic()`` together with its entry in the
audit trail (:func:`policingplan.web.audit.record`), so that both are stored or neither.
The rules (what is outstanding, when a borough is agreed) are :mod:`.rules`, which is pure.

"Today", for the days left to each date, is ``POLICINGPLAN_CYCLE_TODAY`` (a date written
YYYY-MM-DD, from the Django settings or the environment) when it is set, else the real
date; a page may also be asked for the cycle as at another date (:func:`parse_as_at`).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from policingplan.formatting import fmt_pct
from policingplan.plan.model import FORCE, Plan
from policingplan.web import audit, figures
from policingplan.web.cycle import rules
from policingplan.web.cycle.models import Commentary, Milestone, Proposal

TODAY_SETTING = "POLICINGPLAN_CYCLE_TODAY"


class Refused(Exception):
    """A change the application refuses: the message in words, and the form field it is about."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


# --- today ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Today:
    """The date the cycle is counted from, and where it comes from: 'setting', 'chosen' or 'real'."""

    date: dt.date
    source: str


def configured_today() -> Today:
    """``POLICINGPLAN_CYCLE_TODAY`` when set (a bad value is ignored, and the real date used), else today."""
    text = getattr(settings, TODAY_SETTING, None) or os.environ.get(TODAY_SETTING, "")
    if text:
        try:
            return Today(dt.date.fromisoformat(str(text).strip()), "setting")
        except ValueError:
            pass
    return Today(timezone.localdate(), "real")


def parse_as_at(text: str) -> dt.date:
    """A date the page is asked to be shown as at, written YYYY-MM-DD; :class:`Refused` naming the value."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise Refused(f"'{text}' is not a date; enter a date written year-month-day, such as 2007-03-06",
                      "as_at") from None


# --- the cycle's dates -------------------------------------------------------------------------------


def milestones(plan: Plan) -> list[Milestone]:
    """The plan's milestones, earliest first; seeded (:func:`.rules.seed_milestones`) on first use."""
    found = list(Milestone.objects.filter(plan_id=plan.id).order_by("date", "id"))
    if found:
        return found
    seeds = rules.seed_milestones(plan)
    try:
        with transaction.atomic():
            for seed in seeds:
                Milestone.objects.create(plan_id=plan.id, key=seed.key, name=seed.name, date=seed.date,
                                         due=seed.due, requires=list(seed.requires), source=seed.source,
                                         assumed=seed.assumed)
            audit.record(None, "cycle.seed", f"The planning cycle's {len(seeds)} dates for {plan.name}, first set",
                         "First use of the planning cycle for this plan: its dates are seeded from the sources "
                         "each names.", object_type="cycle", object_id=plan.id, plan_id=plan.id,
                         plan_version=plan.version,
                         after=[{"key": s.key, "date": s.date.isoformat(), "assumed": s.assumed} for s in seeds])
    except IntegrityError:
        pass  # another request seeded them first
    return list(Milestone.objects.filter(plan_id=plan.id).order_by("date", "id"))


def edit_milestone(user, milestone: Milestone, *, name: str, date: dt.date, due: str, reason: str) -> Milestone:
    """Change a milestone's name, date or what must be done by then, for ``reason``; audited."""
    if not (reason or "").strip():
        raise Refused("Enter the reason for the change", "reason")
    before = {"name": milestone.name, "date": milestone.date.isoformat(), "due": milestone.due,
              "source": milestone.source, "assumed": milestone.assumed}
    with transaction.atomic():
        row = Milestone.objects.select_for_update().get(pk=milestone.pk)
        changed_date = row.date != date
        row.name, row.date, row.due = name, date, due
        if changed_date:
            row.source = (f"Set by {user.get_username()} on {rules.fmt_day(timezone.localdate())}: "
                          f"{reason.strip()}")
            row.assumed = False
        row.save()
        after = {"name": row.name, "date": row.date.isoformat(), "due": row.due, "source": row.source,
                 "assumed": row.assumed}
        if after == before:
            raise Refused("Nothing was changed: change the name, the date or what must be done by then", "date")
        audit.record(user, "cycle.milestone.edit",
                     f"{before['name']}: {rules.fmt_day(dt.date.fromisoformat(before['date']))} to "
                     f"{rules.fmt_day(row.date)}" if changed_date else f"{row.name}: its name or what is due changed",
                     reason, object_type="milestone", object_id=f"{row.plan_id}/{row.key}", plan_id=row.plan_id,
                     before=before, after=after)
    return row


# --- outstanding ------------------------------------------------------------------------------------


def open_proposals(plan: Plan) -> list[Proposal]:
    return list(Proposal.objects.filter(plan_id=plan.id, period=plan.period, status=Proposal.OPEN))


def cases_awaiting_decision() -> list[rules.Case]:
    """The business cases submitted and not yet decided, for the plan shown (the investment area's state)."""
    from policingplan.web.investment.state import cases_awaiting_decision as awaiting

    return [rules.Case(c.id, c.title, c.amount) for c in awaiting()]


def outstanding(plan: Plan) -> rules.Outstanding:
    proposals = [rules.OpenProposal(p.unit, p.measure) for p in open_proposals(plan)]
    return rules.outstanding(plan, proposals, cases_awaiting_decision())


# --- proposals ---------------------------------------------------------------------------------------


def unit_target(plan: Plan, unit: str, measure: str):
    """The plan's target for a borough's measure in the plan's year, or ``None``."""
    return next((t for t in plan.targets if t.scope == unit and t.measure == measure and t.period == plan.period),
                None)


def proposal_words(plan: Plan, measure_id: str, value: float) -> str:
    """A change proposal in words: ``5.5% fewer`` or ``2.0% more``."""
    if value == 0:
        return "no change"
    return f"{fmt_pct(abs(value))} {'fewer' if value < 0 else 'more'}"


def read_change(plan: Plan, measure_id: str, text: str) -> float:
    """The change a commander proposes, as the plan stores it (a signed fraction), from the percentage they
    typed: for a measure where lower is better they type the reduction (5.5 for 5.5% fewer), else the
    increase.  :class:`Refused` naming the value and what is accepted."""
    from policingplan.formatting import read_fraction

    measure = plan.measure(measure_id)
    word = "reduction" if measure.polarity == "lower" else "increase"
    cleaned = (text or "").strip().rstrip("%").strip()
    if not cleaned:
        raise Refused(f"Enter the {word} you propose, as a percentage, such as 5.5", "change")
    number = read_fraction(cleaned + "%")
    if number is None:
        raise Refused(f"The {word} '{text.strip()}' is not a number; enter a percentage, such as 5.5", "change")
    if not 0 <= number < 1:
        raise Refused(f"The {word} '{text.strip()}' is outside what is accepted: a percentage from 0 up to, but "
                      "not including, 100", "change")
    return round(-number if measure.polarity == "lower" else number, 6)


def propose(user, plan: Plan, unit: str, measure_id: str, value: float, reason: str) -> Proposal:
    """A commander's proposal for their borough's measure (the caller has checked the borough is theirs)."""
    if not (reason or "").strip():
        raise Refused("Enter the reason for your proposal", "reason")
    if measure_id not in rules.unit_target_measures(plan):
        raise Refused(f"The plan sets no borough targets for '{measure_id}', so none can be proposed", "measure")
    name = plan.unit(unit).name
    words = proposal_words(plan, measure_id, value)
    current = unit_target(plan, unit, measure_id)
    if current is not None and current.value is not None and proposal_words(plan, measure_id, current.value) == words:
        raise Refused(f"{words.capitalize()} is {name}'s target now: propose a different one", "change")
    try:
        with transaction.atomic():
            proposal = Proposal.objects.create(plan_id=plan.id, unit=unit, measure=measure_id, period=plan.period,
                                               kind="change", value=value, reason=reason.strip(),
                                               proposed_by=user, proposed_by_name=user.get_username())
            audit.record(user, "proposal.create",
                         f"{name}, {plan.measure(measure_id).name} {plan.period}: proposed {words}", reason,
                         object_type="proposal", object_id=str(proposal.pk), plan_id=plan.id,
                         plan_version=plan.version, before={"value": current.value if current else None},
                         after={"value": value, "status": Proposal.OPEN})
    except IntegrityError:
        raise Refused(f"{name} already has an open proposal for {plan.measure(measure_id).name}: withdraw it "
                      "before proposing another", "change") from None
    return proposal


def _close(user, proposal: Proposal, status: str, reason: str, action: str, what: str, apply=None):
    if not (reason or "").strip():
        raise Refused("Enter the reason", "reason")
    with transaction.atomic():
        row = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if row.status != Proposal.OPEN:
            raise Refused(f"This proposal is already {row.get_status_display().lower()}, by {row.closed_by_name} "
                          f"on {rules.fmt_day(timezone.localtime(row.closed_at).date())}", "reason")
        row.status, row.closed_by, row.closed_by_name = status, user, user.get_username()
        row.closed_at, row.closed_reason = timezone.now(), reason.strip()
        row.save()
        audit.record(user, action, what, reason, object_type="proposal", object_id=str(row.pk), plan_id=row.plan_id,
                     before={"status": Proposal.OPEN}, after={"status": status})
        if apply is not None:
            apply()
    return row


def withdraw(user, plan: Plan, proposal: Proposal, reason: str) -> Proposal:
    name = plan.unit(proposal.unit).name
    return _close(user, proposal, Proposal.WITHDRAWN, reason, "proposal.withdraw",
                  f"{name}, {_measure_name(plan, proposal.measure)}: proposal of "
                  f"{proposal_words(plan, proposal.measure, proposal.value)} withdrawn")


def decline(user, plan: Plan, proposal: Proposal, reason: str) -> Proposal:
    name = plan.unit(proposal.unit).name
    return _close(user, proposal, Proposal.DECLINED, reason, "proposal.decline",
                  f"{name}, {_measure_name(plan, proposal.measure)}: proposal of "
                  f"{proposal_words(plan, proposal.measure, proposal.value)} declined")


def editing_store():
    """The plan editing store (:mod:`policingplan.web.editing.store`) when it is there with ``edit_target``."""
    try:
        from policingplan.web.editing import store
    except ImportError:
        return None
    return store if hasattr(store, "edit_target") and hasattr(store, "current_draft") else None


_drafts: dict[tuple, Plan | None] = {}


@dataclass(frozen=True)
class CyclePlan:
    """The plan the cycle is checked against: the current draft's when there is one (the plan being
    prepared), else the plan shown; ``label`` says which, in words."""

    plan: Plan
    draft: object | None
    label: str


def cycle_plan(shown: Plan) -> CyclePlan:
    """The current draft of the plan shown (plan editing's), else the plan shown itself."""
    store = editing_store()
    draft = store.current_draft(shown.id) if store is not None else None
    if draft is not None:
        key = (draft.pk, draft.content_hash)
        if key not in _drafts:
            plan, _ = store.plan_of(draft)
            if len(_drafts) > 50:
                _drafts.clear()
            _drafts[key] = plan
        if _drafts[key] is not None:
            return CyclePlan(_drafts[key], draft, f"draft {draft.label}")
    return CyclePlan(shown, None, f"version {shown.version}, the plan shown")


@dataclass(frozen=True)
class Accepted:
    proposal: Proposal
    applied_to: str  # the draft version's label it was applied to


def accept(user, shown: Plan, proposal: Proposal, reason: str, seen: float | None) -> Accepted:
    """Accept a proposal: applied to the current draft through the editing store's ``edit_target``, in the same
    transaction, refusing (the proposal stays open) when there is no draft, or when the draft's target is no
    longer ``seen`` (someone changed it since the page was opened), or when the store refuses the change."""
    store = editing_store()
    draft = store.current_draft(shown.id) if store is not None else None
    if draft is None:
        raise Refused("There is no draft of the plan to apply the proposal to: start a draft on the plan versions "
                      "page, then accept it. Nothing was changed", "decision-accept")
    name = shown.unit(proposal.unit).name

    def apply():
        store.edit_target(draft, proposal.measure, proposal.unit, proposal.period,
                          changes={"value": proposal.value}, seen={"value": seen}, user=user,
                          reason=f"Proposal by {proposal.proposed_by_name} accepted: {reason.strip()}")

    try:
        row = _close(user, proposal, Proposal.ACCEPTED, reason, "proposal.accept",
                     f"{name}, {_measure_name(shown, proposal.measure)}: proposal of "
                     f"{proposal_words(shown, proposal.measure, proposal.value)} accepted and applied to draft "
                     f"{draft.label}", apply)
    except store.EditRefused as exc:
        raise Refused(f"The draft was not changed, so the proposal stays open: {exc.message}",
                      "decision-accept") from None
    return Accepted(row, draft.label)


def _measure_name(plan: Plan, measure_id: str) -> str:
    try:
        return plan.measure(measure_id).name
    except KeyError:
        return measure_id


# --- commentary ---------------------------------------------------------------------------------------


def plan_months(plan: Plan) -> list[str]:
    """The months of the plan's financial year, ``YYYY-MM``, April first."""
    from policingplan.periods import FinancialYear

    start = FinancialYear(plan.period).start_year
    return [f"{start + (m < 4 and 1 or 0):04d}-{m:02d}" for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]


def add_commentary(user, role: str, plan: Plan, unit: str, measure_id: str, month: str, text: str) -> Commentary:
    """Commentary on a borough's position for a measure and month (the caller has checked who may write it)."""
    if not (text or "").strip():
        raise Refused("Enter your commentary", "text")
    with transaction.atomic():
        row = Commentary.objects.create(plan_id=plan.id, unit=unit, measure=measure_id, month=month,
                                        text=text.strip(), written_by=user, written_by_name=user.get_username(),
                                        role=role)
        audit.record(user, "commentary.add", f"Commentary on {plan.unit(unit).name}, "
                     f"{_measure_name(plan, measure_id)}, {month}", "Commentary written on the borough's position",
                     object_type="commentary", object_id=str(row.pk), plan_id=plan.id, plan_version=plan.version,
                     after={"text": row.text})
    return row


def commentary(plan: Plan, unit: str, limit: int | None = None) -> list[Commentary]:
    rows = Commentary.objects.filter(plan_id=plan.id, unit=unit).order_by("-written_at", "-id")
    return list(rows[:limit] if limit else rows)


def recent_commentary(unit_code: str, limit: int = 3) -> dict:
    """A borough's most recent commentary on the plan shown, for the include
    ``policingplan/cycle/_commentary.html`` (``{% include ... with commentary=commentary %}``):
    ``items`` (newest first: measure name, month, text, who, role, when), ``unit``, ``slug``, ``more`` (how many
    more there are)."""
    from policingplan.web import present

    plan = figures.plan()
    rows = Commentary.objects.filter(plan_id=plan.id, unit=unit_code)
    total = rows.count()
    items = [present_commentary(plan, row) for row in rows.order_by("-written_at", "-id")[:limit]]
    name = plan.unit(unit_code).name if unit_code != FORCE else plan.organisation
    return {"items": items, "unit": name, "slug": present.slug(name), "more": max(0, total - len(items)),
            "total": total}


def present_commentary(plan: Plan, row: Commentary) -> dict:
    from policingplan.web.present import month_label

    return {"id": row.pk, "measure": row.measure, "measure_name": _measure_name(plan, row.measure),
            "month": row.month, "month_label": month_label(row.month), "text": row.text,
            "who": row.written_by_name, "role": {"commander": "Borough commander",
                                                 "performance": "Performance team"}.get(row.role, row.role),
            "when": timezone.localtime(row.written_at)}
