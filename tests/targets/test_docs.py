"""docs/target-setting.md: its figures are recomputed here, so the page cannot drift from the code."""

from __future__ import annotations

import re

import pytest

from policingplan.formatting import fmt_int, fmt_pct
from policingplan.plan.io import load_plan
from policingplan.targets import plan_inputs
from policingplan.targets.allocation import allocate_unit_targets
from policingplan.targets.rate_targets import ObservedRate, chance_of_meeting_rate_target
from policingplan.targets.requirement import requirement_trajectory


@pytest.fixture(scope="module")
def page(project_root) -> str:
    return (project_root / "docs" / "target-setting.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def london_stretch(project_root):
    plan = load_plan(project_root / "examples" / "london-2007-08")
    units = [u.__class__(u.unit, u.baseline, u.population, u.peer_group) for u in plan_inputs.unit_inputs(plan, "bcs-comparator-crimes")]
    return plan, allocate_unit_targets(units, 0.055, "stretch")


def _table_rows(page: str, heading: str) -> list[list[str]]:
    start = page.index(heading)
    rows = []
    for line in page[start:].splitlines()[1:]:
        if line.startswith("|") and not line.startswith("|---"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif rows:
            break
    return rows


def test_stretch_table_matches_the_allocation(page, london_stretch):
    plan, allocation = london_stretch
    codes = {u.name: u.code for u in plan.units}
    rows = _table_rows(page, "| Borough | 2006/07 offences")
    assert len(rows) == 7
    for name, baseline, target, reduction in rows:
        unit = allocation.unit(codes[name])
        assert (baseline, target, reduction) == (fmt_int(unit.baseline), fmt_int(unit.target), fmt_pct(unit.reduction))
    assert f"at most {fmt_int(allocation.required_total)} crimes" in page
    assert f"recorded {fmt_int(allocation.baseline_total)} offences" in page
    westminster = allocation.unit(codes["Westminster"])
    assert westminster.reason.split(": ", 1)[1] in re.sub(r"\s+", " ", page.replace("> ", ""))
    at_peers = westminster.ideal_reduction / westminster.peers.ratio
    assert f"is asked for about {fmt_pct(at_peers)}" in page


def test_psa1_figures(page):
    trajectory = requirement_trajectory(612_000, -0.134, -0.055, -0.194)
    assert f"**{fmt_pct(trajectory.projected_change)}**".replace("-", "−") in page
    assert f"shortfall of {fmt_int(trajectory.shortfall)}" in page
    assert f"**{fmt_pct(-trajectory.required_in_year_change, 2)} in the year**" in page


def test_homicide_table_and_ranges(page):
    rows = _table_rows(page, "| True rate | Chance of 80% or more")
    assert len(rows) == 3
    for true_rate, at_80, at_85 in rows:
        rate = {"82.2% (2007)": 134 / 163, "83.9% (2006 and 2007 together)": 281 / 335, "85.5% (2006)": 147 / 172}[true_rate]
        assert at_80 == fmt_pct(chance_of_meeting_rate_target(0.80, rate, 170).probability, 0)
        assert at_85 == fmt_pct(chance_of_meeting_rate_target(0.85, rate, 170).probability, 0)
    text = re.sub(r"\s+", " ", page)
    for observed in (ObservedRate("2006", 172, 147), ObservedRate("2007", 163, 134)):
        low, high = observed.interval
        assert f"{fmt_pct(observed.rate)}, with a 95% range of {fmt_pct(low)} to {fmt_pct(high)}" in text or (
            f"{fmt_pct(observed.rate)}, range {fmt_pct(low)} to {fmt_pct(high)}" in text
        )
    combined = 281 / 335
    for never, words in ((5, "five murder–suicides"), (10, "ten cut them")):
        chance80 = fmt_pct(chance_of_meeting_rate_target(0.80, combined, 170, never).probability, 0)
        chance85 = fmt_pct(chance_of_meeting_rate_target(0.85, combined, 170, never).probability, 0)
        sentence = re.sub(r"\s+", " ", page[page.index(words):page.index(words) + 160])
        assert chance80 in sentence and chance85 in sentence
    assert fmt_pct(chance_of_meeting_rate_target(0.80, 0.95, 170, 52).highest_achievable) in page
