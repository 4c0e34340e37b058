"""The content of each document, as plain values: what the HTML, Typst and Word renderers lay out (pure).

Every figure is formatted here once, in British formats with a true minus sign
(:func:`policingplan.publish.text.typeset`), so that the plan's HTML and PDF,
the committee report and the letters say the same thing in the same words.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from policingplan.attribution import attribution
from policingplan.formatting import fmt_int, fmt_money
from policingplan.plan.describe import measure_value, percent
from policingplan.plan.model import FORCE, Measure, Plan, Target
from policingplan.publish.inputs import WRITTEN_SECTIONS, Publication
from policingplan.publish.text import blocks, long_date, paragraph, typeset

#: The order and titles of the change sections, as the committee report groups them.
SECTION_TITLES = {
    "summary": "The plan as a whole", "plan": "The plan as a whole", "priorities": "Strategic priorities",
    "priority": "Strategic priorities", "objectives": "Objectives", "objective": "Objectives",
    "measures": "Measures and Critical Performance Areas", "measure": "Measures and Critical Performance Areas",
    "targets": "Targets", "target": "Targets", "unit_targets": "Borough targets",
    "partner_targets": "Partner (LAA) targets", "requirements": "External requirements",
    "investments": "Investment", "investment": "Investment", "narrative": "Narrative",
}


def pct(value: Optional[float], signed: bool = True) -> str:
    return "–" if value is None else typeset(percent(value, signed=signed))


def _lower(name: str) -> str:
    """``The 10 British Crime Survey`` → ``the 10 British Crime Survey`` (mid-sentence)."""
    return "the" + name[3:] if name.startswith("The ") else name


def whole(value: Optional[float]) -> str:
    return typeset(fmt_int(value))


def target_words(target: Target, measure: Optional[Measure]) -> str:
    """A target in words: ``a reduction of 5% to 6% on 2006/07``, ``at least 80%``."""
    base = f" on {target.baseline_period}" if target.baseline_period else ""
    if target.baseline is not None:
        base += f" ({measure_value(target.baseline, measure)})"
    if target.kind == "range" and target.minimum is not None and target.maximum is not None:
        low, high = sorted((abs(target.minimum), abs(target.maximum)))
        if target.baseline_period or target.baseline is not None:
            way = "a reduction" if target.maximum <= 0 else "an increase"
            text = f"{way} of {percent(low)} to {percent(high)}{base}"
        else:
            text = f"between {measure_value(target.minimum, measure)} and {measure_value(target.maximum, measure)}"
    elif target.kind == "change" and target.value is not None:
        way = "a reduction" if target.value < 0 else "an increase"
        text = f"{way} of {percent(abs(target.value))}{base}"
    elif target.kind == "level" and target.value is not None:
        polarity = measure.polarity if measure is not None else "neutral"
        lead = {"higher": "at least ", "lower": "at most "}.get(polarity, "")
        text = f"{lead}{measure_value(target.value, measure)}"
    elif target.kind == "trajectory" and target.trajectory:
        text = f"a monthly trajectory totalling {measure_value(sum(target.trajectory.values()), measure)}"
    else:
        text = "no figure given"
    if target.illustrative:
        text += " (illustrative)"
    return typeset(text)


def _force_target(plan: Plan, measure_id: str) -> Optional[Target]:
    found = [t for t in plan.targets if t.measure == measure_id and t.scope == FORCE and t.period == plan.period]
    return found[0] if found else None


def _narrative(plan: Plan, section) -> dict:
    return {"id": section.id, "title": section.title, "blocks": blocks(section.body)}


def _sentences(text: Optional[str]) -> list[dict]:
    return [paragraph(" ".join(text.split()))] if text else []


def requirement_content(pub: Publication) -> Optional[dict]:
    r = pub.requirement
    if r is None:
        return None
    text = (f"{r.name} requires a change of {pct(r.required_change)} on {r.baseline_period} by "
            f"{r.deadline_period}. The change reached so far is {pct(r.latest_change)}; with the plan's "
            f"{r.deadline_period} target of {pct(r.planned_change)}, the projection is {pct(r.projected_change)}, "
            f"so the plan {'meets' if r.meets else 'does not meet'} the requirement.")
    if not r.meets:
        text += (f" Meeting it would need {pct(r.required_in_year_change)} in the year rather than "
                 f"{pct(r.planned_change)}")
        text += f", a shortfall of {whole(r.shortfall)} crimes." if r.shortfall else "."
    rows = [["Required change by " + r.deadline_period, pct(r.required_change)],
            ["Reached so far", pct(r.latest_change)],
            [f"Planned change in {r.deadline_period}", pct(r.planned_change)],
            ["Projected change by " + r.deadline_period, pct(r.projected_change)],
            ["Change needed in the year to meet it", pct(r.required_in_year_change)]]
    if r.baseline is not None:
        rows.insert(0, [f"Baseline ({r.baseline_period})", whole(r.baseline) + " crimes"])
    if r.shortfall:
        rows.append(["Shortfall at the deadline", whole(r.shortfall) + " crimes"])
    return {"name": r.name, "text": typeset(text), "notes": [typeset(n.text) for n in r.notes], "rows": rows,
            "meets": r.meets}


def plan_content(pub: Publication, charts: dict[str, dict]) -> dict:
    """The Policing Plan: summary, priorities, CPAs, requirement, investment, narrative, appendix, methods."""
    plan = pub.plan
    measures = {m.id: m for m in plan.measures}
    used = set()
    priorities = []
    for priority in plan.priorities:
        objectives = []
        for objective in priority.objectives:
            rows = []
            for measure_id in objective.measures:
                measure = measures.get(measure_id)
                target = _force_target(plan, measure_id)
                rows.append([measure.name if measure else measure_id, "CPA" if measure and measure.cpa else "",
                             target_words(target, measure) if target else "no force target"])
            objectives.append({"name": objective.name, "description": objective.description or "", "rows": rows})
        sections = [_narrative(plan, s) for s in plan.narrative if s.priority == priority.id]
        used.update(s["id"] for s in sections)
        priorities.append({"name": priority.name, "description": " ".join((priority.description or "").split()),
                           "delivery_plans": list(priority.delivery_plans), "objectives": objectives,
                           "narrative": sections})
    cpas = []
    for measure in plan.cpa_measures:
        target = _force_target(plan, measure.id)
        cpas.append({"name": measure.name, "target": target_words(target, measure) if target else "no force target",
                     "why": typeset(" ".join((target.rationale or measure.description or "").split()))
                     if target else typeset(measure.description or ""),
                     "activities": [" ".join(a.description.split()) + (f" ({a.resources})" if a.resources else "")
                                    for a in (target.activities if target else [])]})
    investments = [{"name": i.name, "amount": fmt_money(i.amount),
                    "description": " ".join((i.description or "").split()),
                    "condition": " ".join((i.condition or "").split())} for i in plan.investments]
    delivering = [_narrative(plan, s) for s in plan.narrative if s.id not in used]
    summary = _sentences(plan.summary) + [paragraph(s) for s in key_messages(pub)]
    return {
        "title": plan.name, "organisation": plan.organisation, "period": plan.period, "version": plan.version,
        "status": plan.status, "date": long_date(pub.version_date),
        "strategy": (f"{plan.strategy.name}, {plan.strategy.first_year} to {plan.strategy.last_year}"
                     if plan.strategy else ""),
        "summary": summary, "priorities": priorities, "cpas": cpas,
        "requirement": requirement_content(pub), "charts": charts,
        "investments": investments, "portfolio": portfolio_content(pub), "delivering": delivering,
        "appendix": appendix_content(pub), "methods": methods_content(pub),
    }


#: A benefit's status and a business case's, as the published plan prints them.
BENEFIT_WORDS = {"realised": "Realised", "on_track": "On track", "off_track": "Off track", "late": "Late",
                 "awaiting_data": "Awaiting data", "not_measurable": "Not yet measurable"}
CASE_WORDS = {"draft": "Draft", "submitted": "Awaiting decision", "approved": "Approved", "rejected": "Rejected",
              "funded": "Funded"}
ILLUSTRATIVE_MARK = "*"


def _benefit_figure(value: Optional[float], as_percent: bool, unit: str) -> str:
    if value is None:
        return "–"
    if as_percent:
        return percent(value)
    return f"{fmt_int(value)} {unit}"


def portfolio_content(pub: Publication) -> Optional[dict]:
    """The investment section from the portfolio (docs/portfolio.md): the fund (total, approved, remaining), the
    cases approved or funded with their amounts, and each programme's benefits with the CPAs they support.
    Figures the plan's sources do not give are marked with an asterisk."""
    found = pub.portfolio
    if found is None or (found.fund is None and not found.programmes):
        return None
    measures = {m.id: m for m in pub.plan.measures}
    names = {p.id: p.name for p in found.programmes}
    mark = lambda flag: ILLUSTRATIVE_MARK if flag else ""  # noqa: E731
    marked = False
    fund = None
    if found.fund is not None:
        f = found.fund
        allocated = [c for c in found.cases if c.status in ("approved", "funded")]
        waiting = [c for c in found.cases if c.status == "submitted"]
        marked |= any(c.illustrative for c in allocated)
        fund = {
            "title": f.name,
            "text": typeset(f"The fund holds {fmt_money(f.total)}. Money is released only against a robust business "
                            f"case, approved by the Investment Board: {fmt_money(f.approved)} is approved "
                            f"({fmt_money(f.funded)} of it funded, the money released), and {fmt_money(f.remaining)} "
                            f"remains." + (f" {len(waiting)} further business case{'s' if len(waiting) != 1 else ''}, "
                                           f"asking {fmt_money(sum(c.amount or 0 for c in waiting))}, "
                                           f"await{'s' if len(waiting) == 1 else ''} the Board's decision."
                                           if waiting else "")),
            "rows": [[c.title + mark(c.illustrative), names.get(c.programme, c.programme), CASE_WORDS[c.status],
                      fmt_money(c.amount or 0)] for c in allocated],
            "total": ["Approved", "", "", fmt_money(f.approved)],
        }
    programmes = []
    for p in found.programmes:
        rows = []
        for b in p.benefits:
            marked |= b.illustrative
            supports = ", ".join(measures[c].name if c in measures else c for c in b.cpas) or \
                (measures[b.measure].name if b.measure in measures else "Its own metric, not a CPA")
            target = (f"{_benefit_figure(b.target, b.as_percent, b.unit)} by {long_date(b.due)}"
                      if b.target is not None and b.due is not None else "Not yet set")
            rows.append([b.name + mark(b.illustrative), supports, typeset(target), BENEFIT_WORDS[b.status]])
        marked |= p.illustrative
        programmes.append({"name": p.name + mark(p.illustrative),
                           "text": f"Senior responsible owner: {p.owner}. Stage: {p.stage}.", "rows": rows})
    note = (f"Figures marked {ILLUSTRATIVE_MARK} are illustrative: the plan's sources do not give them. "
            f"Benefits are judged at {long_date(found.as_of)}.") if marked else \
        f"Benefits are judged at {long_date(found.as_of)}."
    return {"fund": fund, "programmes": programmes, "note": note}


