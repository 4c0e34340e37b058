"""A full disk while publishing leaves no half-written document in place of the old one
(issue 17, faults).

The London 2007/08 example is published into a folder; then a second publication (the same
documents with different bytes, so that any of them left in place would show) is written over
it while the disk "fills": every file opened for writing under the test's folder shares a budget
of bytes, and the write that would pass it writes what fits and fails with ``ENOSPC``, as
``write(2)`` does on a full disk; once the budget is spent, making a folder fails too.  The
budget runs from nothing to one byte short of the whole publication, and the renames that put
the new folder in place fail with ``ENOSPC`` as well.  After each failure the earlier
publication is there byte for byte, nothing is left beside it, and ``policingplan publish``
says what happened in one line, without a traceback.

The documents are rendered once (rendering is in memory; the disk is only touched when they are
written), and every publication after the first reuses them.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from policingplan.cli import publish_cmds
from policingplan.problems import UserError
from policingplan.services import publish as publish_service
from policingplan.settings import PROJECT_ROOT

LONDON = PROJECT_ROOT / "examples" / "london-2007-08"
NO_SPACE = os.strerror(errno.ENOSPC)  # "No space left on device"


class _Disk:
    """The file system under ``root``, with ``free`` bytes left (``None``: room for anything)."""

    def __init__(self, root: Path, free: int | None):
        self.root = str(root)
        self.free = free
        self.failures = 0

    def holds(self, path) -> bool:
        try:
            return os.path.abspath(os.fsdecode(path)).startswith(self.root + os.sep)
        except TypeError:  # a file descriptor
            return False

    def full(self) -> OSError:
        self.failures += 1
        return OSError(errno.ENOSPC, NO_SPACE)


class _FileOnDisk:
    """A file opened for writing on the filling disk: a write past the space left writes what
    fits, then fails with ENOSPC."""

    def __init__(self, disk: _Disk, handle):
        self._disk = disk
        self._handle = handle

    def write(self, data):
        view = memoryview(data).cast("B")
        if self._disk.free is not None and view.nbytes > self._disk.free:
            fits, self._disk.free = self._disk.free, 0
            self._handle.write(view[:fits])
            self._handle.flush()
            raise self._disk.full()
        if self._disk.free is not None:
            self._disk.free -= view.nbytes
        return self._handle.write(data)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()
        return False

    def __getattr__(self, name):
        return getattr(self._handle, name)


def _fill_disk(monkeypatch, disk: _Disk, *, rename_fails: str | None = None) -> None:
    """Route the writes under ``disk.root`` through the filling disk.

    ``rename_fails``: ``"into place"`` makes the rename of the new folder to the output folder's
    name fail with ENOSPC (a directory that cannot grow); ``"aside"`` the rename of the earlier
    publication out of the way."""
    real_open, real_mkdir, real_rename = io.open, os.mkdir, os.rename

    def open_(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        if disk.holds(file) and any(flag in mode for flag in "wax+"):
            return _FileOnDisk(disk, handle)
        return handle

    def mkdir(path, *args, **kwargs):
        if disk.holds(path) and disk.free == 0:
            raise disk.full()
        return real_mkdir(path, *args, **kwargs)

    def rename(src, dst, *args, **kwargs):
        source, target = Path(os.fsdecode(src)), Path(os.fsdecode(dst))
        if disk.holds(src) and (
                (rename_fails == "into place" and source.name.startswith(".") and not source.name.endswith("-old")
                 and not target.name.startswith("."))
                or (rename_fails == "aside" and target.name.endswith("-old"))):
            raise disk.full()
        return real_rename(src, dst, *args, **kwargs)

    monkeypatch.setattr(io, "open", open_)  # pathlib's Path.open (write_bytes) opens with io.open
    monkeypatch.setattr(os, "mkdir", mkdir)  # Path.mkdir and tempfile.mkdtemp
    monkeypatch.setattr(os, "rename", rename)  # Path.rename


def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def first_publication(tmp_path_factory):
    """The London example published once for real, and its documents as rendered (reused by the
    publications that follow, with different bytes)."""
    rendered = {}
    real_render = publish_service.render

    def render(*args, **kwargs):
        rendered["result"] = real_render(*args, **kwargs)
        return rendered["result"]

    out = tmp_path_factory.mktemp("published") / "london"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(publish_service, "render", render)
        result = publish_service.publish(LONDON, out)
    files, notes, publication = rendered["result"]
    second = {name: content + b"\n% the second publication\n" for name, content in files.items()}
    return out, result, _digests(out), (second, notes, publication)


@pytest.fixture
def earlier(first_publication, tmp_path, monkeypatch):
    """A copy of the first publication in a folder of its own, and the second one to write over it."""
    source, result, digests, second = first_publication
    out = tmp_path / "disk" / "london"
    shutil.copytree(source, out)
    assert _digests(out) == digests
    monkeypatch.setattr(publish_service, "render", lambda *args, **kwargs: second)
    return out, digests, second[0]


def _no_space(exc: BaseException | None) -> bool:
    """Whether the error is the full disk's, raised as it is or as the cause of a UserError."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _assert_as_it_was(out: Path, digests: dict[str, str]) -> None:
    assert _digests(out) == digests  # every document, byte for byte; none added, none missing
    assert sorted(os.listdir(out.parent)) == [out.name]  # no temporary folder beside it


