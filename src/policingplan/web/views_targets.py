"""Target setting, the requirement tracker and partner alignment: each view calls a service
(:mod:`policingplan.services.target_setting`, :mod:`policingplan.services.targets`) and renders
what it returns.

The what-if is a plain GET form, so that it works without JavaScript and its address can be
shared: nothing is saved.  A value that cannot be read is shown in an error summary linking
to its field, and the page then shows the plan's own targets unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Optional

from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from policingplan.formatting import fmt_int, fmt_pct
from policingplan.problems import UserError
from policingplan.web import figures, present
from policingplan.web.access import user_roles

#: The allocation methods, in the order the form offers them, with what each does in words.
METHODS = (
    ("stretch", "Stretch", "More from boroughs whose crime rate is above their peer group's."),
    ("uniform", "Uniform", "The same reduction for every borough."),
    ("negotiated", "Negotiated", "Each borough's own proposal first, the rest shared by stretch."),
)
#: The fields of the what-if form that apply to every borough.
FIELDS = ("reduction", "method", "floor", "cap")
PER_UNIT = (("floor", "floor"), ("cap", "cap"), ("proposal", "proposal"))


def _cached(key: tuple, make):
    """A service's result, reused as :mod:`.figures` reuses its own (the plan and warehouse in the key)."""
    return figures._cached(("targets",) + key, make)


def _choices(plan):
    from policingplan.services.target_setting import target_measures

    return _cached(("measures",), lambda: target_measures(plan))


def _own_names(request, plan) -> set[str]:
    """The codes of the user's own boroughs (a commander's), for highlighting their row."""
    _, own = user_roles(request.user)
    return {unit.code for unit in plan.units if present.slug(unit.name) in own}


def _choice(plan, measure: str):
    choices = _choices(plan)
    found = next((m for m in choices.measures if m.id == measure), None)
    if found is None:
        raise Http404(f"The plan has no unit targets for the measure {measure!r}.")
    return choices, found


# --- display: British formats, no arithmetic ------------------------------------------------------


def _pct(value: Optional[float], places: int = 1, signed: bool = False) -> str:
    return fmt_pct(value, places, signed=signed) if value is not None else ""


def _verdict(table) -> dict:
    """The sum against the corporate figure, in the page's words."""
    return {
        "required": fmt_int(table.required_total), "total": fmt_int(table.target_total),
        "margin": fmt_int(table.margin), "crimes": "crime" if table.margin == 1 else "crimes",
        "achieved": _pct(table.achieved_change, 2, signed=True), "reduction": _pct(table.reduction),
        "baseline": fmt_int(table.baseline_total),
        "best": _pct(table.best_reachable_reduction, 2) if table.best_reachable_reduction is not None else None,
        "in_year": _pct(table.requirement_in_year_change, 2, signed=True),
        "shortfall": fmt_int(table.requirement_shortfall) if table.requirement_shortfall else None,
        "plan_total": fmt_int(table.plan_target_total) if table.plan_target_total is not None else None,
        "steps": _steps(table.requirement or []),
    }


_STEP_WORDS = {"baseline": "Baseline", "outturn": "Outturn", "projected": "Projected with this plan",
               "required": "Required"}


def _steps(steps) -> list[dict]:
    return [{"period": s.period, "what": _STEP_WORDS.get(s.what, s.what), "code": s.what,
             "change": "0.0%" if s.what == "baseline" else _pct(s.change, signed=True),
             "volume": fmt_int(s.volume) if s.volume is not None else "–"} for s in steps]


# --- target setting ----------------------------------------------------------------------------


def targets(request):
    """The measures with unit targets: each links to its allocation table and what-if."""
    plan = figures.plan()
    choices = _choices(plan)
    rows = []
    for choice in choices.measures:
        try:
            table = _plan_table(plan, choice.id)
        except UserError as exc:
            rows.append({"choice": choice, "table": None, "problem": str(exc)})
        else:
            rows.append({"choice": choice, "table": table, "problem": None, "verdict": _verdict(table)})
    attribution = list(dict.fromkeys(line for item in rows if item["table"] for line in item["table"].attribution))
    return render(request, "policingplan/targets.html", {
        "title": "Target setting", "plan": plan, "choices": choices, "rows": rows, "attribution": attribution,
    })


