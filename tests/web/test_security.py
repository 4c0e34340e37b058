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
