"""A whole instance moved to a new machine: ``policingplan export`` and ``policingplan import``.

What is exported is found, not listed: every model of every installed app whose name starts with
``policingplan.web`` (the audit trail, plan versions and comments, the planning cycle, the
investment fund, data loads... as they come), and ``auth``'s users (with their password hashes)
and groups (the roles and boroughs) with their memberships.  Sessions, content types and
permissions are not: a new instance makes its own, and a signed-in session does not move.

The records are written with Django's serialiser (JSON, one record a line), with each record's
primary key and, for references to a model that has one, its natural key (a user's username, a
group's name, a permission's codename), so that they load into any engine: export from SQLite,
import into PostgreSQL, or back.  The archive itself (the manifest, checksums, the warehouse copy)
is :mod:`policingplan.services.instance`'s.

An import goes into a new instance only: it refuses, before writing anything, a database that
holds any record of those models or a warehouse folder that is not empty; it checks every
member of the archive against its SHA-256; then it migrates the database, loads every record in
one transaction, resets the primary-key sequences (PostgreSQL), and renames the warehouse (and the
plan folder, when the archive carries one) into place inside that transaction, so that a failure
leaves no record loaded and no folder in place.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Callable, Iterable

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.python import Deserializer as PythonDeserializer
from django.core.management.color import no_style
from django.db import connections, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from policingplan.services import instance
from policingplan.services.instance import ArchiveError

#: Apps whose every model is exported: the application's own.
APP_PREFIX = "policingplan.web"
#: Of Django's own apps, the models exported (their memberships go with them).
AUTH_MODELS = ("auth.User", "auth.Group")


class _Encoder(DjangoJSONEncoder):
    """Django's JSON, but a time keeps its microseconds (Django's own cuts them to milliseconds)."""

    def default(self, o):
        if isinstance(o, (dt.datetime, dt.time)) and not (isinstance(o, dt.time) and o.utcoffset() is not None):
            return o.isoformat()
        return super().default(o)

Say = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def exported_models() -> list[type[models.Model]]:
    """Every model exported, in an order that loads: a model after those its natural keys name."""
    chosen: list[tuple] = []
    for config in apps.get_app_configs():
        if config.name.startswith(APP_PREFIX):
            wanted = [m for m in config.get_models() if m._meta.managed and not m._meta.proxy]
        elif config.label == "auth":
            wanted = [apps.get_model(label) for label in AUTH_MODELS]
        else:
            continue
        if wanted:
            chosen.append((config, wanted))
    return serializers.sort_dependencies(chosen, allow_cycles=True)


def label_of(model: type[models.Model]) -> str:
    return model._meta.label


def _applied_migrations(using: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


# --- export ---------------------------------------------------------------------------------------


def dump_records(path: Path, using: str = "default") -> dict[str, int]:
    """Write every exported model's records to ``path`` (one JSON record a line), read as one consistent
    state of the database; returns the number of records of each model."""
    counts: dict[str, int] = {}
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using), open(path, "w", encoding="utf-8") as handle:
        if outermost and connection.vendor == "postgresql":  # one snapshot for every table
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        for model in exported_models():
            label = label_of(model)
            counts[label] = 0

            def counted(rows: Iterable, label=label):
                for row in rows:
                    counts[label] += 1
                    yield row

            rows = model._base_manager.using(using).order_by(model._meta.pk.name).iterator(chunk_size=500)
            for record in serializers.serialize("python", counted(rows), use_natural_foreign_keys=True):
                handle.write(json.dumps(record, cls=_Encoder, ensure_ascii=False, sort_keys=True) + "\n")
    return counts


def _plan_folder_part(plan_dir: str, into: Path) -> dict:
    """The plan folder the application shows, written under ``into`` unless the database already holds
    its files as a version (then the pages show that version, and the folder need not move)."""
    from policingplan.services.plan import plan_id_of, read_folder
    from policingplan.problems import UserError

    plan_id = plan_id_of(plan_dir)
    part = {"folder": str(plan_dir), "plan_id": plan_id, "included": False}
    if plan_id is None:
        return part
    try:
        files = read_folder(plan_dir)
    except UserError:
        return part
    from policingplan.web.editing.models import PlanVersion, files_hash

    digest = files_hash(files)
    part["content_hash"] = digest
    stored = PlanVersion.objects.filter(plan_id=plan_id, content_hash=digest).values_list("label", flat=True).first()
    if stored is not None:
        part["stored_as_version"] = stored
        return part
    from policingplan.services.plan import write_folder

    write_folder(files, into)
    part["included"] = True
    part["files"] = len(files)
    return part


def export_instance(archive: str, *, warehouse: str | None = None, plan_dir: str | None = None,
                    using: str = "default", say: Say = _quiet) -> dict:
    """Write the instance (the database's records, the warehouse, the plan folder shown) as ``archive``;
    returns the manifest written.  :class:`ArchiveError` for a place that cannot be written."""
    instance.check_writable(archive)
    warehouse = str(warehouse or settings.POLICINGPLAN_WAREHOUSE)
    plan_dir = str(plan_dir or settings.POLICINGPLAN_PLAN_DIR)
    staging = instance.staging_folder(archive, "export")
    try:
        counts = dump_records(staging / instance.DATABASE, using)
        models_held = sum(1 for n in counts.values() if n)
        say(f"Database: {sum(counts.values()):,} records of {models_held} models "
            f"({_counted('auth.User', counts.get('auth.User', 0))}, "
            f"{_counted('web.AuditEntry', counts.get('web.AuditEntry', 0))})")
        copied = instance.copy_warehouse(warehouse, staging / instance.WAREHOUSE)
        if Path(warehouse).is_dir():
            say(f"Warehouse: {copied.loads:,} loads, {copied.records:,} records in {copied.files:,} files ({warehouse})")
        else:
            say(f"Warehouse: none at {warehouse}; the archive holds an empty one")
        plan = _plan_folder_part(plan_dir, staging / instance.PLAN)
        if plan["included"]:
            say(f"Plan folder: {plan['files']:,} files of {plan['plan_id']} ({plan_dir})")
        elif plan.get("stored_as_version"):
            say(f"Plan folder: held in the database as version {plan['stored_as_version']} of {plan['plan_id']}")
        else:
            say(f"Plan folder: {plan_dir} holds no plan; not exported")
        connection = connections[using]
        manifest = instance.write_archive(archive, staging, {
            "database": {"engine": connection.vendor, "migrations": _applied_migrations(using)},
            "records": counts, "warehouse": copied.status, "plan": plan})
        size = sum(m["size"] for m in manifest["members"].values())
        say(f"Archive: {archive} ({len(manifest['members']):,} files, {size / 1e6:,.1f} MB before compression)")
        return manifest
    finally:
        instance.remove_folder(staging)


# --- import ---------------------------------------------------------------------------------------


def records_held(using: str = "default") -> dict[str, int]:
    """The exported models that hold records in the database (their tables may not exist yet)."""
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    held = {}
    for model in exported_models():
        if model._meta.db_table in tables:
            count = model._base_manager.using(using).count()
            if count:
                held[label_of(model)] = count
    return held


def _counted(label: str, count: int) -> str:
    meta = apps.get_model(label)._meta
    return f"{count:,} {meta.verbose_name if count == 1 else meta.verbose_name_plural}"


def _check_migrations(archive: str, manifest: dict) -> None:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [f"{app}.{name}" for app, names in manifest["database"]["migrations"].items()
               for name in names if (app, name) not in known]
    if unknown:
        raise ArchiveError(f"{archive}: the database was exported by a newer version of policingplan "
                           f"({manifest.get('project_version')}; migration {unknown[0]} is unknown here); "
                           "upgrade policingplan first")


def load_records(path: Path, using: str = "default") -> dict[str, int]:
    """Insert every record of ``path`` (inside the caller's transaction); returns the count per model."""
    allowed = {label_of(m): m for m in exported_models()}
    counts: dict[str, int] = {}
    deferred = []
    with open(path, encoding="utf-8") as handle:
        records = (json.loads(line) for line in handle if line.strip())
        for loaded in PythonDeserializer(records, using=using, handle_forward_references=True):
            label = label_of(type(loaded.object))
            if label not in allowed:
                raise ArchiveError(f"{path.name}: records of {label}, which an instance does not export")
            loaded.save(using=using, force_insert=True)
            if loaded.deferred_fields:
                deferred.append(loaded)
            counts[label] = counts.get(label, 0) + 1
    for loaded in deferred:
        loaded.save_deferred_fields(using=using)
    return counts


def reset_sequences(using: str = "default") -> None:
    """Set each table's primary-key sequence past the ids loaded, so that new records do not collide."""
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), exported_models())
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _plan_target(archive: str, manifest: dict, plan_dir: str) -> bool:
    """Whether the archive's plan folder is to be written to ``plan_dir`` (refused when another is there)."""
    plan = manifest.get("plan") or {}
    if not plan.get("included"):
        return False
    if instance.folder_is_empty(plan_dir):
        return True
    from policingplan.problems import UserError
    from policingplan.services.plan import read_folder
    from policingplan.web.editing.models import files_hash

    try:
        same = files_hash(read_folder(plan_dir)) == plan.get("content_hash")
    except UserError:
        same = False
    if same:
        return False
    raise ArchiveError(f"{plan_dir}: the plan folder holds another plan than the archive's ({plan.get('plan_id')}); "
                       "set POLICINGPLAN_WEB_PLAN (or --plan-dir) to a new folder")


