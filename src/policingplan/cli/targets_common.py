"""Glue the target-setting commands share: a user's mistakes as errors, and the plan read through the service."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from policingplan.cli.common import EXIT_INVALID, fail, print_problems
from policingplan.cli.values import parse_fraction
from policingplan.formatting import fmt_int
from policingplan.problems import UserError

if TYPE_CHECKING:
    from policingplan.plan.model import Plan

REDUCTION = "a reduction from 0 up to 1, as a fraction such as 0.055 or a percentage such as 5.5%"
#: The arguments that name what a command reads, in the heading over several problems.
_LABELS = ("plan_dir", "source")


def report(exc: UserError, label: Optional[object] = None) -> None:
    """A user's mistake: one line when there is one problem, else every problem under a heading; exit 1."""
    problems = list(exc.problems)
    errors = [p for p in problems if p.severity == "error"]
    if len(problems) <= 1:
        fail(str(exc))
    count = f"{fmt_int(len(errors))} {'error' if len(errors) == 1 else 'errors'}"
    print_problems(problems, heading=f"{label}: {count}" if label is not None else count)
    raise typer.Exit(EXIT_INVALID)


def user_errors(command):
    """Turn a user's mistake found by a service (a :class:`UserError`) into an error message and exit 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except UserError as exc:
            report(exc, next((kwargs[name] for name in _LABELS if kwargs.get(name) is not None), None))

    return wrapper


def load_plan(plan_dir: Path) -> "Plan":
    from policingplan.services import targets

    return targets.load_plan(plan_dir)


def reduction_option(text: Optional[str]) -> Optional[float]:
    if text is None:
        return None
    return parse_fraction(text, "--reduction", minimum=0, maximum=1, include_minimum=True, include_maximum=False,
                          what="a reduction", accepted=REDUCTION)
