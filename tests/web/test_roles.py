"""Every URL against every role, as the catalogue (policingplan.web.roles) says; a URL without a row fails."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from policingplan.web import roles
from tests.web.url_samples import SAMPLES

OWN, OTHER = "lambeth", "westminster"
MEASURE = "neighbourhood-crime"
#: Each role a user can have, and a commander asking for a borough that is not theirs.
ACTORS = {
    "anonymous": (None, None, OWN),
    roles.VIEWER: (roles.VIEWER, None, OWN),
    "commander (own borough)": (roles.COMMANDER, OWN, OWN),
    "commander (another borough)": (roles.COMMANDER, OWN, OTHER),
    roles.PERFORMANCE: (roles.PERFORMANCE, None, OWN),
    roles.INVESTMENT: (roles.INVESTMENT, None, OWN),
    roles.ADMINISTRATOR: (roles.ADMINISTRATOR, None, OWN),
}


def url_patterns(patterns=None, prefix=""):
    """Every URL pattern of the urlconf, includes followed: (name, pattern, converters' names)."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield entry.name, prefix + str(entry.pattern), tuple(entry.pattern.converters)


PATTERNS = list(url_patterns())


def test_every_url_has_a_name_and_a_row_in_the_catalogue():
    unnamed = [pattern for name, pattern, _ in PATTERNS if not name]
    assert not unnamed, f"URLs without a name cannot be in the catalogue: {unnamed}"
    missing = sorted({name for name, _, _ in PATTERNS} - set(roles.PAGES))
    assert not missing, f"URLs missing from policingplan.web.roles.PAGES: {missing}"
    stale = sorted(set(roles.PAGES) - {name for name, _, _ in PATTERNS})
    assert not stale, f"catalogue rows for URLs that do not exist: {stale}"


def test_every_role_has_a_name_and_the_catalogue_is_pure():
    assert set(roles.ROLES) == {"viewer", "commander", "performance", "investment", "administrator"}
    tree = ast.parse(Path(roles.__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {m for m in imported if m.split(".")[0] in ("django", "policingplan")}, imported


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("actor", list(ACTORS))
@pytest.mark.parametrize("name", sorted({name for name, _, _ in PATTERNS}))
def test_every_url_allows_or_refuses_each_role_as_the_catalogue_says(client, make_user, name, actor, method):
    role, own, asked = ACTORS[actor]
    converters = next(c for n, _, c in PATTERNS if n == name)
    samples = {"borough": asked, "measure": MEASURE, **SAMPLES}
    kwargs = {key: samples[key]() if callable(samples[key]) else samples[key] for key in converters}
    url = reverse(name, kwargs=kwargs)
    if role is not None:
        client.force_login(make_user(role, own))
    response = client.get(url) if method == "GET" else client.post(url, {})
    expected = roles.decide(name, method, [role] if role else [], unit=kwargs.get("borough"),
                            own_units=[own] if own else [])
    where = f"{method} {url} as {actor}: the catalogue says {expected}, the page answered {response.status_code}"
    if expected == "allow":
        assert response.status_code in (200, 302), where
        if response.status_code == 302:
            assert "/accounts/login/" not in response["Location"] or name == "logout", where
    elif expected == "login":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next="), where
    else:
        assert response.status_code == 403, where


@pytest.mark.django_db
def test_a_commander_is_refused_another_boroughs_pages_and_allowed_their_own(client, make_user):
    client.force_login(make_user(roles.COMMANDER, OWN))
    assert client.get(reverse("borough", args=[OTHER])).status_code == 403
    assert client.get(reverse("borough-measure", args=[OTHER, MEASURE])).status_code == 403
    assert client.get(reverse("borough", args=[OWN])).status_code == 200
    page = client.get(reverse("dashboard")).content.decode()
    assert f'href="/boroughs/{OWN}/"' in page and f'href="/boroughs/{OTHER}/"' not in page


@pytest.mark.parametrize(("page", "method", "user_roles", "unit", "own", "decision"), [
    ("dashboard", "GET", [], None, [], "login"),
    ("dashboard", "GET", ["viewer"], None, [], "allow"),
    ("dashboard", "POST", ["viewer"], None, [], "refuse"),
    ("borough", "GET", ["commander"], "lambeth", ["lambeth"], "allow"),
    ("borough", "GET", ["commander"], "westminster", ["lambeth"], "refuse"),
    ("borough", "GET", ["commander", "performance"], "westminster", ["lambeth"], "allow"),
    ("borough", "GET", ["viewer"], "westminster", [], "allow"),
    ("login", "POST", [], None, [], "allow"),
    ("logout", "GET", ["viewer"], None, [], "refuse"),
    ("no-such-page", "GET", ["administrator"], None, [], "refuse"),
    ("plan", "DELETE", ["administrator"], None, [], "refuse"),
])
def test_decide(page, method, user_roles, unit, own, decision):
    assert roles.decide(page, method, user_roles, unit=unit, own_units=own) == decision


def test_roles_come_from_group_names():
    assert roles.roles_of(["commander", "borough:lambeth", "other"]) == ({"commander"}, {"lambeth"})
    assert roles.roles_of([], superuser=True) == ({"administrator"}, set())
