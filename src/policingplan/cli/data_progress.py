"""Progress bars for the data commands: over the files read, or over their bytes.

Each yields the ``on_read`` callback that a data service takes (``None`` when no bar
is shown: under ``--json``, or when standard error is no terminal).
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Optional

from policingplan.cli.common import err_console

if TYPE_CHECKING:
    from policingplan.services.data import ReadProgress

OnRead = Callable[["ReadProgress"], None]


@contextmanager
def files_progress(quiet: bool) -> Iterator[Optional[OnRead]]:
    """A bar over the files read: ``Reading NAME``, then ``n/N files``."""
    if quiet or not err_console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn

    with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total} files"), console=err_console,
                  transient=True) as progress:
        task = None

        def on_read(step: "ReadProgress") -> None:
            nonlocal task
            if task is None:
                task = progress.add_task("Reading", total=step.files_total)
            if step.file is None:
                progress.update(task, completed=step.files_done)
            else:
                progress.update(task, description=f"Reading {Path(step.file).name}")

        yield on_read


@contextmanager
def bytes_progress(quiet: bool) -> Iterator[Optional[OnRead]]:
    """A bar over the bytes of the files read, then ``writing the warehouse``."""
    if quiet or not err_console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as progress:
        task = progress.add_task("reading", total=1)

        def on_read(step: "ReadProgress") -> None:
            done = step.files_done >= step.files_total
            progress.update(task, total=step.bytes_total or 1, completed=step.bytes_done,
                            description="writing the warehouse" if done else f"read {Path(step.file or '').name}")

        yield on_read
