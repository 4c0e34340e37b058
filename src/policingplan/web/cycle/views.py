"""The planning cycle's pages: what is outstanding against its dates, commanders' proposals, and commentary.

Who may open each URL is decided before a view runs, by the catalogue (:mod:`policingplan.web.roles`);
a view that serves several roles asks :func:`policingplan.web.access.user_roles` what this user may do
on it (a commander writes for their own borough; the performance team for any).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse

from policingplan.formatting import fmt_int, fmt_money
from policingplan.periods import Month, PeriodError
from policingplan.plan.model import Plan
from policingplan.web import downloads, figures, present
from policingplan.web import roles as catalogue
from policingplan.web.access import may_open, user_roles
from policingplan.web.cycle import rules, state
from policingplan.web.cycle.models import Milestone, Proposal


# --- helpers -----------------------------------------------------------------------------------------


def _unit_by_slug(plan: Plan, slug: str):
    for unit in plan.units:
        if present.slug(unit.name) == slug:
            return unit
    raise Http404(f"No borough of the plan is called {slug!r}.")


def _slug_of(plan: Plan, code: str) -> str:
    return present.slug(plan.unit(code).name)


def _link(request, name: str, *args, **kwargs) -> str | None:
    """The URL named ``name`` when it exists and this user may open it; else ``None``."""
    try:
        url = reverse(name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return None
    borough = kwargs.get("borough")
    return url if may_open(request, name, borough) else None


def _measure_name(plan: Plan, measure_id: str) -> str:
    try:
        return plan.measure(measure_id).name
    except KeyError:
        return measure_id


def _errors(errors: dict[str, str]) -> list[tuple[str, str]]:
    return list(errors.items())


def change_words(plan: Plan, measure_id: str, value: float | None, target=None) -> str:
    """A change target in words: ``3.1% fewer than 2022/23 (8,217): at most 7,963 offences``."""
    if value is None:
        return "–"
    words = state.proposal_words(plan, measure_id, value)
    if target is None or target.baseline is None:
        return words
    measure = plan.measure(measure_id)
    bound = "at most" if measure.polarity == "lower" else "at least"
    return (f"{words} than {target.baseline_period} ({fmt_int(target.baseline)}): {bound} "
            f"{fmt_int(round(target.baseline * (1 + value)))} {measure.unit_of_count}")


def _proposal_row(request, plan: Plan, p: Proposal) -> dict:
    target = state.unit_target(plan, p.unit, p.measure)
    slug = _slug_of(plan, p.unit)
    return {
        "id": p.pk, "unit": plan.unit(p.unit).name, "slug": slug, "measure": p.measure,
        "measure_name": _measure_name(plan, p.measure), "period": p.period,
        "proposed": change_words(plan, p.measure, p.value, target),
        "current": change_words(plan, p.measure, target.value, target) if target else "No target yet",
        "reason": p.reason, "status": p.status, "status_name": p.get_status_display(),
        "status_tag": {"open": "blue", "accepted": "green", "declined": "red", "withdrawn": "grey"}[p.status],
        "by": p.proposed_by_name, "at": p.proposed_at, "closed_by": p.closed_by_name, "closed_at": p.closed_at,
        "closed_reason": p.closed_reason,
        "decide": _link(request, "cycle-proposal", proposal=p.pk) if p.status == Proposal.OPEN else None,
        "withdraw": (_link(request, "borough-proposal-withdraw", borough=slug, proposal=p.pk)
                     if p.status == Proposal.OPEN else None),
    }


# --- the outstanding page -----------------------------------------------------------------------------


def cycle(request):
    """The cycle's dates, the days left to each, and what is outstanding against them (in the current draft,
    when there is one: the plan being prepared; else in the plan shown)."""
    against = state.cycle_plan(figures.plan())
    plan = against.plan
    today = state.configured_today()
    errors: dict[str, str] = {}
    as_at_text = request.GET.get("as_at", "").strip()
    if as_at_text:
        try:
            today = state.Today(state.parse_as_at(as_at_text), "chosen")
        except state.Refused as exc:
            errors[exc.field] = exc.message
    milestones = state.milestones(plan)
    found = state.outstanding(plan)
    keys = [(m.key, m.date, m.requires) for m in milestones]
    next_key = rules.next_milestone([(m.key, m.date) for m in milestones], today.date)
    rows = []
    for m in milestones:
        kinds = [k for k in rules.KINDS if k in m.requires]
        left = sum(found.count(k) for k in kinds)
        rows.append({
            "m": m, "words": rules.due_in_words(m.name, m.date, today.date),
            "when": rules.relative_words(m.date, today.date), "past": m.date < today.date,
            "next": m.key == next_key, "kinds": [rules.KIND_NAMES[k].lower() for k in kinds], "left": left,
            "overdue": m.date < today.date and left > 0, "edit": _link(request, "cycle-milestone", milestone=m.pk),
        })
    by_key = {r["m"].key: r for r in rows}
    last = rows[-1] if rows else None
    headline = by_key[next_key] if next_key else last

    def due_for(kind: str):
        key = rules.first_requiring(keys, kind)
        return by_key.get(key) if key else None

    measures = {m.id: m for m in plan.measures}
    sections = []
    borough_items = []
    for a in found.boroughs:
        slug = _slug_of(plan, a.unit)
        what = []
        if a.missing:
            what.append("no target for " + ", ".join(_measure_name(plan, m) for m in a.missing))
        if a.open:
            what.append("an open proposal for " + ", ".join(_measure_name(plan, m) for m in a.open))
        sentence = "; ".join(what)
        borough_items.append({"name": a.name, "what": sentence[:1].upper() + sentence[1:],
                              "link": _link(request, "borough-proposals", borough=slug),
                              "link_text": f"{a.name}'s proposals"})
    sections.append({"kind": rules.TARGETS, "items": borough_items,
                     "empty": "Every borough's targets are agreed."})
    measure_items = [{"name": measures[m].name, "what": "a Critical Performance Area" if measures[m].cpa else "",
                      "link": _link(request, "measure", measure=m), "link_text": "See its figures"}
                     for m in found.measures]
    sections.append({"kind": rules.MEASURES, "items": measure_items,
                     "empty": f"Every measure has a target for {plan.period}."})
    sections_by_id = {s.id: s for s in plan.narrative}
    narrative_items = [{"name": sections_by_id[s].title, "what": f"The file {sections_by_id[s].file} has no text yet",
                        "link": None, "link_text": ""} for s in found.narrative]
    sections.append({"kind": rules.NARRATIVE, "items": narrative_items,
                     "empty": "Every narrative section is written." if plan.narrative else
                     "The plan has no narrative sections."})
    from policingplan.web import roles as catalogue
    from policingplan.web.access import user_roles

    deciding = catalogue.decide("portfolio-case", "POST", user_roles(request.user)[0]) == "allow"
    case_items = [{"name": c.title, "what": fmt_money(c.amount) if c.amount else "No amount yet",
                   "link": _link(request, "portfolio-case", case=c.id) or _link(request, "portfolio"),
                   "link_text": "Decide it" if deciding else "See the case"} for c in found.cases]
    sections.append({"kind": rules.CASES, "items": case_items, "empty": "No business case is awaiting a decision."})
    overdue = 0
    for s in sections:
        s["title"] = rules.KIND_NAMES[s["kind"]]
        s["due"] = due_for(s["kind"])
        if s["due"] and s["due"]["past"]:
            overdue += len(s["items"])
    roles, _ = user_roles(request.user)
    return render(request, "policingplan/cycle/cycle.html", {
        "title": "The planning cycle", "plan": plan, "against": against.label, "today": today, "today_label": rules.fmt_day(today.date),
        "real_today": rules.fmt_day(state.configured_today().date), "rows": rows, "headline": headline,
        "all_past": next_key is None, "sections": sections, "overdue": overdue, "total": found.total,
        "unit_measures": [_measure_name(plan, m) for m in rules.unit_target_measures(plan)],
        "errors": _errors(errors), "as_at": as_at_text, "setting": state.TODAY_SETTING,
        "proposals_link": _link(request, "cycle-proposals"),
        "open_count": len(state.open_proposals(plan)),
        "is_performance": catalogue.PERFORMANCE in roles,
    })


def milestone(request, milestone: int):
    """Change one of the cycle's dates (the performance team), with a reason."""
    plan = figures.plan()
    row = get_object_or_404(Milestone, pk=milestone, plan_id=plan.id)
    values = {"name": row.name, "date": row.date.isoformat(), "due": row.due, "reason": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        if not values["name"]:
            errors["name"] = "Enter the milestone's name"
        try:
            date = dt.date.fromisoformat(values["date"])
        except ValueError:
            errors["date"] = (f"The date '{values['date']}' is not a date; enter it written year-month-day, "
                              "such as 2007-03-31") if values["date"] else "Enter the date, such as 2007-03-31"
        if not values["due"]:
            errors["due"] = "Enter what must be done by then"
        if not values["reason"]:
            errors["reason"] = "Enter the reason for the change"
        if not errors:
            try:
                state.edit_milestone(request.user, row, name=values["name"], date=date, due=values["due"],
                                     reason=values["reason"])
            except state.Refused as exc:
                errors[exc.field or "date"] = exc.message
            else:
                messages.success(request, f"{values['name']}: the change is saved and recorded in the audit trail.")
                return redirect("cycle")
    return render(request, "policingplan/cycle/milestone.html", {
        "title": f"Change: {row.name}", "plan": plan, "m": row, "values": values, "errors": _errors(errors),
        "error": errors,
    })


# --- proposals ---------------------------------------------------------------------------------------


def proposals(request):
    """Every proposal (a commander: their own borough's), open first."""
    plan = figures.plan()
    roles, units = user_roles(request.user)
    rows = Proposal.objects.filter(plan_id=plan.id)
    every = catalogue.sees_every_unit(roles, "borough-proposals")
    if not every:
        codes = [u.code for u in plan.units if present.slug(u.name) in units]
        rows = rows.filter(unit__in=codes)
    rows = sorted(rows, key=lambda p: (p.status != Proposal.OPEN, -p.proposed_at.timestamp(), -p.pk))
    items = [_proposal_row(request, plan, p) for p in rows]
    return render(request, "policingplan/cycle/proposals.html", {
        "title": "Target proposals", "plan": plan, "open": [i for i in items if i["status"] == "open"],
        "closed": [i for i in items if i["status"] != "open"], "every": every,
        "own": [{"name": u.name, "slug": present.slug(u.name)} for u in plan.units
                if present.slug(u.name) in units],
    })


def proposal(request, proposal: int):
    """One proposal, for the performance team to accept (applied to the current draft) or decline."""
    against = state.cycle_plan(figures.plan())
    plan = against.plan
    p = get_object_or_404(Proposal, pk=proposal, plan_id=plan.id)
    errors: dict[str, str] = {}
    target = state.unit_target(plan, p.unit, p.measure)
    values = {"decision": "", "reason": "", "seen": repr(target.value) if target and target.value is not None else ""}
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        if values["decision"] not in ("accept", "decline"):
            errors["decision-accept"] = "Choose whether to accept or decline the proposal"
        if not values["reason"]:
            errors["reason"] = "Enter the reason for your decision"
        if p.status != Proposal.OPEN:
            errors["reason"] = f"This proposal is already {p.get_status_display().lower()}: nothing was changed"
        if not errors:
            try:
                if values["decision"] == "accept":
                    done = state.accept(request.user, plan, p, values["reason"], _float(values["seen"]))
                    note = f" and applied to draft {done.applied_to}"
                else:
                    state.decline(request.user, plan, p, values["reason"])
                    note = ""
            except state.Refused as exc:
                errors[exc.field or "reason"] = exc.message
            else:
                messages.success(request, f"The proposal for {plan.unit(p.unit).name} is "
                                          f"{'accepted' if values['decision'] == 'accept' else 'declined'}{note}.")
                return redirect("cycle-proposals")
    return render(request, "policingplan/cycle/proposal.html", {
        "title": f"Proposal: {plan.unit(p.unit).name}", "plan": plan, "p": _proposal_row(request, plan, p),
        "values": values, "errors": _errors(errors), "error": errors, "decision_error": errors.get("decision-accept"),
        "store": state.editing_store() is not None, "against": against.label, "draft": against.draft,
        "versions_link": _link(request, "versions"),
    })


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def borough_proposals(request, borough: str):
    """A borough's targets (in the current draft, when there is one) with its proposals: a commander proposes
    and withdraws here."""
    against = state.cycle_plan(figures.plan())
    plan = against.plan
    unit = _unit_by_slug(plan, borough)
    open_by_measure = {p.measure: p for p in Proposal.objects.filter(plan_id=plan.id, unit=unit.code,
                                                                      period=plan.period, status=Proposal.OPEN)}
    measures = []
    for m in rules.unit_target_measures(plan):
        target = state.unit_target(plan, unit.code, m)
        p = open_by_measure.get(m)
        measures.append({
            "id": m, "name": _measure_name(plan, m),
            "current": change_words(plan, m, target.value, target) if target else None,
            "rationale": target.rationale if target else None,
            "open": _proposal_row(request, plan, p) if p else None,
            "propose": None if p else _link(request, "borough-propose", borough=borough, measure=m),
        })
    history = [_proposal_row(request, plan, p) for p in Proposal.objects.filter(plan_id=plan.id, unit=unit.code)
               .exclude(status=Proposal.OPEN)]
    agreement = next(a for a in rules.borough_agreement(
        plan, [rules.OpenProposal(p.unit, p.measure) for p in open_by_measure.values()]) if a.unit == unit.code)
    return render(request, "policingplan/cycle/borough_proposals.html", {
        "title": f"{unit.name}: target proposals", "plan": plan, "unit": unit, "slug": borough,
        "measures": measures, "history": history, "agreed": agreement.agreed, "against": against.label,
        "borough_link": _link(request, "borough", borough=borough),
        "commentary_link": _link(request, "borough-commentary", borough=borough),
    })


def borough_propose(request, borough: str, measure: str):
    """A commander proposes a target for their own borough's measure: the change and a reason."""
    against = state.cycle_plan(figures.plan())
    plan = against.plan
    unit = _unit_by_slug(plan, borough)
    if measure not in rules.unit_target_measures(plan):
        raise Http404(f"The plan sets no borough targets for {measure!r}.")
    m = plan.measure(measure)
    target = state.unit_target(plan, unit.code, measure)
    word = "reduction" if m.polarity == "lower" else "increase"
    values = {"change": "", "reason": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        value = None
        try:
            value = state.read_change(plan, measure, values["change"])
        except state.Refused as exc:
            errors[exc.field] = exc.message
        if not values["reason"]:
            errors["reason"] = "Enter the reason for your proposal"
        if not errors:
            try:
                state.propose(request.user, plan, unit.code, measure, value, values["reason"])
            except state.Refused as exc:
                errors[exc.field or "change"] = exc.message
            else:
                messages.success(request, f"Your proposal for {m.name} is sent to the performance team.")
                return redirect("borough-proposals", borough=borough)
    existing = Proposal.objects.filter(plan_id=plan.id, unit=unit.code, measure=measure, period=plan.period,
                                       status=Proposal.OPEN).first()
    return render(request, "policingplan/cycle/propose.html", {
        "title": f"Propose a target: {m.name}", "plan": plan, "unit": unit, "slug": borough, "measure": m,
        "word": word, "current": change_words(plan, measure, target.value, target) if target else None,
        "target": target, "values": values, "errors": _errors(errors), "error": errors, "against": against.label,
        "existing": _proposal_row(request, plan, existing) if existing else None,
    })


def borough_proposal_withdraw(request, borough: str, proposal: int):
    """A commander withdraws an open proposal of their own borough, with a reason."""
    plan = figures.plan()
    unit = _unit_by_slug(plan, borough)
    p = get_object_or_404(Proposal, pk=proposal, plan_id=plan.id, unit=unit.code)
    values = {"reason": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {"reason": request.POST.get("reason", "").strip()}
        if p.status != Proposal.OPEN:
            errors["reason"] = f"This proposal is already {p.get_status_display().lower()}: nothing was changed"
        elif not values["reason"]:
            errors["reason"] = "Enter the reason for withdrawing the proposal"
        else:
            try:
                state.withdraw(request.user, plan, p, values["reason"])
            except state.Refused as exc:
                errors["reason"] = exc.message
            else:
                messages.success(request, "Your proposal is withdrawn.")
                return redirect("borough-proposals", borough=borough)
    return render(request, "policingplan/cycle/withdraw.html", {
        "title": "Withdraw a proposal", "plan": plan, "unit": unit, "slug": borough,
        "p": _proposal_row(request, plan, p), "values": values, "errors": _errors(errors), "error": errors,
    })


# --- commentary --------------------------------------------------------------------------------------


def borough_commentary(request, borough: str):
    """A borough's commentary, newest first; its commander (and the performance team) write it here."""
    plan = figures.plan()
    unit = _unit_by_slug(plan, borough)
    roles, units = user_roles(request.user)
    may_write = catalogue.decide("borough-commentary", "POST", roles, unit=borough, own_units=units) == "allow"
    months = state.plan_months(plan)
    measure_ids = [t.measure for t in plan.targets if t.scope == unit.code and t.period == plan.period]
    measure_ids += [m.id for m in plan.measures if m.id not in measure_ids]
    values = {"measure": "", "month": "", "text": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        if values["measure"] not in measure_ids:
            errors["measure"] = (f"'{values['measure']}' is not a measure of the plan; choose one from the list"
                                 if values["measure"] else "Choose the measure you are commenting on")
        if values["month"] not in months:
            errors["month"] = (f"'{values['month']}' is not a month of {plan.period}; choose one from the list"
                               if values["month"] else "Choose the month you are commenting on")
        if not values["text"]:
            errors["text"] = "Enter your commentary"
        elif len(values["text"]) > 5000:
            errors["text"] = f"Your commentary is {fmt_int(len(values['text']))} characters; it can be 5,000 at most"
        if not errors:
            role = catalogue.COMMANDER if borough in units and catalogue.PERFORMANCE not in roles \
                else catalogue.PERFORMANCE
            state.add_commentary(request.user, role, plan, unit.code, values["measure"], values["month"],
                                 values["text"])
            messages.success(request, "Your commentary is saved.")
            return redirect("borough-commentary", borough=borough)
    if not values["month"]:
        values["month"] = _default_month(months)
    items = [state.present_commentary(plan, row) for row in state.commentary(plan, unit.code)]
    return render(request, "policingplan/cycle/commentary.html", {
        "title": f"{unit.name}: commentary", "plan": plan, "unit": unit, "slug": borough, "items": items,
        "may_write": may_write, "months": [(m, present.month_label(m)) for m in months],
        "measures": [(m, _measure_name(plan, m)) for m in measure_ids], "values": values,
        "errors": _errors(errors), "error": errors, "borough_link": _link(request, "borough", borough=borough),
    })


def _default_month(months: list[str]) -> str:
    """The latest month of the plan's year up to the cycle's today (the first month before the year starts)."""
    today = state.configured_today().date
    try:
        now = str(Month.of(today.year, today.month))
    except PeriodError:
        return months[-1]
    past = [m for m in months if m <= now]
    return past[-1] if past else months[0]


# --- downloads: the tables of the cycle's pages, in CSV and XLSX (the same writer as every download) ---------

PROPOSAL_STATUS_WORDS = {s: str(n) for s, n in Proposal._meta.get_field("status").choices}

PROPOSAL_COLUMNS = (
    downloads.Column("id", "Proposal", 8), downloads.Column("unit", "Unit code", 10),
    downloads.Column("unit_name", "Borough", 20), downloads.Column("measure", "Measure id", 22),
    downloads.Column("measure_name", "Measure", 30), downloads.Column("period", "Year", 9),
    downloads.Column("proposed", "Proposed change", 11, "share"),
    downloads.Column("proposed_words", "Proposed", 36),
    downloads.Column("current", "The target now (change)", 11, "share"),
    downloads.Column("current_words", "The target now", 36),
    downloads.Column("reason", "Reason", 50), downloads.Column("status", "Status", 12, words=PROPOSAL_STATUS_WORDS),
    downloads.Column("proposed_by", "Proposed by", 16), downloads.Column("proposed_at", "Proposed", 22),
    downloads.Column("closed_by", "Decided or withdrawn by", 16),
    downloads.Column("closed_at", "Decided or withdrawn", 22), downloads.Column("closed_reason", "Why", 40),
)


@downloads.download
def proposals_table(request) -> downloads.Table:
    """The proposals page's rows, open first (a commander: their own borough's only, as the page)."""
    plan = figures.plan()
    roles, units = user_roles(request.user)
    found = Proposal.objects.filter(plan_id=plan.id)
    every = catalogue.sees_every_unit(roles, "borough-proposals")
    if not every:
        found = found.filter(unit__in=[u.code for u in plan.units if present.slug(u.name) in units])
    rows = []
    for p in sorted(found, key=lambda p: (p.status != Proposal.OPEN, -p.proposed_at.timestamp(), -p.pk)):
        target = state.unit_target(plan, p.unit, p.measure)
        rows.append({
            "id": p.pk, "unit": p.unit, "unit_name": plan.unit(p.unit).name, "measure": p.measure,
            "measure_name": _measure_name(plan, p.measure), "period": p.period, "proposed": p.value,
            "proposed_words": change_words(plan, p.measure, p.value, target),
            "current": target.value if target else None,
            "current_words": change_words(plan, p.measure, target.value, target) if target else "No target yet",
            "reason": p.reason, "status": p.status, "proposed_by": p.proposed_by_name,
            "proposed_at": downloads.when(p.proposed_at), "closed_by": p.closed_by_name or None,
            "closed_at": downloads.when(p.closed_at), "closed_reason": p.closed_reason or None,
        })
    whose = "every borough's" if every else "your own borough's"
    return downloads.Table("Target proposals", f"{plan.id}-proposals", PROPOSAL_COLUMNS, rows, plan.attribution,
                           downloads.plan_about(plan, f"Borough commanders' target proposals ({whose}), open first. "
                                                      "A change is a fraction of the baseline (in the CSV, -0.05 is "
                                                      "a 5% reduction)."))


proposals_csv, proposals_xlsx = proposals_table.csv, proposals_table.xlsx

OUTSTANDING_COLUMNS = (
    downloads.Column("kind", "Kind", 10), downloads.Column("section", "What is outstanding", 34),
    downloads.Column("item", "Item id", 22), downloads.Column("name", "Item", 34),
    downloads.Column("detail", "What is missing", 50), downloads.Column("amount", "Amount (£)", 13, "count"),
    downloads.Column("due", "Due by", 12), downloads.Column("milestone", "Milestone", 34),
)


@downloads.download
def outstanding_table(request) -> downloads.Table:
    """What the cycle page lists as outstanding, section by section, with the date each is due by."""
    against = state.cycle_plan(figures.plan())
    plan = against.plan
    milestones = state.milestones(plan)
    keys = [(m.key, m.date, m.requires) for m in milestones]
    by_key = {m.key: m for m in milestones}
    found = state.outstanding(plan)
    sections = {s.id: s for s in plan.narrative}
    measures = {m.id: m for m in plan.measures}
    items = []
    for a in found.boroughs:
        what = ([f"no target for {', '.join(_measure_name(plan, m) for m in a.missing)}"] if a.missing else [])
        what += [f"an open proposal for {', '.join(_measure_name(plan, m) for m in a.open)}"] if a.open else []
        sentence = "; ".join(what)
        items.append((rules.TARGETS, a.unit, a.name, sentence[:1].upper() + sentence[1:], None))
    items += [(rules.MEASURES, m, measures[m].name, "a Critical Performance Area" if measures[m].cpa else None, None)
              for m in found.measures]
    items += [(rules.NARRATIVE, s, sections[s].title, f"The file {sections[s].file} has no text yet", None)
              for s in found.narrative]
    items += [(rules.CASES, c.id, c.title, None if c.amount else "No amount yet", c.amount) for c in found.cases]
    rows = []
    for kind, item, name, detail, amount in items:
        due = by_key.get(rules.first_requiring(keys, kind) or "")
        rows.append({"kind": kind, "section": rules.KIND_NAMES[kind], "item": item, "name": name, "detail": detail,
                     "amount": amount, "due": downloads.when(due.date) if due else None,
                     "milestone": due.name if due else None})
    return downloads.Table("Outstanding", f"{plan.id}-cycle-outstanding", OUTSTANDING_COLUMNS, rows, [],
                           downloads.plan_about(plan, f"What is outstanding in the planning cycle, checked against "
                                                      f"{against.label}, with the date each is due by."))


outstanding_csv, outstanding_xlsx = outstanding_table.csv, outstanding_table.xlsx
