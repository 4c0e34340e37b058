"""The monitor's pure core on small in-memory plans and series."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

from policingplan.monitor.core import _passed_up, default_as_of, monitor_targets, status_of
from policingplan.results import Notice, notice
from policingplan.plan.model import CountingRule, Measure, Objective, Plan, Priority, Target, Unit
from policingplan.periods import FinancialYear, Month


def _plan(targets: list[Target], measures: list[Measure] | None = None) -> Plan:
    measures = measures or [
        Measure(id="burglary", name="Burglary", kind="count", polarity="lower", unit_of_count="offences",
                source="tidy", rule=CountingRule(count={"measure": ["burglary"]})),
        Measure(id="sd_rate", name="SD rate", kind="ratio", polarity="higher", unit_of_count="per offence",
                source="tidy", rule=CountingRule(numerator={"measure": ["sd"]}, denominator={"measure": ["offences"]})),
    ]
    return Plan(
        id="t", name="Test", organisation="Test", period="2023/24",
        priorities=[Priority(id="p", name="P", objectives=[Objective(id="o", name="O", measures=[m.id for m in measures])])],
        measures=measures, targets=targets,
        units=[Unit(code="A", name="Alpha"), Unit(code="B", name="Beta")],
    )


def _count_rows(unit: str, first: str, values: list[float], measure: str = "burglary") -> list[dict]:
    start = Month(first)
    return [{"measure": measure, "unit": unit, "month": str(start + i), "numerator": v, "denominator": None}
            for i, v in enumerate(values)]


def _seasonal(n: int, level: float, amplitude: float = 0.1) -> list[float]:
    return [round(level * (1 + amplitude * math.sin(2 * math.pi * i / 12))) for i in range(n)]


HISTORY_START = "2019-04"  # five years before the plan year, so the forecast has history
N_TO_SEPT_2023 = Month("2023-09") - Month(HISTORY_START) + 1


def test_change_target_is_a_volume_on_the_stated_baseline():
    plan = _plan([Target(measure="burglary", scope="A", period="2023/24", kind="change",
                         baseline_period="2022/23", baseline=1000, value=-0.05)])
    rows = _count_rows("A", HISTORY_START, _seasonal(N_TO_SEPT_2023, 80))
    (position,) = monitor_targets(plan, rows, "2023-09")
    assert position.target == pytest.approx(950)
    assert position.unit == "A" and position.polarity == "lower"


def test_change_target_without_a_stated_baseline_uses_the_baseline_year_from_the_data():
    plan = _plan([Target(measure="burglary", scope="A", period="2023/24", kind="change",
                         baseline_period="2022/23", value=-0.10)])
    values = _seasonal(N_TO_SEPT_2023, 80)
    rows = _count_rows("A", HISTORY_START, values)
    baseline = sum(v for i, v in enumerate(values) if Month(HISTORY_START) + i in FinancialYear("2022/23"))
    (position,) = monitor_targets(plan, rows, "2023-09")
    assert position.baseline == baseline
    assert position.target == pytest.approx(baseline * 0.9)


def test_a_stated_baseline_that_disagrees_with_the_data_gives_a_warning():
    plan = _plan([Target(measure="burglary", scope="A", period="2023/24", kind="change",
                         baseline_period="2022/23", baseline=5000, value=-0.05)])
    values = _seasonal(N_TO_SEPT_2023, 80)
    rows = _count_rows("A", HISTORY_START, values)
    counted = sum(v for i, v in enumerate(values) if Month(HISTORY_START) + i in FinancialYear("2022/23"))
    (position,) = monitor_targets(plan, rows, "2023-09")
    assert f"the plan's baseline 5,000 differs from the data's {counted:,}" in " ".join(map(str, position.warnings))
    (differs,) = [n for n in position.warnings if n.code == "monitor.baseline-differs"]
    assert (differs.values["plan_baseline"], differs.values["data_baseline"]) == (5000, counted)


def test_year_to_date_sums_the_plan_year_months_up_to_as_of():
    plan = _plan([Target(measure="burglary", scope="A", period="2023/24", kind="level", value=900)])
    values = list(range(1, N_TO_SEPT_2023 + 1))
    rows = _count_rows("A", HISTORY_START, values)
    (position,) = monitor_targets(plan, rows, "2023-06")
    april = Month("2023-04") - Month(HISTORY_START)
    assert position.year_to_date == values[april] + values[april + 1] + values[april + 2]
    assert position.months_to_date == 3


def test_rows_after_as_of_change_nothing():
    plan = _plan([Target(measure="burglary", scope="A", period="2023/24", kind="change",
                         baseline_period="2022/23", value=-0.05)])
    rows = _count_rows("A", HISTORY_START, _seasonal(N_TO_SEPT_2023, 80))
    later = _count_rows("A", "2023-10", [5000, 0, 7, 12000])
    assert monitor_targets(plan, rows, "2023-09") == monitor_targets(plan, rows + later, "2023-09")


def test_a_missing_month_is_left_out_with_a_warning_never_read_as_zero():
    plan = _plan([Target(measure="burglary", scope="A", period="2023/24", kind="level", value=900)])
    rows = [r for r in _count_rows("A", HISTORY_START, [100] * N_TO_SEPT_2023) if r["month"] != "2023-05"]
    (position,) = monitor_targets(plan, rows, "2023-09")
    assert position.year_to_date == 500  # April and June to September
    (missing,) = [n for n in position.warnings if n.code == "monitor.months-missing"]
    assert str(missing) == "no data for May 2023: the year to date leaves them out"
    assert missing.values["missing"] == ["2023-05"]
    assert position.forecast_total > 1150  # May is forecast, not read as zero (which would give 1,100)


def test_force_series_sums_the_units_and_a_ratio_is_recomputed_not_averaged():
    plan = _plan([Target(measure="sd_rate", scope="force", period="2023/24", kind="level", value=0.2)])
    n = N_TO_SEPT_2023
    rows = []
    for unit, num, den in (("A", 10, 100), ("B", 90, 300)):
        start = Month(HISTORY_START)
        rows += [{"measure": "sd_rate", "unit": unit, "month": str(start + i), "numerator": num, "denominator": den}
                 for i in range(n)]
    (position,) = monitor_targets(plan, rows, "2023-09")
    assert position.unit == "force"
    assert position.year_to_date == pytest.approx(100 / 400)  # not the mean of 10% and 30%
    assert position.kind == "ratio"
    assert position.p_meet_target > 0.9


def test_explicit_force_rows_are_used_instead_of_the_sum():
    plan = _plan([Target(measure="burglary", scope="force", period="2023/24", kind="level", value=9000)])
    rows = (_count_rows("A", HISTORY_START, [100] * N_TO_SEPT_2023)
            + _count_rows("force", HISTORY_START, [700] * N_TO_SEPT_2023))
    (position,) = monitor_targets(plan, rows, "2023-09")
    assert position.year_to_date == 6 * 700


def test_spc_target_for_a_count_is_the_monthly_equivalent():
    # A steady 100 a month: a year target of 2,400 (200 a month) sits above the upper limit
    # (a consistent pass for lower-is-better); 600 (50 a month) below the lower one.
    values = [100 + (i % 3) - 1 for i in range(N_TO_SEPT_2023)]
    rows = _count_rows("A", HISTORY_START, values)
    easy = _plan([Target(measure="burglary", scope="A", period="2023/24", kind="level", value=2400)])
    hard = _plan([Target(measure="burglary", scope="A", period="2023/24", kind="level", value=600)])
    assert monitor_targets(easy, rows, "2023-09")[0].assurance == "consistent_pass"
    assert monitor_targets(hard, rows, "2023-09")[0].assurance == "consistent_fail"


def test_yearly_source_is_reported_not_judged_and_uses_only_years_ended_by_as_of():
    measure = Measure(id="solved", name="Solved", kind="ratio", polarity="higher", unit_of_count="per victim",
                      source="mps-homicide-victims", rule=CountingRule(numerator={"solved": ["solved"]}, denominator={}))
    plan = _plan([Target(measure="solved", period="2023/24", kind="level", value=0.85)], measures=[measure])
    rows = [
        {"measure": "solved", "unit": "force", "month": "2022", "period_kind": "year", "numerator": 85, "denominator": 106},
        {"measure": "solved", "unit": "force", "month": "2023", "period_kind": "year", "numerator": 16, "denominator": 22},
    ]
    (position,) = monitor_targets(plan, rows, "2023-09")
    assert position.p_meet_target is None and position.year_to_date is None
    assert any("2022: 80.2% (85 of 106)" in str(w) for w in position.warnings)
    assert not any("2023:" in str(w) for w in position.warnings)
    assert [n.code for n in position.warnings] == ["monitor.published-by-year", "monitor.latest-complete-year"]


def test_measure_without_data_is_not_assessed_with_its_data_note():
    measure = Measure(id="confidence", name="Confidence", kind="percentage", polarity="higher",
                      unit_of_count="per cent", data_note="no survey in the data")
    plan = _plan([Target(measure="confidence", period="2023/24", kind="level", value=0.8)], measures=[measure])
    (position,) = monitor_targets(plan, [], "2023-09")
    assert position.status == "not_assessed"
    assert [str(n) for n in position.warnings] == ["the measure has no data source: no survey in the data"]
    assert position.warnings[0].code == "monitor.no-data-source-note"


def test_one_position_per_target_force_first_and_unit_filter():
    targets = [Target(measure="burglary", scope=s, period="2023/24", kind="level", value=v)
               for s, v in (("B", 500), ("force", 1000), ("A", 500))]
    rows = _count_rows("A", HISTORY_START, [40] * N_TO_SEPT_2023) + _count_rows("B", HISTORY_START, [40] * N_TO_SEPT_2023)
    positions = monitor_targets(_plan(targets), rows, "2023-09")
    assert [p.unit for p in positions] == ["force", "A", "B"]
    assert [p.unit for p in monitor_targets(_plan(targets), rows, "2023-09", unit="B")] == ["B"]


def test_range_target_is_judged_at_its_less_stretching_end():
    plan = _plan([Target(measure="burglary", scope="A", period="2023/24", kind="range",
                         baseline_period="2022/23", baseline=1000, minimum=-0.06, maximum=-0.05)])
    rows = _count_rows("A", HISTORY_START, [80] * N_TO_SEPT_2023)
    (position,) = monitor_targets(plan, rows, "2023-09")
    assert position.target == pytest.approx(950)
    (judged,) = [n for n in position.warnings if n.code == "monitor.range-less-stretching-end"]
    assert str(judged) == "a range target is judged against its less stretching end"


@pytest.mark.parametrize("target, polarity, met_at", [
    (222947.9, "lower", 222947), (222947.0, "lower", 222947), (12.1, "higher", 13), (12.0, "higher", 12),
])
def test_a_counts_target_is_met_at_a_whole_number(target, polarity, met_at):
    plan = _plan([Target(measure="burglary", scope="A", period="2023/24", kind="level", value=target)])
    measure = plan.measures[0].model_copy(update={"polarity": polarity})
    plan = plan.model_copy(update={"measures": [measure, plan.measures[1]]})
    (position,) = monitor_targets(plan, _count_rows("A", HISTORY_START, [80] * N_TO_SEPT_2023), "2023-09")
    assert position.met_at == met_at


def test_a_rates_target_is_met_at_the_target_itself():
    plan = _plan([Target(measure="sd_rate", scope="A", period="2023/24", kind="level", value=0.2)])
    rows = [{"measure": "sd_rate", "unit": "A", "month": str(Month(HISTORY_START) + i), "numerator": 10,
             "denominator": 100} for i in range(N_TO_SEPT_2023)]
    (position,) = monitor_targets(plan, rows, "2023-09")
    assert position.met_at == position.target == 0.2


def test_a_parts_warning_is_passed_up_as_a_notice_with_the_same_sentence():
    chart = notice("monitor.neutral-measure")
    assert str(_passed_up(chart, "SPC")) == "SPC: a neutral measure has no chance of meeting a target"
    assert _passed_up(chart, "SPC").code == "monitor.neutral-measure"
    assert _passed_up(chart) == chart
    sentence = _passed_up("fewer than 12 points: the limits are provisional", "SPC")
    assert isinstance(sentence, Notice) and sentence.code == "monitor.passed-up"
    assert str(sentence) == "SPC: fewer than 12 points: the limits are provisional"
    assert str(_passed_up("short history")) == "short history"


def test_spc_notices_come_up_labelled_spc():
    # The as-of month has no value: the chart's last point is missing, and SPC says so.
    plan = _plan([Target(measure="burglary", scope="A", period="2023/24", kind="level", value=900)])
    rows = _count_rows("A", HISTORY_START, [80] * (N_TO_SEPT_2023 - 1))
    (position,) = monitor_targets(plan, rows, "2023-09")
    spc = [n for n in position.warnings if n.about == "SPC"]
    assert spc and all(str(n) == f"SPC: {n.text}" for n in spc)
    assert "SPC: The last point (18) is missing; the variation icon describes point 17." in map(str, spc)


@pytest.mark.parametrize("p, status", [
    (0.8, "likely"), (0.95, "likely"), (0.79, "in_the_balance"), (0.21, "in_the_balance"),
    (0.2, "unlikely"), (0.0, "unlikely"), (None, "not_assessed"),
])
def test_status_thresholds(p, status):
    assert status_of(p) == status


def test_default_as_of_is_the_latest_month_every_targeted_measure_has_within_the_plan_year():
    targets = [Target(measure=m, scope="A", period="2023/24", kind="level", value=1) for m in ("burglary", "sd_rate")]
    plan = _plan(targets)
    rows = (_count_rows("A", "2023-01", [1] * 14)  # burglary to 2024-02
            + _count_rows("A", "2023-01", [1] * 30, measure="sd_rate")  # to 2025-06
            + [{"measure": "sd_rate", "unit": "A", "month": "2026", "period_kind": "year", "numerator": 1}])
    assert default_as_of(plan, rows) == Month("2024-02")
    assert default_as_of(_plan(targets[1:]), rows) == Month("2024-03")  # capped at the plan year's end
    assert default_as_of(plan, []) is None


@settings(max_examples=40, deadline=None)
@given(
    history=st.lists(st.integers(min_value=0, max_value=500), min_size=N_TO_SEPT_2023, max_size=N_TO_SEPT_2023),
    later=st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=10**6)), min_size=1, max_size=6),
    as_of=st.sampled_from(["2023-04", "2023-07", "2023-09"]),
)
def test_property_later_months_never_change_a_position(history, later, as_of):
    plan = _plan([Target(measure="burglary", scope="A", period="2023/24", kind="change",
                         baseline_period="2022/23", value=-0.05)])
    rows = [r for r in _count_rows("A", HISTORY_START, history) if Month(r["month"]) <= Month(as_of)]
    extra = _count_rows("A", str(Month(as_of) + 1), later)
    (before,) = monitor_targets(plan, rows, as_of)
    (after,) = monitor_targets(plan, rows + extra, as_of)
    assert before == after
    april = Month("2023-04") - Month(HISTORY_START)
    assert before.year_to_date == sum(history[april:april + Month(as_of).fy_index])
