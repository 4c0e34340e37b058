"""Partner alignment: each unit's variable target beside the target it agreed with its
local partners (an LAA or CDRP target), made comparable
(``docs/conventions.md#partner-targets``).

Both targets are turned into an expected number of crimes in the plan's
period, on the police count:

- the unit's target is its whole-number target volume;
- the partner target's change is applied to the unit's own volume in the
  partner target's baseline period (taken from the unit's known outturns when
  that is not the plan's baseline period: :mod:`policingplan.services.targets`
  counts them with the plan's counting rules in the warehouse, the one
  counting engine), giving a volume for the partner target's period;
- when the partner target runs to a later year than the plan's, the plan's
  year is placed on it assuming an even yearly rate of change.

Where a volume cannot be found, the pair is not compared and the reason says
why.  The target with fewer crimes is the more stretching, and binds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

from policingplan.formatting import fmt_int, fmt_pct
from policingplan.plan.model import PartnerTarget
from policingplan.periods import FinancialYear, PeriodError
from policingplan.results import Notice, notice, register_notices
from policingplan.targets.allocation import Allocation

#: Volumes closer than this (in crimes) are treated as the same target.
_SAME_TARGET_CRIMES = 0.5

register_notices({
    "targets.partner-target-left-out": "The {agreement} target for {unit} is left out: the unit has no target for "
                                       "{measure} in this plan.",
    "targets.partner-target-not-compared": "1 partner target could not be compared and is left out of the totals: "
                                           "{listed}.",
    "targets.partner-targets-not-compared": "{count} partner targets could not be compared and are left out of the "
                                            "totals: {listed}.",
})


@dataclass(frozen=True)
class UnitTargetVolume:
    """A unit's own target as a whole number of crimes, with its baseline volume."""

    unit: str
    baseline: float
    target: int


def unit_target_volumes(allocation: Allocation) -> list[UnitTargetVolume]:
    """The targets of an allocation, ready to set beside partner targets."""
    return [UnitTargetVolume(u.unit, u.baseline, u.target) for u in allocation.units]


@dataclass(frozen=True)
class PartnerAlignment:
    """One partner target beside the unit's variable target, both as crimes in ``period``.

    ``gap`` is the partner target's whole crimes − the unit target (negative:
    the partners ask for more), so that it is the difference of the two
    figures shown.  ``binds`` is ``"partner"``, ``"unit target"``, ``"both"`` (the
    same volume) or ``None`` when the two cannot be compared.
    """

    unit: str
    measure: str
    agreement: str
    partner: Optional[str]
    period: str
    unit_target: int
    unit_change: float
    partner_change: float
    partner_baseline_period: Optional[str]
    partner_period: str
    comparable: bool
    partner_volume: Optional[float]
    partner_change_on_plan_baseline: Optional[float]
    gap: Optional[float]
    binds: Optional[str]
    reason: str
    illustrative: bool = False


@dataclass(frozen=True)
class PartnerAlignmentSummary:
    """Every alignment, and what adopting each more stretching target does to the corporate sum.

    ``stretched_total`` is the units' total when each unit takes the more
    stretching of its own target and its (comparable) partner targets;
    ``slack`` is ``required_total − stretched_total``: how many crimes that
    total lies below the corporate figure (negative: above it).  ``notes`` are
    :class:`~policingplan.results.Notice` (``targets.partner-target-left-out``,
    ``targets.partner-target(s)-not-compared``).
    """

    measure: str
    period: str
    alignments: tuple[PartnerAlignment, ...]
    required_total: int
    unit_total: int
    stretched_total: int
    meets: bool
    slack: int
    notes: tuple[Notice, ...] = field(default_factory=tuple)


def whole_crimes(volume: float) -> int:
    """The most whole crimes within a volume target (rounded down, allowing for float error)."""
    return int(math.floor(volume + 1e-7))


def _years_between(first: str, last: str) -> Optional[int]:
    try:
        return FinancialYear(last) - FinancialYear(first)
    except PeriodError:
        return None


def align_partner_targets(
    unit_targets: Sequence[UnitTargetVolume],
    required_total: int,
    partner_targets: Sequence[PartnerTarget],
    measure: str,
    period: str,
    baseline_period: str,
    unit_volumes: Optional[Mapping[str, Mapping[str, float]]] = None,
) -> PartnerAlignmentSummary:
    """Compare each partner target for ``measure`` with the unit's own target.

    ``required_total`` is the corporate figure the units' targets must meet
    together (see :func:`policingplan.targets.allocation.required_total`).
    ``period`` and ``baseline_period`` are the plan's target period and the
    baseline period of the allocation's baselines.  ``unit_volumes`` maps a
    unit to its known volumes by period (``{"E09000002": {"2005/06": 21870}}``),
    used to convert partner targets set on another baseline.  Lower volumes
    are better (crime).
    """
    unit_volumes = unit_volumes or {}
    by_unit = {u.unit: u for u in unit_targets}
    alignments: list[PartnerAlignment] = []
    notes: list[Notice] = []
    for partner_target in partner_targets:
        if partner_target.measure != measure:
            continue
        allocated = by_unit.get(partner_target.unit)
        if allocated is None:
            notes.append(notice("targets.partner-target-left-out", agreement=partner_target.agreement,
                                unit=partner_target.unit, measure=measure))
            continue
        alignments.append(
            _align_one(partner_target, allocated.unit, allocated.baseline, allocated.target, period, baseline_period,
                       unit_volumes.get(allocated.unit, {}))
        )

    most_stretching: dict[str, int] = {}
    for alignment in alignments:
        if alignment.comparable and alignment.partner_volume is not None:
            volume = min(alignment.unit_target, whole_crimes(alignment.partner_volume))
            most_stretching[alignment.unit] = min(volume, most_stretching.get(alignment.unit, volume))
    stretched_total = sum(most_stretching.get(u.unit, u.target) for u in unit_targets)
    not_compared = [a.unit for a in alignments if not a.comparable]
    if not_compared:
        notes.append(notice("targets.partner-targets-not-compared" if len(not_compared) > 1
                            else "targets.partner-target-not-compared",
                            count=len(not_compared), units=not_compared, listed=", ".join(not_compared)))
    return PartnerAlignmentSummary(
        measure=measure,
        period=period,
        alignments=tuple(alignments),
        required_total=required_total,
        unit_total=sum(u.target for u in unit_targets),
        stretched_total=stretched_total,
        meets=stretched_total <= required_total,
        slack=required_total - stretched_total,
        notes=tuple(notes),
    )


