"""The portfolio's pages: the fund and its programmes, a programme, a benefit's realisation chart, and a business
case with the investment board's decision buttons.

Every page reads the portfolio's state through :mod:`.state` (the plan folder's portfolio.yaml replayed with the
decisions stored in the database) and the services' result for it; the only change a page makes is a decision,
through :func:`.state.decide`, for the investment board only (the catalogue of roles refuses the POST to anyone
else before the view runs, and the page shows the buttons only to those it allows).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from policingplan.portfolio.workflow import approval_problems
from policingplan.problems import UserError
from policingplan.web import api, downloads
from policingplan.web import roles as catalogue
from policingplan.web.access import may_open, user_roles
from policingplan.web.investment import charts, present, state

#: Business cases in the order the portfolio page lists their groups: what needs the board first.
CASE_GROUPS = (
    ("submitted", "Awaiting the board's decision"),
    ("approved", "Approved, money not yet released"),
    ("funded", "Funded"),
    ("draft", "Drafts, not yet submitted"),
    ("rejected", "Rejected"),
)


def may_decide(request) -> bool:
    """Whether the user may make decisions on business cases (the catalogue's POST row for the case page)."""
    roles, units = user_roles(request.user)
    return catalogue.decide("portfolio-case", "POST", roles, own_units=units) == "allow"


def _state_or_page(request, title: str):
    """The portfolio's state, or the page to answer instead: no portfolio, or one with errors."""
    try:
        found = state.load()
    except UserError as exc:
        return None, render(request, "policingplan/investment/unavailable.html", {
            "title": title, "problem": str(exc), "problems": [str(p) for p in exc.problems]})
    if found is None or found.fund is None and not found.portfolio.programmes:
        return None, render(request, "policingplan/investment/unavailable.html", {"title": title, "missing": True})
    return found, None


def _programme_names(result) -> dict[str, str]:
    return {p.id: p.name for p in result.programmes}


def _benefit_rows(request, programme, plan) -> list[dict]:
    measures = {m.id: m for m in plan.measures}
    rows = []
    for b in programme.benefits:
        fmt = lambda v, b=b: present.value(v, b.as_percent, b.unit)  # noqa: E731
        rows.append({
            "id": b.id, "name": b.name, "owner": b.owner, "status": present.benefit_status(b.status),
            "measure": b.measure, "measure_name": b.measure_name,
            "measure_link": bool(b.measure) and may_open(request, "measure"),
            "cpa": bool(b.measure) and measures.get(b.measure) is not None and measures[b.measure].cpa,
            "metric": b.metric.name if b.metric else None,
            "baseline": fmt(b.baseline), "baseline_date": present.date(b.baseline_date),
            "target": fmt(b.target), "due": present.date(b.due),
            "latest": fmt(b.latest), "latest_date": present.date(b.latest_date),
            "planned_now": fmt(b.planned_now), "progress": present.share(b.progress),
            "expected": present.share(b.expected), "days_late": b.days_late,
            "spc": present.spc(b.spc), "illustrative": b.illustrative,
            "cpas": [measures[c].name if c in measures else c for c in b.cpas],
        })
    return rows


def _case_row(case, programmes: dict[str, str]) -> dict:
    return {"id": case.id, "title": case.title, "status": present.case_status(case.status),
            "amount": present.money(case.amount), "programme": programmes.get(case.programme, case.programme),
            "programme_id": case.programme, "sponsor": case.sponsor or "No sponsor named",
            "has_sponsor": bool(case.sponsor), "illustrative": case.illustrative,
            "last": present.when(case.decisions[-1].at) if case.decisions else None}


def _fund(result) -> dict | None:
    fund = result.fund
    if fund is None:
        return None
    return {"name": fund.name, "kind": fund.kind, "total": present.money(fund.total),
            "approved": present.money(fund.approved), "funded": present.money(fund.funded),
            "remaining": present.money(fund.remaining),
            "share_approved": present.share(fund.approved / fund.total if fund.total else None),
            "percent_approved": round(100 * fund.approved / fund.total) if fund.total else 0,
            "percent_funded": round(100 * fund.funded / fund.total) if fund.total else 0,
            "percent_approved_only": (round(100 * fund.approved / fund.total) - round(100 * fund.funded / fund.total))
            if fund.total else 0}


def _common(found, result) -> dict:
    return {"plan": found.plan, "result": result, "fund": _fund(result),
            "notices": [n.text for n in result.notices], "conflicts": found.conflicts}


def portfolio(request):
    """The portfolio: the fund (total, approved, remaining), the programmes with their benefits' status, and the
    business cases by status."""
    found, page = _state_or_page(request, "Portfolio")
    if page is not None:
        return page
    result = state.result(found)
    names = _programme_names(result)
    programmes = []
    for p in result.programmes:
        counts = {}
        for b in p.benefits:
            counts[b.status] = counts.get(b.status, 0) + 1
        programmes.append({"id": p.id, "name": p.name, "owner": p.owner, "stage": present.STAGE[p.stage],
                           "benefits": len(p.benefits), "illustrative": p.illustrative,
                           "statuses": [{**present.benefit_status(code), "count": counts[code]}
                                        for code in present.BENEFIT_STATUS if code in counts]})
    groups = []
    for status, heading in CASE_GROUPS:
        cases = [_case_row(c, names) for c in result.cases if c.status == status]
        amount = sum(c.amount or 0 for c in result.cases if c.status == status)
        groups.append({"status": status, "heading": heading, "cases": cases, "amount": present.money(amount)})
    finance = None
    if result.finance is not None:
        finance = {"rows": [{"name": r.name, "revenue": present.money(r.revenue), "capital": present.money(r.capital),
                             "total": present.money(r.total), "is_priority": r.is_priority}
                            for r in result.finance.rows],
                   "revenue": present.money(result.finance.revenue), "capital": present.money(result.finance.capital),
                   "total": present.money(result.finance.total), "source": result.finance.source,
                   "illustrative": result.finance.illustrative, "balances": result.finance.balances}
    return render(request, "policingplan/investment/portfolio.html", {
        **_common(found, result), "title": "Portfolio", "programmes": programmes, "groups": groups,
        "awaiting": len(groups[0]["cases"]), "finance": finance, "as_of": present.date(result.as_of),
        "may_decide": may_decide(request),
    })


def _programme(result, programme_id: str):
    for p in result.programmes:
        if p.id == programme_id:
            return p
    raise Http404(f"The portfolio has no programme {programme_id!r}.")


def programme(request, programme: str):
    """A programme: its projects and benefits (planned against actual, late or off track, and the SPC status of a
    plan measure a benefit moves), and its business cases."""
    found, page = _state_or_page(request, "Programme")
    if page is not None:
        return page
    result = state.result(found)
    p = _programme(result, programme)
    names = _programme_names(result)
    priorities = {pr.id: pr.name for pr in found.plan.priorities}
    return render(request, "policingplan/investment/programme.html", {
        **_common(found, result), "title": p.name, "programme": p, "stage": present.STAGE[p.stage],
        "priorities": [priorities.get(x, x) for x in p.priorities],
        "projects": [{"name": j.name, "owner": j.owner, "stage": present.STAGE[j.stage]} for j in p.projects],
        "benefits": _benefit_rows(request, p, found.plan),
        "cases": [_case_row(c, names) for c in result.cases if c.programme == p.id],
        "as_of": present.date(result.as_of),
    })


def benefit(request, benefit: str):
    """A benefit's realisation: the chart of planned against actual, its text alternative and its data."""
    found, page = _state_or_page(request, "Benefit")
    if page is not None:
        return page
    result = state.result(found)
    for p in result.programmes:
        for b in p.benefits:
            if b.id == benefit:
                row = next(r for r in _benefit_rows(request, p, found.plan) if r["id"] == b.id)
                svg, description = charts.svg(b) if b.realisation else (None, None)
                return render(request, "policingplan/investment/benefit.html", {
                    **_common(found, result), "title": b.name, "programme": p, "benefit": b, "row": row,
                    "chart": {"svg": svg, "description": description} if svg else None,
                    "table": charts.table(b), "as_of": present.date(result.as_of),
                    "unit": "per cent" if b.as_percent else b.unit,
                    "tolerance": present.share(next(x for x in found.portfolio.benefits().values()
                                                    if x.id == b.id).tolerance),
                })
    raise Http404(f"The portfolio has no benefit {benefit!r}.")


def case(request, case: str):
    """A business case, its decisions so far, and (for the investment board) the buttons for the next decision."""
    found, page = _state_or_page(request, "Business case")
    if page is not None:
        return page
    if found.fund is None or not any(c.id == case for c in found.fund.cases):
        raise Http404(f"The fund has no business case {case!r}.")
    errors: dict[str, str] = {}
    values = {"reason": "", "amount": ""}
    if request.method == "POST" and may_decide(request):
        action = request.POST.get("action", "")
        values = {"reason": request.POST.get("reason", ""), "amount": request.POST.get("amount", "").strip()}
        current = found.fund.case(case)
        allowed = state.allowed_next(current.status)
        amount = None
        if action not in allowed:
            errors["action"] = (f"Choose a decision: {present.case_status(current.status)['words'].lower()} "
                                f"cases may be " + " or ".join(present.PAST[a].lower() for a in allowed)
                                if allowed else f"This case is {current.status}: no further decision can be made")
        if not values["reason"].strip():
            errors["reason"] = "Enter the reason for the decision"
        if action == "approve" and values["amount"]:
            amount = present.parse_amount(values["amount"])
            if amount is None:
                errors["amount"] = (f"Enter the amount approved in whole pounds, such as 2,000,000 or £2m "
                                    f"(not '{values['amount']}')")
        if not errors:
            try:
                decided = state.decide(request.user, case, action, values["reason"], amount=amount)
            except state.DecisionRefused as exc:
                errors[exc.field] = _sentence(str(exc))
            else:
                after = decided.state.fund.case(case)
                money = f" {present.money(after.amount)}" if action == "approve" else ""
                messages.success(request, f"{present.PAST[action]}{money}: {after.title}. "
                                          f"{present.money(decided.state.fund.remaining)} of the fund remains "
                                          f"unallocated. The decision is in the audit trail.")
                return redirect(reverse("portfolio-case", args=[case]))
        found = state.load()  # the state as it now is: someone may have decided meanwhile
    return _case_page(request, found, case, errors, values)


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


def _case_page(request, found, case_id: str, errors: dict, values: dict):
    result = state.result(found)
    names = _programme_names(result)
    view = next(c for c in result.cases if c.id == case_id)
    current = found.fund.case(case_id)
    seed_case = next((c for c in found.seed.fund.cases if c.id == case_id), None)
    from_folder = len(seed_case.decisions) if seed_case is not None else 0
    benefits = {b.id: (p, b) for p in result.programmes for b in p.benefits}
    pure_benefits = found.portfolio.benefits()
    rows = []
    for bid in view.benefits:
        p, b = benefits[bid]
        rows.append({"id": b.id, "name": b.name, "programme": p.name, "status": present.benefit_status(b.status),
                     "measurable": pure_benefits[bid].measurable, "measure_name": b.measure_name,
                     "measure": b.measure})
    decisions = [{"action": present.PAST[d.action], "by": d.by, "at": present.when(d.at), "reason": d.reason,
                  "where": "The plan folder" if i < from_folder else "This application"}
                 for i, d in enumerate(view.decisions)]
    blockers = approval_problems(found.fund, current, pure_benefits) if "approve" in view.next_actions else []
    buttons = [{"action": a, "words": present.ACTION_WORDS[a][0], "style": present.ACTION_WORDS[a][1]}
               for a in view.next_actions]
    priorities = {pr.id: pr.name for pr in found.plan.priorities}
    return render(request, "policingplan/investment/case.html", {
        **_common(found, result), "title": view.title, "case": view, "status": present.case_status(view.status),
        "amount": present.money(view.amount), "programme": names.get(view.programme, view.programme),
        "project": next((j.name for p in result.programmes for j in p.projects if j.id == view.project), None),
        "priority": priorities.get(view.priority, view.priority) if view.priority else None,
        "benefits": rows, "decisions": decisions, "may_decide": may_decide(request), "buttons": buttons,
        "blockers": blockers, "errors": errors, "values": values,
        "amount_value": values.get("amount") or (f"{view.amount:,}" if view.amount else ""),
        "case_conflicts": [c for c in found.conflicts if c.case_id == case_id],
    })


__all__ = ["benefit", "case", "may_decide", "portfolio", "programme"]


# --- downloads: the portfolio's business cases and benefits, in CSV and XLSX (the same writer as every download) ---


def _download_state():
    """The portfolio's state and result; no portfolio (or one with errors): to the portfolio page, which says why."""
    try:
        found = state.load()
    except UserError:
        found = None
    if found is None or found.fund is None and not found.portfolio.programmes:
        raise api.Elsewhere(reverse("portfolio"))
    return found, state.result(found)


CASE_COLUMNS = (
    downloads.Column("id", "Case id", 22), downloads.Column("title", "Business case", 40),
    downloads.Column("status", "Status", 16, words={k: v[0] for k, v in present.CASE_STATUS.items()}),
    downloads.Column("programme", "Programme id", 18), downloads.Column("programme_name", "Programme", 28),
    downloads.Column("project", "Project id", 18), downloads.Column("sponsor", "Sponsor", 24),
    downloads.Column("priority", "Priority", 18), downloads.Column("amount", "Amount (£)", 14, "count"),
    downloads.Column("benefits", "Benefits", 30), downloads.Column("last_decision", "Last decision", 22),
    downloads.Column("illustrative", "Illustrative", 9, words={"True": "Yes", "False": "No"}),
)


@downloads.download
def cases_table(request) -> downloads.Table:
    """The portfolio page's business cases, group by group as the page lists them."""
    found, result = _download_state()
    names = _programme_names(result)
    rows = [{"id": c.id, "title": c.title, "status": c.status, "programme": c.programme,
             "programme_name": names.get(c.programme, c.programme), "project": c.project, "sponsor": c.sponsor,
             "priority": c.priority, "amount": c.amount, "benefits": " | ".join(c.benefits) or None,
             "last_decision": downloads.when(c.decisions[-1].at) if c.decisions else None,
             "illustrative": str(c.illustrative)}
            for status, _ in CASE_GROUPS for c in result.cases if c.status == status]
    plan = found.plan
    return downloads.Table("Business cases", f"{plan.id}-business-cases", CASE_COLUMNS, rows, [],
                           downloads.plan_about(plan, "The portfolio's business cases, awaiting a decision first, "
                                                      "then approved, funded, drafts and rejected; amounts in "
                                                      "whole pounds."))


def _in_own_terms(row: dict) -> str:
    return "share" if row.get("as_percent") == "True" else "number"


BENEFIT_COLUMNS = (
    downloads.Column("programme", "Programme id", 18), downloads.Column("programme_name", "Programme", 28),
    downloads.Column("id", "Benefit id", 22), downloads.Column("name", "Benefit", 36),
    downloads.Column("owner", "Owner", 22),
    downloads.Column("status", "Status", 14, words={k: v[0] for k, v in present.BENEFIT_STATUS.items()}),
    downloads.Column("measure", "Measure id", 22), downloads.Column("measure_name", "Measure", 30),
    downloads.Column("metric", "Own metric", 30), downloads.Column("unit", "Unit", 16),
    downloads.Column("as_percent", "A percentage", 9, words={"True": "Yes", "False": "No"}),
    downloads.Column("baseline", "Baseline", 12, _in_own_terms), downloads.Column("baseline_date", "Baseline date", 12),
    downloads.Column("target", "Target", 12, _in_own_terms), downloads.Column("due", "Due", 12),
    downloads.Column("latest", "Latest", 12, _in_own_terms), downloads.Column("latest_date", "Latest date", 12),
    downloads.Column("planned_now", "Planned now", 12, _in_own_terms),
    downloads.Column("progress", "Progress", 10, "chance"),
    downloads.Column("expected", "Expected by now", 10, "chance"),
    downloads.Column("days_late", "Days late", 8, "count"),
    downloads.Column("spc_status", "The measure's target (SPC)", 14, words=downloads.STATUS_WORDS),
    downloads.Column("cpas", "Critical Performance Areas", 30),
    downloads.Column("illustrative", "Illustrative", 9, words={"True": "Yes", "False": "No"}),
)


@downloads.download
def benefits_table(request) -> downloads.Table:
    """Every programme's benefits, as each programme's page lists them, judged at the portfolio's date."""
    found, result = _download_state()
    rows = [{"programme": p.id, "programme_name": p.name, "id": b.id, "name": b.name, "owner": b.owner,
             "status": b.status, "measure": b.measure, "measure_name": b.measure_name,
             "metric": b.metric.name if b.metric else None, "unit": b.unit, "as_percent": str(b.as_percent),
             "baseline": b.baseline, "baseline_date": downloads.when(b.baseline_date), "target": b.target,
             "due": downloads.when(b.due), "latest": b.latest, "latest_date": downloads.when(b.latest_date),
             "planned_now": b.planned_now, "progress": b.progress, "expected": b.expected, "days_late": b.days_late,
             "spc_status": b.spc.status if b.spc else None, "cpas": " | ".join(b.cpas) or None,
             "illustrative": str(b.illustrative)}
            for p in result.programmes for b in p.benefits]
    plan = found.plan
    return downloads.Table("Benefits", f"{plan.id}-benefits", BENEFIT_COLUMNS, rows, list(result.attribution),
                           downloads.plan_about(plan, f"Every programme's benefits, judged at "
                                                      f"{present.date(result.as_of)}: planned against actual. A "
                                                      "percentage (and progress) is a fraction in the CSV: 0.055 is "
                                                      "5.5%."))


cases_csv, cases_xlsx = cases_table.csv, cases_table.xlsx
benefits_csv, benefits_xlsx = benefits_table.csv, benefits_table.xlsx
