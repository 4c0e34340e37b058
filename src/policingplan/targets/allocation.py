"""Variable target setting: share a corporate reduction among units
(``docs/conventions.md#target-allocation``).

Three methods, all with the same guarantees:

- ``uniform``: every unit is asked for the same reduction;
- ``stretch`` (the default): a unit's reduction is proportional to its crime
  rate per 1,000 residents divided by its peer group's pooled rate (the unit
  left out, as in :mod:`policingplan.stats.peers`), so more is asked of units
  further above their peers; one common factor scales every share so that the
  sum holds exactly;
- ``negotiated``: each unit starts from its own proposal, and any shortfall
  is shared out by a linear program (SciPy's HiGHS) that minimises the
  largest departure from a proposal.

Floors (``min_reduction``) and caps (``max_reduction``) bound every unit.
Targets are whole crimes: each unit's ideal volume is rounded down, then whole
crimes are handed back, one at a time, to the units with the largest
remainders until the total reaches the corporate figure and no further, so the
rounding never breaks the sum.  When even every unit at its cap cannot reach
the corporate figure the request is infeasible: the result says so, with the
largest reduction that can be reached, and keeps every unit at its cap.
See ``docs/target-setting.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, Optional, Sequence

import numpy as np
from scipy import optimize

from policingplan.formatting import fmt_num, fmt_pct
from policingplan.results import Notice, notice, register_notices
from policingplan.stats.peers import rate_per_1000

Method = Literal["stretch", "uniform", "negotiated"]
METHODS: tuple[str, ...] = ("stretch", "uniform", "negotiated")

#: Tolerance for volumes computed in floating point (a tiny fraction of one crime).
_VOLUME_TOLERANCE = 1e-7

_NO_PEER_RATE = " the share of a unit at its peers' rate: {listed}."
register_notices({
    "targets.infeasible": "Infeasible: with every unit at its cap the units reach a reduction of "
                          "{best_reachable_reduction:,.2%}, short of the {reduction:,.2%} asked; nothing has been relaxed.",
    "targets.unit-without-peer-rate": "1 unit has no population or no other unit in its peer group, so it takes"
                                      + _NO_PEER_RATE,
    "targets.units-without-peer-rate": "{count} units have no population or no other unit in their peer group, so "
                                       "they take" + _NO_PEER_RATE,
})


class AllocationInputError(ValueError):
    """A unit's figures cannot be allocated; names the unit and the field."""

    def __init__(self, message: str, unit: str | None = None, field_name: str | None = None, value=None, accepted: str | None = None):
        super().__init__(message)
        self.unit = unit
        self.field_name = field_name
        self.value = value
        self.accepted = accepted


@dataclass(frozen=True)
class UnitInput:
    """One unit's figures for allocation.  Reductions are positive fractions (0.02 is −2%)."""

    unit: str
    baseline: float
    population: Optional[float] = None
    peer_group: Optional[str] = None
    proposed_reduction: Optional[float] = None
    min_reduction: Optional[float] = None
    max_reduction: Optional[float] = None

    def __post_init__(self) -> None:
        if not (isinstance(self.baseline, (int, float)) and math.isfinite(self.baseline) and self.baseline > 0):
            raise AllocationInputError(
                f"{self.unit}: the baseline must be a number of crimes above 0",
                self.unit, "baseline", self.baseline, "a whole number above 0, such as 21384",
            )
        if self.population is not None and not (math.isfinite(self.population) and self.population >= 0):
            raise AllocationInputError(
                f"{self.unit}: the population must be a number of residents, 0 or more",
                self.unit, "population", self.population, "a number of residents, such as 165000",
            )
        for name in ("proposed_reduction", "min_reduction", "max_reduction"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and -1 < value <= 1):
                raise AllocationInputError(
                    f"{self.unit}: {name} must be a fraction above -1 and at most 1",
                    self.unit, name, value, "a fraction such as 0.055 for a 5.5% reduction",
                )
        if self.min_reduction is not None and self.max_reduction is not None and self.min_reduction > self.max_reduction:
            raise AllocationInputError(
                f"{self.unit}: the floor ({fmt_pct(self.min_reduction)}) is above the cap ({fmt_pct(self.max_reduction)})",
                self.unit, "min_reduction", self.min_reduction, "a floor no higher than the cap",
            )


