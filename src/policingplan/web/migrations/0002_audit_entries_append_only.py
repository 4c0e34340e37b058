"""The audit trail append-only in the database itself: triggers that refuse an UPDATE or a
DELETE of an audit entry (and a TRUNCATE on PostgreSQL), see policingplan.web.append_only."""

from django.db import migrations


def create_triggers(apps, schema_editor):
    from policingplan.web import append_only

    append_only.create(schema_editor.connection)


def drop_triggers(apps, schema_editor):
    from policingplan.web import append_only

    append_only.drop(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("web", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]
