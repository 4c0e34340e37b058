"""The London 2007/08 example: faithful to the report, and its derived figures true to the real data."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from policingplan.plan.io import load_plan
from policingplan.plan.model import Plan
from policingplan.data.files import open_text, resolve

GLA_OFFENCES = "london/gla-recorded-offences-by-borough-fy_1999-00_2009-10.csv.gz"
GLA_RATES = "london/gla-crime-rates-by-borough-fy_1999-00_2009-10.csv.gz"
FY_2006_07 = "2006-12-31"  # the GLA files' way of writing 2006/07


@pytest.fixture(scope="module")
def plan(project_root) -> Plan:
    return load_plan(project_root / "examples" / "london-2007-08")


def _gla(data_dir: Path, name: str) -> dict[str, tuple[str, str]]:
    """Code → (area name, value) for 2006/07, read with the csv module."""
    with open_text(data_dir / name) as handle:
        return {row["Code"]: (row["Borough"], row["Value"]) for row in csv.DictReader(handle) if row["Year"] == FY_2006_07}


def _target(plan: Plan, measure: str):
    (target,) = plan.targets_for(measure, "force")
    return target


def test_the_units_are_the_32_boroughs_with_their_ons_codes(plan, data_dir):
    offences = _gla(data_dir, GLA_OFFENCES)
    boroughs = {code: name for code, (name, _) in offences.items() if code.startswith("E09")}
    assert "E09000001" not in boroughs  # the City of London is another force
    assert {u.code: u.name for u in plan.units} == boroughs
    assert sorted(boroughs) == [f"E090000{n:02d}" for n in range(2, 34)]


def test_unit_baselines_are_the_boroughs_2006_07_offences(plan, data_dir):
    offences = _gla(data_dir, GLA_OFFENCES)
    unit_targets = [t for t in plan.targets if t.scope != "force"]
    assert len(unit_targets) == 32
    for target in unit_targets:
        assert (target.measure, target.period, target.baseline_period) == ("bcs-comparator-crimes", "2007/08", "2006/07")
        assert target.baseline == float(offences[target.scope][1]), target.scope
        assert target.rationale and target.illustrative


def test_unit_targets_together_meet_the_planning_midpoint(plan):
    unit_targets = [t for t in plan.targets if t.scope != "force"]
    baseline = sum(t.baseline for t in unit_targets)
    planned = sum(t.baseline * (1 + t.value) for t in unit_targets)
    assert planned <= baseline * (1 - 0.055) + 1e-6


def test_populations_are_those_the_gla_used_for_2006_07_rates(plan, data_dir):
    offences, rates = _gla(data_dir, GLA_OFFENCES), _gla(data_dir, GLA_RATES)
    for unit in plan.units:
        derived = float(offences[unit.code][1]) / float(rates[unit.code][1]) * 1000
        assert unit.population == round(derived), unit.code


def test_peer_groups_are_inner_and_outer_london_as_the_gla_totals_them(plan, data_dir):
    offences = _gla(data_dir, GLA_OFFENCES)
    for group, code in (("Inner London", "E13000001"), ("Outer London", "E13000002")):
        members = [u.code for u in plan.units if u.peer_group == group]
        assert sum(int(offences[c][1]) for c in members) == int(offences[code][1]), group
    assert sum(1 for u in plan.units if u.peer_group == "Inner London") == 13
    assert "E09000011" in {u.code for u in plan.units if u.peer_group == "Outer London"}  # Greenwich


def test_the_bcs_comparator_target_is_a_range_of_5_to_6_percent(plan):
    target = _target(plan, "bcs-comparator-crimes")
    assert (target.kind, target.minimum, target.maximum, target.baseline_period) == ("range", -0.06, -0.05, "2006/07")
    assert "5.5%" in target.rationale and "PSA1" in target.rationale
    assert not target.illustrative
    assert plan.measure("bcs-comparator-crimes").cpa


def test_the_homicide_target_is_80_percent_with_the_reason_for_the_change(plan):
    target = _target(plan, "homicide-sanction-detection-rate")
    assert (target.kind, target.value) == ("level", 0.8)
    assert "85%" in target.rationale and "80%" in target.rationale and "suicide" in target.rationale
    assert len(target.activities) == 5
    assert any("CPS Trials Unit" in a.description for a in target.activities)
    assert any("National Gun Crime Committee" in a.description for a in target.activities)


def test_the_ksi_target_lists_the_report_activities_and_resources(plan):
    target = _target(plan, "ksi-all-road-users")
    assert target.illustrative  # the report gives no figure
    detectives = next(a for a in target.activities if "16 detectives" in a.description)
    assert "116" in detectives.resources and "673" in detectives.resources and detectives.owner == "Traffic OCU"
    assert any("collision hotspots" in a.description for a in target.activities)
    assert any("ANPR" in a.description and "no insurance/no driver" in a.description for a in target.activities)
    assert plan.measure("ksi-children").rule.count == {"severity": ["fatal", "serious"], "age_group": ["child"]}


def test_every_cpa_has_a_force_target_and_invented_figures_are_marked(plan):
    assert {m.id for m in plan.cpa_measures} == {
        "bcs-comparator-crimes",
        "homicide-sanction-detection-rate",
        "ksi-all-road-users",
        "public-confidence",
        "user-satisfaction",
    }
    for measure in ("public-confidence", "user-satisfaction", "ksi-all-road-users", "ksi-children"):
        assert _target(plan, measure).illustrative, measure
    assert all(p.illustrative for p in plan.partner_targets)


def test_partner_targets_include_more_stretching_ones_and_another_baseline(plan):
    vts = {t.scope: t for t in plan.targets if t.scope != "force" and t.measure == "bcs-comparator-crimes"}
    same_basis = [p for p in plan.partner_targets if p.measure == "bcs-comparator-crimes" and p.baseline_period == "2006/07"]
    assert any(p.change < vts[p.unit].value for p in same_basis)
    assert any(p.baseline_period not in (None, "2006/07") for p in plan.partner_targets)


def test_psa1_is_the_report_requirement(plan):
    (psa1,) = plan.requirements
    assert (psa1.measure, psa1.baseline_period, psa1.required_change, psa1.deadline_period) == (
        "bcs-comparator-crimes", "2003/04", -0.194, "2007/08")
    assert psa1.outturns == {"2006/07": -0.134}
    assert psa1.baseline == 612000


def test_the_narrative_investment_milestones_and_versions(plan):
    titles = {s.title for s in plan.narrative}
    assert {"Alcohol-related offending", "Drugs-related offending", "Every Child Matters", "Counter terrorism",
            "The Met Modernisation Programme"} <= titles
    assert all(s.body.strip() for s in plan.narrative)
    (investment,) = plan.investments
    assert investment.amount == 15_000_000 and "robust business case" in investment.condition
    assert any(m.due == dt.date(2007, 3, 31) and "published" in m.name for m in plan.milestones)
    assert [a.date for a in plan.amendments] == [
        dt.date(2007, 1, 16), dt.date(2007, 1, 25), dt.date(2007, 2, 14), dt.date(2007, 3, 1)]
    latest = plan.amendments[-1]
    assert latest.version == plan.version
    changes = " ".join(latest.changes)
    for subject in ("Alcohol", "Drugs", "85% to 80%", "KSI", "Every Child Matters", "£15m", "Counter terrorism"):
        assert subject in changes
    assert (plan.strategy.first_year, plan.strategy.last_year) == ("2006/07", "2008/09")


def test_data_sources_exist_and_rules_use_their_canonical_attributes(plan, data_dir):
    from policingplan.data.readers import ATTRIBUTES

    kinds = {source.kind for source in plan.data_sources}
    for source in plan.data_sources:
        for file in source.files:
            assert resolve(file, data_dir).is_file(), file
    for measure in plan.measures:
        if measure.rule is None:
            continue
        assert measure.source in kinds, measure.id
        for rule in (measure.rule.count, measure.rule.numerator, measure.rule.denominator):
            assert set(rule or {}) <= set(ATTRIBUTES[measure.source]), measure.id


def test_counting_rule_values_are_spelt_as_in_the_files(plan, data_dir):
    with open_text(data_dir / "london/mps-recorded-crime-borough-monthly_2010-04_2024-02.csv.gz") as f:
        pairs = {(row[0], row[1]) for row in csv.reader(f)}
    majors = {major for major, _ in pairs}
    for measure_id in ("burglary", "robbery", "violence-with-injury"):
        rule = plan.measure(measure_id).rule.count
        assert set(rule["major"]) <= majors
        for minor in rule.get("minor", []):
            assert any((major, minor) in pairs for major in rule["major"])
    with open_text(data_dir / "london/mps-crime-dashboard-borough_2021-08_2025-07.csv.gz") as f:
        dashboard = {(r["crime_type"], r["crime_subtype"], r["measure"]) for r in csv.DictReader(f)}
    rule = plan.measure("knife-crime-positive-outcome-rate").rule
    for side in (rule.numerator, rule.denominator):
        assert (side["crime_type"][0], side["crime_subtype"][0], side["measure"][0]) in dashboard


def test_make_unit_targets_reproduces_the_committed_table(project_root, tmp_path):
    import shutil
    import subprocess
    import sys

    copy = tmp_path / "london-2007-08"
    shutil.copytree(project_root / "examples" / "london-2007-08", copy)
    done = subprocess.run([sys.executable, str(copy / "make_unit_targets.py")], cwd=project_root,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    committed = (project_root / "examples" / "london-2007-08" / "unit_targets.csv").read_text(encoding="utf-8")
    assert (copy / "unit_targets.csv").read_text(encoding="utf-8") == committed