@dataclass(frozen=True)
class PeerPosition:
    """A unit's crime rate per 1,000 residents beside its peers' pooled rate."""

    unit_rate: float
    peer_rate: float

    @property
    def ratio(self) -> float:
        return self.unit_rate / self.peer_rate


@dataclass(frozen=True)
class UnitAllocation:
    """One unit's whole-number target and why.

    ``reduction`` is the reduction the whole-number ``target`` represents;
    ``ideal_reduction`` is the method's share before rounding to whole crimes.
    ``held_at`` is ``"floor"`` or ``"cap"`` when a bound decided the share.
    """

    unit: str
    baseline: float
    reduction: float
    target: int
    reason: str
    ideal_reduction: float
    held_at: Optional[str] = None
    peers: Optional[PeerPosition] = None


@dataclass(frozen=True)
class Allocation:
    """The result of sharing a corporate reduction among units.

    ``required_total`` is floor(Σ baseline × (1 − reduction)); ``meets`` is
    ``target_total <= required_total``.  ``best_reachable_reduction`` is the
    largest reduction the caps allow (every unit at its cap).  ``notes`` are
    :class:`~policingplan.results.Notice`: ``targets.infeasible`` (always the
    first when infeasible), ``targets.unit-without-peer-rate`` or
    ``targets.units-without-peer-rate``.
    """

    method: str
    reduction: float
    required_total: int
    target_total: int
    meets: bool
    feasible: bool
    best_reachable_reduction: float
    units: tuple[UnitAllocation, ...]
    notes: tuple[Notice, ...] = field(default_factory=tuple)

    @property
    def baseline_total(self) -> float:
        return float(sum(u.baseline for u in self.units))

    @property
    def achieved_reduction(self) -> float:
        """The reduction the whole-number targets deliver together."""
        return 1 - self.target_total / self.baseline_total

    def unit(self, name: str) -> UnitAllocation:
        for allocated in self.units:
            if allocated.unit == name:
                return allocated
        raise KeyError(name)


def required_total(baselines: Sequence[float], reduction: float) -> int:
    """The most crimes the units may record together: floor(Σ baseline × (1 − reduction))."""
    return int(math.floor(math.fsum(baselines) * (1 - reduction) + _VOLUME_TOLERANCE))


