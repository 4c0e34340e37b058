"""The audit trail is append-only (issue 17): no view, no API call and no query can change or
delete an audit entry, and the database itself refuses it, on SQLite and on PostgreSQL
(policingplan.web.append_only, migration web 0002).  There is no admin site to try."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import IntegrityError, connection, models, transaction
from django.test import Client
from django.urls import reverse

from policingplan.web import append_only, audit, roles
from policingplan.web.models import AuditEntry
from tests.web.test_roles import MEASURE, OWN, PATTERNS
from tests.web.url_samples import SAMPLES


def _entries(user=None) -> list[AuditEntry]:
    """Two entries, one by a user and one by the system."""
    return [
        audit.record(user, "target.edit", "Lambeth neighbourhood crime: 7,963 to 7,900", "Agreed at the borough meeting",
                     object_type="target", object_id="neighbourhood-crime/E09000022", plan_id="london-2023-24",
                     plan_version="1.1", before={"value": 7963}, after={"value": 7900}),
        audit.record(None, "version.import", "Imported the plan folder", "imported from the plan folder",
                     object_type="plan", object_id="london-2023-24"),
    ]


def _rows() -> list[tuple]:
    """Every entry as stored, every column."""
    return sorted(AuditEntry.objects.values_list(
        "id", "who_id", "who_name", "when", "action", "what", "why", "object_type", "object_id", "plan_id",
        "plan_version", "before", "after"))


def _refused(sql: str, params: list, message: str) -> None:
    with pytest.raises(IntegrityError, match=message):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)


@pytest.mark.django_db
def test_the_orm_refuses_to_update_or_delete_entries_in_bulk(make_user):
    first, _ = _entries(make_user(roles.PERFORMANCE))
    before = _rows()
    with pytest.raises(ValueError, match="never changed"):
        AuditEntry.objects.filter(pk=first.pk).update(why="nothing to see")
    with pytest.raises(ValueError, match="never changed"):
        AuditEntry.objects.update(who=None, why="nothing to see")
    with pytest.raises(ValueError, match="never deleted"):
        AuditEntry.objects.filter(pk=first.pk).delete()
    with pytest.raises(ValueError, match="never deleted"):
        AuditEntry.objects.all().delete()
    assert _rows() == before


@pytest.mark.django_db
def test_the_database_refuses_an_update_or_a_delete_that_goes_round_the_model(make_user):
    """A plain QuerySet (not the model's own) and raw SQL: the triggers refuse each."""
    first, second = _entries(make_user(roles.PERFORMANCE))
    before = _rows()
    plain = models.QuerySet(AuditEntry)
    with pytest.raises(IntegrityError, match=append_only.CHANGED):
        with transaction.atomic():
            plain.filter(pk=first.pk).update(why="nothing to see")
    with pytest.raises(IntegrityError, match=append_only.CHANGED):
        with transaction.atomic():
            plain.filter(pk=second.pk).update(what="something else")
    with pytest.raises(IntegrityError, match=append_only.DELETED):
        with transaction.atomic():
            plain.filter(pk=first.pk).delete()
    with pytest.raises(IntegrityError, match=append_only.DELETED):
        with transaction.atomic():
            plain.all()._raw_delete(connection.alias)
    table = append_only.TABLE
    _refused(f"UPDATE {table} SET after = NULL WHERE id = %s", [first.pk], append_only.CHANGED)
    _refused(f"UPDATE {table} SET who_name = 'someone-else'", [], append_only.CHANGED)
    _refused(f"DELETE FROM {table} WHERE id = %s", [second.pk], append_only.DELETED)
    _refused(f"DELETE FROM {table}", [], append_only.DELETED)
    assert _rows() == before


@pytest.mark.django_db
def test_postgresql_refuses_truncate_too():
    """PostgreSQL's TRUNCATE fires no row trigger: a statement trigger refuses it.  SQLite has
    no TRUNCATE (its ``DELETE FROM`` without a condition is refused above)."""
    _entries()
    before = _rows()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the entries' foreign keys checked now, not at the end of the test
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        _refused(f"TRUNCATE {append_only.TABLE}", [], append_only.DELETED)
    else:
        assert connection.vendor == "sqlite"
        with pytest.raises(Exception, match="syntax error"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {append_only.TABLE}")
    assert _rows() == before


@pytest.mark.django_db
def test_moving_an_entry_to_another_account_is_refused(make_user):
    first, second = _entries(make_user(roles.PERFORMANCE))
    other = make_user(roles.VIEWER)
    before = _rows()
    plain = models.QuerySet(AuditEntry)
    with pytest.raises(IntegrityError, match=append_only.CHANGED):
        with transaction.atomic():
            plain.filter(pk=first.pk).update(who=other)
    with pytest.raises(IntegrityError, match=append_only.CHANGED):
        with transaction.atomic():
            plain.filter(pk=second.pk).update(who=other)  # a system entry given an author
    with pytest.raises(IntegrityError, match=append_only.CHANGED):
        with transaction.atomic():
            plain.filter(pk=first.pk).update(who=None, why="unlinked and rewritten")
    assert _rows() == before


@pytest.mark.django_db
def test_deleting_an_account_unlinks_its_entries_and_keeps_its_name_and_everything_else(make_user):
    """The one update the triggers let through: ``on_delete=SET_NULL`` when an account is deleted
    (accounts are normally deactivated; an administrator may still delete one)."""
    user = make_user(roles.PERFORMANCE)
    first, second = _entries(user)
    before = {row[0]: row for row in _rows()}
    account = user.pk
    user.delete()
    after = {row[0]: row for row in _rows()}
    assert after[second.pk] == before[second.pk]
    assert after[first.pk][1] is None and before[first.pk][1] == account
    assert after[first.pk][2:] == before[first.pk][2:] and after[first.pk][2] == "performance-all"


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                           [append_only.TABLE])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                           [append_only.TABLE])
        return {row[0] for row in cursor.fetchall()}


