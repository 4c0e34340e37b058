"""The cache table, when the settings keep the cache in the database (the production settings
do: sign-in throttling's counts are shared by every server process).  Nothing otherwise."""

from django.db import migrations


def create_cache_tables(apps, schema_editor):
    from django.core.management import call_command

    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):

    dependencies = [
        ("web", "0002_audit_entries_append_only"),
    ]

    operations = [
        migrations.RunPython(create_cache_tables, migrations.RunPython.noop),
    ]