def _budgets(total: int) -> list[int]:
    """Bytes free when the second publication starts: none, one, a block, spread through it, and
    one byte short of it."""
    return [0, 1, 4096] + [total * k // 8 for k in range(1, 8)] + [total - 1]


def test_the_first_publication_is_a_real_one(first_publication):
    out, result, digests, (second, _, _) = first_publication
    assert len(digests) == len(result.files) == len(second) >= 30
    assert {f.name: f.sha256 for f in result.files} == digests


@pytest.mark.parametrize("share", range(11))
def test_a_disk_that_fills_while_publishing_leaves_the_earlier_publication_whole(earlier, monkeypatch, share):
    out, digests, second = earlier
    free = _budgets(sum(map(len, second.values())))[share]
    disk = _Disk(out.parent, free)
    _fill_disk(monkeypatch, disk)

    with pytest.raises((OSError, UserError)) as raised:
        publish_service.publish(LONDON, out)

    assert _no_space(raised.value)
    assert disk.failures == 1
    _assert_as_it_was(out, digests)


@pytest.mark.parametrize("rename_fails", ["aside", "into place"])
def test_a_rename_that_fails_for_want_of_space_leaves_the_earlier_publication_whole(earlier, monkeypatch,
                                                                                    rename_fails):
    out, digests, _ = earlier
    disk = _Disk(out.parent, None)
    _fill_disk(monkeypatch, disk, rename_fails=rename_fails)

    with pytest.raises((OSError, UserError)) as raised:
        publish_service.publish(LONDON, out)

    assert _no_space(raised.value) and disk.failures == 1
    _assert_as_it_was(out, digests)


def test_once_there_is_space_again_the_new_publication_replaces_the_old_whole(earlier):
    out, digests, second = earlier
    with pytest.MonkeyPatch.context() as patch:
        _fill_disk(patch, _Disk(out.parent, 100_000))
        with pytest.raises((OSError, UserError)):
            publish_service.publish(LONDON, out)
    _assert_as_it_was(out, digests)

    result = publish_service.publish(LONDON, out)

    expected = {name: hashlib.sha256(content).hexdigest() for name, content in second.items()}
    assert _digests(out) == expected == {f.name: f.sha256 for f in result.files}
    assert sorted(os.listdir(out.parent)) == [out.name]


@pytest.mark.parametrize("free", [0, 500_000])
def test_the_command_says_the_disk_is_full_in_one_line_and_changes_nothing(earlier, monkeypatch, free):
    out, digests, _ = earlier
    app = typer.Typer()
    publish_cmds.register(app)
    _fill_disk(monkeypatch, _Disk(out.parent, free))

    result = CliRunner().invoke(app, [str(LONDON), "--out", str(out)])

    output = result.output  # standard output and standard error
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"publish let {result.exception!r} through: the user sees a traceback")
    assert "Traceback" not in output
    assert len([line for line in output.splitlines() if line.strip()]) == 1, output
    assert "space" in output.lower() or "disk" in output.lower(), output
    assert str(out) in output.replace("\n", ""), output
    _assert_as_it_was(out, digests)
