"""CSRF on every form, safe cookies, the demo accounts, the audit trail and the serve command."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from policingplan.web import roles

pytestmark = pytest.mark.django_db


def _token(client: Client, url: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(url).content.decode()).group(1)


def test_a_login_without_its_csrf_token_is_refused(make_user):
    make_user(roles.VIEWER)
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "viewer-all", "password": "a-test-password-1"})
    assert response.status_code == 403 and "This form has expired" in response.content.decode()
    assert "_auth_user_id" not in client.session
    token = _token(client, reverse("login"))
    response = client.post(reverse("login"), {"username": "viewer-all", "password": "a-test-password-1",
                                              "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


def test_a_logout_without_its_csrf_token_is_refused_and_the_session_stays(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(roles.VIEWER))
    assert client.post(reverse("logout")).status_code == 403
    assert "_auth_user_id" in client.session
    token = _token(client, reverse("plan"))
    assert client.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_is_shown_in_an_error_summary(make_user):
    make_user(roles.VIEWER)
    page = Client().post(reverse("login"), {"username": "viewer-all", "password": "wrong"}).content.decode()
    assert "There is a problem" in page and 'href="#id_username"' in page


def test_cookies_and_headers_are_safe(client):
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax" and settings.X_FRAME_OPTIONS == "DENY"
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_demo_accounts_one_per_role_and_a_commander_per_borough(monkeypatch):
    from django.contrib.auth.models import User

    from policingplan.web import figures
    from policingplan.web.demo import create_demo_accounts

    plan = figures.plan()
    monkeypatch.setenv("POLICINGPLAN_DEMO_PASSWORD", "training-room-1")
    accounts = create_demo_accounts(plan)
    names = [a.username for a in accounts]
    assert names[:4] == ["member", "performance", "investment", "admin"]
    assert "commander-lambeth" in names and "commander-barking-and-dagenham" in names
    assert len(names) == 4 + len(plan.units)
    assert Client().login(username="commander-lambeth", password="training-room-1")
    lambeth = User.objects.get(username="commander-lambeth")
    assert set(lambeth.groups.values_list("name", flat=True)) == {"commander", "borough:lambeth"}
    monkeypatch.delenv("POLICINGPLAN_DEMO_PASSWORD")
    again = create_demo_accounts(plan)  # generated, distinct, and they replace the old ones
    assert len({a.password for a in again}) == len(again)
    assert not Client().login(username="member", password="training-room-1")
    assert Client().login(username="member", password=again[0].password)
    assert User.objects.count() == len(again)


def test_the_demo_accounts_command_prints_each_account_once(monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    monkeypatch.setenv("POLICINGPLAN_DEMO_PASSWORD", "training-room-1")
    out = StringIO()
    call_command("create_demo_accounts", stdout=out)
    lines = out.getvalue().splitlines()
    assert any(re.match(r"\s+commander-lambeth\s+training-room-1\s+Borough commander", line) for line in lines)
    assert sum("training-room-1" in line for line in lines) == 36


def test_an_audit_entry_needs_a_reason_and_is_never_changed(make_user):
    from policingplan.web.models import AuditEntry

    user = make_user(roles.PERFORMANCE)
    with pytest.raises(ValueError, match="reason"):
        AuditEntry(who=user, action="target.edit", what="x", why=" ", object_type="target", object_id="a").save()
    entry = AuditEntry(who=user, action="target.edit", what="Lambeth neighbourhood crime: 7,963 to 7,900",
                       why="Agreed at the borough meeting", object_type="target",
                       object_id="neighbourhood-crime/E09000022")
    entry.save()
    assert entry.who_name == user.username and entry.when is not None
    entry.why = "changed"
    with pytest.raises(ValueError, match="never changed"):
        entry.save()
    with pytest.raises(ValueError, match="never deleted"):
        entry.delete()


def test_serve_runs_the_web_application_as_its_own_program(monkeypatch):
    """The command line never imports Django: serve starts ``python -m policingplan.web``."""
    import subprocess

    from typer.testing import CliRunner

    from policingplan.cli import app

    calls = []
    monkeypatch.setattr(subprocess, "call", lambda args: calls.append(args) or 0)
    assert CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "8123"]).exit_code == 0
    assert calls[-1][1:] == ["-m", "policingplan.web", "serve", "--host", "0.0.0.0", "--port", "8123"]
    assert CliRunner().invoke(app, ["web", "create-demo-accounts"]).exit_code == 0
    assert calls[-1][1:] == ["-m", "policingplan.web", "create_demo_accounts"]


# --- sign-in throttling (policingplan.web.throttle) -----------------------------------------------

@pytest.fixture
def throttle():
    """The counts start empty and are left empty (they live in the cache, which outlives a test)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _sign_in(client: Client, username: str, password: str, address: str = "192.0.2.10", **headers):
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=address, **headers)


