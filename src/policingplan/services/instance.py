"""A whole instance as one archive: the file side of ``policingplan export`` and ``import``.

The web application (:mod:`policingplan.web.backup`) gathers the database's records into a folder;
this module adds the warehouse (copied consistently), writes the folder as one ``.tar.gz`` with a
manifest (every member's SHA-256 and size), and on import checks every member against the
manifest while unpacking it into a folder of its own, before anything of the new instance is
written.  Layout of an archive::

    manifest.json            format, version, when, counts, and each member's SHA-256 and size
    database.jsonl           the database's records, one JSON object a line (Django's serialiser)
    warehouse/...            the warehouse folder: catalogue.duckdb and the segments it lists
    plan/...                 the plan folder shown, when the database holds no version of it

Nothing is ever half-written: the archive goes to a temporary name beside its place and is
renamed into place; a warehouse is unpacked into a temporary folder and renamed into place.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from pathlib import Path
from typing import Any, Callable

from policingplan import __version__
from policingplan.problems import UserError
from policingplan.results import Result

FORMAT = "policingplan-instance"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "database.jsonl"
WAREHOUSE = "warehouse"
PLAN = "plan"
#: How many times a warehouse copy starts again when a load commits while it copies.
COPY_ATTEMPTS = 5
_CHUNK = 1 << 20


class ArchiveError(UserError):
    """An archive that cannot be written or read, in one line naming it."""

    def __init__(self, message: str):
        super().__init__(message)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- the warehouse --------------------------------------------------------------------------------


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)  # a segment is never changed in place: a link keeps it if a load removes it
    except OSError:
        shutil.copyfile(source, target)


class WarehouseCopy(Result):
    """A warehouse copied as one consistent state: how many loads, records and files it holds, and its status
    (:meth:`Warehouse.status`, the folder left out: the same for a warehouse and its copy)."""

    loads: int
    records: int
    files: int
    status: dict[str, Any]


def copy_warehouse(source: str | os.PathLike, target: str | os.PathLike) -> WarehouseCopy:
    """Copy the warehouse at ``source`` into the new folder ``target``, as one consistent state.

    The live catalogue is copied first (from one open file: a load that commits meanwhile renames
    a new catalogue into place and leaves the open one whole), then each segment that copy lists.
    A load commits by renaming its catalogue, and removes the segments it superseded only after;
    when one of those is gone before it is copied, the copy starts again from the new catalogue.
    No lock is taken, so a warehouse that this process may only read is copied too.  An absent or
    empty warehouse gives an empty folder.
    """
    from policingplan.data.warehouse import Warehouse

    source, target = Path(source), Path(target)
    live = Warehouse(source)
    for _ in range(COPY_ATTEMPTS):
        target.mkdir(parents=True, exist_ok=False)
        copy = Warehouse(target)
        try:
            try:
                with open(live.catalogue_path, "rb") as handle, open(copy.catalogue_path, "wb") as out:
                    shutil.copyfileobj(handle, out, _CHUNK)
            except FileNotFoundError:
                copy.catalogue_path.unlink(missing_ok=True)
                return _copied(copy, 0)
            files = 1
            for kind in sorted(copy.loaded_kinds()):
                for location in copy.segment_locations(kind):
                    relative = Path(location).relative_to(target)
                    _link_or_copy(source / relative, target / relative)
                    files += 1
            return _copied(copy, files)
        except FileNotFoundError:  # a load committed and removed a segment the copied catalogue lists
            shutil.rmtree(target, ignore_errors=True)
    raise ArchiveError(f"{source}: the warehouse changed {COPY_ATTEMPTS} times while it was copied; "
                       "run the export again when no data load is running")


def _copied(copy, files: int) -> WarehouseCopy:
    status = _status(copy)
    return WarehouseCopy(loads=len(status["loads"]), records=sum(s["rows"] for s in status["sources"]),
                         files=files, status=status)


def _status(warehouse) -> dict[str, Any]:
    status = warehouse.status()
    status.pop("warehouse", None)
    return status


def warehouse_status(directory: str | os.PathLike) -> dict[str, Any]:
    """A warehouse's loads and the rows and periods of each source kind, its folder left out: the same
    for a warehouse and its copy."""
    from policingplan.data.warehouse import Warehouse

    return _status(Warehouse(directory))


# --- writing an archive ---------------------------------------------------------------------------


def check_writable(archive: str | os.PathLike) -> Path:
    """The archive's path, or :class:`ArchiveError` naming why it cannot be written there."""
    path = Path(archive)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ArchiveError(f"{archive}: a folder is there; name a file such as instance.tar.gz")
    if not folder.is_dir():
        raise ArchiveError(f"{archive}: cannot write the archive: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ArchiveError(f"{archive}: cannot write the archive: the folder {folder} is not writable")
    return path


def staging_folder(near: str | os.PathLike, purpose: str) -> Path:
    """A new, private folder beside ``near`` (on the same file system, so that it renames into place)."""
    near = Path(near)
    parent = near.parent if str(near.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{near.name}.{purpose}-", dir=parent))
    except OSError as exc:
        raise ArchiveError(f"{near}: cannot write beside it: {exc.strerror or exc}") from exc


def _members(folder: Path) -> list[Path]:
    return sorted((p for p in folder.rglob("*") if p.is_file()), key=lambda p: p.relative_to(folder).as_posix())


def write_archive(archive: str | os.PathLike, folder: str | os.PathLike, manifest: dict[str, Any]) -> dict[str, Any]:
    """Write ``folder``'s files as the archive, with ``manifest`` completed (format, version, when,
    each member's SHA-256 and size) as its first member; written to a temporary name, then renamed
    into place.  Returns the manifest written."""
    path = check_writable(archive)
    folder = Path(folder)
    files = _members(folder)
    members = {p.relative_to(folder).as_posix(): {"sha256": sha256_of(p), "size": p.stat().st_size} for p in files}
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "project_version": __version__,
                "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                **manifest, "members": members}
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as raw:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) as zipped:
                with tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar:
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mode, info.mtime = len(text), 0o644, int(dt.datetime.now().timestamp())
                    tar.addfile(info, io.BytesIO(text))
                    for file in files:
                        info = tar.gettarinfo(str(file), arcname=file.relative_to(folder).as_posix())
                        info.uid = info.gid = 0
                        info.uname = info.gname = ""
                        info.mode = 0o644
                        with open(file, "rb") as handle:
                            tar.addfile(info, handle)
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(temporary, 0o600)  # the archive holds password hashes: the owner's alone
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise ArchiveError(f"{archive}: cannot write the archive: {exc.strerror or exc}") from exc
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return manifest


# --- reading an archive ---------------------------------------------------------------------------


def _safe_member(name: str) -> bool:
    parts = name.split("/")
    return bool(name) and not name.startswith("/") and "\\" not in name and all(p not in ("", ".", "..") for p in parts)


def read_manifest(archive: str | os.PathLike) -> dict[str, Any]:
    """The archive's manifest, checked for its format; :class:`ArchiveError` when the file is not an
    instance archive, is damaged or comes from a newer format."""
    path = Path(archive)
    if not path.is_file():
        raise ArchiveError(f"{archive}: no such archive")
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            member = tar.next()
            if member is None or member.name != MANIFEST or not member.isfile():
                raise ArchiveError(f"{archive}: not an instance archive (it does not begin with {MANIFEST})")
            manifest = json.loads(tar.extractfile(member).read().decode("utf-8"))
    except (tarfile.TarError, zlib.error, EOFError, OSError, UnicodeDecodeError, ValueError) as exc:
        raise ArchiveError(f"{archive}: the archive is damaged or not an instance archive ({_reason(exc)})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(f"{archive}: not an instance archive (its manifest names no format {FORMAT!r})")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ArchiveError(f"{archive}: archive format {version!r} is newer than this version reads "
                           f"({FORMAT_VERSION}); import it with policingplan {manifest.get('project_version')} or later")
    members = manifest.get("members")
    if not isinstance(members, dict) or DATABASE not in members:
        raise ArchiveError(f"{archive}: the manifest lists no {DATABASE}")
    return manifest


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def unpack(archive: str | os.PathLike, folder: str | os.PathLike,
           on_member: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Unpack the archive into the empty ``folder``, checking every member's size and SHA-256 against
    the manifest, that every member the manifest lists is there and no other.  Returns the manifest;
    :class:`ArchiveError` naming the first member that does not match (the caller removes ``folder``)."""
    manifest = read_manifest(archive)
    expected: dict[str, dict] = manifest["members"]
    folder = Path(folder)
    seen: set[str] = set()
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                name = member.name
                if name == MANIFEST:
                    continue
                if not member.isfile() or not _safe_member(name) or name not in expected or name in seen:
                    raise ArchiveError(f"{archive}: member {name!r} is not one the manifest lists; "
                                       "the archive has been changed")
                digest, size = hashlib.sha256(), 0
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                with open(target, "wb") as out:
                    for chunk in iter(lambda: source.read(_CHUNK), b""):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                want = expected[name]
                if size != want.get("size") or digest.hexdigest() != want.get("sha256"):
                    raise ArchiveError(f"{archive}: member {name} does not match its SHA-256 in the manifest; "
                                       "the archive is damaged")
                seen.add(name)
                if on_member:
                    on_member(name)
    except (tarfile.TarError, zlib.error, EOFError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"{archive}: the archive is damaged ({_reason(exc)})") from exc
    missing = sorted(set(expected) - seen)
    if missing:
        raise ArchiveError(f"{archive}: member {missing[0]} is missing ({len(missing)} missing); the archive is damaged")
    return manifest


def folder_is_empty(directory: str | os.PathLike) -> bool:
    """True when ``directory`` does not exist or holds nothing."""
    path = Path(directory)
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


def place_folder(staged: str | os.PathLike, target: str | os.PathLike) -> None:
    """Rename the staged folder to ``target`` (absent or an empty folder), in one step."""
    staged, target = Path(staged), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_dir() and not any(target.iterdir()):
        target.rmdir()
    os.rename(staged, target)


def remove_folder(directory: str | os.PathLike) -> None:
    shutil.rmtree(directory, ignore_errors=True)


RESULTS = (WarehouseCopy,)
