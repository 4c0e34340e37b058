"""The pages of plan editing: thin, each calls the store (or a service) and renders what it returns."""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header

from policingplan.problems import UserError
from policingplan.web import downloads, figures, present
from policingplan.web.access import user_roles
from policingplan.web.editing import export, forms, rules, store
from policingplan.web.editing.models import PlanVersion
from policingplan.web.models import AuditEntry

CSS = "policingplan/editing/_css.html"


def _version(pk: int) -> PlanVersion:
    try:
        return store.get(pk)
    except PlanVersion.DoesNotExist:
        raise Http404("No such version") from None


def _roles(request) -> set[str]:
    return user_roles(request.user)[0]


def _plan(version):
    plan, problems = store.plan_of(version)
    return plan, problems


def versions(request):
    listed = list(store.versions())
    shown = store.shown_version()
    return render(request, "policingplan/editing/versions.html", {
        "title": "Plan versions", "versions": listed, "shown": shown,
        "may_start": rules.PERFORMANCE in _roles(request), "draft": store.current_draft(),
    })


def _targets_by_measure(plan, version, roles):
    units = {u.code: u.name for u in plan.units}
    editable = rules.may_edit(version.status, roles)
    groups = []
    for measure in plan.measures:
        rows = []
        for target in plan.targets:
            if target.measure != measure.id:
                continue
            rows.append({
                "where": "Force" if target.scope == "force" else units.get(target.scope, target.scope),
                "force": target.scope == "force",
                "period": target.period,
                "figure": _figure_words(plan, target),
                "rationale": target.rationale or "",
                "edit": reverse("target-edit", args=[version.pk, target.measure, target.scope,
                                                     target.period.replace("/", "-")])
                if editable and target.kind != "trajectory" else None,
            })
        if rows:
            rows.sort(key=lambda r: (not r["force"], r["where"]))
            groups.append({"measure": measure, "rows": rows})
    return groups


def _figure_words(plan, target) -> str:
    if target.kind == "range":
        return f"{store.figure(plan, target, target.minimum)} to {store.figure(plan, target, target.maximum)}"
    if target.kind == "trajectory":
        return "a monthly trajectory"
    return store.figure(plan, target, target.value)


def version_page(request, version: int):
    row = _version(version)
    plan, problems = _plan(row)
    roles = _roles(request)
    return render(request, "policingplan/editing/version.html", {
        "title": f"Version {row.label}", "version": row, "plan_read": plan, "problems": problems.errors[:5],
        "groups": _targets_by_measure(plan, row, roles) if plan is not None else [],
        "steps": rules.steps_for(row.status, roles), "may_edit": rules.may_edit(row.status, roles),
        # The version's own next step is the main button; starting another draft from it is secondary.
        "primary_step": next((s.id for s in rules.steps_for(row.status, roles) if s.id != "start-draft"),
                             "start-draft"),
        "narrative": [{"id": n.id, "title": n.title, "words": len(row.files.get(n.file, "").split()),
                       "changed": request.GET.get("changed") == f"narrative/{n.id}"}
                      for n in (plan.narrative if plan is not None else [])],
        "comments": row.comments.count(), "shown": store.shown_version(row.plan_id),
        "history": AuditEntry.objects.filter(plan_id=row.plan_id, plan_version=row.label)[:10],
    })


def _step_context(row, step, read=None, error=None):
    return {"title": step.button, "version": row, "step": step, "errors": (read.errors if read else {}),
            "values": (read.values if read else {}), "refused": error}


def version_step(request, version: int, step: str):
    row = _version(version)
    chosen = rules.STEPS.get(step)
    if chosen is None:
        raise Http404("No such step")
    template = "policingplan/editing/step.html"
    if request.method != "POST":
        return render(request, template, _step_context(row, chosen, error=rules.why_not(step, row.status)))
    read = forms.read_reason(request.POST)
    meeting = (request.POST.get("meeting") or "").strip()[:200]
    read.values["meeting"] = meeting
    if not read.ok:
        return render(request, template, _step_context(row, chosen, read))
    try:
        result = store.take_step(row, step, user=request.user, reason=read.values["reason"], meeting=meeting)
    except store.EditRefused as exc:
        return render(request, template, _step_context(row, chosen, read, error=exc.message))
    return redirect(reverse("version", args=[result.pk]) + "?done=" + step)


def _target_or_404(plan, measure, scope, period):
    from policingplan.services.plan import find_target

    target = find_target(plan, measure, scope, period) if plan is not None else None
    if target is None:
        raise Http404("No such target")
    return target


