"""The target-setting service on the London examples: the figures every face shows, and every
problem of a units table reported at once."""

from __future__ import annotations

import math

import pyarrow as pa
import pytest

from policingplan.attribution import attribution
from policingplan.problems import UserError
from policingplan.results import Result
from policingplan.services import targets
from policingplan.targets.units_input import parse_unit_inputs

GLA = attribution(["gla-borough-fy"])
WESTMINSTER = "E09000033"


@pytest.fixture(scope="module")
def london(project_root):
    return targets.load_plan(project_root / "examples" / "london-2007-08")


@pytest.fixture(scope="module")
def london_2023(project_root):
    return targets.load_plan(project_root / "examples" / "london-2023-24")


# --- the units table --------------------------------------------------------------------------------


def test_every_problem_of_a_units_table_is_reported_with_file_line_column_value_and_accepted():
    text = ("unit,baseline,max_reduction,colour\n"
            "A,1000,0.05,red\n"
            "B,abc,0.05,red\n"
            "A,900,5.5,red\n"
            ",1000,,\n"
            "C,0,,\n")
    units, problems = parse_unit_inputs(text, "units.csv")
    assert units == []
    found = {(p.line, p.column, p.value) for p in problems.errors}
    assert found == {(1, "colour", "colour"), (3, "baseline", "abc"), (4, "unit", "A"), (4, "max_reduction", "5.5"),
                     (5, "unit", ""), (6, "baseline", "0")}
    assert all(p.file == "units.csv" and p.accepted for p in problems.errors)
    with pytest.raises(UserError) as raised:
        targets.allocate_from_text(text, "units.csv", 0.055)
    assert len(raised.value.problems) == 6 and str(raised.value) == str(raised.value.problems[0])


def test_a_good_units_table_is_allocated_exactly():
    text = "unit,baseline,population,peer_group\nA,1000,10000,g\nB,2000,10000,g\nC,3000,\n"
    result = targets.allocate_from_text(text, "units.csv", 0.05, "uniform")
    assert result.required_total == math.floor(6000 * 0.95) == result.target_total
    assert [u.unit for u in result.units] == ["A", "B", "C"]
    assert result.achieved_reduction == pytest.approx(0.05) and result.baseline_total == 6000
    assert set(result.model_dump()) == {"method", "reduction", "required_total", "target_total", "meets", "feasible",
                                        "best_reachable_reduction", "units"}
    assert result.model_dump()["units"][0] == {"unit": "A", "baseline": 1000, "reduction": 0.05, "target": 950,
                                               "reason": result.units[0].reason}


def test_a_units_file_that_cannot_be_read_is_one_problem(tmp_path):
    with pytest.raises(UserError, match="nope.csv: the file does not exist"):
        targets.allocate_from_path(tmp_path / "nope.csv", 0.05)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("unit,baseline\nK\xf6ln,10\n".encode("latin-1"))
    with pytest.raises(UserError, match="not UTF-8"):
        targets.allocate_from_path(latin, 0.05)


def test_a_floor_and_cap_without_a_whole_crime_between_them_is_a_user_error():
    text = "unit,baseline,min_reduction,max_reduction\nA,3,0.5,0.5000001\n"
    with pytest.raises(UserError, match="leave no whole number of crimes"):
        targets.allocate_from_text(text, "units.csv", 0.05)


# --- the plan's own unit targets, and fresh allocations ----------------------------------------------


def test_the_london_plans_own_targets_meet_its_force_target(london):
    check = targets.plan_targets_check(london)
    assert (check.required_total, check.target_total, check.slack, check.meets) == (866_306, 866_306, 0, True)
    assert check.corporate.change == pytest.approx(-0.055) and "midpoint" in check.corporate.basis
    assert check.allocation.method == "stretch" and check.allocation.changed == []
    assert check.requirement.id == "psa1" and check.requirement.shortfall == 7_571
    assert check.requirement.with_unit_targets is None  # the units' targets meet the corporate figure
    assert check.attribution == GLA and "Greater London Authority" in check.attribution_line
    westminster = next(u for u in check.units if u.unit == WESTMINSTER)
    assert (westminster.name, westminster.baseline, westminster.target) == ("Westminster", 66_267, 59_255)
    dumped = check.model_dump(mode="json")
    assert "plan_name" not in dumped and "changed_words" not in dumped and dumped["targets"] == "plan"


def test_a_plan_that_cannot_be_checked_names_the_folder_and_a_fresh_allocation(london_2023):
    with pytest.raises(UserError, match="several measures"):
        targets.plan_targets_check(london_2023)
    check = targets.plan_targets_check(london_2023, "neighbourhood-crime", plan_label="examples/london-2023-24")
    assert check.meets and check.attribution == attribution(["mps-borough-monthly"])


