"""Which plan the pages show: the folder that every figure of the read-only pages comes from.

The plan shown is the newest *published* version of the settings' plan in the database
(:mod:`policingplan.web.editing`): on first use, the plan folder of the settings
(``POLICINGPLAN_PLAN_DIR``) is imported as its first, published version.  The version's files are
written once per content hash as a plan folder under ``POLICINGPLAN_WEB_PLANS`` (default
``plans/`` in the application's state folder, beside the SQLite file), atomically (a temporary
folder, then a rename), so that the services read it as they read any plan folder.  A version
started from another keeps that one as ``versions/<label>/``, so "the changes since the previous
version" work as they do for a folder on disk.

:func:`plan_dir` is on every page's path, so its answer is kept: within one request it asks the
database at most once (one small query for the newest published version's id and hash), and the
folder for a version is written once per process (and reused across processes: it is named by the
hash).  Publishing a version calls :func:`forget`.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.core.signals import request_finished, request_started

_lock = threading.Lock()
_local = threading.local()
#: (the plans' root, plan id, version id, content hash) → the folder written for it, in this process.
_folders: dict[tuple, str] = {}
#: (plan folder, plan.yaml's mtime) → the plan's id.
_ids: dict[tuple, str | None] = {}


def plans_root() -> Path:
    """Where the folders of the versions shown are written: ``POLICINGPLAN_WEB_PLANS``, else ``plans/`` in the
    application's state folder (beside the SQLite database)."""
    configured = getattr(settings, "POLICINGPLAN_WEB_PLANS", None)
    if configured:
        return Path(configured)
    state = getattr(settings, "STATE_DIR", None) or Path(".policingplan")
    return Path(state) / "plans"


def _on_request_started(**_) -> None:
    _local.request = object()  # a new request: its first plan_dir() asks the database again
    _local.memo = None


def _on_request_finished(**_) -> None:
    _local.request = None
    _local.memo = None


request_started.connect(_on_request_started, dispatch_uid="policingplan-shown-started")
request_finished.connect(_on_request_finished, dispatch_uid="policingplan-shown-finished")


def forget() -> None:
    """Forget the answers kept (after a version is published)."""
    _local.memo = None
    with _lock:
        _ids.clear()


def _settings_plan_id(folder: str) -> str | None:
    from policingplan.services.plan import plan_id_of

    try:
        stamp = os.stat(os.path.join(folder, "plan.yaml")).st_mtime_ns
    except OSError:
        stamp = None
    key = (folder, stamp)
    with _lock:
        if key in _ids:
            return _ids[key]
    found = plan_id_of(folder)
    with _lock:
        _ids[key] = found
    return found


def materialise(version) -> str:
    """The folder of a version's files, written once (per content hash) under :func:`plans_root`."""
    root = plans_root()
    key = (str(root), version.plan_id, version.pk, version.content_hash)
    with _lock:
        known = _folders.get(key)
    if known and os.path.isdir(known):
        return known
    folder = root / f"{version.plan_id}-{version.content_hash[:20]}"
    if not (folder / "plan.yaml").is_file():
        write_once(version.files, folder)
    answer = str(folder)
    with _lock:
        _folders[key] = answer
    return answer


def write_once(files: dict, folder: Path) -> None:
    """Write ``files`` as ``folder`` unless it exists: to a folder of its own, then renamed into place, so
    that a reader never sees half a folder and two writers at once both end with the same whole one."""
    from policingplan.services.plan import write_folder

    staging = folder.with_name(f".{folder.name}.{uuid.uuid4().hex}")
    write_folder(files, staging)
    try:
        os.rename(staging, folder)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if not (folder / "plan.yaml").is_file():
            raise


def plan_dir() -> str:
    """The folder of the plan shown: the newest published version's (see the module's description); the
    settings' folder itself when it holds no plan (so that the pages report its problems)."""
    folder = settings.POLICINGPLAN_PLAN_DIR
    request = getattr(_local, "request", None)
    memo = getattr(_local, "memo", None)
    if request is not None and memo is not None and memo[0] is request and memo[1] == folder:
        return memo[2]
    answer = _answer(folder)
    if request is not None:
        _local.memo = (request, folder, answer)
    return answer


def _answer(folder: str) -> str:
    from policingplan.web.editing import rules
    from policingplan.web.editing.models import PlanVersion

    plan_id = _settings_plan_id(folder)
    if plan_id is None:
        return folder
    row = (PlanVersion.objects.filter(plan_id=plan_id, status=rules.PUBLISHED)
           .order_by("-published_at", "-id").only("id", "plan_id", "content_hash").first())
    if row is not None:
        key = (str(plans_root()), row.plan_id, row.pk, row.content_hash)
        with _lock:
            known = _folders.get(key)
        if known and os.path.isdir(known):
            return known
    from policingplan.web.editing import store

    version = store.shown_version(plan_id)
    if version is None:
        return folder
    return materialise(version)
