"""The data page: what the warehouse holds, and a form that loads a file into it.

The file is read by the same readers as ``policingplan data load``, through
:func:`policingplan.services.data.load_upload`, into the warehouse the pages show
(``POLICINGPLAN_WAREHOUSE``), all or nothing.  Before any reader sees it, the form refuses a
file that is too large (:mod:`.upload`), a hostile name, and a type that its name or its
content betrays.  Every problem is listed in an error summary at the top of the page, and a
refused file changes nothing.  A load is recorded in the audit trail with the reason given,
and the pages' cached figures are forgotten, so that they show the new data.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from policingplan.data.kinds import SOURCE_KINDS
from policingplan.formatting import fmt_int
from policingplan.problems import UserError
from policingplan.web import audit, figures
from policingplan.web import roles as catalogue
from policingplan.web.access import user_roles
from policingplan.web.loads import upload as uploads
from policingplan.web.present import month_label

#: Each source kind in words: its publisher and what it holds (docs/data.md).
KIND_WORDS: dict[str, str] = {
    "mps-borough-monthly": "Metropolitan Police recorded crime by borough and month (the London Datastore's "
                           "geographic breakdown, one column per month)",
    "police-uk-street": "Street-level crimes from data.police.uk, one file a month for any force, or the "
                        "portal's zip download",
    "gla-borough-fy": "GLA recorded offences or crime rates by borough and financial year",
    "ons-lsoa-population": "ONS mid-year population estimates by LSOA (the file's name gives the mid-year)",
    "tfl-casualties": "Transport for London road casualties, one row per casualty, one calendar year a file",
    "mps-homicide-victims": "Metropolitan Police homicide victims (the homicide dashboard's data)",
    "mps-crime-dashboard": "Metropolitan Police monthly crime dashboard: offences and positive outcomes by borough",
    "tidy": "Any figure the force holds, in the tidy template (policingplan data template tidy)",
}
REASON_MAX = 2000
STATUS_WORDS = {"loaded": "Loaded", "already loaded": "Already loaded: nothing changed", "rejected": "Refused"}
SESSION_KEY = "policingplan.loads.last"


def _period(value: str | None) -> str:
    """A period as the pages write it: ``February 2024``, ``2003/04``, ``2019``."""
    if not value:
        return "–"
    return month_label(value) if re.fullmatch(r"\d{4}-\d{2}", value) else value


def _span(first: str | None, last: str | None) -> str:
    if not first:
        return "no periods"
    return _period(first) if first == last else f"{_period(first)} to {_period(last)}"


def _shown(name: str) -> str:
    from policingplan.services.data import shown_name

    return shown_name(name)


def _may_load(request) -> bool:
    roles, units = user_roles(request.user)
    return catalogue.decide("data", "POST", roles, own_units=units) == "allow"


def _warehouse() -> Path:
    from django.conf import settings

    return Path(settings.POLICINGPLAN_WAREHOUSE)


def _status():
    from policingplan.services.data import warehouse_status

    return warehouse_status(_warehouse())


def _plan_kinds() -> list[str]:
    """The source kinds that the plan shown names in its data sources, in its order."""
    try:
        plan = _plan()
    except UserError:
        return []
    return list(dict.fromkeys(source.kind for source in plan.data_sources)) if plan else []


def _plan():
    from policingplan.services.data import load_plan

    return figures._cached(("loads", "plan-model"), lambda: load_plan(Path(figures.plan_dir())))


def _kinds(chosen: str | None) -> list[dict]:
    from policingplan.services.data import upload_accepts

    used = _plan_kinds()
    ordered = used + [kind for kind in SOURCE_KINDS if kind not in used]
    return [{"id": kind, "words": KIND_WORDS.get(kind, ""), "accepts": upload_accepts(kind),
             "used": kind in used, "checked": kind == chosen} for kind in ordered]


def _holdings(status) -> list[dict]:
    return [{"kind": s.kind, "files": fmt_int(s.files), "rows": fmt_int(s.rows),
             "span": _span(s.first_period, s.last_period)} for s in status.sources]


def _loads(status, limit: int = 50) -> list[dict]:
    rows = []
    for entry in sorted(status.loads, key=lambda e: e.load_id, reverse=True)[:limit]:
        rows.append({"id": entry.load_id, "kind": entry.kind, "file": entry.file,
                     "rows": fmt_int(entry.rows_accepted), "span": _span(entry.first_period, entry.last_period),
                     "when": _when(entry.loaded_at), "vintage": entry.vintage, "replaced": entry.replaced})
    return rows


def _when(stamp: str | None) -> str:
    """``2026-03-01T10:15:00+00:00`` → ``1 March 2026, 10:15`` (London time)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    if not stamp:
        return "–"
    try:
        moment = dt.datetime.fromisoformat(stamp).astimezone(ZoneInfo("Europe/London"))
    except ValueError:
        return stamp
    return f"{moment.day} {moment:%B %Y}, {moment:%H:%M}"