def _edit_fields(target) -> list[str]:
    return ["minimum", "maximum"] if target.kind == "range" else ["value"]


def _field_rows(context) -> list[dict]:
    percent, kind = context["percent"], context["target"].kind
    words = {
        "value": ("The target", ("A change on the baseline, as a percentage: -5.5 is a reduction of 5.5%."
                                 if kind == "change" else "As a percentage, like 35.5.") if percent
                  else "A number, like 1,234."),
        "minimum": ("The lower end of the range", "As a percentage, like -6 for a reduction of 6%." if percent
                    else "A number."),
        "maximum": ("The upper end of the range", "As a percentage, like -5 for a reduction of 5%." if percent
                    else "A number."),
    }
    return [{"name": name, "label": words[name][0], "hint": words[name][1], "value": context["values"].get(name, ""),
             "error": context["errors"].get(name)} for name in context["fields"]]


def _render_edit(request, context, status=200):
    context["field_rows"] = _field_rows(context)
    return render(request, "policingplan/editing/target_edit.html", context, status=status)


def target_edit(request, version: int, measure: str, target_scope: str, target_period: str):
    row = _version(version)
    period = target_period.replace("-", "/")
    plan, _ = _plan(row)
    target = _target_or_404(plan, measure, target_scope, period)
    percent = store.percent_figure(plan, target)
    fields = _edit_fields(target)
    context = {
        "title": f"Change the target: {store.target_name(plan, target)}", "version": row,
        "target_words": store.target_name(plan, target), "target": target, "percent": percent,
        "fields": fields, "current": _figure_words(plan, target),
        "editable": rules.may_edit(row.status, _roles(request)) and target.kind != "trajectory",
        "locked": rules.is_locked(row.status), "errors": {}, "conflict": None, "refused": None,
        "values": {name: forms.shown_figure(getattr(target, name), percent) for name in fields}
        | {"rationale": target.rationale or "", "reason": ""},
        "seen": {name: forms.seen_text(getattr(target, name)) for name in [*fields, "rationale"]},
    }
    if request.method != "POST":
        return _render_edit(request, context)
    if not context["editable"]:
        context["refused"] = (f"Version {row.label} is {row.status_name.lower()}: only a draft can be changed."
                              if row.status != rules.DRAFT else "This target cannot be changed here.")
        return _render_edit(request, context)
    read = forms.read_target_edit(request.POST, fields, percent)
    context["values"] = {name: request.POST.get(name, "") for name in fields} | {
        "rationale": read.values.get("rationale") or "", "reason": read.values.get("reason", "")}
    context["seen"] = {name: request.POST.get(f"seen_{name}", "") for name in [*fields, "rationale"]}
    if not read.ok:
        context["errors"] = read.errors
        return _render_edit(request, context)
    seen = read.values["seen"]
    changes = {name: read.values[name] for name in [*fields, "rationale"]
               if not store._same(read.values[name], seen.get(name))}
    try:
        store.edit_target(row, measure, target_scope, period, changes=changes,
                          seen={name: seen.get(name) for name in changes}, user=request.user,
                          reason=read.values["reason"])
    except store.EditConflict as exc:
        context["conflict"] = {name: (store.figure(plan, target, value) if name != "rationale" else value)
                               for name, value in exc.current.items()}
        context["conflict_message"] = exc.message
        fresh_plan, _ = _plan(_version(version))
        fresh = _target_or_404(fresh_plan, measure, target_scope, period)
        context["seen"] = {name: forms.seen_text(getattr(fresh, name)) for name in [*fields, "rationale"]}
        context["current"] = _figure_words(fresh_plan, fresh)
        return _render_edit(request, context, status=409)
    except store.EditRefused as exc:
        context["errors"] = {exc.field or (fields[0] if isinstance(exc, store.InvalidEdit) else "reason"): exc.message}
        return _render_edit(request, context)
    return redirect(reverse("version", args=[row.pk]) + f"?changed={measure}/{target_scope}/{target_period}#m-{measure}")


def comments(request, version: int):
    row = _version(version)
    plan, _ = _plan(row)
    roles = _roles(request)
    context = {"title": f"Comments on version {row.label}", "version": row,
               "comments": row.comments.all(), "may_comment": rules.may_comment(row.status, roles),
               "measures": plan.measures if plan is not None else [], "errors": {}, "values": {}, "refused": None}
    template = "policingplan/editing/comments.html"
    if request.method == "POST":
        read = forms.read_reason(request.POST, "text", "your comment", "the knife crime target should be stretched")
        measure = request.POST.get("measure", "")
        if measure and measure not in {m.id for m in context["measures"]}:
            read.errors["measure"] = f"Choose a measure of the plan, or the whole plan: “{measure}” is not one"
        context["values"] = {"text": read.values.get("text", ""), "measure": measure}
        if not read.ok:
            context["errors"] = read.errors
            return render(request, template, context)
        try:
            store.add_comment(row, user=request.user, text=read.values["text"], measure=measure)
        except store.EditRefused as exc:
            context["refused"] = exc.message
            return render(request, template, context)
        return redirect(reverse("version-comments", args=[row.pk]) + "?added=1#comments")
    return render(request, template, context)