def _describe(change: float, baseline_period: Optional[str], period: str) -> str:
    on = f" on {baseline_period}" if baseline_period else ""
    return f"{fmt_pct(change, signed=True)}{on}, for {period}"


def _align_one(
    partner_target: PartnerTarget,
    unit: str,
    unit_baseline: float,
    unit_target: int,
    period: str,
    baseline_period: str,
    volumes: Mapping[str, float],
) -> PartnerAlignment:
    unit_change = unit_target / unit_baseline - 1
    label = f"The {partner_target.agreement} target ({_describe(partner_target.change, partner_target.baseline_period, partner_target.period)})"
    caveats: list[str] = []

    def result(volume: Optional[float], reason: str) -> PartnerAlignment:
        comparable = volume is not None
        gap = None if volume is None else whole_crimes(volume) - unit_target
        binds = None
        if gap is not None:
            binds = "both" if abs(gap) < _SAME_TARGET_CRIMES else ("partner" if gap < 0 else "unit target")
        return PartnerAlignment(
            unit=unit,
            measure=partner_target.measure,
            agreement=partner_target.agreement,
            partner=partner_target.partner,
            period=period,
            unit_target=unit_target,
            unit_change=unit_change,
            partner_change=partner_target.change,
            partner_baseline_period=partner_target.baseline_period,
            partner_period=partner_target.period,
            comparable=comparable,
            partner_volume=volume,
            partner_change_on_plan_baseline=None if volume is None else volume / unit_baseline - 1,
            gap=gap,
            binds=binds,
            reason=reason,
            illustrative=partner_target.illustrative,
        )

    # 1. The cumulative change the partner target implies by the plan's period.
    change_by_period = partner_target.change
    if partner_target.period != period:
        span = _years_between(partner_target.baseline_period, partner_target.period) if partner_target.baseline_period else None
        reached = _years_between(partner_target.baseline_period, period) if partner_target.baseline_period else None
        if span is None or reached is None or not 0 < reached < span:
            return result(
                None,
                f"{label} cannot be placed on {period}: it is for {partner_target.period}, and {period} "
                f"does not fall between its baseline and its end year; the two are not compared.",
            )
        change_by_period = (1 + partner_target.change) ** (reached / span) - 1
        caveats.append(
            f"{period} is {reached} of its {span} years, so assuming an even yearly rate it means "
            f"{fmt_pct(change_by_period, signed=True)} by {period}"
        )

    # 2. The unit's volume in the partner target's baseline period, on the police count.
    partner_base = partner_target.baseline_period
    if partner_base is None or partner_base == baseline_period:
        base_volume = unit_baseline
        if partner_base is None:
            caveats.append(f"it names no baseline period, so it is taken to be {baseline_period}, as the plan's")
    elif partner_base in volumes:
        base_volume = float(volumes[partner_base])
        caveats.append(f"the unit recorded {fmt_int(base_volume)} crimes in {partner_base}")
    else:
        return result(
            None,
            f"{label} cannot be converted: there is no volume for {unit} in {partner_base} "
            f"to apply it to; the two are not compared.",
        )
    if partner_target.definition:
        caveats.append(f"the partners count differently ({partner_target.definition}), so their change is applied to the police count")

    volume = base_volume * (1 + change_by_period)
    partner_on_plan = volume / unit_baseline - 1
    means = (
        f"{label} means at most {fmt_int(whole_crimes(volume))} crimes in {period} "
        f"({fmt_pct(partner_on_plan, signed=True)} on {baseline_period})"
    )
    ours = f"the unit's own target of {fmt_int(unit_target)} ({fmt_pct(unit_change, signed=True)} on {baseline_period})"
    gap = whole_crimes(volume) - unit_target
    if abs(gap) < _SAME_TARGET_CRIMES:
        verdict = f"{means}, the same as {ours}."
    elif gap < 0:
        verdict = f"{means}, {fmt_int(-gap)} fewer than {ours}: the partner target is more stretching and binds."
    else:
        verdict = f"{means}, {fmt_int(gap)} more than {ours}: the unit's own target is more stretching and binds."
    if caveats:
        verdict += " Note: " + "; ".join(caveats) + "."
    return result(volume, verdict)