def test_five_failed_sign_ins_for_a_username_refuse_it_for_fifteen_minutes(make_user, throttle, monkeypatch):
    from policingplan.web import throttle as module

    make_user(roles.VIEWER)
    client = Client()
    for attempt in range(5):
        response = _sign_in(client, "viewer-all", f"wrong-{attempt}")
        assert response.status_code == 200 and "Please enter a correct username and password" in response.content.decode()
    # The right password now: refused without being tried, in another letter case, from another address.
    for username, address in (("viewer-all", "192.0.2.10"), ("Viewer-All", "198.51.100.7")):
        response = _sign_in(client, username, "a-test-password-1", address)
        page = response.content.decode()
        assert response.status_code == 429 and response["Retry-After"] == str(15 * 60), response.status_code
        assert "There is a problem" in page and "Too many failed sign-ins" in page and "Wait 15 minutes" in page
        assert "_auth_user_id" not in client.session
    # Another account from the same address is not refused.
    make_user(roles.PERFORMANCE)
    assert _sign_in(Client(), "performance-all", "a-test-password-1").status_code == 302
    # Fifteen minutes after the first failure, the right password works, and clears the count.
    later = module._now() + 15 * 60 + 1
    monkeypatch.setattr(module, "_now", lambda: later)
    assert _sign_in(client, "viewer-all", "a-test-password-1").status_code == 302
    assert module.blocked_for("viewer-all", "192.0.2.10") == 0


def test_a_success_clears_the_usernames_count(make_user, throttle):
    make_user(roles.VIEWER)
    for attempt in range(4):
        assert _sign_in(Client(), "viewer-all", f"wrong-{attempt}").status_code == 200
    assert _sign_in(Client(), "viewer-all", "a-test-password-1").status_code == 302
    for attempt in range(4):
        assert _sign_in(Client(), "viewer-all", f"wrong-{attempt}").status_code == 200
    assert _sign_in(Client(), "viewer-all", "a-test-password-1").status_code == 302


def test_twenty_failures_from_one_address_refuse_it_whatever_the_username(make_user, throttle):
    make_user(roles.VIEWER)
    for attempt in range(20):
        assert _sign_in(Client(), f"guess-{attempt}", "password123").status_code == 200
    response = _sign_in(Client(), "viewer-all", "a-test-password-1")
    assert response.status_code == 429 and "Too many failed sign-ins" in response.content.decode()
    assert _sign_in(Client(), "viewer-all", "a-test-password-1", address="192.0.2.11").status_code == 302


def test_an_empty_form_or_an_unknown_field_counts_nothing(make_user, throttle):
    make_user(roles.VIEWER)
    for _ in range(30):
        assert Client().post(reverse("login"), {}, REMOTE_ADDR="192.0.2.10").status_code == 200
        assert _sign_in(Client(), "viewer-all", "").status_code == 200
    assert _sign_in(Client(), "viewer-all", "a-test-password-1").status_code == 302


