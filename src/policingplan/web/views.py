"""The pages: each calls a service (through :mod:`.figures`) and renders what it returns.

A view never opens a file or the warehouse; who may open it is decided before
it runs, by the catalogue (:mod:`.roles`, enforced by :mod:`.access`).
"""

from __future__ import annotations

import re

from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe

from policingplan.formatting import fmt_num
from policingplan.periods import FinancialYear, Month
from policingplan.plan.model import FORCE
from policingplan.services.monitor import DataNotLoaded, NoMonthlyData
from policingplan.web import figures, present
from policingplan.web.access import may_open


def _empty(request, title: str, heading: str, status: int = 200):
    """The page shown when the warehouse holds none of the plan's data: what to do next."""
    return render(request, "policingplan/empty.html", {
        "title": title, "heading": heading, "command": figures.load_command(), "plan": figures.plan(),
    }, status=status)


def _measures(plan) -> dict:
    return {m.id: m for m in plan.measures}


def _unit_by_slug(plan, slug: str):
    for unit in plan.units:
        if present.slug(unit.name) == slug:
            return unit
    raise Http404(f"No borough of the plan is called {slug!r}.")


def dashboard(request):
    """The corporate dashboard: each CPA measure's force position, and every borough at a glance."""
    plan = figures.plan()
    try:
        result = figures.monitoring()
    except (DataNotLoaded, NoMonthlyData):
        return _empty(request, "Dashboard", "Corporate dashboard")
    measures = _measures(plan)
    rows = [present.position(t, measures.get(t.measure)) for t in result.targets
            if t.unit == FORCE and measures.get(t.measure) and measures[t.measure].cpa]
    units = []
    for unit in (result.units.units if result.units else []):
        slug = present.slug(unit.name)
        units.append({"name": unit.name, "slug": slug, "status": present.status(unit.status),
                      "count": unit.count, "targets": unit.targets, "link": may_open(request, "borough", slug)})
    return render(request, "policingplan/dashboard.html", {
        "title": "Dashboard", "plan": plan, "result": result, "rows": rows, "units": units,
        "unit_measures": result.units.measures if result.units else [],
    })


def plan_page(request):
    """The plan: priorities, their objectives, each objective's measures and their targets, CPAs marked."""
    from policingplan.services.plan import describe_target, unit_target_counts

    plan = figures.plan()
    measures = _measures(plan)
    force_targets: dict[str, list[str]] = {}
    for target in plan.targets:
        if target.scope == FORCE:
            force_targets.setdefault(target.measure, []).append(describe_target(target, measures.get(target.measure)))
    unit_counts = unit_target_counts(plan)
    priorities = [{
        "id": priority.id, "name": priority.name, "description": priority.description,
        "objectives": [{
            "id": objective.id, "name": objective.name, "description": objective.description,
            "measures": [{"id": m, "name": measures[m].name, "cpa": measures[m].cpa,
                          "unit_of_count": measures[m].unit_of_count, "description": measures[m].description,
                          "targets": force_targets.get(m, []), "unit_targets": unit_counts.get(m, 0)}
                         for m in objective.measures if m in measures],
        } for objective in priority.objectives],
    } for priority in plan.priorities]
    return render(request, "policingplan/plan.html", {
        "title": "The plan", "plan": plan, "priorities": priorities,
        "cpas": sum(1 for m in plan.measures if m.cpa),
    })


def borough(request, borough: str):
    """One borough: each of its targets' positions."""
    plan = figures.plan()
    unit = _unit_by_slug(plan, borough)
    try:
        result = figures.monitoring(unit.code)
    except (DataNotLoaded, NoMonthlyData):
        return _empty(request, unit.name, unit.name)
    measures = _measures(plan)
    rows = [present.position(t, measures.get(t.measure)) for t in result.targets if t.unit == unit.code]
    among_peers = [found for found in (_peer_line(measures[m], unit.code, result.as_of)
                                       for m in dict.fromkeys(t.measure for t in result.targets
                                                              if t.unit == unit.code and t.measure in measures))
                   if found is not None]
    commentary = None
    if may_open(request, "borough-commentary", borough):  # signed in: the commentary on the borough's position
        from policingplan.web.cycle.state import recent_commentary

        commentary = recent_commentary(unit.code)
    return render(request, "policingplan/borough.html", {
        "title": unit.name, "plan": plan, "unit": unit, "slug": borough, "result": result, "rows": rows,
        "commentary": commentary, "proposals_link": may_open(request, "borough-proposals", borough),
        "among_peers": among_peers,
    })