def test_a_fresh_allocation_with_what_ifs(london):
    units = targets.allocation_units(london)
    assert units[WESTMINSTER] == "Westminster" and len(units) == 32
    fresh = targets.fresh_plan_allocation(london, reduction=0.0693, caps={WESTMINSTER: 0.08})
    assert fresh.fresh_allocation and fresh.label == targets.FRESH and fresh.requirement.id == "psa1"
    assert fresh.target_total <= fresh.required_total == math.floor(916_726 * (1 - 0.0693))
    assert fresh.plan_target_total == 866_306 and WESTMINSTER in fresh.differ_from_plan
    assert "cap of 8.0%" in next(u.reason for u in fresh.units if u.unit == WESTMINSTER)
    capped = targets.fresh_plan_allocation(london, caps={code: 0.01 for code in units})
    assert not capped.feasible and capped.infeasible_reason.startswith("with every unit at its cap")
    with pytest.raises(UserError, match="not one of the units"):
        targets.fresh_plan_allocation(london, floors={"Atlantis": 0.1})


# --- requirements and rate targets --------------------------------------------------------------------


def test_psa1_from_the_figures_and_from_the_plan(london, london_2023):
    figures = targets.requirement_from_figures(612_000, -0.134, -0.055, -0.194)
    assert figures.shortfall == 7_571 and not figures.meets
    assert set(figures.model_dump()) == {"projected_change", "meets", "shortfall", "required_in_year_change"}
    with pytest.raises(UserError, match="--baseline: not a number of crimes above 0"):
        targets.requirement_from_figures(-5, -0.134, -0.055, -0.194)
    plan = targets.plan_requirement(london)
    assert (plan.requirement, plan.shortfall, plan.baseline_period) == ("psa1", figures.shortfall, plan.baseline_period)
    assert plan.projected_change == pytest.approx(figures.projected_change) and plan.attribution == GLA
    assert plan.notes and plan.name.startswith("Public Service Agreement 1")
    [outturn] = plan.notes
    assert outturn.code == "targets.requirement-outturn" and outturn.values["change"] == -0.134
    assert outturn.text == (f"{plan.name}: -13.4% by 2006/07 against 2003/04; the plan's 2007/08 force target is "
                            "applied to that.")
    with pytest.raises(UserError, match="examples/london-2023-24: the plan has no external requirement"):
        targets.plan_requirement(london_2023, plan_label="examples/london-2023-24")


def test_rate_target_chances():
    table = targets.rate_target_chances([0.80, 0.85], [0.822, 0.855], 170)
    assert [(c.target_rate, c.true_rate) for c in table.chances] == [(0.80, 0.822), (0.80, 0.855), (0.85, 0.822),
                                                                     (0.85, 0.855)]
    assert table.chances[0].probability > 0.75 > 0.2 > table.chances[2].probability
    assert "sentence" not in table.chances[0].model_dump() and "chance of showing 80%" in table.chances[0].sentence


# --- partners ------------------------------------------------------------------------------------------


def test_months_are_summed_into_whole_financial_years_only():
    months = [f"2021-{m:02d}" for m in range(4, 13)] + [f"2022-{m:02d}" for m in range(1, 5)]  # 2021/22 and April 2022
    table = pa.table({"unit": ["A"] * len(months) + ["B"], "month": months + ["2006/07"],
                      "period_kind": ["month"] * len(months) + ["fy"], "numerator": [10.0] * len(months) + [7.0]})
    volumes = targets._by_period(table)
    assert volumes["A"]["2021/22"] == 120 and "2022/23" not in volumes["A"] and volumes["A"]["2022-04"] == 10
    assert volumes["B"] == {"2006/07": 7}


def test_partner_alignment_json_keeps_its_keys(london, tmp_path):
    result = targets.partner_alignment(london, warehouse_dir=tmp_path / "empty")
    assert list(result.model_dump()) == ["measure", "period", "required_total", "unit_total", "stretched_total", "meets",
                                         "slack", "partner_targets", "notes", "unit_targets", "attribution"]
    assert result.unit_targets == "plan" and result.own_meets and result.own_margin == 0 and result.margin == 2_043


def test_a_plan_without_data_files_for_the_measure_says_so(london, tmp_path):
    counted, notes = targets.counted_unit_volumes(london, "bcs-comparator-crimes", warehouse_dir=tmp_path / "empty",
                                                  data_dir=tmp_path / "no-data")
    assert counted == {} and len(notes) == 2 and "was not found in the data directory" in notes[0].text
    assert [n.code for n in notes] == ["targets.data-file-not-found"] * 2
    assert notes[0].values["data_dir"] == str(tmp_path / "no-data")
    assert str(notes[0]) == (f"{notes[0].values['file']} was not found in the data directory ({tmp_path / 'no-data'}); "
                             "set POLICINGPLAN_DATA_DIR.")


def test_every_result_is_a_result():
    assert all(issubclass(model, Result) for model in targets.RESULTS)


# --- notes are coded notices ---------------------------------------------------------------------------