def test_behind_the_proxy_the_address_is_the_one_it_forwarded(make_user, throttle, settings):
    """Production runs behind one proxy: every request comes from its address, and the client's
    is the last one of X-Forwarded-For (any before it the client may have written itself)."""
    make_user(roles.VIEWER)
    settings.POLICINGPLAN_LOGIN_THROTTLE_PROXY = True
    proxy = "10.0.0.2"
    for attempt in range(20):
        _sign_in(Client(), f"guess-{attempt}", "password123", proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.{attempt}, 203.0.113.9")
    refused = _sign_in(Client(), "viewer-all", "a-test-password-1", proxy, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert refused.status_code == 429
    other = _sign_in(Client(), "viewer-all", "a-test-password-1", proxy, HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert other.status_code == 302
    settings.POLICINGPLAN_LOGIN_THROTTLE_PROXY = False  # without a proxy the header is the client's to forge
    assert _sign_in(Client(), "viewer-all", "a-test-password-1", "203.0.113.10",
                    HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 302


# --- passwords ----------------------------------------------------------------------------------

@pytest.mark.parametrize("password,message", [
    ("short-1", "too short"), ("password1234", "too common"), ("493820175529", "entirely numeric"),
    ("viewer-all-2024", "too similar"),
])
def test_weak_passwords_are_refused(make_user, password, message):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = make_user(roles.VIEWER)
    with pytest.raises(ValidationError, match=message):
        validate_password(password, user)
    validate_password("correct horse battery staple", user)


# --- headers: a strict Content-Security-Policy, and pages that need nothing inline ---------------------

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'self'")

#: What a strict policy blocks in a page: inline script and style, event handler attributes,
#: javascript: URLs.
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.I)


def test_every_response_carries_the_content_security_policy(client, make_user):
    assert client.get(reverse("login"))["Content-Security-Policy"] == CSP
    client.force_login(make_user(roles.VIEWER))
    for name in ("dashboard", "plan"):
        assert client.get(reverse(name))["Content-Security-Policy"] == CSP
    assert client.get("/no-such-page/")["Content-Security-Policy"] == CSP


def test_no_page_needs_inline_script_or_style(make_user):
    """Every page, as a user with every role, charts (inline SVG) included: nothing the policy blocks.
    (The published HTML documents carry their own ``<style>``: they are downloads, opened as files.)"""
    from django.contrib.auth.models import Group

    from tests.web.test_roles import MEASURE, OWN, PATTERNS
    from tests.web.url_samples import SAMPLES

    user = make_user(roles.ADMINISTRATOR, OWN)
    for role in roles.ROLES:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    client = Client()
    client.force_login(user)
    samples = {"borough": OWN, "measure": MEASURE, **SAMPLES}
    pages, found = 0, []
    for name, _, converters in PATTERNS:
        kwargs = {key: samples[key]() if callable(samples[key]) else samples[key] for key in converters}
        response = client.get(reverse(name, kwargs=kwargs))
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        if response.get("Content-Disposition", "").startswith("attachment"):
            continue  # a published document, downloaded: it is opened from a file, not under this site's policy
        pages += 1
        html = response.content.decode()
        found += [f"{name}: {m.group(0)!r} in …{html[max(0, m.start() - 80):m.end() + 40]}…"
                  for m in INLINE.finditer(html)]
    assert pages >= 10
    assert not found, "\n".join(found[:10])


def test_no_template_writes_inline_script_or_style():
    """The templates themselves, every branch (a page above renders only the branches the example's
    data reaches: the 2023/24 example has no investment fund, for one)."""
    from pathlib import Path

    import policingplan.web

    folder = Path(policingplan.web.__file__).parent / "templates"
    found = {}
    for path in sorted(folder.rglob("*.html")):
        hits = [m.group(0) for m in INLINE.finditer(path.read_text(encoding="utf-8"))]
        if hits:
            found[path.relative_to(folder).as_posix()] = hits
    assert not found, found
