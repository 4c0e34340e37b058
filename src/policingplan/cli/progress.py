"""A progress bar for work that runs long: shown on a terminal only, and only once the work
has taken more than about two seconds (a quick command prints no bar at all)."""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Callable, Iterator, Optional

#: Work that ends sooner than this shows no bar.
DELAY_SECONDS = 2.0

Advance = Callable[..., None]


@contextmanager
def delayed_progress(description: str, total: int, *, quiet: bool = False,
                     delay: float = DELAY_SECONDS) -> Iterator[Advance]:
    """Yield ``advance(steps=1, description=None)``; a transient Rich bar on standard error
    appears once ``delay`` seconds have passed, when standard error is a terminal.

    Nothing is shown under ``quiet`` (``--json``) or when standard error is no terminal.
    What is printed to standard output meanwhile goes above the bar when standard
    output is the terminal too, and straight to its file or pipe otherwise.
    """
    from policingplan.cli.common import console, err_console

    if quiet or not err_console.is_terminal:
        yield lambda steps=1, description=None: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err_console, transient=True, redirect_stdout=console.is_terminal,
                        redirect_stderr=False)
    task = progress.add_task(description, total=max(total, 1))
    started_at = time.monotonic()
    shown = False

    def advance(steps: int = 1, description: Optional[str] = None) -> None:
        nonlocal shown
        progress.update(task, advance=steps, **({"description": description} if description else {}))
        if not shown and time.monotonic() - started_at >= delay:
            progress.start()
            shown = True

    try:
        yield advance
    finally:
        if shown:
            progress.stop()