def _problem(p, link: str = "file") -> dict:
    """A problem as the error summary lists it: where, what, the value found, what is accepted."""
    where = [part for part in (p.file, f"line {fmt_int(p.line)}" if p.line is not None else None,
                               p.column) if part]
    value = p.value if p.value not in (None, "") else None
    line = ", ".join(part for part in (f"line {fmt_int(p.line)}" if p.line is not None else None, p.column) if part)
    return {"where": ", ".join(where), "line_where": line, "message": p.message[:1].upper() + p.message[1:],
            "value": value,
            "accepted": p.accepted, "link": link, "field": "file"}


def _counts(status) -> dict:
    return {"loads": len(status.loads), "rows_held": {s.kind: s.rows for s in status.sources}}


@csrf_exempt  # the CSRF check runs in _page, after the request is parsed with the size limit (upload.parse)
def data_page(request):
    """GET: the warehouse and the form.  POST: load a file."""
    upload = None
    if request.method == "POST" and request.content_type == "multipart/form-data":
        upload = uploads.parse(request)
        if upload.unreadable:  # a malformed request: nothing to check a token in, and nothing changes
            return _render(request, errors=[{"message": "The form could not be read. Choose the file and send "
                                                        "the form again.", "link": "file"}], status=400)
    return _page(request, upload)


@csrf_protect
def _page(request, upload):
    if request.method != "POST":
        return _render(request)
    kind = request.POST.get("kind", "")
    reason = request.POST.get("reason", "").strip()
    errors, problems = [], []
    if kind not in SOURCE_KINDS:
        errors.append({"message": "Choose the kind of file", "field": "kind", "link": f"kind-{_kinds(None)[0]['id']}"})
    file = request.FILES.get("file")
    limit = upload.limit if upload else uploads.max_bytes()
    from policingplan.services.data import size_words

    if upload is not None and upload.too_large:
        name = upload.names[0] if upload.names else "The file"
        from policingplan.services.data import shown_name

        errors.append({"message": f"{shown_name(name)} is larger than {size_words(limit)}: choose a file of at "
                                  f"most {size_words(limit)} (a large file can be loaded in parts, a year at a "
                                  "time, or compressed as .csv.gz)", "link": "file"})
    elif file is None:
        errors.append({"message": "Choose a file to load", "link": "file"})
    if not reason:
        errors.append({"message": "Say why you are loading this file", "field": "reason", "link": "reason"})
    elif len(reason) > REASON_MAX:
        errors.append({"message": f"The reason must be {fmt_int(REASON_MAX)} characters or fewer; it has "
                                  f"{fmt_int(len(reason))}", "field": "reason", "link": "reason"})
    if errors:
        return _render(request, kind=kind, reason=reason, errors=errors)
    name = upload.names[0] if upload and upload.names else file.name
    try:
        summary = _load(request, kind, name, file, reason, limit)
    except UserError as exc:
        problems = [_problem(p) for p in exc.problems] or [{"message": str(exc), "link": "file"}]
        return _render(request, kind=kind, reason=reason, errors=problems, refused_name=_shown(name))
    finally:
        file.close()
    if summary["refused"]:
        return _render(request, kind=kind, reason=reason, errors=summary["errors"], refused_name=_shown(name),
                       warnings=summary["warnings"])
    request.session[SESSION_KEY] = summary
    return redirect("data-loaded")


