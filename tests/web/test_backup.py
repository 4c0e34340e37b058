"""``policingplan export`` and ``policingplan import``: a whole instance moved, and nothing lost.

The round trip builds an instance with real content in the test database (users of every role,
plan versions, a comment, audit entries, and whatever else the application's pages and stores
write), exports it with the London 2023/24 example's data in the warehouse, and imports it with
the real command line into a new database and a new warehouse folder.  On SQLite that is
SQLite → SQLite; on the PostgreSQL pass (``DATABASE_URL`` names PostgreSQL) the test database is
PostgreSQL, and the instance goes PostgreSQL → SQLite → a new PostgreSQL database: both ways
across engines.  Then every row of every model of the application's apps (found through
``django.apps``, not listed), the users, the groups and their memberships are compared field by
field; every user signs in with their password; new rows get new ids; and the warehouse gives
the same status and the same measure values.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from policingplan.web import roles

PASSWORD = "a-test-password-1"

#: Every row of every model of the application's apps (apps named policingplan.web*) and of auth's
#: users and groups, with their many-to-many memberships, as JSON-ready values; a reference to a
#: permission or a content type (whose ids differ between databases) by its natural key.  Run here
#: (exec) and in a child process on the restored database, so that both sides are read alike.
ROWS_SCRIPT = r'''
import decimal, json, os, uuid
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policingplan.web.settings")
django.setup()
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

BY_NATURAL_KEY = (Permission, ContentType)

def plain(value):
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value

def models_compared():
    chosen = []
    for config in apps.get_app_configs():
        if config.name.startswith("policingplan.web"):
            chosen += [m for m in config.get_models() if m._meta.managed and not m._meta.proxy]
    return chosen + [apps.get_model("auth", "User"), apps.get_model("auth", "Group")]

def every_row():
    rows = {}
    for model in models_compared():
        table = []
        for obj in model._base_manager.order_by("pk"):
            row = {}
            for field in model._meta.concrete_fields:
                value = getattr(obj, field.attname)
                if field.is_relation and issubclass(field.related_model, BY_NATURAL_KEY) and value is not None:
                    value = list(field.related_model._base_manager.get(pk=value).natural_key())
                row[field.name] = plain(value)
            for field in model._meta.many_to_many:
                related = getattr(obj, field.name).all()
                if issubclass(field.related_model, BY_NATURAL_KEY):
                    row[field.name] = sorted(list(r.natural_key()) for r in related)
                else:
                    row[field.name] = sorted(r.pk for r in related)
            table.append(row)
        rows[model._meta.label] = table
    return json.loads(json.dumps(rows, sort_keys=True))
'''

#: In the restored instance: every user signs in with the password, and new rows get new ids.
AFTER_SCRIPT = ROWS_SCRIPT + r'''
import sys
from django.conf import settings
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as the tests hash
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from policingplan.web import audit
from policingplan.web.models import AuditEntry

password = sys.argv[1]
before = every_row()
signed_in = sorted(u.username for u in User.objects.all() if authenticate(username=u.username, password=password))
high = {"user": max(User.objects.values_list("pk", flat=True)), "audit": max(AuditEntry.objects.values_list("pk", flat=True))}
new_user = User.objects.create_user(username="after-import", password=password)
entry = audit.record(new_user, "test.after-import", "A row added after the import", "to prove the ids go on",
                     object_type="test", object_id="1")
print(json.dumps({"rows": before, "signed_in": signed_in, "high": high,
                  "new": {"user": new_user.pk, "audit": entry.pk}}))
'''


def rows_here() -> dict:
    namespace: dict = {}
    exec(ROWS_SCRIPT, namespace)
    return namespace["every_row"]()


def policingplan(*arguments: str, env: dict, cwd: Path) -> subprocess.CompletedProcess:
    """The real command line, in a child process, with its own database and warehouse."""
    program = Path(sys.executable).with_name("policingplan")
    return subprocess.run([str(program), *arguments], env=env, cwd=cwd, capture_output=True, text=True, timeout=600)


def instance_env(database_url: str, warehouse: Path, plan_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICINGPLAN_")}
    env.update(DATABASE_URL=database_url, POLICINGPLAN_WAREHOUSE=str(warehouse), POLICINGPLAN_WEB_PLAN=str(plan_dir),
               DJANGO_SETTINGS_MODULE="policingplan.web.settings")
    return env


def new_postgres_database() -> tuple[str, callable]:
    """A new, empty PostgreSQL database on the server the tests use: its URL, and how to drop it."""
    import psycopg

    params = connection.settings_dict
    name = f"policingplan_restore_{uuid.uuid4().hex[:12]}"
    conninfo = dict(dbname=params["NAME"], user=params["USER"] or None, password=params["PASSWORD"] or None,
                    host=params["HOST"] or None, port=params["PORT"] or None)
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v}, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(**{k: v for k, v in conninfo.items() if v}, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    from urllib.parse import quote

    user = quote(params["USER"] or "")
    secret = f":{quote(params['PASSWORD'])}" if params["PASSWORD"] else ""
    url = f"postgres://{user}{secret}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}"
    return url, drop


def build_instance(client, make_user) -> None:
    """Real content, through the application's own code: users of every role, the plan imported as
    its first version (by showing a page), a draft in consultation with a comment, audit entries."""
    from policingplan.web import audit
    from policingplan.web.editing import store

    users = {role: make_user(role, "lambeth" if role == roles.COMMANDER else None) for role in roles.ROLES}
    users["none"] = make_user(None)
    client.force_login(users[roles.PERFORMANCE])
    assert client.get("/").status_code == 200  # the dashboard imports the plan folder as version 1.0
    shown = store.shown_version()
    assert shown is not None
    draft = store.start_draft(shown, user=users[roles.PERFORMANCE], reason="the 2024 refresh")
    store.take_step(draft, "consult", user=users[roles.PERFORMANCE], reason="out to the boroughs")
    store.add_comment(draft, user=users[roles.COMMANDER], text="Lambeth can go further on robbery",
                      measure="neighbourhood-crime")
    audit.record(users[roles.ADMINISTRATOR], "account.role", "Member given the viewer role", "joined the authority",
                 object_type="account", object_id="viewer-all", before={"roles": []}, after={"roles": ["viewer"]})


def warehouse_figures(warehouse: Path) -> tuple[dict, dict]:
    from policingplan.services.data import measures, warehouse_status
    from policingplan.services.plan import load

    status = warehouse_status(warehouse).model_dump(mode="json", exclude={"warehouse"})
    plan = load(Path(__file__).resolve().parents[2] / "examples" / "london-2023-24")
    values = measures(plan, warehouse).model_dump(mode="json")
    return status, values


@pytest.mark.django_db
def test_a_round_trip_loses_nothing(client, make_user, web_warehouse, web_plan_dir, tmp_path):
    build_instance(client, make_user)
    source_rows = rows_here()
    assert {label for label, rows in source_rows.items() if rows} >= {
        "auth.User", "auth.Group", "web.AuditEntry", "editing.PlanVersion", "editing.Comment"}

    archive = tmp_path / "instance.tar.gz"
    out = io.StringIO()
    call_command("export_instance", str(archive), warehouse=str(web_warehouse), stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["Database", "Warehouse", "Plan folder", "Archive"]
    assert f"({len(source_rows['auth.User'])} users, {len(source_rows['web.AuditEntry'])} audit entries)" in lines[0]
    assert "held in the database as version 1.0" in lines[2]  # the plan folder is version 1.0's files
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names[0] == "manifest.json" and set(names[1:]) == set(manifest["members"])
    assert manifest["database"]["engine"] == connection.vendor
    assert {label: n for label, n in manifest["records"].items()} == {
        label: len(rows) for label, rows in source_rows.items()}
    assert "auth.Permission" not in manifest["records"] and "sessions.Session" not in manifest["records"]

    # First hop: into a new SQLite database and a new warehouse folder, with the real command line.
    first = tmp_path / "first"
    first.mkdir()
    env = instance_env(f"sqlite:///{first / 'web.sqlite3'}", first / "warehouse", web_plan_dir)
    result = policingplan("import", str(archive), env=env, cwd=first)
    assert result.returncode == 0, result.stderr
    assert "checked against their SHA-256" in result.stdout and "records of" in result.stdout
    restored, restored_warehouse, restored_env = first, first / "warehouse", env

    if connection.vendor == "postgresql":  # and on: SQLite → a new PostgreSQL database
        second_archive = first / "again.tar.gz"
        result = policingplan("export", str(second_archive), env=env, cwd=first)
        assert result.returncode == 0, result.stderr
        url, drop = new_postgres_database()
        try:
            second = tmp_path / "second"
            second.mkdir()
            env = instance_env(url, second / "warehouse", web_plan_dir)
            result = policingplan("import", str(second_archive), env=env, cwd=second)
            assert result.returncode == 0, result.stderr
            assert "migrated (postgresql)" in result.stdout
            after = json.loads(subprocess.run([sys.executable, "-c", AFTER_SCRIPT, PASSWORD], env=env, cwd=second,
                                              capture_output=True, text=True, check=True, timeout=300).stdout)
        finally:
            drop()
        restored_warehouse = second / "warehouse"
    else:
        after = json.loads(subprocess.run([sys.executable, "-c", AFTER_SCRIPT, PASSWORD], env=restored_env,
                                          cwd=restored, capture_output=True, text=True, check=True,
                                          timeout=300).stdout)

    # Every model's rows, field by field, memberships included.
    assert after["rows"].keys() == source_rows.keys()
    for label in source_rows:
        assert after["rows"][label] == source_rows[label], label
    # Every user signs in with their password; new rows take new ids (the sequences were reset).
    assert after["signed_in"] == sorted(row["username"] for row in source_rows["auth.User"])
    assert after["new"]["user"] > after["high"]["user"] and after["new"]["audit"] > after["high"]["audit"]

    # The warehouse: the same loads and holdings, and the same measure values.
    assert warehouse_figures(restored_warehouse) == warehouse_figures(web_warehouse)


def _export(tmp_path: Path, web_warehouse: Path, name: str = "instance.tar.gz") -> Path:
    archive = tmp_path / name
    call_command("export_instance", str(archive), warehouse=str(web_warehouse), stdout=io.StringIO())
    return archive


def _import(archive: Path, warehouse: Path, plan_dir: Path | None = None) -> tuple[int, str]:
    err = io.StringIO()
    options = {"warehouse": str(warehouse), "stdout": io.StringIO(), "stderr": err}
    if plan_dir is not None:
        options["plan_dir"] = str(plan_dir)
    try:
        call_command("import_instance", str(archive), **options)
    except SystemExit as exc:
        return exc.code, err.getvalue()
    return 0, err.getvalue()


def _nothing_written(tmp_path: Path, warehouse: Path) -> None:
    from policingplan.web.backup import records_held

    assert not warehouse.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging folder left
    assert records_held() == {}


@pytest.mark.django_db
def test_a_damaged_archive_is_refused_before_anything_is_written(web_warehouse, tmp_path):
    archive = _export(tmp_path, web_warehouse)
    data = bytearray(archive.read_bytes())

    flipped = tmp_path / "flipped.tar.gz"  # one byte of the compressed stream, half-way through
    data[len(data) // 2] ^= 0xFF
    flipped.write_bytes(bytes(data))
    code, message = _import(flipped, tmp_path / "warehouse")
    assert code == 1
    assert message.startswith("Error: ") and "damaged" in message and len(message.strip().splitlines()) == 1
    _nothing_written(tmp_path, tmp_path / "warehouse")

    changed = tmp_path / "changed.tar.gz"  # a whole archive, one member's bytes changed but not the manifest
    with tarfile.open(archive) as source, tarfile.open(changed, "w:gz") as target:
        for member in source.getmembers():
            content = source.extractfile(member).read()
            if member.name.endswith(".parquet"):
                content = content[:100] + bytes([content[100] ^ 1]) + content[101:]
            target.addfile(member, io.BytesIO(content))
    code, message = _import(changed, tmp_path / "warehouse")
    assert code == 1
    assert "warehouse/records/" in message and "does not match its SHA-256" in message
    _nothing_written(tmp_path, tmp_path / "warehouse")


@pytest.mark.django_db
def test_an_import_into_an_instance_that_holds_data_is_refused(make_user, web_warehouse, tmp_path):
    from django.contrib.auth.models import User

    make_user(roles.VIEWER)
    archive = _export(tmp_path, web_warehouse)
    code, message = _import(archive, tmp_path / "warehouse")
    assert code == 1
    assert "the database already holds records (1 group, 1 user); import into a new, empty database" in message
    assert User.objects.count() == 1 and not (tmp_path / "warehouse").exists()

    occupied = tmp_path / "occupied"  # a warehouse folder that holds something is refused too
    occupied.mkdir()
    (occupied / "catalogue.duckdb").write_bytes(b"")
    code, message = _import(archive, occupied)
    assert code == 1 and "the warehouse folder is not empty" in message


@pytest.mark.django_db
def test_a_plan_folder_the_database_does_not_hold_travels_in_the_archive(web_warehouse, web_plan_dir, tmp_path):
    from policingplan.services.plan import read_folder

    archive = _export(tmp_path, web_warehouse)  # no page shown yet: no version holds the plan
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "plan/plan.yaml" in names
    code, message = _import(archive, tmp_path / "warehouse", plan_dir=tmp_path / "plan")
    assert code == 0, message
    assert read_folder(tmp_path / "plan") == read_folder(web_plan_dir)
    assert (tmp_path / "warehouse" / "catalogue.duckdb").is_file()


def test_an_unwritable_place_is_one_clear_line(tmp_path, web_warehouse):
    err = io.StringIO()
    with pytest.raises(SystemExit) as stopped:
        call_command("export_instance", str(tmp_path / "absent" / "instance.tar.gz"), warehouse=str(web_warehouse),
                     stdout=io.StringIO(), stderr=err)
    assert stopped.value.code == 1
    assert err.getvalue().strip() == (f"Error: {tmp_path / 'absent' / 'instance.tar.gz'}: cannot write the archive: "
                                      f"the folder {tmp_path / 'absent'} does not exist")