def allocate_unit_targets(units: Sequence[UnitInput], reduction: float, method: Method = "stretch") -> Allocation:
    """Share ``reduction`` (a positive fraction: 0.055 is −5.5%) among ``units``.

    Deterministic: the same input always gives the same output.  Raises
    :class:`AllocationInputError` for input that cannot be allocated (no
    units, a unit named twice, a reduction outside 0–1, or a floor and cap
    with no whole number of crimes between them).
    """
    if method not in METHODS:
        raise AllocationInputError(
            f"unknown method {method!r}", field_name="method", value=method, accepted=", ".join(METHODS)
        )
    if not (isinstance(reduction, (int, float)) and math.isfinite(reduction) and 0 <= reduction < 1):
        raise AllocationInputError(
            "the corporate reduction must be a fraction from 0 up to (not including) 1",
            field_name="reduction", value=reduction, accepted="a fraction such as 0.055 for a 5.5% reduction",
        )
    units = list(units)
    if not units:
        raise AllocationInputError("there are no units to allocate to", field_name="unit", accepted="at least one unit")
    seen: set[str] = set()
    for u in units:
        if u.unit in seen:
            raise AllocationInputError(
                f"the unit {u.unit!r} is given twice", u.unit, "unit", u.unit, "each unit once"
            )
        seen.add(u.unit)

    baseline = np.array([u.baseline for u in units], dtype=float)
    has_floor = np.array([u.min_reduction is not None for u in units])
    floor_r = np.array([0.0 if u.min_reduction is None else u.min_reduction for u in units])
    cap_r = np.array([1.0 if u.max_reduction is None else u.max_reduction for u in units])
    lowest = np.ceil(baseline * (1 - cap_r) - _VOLUME_TOLERANCE)  # the fewest crimes the cap allows
    most = np.floor(baseline * (1 - floor_r) + _VOLUME_TOLERANCE)  # the most crimes the floor allows
    highest = np.where(has_floor, most, np.inf)
    for i in np.flatnonzero(lowest > highest):
        u = units[i]
        raise AllocationInputError(
            f"{u.unit}: the floor ({fmt_pct(u.min_reduction, 2)}) and cap ({fmt_pct(u.max_reduction, 2)}) "
            f"leave no whole number of crimes on a baseline of {fmt_num(u.baseline, 0)}",
            u.unit, "max_reduction", u.max_reduction, "a cap far enough above the floor to allow a whole number of crimes",
        )

    # The floor and cap as whole crimes allow them, so that rounding never pushes a unit past either.
    whole_floor = np.where(has_floor, (baseline - most) / baseline, -np.inf)
    whole_cap = (baseline - lowest) / baseline
    total_required = required_total(baseline, reduction)
    best_reachable = float(1 - lowest.sum() / baseline.sum())
    feasible = bool(lowest.sum() <= total_required)
    peers = _peer_positions(units) if method == "stretch" else [None] * len(units)

    if not feasible:
        targets = lowest.astype(np.int64)
        ideal = whole_cap
        held = ["cap"] * len(units)
        notes: tuple[Notice, ...] = (
            notice("targets.infeasible", best_reachable_reduction=best_reachable, reduction=float(reduction)),
        )
    else:
        if method == "negotiated":
            ideal, start = _negotiated_reductions(units, baseline, whole_floor, whole_cap, total_required, reduction)
        else:
            weights = np.array([1.0 if p is None else p.ratio for p in peers])
            ideal = _scaled_reductions(weights, baseline, whole_floor, whole_cap, total_required)
            start = None
        volumes = baseline * (1 - ideal)
        targets = whole_number_targets(volumes, lowest, highest, total_required)
        held = [_held_at(ideal[i], whole_floor[i], whole_cap[i]) for i in range(len(units))]
        notes = ()
        if method == "stretch":
            missing = [u.unit for u, p in zip(units, peers) if p is None]
            if missing:
                notes = (notice("targets.units-without-peer-rate" if len(missing) > 1 else "targets.unit-without-peer-rate",
                                count=len(missing), units=missing, listed=", ".join(missing)),)

    results = []
    for i, u in enumerate(units):
        realised = float((baseline[i] - targets[i]) / baseline[i])
        if not feasible:
            reason = (
                f"held at its cap of {fmt_pct(u.max_reduction if u.max_reduction is not None else 1.0)}: "
                f"even with every unit at its cap the units together reach only {fmt_pct(best_reachable, 2)}, "
                f"against the {fmt_pct(reduction, 2)} asked"
            )
        elif method == "uniform":
            reason = _uniform_reason(u, realised, held[i])
        elif method == "stretch":
            reason = _stretch_reason(u, realised, held[i], peers[i])
        else:
            reason = _negotiated_reason(u, realised, held[i], float(ideal[i]), float(start[i]), reduction)
        results.append(
            UnitAllocation(
                unit=u.unit,
                baseline=u.baseline,
                reduction=realised,
                target=int(targets[i]),
                reason=reason,
                ideal_reduction=float(ideal[i]),
                held_at=held[i],
                peers=peers[i],
            )
        )
    target_total = int(targets.sum())
    return Allocation(
        method=method,
        reduction=float(reduction),
        required_total=total_required,
        target_total=target_total,
        meets=target_total <= total_required,
        feasible=feasible,
        best_reachable_reduction=best_reachable,
        units=tuple(results),
        notes=notes,
    )