def changes(request, version: int):
    from policingplan.services.changes import plan_changes, previous_version
    from policingplan.web import shown

    row = _version(version)
    result, problem, against = None, None, None
    try:
        folder = shown.materialise(row)
        if row.parent is not None:
            against = row.parent.label
            result = plan_changes(shown.materialise(row.parent), folder)
        else:
            earlier = previous_version(folder)
            if earlier is not None:
                against = earlier.name
                result = plan_changes(earlier, folder)
    except UserError as exc:
        problem = str(exc)
    sections = []
    if result is not None:
        from policingplan.services.changes import SECTION_TITLES

        sections = [{"title": SECTION_TITLES.get(s, s), "changes": cs} for s, cs in result.sections.items()]
    return render(request, "policingplan/editing/changes.html", {
        "title": f"Changes in version {row.label}", "version": row, "result": result, "sections": sections,
        "problem": problem, "against": against,
    })


def download(request, version: int):
    row = _version(version)
    data = export.zip_bytes(row)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, f"{export.folder_name(row)}.zip")
    response["Content-Length"] = str(len(data))
    return response


# --- the audit log ----------------------------------------------------------------------------------

PER_PAGE = 50


def _own_unit_filter(request) -> Q | None:
    """A commander sees the entries about their own borough only: an object id that names the borough (its
    code or its slug) as one of its parts.  ``None``: every entry."""
    roles, units = user_roles(request.user)
    if not roles or (roles - {rules.COMMANDER}):
        return None
    from policingplan.web import figures

    try:
        names = {u.code: u.name for u in figures.plan().units}
    except UserError:
        names = {}
    keys = set(units) | {code for code, name in names.items() if present.slug(name) in units}
    query = Q(pk__in=[])
    for key in keys:
        query |= (Q(object_id=key) | Q(object_id__startswith=f"{key}/") | Q(object_id__endswith=f"/{key}")
                  | Q(object_id__contains=f"/{key}/"))
    return query


def _audit_entries(request):
    entries = AuditEntry.objects.all()
    own = _own_unit_filter(request)
    if own is not None:
        entries = entries.filter(own)
    chosen = {name: (request.GET.get(name) or "").strip()[:200] for name in ("action", "object", "user")}
    if chosen["action"]:
        entries = entries.filter(action=chosen["action"])
    if chosen["object"]:
        entries = entries.filter(Q(object_id__icontains=chosen["object"]) | Q(object_type__iexact=chosen["object"])
                                 | Q(what__icontains=chosen["object"]))
    if chosen["user"]:
        entries = entries.filter(who_name__iexact=chosen["user"])
    return entries.order_by("-when", "-id"), chosen, own


def audit_log(request):
    entries, chosen, own = _audit_entries(request)
    base = AuditEntry.objects.filter(own) if own is not None else AuditEntry.objects.all()
    actions = sorted(set(base.values_list("action", flat=True).distinct()))
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    from urllib.parse import urlencode

    query = urlencode({k: v for k, v in chosen.items() if v})
    return render(request, "policingplan/editing/audit.html", {
        "title": "Audit log", "page": page, "chosen": chosen, "actions": actions, "query": query,
        "own_only": own is not None, "filtered": any(chosen.values()),
        "csv": reverse("audit-csv") + (f"?{query}" if query else ""),
        "xlsx": reverse("audit-xlsx") + (f"?{query}" if query else ""),
    })


AUDIT_COLUMNS = (
    downloads.Column("when", "When", 22), downloads.Column("who", "Who", 16), downloads.Column("action", "Action", 20),
    downloads.Column("what", "What", 44), downloads.Column("why", "Why", 44),
    downloads.Column("object_type", "Object type", 12), downloads.Column("object_id", "Object", 24),
    downloads.Column("plan_id", "Plan", 16), downloads.Column("plan_version", "Version", 9),
    downloads.Column("before", "Before", 40), downloads.Column("after", "After", 40),
)


