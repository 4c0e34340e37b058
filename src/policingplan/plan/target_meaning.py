"""What a target means, decided once (pure): every face that plans with a target or judges it asks here.

A target of kind ``range`` (a force target of "a 4% to 5% reduction", say) means
two things, on purpose, and they are decided here and nowhere else:

- **To plan with**, a range stands for its **midpoint**
  (:func:`planned_change`): allocation shares out the midpoint between the
  units, the requirement (PSA1) projection carries the midpoint forward, and
  the plan's own unit targets are checked against the corporate figure the
  midpoint gives.  Planning for one end would either over-commit the units
  or plan to miss.
- **To judge an outturn**, a range is met once its **less stretching end** is
  reached (:func:`judged_end`): a 4.2% reduction meets "4% to 5%".  The
  monitor's position and P(meet) are against that end, with a notice saying so.

``docs/target-setting.md#range-targets`` gives the reasoning for users.
A ``change`` target means its value in both cases.
"""

from __future__ import annotations

from policingplan.plan.model import Target, TargetKind


def planned_change(target: Target) -> float | None:
    """The signed change a target plans for: a change's value, or a range's midpoint; None otherwise."""
    if target.kind == TargetKind.change.value and target.value is not None:
        return float(target.value)
    if target.kind == TargetKind.range.value and target.minimum is not None and target.maximum is not None:
        return (target.minimum + target.maximum) / 2
    return None


def judged_end(target: Target, polarity: str) -> float | None:
    """The end of a range that an outturn is judged against: the less stretching one.

    For a measure where lower is better (crime), the larger end (-4% of -4% to
    -5%); where higher is better, the smaller.  A range with one end given is
    judged against that end.  None when the target is not a range or has no end.
    """
    if target.kind != TargetKind.range.value:
        return None
    ends = [v for v in (target.minimum, target.maximum) if v is not None]
    if not ends:
        return None
    return max(ends) if polarity == "lower" else min(ends)


__all__ = ["judged_end", "planned_change"]
