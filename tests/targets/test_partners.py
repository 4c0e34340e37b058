"""Partner alignment: partner targets made comparable with the unit's own target (docs/conventions.md#partner-targets)."""

from __future__ import annotations

import math

import pytest

from policingplan.plan.model import PartnerTarget
from policingplan.targets.partners import UnitTargetVolume, align_partner_targets, whole_crimes

UNITS = [
    UnitTargetVolume("Lambeth", 38_868, 36_730),
    UnitTargetVolume("Kingston", 13_105, 12_384),
    UnitTargetVolume("Westminster", 66_267, 62_622),
]
REQUIRED = 111_800


def _partner(unit, change, baseline_period="2006/07", period="2007/08", **extra):
    return PartnerTarget(unit=unit, measure="crime", baseline_period=baseline_period, period=period, change=change, **extra)


def _align(partner_targets, volumes=None):
    return align_partner_targets(UNITS, REQUIRED, partner_targets, "crime", "2007/08", "2006/07", unit_volumes=volumes)


def test_same_baseline_more_stretching_partner_target_binds():
    summary = _align([_partner("Lambeth", -0.08)])
    (lambeth,) = summary.alignments
    assert lambeth.comparable
    assert lambeth.partner_volume == pytest.approx(38_868 * 0.92)
    assert lambeth.gap == math.floor(38_868 * 0.92) - 36_730  # the difference of the whole crimes shown
    assert lambeth.binds == "partner"
    assert "more stretching and binds" in lambeth.reason and "35,758" in lambeth.reason
    assert f"{36_730 - 35_758:,} fewer than the unit's own target of 36,730" in lambeth.reason
    assert whole_crimes(lambeth.partner_volume) == 35_758  # the whole crimes shown and in JSON


def test_less_stretching_partner_target_leaves_the_unit_target_binding():
    (westminster,) = _align([_partner("Westminster", -0.04)]).alignments
    assert westminster.binds == "unit target" and westminster.gap > 0


def test_another_baseline_year_is_converted_through_the_units_outturns():
    volumes = {"Kingston": {"2004/05": 15_690}}
    (kingston,) = _align([_partner("Kingston", -0.15, baseline_period="2004/05")], volumes).alignments
    assert kingston.partner_volume == pytest.approx(15_690 * 0.85)
    assert kingston.partner_change_on_plan_baseline == pytest.approx(15_690 * 0.85 / 13_105 - 1)
    assert "15,690 crimes in 2004/05" in kingston.reason


def test_another_baseline_year_without_a_volume_is_not_compared():
    summary = _align([_partner("Kingston", -0.15, baseline_period="2004/05")])
    (kingston,) = summary.alignments
    assert not kingston.comparable and kingston.binds is None and kingston.gap is None
    assert "no volume for Kingston in 2004/05" in kingston.reason
    assert summary.stretched_total == summary.unit_total
    [note] = summary.notes
    assert note.code == "targets.partner-target-not-compared" and note.values["units"] == ["Kingston"]
    assert note.text == "1 partner target could not be compared and is left out of the totals: Kingston."


def test_a_three_year_target_is_placed_on_the_plan_year_at_an_even_rate():
    volumes = {"Lambeth": {"2005/06": 40_000}}
    (lambeth,) = _align([_partner("Lambeth", -0.15, baseline_period="2005/06", period="2008/09")], volumes).alignments
    assert lambeth.partner_volume == pytest.approx(40_000 * 0.85 ** (2 / 3))
    assert "even yearly rate" in lambeth.reason


def test_a_target_for_an_earlier_year_cannot_be_placed():
    (lambeth,) = _align([_partner("Lambeth", -0.05, baseline_period="2004/05", period="2006/07")]).alignments
    assert not lambeth.comparable and "cannot be placed on 2007/08" in lambeth.reason


def test_a_wider_definition_is_named_in_the_reason():
    (lambeth,) = _align([_partner("Lambeth", -0.08, definition="all crime including fraud")]).alignments
    assert "count differently (all crime including fraud)" in lambeth.reason


def test_adopting_every_more_stretching_target_and_the_slack():
    summary = _align([_partner("Lambeth", -0.08), _partner("Westminster", -0.04), _partner("Elsewhere", -0.1)])
    lambeth_partner = math.floor(38_868 * 0.92)
    assert summary.unit_total == 36_730 + 12_384 + 62_622
    assert summary.stretched_total == lambeth_partner + 12_384 + 62_622
    assert summary.slack == REQUIRED - summary.stretched_total
    assert summary.meets == (summary.stretched_total <= REQUIRED)
    [note] = summary.notes
    assert note.code == "targets.partner-target-left-out"
    assert note.values == {"agreement": "LAA", "unit": "Elsewhere", "measure": "crime"}
    assert note.text == "The LAA target for Elsewhere is left out: the unit has no target for crime in this plan."
    assert [a.unit for a in summary.alignments] == ["Lambeth", "Westminster"]


def test_other_measures_are_left_out():
    other = PartnerTarget(unit="Lambeth", measure="ksi", period="2007/08", change=-0.5)
    assert _align([other]).alignments == ()