def _plan_table(plan, measure: str):
    from policingplan.services.target_setting import plan_target_setting

    return _cached(("plan-targets", measure), lambda: plan_target_setting(plan, measure))


@dataclass
class WhatIfForm:
    """The what-if form's values as typed, the values read from them, and what is wrong."""

    values: dict[str, str] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field id, message)
    reduction: Optional[float] = None
    method: str = "stretch"
    floor: Optional[float] = None
    cap: Optional[float] = None
    floors: dict[str, float] = field(default_factory=dict)
    caps: dict[str, float] = field(default_factory=dict)
    proposals: dict[str, float] = field(default_factory=dict)
    asked: bool = False

    def error(self, name: str) -> Optional[str]:
        return next((message for key, message in self.errors if key == name), None)


def _percent(form: WhatIfForm, name: str, label: str, text: str) -> Optional[float]:
    """A percentage typed in a field (``5.5`` or ``5.5%``) as a fraction (0.055); a mistake is recorded."""
    cleaned = text.strip().replace("\u2212", "-").removesuffix("%").strip()
    if not cleaned:
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        form.errors.append((name, f"Enter {label} as a percentage, like 5.5"))
        return None
    if not number.is_finite():
        form.errors.append((name, f"Enter {label} as a percentage, like 5.5"))
        return None
    if number < 0:
        form.errors.append((name, f"{label[0].upper()}{label[1:]} must be 0% or more"))
        return None
    if number >= 100:
        form.errors.append((name, f"{label[0].upper()}{label[1:]} must be less than 100%"))
        return None
    return float(number / 100)


def _read_form(request, units: dict[str, str]) -> WhatIfForm:
    """The what-if form from the query string; ``asked`` when any of its fields was sent."""
    query = request.GET
    form = WhatIfForm()
    form.asked = any(key in query for key in FIELDS)
    for key in FIELDS:
        form.values[key] = query.get(key, "")
    form.reduction = _percent(form, "reduction", "the corporate reduction", form.values["reduction"])
    method = form.values["method"] or "stretch"
    if method not in {m for m, _, _ in METHODS}:
        form.errors.append(("method-stretch", "Choose stretch, uniform or negotiated"))
    else:
        form.method = method
        form.values["method"] = method
    form.floor = _percent(form, "floor", "the floor for every borough", form.values["floor"])
    form.cap = _percent(form, "cap", "the cap for every borough", form.values["cap"])
    for code, name in units.items():
        for prefix, word in PER_UNIT:
            key = f"{prefix}-{code}"
            text = query.get(key, "")
            form.values[key] = text
            if text.strip():
                form.asked = True
            value = _percent(form, key, f"{name}'s {word}", text)
            if value is not None:
                {"floor": form.floors, "cap": form.caps, "proposal": form.proposals}[prefix][code] = value
    return form


def _field_for(message: str, form: WhatIfForm, units: dict[str, str]) -> str:
    """The field a service's message is about: a borough's own field, or the floor or cap for every one."""
    for code, name in units.items():
        if message.startswith(code) or message.startswith(name):
            for prefix in ("floor", "cap", "proposal"):
                if form.values.get(f"{prefix}-{code}", "").strip():
                    return f"{prefix}-{code}"
    if "cap" in message and form.values.get("cap"):
        return "cap"
    if "floor" in message and form.values.get("floor"):
        return "floor"
    return "reduction"


