"""The published documents page and its downloads: the same bytes as ``policingplan publish`` makes."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from policingplan.web import figures, present, roles, views_documents

pytestmark = pytest.mark.django_db

OWN, OTHER = "lambeth", "westminster"


@pytest.fixture(scope="module")
def rendered(web_plan_dir):
    """The documents of the London 2023/24 example, made by the publishing service itself."""
    from policingplan.services.publish import render

    files, notes, publication = render(web_plan_dir)
    return files, notes, publication


@pytest.fixture(autouse=True)
def fresh_figures():
    figures.clear()
    yield
    figures.clear()


def login(client, make_user, role, borough=None):
    client.force_login(make_user(role, borough))
    return client


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_plan_pdf_served_is_the_one_the_publishing_service_makes(client, make_user, rendered):
    files, _, publication = rendered
    login(client, make_user, roles.VIEWER)
    response = client.get(reverse("document-plan-pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == files["plan.pdf"] and response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"] == 'attachment; filename="london-2023-24-v1.0-plan.pdf"'
    assert response["Content-Length"] == str(len(files["plan.pdf"]))
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("url_name", "file", "content_type"), [
    ("document-plan-html", "plan.html", "text/html; charset=utf-8"),
    ("document-report-pdf", "committee-report.pdf", "application/pdf"),
    ("document-report-docx", "committee-report.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("document-targets-xlsx", "targets.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_each_document_is_an_attachment_with_its_type_and_the_services_bytes(client, make_user, rendered, url_name,
                                                                              file, content_type):
    files, _, _ = rendered
    login(client, make_user, roles.INVESTMENT)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="london-2023-24-v1.0-{file}"'
    assert response.content == files[file]


def test_the_page_lists_every_document_with_its_size_and_every_letter_for_a_viewer(client, make_user, rendered):
    files, _, publication = rendered
    page = text(login(client, make_user, roles.VIEWER).get(reverse("documents")))
    assert "<h1 class=\"heading-xl\">Published documents</h1>" in page
    for url_name, file in [("document-plan-pdf", "plan.pdf"), ("document-plan-html", "plan.html"),
                           ("document-report-pdf", "committee-report.pdf"),
                           ("document-report-docx", "committee-report.docx"),
                           ("document-targets-xlsx", "targets.xlsx")]:
        assert f'href="{reverse(url_name)}"' in page
        assert views_documents.size(len(files[file])) in page
    assert page.count('href="/documents/letters/') == len(publication.plan.units) == 32
    for unit in publication.plan.units:
        assert f"Letter to {unit.name}" in page
    # The 2023/24 example is a first version: no changes report, and the page says why, in words.
    assert 'href="/documents/changes.pdf"' not in page
    assert "this is the plan's first version" in page
    assert "--since" not in page
    for line in figures.plan().attribution:
        assert line in page


def test_a_commander_downloads_their_own_letter_and_is_refused_another(client, make_user, rendered):
    files, _, publication = rendered
    login(client, make_user, roles.COMMANDER, OWN)
    own = next(u for u in publication.plan.units if present.slug(u.name) == OWN)
    response = client.get(reverse("document-letter", args=[OWN]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content == files[f"letters/{own.code}.pdf"]
    assert response["Content-Disposition"] == f'attachment; filename="london-2023-24-v1.0-letter-{OWN}.pdf"'
    assert client.get(reverse("document-letter", args=[OTHER])).status_code == 403
    page = text(client.get(reverse("documents")))
    assert page.count('href="/documents/letters/') == 1 and f'href="/documents/letters/{OWN}.pdf"' in page
    assert "The letter to your borough" in page and "Letter to Lambeth" in page


def test_a_borough_that_is_not_in_the_plan_has_no_letter(client, make_user):
    login(client, make_user, roles.PERFORMANCE)
    assert client.get("/documents/letters/atlantis.pdf").status_code == 404


def test_a_document_that_was_not_made_leads_back_to_the_page_that_says_why(client, make_user):
    login(client, make_user, roles.VIEWER)
    response = client.get(reverse("document-changes-pdf"))
    assert response.status_code == 302 and response["Location"] == "/documents/#not-made"


def test_signed_out_visitors_sign_in_first_and_nobody_posts(client, make_user):
    response = client.get(reverse("document-plan-pdf"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    login(client, make_user, roles.ADMINISTRATOR)
    assert client.post(reverse("document-plan-pdf")).status_code == 403


@pytest.mark.slow
def test_the_2007_08_plan_offers_its_changes_since_the_14_february_version(client, make_user, project_root,
                                                                           web_settings):
    from policingplan.services.publish import render

    plan_dir = project_root / "examples" / "london-2007-08"
    web_settings.POLICINGPLAN_PLAN_DIR = str(plan_dir)
    files, _, publication = render(plan_dir)
    login(client, make_user, roles.VIEWER)
    page = text(client.get(reverse("documents")))
    assert publication.since and f"since version {publication.since}" in page
    assert "dated 1 March 2007" in page
    assert 'href="/documents/changes.pdf"' in page and "Documents not made" not in page
    response = client.get(reverse("document-changes-pdf"))
    assert response.status_code == 200 and response.content == files["changes.pdf"]
    assert response["Content-Disposition"] == 'attachment; filename="london-2007-08-v1.0-changes.pdf"'


def test_the_page_says_why_when_the_documents_cannot_be_made(client, make_user, monkeypatch):
    from policingplan.problems import UserError
    from policingplan.services import publish

    def fail(plan_dir, since=None):
        raise UserError("report.md: the report has no number")

    monkeypatch.setattr(publish, "render", fail)
    monkeypatch.setattr(views_documents, "_published", {})
    login(client, make_user, roles.VIEWER)
    page = text(client.get(reverse("documents")))
    assert "The documents could not be made" in page and "the report has no number" in page
    assert client.get(reverse("document-letter", args=[OWN])).status_code == 302
    assert client.get(reverse("document-plan-pdf")).status_code == 302


@pytest.mark.parametrize(("count", "words"), [(500, "1 KB"), (245_000, "239 KB"), (1_300_000, "1.2 MB")])
def test_sizes_read_as_people_read_them(count, words):
    assert views_documents.size(count) == words
