"""Django's ``flush``, which empties every table, with the audit trail's triggers dropped for it
and made again after, in the same transaction (policingplan.web.append_only): emptying the
whole database is the one way audit entries go.  The test suite flushes after each
transactional test."""

from __future__ import annotations

from django.core.management.commands import flush
from django.db import connections, transaction

from policingplan.web import append_only


class Command(flush.Command):
    help = flush.Command.help + " The audit trail's triggers are dropped for it and made again."

    def handle(self, **options):
        connection = connections[options["database"]]
        with transaction.atomic(using=connection.alias):
            installed = _installed(connection)
            if installed:
                append_only.drop(connection)
            super().handle(**options)
            if installed:
                append_only.create(connection)


def _installed(connection) -> bool:
    """Whether the audit table is there (a database flushed before its migrations have run has none)."""
    with connection.cursor() as cursor:
        return append_only.TABLE in connection.introspection.table_names(cursor)