def target_measure(request, measure: str):
    """One measure's unit targets: the plan's own, or a what-if (a fresh allocation) from the GET form."""
    from policingplan.services.target_setting import what_if_target_setting

    plan = figures.plan()
    choices, choice = _choice(plan, measure)
    try:
        own = _plan_table(plan, measure)
    except UserError as exc:
        own, problem = None, str(exc)
    else:
        problem = None
    units = {row.unit: row.name or row.unit for row in own.units} if own is not None else {}
    form = _read_form(request, units)
    table, status = own, 200
    if form.asked and not form.errors:
        try:
            table = what_if_target_setting(plan, measure, method=form.method, reduction=form.reduction,
                                           floor=form.floor, cap=form.cap, floors=form.floors, caps=form.caps,
                                           proposals=form.proposals)
        except UserError as exc:
            form.errors.append((_field_for(str(exc), form, units), str(exc)))
    if form.errors:
        table, status = own, 400
    if own is not None and not form.asked:
        form.values["reduction"] = fmt_pct(own.reduction, 2).removesuffix("%").rstrip("0").rstrip(".")
        form.values["method"] = own.method or "stretch"
    mine = _own_names(request, plan)
    rows = [{"row": row, "own": row.unit in mine, "name": row.name or row.unit, "unit": row.unit,
             "baseline": fmt_int(row.baseline), "target": fmt_int(row.target), "change": _pct(row.change, signed=True),
             "plan_target": fmt_int(row.plan_target) if row.plan_target is not None else "–",
             "difference": "–" if row.difference is None else ("0" if row.difference == 0 else f"{row.difference:+,}")}
            for row in (table.units if table is not None else [])]
    inputs = [{"unit": row.unit, "name": row.name or row.unit, "own": row.unit in mine,
               "fields": [{"prefix": prefix, "word": word, "id": f"{prefix}-{row.unit}",
                           "value": form.values.get(f"{prefix}-{row.unit}", ""),
                           "plan": _pct({"floor": row.floor, "cap": row.cap, "proposal": row.proposal}[prefix]),
                           "error": form.error(f"{prefix}-{row.unit}")} for prefix, word in PER_UNIT]}
              for row in (own.units if own is not None else [])]
    per_unit_open = any(form.values.get(f"{p}-{code}", "").strip() for code in units for p, _ in PER_UNIT)
    verdict = _verdict(table) if table is not None else None
    context = {
        "title": ("Error: " if form.errors else "") + f"Target setting: {choice.name}"
                 + (" (what if)" if table is not None and table.what_if else ""),
        "plan": plan, "choice": choice, "choices": choices, "table": table, "own": own, "problem": problem,
        "verdict": verdict,
        "rows": rows, "inputs": inputs, "form": form, "per_unit": PER_UNIT,
        "errors": {key.split("-")[0] if key == "method-stretch" else key: message for key, message in reversed(form.errors)}, "methods": METHODS, "per_unit_open": per_unit_open or any(
            key.startswith(("floor-", "cap-", "proposal-")) for key, _ in form.errors),
        "mine": bool(mine), "announcement": _announcement(table, verdict, form),
    }
    if request.headers.get("HX-Request") == "true":
        # The what-if as you type (htmx): the summary, the table and the announcement, swapped into the
        # page in place.  A mistake is shown, not refused: htmx swaps only a successful answer.
        return render(request, "policingplan/whatif/fragment.html", context)
    return render(request, "policingplan/targets_measure.html", context, status=status)


def _announcement(table, verdict, form: WhatIfForm) -> str:
    """The sum against the corporate target in one sentence, for screen readers as it updates."""
    if form.errors:
        return "There is a problem: " + "; ".join(message for _, message in form.errors) + \
            ". The table shows the plan's own targets."
    if table is None or verdict is None:
        return ""
    which = "In this what-if, the" if table.what_if else "The plan's"
    margin = f"{verdict['margin']} {verdict['crimes']} {'to spare' if table.meets else 'too many'}"
    return (f"{which} boroughs' targets add up to {verdict['total']} against at most {verdict['required']}: "
            f"{margin}. {'They meet' if table.meets else 'They do not meet'} the corporate target.")


# --- the requirement tracker ---------------------------------------------------------------------


def requirement(request):
    """Each requirement of the plan (PSA1) projected through the plan's force target: the trajectory and the gap."""
    from policingplan.services.target_setting import requirement_track

    plan = figures.plan()
    tracks, problems = [], []
    for found in plan.requirements:
        try:
            track = _cached(("requirement", found.id), lambda found=found: requirement_track(plan, found.id))
        except UserError as exc:
            problems.append(f"{found.name}: {exc}")
            continue
        tracks.append({
            "track": track, "steps": _steps(track.steps), "chart": _requirement_chart(plan, found.id), "latest": _pct(track.latest_change, signed=True),
            "planned": _pct(track.planned_change, signed=True), "planned_precise": _pct(track.planned_change, 2, signed=True),
            "projected": _pct(track.projected_change, signed=True), "required": _pct(track.required_change, signed=True),
            "in_year": _pct(track.required_in_year_change, 2, signed=True),
            "gap": _pct(track.gap).removesuffix("%"), "shortfall": fmt_int(track.shortfall) if track.shortfall else None,
            "baseline": fmt_int(track.baseline) if track.baseline is not None else None,
        })
    return render(request, "policingplan/requirement.html", {
        "title": "The requirement", "plan": plan, "tracks": tracks, "problems": problems,
        "example": "examples/london-2007-08",
    })


