"""Files that commands write (``--out``, ``data template``): written whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path``.

    A command stopped part-way (Ctrl-C, a full disk) leaves ``path`` as it was,
    never half-written; the temporary file is removed.  ``OSError`` propagates.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        if isinstance(data, str):
            with tmp.open("w", encoding="utf-8", newline="") as handle:
                handle.write(data)
        else:
            tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