def _load(request, kind: str, name: str, file, reason: str, limit: int) -> dict:
    """Load the file (all or nothing) and, when something changed, record it in the audit trail."""
    from policingplan.services.data import load_upload, shown_name

    before = _status()
    try:
        plan = _plan()
    except UserError:
        plan = None  # the categories are not checked against a plan that does not load
    with transaction.atomic():
        result = load_upload(kind, name, file, max_bytes=limit, warehouse_dir=_warehouse(), plan=plan)
        warnings = [_problem(p) for p in result.warnings]
        if not result.ok:
            return {"refused": True, "errors": [_problem(p) for p in result.errors], "warnings": warnings}
        after = _status()
        loaded = [f for f in result.files if f.status == "loaded"]
        entries = {e.load_id: e for e in after.loads}
        rows = sum(f.rows_accepted for f in loaded)
        periods = [p for f in loaded if f.load_id in entries
                   for p in (entries[f.load_id].first_period, entries[f.load_id].last_period) if p]
        shown = shown_name(name)
        summary = {
            "refused": False, "kind": kind, "name": shown, "changed": bool(loaded),
            "rows": fmt_int(rows), "rows_read": fmt_int(sum(f.rows_read for f in result.files)),
            "span": _span(min(periods), max(periods)) if periods else None,
            "files": [{"file": f.file, "status": STATUS_WORDS.get(f.status, f.status), "rows": fmt_int(f.rows_accepted),
                       "span": _span(entries[f.load_id].first_period, entries[f.load_id].last_period)
                       if f.load_id in entries else None, "message": f.message,
                       "replacements": [r.description for r in f.replacements]} for f in result.files],
            "warnings": warnings, "reason": reason,
        }
        if loaded:
            what = (f"Loaded {shown} ({kind}): {fmt_int(rows)} rows"
                    + (f", {summary['span']}" if summary["span"] else ""))
            audit.record(request.user, "data.load", what, reason, object_type="data load",
                         object_id=",".join(str(f.load_id) for f in loaded), plan_id=plan.id if plan else "",
                         plan_version=str(plan.version) if plan and getattr(plan, "version", None) else "",
                         before=_counts(before),
                         after={**_counts(after), "file": shown, "kind": kind,
                                "load_ids": [f.load_id for f in loaded],
                                "sha256": [f.sha256 for f in loaded], "rows_accepted": rows})
    if loaded:
        figures.clear()
    return summary


def _render(request, *, kind: str | None = None, reason: str = "", errors=None, refused_name: str | None = None,
            warnings=None, status: int = 200):
    from policingplan.services.data import size_words

    state = _status()
    may_load = _may_load(request)
    return render(request, "policingplan/loads/data.html", {
        "title": ("Error: " if errors else "") + "Data", "may_load": may_load, "kinds": _kinds(kind),
        "reason": reason, "reason_max": REASON_MAX, "errors": errors or [], "refused_name": refused_name,
        "warnings": warnings or [], "holdings": _holdings(state), "loads": _loads(state),
        "load_count": len(state.loads), "limit": size_words(uploads.max_bytes()),
        "form_errors": {e["field"]: e["message"] for e in errors or [] if e.get("field") in ("kind", "reason")},
        "file_errors": [e for e in errors or [] if e.get("field", "file") == "file"],
    }, status=status)


def loaded(request):
    """The confirmation of the last load (once); without one, back to the data page."""
    summary = request.session.pop(SESSION_KEY, None)
    if not summary:
        return redirect("data")
    return render(request, "policingplan/loads/loaded.html", {
        "title": "Data loaded" if summary["changed"] else "Already loaded", "summary": summary,
        "kind_words": KIND_WORDS.get(summary["kind"], ""),
    })
