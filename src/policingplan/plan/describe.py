"""A plan's parts in words, with British number formats: for the command line and documents (pure)."""

from __future__ import annotations

from collections import Counter

from policingplan.formatting import fmt_int, fmt_num, fmt_pct
from policingplan.plan.model import FORCE, ExternalRequirement, Measure, PartnerTarget, Plan, Target

_PERCENT_KINDS = {"ratio", "percentage"}


def percent(fraction: float, signed: bool = False) -> str:
    """``-0.055`` → ``-5.5%``; ``0.8`` → ``80%`` (whole percentages lose the ``.0``)."""
    whole = abs(fraction * 100 - round(fraction * 100)) < 1e-9
    return fmt_pct(fraction, places=0 if whole else 1, signed=signed)


def measure_value(value: float, measure: Measure | None) -> str:
    """A value in the measure's own terms: a percentage for rates, a count otherwise."""
    if measure is not None and measure.kind in _PERCENT_KINDS:
        return percent(value)
    if float(value).is_integer():
        return fmt_int(value)
    return fmt_num(value, 2)


def _baseline(target: Target, measure: Measure | None) -> str:
    parts = []
    if target.baseline_period:
        parts.append(f"on {target.baseline_period}")
    if target.baseline is not None:
        parts.append(f"(baseline {measure_value(target.baseline, measure)})")
    return " ".join(parts)


def describe_target(target: Target, measure: Measure | None = None) -> str:
    """``2007/08: -6% to -5% on 2006/07`` and the like, marked when illustrative."""
    if target.kind == "change" and target.value is not None:
        text = f"{percent(target.value, signed=True)} {_baseline(target, measure)}"
    elif target.kind == "range" and target.minimum is not None and target.maximum is not None:
        if target.baseline_period or target.baseline is not None:
            text = (
                f"between {percent(target.minimum, signed=True)} and {percent(target.maximum, signed=True)} "
                f"{_baseline(target, measure)}"
            )
        else:
            text = f"between {measure_value(target.minimum, measure)} and {measure_value(target.maximum, measure)}"
    elif target.kind == "level" and target.value is not None:
        text = f"level {measure_value(target.value, measure)}"
    elif target.kind == "trajectory" and target.trajectory:
        months = sorted(target.trajectory)
        total = sum(target.trajectory.values())
        text = f"monthly trajectory {months[0]} to {months[-1]}, total {measure_value(total, measure)}"
    else:
        text = f"{target.kind} (no values given)"
    text = f"{target.period}: {text.strip()}"
    if target.illustrative:
        text += " [illustrative]"
    return text


def describe_requirement(requirement: ExternalRequirement) -> str:
    """``-19.4% on 2003/04 by 2007/08 (baseline 612,000); reached -13.4% by 2006/07``."""
    text = (
        f"{requirement.name}: {percent(requirement.required_change, signed=True)} on "
        f"{requirement.baseline_period} by {requirement.deadline_period}"
    )
    if requirement.baseline is not None:
        text += f" (baseline {fmt_int(requirement.baseline)})"
    reached = [f"{percent(change, signed=True)} by {period}" for period, change in requirement.outturns.items()]
    if reached:
        text += "; reached " + ", ".join(reached)
    return text


def describe_partner_target(partner: PartnerTarget, unit_name: str | None = None) -> str:
    who = f"{unit_name} ({partner.unit})" if unit_name else partner.unit
    text = f"{who}, {partner.measure}: {percent(partner.change, signed=True)}"
    if partner.baseline_period:
        text += f" on {partner.baseline_period}"
    text += f" for {partner.period}, {partner.agreement}"
    if partner.baseline is not None:
        text += f" (baseline {fmt_int(partner.baseline)})"
    if partner.illustrative:
        text += " [illustrative]"
    return text


def unit_target_counts(plan: Plan) -> dict[str, int]:
    """How many unit targets (not the force's) each measure has, by measure id; measures with none left out."""
    return dict(Counter(t.measure for t in plan.targets if t.scope != FORCE))


def peer_group_counts(plan: Plan) -> dict[str, int]:
    """How many units each peer group has, by the group's name in order (``no peer group`` for the rest)."""
    return dict(sorted(Counter(u.peer_group or "no peer group" for u in plan.units).items()))


__all__ = [
    "describe_partner_target",
    "describe_requirement",
    "describe_target",
    "measure_value",
    "peer_group_counts",
    "percent",
    "unit_target_counts",
]