def key_messages(pub: Publication) -> list[str]:
    """The summary's sentences made from the figures."""
    plan, out = pub.plan, []
    cpas = plan.cpa_measures
    if cpas:
        out.append(f"The plan has {len(plan.priorities)} strategic priorities and {len(cpas)} Critical Performance "
                   f"Areas (CPAs): " + "; ".join(m.name for m in cpas) + ".")
    if pub.check is not None:
        c = pub.check
        out.append(typeset(f"The corporate target for {c.measure_name.lower()[:1] + c.measure_name[1:]} is planned "
                           f"at {pct(c.corporate.change)} ({c.corporate.basis}): at most {whole(c.required_total)} "
                           f"crimes in {c.period}, shared among {len(c.units)} boroughs whose targets add up to "
                           f"{whole(c.target_total)}."))
    r = requirement_content(pub)
    if r is not None:
        out.append(r["text"])
    if plan.investments:
        out.append(typeset("Investment: " + "; ".join(f"{fmt_money(i.amount)} for the {i.name}"
                                                       for i in plan.investments) + "."))
    return out


def appendix_content(pub: Publication) -> Optional[dict]:
    c = pub.check
    if c is None:
        return None
    partners = {p.unit: p for p in (pub.partners.partner_targets if pub.partners else [])}
    rows = []
    for unit in c.units:
        p = partners.get(unit.unit)
        rows.append([unit.name or unit.unit, whole(unit.baseline), pct(unit.change), whole(unit.target),
                     pct(p.partner_change) + (f" on {p.partner_baseline_period}" if p.partner_baseline_period else "")
                     if p else ""])
    baseline_period = ""
    for t in pub.plan.targets:
        if t.measure == c.measure and t.scope != FORCE and t.baseline_period:
            baseline_period = t.baseline_period
            break
    return {"measure": c.measure_name, "period": c.period, "baseline_period": baseline_period,
            "header": ["Borough", f"Baseline {baseline_period}".strip(), "Target change", f"Target {c.period}",
                       "Partner (LAA) target"],
            "rows": rows, "total": ["All boroughs", whole(c.corporate.baseline_total), pct(c.achieved_change),
                                    whole(c.target_total), ""],
            "text": typeset(f"Each borough's {c.period} target for {c.measure_name.lower()[:1] + c.measure_name[1:]}"
                            f", in crimes, on its {baseline_period} baseline. Together they come to "
                            f"{whole(c.target_total)} against the corporate figure of {whole(c.required_total)} "
                            f"({pct(c.corporate.change)})."),
            "attribution": " ".join(c.attribution)}