def whole_number_targets(volumes: np.ndarray, lowest: np.ndarray, highest: np.ndarray, total: int) -> np.ndarray:
    """Round ideal volumes to whole crimes so that their sum is at most ``total``.

    Each volume is rounded down (within its bounds), then whole crimes are
    handed back, one per unit, to the units with the largest remainders until
    the sum reaches ``total``.  If bounds pushed the sum above ``total``,
    crimes are taken from the units rounded up the most, within their bounds.
    Ties go to the unit listed first.  Needs ``lowest.sum() <= total``.
    """
    volumes = np.asarray(volumes, dtype=float)
    targets = np.clip(np.floor(volumes + _VOLUME_TOLERANCE), lowest, highest)
    order_index = np.arange(len(volumes))
    shortfall = total - targets.sum()
    if shortfall > 0:
        remainder = volumes - targets
        can_take = (remainder > _VOLUME_TOLERANCE) & (targets + 1 <= highest)
        candidates = order_index[can_take]
        ranked = candidates[np.lexsort((candidates, -remainder[candidates]))]
        targets[ranked[: int(shortfall)]] += 1
    excess = targets.sum() - total
    while excess > 0:
        over = targets - volumes
        candidates = order_index[targets - 1 >= lowest]
        if len(candidates) == 0:
            raise ValueError("the bounds do not allow the total")
        ranked = candidates[np.lexsort((candidates, -over[candidates]))]
        targets[ranked[: int(excess)]] -= 1
        excess = targets.sum() - total
    return targets.astype(np.int64)


def _peer_positions(units: Sequence[UnitInput]) -> list[Optional[PeerPosition]]:
    """Each unit's rate and its peers' pooled rate, the unit left out; ``None`` without peers."""
    groups: dict[str, tuple[float, float]] = {}
    for u in units:
        if u.peer_group and u.population:
            crimes, residents = groups.get(u.peer_group, (0.0, 0.0))
            groups[u.peer_group] = (crimes + u.baseline, residents + u.population)
    positions: list[Optional[PeerPosition]] = []
    for u in units:
        if not (u.peer_group and u.population):
            positions.append(None)
            continue
        crimes, residents = groups[u.peer_group]
        peer_crimes, peer_residents = crimes - u.baseline, residents - u.population
        if peer_residents <= 0 or peer_crimes <= 0:
            positions.append(None)
            continue
        positions.append(PeerPosition(rate_per_1000(u.baseline, u.population), rate_per_1000(peer_crimes, peer_residents)))
    return positions


def _scaled_reductions(weights: np.ndarray, baseline: np.ndarray, floor_r: np.ndarray, cap_r: np.ndarray, total: int) -> np.ndarray:
    """Reductions clip(λ × weight, floor, cap) with the one λ that brings the sum to ``total``.

    The reduction in crimes grows with λ, so λ is found by bisection; the
    upper end is kept, so the units together never fall short.
    """
    needed = baseline.sum() - total  # crimes to take off

    def removed(scale: float) -> float:
        return float(np.dot(baseline, np.clip(scale * weights, floor_r, cap_r)))

    if removed(0.0) >= needed:
        return np.clip(0.0 * weights, floor_r, cap_r)
    low, high = 0.0, float(np.max(cap_r / weights))
    for _ in range(200):
        middle = (low + high) / 2
        if middle in (low, high):
            break
        if removed(middle) >= needed:
            high = middle
        else:
            low = middle
    return np.clip(high * weights, floor_r, cap_r)