def _svg(svg: str, described_by: str) -> str:
    """The chart's SVG, scaled to its container and described by the text alternative beside it."""
    svg = re.sub(r'^<svg([^>]*?) width="[\d.]+" height="[\d.]+"', r"<svg\1", svg, count=1)
    return svg.replace("<svg ", f'<svg role="img" aria-labelledby="{described_by}" focusable="false" ', 1)


def _measure(request, unit_code: str, measure_id: str, slug: str | None):
    plan = figures.plan()
    measures = _measures(plan)
    if measure_id not in measures:
        raise Http404(f"The plan has no measure {measure_id!r}.")
    unit_name = plan.organisation if unit_code == FORCE else plan.unit(unit_code).name
    try:
        result = figures.monitoring(unit_code)
    except (DataNotLoaded, NoMonthlyData):
        return _empty(request, measures[measure_id].name, measures[measure_id].name)
    target = next((t for t in result.targets if t.measure == measure_id and t.unit == unit_code), None)
    context = {"title": f"{measures[measure_id].name}: {unit_name}", "plan": plan, "measure": measures[measure_id],
               "unit_name": unit_name, "slug": slug, "result": result, "row": None, "chart": None}
    if target is None:
        return render(request, "policingplan/measure.html", context)
    history = figures.history(target, result.as_of)
    context["row"] = present.position(target, measures[measure_id])
    context["history"] = history
    context["table"] = [{"label": p.label, "value": present.amount(p.value, history.kind),
                         "mean": present.precise(p.mean, history.kind), "lpl": present.precise(p.lpl, history.kind),
                         "upl": present.precise(p.upl, history.kind),
                         "signal": (present.VARIATION.get(p.point_type or "") or ("", "No data"))[1]}
                        for p in history.points]
    context["monthly_target"] = present.precise(history.monthly_target, history.kind)
    if history.points:
        svg, description = figures.chart(history, f"{history.measure_name}: {unit_name}")
        context["chart"] = {"svg": mark_safe(_svg(svg, "chart-description")), "description": description}
        context["fan"] = _fan(target, result.as_of, unit_name)
        context["peers"] = _peers(request, measures[measure_id], unit_code, result.as_of)
    return render(request, "policingplan/measure.html", context)


def _fan(target, as_of: str, unit_name: str) -> dict | None:
    """The forecast fan for the page: its chart (SVG and text alternative) and its data as a table."""
    fan = figures.fan(target, as_of)
    if not any(p.forecast is not None for p in fan.points):
        return None
    svg, description = figures.fan_chart(fan, f"Year-end forecast: {fan.measure_name}, {unit_name}")

    def span(low, high) -> str:
        if low is None or high is None:
            return "–"
        return f"{present.amount(low, fan.kind)} to {present.amount(high, fan.kind)}"

    rows = [{"label": p.label, "year_to_date": present.amount(p.year_to_date, fan.kind),
             "forecast": present.amount(p.forecast, fan.kind), "range_80": span(p.low_80, p.high_80),
             "range_95": span(p.low_95, p.high_95), "chance": present.chance(p.p_meet_target) or "–"}
            for p in fan.points]
    return {"svg": mark_safe(_svg(svg, "fan-description")), "description": description, "rows": rows,
            "fan": fan, "target": present.target_words(fan.met_at, fan.polarity, fan.kind)}


