"""Public viewing of the published plan: with POLICINGPLAN_WEB_PUBLIC on, a visitor who is not signed in
reads the plan's public pages (the pseudo-role ``public`` in the catalogue); off (the default), nothing."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from policingplan.web import access, roles

pytestmark = pytest.mark.django_db
NOTICE = "You are viewing the published plan"
PUBLIC_URLS = [
    reverse_args for reverse_args in (
        ("dashboard", []), ("plan", []), ("measure", ["neighbourhood-crime"]), ("borough", ["lambeth"]),
        ("borough-measure", ["westminster", "knife-crime-offences"]), ("requirement", []), ("documents", []),
    )
]
SIGNED_IN_ONLY = [
    ("targets", []), ("targets-measure", ["neighbourhood-crime"]), ("partners", []), ("downloads", []),
    ("api-plan", []), ("api-monitoring", []), ("download-monitoring-csv", []), ("document-letter", ["lambeth"]),
]


@pytest.fixture
def published(settings):
    settings.POLICINGPLAN_WEB_PUBLIC = True
    return settings


def test_public_viewing_is_off_by_default(client, settings):
    assert getattr(settings, "POLICINGPLAN_WEB_PUBLIC", False) is False
    for name, args in PUBLIC_URLS + SIGNED_IN_ONLY:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next="), name


@pytest.mark.parametrize(("name", "args"), PUBLIC_URLS)
def test_with_it_on_a_visitor_reads_the_published_plan_without_signing_in(client, published, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200, name
    page = re.sub(r"\s+", " ", response.content.decode())
    assert not re.search(r'(src|href)="(https?:)?//', page), name
    if name in ("dashboard", "plan", "measure", "borough", "borough-measure"):
        assert NOTICE in page, name
        assert f'<a href="/accounts/login/?next={reverse(name, args=args)}">Sign in</a>' in page, name


def test_with_it_on_the_rest_stays_signed_in_only(client, published):
    for name, args in SIGNED_IN_ONLY:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next="), name
    assert client.post(reverse("dashboard"), {}).status_code == 403  # reading only


def test_the_public_gets_the_published_documents_but_no_letter(client, published, web_plan_dir):
    page = client.get(reverse("documents")).content.decode()
    assert "/documents/letters/" not in page and 'href="/documents/' in page
    assert client.get(reverse("document-letter", args=["lambeth"])).status_code == 302


def test_the_public_pages_link_to_each_other_as_the_catalogue_allows(client, published):
    page = client.get(reverse("dashboard")).content.decode()
    assert page.count('href="/boroughs/') == 32  # every borough's page is public
    measure = client.get(reverse("measure", args=["neighbourhood-crime"])).content.decode()
    assert measure.count('href="/boroughs/') >= 32  # and each borough's figure for the measure
    csv = client.get(reverse("download-dashboard-csv"))
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")


def test_signed_in_users_are_unchanged_when_it_is_on(client, make_user, published):
    client.force_login(make_user(roles.COMMANDER, "lambeth"))
    assert client.get(reverse("borough", args=["westminster"])).status_code == 403  # still their own only
    page = client.get(reverse("dashboard")).content.decode()
    assert NOTICE not in page
    assert client.get(reverse("targets-measure", args=["neighbourhood-crime"])).status_code == 200


def test_the_role_is_given_only_to_visitors_and_only_with_the_setting(settings, make_user):
    from django.contrib.auth.models import AnonymousUser

    assert access.user_roles(AnonymousUser()) == (set(), set())
    settings.POLICINGPLAN_WEB_PUBLIC = True
    assert access.user_roles(AnonymousUser()) == ({roles.PUBLIC}, set())
    viewer = make_user(roles.VIEWER)
    assert access.user_roles(viewer) == ({roles.VIEWER}, set())
    assert roles.roles_of(["public"]) == (set(), set())  # not a group anyone can be put in
    assert roles.PUBLIC not in roles.ROLES


@pytest.mark.parametrize(("page", "unit", "decision"), [
    ("dashboard", None, "allow"), ("borough", "lambeth", "allow"), ("documents", None, "allow"),
    ("document-plan-pdf", None, "allow"), ("targets-measure", None, "login"), ("api-plan", None, "login"),
    ("document-letter", "lambeth", "login"), ("logout", None, "refuse"),
])
def test_the_catalogue_decides_what_the_public_may_read(page, unit, decision):
    assert roles.decide(page, "GET", [roles.PUBLIC], unit=unit) == decision
    assert roles.decide(page, "POST", [roles.PUBLIC], unit=unit) in ("login", "refuse")