def _negotiated_reductions(
    units: Sequence[UnitInput], baseline: np.ndarray, floor_r: np.ndarray, cap_r: np.ndarray, total: int, reduction: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's proposal (or the corporate reduction without one), within its floor and cap,
    raised where needed by the smallest largest departure z, found by a linear program.

    Returns the reductions and the starting points.  Each unit's reduction is
    min(cap, start + z): the unique solution in which no unit departs from
    its start by more than z.  The program is written over the segments
    between the units' sorted headrooms (cap − start): z is the sum of the
    lengths used, and a point of z in a segment removes the baselines of the
    units whose headroom reaches past it.  Those worths fall from segment to
    segment, so the program fills the segments in order, as the minimax
    requires; with one constraint HiGHS solves it in well under a second
    even for 10,000 units.
    """
    proposal = np.array([reduction if u.proposed_reduction is None else u.proposed_reduction for u in units])
    start = np.clip(proposal, floor_r, cap_r)
    shortfall = baseline.sum() - total - float(np.dot(baseline, start))  # crimes still to find
    if shortfall <= 0:
        return start, start
    headroom = cap_r - start
    ends = np.unique(headroom[headroom > 0])
    lengths = np.diff(ends, prepend=0.0)
    # The baseline of the units whose headroom reaches each segment's end.
    by_headroom = np.argsort(headroom)
    reach = np.cumsum(baseline[by_headroom][::-1])[::-1]  # reach[k]: baselines from the k-th smallest headroom up
    worth = reach[np.searchsorted(headroom[by_headroom], ends, side="left")]
    result = optimize.linprog(
        np.ones(len(ends)),
        A_ub=-worth.reshape(1, -1),
        b_ub=[-shortfall],
        bounds=np.column_stack([np.zeros(len(ends)), lengths]),
        method="highs",
        options={"presolve": False},  # presolve costs more than solving one row; the answer is the same
    )
    if result.status != 0:
        raise ValueError(f"the allocation solver failed: {result.message}")
    largest_departure = float(result.x.sum())
    return np.minimum(cap_r, start + largest_departure), start


def _held_at(ideal: float, floor_r: float, cap_r: float) -> Optional[str]:
    if ideal >= cap_r - 1e-12:
        return "cap"
    if np.isfinite(floor_r) and ideal <= floor_r + 1e-12:
        return "floor"
    return None


def _proposal_clause(u: UnitInput) -> str:
    return f", and its own proposal was {fmt_pct(u.proposed_reduction)}" if u.proposed_reduction is not None else ""


def _bound_clause(u: UnitInput, held: Optional[str]) -> str:
    if held == "cap":
        return f"held at its cap of {fmt_pct(u.max_reduction if u.max_reduction is not None else 1.0)}"
    if held == "floor":
        return f"raised to its floor of {fmt_pct(u.min_reduction)}"
    return ""


def _uniform_reason(u: UnitInput, realised: float, held: Optional[str]) -> str:
    if held:
        return (
            f"asked for {fmt_pct(realised)}: {_bound_clause(u, held)}, so the other units share "
            f"the difference{_proposal_clause(u)}"
        )
    return f"asked for {fmt_pct(realised)}: the same share as every unit not held by a floor or cap{_proposal_clause(u)}"


def describe_peer_gap(peers: PeerPosition) -> str:
    """``"its rate (112.3 per 1,000) is 18% above its peer group's (95.2)"``."""
    gap = peers.ratio - 1
    rates = f"({fmt_num(peers.unit_rate)} per 1,000 residents)", f"({fmt_num(peers.peer_rate)})"
    if abs(gap) < 0.005:
        return f"its rate {rates[0]} is in line with its peer group's {rates[1]}"
    side = "above" if gap > 0 else "below"
    return f"its rate {rates[0]} is {fmt_pct(abs(gap), 0)} {side} its peer group's {rates[1]}"


def _stretch_reason(u: UnitInput, realised: float, held: Optional[str], peers: Optional[PeerPosition]) -> str:
    if peers is None:
        why = (
            "it has no population or no other unit in its peer group, "
            "so it takes the share of a unit at its peers' rate (as in the uniform method)"
        )
    else:
        why = describe_peer_gap(peers)
    bound = f"; {_bound_clause(u, held)}" if held else ""
    return f"asked for {fmt_pct(realised)}: {why}{_proposal_clause(u)}{bound}"


def _negotiated_reason(u: UnitInput, realised: float, held: Optional[str], ideal: float, start: float, reduction: float) -> str:
    if u.proposed_reduction is None:
        origin = f"it made no proposal, so it starts from the corporate {fmt_pct(reduction)}"
    else:
        origin = f"its own proposal was {fmt_pct(u.proposed_reduction)}"
        if abs(start - u.proposed_reduction) > 1e-12:
            origin += f", brought within its {'floor' if start > u.proposed_reduction else 'cap'} to {fmt_pct(start)}"
    extra = ideal - start
    if held == "cap" and extra > 0.0005:
        share = f"; it takes {fmt_num(extra * 100)} points of the shortfall and is held at its cap of {fmt_pct(u.max_reduction if u.max_reduction is not None else 1.0)}"
    elif extra > 0.0005:
        share = f"; it takes {fmt_num(extra * 100)} points of the remaining shortfall, as much as any unit below its cap"
    else:
        share = "; it is asked for no more than that"
    return f"asked for {fmt_pct(realised)}: {origin}{share}"