@downloads.download
def audit_table(request) -> downloads.Table:
    """The audit log's entries, as filtered on the page (a commander: their own borough's), in CSV and XLSX."""
    entries, chosen, _ = _audit_entries(request)
    rows = [{"when": e.when.isoformat(), "who": e.who_name, "action": e.action, "what": e.what, "why": e.why,
             "object_type": e.object_type, "object_id": e.object_id, "plan_id": e.plan_id,
             "plan_version": e.plan_version,
             "before": None if e.before is None else json.dumps(e.before, default=str),
             "after": None if e.after is None else json.dumps(e.after, default=str)} for e in entries.iterator()]
    shown = "; ".join(f"{k} {v}" for k, v in chosen.items() if v)
    return downloads.Table("Audit log", "audit-log", AUDIT_COLUMNS, rows, [], downloads.plan_about(
        figures.plan(), "Every change made in the application, newest first" + (f" (filtered: {shown})." if shown
                                                                                 else ".")))


audit_csv, audit_xlsx = audit_table.csv, audit_table.xlsx

VERSION_COLUMNS = (
    downloads.Column("version", "Version", 9), downloads.Column("status", "Status", 14,
                                                                 words=dict(rules.STATUS_NAMES)),
    downloads.Column("shown", "Shown", 7, words={"True": "Yes", "False": "No"}),
    downloads.Column("started_by", "Started by", 16), downloads.Column("started", "Started", 22),
    downloads.Column("last_step_by", "Last step by", 16), downloads.Column("last_step", "Last step", 22),
    downloads.Column("published", "Published", 22), downloads.Column("parent", "From version", 10),
)


@downloads.download
def versions_table(request) -> downloads.Table:
    """The plan versions page's table (every version, newest first), in CSV and XLSX."""
    shown = store.shown_version()
    rows = [{"version": v.label, "status": v.status, "shown": str(bool(shown and v.pk == shown.pk)),
             "started_by": v.created_by_name, "started": downloads.when(v.created_at),
             "last_step_by": v.status_changed_by_name or None, "last_step": downloads.when(v.status_changed_at),
             "published": downloads.when(v.published_at), "parent": v.parent.label if v.parent else None}
            for v in store.versions()]
    plan = figures.plan()
    return downloads.Table("Plan versions", f"{plan.id}-versions", VERSION_COLUMNS, rows, [], downloads.plan_about(
        plan, "Every version of the plan, newest first: its status, who started it and when, its last workflow "
              "step, and the version it was started from (none: imported from the plan folder)."))


versions_csv, versions_xlsx = versions_table.csv, versions_table.xlsx


def narrative_edit(request, version: int, section: str):
    """A draft's narrative section: its Markdown text rewritten, with a reason; optimistic locking on the text."""
    row = _version(version)
    plan, _ = _plan(row)
    found = store.narrative_section(plan, section)
    if found is None:
        raise Http404("No such narrative section")
    current = row.files.get(found.file, "")
    context = {
        "title": f"Change the narrative: {found.title}", "version": row, "section": found,
        "editable": rules.may_edit(row.status, _roles(request)), "locked": rules.is_locked(row.status),
        "errors": {}, "conflict": None, "values": {"text": current, "reason": ""}, "seen": store.text_hash(current),
    }
    if request.method != "POST":
        return render(request, "policingplan/editing/narrative_edit.html", context)
    if not context["editable"]:
        context["refused"] = f"Version {row.label} is {row.status_name.lower()}: only a draft can be changed."
        return render(request, "policingplan/editing/narrative_edit.html", context)
    read = forms.read_reason(request.POST, example="the committee asked for the work with partners to be named")
    text = (request.POST.get("text") or "").replace("\r\n", "\n")
    context["values"] = {"text": text, "reason": read.values.get("reason", "")}
    context["seen"] = request.POST.get("seen", "")
    errors = dict(read.errors)
    if not text.strip():
        errors = {"text": "Enter the section's text: a section cannot be left empty", **errors}
    if errors:
        context["errors"] = errors
        return render(request, "policingplan/editing/narrative_edit.html", context)
    try:
        store.edit_narrative(row, found.id, text=text, seen_hash=context["seen"], user=request.user,
                             reason=read.values["reason"])
    except store.EditConflict as exc:
        context["conflict"] = exc.current["text"]
        context["conflict_message"] = exc.message
        context["seen"] = store.text_hash(exc.current["text"])
        return render(request, "policingplan/editing/narrative_edit.html", context, status=409)
    except store.EditRefused as exc:
        context["errors"] = {exc.field or "text": exc.message}
        return render(request, "policingplan/editing/narrative_edit.html", context)
    return redirect(reverse("version", args=[row.pk]) + f"?changed=narrative/{found.id}#narrative")
