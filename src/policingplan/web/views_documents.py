"""The published documents of the plan the application shows, and a download for each.

The documents are those ``policingplan publish`` writes (the plan, the changes, the committee
report, a letter to each borough and the targets spreadsheet), made in memory by
:func:`policingplan.services.publish.render`.  Making them takes a few seconds, so they are
made once per plan version in this process and kept (:func:`published`); a failure is never
kept, so the next request tries again.  Who may download each document is decided by the
catalogue of roles (a commander may download their own borough's letter only).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Optional

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header

from policingplan.formatting import fmt_date, fmt_int, fmt_num
from policingplan.problems import UserError
from policingplan.web import figures, present
from policingplan.web.access import may_open

PDF = "application/pdf"
HTML = "text/html; charset=utf-8"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Document:
    """One published file: its name in the publication, the name of its URL, and how it is shown."""

    file: str
    url_name: str
    group: str
    format: str
    content_type: str


#: Every published document but the letters, in the order the page lists them.
DOCUMENTS = (
    Document("plan.pdf", "document-plan-pdf", "plan", "PDF", PDF),
    Document("plan.html", "document-plan-html", "plan", "web page, HTML", HTML),
    Document("changes.pdf", "document-changes-pdf", "changes", "PDF", PDF),
    Document("changes.html", "document-changes-html", "changes", "web page, HTML", HTML),
    Document("committee-report.pdf", "document-report-pdf", "report", "PDF", PDF),
    Document("committee-report.docx", "document-report-docx", "report", "Word, DOCX", DOCX),
    Document("targets.xlsx", "document-targets-xlsx", "targets", "Excel, XLSX", XLSX),
)
BY_FILE = {document.file: document for document in DOCUMENTS}


@dataclass(frozen=True)
class Published:
    """A plan version's documents in memory (``files``), the service's notes, and its publication;
    or, when they could not be made, why (``error``)."""

    files: dict[str, bytes]
    notes: list[str]
    publication: object
    error: Optional[str] = None


_published: dict[tuple[str, str], Published] = {}
_lock = threading.Lock()


def published() -> Published:
    """The documents of the plan shown, made once per plan version (``policingplan.services.publish.render``)."""
    from policingplan.services.publish import render as render_documents

    plan_dir = figures.plan_dir()
    key = (plan_dir, figures.plan().version)
    with _lock:  # one render at a time: a second request for the same version waits for the first
        hit = _published.get(key)
        if hit is not None:
            return hit
        try:
            files, notes, publication = render_documents(plan_dir)
        except UserError as error:
            return Published({}, [], None, error=str(error))
        made = Published(files, list(notes), publication)
        for older in [k for k in _published if k[0] == plan_dir]:
            del _published[older]  # an earlier version of the same plan: its documents are no longer offered
        _published[key] = made
        return made


def clear() -> None:
    """Forget the documents made (between tests, or when a plan changes without a new version)."""
    with _lock:
        _published.clear()


def size(count: int) -> str:
    """A file's size as people read it: ``245 KB``, ``1.2 MB``."""
    if count >= 1024 * 1024:
        return f"{fmt_num(count / (1024 * 1024), 1)} MB"
    return f"{fmt_int(max(1, round(count / 1024)))} KB"


def _safe(name: str) -> str:
    """A file name that is safe on every system: letters, digits, dots and hyphens."""
    return re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9.-]+", "-", name)).strip("-.") or "document"


def download_name(plan, file: str) -> str:
    """The name a downloaded file is saved under: ``london-2023-24-v1.0-plan.pdf``."""
    return _safe(f"{plan.id}-v{plan.version}-{file.replace('/', '-')}")


def _attachment(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Content-Length"] = str(len(body))
    response["Cache-Control"] = "private, no-cache"
    return response


def _not_made():
    """A document that was not made: back to the documents page, which says why."""
    return redirect(reverse("documents") + "#not-made")


def _units(plan) -> list:
    return [(unit, present.slug(unit.name)) for unit in plan.units]


def documents(request):
    """The published documents, each with its format, size and download link; what was not made, and why."""
    plan = figures.plan()
    made = published()
    context = {"title": "Published documents", "plan": plan, "error": made.error, "groups": {}, "letters": [],
               "notes": [], "version_date": None, "since": None, "all_letters": False}
    if made.error is not None:
        return render(request, "policingplan/documents.html", context)
    publication = made.publication
    for document in DOCUMENTS:
        if document.file in made.files:
            context["groups"].setdefault(document.group, []).append({
                "url": reverse(document.url_name), "format": document.format,
                "size": size(len(made.files[document.file])), "file": document.file})
    from policingplan.publish.documents import letter_name

    letters = []
    units = _units(publication.plan)
    for unit, slug in units:
        if may_open(request, "document-letter", slug) and letter_name(unit.code) in made.files:
            letters.append({"name": unit.name, "url": reverse("document-letter", args=[slug]),
                            "size": size(len(made.files[letter_name(unit.code)]))})
    context["letters"] = letters
    context["all_letters"] = len(letters) == len(units)
    context["letter_count"] = len(units)
    if publication.version_date:
        context["version_date"] = fmt_date(publication.version_date)
    context["since"] = publication.since
    notes = list(made.notes)
    if "changes.pdf" not in made.files:
        from policingplan.services.changes import previous_version

        if publication.changes_note in notes and previous_version(figures.plan_dir()) is None:
            notes.remove(publication.changes_note)
            context["first_version"] = True
    context["notes"] = notes
    return render(request, "policingplan/documents.html", context)


def download(request, file: str):
    """One published document, as an attachment, with its content type."""
    document = BY_FILE[file]
    made = published()
    if file not in made.files:
        return _not_made()
    return _attachment(made.files[file], document.content_type, download_name(made.publication.plan, file))


def letter(request, borough: str):
    """The letter to one borough (a commander may download their own borough's only: the catalogue decides)."""
    from policingplan.publish.documents import letter_name

    made = published()
    if made.error is not None:
        return _not_made()
    plan = made.publication.plan
    unit = next((unit for unit, slug in _units(plan) if slug == borough), None)
    if unit is None:
        raise Http404(f"No borough of the plan is called {borough!r}.")
    name = letter_name(unit.code)
    if name not in made.files:
        return _not_made()
    return _attachment(made.files[name], PDF, download_name(plan, f"letter-{borough}.pdf"))
