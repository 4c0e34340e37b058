"""The London 2007/08 example published once per session (twice, for the determinism test)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from policingplan.settings import PROJECT_ROOT

LONDON = PROJECT_ROOT / "examples" / "london-2007-08"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: it comes with poppler-utils (apt-get install poppler-utils)")
    return found


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> tuple[Path, object]:
    from policingplan.services.publish import publish

    out = tmp_path_factory.mktemp("published") / "london"
    return out, publish(LONDON, out)


@pytest.fixture(scope="session")
def out_dir(published) -> Path:
    return published[0]


@pytest.fixture(scope="session")
def result(published):
    return published[1]


@pytest.fixture(scope="session")
def pdf_text():
    tool = _tool("pdftotext")
    cache: dict[Path, str] = {}

    def text(path: Path) -> str:
        if path not in cache:
            cache[path] = subprocess.run([tool, "-layout", str(path), "-"], check=True, capture_output=True,
                                         text=True).stdout
        return cache[path]
    return text


@pytest.fixture(scope="session")
def pdf_info():
    tool = _tool("pdfinfo")

    def info(path: Path) -> dict[str, str]:
        out = subprocess.run([tool, str(path)], capture_output=True, text=True).stdout
        return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines()) if _}
    return info