def _requirement_chart(plan, requirement_id: str) -> dict | None:
    """The requirement's chart as the published plan draws it (publish/plan_charts.py), as SVG with its
    text alternative; None when the service cannot project the requirement."""
    from django.utils.safestring import mark_safe

    from policingplan.publish.charts import to_svg
    from policingplan.publish.plan_charts import requirement_chart, requirement_description
    from policingplan.services.targets import plan_requirement
    from policingplan.web.views import _svg

    try:
        result = _cached(("requirement-chart", requirement_id), lambda: plan_requirement(plan, requirement_id))
    except UserError:
        return None
    described_by = f"{requirement_id}-chart-description"
    svg = _cached(("requirement-svg", requirement_id), lambda: to_svg(requirement_chart(result)))
    return {"svg": mark_safe(_svg(svg, described_by)), "description": requirement_description(result),
            "id": described_by}


# --- partner alignment ---------------------------------------------------------------------------


def _partner_choices(plan):
    choices = _choices(plan)
    return choices, [m for m in choices.measures if m.partner_targets]


def partners(request):
    """Partner alignment: with one measure, its table; with several, a list of them."""
    plan = figures.plan()
    choices, measures = _partner_choices(plan)
    if len(measures) == 1:
        return _partners_page(request, plan, measures[0], measures)
    return render(request, "policingplan/partners.html", {
        "title": "Partner alignment", "plan": plan, "measures": measures, "choice": None, "result": None,
    })


def partners_measure(request, measure: str):
    """One measure's unit targets beside the targets its boroughs agreed with their partners."""
    plan = figures.plan()
    choices, measures = _partner_choices(plan)
    choice = next((m for m in measures if m.id == measure), None)
    if choice is None:
        raise Http404(f"The plan has no partner targets for the measure {measure!r}.")
    return _partners_page(request, plan, choice, measures)


def _partners_page(request, plan, choice, measures):
    from pathlib import Path

    from policingplan.services.targets import partner_alignment

    warehouse = Path(settings.POLICINGPLAN_WAREHOUSE)
    problem = None
    try:
        result = _cached(("partners", choice.id), lambda: partner_alignment(plan, choice.id, warehouse_dir=warehouse))
    except UserError as exc:
        result, problem = None, str(exc)
    mine = _own_names(request, plan)
    rows = [{"row": row, "own": row.unit in mine, "binds_partner": row.binds == "partner", "name": row.name or row.unit,
             "partner": f"{row.agreement} {_pct(row.partner_change, signed=True)}"
                        + (f" on {row.partner_baseline_period}" if row.partner_baseline_period else "")
                        + (f", for {row.partner_period}" if row.partner_period != row.period else ""),
             "partner_volume": "Not comparable" if row.partner_volume is None else fmt_int(row.partner_volume),
             "unit_target": fmt_int(row.unit_target), "unit_change": _pct(row.unit_change, signed=True),
             "gap": "–" if row.gap is None else ("0" if row.gap == 0 else f"{row.gap:+,}")}
            for row in (result.partner_targets if result is not None else [])]
    summary = None if result is None else {
        "unit_total": fmt_int(result.unit_total), "required": fmt_int(result.required_total),
        "stretched": fmt_int(result.stretched_total), "margin": fmt_int(result.margin),
        "own_margin": fmt_int(result.own_margin)}
    return render(request, "policingplan/partners.html", {
        "title": f"Partner alignment: {choice.name}", "plan": plan, "measures": measures, "choice": choice,
        "result": result, "rows": rows, "problem": problem, "summary": summary, "mine": bool(mine),
        "notes": [str(n) for n in result.notes] if result is not None else [],
    })
