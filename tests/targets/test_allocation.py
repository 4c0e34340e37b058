"""Allocation: worked cases by hand, and the properties of docs/conventions.md#target-allocation on random unit sets."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import optimize

from policingplan.targets.allocation import (
    METHODS,
    AllocationInputError,
    UnitInput,
    allocate_unit_targets,
    required_total,
)

PROPERTY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- worked by hand ------------------------------------------------------------------------------


def test_stretch_asks_more_of_the_unit_above_its_peers():
    # A: 1,200 crimes for 10,000 residents (120 per 1,000); B: 1,000 (100 per 1,000).
    # Each one's peers are the other, so A is 1.2 times its peers' rate and B 1/1.2.
    # A 10% reduction leaves at most 1,980 crimes: 220 to remove.
    # 220 = λ(1,200 × 1.2 + 1,000 / 1.2), so λ = 0.0967742; A 11.6129%, B 8.0645%,
    # ideal volumes 1,060.645 and 919.355; rounded down 1,060 + 919 = 1,979, and the
    # one crime handed back goes to the larger remainder (A).
    units = [UnitInput("A", 1200, 10_000, "g"), UnitInput("B", 1000, 10_000, "g")]
    allocation = allocate_unit_targets(units, 0.10, "stretch")
    assert allocation.required_total == 1980
    assert [u.target for u in allocation.units] == [1061, 919]
    assert allocation.unit("A").ideal_reduction == pytest.approx(0.116129, abs=1e-6)
    assert allocation.unit("B").ideal_reduction == pytest.approx(0.080645, abs=1e-6)
    assert allocation.target_total == 1980 and allocation.meets and allocation.feasible
    assert "20% above its peer group's" in allocation.unit("A").reason
    assert "17% below its peer group's" in allocation.unit("B").reason


def test_reason_names_the_gap_and_the_proposal():
    units = [UnitInput("Lambeth", 1180, 10_000, "inner", proposed_reduction=0.05), UnitInput("Other", 1000, 10_000, "inner")]
    reason = allocate_unit_targets(units, 0.055).unit("Lambeth").reason
    assert reason.startswith("asked for ")
    assert "18% above its peer group's" in reason
    assert "its own proposal was 5.0%" in reason


def test_stretch_falls_back_to_uniform_without_population_and_says_so():
    units = [UnitInput("A", 1000, 10_000, "g"), UnitInput("B", 1000, 10_000, "g"), UnitInput("C", 1000)]
    allocation = allocate_unit_targets(units, 0.05, "stretch")
    # A and B are at their peers' rate, so all three take the same share.
    assert {u.target for u in allocation.units} == {950}
    assert "no population" in allocation.unit("C").reason
    [note] = allocation.notes
    assert note.code == "targets.unit-without-peer-rate" and note.values["units"] == ["C"]
    assert note.text == ("1 unit has no population or no other unit in its peer group, so it takes the share of a "
                         "unit at its peers' rate: C.")
    assert str(note) == note.text


def test_several_units_without_a_peer_rate_are_named_in_one_note():
    units = [UnitInput("A", 1000, 10_000, "g"), UnitInput("B", 1000, 10_000, "g"), UnitInput("C", 1000),
             UnitInput("D", 1000, 10_000, "alone")]
    [note] = allocate_unit_targets(units, 0.05, "stretch").notes
    assert note.code == "targets.units-without-peer-rate" and note.values["count"] == 2
    assert note.values["units"] == ["C", "D"]
    assert note.text.startswith("2 units have no population or no other unit in their peer group, so they take")
    assert note.text.endswith("at its peers' rate: C, D.")


def test_uniform_rounding_keeps_the_sum():
    # 999 crimes, 10%: at most 899.  Each ideal is 299.7: 299 × 3 = 897, and two crimes are
    # handed back, to the first two units (equal remainders go to the unit listed first).
    units = [UnitInput(name, 333) for name in "ABC"]
    allocation = allocate_unit_targets(units, 0.10, "uniform")
    assert [u.target for u in allocation.units] == [300, 300, 299]
    assert allocation.target_total == allocation.required_total == 899


def test_uniform_shares_a_capped_units_difference():
    units = [UnitInput("A", 1000, max_reduction=0.02), UnitInput("B", 1000), UnitInput("C", 1000)]
    allocation = allocate_unit_targets(units, 0.06, "uniform")
    # 180 to remove; A gives 20, B and C 80 each (8%).
    assert [u.target for u in allocation.units] == [980, 920, 920]
    assert "held at its cap of 2.0%" in allocation.unit("A").reason


def test_negotiated_shares_the_shortfall_equally_above_proposals():
    units = [UnitInput("A", 1000, proposed_reduction=0.05), UnitInput("B", 1000, proposed_reduction=0.03)]
    allocation = allocate_unit_targets(units, 0.06, "negotiated")
    # 120 to remove; proposals give 80; 40 more, 2 points each.
    assert [u.target for u in allocation.units] == [930, 950]
    assert "its own proposal was 5.0%" in allocation.unit("A").reason
    assert "2.0 points" in allocation.unit("A").reason


def test_negotiated_minimises_the_largest_departure_within_caps():
    units = [UnitInput("A", 1000, proposed_reduction=0.05), UnitInput("B", 1000, proposed_reduction=0.03, max_reduction=0.04)]
    allocation = allocate_unit_targets(units, 0.06, "negotiated")
    # B can give only 1 point more (its cap); A must give 3 points more.
    assert [u.target for u in allocation.units] == [920, 960]
    assert allocation.unit("B").held_at == "cap"


def test_negotiated_keeps_proposals_that_already_meet_the_figure():
    units = [UnitInput("A", 1000, proposed_reduction=0.08), UnitInput("B", 1000, proposed_reduction=0.07)]
    allocation = allocate_unit_targets(units, 0.05, "negotiated")
    assert [u.target for u in allocation.units] == [920, 930]
    assert allocation.target_total < allocation.required_total and allocation.meets


def test_negotiated_unit_without_proposal_starts_from_the_corporate_figure():
    units = [UnitInput("A", 1000, proposed_reduction=0.06), UnitInput("B", 1000)]
    allocation = allocate_unit_targets(units, 0.055, "negotiated")
    assert allocation.unit("B").target == 945
    assert "made no proposal" in allocation.unit("B").reason


@pytest.mark.parametrize("method", METHODS)
def test_infeasible_is_reported_with_the_best_reachable_and_never_relaxed(method):
    units = [UnitInput("A", 1000, max_reduction=0.02), UnitInput("B", 1000, max_reduction=0.03)]
    allocation = allocate_unit_targets(units, 0.055, method)
    assert not allocation.feasible and not allocation.meets
    assert allocation.best_reachable_reduction == pytest.approx(0.025)
    assert [u.target for u in allocation.units] == [980, 970]
    assert allocation.target_total > allocation.required_total
    assert "cap" in allocation.unit("A").reason and "5.50%" in allocation.unit("A").reason
    [note] = allocation.notes
    assert note.code == "targets.infeasible"
    assert note.values == {"best_reachable_reduction": pytest.approx(0.025), "reduction": 0.055}
    assert note.text == ("Infeasible: with every unit at its cap the units reach a reduction of 2.50%, short of the "
                         "5.50% asked; nothing has been relaxed.")


def test_required_total_is_the_floor():
    assert required_total([612_000], 0.055) == 578_340
    assert required_total([333, 333, 333], 0.10) == 899


@pytest.mark.parametrize(
    "units, reduction, field",
    [
        ([UnitInput("A", 1000), UnitInput("A", 900)], 0.05, "unit"),
        ([], 0.05, "unit"),
        ([UnitInput("A", 1000)], 1.5, "reduction"),
        ([UnitInput("A", 10, min_reduction=0.05, max_reduction=0.08)], 0.05, "max_reduction"),
    ],
)
def test_input_that_cannot_be_allocated_is_an_error(units, reduction, field):
    with pytest.raises(AllocationInputError) as caught:
        allocate_unit_targets(units, reduction)
    assert caught.value.field_name == field


def test_unit_input_refuses_a_floor_above_its_cap_and_a_bad_baseline():
    with pytest.raises(AllocationInputError, match="floor"):
        UnitInput("A", 1000, min_reduction=0.08, max_reduction=0.05)
    with pytest.raises(AllocationInputError, match="baseline"):
        UnitInput("A", 0)


# --- properties on random unit sets ------------------------------------------------------------


@st.composite
def unit_sets(draw, bounds=True, min_units=1, max_units=40):
    """A random set of units.  Hypothesis draws the size and a seed, and the seed draws the
    units, so that each example is cheap to make (thousands run in seconds)."""
    n = draw(st.integers(min_units, max_units))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))

    def maybe(value):
        return value if rng.random() < 0.7 else None

    units = []
    for i in range(n):
        floor = maybe(rng.uniform(0, 0.05)) if bounds else None
        cap = maybe(rng.uniform((floor or 0) + 0.01, 0.4)) if bounds else None
        units.append(
            UnitInput(
                unit=f"U{i:03d}",
                baseline=rng.randint(100, 200_000),
                population=maybe(rng.randint(1_000, 500_000)),
                peer_group=maybe(rng.choice(["inner", "outer", "airport"])),
                proposed_reduction=maybe(rng.uniform(-0.02, 0.15)),
                min_reduction=floor,
                max_reduction=cap,
            )
        )
    return units


def _integer_bounds(u: UnitInput) -> tuple[int, float]:
    lowest = math.ceil(u.baseline * (1 - (1.0 if u.max_reduction is None else u.max_reduction)) - 1e-7)
    highest = math.inf if u.min_reduction is None else math.floor(u.baseline * (1 - u.min_reduction) + 1e-7)
    return lowest, highest


@PROPERTY
@given(units=unit_sets(), reduction=st.floats(0, 0.3), method=st.sampled_from(METHODS))
def test_sum_holds_after_rounding_and_bounds_are_respected(units, reduction, method):
    allocation = allocate_unit_targets(units, reduction, method)
    assert allocation.required_total == math.floor(sum(u.baseline for u in units) * (1 - reduction) + 1e-7)
    assert allocation.target_total == sum(u.target for u in allocation.units)
    assert all(isinstance(u.target, int) for u in allocation.units)
    lowest_total = sum(_integer_bounds(u)[0] for u in units)
    assert allocation.feasible == (lowest_total <= allocation.required_total)
    if allocation.feasible:
        assert allocation.meets and allocation.target_total <= allocation.required_total
        assert allocation.best_reachable_reduction >= reduction - 1e-9
    else:
        assert not allocation.meets
        assert allocation.best_reachable_reduction < reduction
        assert [u.target for u in allocation.units] == [_integer_bounds(u)[0] for u in units]
    for given_unit, allocated in zip(units, allocation.units):
        lowest, highest = _integer_bounds(given_unit)
        assert lowest <= allocated.target <= highest
        if given_unit.min_reduction is not None:
            assert allocated.reduction >= given_unit.min_reduction - 1e-9
        if given_unit.max_reduction is not None:
            assert allocated.reduction <= given_unit.max_reduction + 1e-9
        assert allocated.reason.startswith("asked for") or allocated.reason.startswith("held at its cap")


@PROPERTY
@given(units=unit_sets(bounds=False), reduction=st.floats(0, 0.3), method=st.sampled_from(["stretch", "uniform"]))
def test_scaled_methods_meet_the_figure_exactly(units, reduction, method):
    allocation = allocate_unit_targets(units, reduction, method)
    assert allocation.target_total == allocation.required_total


@PROPERTY
@given(units=unit_sets(min_units=2), reduction=st.floats(0, 0.3), bound=st.sampled_from([None, (0.01, 0.12)]))
def test_stretch_is_monotone_in_the_gap_to_peers(units, reduction, bound):
    # Units with the same floor and cap: a unit further above its peers is never asked less.
    floor, cap = bound or (None, None)
    same_bounds = [UnitInput(u.unit, u.baseline, u.population, u.peer_group, u.proposed_reduction, floor, cap) for u in units]
    allocation = allocate_unit_targets(same_bounds, reduction, "stretch")
    if not allocation.feasible:
        return
    rows = [(1.0 if a.peers is None else a.peers.ratio, a) for a in allocation.units]
    for gap_i, a in rows:
        for gap_j, b in rows:
            if gap_i > gap_j:
                # Floors, caps and targets are whole crimes: each unit can move by less than one crime's worth.
                one_crime_each = 1 / a.baseline + 1 / b.baseline
                assert a.ideal_reduction >= b.ideal_reduction - one_crime_each - 1e-12
                assert a.reduction >= b.reduction - one_crime_each - 1e-12


@PROPERTY
@given(units=unit_sets(min_units=2), reduction=st.floats(0, 0.3))
def test_negotiated_is_monotone_in_the_proposal(units, reduction):
    same_bounds = [UnitInput(u.unit, u.baseline, u.population, u.peer_group, u.proposed_reduction, 0.0, 0.25) for u in units]
    allocation = allocate_unit_targets(same_bounds, reduction, "negotiated")
    if not allocation.feasible:
        return
    starts = [reduction if u.proposed_reduction is None else u.proposed_reduction for u in same_bounds]
    for start_i, a in zip(starts, allocation.units):
        for start_j, b in zip(starts, allocation.units):
            if start_i > start_j:
                assert a.ideal_reduction >= b.ideal_reduction - (1 / a.baseline + 1 / b.baseline) - 1e-9
    # No unit is asked for less than its proposal (within its floor and cap).
    for start, a in zip(starts, allocation.units):
        assert a.ideal_reduction >= min(max(start, 0.0), 0.25) - 1 / a.baseline - 1e-9


@PROPERTY
@given(units=unit_sets(), reduction=st.floats(0, 0.3))
def test_uniform_asks_the_same_of_every_unit_not_held_by_a_bound(units, reduction):
    allocation = allocate_unit_targets(units, reduction, "uniform")
    free = {round(a.ideal_reduction, 9) for a in allocation.units if a.held_at is None}
    assert len(free) <= 1


@PROPERTY
@given(units=unit_sets(), reduction=st.floats(0, 0.3), method=st.sampled_from(METHODS))
def test_deterministic_and_independent_of_order_before_rounding(units, reduction, method):
    first = allocate_unit_targets(units, reduction, method)
    assert allocate_unit_targets(list(units), reduction, method) == first
    reordered = allocate_unit_targets(list(reversed(units)), reduction, method)
    ideal = {a.unit: a.ideal_reduction for a in first.units}
    for a in reordered.units:
        assert a.ideal_reduction == pytest.approx(ideal[a.unit], abs=1e-9)
    assert reordered.target_total == first.target_total


@PROPERTY
@given(units=unit_sets(), reduction=st.floats(0.05, 0.3), method=st.sampled_from(METHODS))
def test_caps_too_low_are_detected(units, reduction, method):
    # Cap every unit below the corporate reduction: it cannot be reached.
    capped = [UnitInput(u.unit, u.baseline, u.population, u.peer_group, u.proposed_reduction, None, reduction / 2) for u in units]
    allocation = allocate_unit_targets(capped, reduction, method)
    assert not allocation.feasible and not allocation.meets
    assert allocation.best_reachable_reduction <= reduction / 2 + 1e-9


def _whole_crime_bounds(u: UnitInput) -> tuple[float, float]:
    """The floor and cap as reductions that whole crimes allow (as the docs define them)."""
    lowest, highest = _integer_bounds(u)
    return (-math.inf if highest == math.inf else (u.baseline - highest) / u.baseline), (u.baseline - lowest) / u.baseline


def _direct_minimax(units, reduction):
    """Starting points and the largest departure, by the textbook minimax LP (an independent check)."""
    n = len(units)
    baseline = np.array([u.baseline for u in units], dtype=float)
    floor, cap = np.array([_whole_crime_bounds(u) for u in units]).T
    start = np.clip([reduction if u.proposed_reduction is None else u.proposed_reduction for u in units], floor, cap)
    needed = baseline.sum() - required_total(baseline, reduction)
    if baseline @ start >= needed:
        return start, cap, 0.0
    # Variables r_1..r_n, z: minimise z; Σ b r ≥ needed; r_i − z ≤ start_i; start_i ≤ r_i ≤ cap_i.
    a_ub = np.vstack([np.append(-baseline, 0.0), np.hstack([np.eye(n), -np.ones((n, 1))])])
    b_ub = np.concatenate([[-needed], start])
    bounds = list(zip(start, cap)) + [(0, None)]
    solved = optimize.linprog(np.append(np.zeros(n), 1.0), A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    return start, cap, solved.x[-1]


@settings(max_examples=150, deadline=None)
@given(units=unit_sets(max_units=25), reduction=st.floats(0, 0.3))
def test_negotiated_minimises_the_largest_departure(units, reduction):
    allocation = allocate_unit_targets(units, reduction, "negotiated")
    if not allocation.feasible:
        return
    starts, cap, z = _direct_minimax(units, reduction)
    for a, start, c in zip(allocation.units, starts, cap):
        assert a.ideal_reduction == pytest.approx(min(c, start + z), abs=1e-7)
