"""A target edit whose database connection is killed halfway leaves nothing half-written (issue 14, plan editing).

On PostgreSQL (``DATABASE_URL`` naming it, as in the PostgreSQL pass of ``make test``): the save of a
target edit is interrupted by ``pg_terminate_backend`` from a second connection, after the audit
entry has been written and before the version's row is; the version's files, its revision and the
audit trail must be exactly as before, the user must see the 503 page that says the change was not
saved, and the same edit made again must save.  On SQLite the same point is covered by
``tests/web/editing/test_store.py`` (an exception in the middle of a save leaves nothing).  When
``DATABASE_URL`` names PostgreSQL and the server is missing, the test fails (the database cannot be
created); it never skips there.
"""

from __future__ import annotations

import os
import time

import pytest
from django.urls import reverse

POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
pytestmark = [
    pytest.mark.skipif(not POSTGRES, reason="kills a PostgreSQL backend: runs in the PostgreSQL pass "
                                            "(DATABASE_URL=postgres://...); SQLite's case is in tests/web/editing"),
    pytest.mark.django_db(transaction=True),
]
MIDDLEWARE = "policingplan.web.editing.middleware.DatabaseUnavailableMiddleware"
NC, LAMBETH, YEAR = "neighbourhood-crime", "E09000022", "2023/24"


def _second_connection():
    import psycopg
    from django.db import connection

    s = connection.settings_dict
    return psycopg.connect(host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"] or None,
                           password=s["PASSWORD"] or None, dbname=s["NAME"], autocommit=True)


def _kill(pid: int) -> None:
    """Terminate the backend ``pid`` from another connection, and wait until it has gone."""
    with _second_connection() as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0] is True
        for _ in range(200):
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                return
            time.sleep(0.05)
    raise AssertionError(f"backend {pid} did not end")


def test_a_target_edit_whose_connection_is_killed_mid_save_leaves_nothing_and_says_so(
        client, settings, tmp_path, monkeypatch, project_root):
    from django.contrib.auth.models import Group, User
    from django.db import connection

    from policingplan.web.editing import store
    from policingplan.web.editing.models import PlanVersion
    from policingplan.web.models import AuditEntry

    settings.POLICINGPLAN_PLAN_DIR = str(project_root / "examples" / "london-2023-24")
    settings.POLICINGPLAN_WEB_PLANS = str(tmp_path / "plans")
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = User.objects.create_user("performance-pg", password="a-test-password-1")
    user.groups.add(Group.objects.get_or_create(name="performance")[0])
    draft = store.start_draft(store.ensure_imported(), user=user, reason="the refresh")
    before = PlanVersion.objects.get(pk=draft.pk)
    entries = list(AuditEntry.objects.order_by("id").values_list("id", "action", "what"))
    client.force_login(user)

    real_save, killed = store._save, []

    def save_on_a_killed_connection(version, fields):
        if not killed:  # the audit entry is written (in this transaction); the version's row is not yet
            assert AuditEntry.objects.filter(action="target.edit").count() == 1
            killed.append(connection.connection.info.backend_pid)
            _kill(killed[0])
        real_save(version, fields)

    monkeypatch.setattr(store, "_save", save_on_a_killed_connection)
    url = reverse("target-edit", args=[draft.pk, NC, LAMBETH, "2023-24"])
    form = {"value": "-4", "reason": "the committee's decision", "seen_value": "-0.030911524887428543"}
    response = client.post(url, form)

    assert killed, "the save never reached the point where the connection is killed"
    assert response.status_code == 503
    page = response.content.decode()
    assert "The change was not saved: the database could not be reached. Try again." in page
    connection.close()
    after = PlanVersion.objects.get(pk=draft.pk)
    assert (after.files, after.revision, after.content_hash) == (before.files, before.revision, before.content_hash)
    assert list(AuditEntry.objects.order_by("id").values_list("id", "action", "what")) == entries

    again = client.post(url, form)  # a new connection: the same edit saves
    assert again.status_code == 302, again.content[:500]
    assert PlanVersion.objects.get(pk=draft.pk).revision == before.revision + 1
    assert AuditEntry.objects.filter(action="target.edit").count() == 1
