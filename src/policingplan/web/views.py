"""The pages: each calls a service (through :mod:`.figures`) and renders what it returns.

A view never opens a file or the warehouse; who may open it is decided before
it runs, by the catalogue (:mod:`.roles`, enforced by :mod:`.access`).
"""

from __future__ import annotations

import re

from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe

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
    return render(request, "policingplan/borough.html", {
        "title": unit.name, "plan": plan, "unit": unit, "slug": borough, "result": result, "rows": rows,
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
    return render(request, "policingplan/measure.html", context)


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