def methods_content(pub: Publication) -> dict:
    plan = pub.plan
    kinds = [s.kind for s in plan.data_sources] + [m.source for m in plan.measures if m.source]
    sources = [{"kind": s.kind, "files": ", ".join(s.files), "note": s.note or "",
                "attribution": "; ".join(attribution([s.kind])) or "The force's own figures."}
               for s in plan.data_sources]
    data_notes = [{"measure": m.name, "note": typeset(" ".join(m.data_note.split()))}
                  for m in plan.measures if m.data_note]
    return {"notes": [typeset(" ".join(n.split())) for n in plan.notes], "sources": sources,
            "data_notes": data_notes, "attributions": attribution(kinds),
            "version": f"Version {plan.version}" + (f" of {long_date(pub.version_date)}" if pub.version_date else "")}


# --- the changes ----------------------------------------------------------------------------------


def change_groups(changes: Any) -> list[dict]:
    """The changes grouped by section, in the order the report of changes gives them, each a sentence (which
    carries its reason) and the reason again only where the sentence does not already give it."""
    try:
        from policingplan.services.changes import SECTION_TITLES as titles
    except ImportError:
        titles = SECTION_TITLES
    order = list(titles)
    groups: dict[str, list[dict]] = {}
    for change in getattr(changes, "changes", []) or []:
        section = str(getattr(change, "section", "") or "other")
        sentence = typeset(str(getattr(change, "sentence", "") or ""))
        reason = typeset(" ".join(str(getattr(change, "reason", "") or "").split()))
        if reason and _covered(reason, sentence):
            reason = ""
        groups.setdefault(section, []).append({"sentence": sentence, "reason": reason,
                                               "kind": str(getattr(change, "kind", "") or "")})
    ranked = sorted(groups, key=lambda s: order.index(s) if s in order else len(order))
    return [{"title": titles.get(s, s.replace("_", " ").capitalize()), "items": groups[s]} for s in ranked]