EXPECTED_TRIGGERS = {
    "postgresql": {"web_auditentry_append_only", "web_auditentry_no_truncate"},
    "sqlite": {"web_auditentry_no_update", "web_auditentry_no_delete"},
}


@pytest.mark.django_db
def test_the_triggers_are_made_by_the_migrations_and_name_every_column():
    assert _triggers() == EXPECTED_TRIGGERS[connection.vendor]
    columns = {field.column for field in AuditEntry._meta.concrete_fields}
    assert columns == {*append_only.COLUMNS, "who_id"}, (
        "a column added to AuditEntry must be added to append_only.COLUMNS, with a migration "
        "that makes the triggers again")


@pytest.mark.django_db(transaction=True)
def test_flush_is_the_one_way_to_empty_the_trail_and_the_triggers_come_back():
    """``manage.py flush`` empties the whole database (the test suite's transactional tests
    rely on it); the triggers are dropped for it and made again in the same transaction."""
    _entries()
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEntry.objects.count() == 0 and User.objects.count() == 0
    assert _triggers() == EXPECTED_TRIGGERS[connection.vendor]
    _entries()
    _refused(f"DELETE FROM {append_only.TABLE}", [], append_only.DELETED)
    assert AuditEntry.objects.count() == 2


@pytest.mark.django_db
def test_there_is_no_admin_site_to_change_entries_from():
    assert "django.contrib.admin" not in settings.INSTALLED_APPS
    assert not [pattern for name, pattern, _ in PATTERNS if "admin" in pattern.split("/")[0]]


#: Form fields a request might send to try to change or delete an entry.
HOSTILE = {"id": "1", "pk": "1", "entry": "1", "why": "rewritten", "what": "rewritten", "delete": "1",
           "action": "delete", "confirm": "yes", "reason": "rewritten"}


@pytest.mark.django_db
def test_no_url_changes_or_deletes_an_entry_whatever_it_is_sent(make_user):
    """Every URL of the application, sent POST, PUT, PATCH and DELETE (empty, and with fields that
    name an entry) by a user with every role: entries may be added, none is changed or removed.
    A view that tried would also meet the triggers (an IntegrityError raised here)."""
    user = make_user(roles.ADMINISTRATOR, OWN)
    for role in roles.ROLES:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    _entries(user)
    before = _rows()
    client = Client(raise_request_exception=True)
    client.force_login(user)
    samples = {"borough": OWN, "measure": MEASURE, **SAMPLES}
    tried = 0
    for name, _, converters in PATTERNS:
        if name == "logout":
            continue
        kwargs = {key: samples[key]() if callable(samples[key]) else samples[key] for key in converters}
        url = reverse(name, kwargs=kwargs)
        for data in ({}, HOSTILE):
            for send in (client.post, client.put, client.patch, client.delete):
                response = send(url, data) if send is client.post else send(url)
                assert response.status_code < 500, (send.__name__, url, response.status_code)
                tried += 1
    assert tried >= 8 * 20
    after = _rows()
    assert after[: len(before)] == before, "an audit entry was changed or removed"
