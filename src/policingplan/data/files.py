"""Data files on disk: where a plan's files are, and their bytes, compressed or not.

The project carries the publishers' files compressed (``data/london/….csv.gz``);
a force's own copy may be plain.  A plan names each file as its publisher
named it (``london/tfl-road-casualties-2019.csv``), and :func:`resolve` finds
it either way: the name as written, else the same name with ``.gz`` added (or
taken away).  :func:`read_bytes` returns a file's content, decompressed when it
is gzip (known by its first two bytes, whatever its name).

This module sits at the edge (it knows about paths); the core never imports it.
"""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

if TYPE_CHECKING:
    from policingplan.plan.model import Plan

#: The first two bytes of every gzip stream.
GZIP_MAGIC = b"\x1f\x8b"


class CompressedFileError(ValueError):
    """A gzip file that cannot be decompressed (cut short, or not gzip after all)."""


def resolve(name: str | Path, base: Path | None = None) -> Path:
    """The file a name stands for: as written, else with ``.gz`` added or taken away.

    A relative ``name`` is taken under ``base`` when given.  When no variant
    exists, the name as written is returned, so that an error names it.
    """
    path = Path(name)
    if base is not None and not path.is_absolute():
        path = base / path
    if path.is_file():
        return path
    other = path.with_name(path.name[:-3]) if path.name.endswith(".gz") else path.with_name(path.name + ".gz")
    return other if other.is_file() else path


def decompress(data: bytes) -> bytes:
    """``data`` itself, or its decompressed content when it is gzip.

    Raises :class:`CompressedFileError` for a gzip stream that is damaged or cut short.
    """
    if not data.startswith(GZIP_MAGIC):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise CompressedFileError(
            f"the file is compressed (gzip) but cannot be decompressed ({exc}); "
            "it may be cut short: download or copy it again"
        ) from exc


def read_bytes(path: str | Path) -> bytes:
    """A file's content, decompressed when it is gzip (``OSError`` or
    :class:`CompressedFileError` when it cannot be had); a member of a zip archive
    is named ``archive.zip!folder/file.csv`` (see :func:`read_raw`)."""
    return decompress(read_raw(path))


# ----- zip archives, as data.police.uk publishes them ---------------------------------------

#: Between an archive's path and a member's name: ``police.zip!2023-01/2023-01-city-of-london-street.csv``.
MEMBER_SEPARATOR = "!"

#: The first bytes of a zip archive.
ZIP_MAGIC = b"PK\x03\x04"

#: For each source kind that is published in archives, the ending of its members' names
#: (data.police.uk: ``2023-01/2023-01-city-of-london-street.csv``), and the endings of the
#: other formats that the same download holds, which are passed over with a note.
ARCHIVE_MEMBERS = {"police-uk-street": "-street.csv"}
OTHER_MEMBERS = {"-outcomes.csv": "outcomes", "-stop-and-search.csv": "stop and search"}


def split_member(path: str | Path) -> tuple[Path, str | None]:
    """``(archive, member)`` for ``archive.zip!member``; ``(path, None)`` for any other path."""
    text = str(path)
    marker = text.lower().find(".zip" + MEMBER_SEPARATOR)
    if marker < 0:
        return Path(text), None
    return Path(text[: marker + 4]), text[marker + 5:]


def is_archive(path: str | Path) -> bool:
    """Whether a path names a whole zip archive (by its name: ``.zip``)."""
    archive, member = split_member(path)
    return member is None and archive.suffix.lower() == ".zip"


#: What the zipfile module raises for an archive whose bytes are damaged: a bad checksum or
#: header (BadZipFile), a stream cut short (EOFError) or corrupt (zlib.error), a compression
#: method or version field overwritten (NotImplementedError), a name or offset that is not one
#: (ValueError, UnicodeDecodeError among them).
ZIP_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError)


def read_raw(path: str | Path) -> bytes:
    """A file's bytes as stored (gzip left as it is), or a zip member's bytes.

    Raises ``OSError`` when the file cannot be read, :class:`CompressedFileError`
    when the archive or the member is damaged or cut short, and ``KeyError`` when
    the archive has no such member.
    """
    archive, member = split_member(path)
    if member is None:
        return archive.read_bytes()
    try:
        with zipfile.ZipFile(archive) as handle:
            return handle.read(member)
    except ZIP_DAMAGE as exc:
        raise CompressedFileError(
            f"the zip archive {archive.name} cannot be read ({exc}); it may be cut short: download it again"
        ) from exc