def _covered(reason: str, sentence: str) -> bool:
    """Most of the reason's words are in the sentence already."""
    words = set(_squash(reason).split())
    return not words or len(words & set(_squash(sentence).split())) >= 0.5 * len(words)


def _squash(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


def changes_content(pub: Publication) -> dict:
    groups = change_groups(pub.changes)
    count = sum(len(g["items"]) for g in groups)
    since = pub.since or "the previous version"
    return {"title": f"{pub.plan.name}: changes since version {since}" if pub.since else
            f"{pub.plan.name}: changes since the previous version",
            "plan": pub.plan.name, "organisation": pub.plan.organisation, "version": pub.plan.version,
            "since": since, "date": long_date(pub.version_date), "groups": groups,
            "intro": f"{count} change{'s' if count != 1 else ''} to the plan between version {since} and version "
                     f"{pub.plan.version}" + (f" ({long_date(pub.version_date)})" if pub.version_date else "")
                     + ", each with its reason, grouped as the committee report groups them."}


# --- the committee report -------------------------------------------------------------------------


def report_content(pub: Publication) -> dict:
    """The committee report: its details, Summary, and sections A to F, B in numbered paragraphs."""
    plan, meta = pub.plan, pub.report
    paragraphs: list[dict] = []

    def add(text: str, heading: Optional[str] = None) -> None:
        paragraphs.append({"heading": heading, "text": typeset(" ".join(text.split()))})

    if plan.strategy:
        agreed = f", agreed {plan.strategy.agreed}" if plan.strategy.agreed else ""
        add(f"The {plan.name} is a key delivery mechanism for the three-year {plan.strategy.name} "
            f"({plan.strategy.first_year} to {plan.strategy.last_year}{agreed}).", "Background")
    for amendment in sorted(plan.amendments, key=lambda a: a.date):
        where = f" to the {amendment.meeting}" if amendment.meeting else ""
        text = f"On {long_date(amendment.date)}, version {amendment.version} was presented{where}: {amendment.summary}"
        if amendment.reason:
            text = text.rstrip(".") + f". {amendment.reason}"
        add(text)
    if pub.check is not None:
        c = pub.check
        add(f"The corporate target for {_lower(c.measure_name)} is {pct(c.corporate.change)} ({c.corporate.basis}): at most "
            f"{whole(c.required_total)} crimes in {c.period}, on {whole(c.corporate.baseline_total)}. The "
            f"{len(c.units)} borough targets add up to {whole(c.target_total)}, "
            + ("meeting the corporate figure." if c.meets else f"missing the corporate figure by {whole(-c.slack)}."),
            "Targets")
    r = requirement_content(pub)
    if r is not None:
        add(r["text"], "The requirement")
    if pub.partners is not None and pub.partners.partner_targets:
        p = pub.partners
        binding = sum(1 for row in p.partner_targets if row.binds == "partner")
        add(f"{len(p.partner_targets)} boroughs have agreed targets with their partners in Local Area Agreements; "
            f"in {binding} the partner target is the more stretching and binds. With every more stretching target, "
            f"the boroughs would record at most {whole(p.stretched_total)} crimes. Each Borough Commander and Local "
            "Authority Chief Executive is written to, setting out the basis on which the balance has been struck.",
            "Local Area Agreements")
    groups = change_groups(pub.changes) if pub.changes is not None else []
    if groups:
        add(f"As a result of the meetings above, a number of amendments have been made to the Plan "
            f"since version {pub.since}. The key areas are as follows.", "Changes to the Plan")
        for group in groups:
            for item in group["items"]:
                add(item["sentence"] + (f" {item['reason']}" if item["reason"] else ""))
    else:
        latest = [a for a in plan.amendments if a.version == plan.version]
        if latest and latest[0].changes:
            add("The key amendments made to the Plan in this version are as follows.", "Changes to the Plan")
            for change in latest[0].changes:
                add(change)
    cpas = plan.cpa_measures
    if cpas:
        add(f"The Critical Performance Areas for {plan.period} are: " + "; ".join(m.name for m in cpas) + ".",
            "Critical Performance Areas")
    for investment in plan.investments:
        add(f"{investment.name}: {fmt_money(investment.amount)}. {investment.description or ''} "
            f"{investment.condition or ''}", "Investment")
    future = [m for m in plan.milestones if pub.version_date is None or m.due >= pub.version_date]
    if future:
        add("; ".join(f"{m.name}: by {long_date(m.due)}" for m in future) + ".", "Next steps")
    written = {name: blocks(meta.sections.get(name, ""), drop_title=False) or [paragraph("None.")]
               for name in WRITTEN_SECTIONS}
    return {
        "title": meta.title, "report": meta.report, "committee": meta.committee, "by": meta.by,
        "author": meta.author, "date": long_date(pub.version_date),
        "summary": [paragraph(f"This report seeks agreement to the {plan.name}."
                              + (f" {' '.join(plan.summary.split())}" if plan.summary else ""))],
        "recommendations": list(meta.recommendations), "paragraphs": paragraphs,
        "equality": written["Race and equality impact"], "financial": written["Financial implications"],
        "background": written["Background papers"], "contacts": list(meta.contacts),
    }


# --- the letters ----------------------------------------------------------------------------------


def letter_content(pub: Publication, unit_code: str) -> dict:
    """A letter to one borough: its own targets, its partner targets, and the basis of the balance struck.

    It names no other unit: the force-wide figures are the only others it gives."""
    plan = pub.plan
    unit = plan.unit(unit_code)
    measures = {m.id: m for m in plan.measures}
    own = [t for t in plan.targets if t.scope == unit_code and t.period == plan.period]
    checked = {u.unit: u for u in (pub.check.units if pub.check is not None else [])}
    rows, basis = [], []
    for target in own:
        measure = measures.get(target.measure)
        name = measure.name if measure else target.measure
        volume = checked.get(unit_code) if pub.check is not None and target.measure == pub.check.measure else None
        rows.append([name, f"{whole(target.baseline)} ({target.baseline_period})" if target.baseline is not None
                     else (target.baseline_period or ""), pct(target.value) if target.value is not None
                     else target_words(target, measure), whole(volume.target) if volume else ""])
        if target.rationale:
            basis.append(typeset(f"{name}: " + _basis(target.rationale)))
    partner_rows, partner_basis = [], []
    for p in (pub.partners.partner_targets if pub.partners is not None else []):
        if p.unit != unit_code:
            continue
        measure = measures.get(p.measure)
        partner_rows.append([measure.name if measure else p.measure, p.partner or p.agreement, p.agreement,
                             pct(p.partner_change) + (f" on {p.partner_baseline_period}" if p.partner_baseline_period
                                                      else ""),
                             whole(p.partner_volume) if p.partner_volume is not None else "–"])
        partner_basis.append(typeset(p.reason))
    force = []
    if pub.check is not None:
        c = pub.check
        force.append(typeset(
            f"The corporate target for {_lower(c.measure_name)} is {pct(c.corporate.change)} ({c.corporate.basis}). The "
            f"variable target setting process shares it among the {len(c.units)} boroughs according to each "
            f"borough's circumstances, and together the borough targets come to {whole(c.target_total)} crimes "
            f"against the corporate figure of {whole(c.required_total)}."))
    r = requirement_content(pub)
    if r is not None:
        force.append(r["text"])
    return {"unit": unit.name, "code": unit.code, "partner": unit.partner or "", "plan": plan.name,
            "organisation": plan.organisation, "date": long_date(pub.version_date), "period": plan.period,
            "rows": rows, "basis": basis, "partner_rows": partner_rows, "partner_basis": partner_basis,
            "force": force, "peer_group": unit.peer_group or ""}


def _basis(rationale: str) -> str:
    """A unit target's rationale as a sentence: ``19,937 offences at most: asked for 6.8%: ...``."""
    text = " ".join(rationale.split())
    parts = [p.strip() for p in text.split(": ")]
    if len(parts) >= 3 and parts[1].startswith("asked for"):
        return f"{parts[0]}, a reduction of {parts[1][len('asked for '):]}, because {': '.join(parts[2:])}."
    return text.rstrip(".") + "."


__all__ = ["appendix_content", "change_groups", "changes_content", "key_messages", "letter_content",
           "methods_content", "plan_content", "portfolio_content", "report_content", "requirement_content", "target_words"]