def _peer_line(measure, unit_code: str, as_of: str) -> dict | None:
    """One line of a borough page's "among its peers": the borough's year-to-date rate for the measure, its rank
    of every borough and in its peer group, and how it compares with its peers (the measure page's figures)."""
    from policingplan.problems import UserError

    try:
        standing = figures.peers(measure.id, as_of)
    except UserError:
        return None
    ranked = [u for u in standing.units if u.rate is not None]
    mine = next((u for u in ranked if u.unit == unit_code), None)
    if mine is None:
        return None
    group = [u for u in ranked if mine.peer_group and u.peer_group == mine.peer_group]
    return {"measure": measure, "basis": standing.basis, "rate": present.rate(mine.rate, standing.basis),
            "rank": f"{present.ordinal(mine.rank)} of {len(ranked)}",
            "group": f"{present.ordinal(group.index(mine) + 1)} of {len(group)} ({mine.peer_group})" if group else "–",
            "band": present.band(mine.band), "best": "highest" if standing.polarity == "higher" else "lowest"}


def _peers(request, measure, unit_code: str, as_of: str) -> dict | None:
    """Where the borough stands among its peers (or, for the force, every borough ranked): chart and table."""
    from policingplan.problems import UserError

    try:
        standing = figures.peers(measure.id, as_of)
    except UserError:
        return None
    ranked = [u for u in standing.units if u.rate is not None]
    if not ranked:
        return None
    basis = standing.basis
    mine = next((u for u in standing.units if u.unit == unit_code), None) if unit_code != FORCE else None
    title = standing.measure_name + (" per 1,000 residents" if basis == "per_1000" else "")
    if mine is not None and mine.peer_group:
        shown = [u for u in ranked if u.peer_group == mine.peer_group]
        subtitle = f"{mine.name} among the {mine.peer_group} boroughs"
    else:
        shown = ranked
        subtitle = "Every borough"
    svg, description = figures.peer_chart(standing, shown, title, subtitle, mine.name if mine else None,
                                          mine.peer_rate if mine else None)
    rows = [{"rank": present.ordinal(u.rank), "name": u.name, "slug": present.slug(u.name), "own": u is mine,
             "link": may_open(request, "borough-measure", present.slug(u.name)),
             "peer_group": u.peer_group or "–",
             "count": present.amount(u.count, "count"), "denominator": present.amount(u.denominator, "count"),
             "population": present.amount(u.population, "count"), "rate": present.rate(u.rate, basis),
             "peer_rate": present.rate(u.peer_rate, basis), "band": present.band(u.band)}
            for u in shown]
    summary = None
    if mine is not None and mine.rate is not None:
        group = [u for u in ranked if u.peer_group == mine.peer_group] if mine.peer_group else []
        summary = {"rank": present.ordinal(mine.rank), "of": len(ranked), "rate": present.rate(mine.rate, basis),
                   "peer_rate": present.rate(mine.peer_rate, basis), "band": present.band(mine.band),
                   "group_rank": present.ordinal(group.index(mine) + 1) if mine in group else None,
                   "group_size": len(group), "peer_group": mine.peer_group,
                   "interval": None if mine.ratio_low is None else
                   f"{fmt_num(mine.ratio_low, 2)} to {fmt_num(mine.ratio_high, 2)}"}
    year = FinancialYear(standing.period)
    first, last = year.first_month.label(), min(Month(standing.as_of), year.last_month).label()
    return {"svg": mark_safe(_svg(svg, "peers-description")), "description": description, "rows": rows,
            "standing": standing, "mine": mine, "summary": summary, "basis": basis, "from": first, "to": last,
            "best": "highest" if standing.polarity == "higher" else "lowest", "ranked": len(ranked),
            "notes": standing.notes}


def measure(request, measure: str):
    """A measure's force position, its XmR chart with the target line, and the chart's data."""
    return _measure(request, FORCE, measure, None)


def borough_measure(request, borough: str, measure: str):
    """A measure in one borough: its position, XmR chart and data."""
    unit = _unit_by_slug(figures.plan(), borough)
    return _measure(request, unit.code, measure, borough)


def csrf_failure(request, reason: str = ""):
    """A form sent without its security token (or with an old one): refused, in words."""
    return render(request, "403.html", {"title": "Form expired", "csrf": True}, status=403)
