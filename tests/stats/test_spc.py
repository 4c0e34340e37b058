"""The XmR chart: each rule, each precedence, each option, and the invariants.

Series are built so that the expected signals can be read off by eye; where a
test relies on a point lying in a given band it asserts that first.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policingplan.services.stats import spc_model
from policingplan.stats.spc import spc, spc_many


def alternating(low: float, high: float, pairs: int) -> list[float]:
    return [low, high] * pairs


def rules(result) -> list:
    return [p.rule for p in result.points]


def flagged(result) -> list[int]:
    return [p.index for p in result.points if p.rule is not None]


# ---------------------------------------------------------------- limits


def test_it_computes_the_limits_from_the_mean_moving_range():
    values = [3.0, 5.0, 4.0, 8.0, 6.0]
    result = spc(values, screen=False)
    mean = sum(values) / 5  # 5.2
    amr = (2 + 1 + 4 + 2) / 4  # 2.25
    point = result.points[0]
    assert point.mean == pytest.approx(mean, abs=1e-12)
    assert point.upl == pytest.approx(mean + 2.66 * amr, abs=1e-12)
    assert point.lpl == pytest.approx(mean - 2.66 * amr, abs=1e-12)
    assert point.upper_2sigma == pytest.approx(mean + 2 / 3 * 2.66 * amr, abs=1e-12)
    assert point.lower_2sigma == pytest.approx(mean - 2 / 3 * 2.66 * amr, abs=1e-12)


def test_screening_drops_moving_ranges_at_or_above_3_267_times_the_mean():
    values = [10.0, 11.0] * 6 + [30.0] + [10.0, 11.0] * 6
    moving_ranges = [abs(b - a) for a, b in zip(values, values[1:])]
    amr = sum(moving_ranges) / len(moving_ranges)
    kept = [r for r in moving_ranges if r < 3.267 * amr]
    assert len(kept) == len(moving_ranges) - 2  # the two jumps to and from 30
    screened = spc(values).points[0]
    unscreened = spc(values, screen=False).points[0]
    mean = sum(values) / len(values)
    assert screened.upl == pytest.approx(mean + 2.66 * sum(kept) / len(kept), abs=1e-12)
    assert unscreened.upl == pytest.approx(mean + 2.66 * amr, abs=1e-12)
    assert screened.upl < unscreened.upl


def test_a_constant_series_has_limits_at_its_mean():
    result = spc([4.0] * 15)
    assert {(p.mean, p.lpl, p.upl) for p in result.points} == {(4.0, 4.0, 4.0)}
    assert flagged(result) == []


# ---------------------------------------------------------------- outside


def test_a_point_beyond_the_upper_limit_is_special_cause():
    values = alternating(5, 15, 10)
    values[10] = 100
    result = spc(values)
    assert flagged(result) == [11]
    assert result.points[10].rule == "outside_limits"
    assert result.points[10].point_type == "special_cause_improvement"
    assert spc(values, direction="decrease").points[10].point_type == "special_cause_concern"
    assert spc(values, direction="neutral").points[10].point_type == "special_cause_neutral_high"


def test_a_point_below_the_lower_limit_under_lower_is_better_is_improvement():
    values = alternating(5, 15, 10)
    values[10] = -80
    result = spc(values, direction="decrease")
    assert result.points[10].rule == "outside_limits"
    assert result.points[10].point_type == "special_cause_improvement"
    assert spc(values, direction="neutral").points[10].point_type == "special_cause_neutral_low"


def test_a_point_exactly_on_a_limit_is_not_outside():
    fixed = [0.0, 1.0, 0.0, 1.0]  # with fix_after=4: mean 0.5, mean moving range 1
    upl, lpl = 0.5 + 2.66, 0.5 - 2.66
    on_limits = spc(fixed + [upl, lpl], fix_after=4, screen=False)
    assert (on_limits.points[4].upl, on_limits.points[5].lpl) == (upl, lpl)
    assert flagged(on_limits) == []
    beyond = spc(fixed + [math.nextafter(upl, 9), math.nextafter(lpl, -9)], fix_after=4, screen=False)
    assert [p.rule for p in beyond.points[4:]] == ["outside_limits", "outside_limits"]


# ---------------------------------------------------------------- shift


def shift_series(run: int) -> list[float]:
    """Alternating points either side of the mean with exactly ``run`` points above in a row."""
    return alternating(2, 0, 6) + [2.0] * run + alternating(0, 2, 6)


@pytest.mark.parametrize("run", [5, 6, 7, 8, 9])
@pytest.mark.parametrize("shift_length", [6, 7, 8])
def test_a_shift_needs_shift_length_points_on_one_side(run, shift_length):
    result = spc(shift_series(run), shift_length=shift_length)
    run_points = list(range(13, 13 + run))
    assert all(p.y > p.mean for p in result.points if p.index in run_points)
    expected = run_points if run >= shift_length else []
    assert flagged(result) == expected
    assert {p.rule for p in result.points if p.index in expected} <= {"shift"}


def test_a_point_on_the_mean_breaks_a_shift():
    # The values sum to zero, so the mean is exactly 0.
    background = alternating(1, -2, 7) + [1.0] * 7 + alternating(-1, 1, 6)
    assert sum(background) == 0
    assert flagged(spc(background)) == list(range(15, 22))
    on_mean = background[:17] + [0.0] + background[17:]
    result = spc(on_mean)
    assert result.points[17].y == result.points[17].mean == 0.0
    assert flagged(result) == []


def test_a_shift_below_the_mean_is_concern_for_higher_is_better():
    values = alternating(0, 2, 6) + [0.0] * 7 + alternating(2, 0, 6)
    result = spc(values)
    assert {p.point_type for p in result.points if p.rule == "shift"} == {"special_cause_concern"}
    assert flagged(result) == list(range(13, 20))


# ---------------------------------------------------------------- trend


def trend_series(run: int, rising: bool = True) -> list[float]:
    """Alternating background around 4 with a strict run of ``run`` points crossing it."""
    steps = [4 + (i - (run - 1) / 2) * 0.5 for i in range(run)]
    if not rising:
        steps = steps[::-1]
        return alternating(3, 5, 6) + steps + alternating(5, 3, 6)
    return alternating(3, 5, 6) + steps + alternating(3, 5, 6)


@pytest.mark.parametrize("run", [5, 6, 7, 8, 9])
@pytest.mark.parametrize("trend_length", [6, 7, 8])
@pytest.mark.parametrize("rising", [True, False])
def test_a_trend_needs_trend_length_strictly_moving_points(run, trend_length, rising):
    result = spc(trend_series(run, rising), trend_length=trend_length, shift_length=8)
    assert not any(p.rule == "outside_limits" for p in result.points)
    run_points = list(range(13, 13 + run))
    expected = run_points if run >= trend_length else []
    assert [p.index for p in result.points if p.rule == "trend"] == expected
    wanted = "special_cause_improvement" if rising else "special_cause_concern"
    assert {p.point_type for p in result.points if p.rule == "trend"} <= {wanted}


def test_a_tie_breaks_a_trend():
    values = alternating(5, 3, 6) + [1.0, 2.0, 3.0, 3.0, 4.0, 5.0, 6.0, 7.0] + alternating(4, 5, 3)
    result = spc(values)
    assert not any(p.rule == "trend" for p in result.points)
    untied = alternating(5, 3, 6) + [1.0, 2.0, 3.0, 3.5, 4.0, 5.0, 6.0, 7.0] + alternating(4, 5, 3)
    assert [p.index for p in spc(untied).points if p.rule == "trend"] == list(range(13, 21))


def test_a_point_shared_by_a_falling_and_a_rising_run_takes_the_rising_direction():
    v_shape = [7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    values = alternating(4, 6, 5) + v_shape + alternating(4, 6, 5)
    result = spc(values)
    trend_points = [p for p in result.points if p.rule == "trend"]
    assert [p.index for p in trend_points] == list(range(11, 24))
    bottom = result.points[16]
    assert bottom.y == 1.0
    assert bottom.point_type == "special_cause_improvement"  # rising run follows it
    assert {p.point_type for p in trend_points if p.index < 17} == {"special_cause_concern"}
    assert {p.point_type for p in trend_points if p.index > 17} == {"special_cause_improvement"}


def test_the_top_of_a_rising_run_keeps_its_direction_when_a_falling_run_follows_a_drop():
    # Rising 1..7 ends at point 18; 7 -> 6.5 is a single falling step, then rising again.
    values = alternating(5, 3, 6) + [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0] + [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5]
    result = spc(values, screen=False)
    top = result.points[18]
    assert top.y == 7.0 and top.rule == "trend"
    assert top.point_type == "special_cause_improvement"


# ---------------------------------------------------------------- two of three


def two_of_three_base() -> list[float]:
    return alternating(9, 11, 8)


def test_two_of_three_beyond_the_same_2sigma_line_flags_only_the_close_points():
    values = two_of_three_base() + [15.0, 11.0, 15.0] + alternating(9, 11, 4)
    result = spc(values)
    for index in (17, 19):
        p = result.points[index - 1]
        assert p.upper_2sigma < p.y <= p.upl
    assert flagged(result) == [17, 19]
    assert rules(result)[16] == "two_of_three"
    assert result.points[16].point_type == "special_cause_improvement"


def test_two_of_three_needs_all_three_on_the_same_side_of_the_mean():
    values = two_of_three_base() + [15.0, 9.0, 15.0] + alternating(9, 11, 4)
    result = spc(values)
    assert result.points[17].y < result.points[17].mean
    assert flagged(result) == []


def test_one_close_point_is_not_enough():
    values = two_of_three_base() + [15.0, 11.0, 11.0] + alternating(9, 11, 4)
    assert flagged(spc(values)) == []


def test_the_2023_variant_counts_points_beyond_the_limits_towards_two_of_three():
    values = two_of_three_base() + [25.0, 11.0, 15.0] + alternating(9, 11, 4)
    default = spc(values)
    p = default.points[18]
    assert p.upper_2sigma < p.y <= p.upl
    assert flagged(default) == [17]
    assert default.points[16].rule == "outside_limits"
    variant = spc(values, two_of_three_includes_outside=True)
    assert flagged(variant) == [17, 19]
    assert [variant.points[16].rule, variant.points[18].rule] == ["outside_limits", "two_of_three"]


# ---------------------------------------------------------------- precedence


def test_outside_beats_trend():
    values = alternating(5, 3, 6) + [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 30.0] + alternating(4, 5, 3)
    result = spc(values)
    assert result.points[18].rule == "outside_limits"
    assert [p.rule for p in result.points[12:18]] == ["trend"] * 6


def test_trend_beats_two_of_three_and_sets_the_direction():
    # A falling run whose first two points are beyond the upper 2σ line.
    values = alternating(9, 11, 8) + [14.5, 14.0, 13.0, 12.0, 11.0, 10.0, 9.0] + alternating(11, 9, 4)
    result = spc(values)
    first, second = result.points[16], result.points[17]
    assert first.upper_2sigma < first.y <= first.upl and second.upper_2sigma < second.y <= second.upl
    assert [p.rule for p in result.points[16:23]] == ["trend"] * 7
    # The trend is falling, so under higher-is-better even the high points are concern.
    assert first.point_type == "special_cause_concern"


def test_two_of_three_beats_shift():
    values = alternating(11, 9, 12) + [11.0, 15.0, 11.0, 15.0, 11.0, 11.5, 11.0] + alternating(9, 11, 4)
    result = spc(values, screen=False)
    run = result.points[24:31]
    assert all(p.y > p.mean for p in run)
    assert [p.rule for p in run] == ["shift", "two_of_three", "shift", "two_of_three", "shift", "shift", "shift"]


# ---------------------------------------------------------------- polarity, assurance


def test_neutral_points_are_high_or_low():
    values = alternating(2, 0, 6) + [2.0] * 7 + alternating(0, 2, 6)
    values[3] = -30
    result = spc(values, direction="neutral")
    assert result.points[3].point_type == "special_cause_neutral_low"
    assert {p.point_type for p in result.points if p.rule == "shift"} == {"special_cause_neutral_high"}


@pytest.mark.parametrize(
    "direction, target_offset, expected",
    [
        ("increase", +1.0, "consistent_fail"),
        ("increase", -1.0, "consistent_pass"),
        ("decrease", +1.0, "consistent_pass"),
        ("decrease", -1.0, "consistent_fail"),
        ("increase", 0.0, "inconsistent"),
        ("decrease", 0.0, "inconsistent"),
    ],
)
def test_assurance_compares_the_target_with_the_limits(direction, target_offset, expected):
    values = alternating(10, 12, 10)
    last = spc(values).points[-1]
    target = {1.0: last.upl + 1, -1.0: last.lpl - 1, 0.0: last.mean}[target_offset]
    assert spc(values, direction=direction, target=target).assurance == expected


def test_assurance_uses_strict_inequalities():
    values = [0.0, 1.0, 0.0, 1.0]  # mean 0.5, amr 1: limits 0.5 ± 2.66
    result = spc(values, direction="increase", target=0.5 + 2.66)
    assert result.points[-1].upl == 0.5 + 2.66
    assert result.assurance == "inconsistent"
    assert spc(values, target=0.5 - 2.66).assurance == "inconsistent"


def test_there_is_no_assurance_without_a_target_or_for_a_neutral_measure():
    values = alternating(10, 12, 10)
    assert spc(values).assurance is None
    assert spc(values, direction="neutral", target=100).assurance is None


def test_assurance_uses_the_latest_group():
    values = alternating(10, 12, 8) + alternating(100, 102, 8)
    result = spc(values, target=103, rebase_at=[17])
    assert result.points[-1].lpl < 103 < result.points[-1].upl
    assert result.assurance == "inconsistent"
    assert spc(values, target=103).assurance == "consistent_fail"  # above the whole series' limits


def test_variation_is_the_last_points_type():
    values = alternating(10, 12, 10) + [40.0]
    result = spc(values)
    assert result.variation == "special_cause_improvement"
    assert spc(values, direction="decrease").variation == "special_cause_concern"


# ---------------------------------------------------------------- rebasing, fix after


def test_rebasing_gives_each_group_its_own_limits():
    group1 = alternating(10, 12, 8)
    group2 = alternating(20, 26, 8)
    result = spc(group1 + group2, rebase_at=[17])
    assert {p.group for p in result.points[:16]} == {1}
    assert {p.group for p in result.points[16:]} == {2}
    assert result.points[0].mean == 11 and result.points[16].mean == 23
    assert result.points[0].upl == pytest.approx(11 + 2.66 * 2)
    assert result.points[16].upl == pytest.approx(23 + 2.66 * 6)
    assert flagged(result) == []
    assert flagged(spc(group1 + group2)) != []


def test_rules_never_run_across_a_rebase():
    # Four points above group 1's mean then four above group 2's mean.
    group1 = alternating(2, 0, 6) + [2.0] * 4
    group2 = [2.0] * 4 + alternating(0, 2, 6)
    assert flagged(spc(group1 + group2, screen=False)) == list(range(13, 21))
    assert flagged(spc(group1 + group2, rebase_at=[17], screen=False)) == []


def test_fix_after_computes_the_limits_from_the_groups_first_points():
    values = alternating(10, 12, 6) + alternating(30, 40, 6)
    result = spc(values, fix_after=12)
    assert {p.mean for p in result.points} == {11.0}
    assert result.points[-1].upl == pytest.approx(11 + 2.66 * 2)
    assert all(p.rule == "outside_limits" for p in result.points[12:])


def test_fix_after_applies_within_each_group():
    values = alternating(10, 12, 6) + alternating(100, 104, 3) + alternating(0, 50, 3)
    result = spc(values, rebase_at=[13], fix_after=6)
    assert result.points[0].mean == 11
    assert result.points[12].mean == 102
    assert result.points[12].upl == pytest.approx(102 + 2.66 * 4)


def test_fix_after_longer_than_a_group_uses_the_whole_group_and_says_so():
    values = alternating(10, 12, 10)
    fixed = spc(values, rebase_at=[15], fix_after=8)
    assert fixed.points[14].mean == 11 and fixed.points[14].upl == spc(values[14:]).points[0].upl
    assert [str(w) for w in fixed.warnings if w.code == "spc.shorter-than-fix-after"] == [
        "Group 2 (points 15–20) is shorter than the 8 points its limits were to be fixed after: "
        "they are computed from all of its points."
    ]
    (shorter,) = [w for w in fixed.warnings if w.code == "spc.shorter-than-fix-after"]
    assert shorter.values == {"group": 2, "span": "points 15–20", "first": 15, "last": 20, "fix_after": 8}
    assert not any(w.code == "spc.shorter-than-fix-after" for w in spc(values, fix_after=8).warnings)


def test_a_group_of_fewer_than_13_points_gives_a_warning():
    assert spc(alternating(10, 12, 7)).warnings == []
    short = spc(alternating(10, 12, 6))
    assert len(short.warnings) == 1 and "fewer than 13" in str(short.warnings[0])
    assert short.warnings[0].code == "spc.trial-limits" and short.warnings[0].values["size"] == 12
    rebased = spc(alternating(10, 12, 10), rebase_at=[15])
    assert len(rebased.warnings) == 1 and "Group 2 (points 15–20) has 6 points" in str(rebased.warnings[0])
    last_alone = spc(alternating(10, 12, 7), rebase_at=[14])
    assert str(last_alone.warnings[0]).startswith("Group 2 (point 14) has 1 point, fewer than 13")


# ---------------------------------------------------------------- missing values


def test_missing_values_are_kept_out_of_the_mean_and_the_moving_ranges():
    values = [10.0, 12.0, None, 20.0, 10.0, 12.0]
    result = spc(values, screen=False)
    assert result.points[0].mean == pytest.approx((10 + 12 + 20 + 10 + 12) / 5)
    amr = (2 + 10 + 2) / 3  # 12 -> gap -> 20 gives no moving range
    assert result.points[0].upl - result.points[0].mean == pytest.approx(2.66 * amr)
    assert result.points[2].y is None and result.points[2].point_type is None
    assert spc([10.0, 12.0, 0.0, 20.0, 10.0, 12.0], screen=False).points[0].mean != result.points[0].mean


def test_nan_is_missing_too():
    with_none = spc_model(spc([10.0, 12.0, None, 20.0, 10.0, 12.0])).model_dump(mode="json")
    with_nan = spc_model(spc(np.array([10.0, 12.0, np.nan, 20.0, 10.0, 12.0]))).model_dump(mode="json")
    assert with_none == with_nan


def test_a_missing_point_breaks_a_shift():
    values: list[float | None] = alternating(2, 0, 6) + [2.0] * 7 + alternating(0, 2, 6)
    assert flagged(spc(values)) == list(range(13, 20))
    values[15] = None
    assert flagged(spc(values)) == []


def test_a_missing_last_point_leaves_the_variation_to_the_last_value():
    result = spc(alternating(10, 12, 10) + [40.0, None])
    assert result.points[-1].point_type is None
    assert result.variation == "special_cause_improvement"
    assert any("last point (22) is missing" in str(w) for w in result.warnings)
    (missing,) = [w for w in result.warnings if w.code == "spc.last-point-missing"]
    assert missing.values == {"last": 22, "described": 21}


# ---------------------------------------------------------------- options checked


@pytest.mark.parametrize(
    "kwargs",
    [
        {"direction": "up"},
        {"shift_length": 5},
        {"trend_length": 9},
        {"rebase_at": [1]},
        {"rebase_at": [21]},
        {"fix_after": 1},
        {"fix_after": 2.5},
    ],
)
def test_options_outside_what_is_accepted_are_refused(kwargs):
    with pytest.raises(ValueError):
        spc(alternating(10, 12, 10), **kwargs)


def test_the_result_model_has_exactly_the_cli_keys():
    data = spc_model(spc(alternating(10, 12, 10), target=11)).model_dump(mode="json")
    assert set(data) == {"points", "variation", "assurance", "warnings"}
    assert set(data["points"][0]) == {"index", "y", "mean", "lpl", "upl", "point_type"}
    assert data["points"][0]["index"] == 1


# ---------------------------------------------------------------- properties

values_strategy = st.one_of(
    st.lists(st.integers(0, 12).map(float), min_size=2, max_size=60),
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=60),
)


@settings(max_examples=200, deadline=None)
@given(values=values_strategy, screen=st.booleans())
def test_limits_are_symmetric_about_the_mean(values, screen):
    for p in spc(values, screen=screen).points:
        if math.isnan(p.upl):
            continue
        scale = max(1.0, abs(p.mean), abs(p.upl))
        assert abs((p.upl - p.mean) - (p.mean - p.lpl)) <= 1e-9 * scale
        assert abs((p.upper_2sigma - p.mean) - (p.mean - p.lower_2sigma)) <= 1e-9 * scale
        assert p.lpl <= p.lower_2sigma <= p.mean <= p.upper_2sigma <= p.upl


@settings(max_examples=150, deadline=None)
@given(
    group1=values_strategy,
    other_group1=values_strategy,
    group2=values_strategy,
    fix_after=st.one_of(st.none(), st.integers(2, 10)),
    direction=st.sampled_from(["increase", "decrease", "neutral"]),
)
def test_rebased_groups_are_independent(group1, other_group1, group2, fix_after, direction):
    def second_group(first):
        result = spc(first + group2, direction=direction, rebase_at=[len(first) + 1], fix_after=fix_after)
        return [
            (p.y, p.mean, p.lpl, p.upl, p.rule, p.point_type)
            for p in result.points[len(first):]
        ]

    a, b = second_group(group1), second_group(other_group1)
    assert repr(a) == repr(b)  # repr so that NaN limits compare equal

    def first_group(second):
        result = spc(group1 + second, direction=direction, rebase_at=[len(group1) + 1], fix_after=fix_after)
        return [(p.y, p.mean, p.lpl, p.upl, p.rule, p.point_type) for p in result.points[:len(group1)]]

    assert repr(first_group(group2)) == repr(first_group(other_group1))


@settings(max_examples=150, deadline=None)
@given(values=values_strategy, target=st.one_of(st.none(), st.floats(-20, 20)))
def test_reversing_the_polarity_swaps_improvement_and_concern(values, target):
    swap = {"special_cause_improvement": "special_cause_concern", "special_cause_concern": "special_cause_improvement"}
    up = spc(values, direction="increase", target=target)
    down = spc(values, direction="decrease", target=target)
    assert [swap.get(p.point_type, p.point_type) for p in up.points] == [p.point_type for p in down.points]
    flip = {"consistent_pass": "consistent_fail", "consistent_fail": "consistent_pass"}
    assert flip.get(up.assurance, up.assurance) == down.assurance


# ------------------------------------------------- against a literal oracle


def oracle(values, direction, shift_length, trend_length, includes_outside, screen):
    """The rules as NHSRplotthedots writes them (windows over the padded series),
    in plain Python, for one group with no missing values.  The trend direction
    follows docs/conventions.md#spc: a point takes the direction of the latest trend window
    that contains it (the run that follows it, where two runs share it)."""
    n = len(values)
    mean = sum(values) / n
    mr = [abs(b - a) for a, b in zip(values, values[1:])]
    amr = sum(mr) / len(mr)
    if screen and amr > 0:
        mr = [r for r in mr if r < 3.267 * amr]
        amr = sum(mr) / len(mr) if mr else float("nan")
    upl, lpl = mean + 2.66 * amr, mean - 2.66 * amr
    nupl, nlpl = mean + 2 * (2.66 / 3) * amr, mean - 2 * (2.66 / 3) * amr
    rel = [(y > mean) - (y < mean) for y in values]
    outside = [y > upl or y < lpl for y in values]
    beyond = [y > nupl or y < nlpl for y in values]
    close = [b and (includes_outside or not o) for b, o in zip(beyond, outside)]

    shift = [False] * n
    for end in range(shift_length - 1, n):
        window = rel[end - shift_length + 1 : end + 1]
        if window[0] != 0 and all(r == window[0] for r in window):
            for i in range(end - shift_length + 1, end + 1):
                shift[i] = True

    trend_dir = [0] * n
    for end in range(trend_length - 1, n):
        window = values[end - trend_length + 1 : end + 1]
        steps = [(b > a) - (b < a) for a, b in zip(window, window[1:])]
        if steps[0] != 0 and all(s == steps[0] for s in steps):
            for i in range(end - trend_length + 1, end + 1):
                trend_dir[i] = steps[0]  # later windows overwrite: the run that follows

    two = [False] * n
    for start in range(n - 2):
        idx = range(start, start + 3)
        if sum(close[i] for i in idx) >= 2 and abs(sum(rel[i] for i in idx)) == 3:
            for i in idx:
                two[i] = two[i] or close[i]

    polarity = {"increase": 1, "decrease": -1, "neutral": 0}[direction]
    out = []
    for i in range(n):
        if outside[i]:
            rule, sign = "outside_limits", rel[i]
        elif trend_dir[i]:
            rule, sign = "trend", trend_dir[i]
        elif two[i]:
            rule, sign = "two_of_three", rel[i]
        elif shift[i]:
            rule, sign = "shift", rel[i]
        else:
            out.append((None, "common_cause"))
            continue
        if polarity == 0:
            kind = "special_cause_neutral_high" if sign > 0 else "special_cause_neutral_low"
        else:
            kind = "special_cause_improvement" if sign * polarity > 0 else "special_cause_concern"
        out.append((rule, kind))
    return out, mean, lpl, upl


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.integers(0, 8).map(float), min_size=3, max_size=50),
    direction=st.sampled_from(["increase", "decrease", "neutral"]),
    shift_length=st.sampled_from([6, 7, 8]),
    trend_length=st.sampled_from([6, 7, 8]),
    includes_outside=st.booleans(),
    screen=st.booleans(),
)
def test_the_vectorised_rules_agree_with_the_literal_oracle(
    values, direction, shift_length, trend_length, includes_outside, screen
):
    expected, mean, lpl, upl = oracle(values, direction, shift_length, trend_length, includes_outside, screen)
    result = spc(
        values,
        direction=direction,
        screen=screen,
        shift_length=shift_length,
        trend_length=trend_length,
        two_of_three_includes_outside=includes_outside,
    )
    assert [(p.rule, p.point_type) for p in result.points] == expected
    if not math.isnan(upl):
        assert result.points[0].mean == pytest.approx(mean, abs=1e-9)
        assert result.points[0].upl == pytest.approx(upl, abs=1e-9)
        assert result.points[0].lpl == pytest.approx(lpl, abs=1e-9)


# ---------------------------------------------------------------- many series at once


@settings(max_examples=100, deadline=None)
@given(
    batch=st.lists(
        st.tuples(
            st.lists(st.one_of(st.none(), st.integers(0, 9).map(float)), min_size=0, max_size=40),
            st.sampled_from(["increase", "decrease", "neutral"]),
            st.one_of(st.none(), st.floats(-5, 15)),
            st.integers(2, 40),
        ),
        max_size=6,
    ),
    fix_after=st.one_of(st.none(), st.integers(2, 12)),
)
def test_many_series_at_once_give_the_same_charts_as_one_at_a_time(batch, fix_after):
    rebases = [(r,) if r <= len(v) else () for v, _, _, r in batch]
    together = spc_many(
        [v for v, _, _, _ in batch],
        directions=[d for _, d, _, _ in batch],
        targets=[t for _, _, t, _ in batch],
        rebase_ats=rebases,
        fix_after=fix_after,
    )
    for (values, direction, target, _), rebase, chart in zip(batch, rebases, together):
        alone = spc(values, direction, target, rebase, fix_after=fix_after)
        assert repr(chart.points) == repr(alone.points)
        assert (chart.variation, chart.assurance, chart.warnings) == (alone.variation, alone.assurance, alone.warnings)


def test_many_series_need_one_option_each():
    with pytest.raises(ValueError):
        spc_many([[1.0, 2.0], [3.0, 4.0]], directions=["increase"])
    with pytest.raises(ValueError):
        spc_many([[1.0, 2.0]], targets=[1.0, 2.0])
    assert [r.variation for r in spc_many([[1.0, 2.0, 1.0], []], directions="decrease")] == ["common_cause", None]