def _with_targets(plan, change):
    """``plan`` with each of its 2007/08 comparator targets passed through ``change`` (a target → a target)."""
    return plan.model_copy(update={"targets": [change(t) if t.measure == "bcs-comparator-crimes" and
                                               t.period == plan.period else t for t in plan.targets]})


def test_every_targets_note_is_a_registered_notice_with_its_sentence():
    from policingplan.results import NOTICE_TEXTS
    from policingplan.targets import allocation, partners, plan_check, plan_inputs  # noqa: F401 (they register theirs)

    codes = {code for code in NOTICE_TEXTS if code.startswith("targets.")}
    assert codes == {
        "targets.infeasible", "targets.unit-without-peer-rate", "targets.units-without-peer-rate",
        "targets.partner-target-left-out", "targets.partner-target-not-compared", "targets.partner-targets-not-compared",
        "targets.requirement-outturn", "targets.outturn-years-between", "targets.deadline-not-plan-year",
        "targets.no-comparison-not-a-reduction", "targets.no-comparison-inputs", "targets.no-comparison-infeasible",
        "targets.fresh-unit-targets", "targets.no-data-source", "targets.data-file-not-found",
        "targets.data-file-unreadable", "targets.unit-targets-over",
    }


def test_a_requirement_on_an_older_outturn_and_a_later_deadline_says_both(london):
    from policingplan.targets import plan_inputs

    requirement = london.requirements[0].model_copy(update={"outturns": {"2005/06": -0.1}, "deadline_period": "2008/09"})
    notes = plan_inputs.requirement_notes(london, requirement)
    assert [n.code for n in notes] == ["targets.requirement-outturn", "targets.outturn-years-between",
                                       "targets.deadline-not-plan-year"]
    assert notes[0].values["change"] == -0.1 and notes[0].values["change_text"] == "-10.0%"
    assert [str(n) for n in notes[1:]] == [
        "The latest outturn is for 2005/06, not the year before 2007/08: the years between are taken as no change.",
        "The requirement's deadline is 2008/09; this projects to the end of 2007/08 only.",
    ]
    assert notes[2].values == {"deadline_period": "2008/09", "plan_period": "2007/08"}


def test_partners_without_every_unit_target_say_it_is_a_fresh_allocation(london, tmp_path):
    plan = _with_targets(london, lambda t: t.model_copy(update={"value": None}) if t.scope == WESTMINSTER else t)
    result = targets.partner_alignment(plan, warehouse_dir=tmp_path / "empty")
    assert result.unit_targets == "fresh allocation"
    fresh = result.notes[0]
    assert fresh.code == "targets.fresh-unit-targets" and fresh.values == {"measure": "bcs-comparator-crimes",
                                                                          "method": "stretch"}
    assert fresh.text == ("A fresh allocation, not the plan's targets: not every unit target has a value, so the unit "
                          "targets are a stretch allocation of the force target.")
    dumped = result.model_dump(mode="json")["notes"][0]
    assert dumped == {"code": "targets.fresh-unit-targets", "values": fresh.values, "text": fresh.text, "about": None}


def test_partners_without_a_data_source_or_with_unreadable_files_say_so(london, tmp_path):
    from policingplan.data.files import plan_data_files

    measure = "bcs-comparator-crimes"
    no_source = london.model_copy(update={"measures": [m.model_copy(update={"source": None}) if m.id == measure else m
                                                       for m in london.measures]})
    counted, [note] = targets.counted_unit_volumes(no_source, measure, warehouse_dir=tmp_path / "empty")
    assert counted == {} and note.code == "targets.no-data-source" and note.values == {"measure": measure}
    assert note.text == (f"No data source is given for {measure}, so partner targets on another baseline year "
                         "cannot be converted.")
    bad = tmp_path / "bad"
    for _, name, path in plan_data_files(london, bad, london.measure(measure).source):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"not,a,real\nfile\x00\x01")
    counted, notes = targets.counted_unit_volumes(london, measure, warehouse_dir=tmp_path / "empty", data_dir=bad)
    assert counted == {} and [n.code for n in notes] == ["targets.data-file-unreadable"] * 2
    assert notes[0].text == f"{notes[0].values['file']} could not be read: {notes[0].values['problem']}"
    assert "binary data" in notes[0].values["problem"] and notes[0].values["kind"] == london.measure(measure).source


def test_a_check_with_no_fresh_allocation_to_compare_says_why_as_a_notice(london):
    plan = _with_targets(london, lambda t: t.model_copy(update={"max_reduction": 0.001}) if t.scope != "force" else t)
    check = targets.plan_targets_check(plan)
    note = check.allocation.note
    assert check.allocation.method is None and note.code == "targets.no-comparison-infeasible"
    assert str(note) == "no fresh allocation to compare with: the plan's floors and caps cannot meet the corporate figure"
    assert check.model_dump(mode="json")["allocation"]["note"]["code"] == "targets.no-comparison-infeasible"
    assert targets.plan_targets_check(london).allocation.note is None
