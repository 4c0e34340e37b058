"""The database's own guard on the audit trail: triggers that refuse to change or delete an
audit entry, whatever the client (the application's ORM, a ``QuerySet.update()``, raw SQL, a
database console).

One change is let through: the account link (``who_id``) set to NULL with nothing else
changed, which is what deleting a user does (``on_delete=SET_NULL``); the entry keeps the
username it was recorded with (``who_name``).

- PostgreSQL: a row trigger ``BEFORE UPDATE OR DELETE`` and a statement trigger
  ``BEFORE TRUNCATE``, raising SQLSTATE 23001 (restrict_violation: an ``IntegrityError``).
- SQLite: ``BEFORE UPDATE`` and ``BEFORE DELETE`` triggers, ``RAISE(ABORT, ...)``
  (an ``IntegrityError``); SQLite has no TRUNCATE.

``manage.py flush``, which empties every table of the database (the test suite runs it after
each transactional test), drops the triggers, flushes, and makes them again, in one
transaction (``web/management/commands/flush.py``): it is the one way to remove audit
entries, and it removes everything else with them.

A column added to ``AuditEntry`` must be added to :data:`COLUMNS` (for SQLite's trigger, which
lists them; PostgreSQL's compares whole rows) with a migration that makes the triggers again;
tests/web/test_audit_append_only.py fails until it is.
"""

from __future__ import annotations

TABLE = "web_auditentry"

#: Every column but ``who_id``: the SQLite trigger lets an update through only when none changes.
COLUMNS = ("id", "who_name", "when", "action", "what", "why", "object_type", "object_id",
           "plan_id", "plan_version", "before", "after")

CHANGED = "the audit trail is append-only: an audit entry is never changed"
DELETED = "the audit trail is append-only: an audit entry is never deleted"

_POSTGRESQL_CREATE = f"""
CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unlinked {TABLE}%ROWTYPE;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.who_id IS NOT NULL AND NEW.who_id IS NULL THEN
        unlinked := NEW;
        unlinked.who_id := OLD.who_id;
        IF unlinked IS NOT DISTINCT FROM OLD THEN
            RETURN NEW;  -- the account deleted: the link goes, the username stays
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION '{CHANGED}' USING ERRCODE = 'restrict_violation';
    END IF;
    RAISE EXCEPTION '{DELETED}' USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only();
CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only();
"""

_POSTGRESQL_DROP = f"""
DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};
DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};
DROP FUNCTION IF EXISTS {TABLE}_append_only();
"""

_UNCHANGED = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in COLUMNS)

_SQLITE_CREATE = [
    f"""CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
        WHEN NOT (OLD.who_id IS NOT NULL AND NEW.who_id IS NULL AND {_UNCHANGED})
        BEGIN SELECT RAISE(ABORT, '{CHANGED}'); END""",
    f"""CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{DELETED}'); END""",
]

_SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {TABLE}_no_update", f"DROP TRIGGER IF EXISTS {TABLE}_no_delete"]


def _statements(vendor: str, create: bool) -> list[str]:
    if vendor == "postgresql":
        return [_POSTGRESQL_CREATE if create else _POSTGRESQL_DROP]
    if vendor == "sqlite":
        return _SQLITE_CREATE if create else _SQLITE_DROP
    return []  # another database: only the model's own refusals (docs/security.md)


def create(connection) -> None:
    """Make the triggers (after dropping any there are) on this connection's database."""
    with connection.cursor() as cursor:
        for statement in _statements(connection.vendor, create=False) + _statements(connection.vendor, create=True):
            cursor.execute(statement)


def drop(connection) -> None:
    with connection.cursor() as cursor:
        for statement in _statements(connection.vendor, create=False):
            cursor.execute(statement)