def import_instance(archive: str, *, warehouse: str | None = None, plan_dir: str | None = None,
                    using: str = "default", say: Say = _quiet) -> dict:
    """Restore the instance in ``archive`` into this (new) instance; returns the records loaded per model.

    Refused, with nothing written, when the database holds records or the warehouse folder is not
    empty, when the archive is damaged (any member's SHA-256 differs), or when it comes from a newer
    version.  Then: migrate, load every record in one transaction, and rename the warehouse and the
    plan folder into place before that transaction commits (removed again if it does not)."""
    warehouse = str(warehouse or settings.POLICINGPLAN_WAREHOUSE)
    plan_dir = str(plan_dir or settings.POLICINGPLAN_PLAN_DIR)
    manifest = instance.read_manifest(archive)
    if not instance.folder_is_empty(warehouse):
        raise ArchiveError(f"{warehouse}: the warehouse folder is not empty; import into a new instance "
                           "(name an empty or new folder with --warehouse)")
    held = records_held(using)
    if held:
        listed = ", ".join(_counted(label, n) for label, n in sorted(held.items()))
        raise ArchiveError(f"the database already holds records ({listed}); import into a new, empty database "
                           "(DATABASE_URL), before the application first runs")
    _check_migrations(archive, manifest)
    write_plan = _plan_target(archive, manifest, plan_dir)
    staging = instance.staging_folder(warehouse, "import")
    placed: list[str] = []
    try:
        instance.unpack(archive, staging)
        say(f"Archive: {len(manifest['members']):,} files checked against their SHA-256 "
            f"(exported {manifest.get('created_at')} from {manifest['database']['engine']})")
        call_command("migrate", database=using, interactive=False, verbosity=0)
        say(f"Database: migrated ({connections[using].vendor})")
        staged_warehouse = staging / instance.WAREHOUSE
        staged_warehouse.mkdir(exist_ok=True)
        with transaction.atomic(using=using):
            counts = load_records(staging / instance.DATABASE, using)
            expected = {label: n for label, n in manifest["records"].items() if n}
            if counts != expected:
                wrong = sorted(set(counts) ^ set(expected) | {k for k in counts if counts[k] != expected.get(k)})
                raise ArchiveError(f"{archive}: {wrong[0]}: {counts.get(wrong[0], 0):,} records loaded, the manifest "
                                   f"says {expected.get(wrong[0], 0):,}")
            reset_sequences(using)
            instance.place_folder(staged_warehouse, warehouse)
            placed.append(warehouse)
            if write_plan:
                instance.place_folder(staging / instance.PLAN, plan_dir)
                placed.append(plan_dir)
        say(f"Database: {sum(counts.values()):,} records of {len(counts)} models loaded "
            f"({_counted('auth.User', counts.get('auth.User', 0))}, "
            f"{_counted('web.AuditEntry', counts.get('web.AuditEntry', 0))})")
        status = manifest.get("warehouse") or {}
        say(f"Warehouse: {len(status.get('loads', [])):,} loads restored ({warehouse})")
        if write_plan:
            say(f"Plan folder: {plan_dir} ({(manifest.get('plan') or {}).get('plan_id')})")
        return counts
    except BaseException:
        for folder in placed:
            instance.remove_folder(folder)
        raise
    finally:
        instance.remove_folder(staging)
