"""A version exported as a plan folder: its files, and the files other areas add.

Other areas register a function that gives extra files for a version (path in the folder → text)
in :data:`EXTRA_FILES`; the investment area writes ``portfolio.yaml`` from its decisions, say::

    from policingplan.web.editing import export
    export.EXTRA_FILES.append(portfolio_files)   # portfolio_files(version) -> {"portfolio.yaml": "..."}

A registered file replaces the version's own file of the same name.
"""

from __future__ import annotations

import io
import zipfile
from typing import Callable

EXTRA_FILES: list[Callable[[object], dict[str, str]]] = []


def files(version) -> dict[str, str]:
    """The files of the exported folder: the version's own, then each registered area's."""
    exported = dict(version.files)
    for extra in EXTRA_FILES:
        exported.update(extra(version) or {})
    return exported


def folder_name(version) -> str:
    return f"{version.plan_id}-{version.label}"


def write(version, folder) -> None:
    """Write the version as the plan folder ``folder``, whole or not at all."""
    from policingplan.services.plan import write_folder

    write_folder(files(version), folder)


def zip_bytes(version) -> bytes:
    """The version as a .zip of its plan folder (one folder, ``<plan id>-<label>/``, inside)."""
    buffer = io.BytesIO()
    root = folder_name(version)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(files(version).items()):
            archive.writestr(f"{root}/{name}", text.encode("utf-8"))
    return buffer.getvalue()
