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
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

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
    :class:`CompressedFileError` when it cannot be had)."""
    return decompress(Path(path).read_bytes())


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