@dataclass(frozen=True)
class PassedOver:
    """Files of an archive that a read passed over: ``count`` files of another format (``what``)."""

    archive: str
    count: int
    what: str

    def __str__(self) -> str:
        return f"{self.archive}: {self.count:,} {self.what}, passed over"


@dataclass
class Expanded:
    """The files that some paths stand for, archives opened, with what was passed over."""

    files: list[str] = field(default_factory=list)
    passed_over: list[PassedOver] = field(default_factory=list)

    @property
    def notes(self) -> list[str]:
        """What was passed over, in words: one sentence for each archive and format."""
        return [str(item) for item in self.passed_over]


def expand_archives(kind: str, paths: Iterable[str | Path]) -> Expanded:
    """Each path as it is, except a zip archive, which stands for its members of ``kind``.

    The members of another format (outcomes, stop and search) and any other files
    are passed over, each kind with one note.  An archive that cannot be opened
    (damaged or cut short), or that holds no member of ``kind``, is kept as it is:
    reading it then gives one clear error that names it.
    """
    expanded = Expanded()
    for path in paths:
        if not is_archive(path):
            expanded.files.append(str(path))
            continue
        ending = ARCHIVE_MEMBERS.get(kind)
        try:
            with zipfile.ZipFile(path) as handle:
                names = [info.filename for info in handle.infolist() if not info.is_dir()]
        except (OSError, *ZIP_DAMAGE):
            expanded.files.append(str(path))
            continue
        members = sorted(n for n in names if ending and n.lower().endswith(ending))
        if not members:
            expanded.files.append(str(path))
            continue
        expanded.files += [f"{path}{MEMBER_SEPARATOR}{name}" for name in members]
        skipped: dict[str, int] = {}
        for name in names:
            if name in members:
                continue
            label = next((what for end, what in OTHER_MEMBERS.items() if name.lower().endswith(end)),
                         "other")
            skipped[label] = skipped.get(label, 0) + 1
        for label, count in skipped.items():
            what = f"{label} file(s), another format" if label != "other" else f"file(s) not of the {kind} format"
            expanded.passed_over.append(PassedOver(Path(path).name, count, what))
    return expanded


def archive_problem(path: str | Path, kind: str) -> str | None:
    """Why a whole archive given to a reader cannot be read as one file (``None`` when it is not one)."""
    if not is_archive(path):
        return None
    try:
        handle = zipfile.ZipFile(path)
    except ZIP_DAMAGE as exc:
        return (f"the zip archive cannot be opened ({exc}); it may be cut short or damaged: "
                "download it again")
    except OSError:
        return None  # the reader's own read reports it
    with handle:
        damaged = _damaged_member(handle)
    if damaged is not None:
        return damaged
    ending = ARCHIVE_MEMBERS.get(kind)
    if ending is None:
        return f"a zip archive: {kind} files are read one by one, not from an archive"
    members = expand_archives(kind, [path]).files
    if members == [str(path)]:
        return f"the zip archive holds no {kind} file (no member named …{ending})"
    return (f"a zip archive of {len(members):,} {kind} files: give it to data load or data check, "
            f"or read each of its files ({Path(path).name}{MEMBER_SEPARATOR}{members[0].split(MEMBER_SEPARATOR, 1)[1]})")


def _damaged_member(handle: zipfile.ZipFile) -> str | None:
    """Why the archive's first damaged member cannot be read, naming it (``None`` when every
    member reads whole): like ``ZipFile.testzip``, which lets every fault but a bad checksum
    through as an exception."""
    for info in handle.infolist():
        try:
            with handle.open(info) as member:
                while member.read(1 << 20):
                    pass
        except ZIP_DAMAGE as exc:
            reason = "fails its checksum" if "CRC" in str(exc) else f"cannot be read ({exc})"
            return f"the zip archive is damaged: its member {info.filename} {reason}; download it again"
        except OSError as exc:
            return (f"the zip archive is damaged: its member {info.filename} cannot be read "
                    f"({exc.strerror or exc}); download it again")
    return None


def open_text(path: str | Path, encoding: str = "utf-8-sig") -> io.TextIOWrapper:
    """A text handle on a file, compressed or not (a byte-order mark dropped), for the csv module."""
    return io.TextIOWrapper(io.BytesIO(read_bytes(path)), encoding=encoding, newline="")


def plan_data_files(plan: "Plan", base: Path, kind: str | None = None) -> Iterator[tuple[str, str, Path]]:
    """Each file a plan's data sources name, as ``(kind, name as written, path)``,
    of one source kind when ``kind`` is given; each path found by :func:`resolve`."""
    for source in plan.data_sources:
        if kind is not None and source.kind != kind:
            continue
        for name in source.files:
            yield source.kind, name, resolve(name, base)
