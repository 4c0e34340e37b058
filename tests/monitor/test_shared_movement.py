"""The force moving as one: units forecast together, the force as their sum, and the count of units meeting.

On the London 2023/24 example and its real data (the MPS borough file).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from policingplan.data.measures import measure_values
from policingplan.data.warehouse import Warehouse
from policingplan.monitor.core import monitor_plan_positions
from policingplan.periods import Month
from policingplan.plan.model import FORCE
from policingplan.stats.calibration import count_meeting
from policingplan.stats.forecast import forecast_together, forecast_year_end

MEASURE = "neighbourhood-crime"
AS_OF = "2023-09"


@pytest.fixture(scope="module")
def rows(example_plan, example_warehouse):
    return measure_values(example_plan, Warehouse(example_warehouse)).to_pylist()


@pytest.fixture(scope="module")
def histories(rows):
    by_unit: dict[str, dict[str, float]] = defaultdict(dict)
    for row in rows:
        if row["measure"] == MEASURE and row["period_kind"] == "month" and Month(row["month"]) <= Month(AS_OF):
            by_unit[row["unit"]][row["month"]] = row["numerator"]
    return by_unit


@pytest.fixture(scope="module")
def positions(example_plan, rows):
    return monitor_plan_positions(example_plan, rows, AS_OF)


def test_the_force_forecast_is_the_sum_of_its_units_and_the_records_in_none_of_them(example_plan, histories):
    units = [u.code for u in example_plan.units]
    rest = {m: v - sum(histories[u].get(m, 0) for u in units) for m, v in histories[FORCE].items()}
    joint = forecast_together({u: histories[u] for u in units}, "2023/24", AS_OF, rest=rest)
    rest_alone = forecast_year_end(rest, "2023/24", AS_OF)
    units_sum = sum(f.forecast_total for f in joint.units)
    assert joint.total.forecast_total == pytest.approx(units_sum + rest_alone.forecast_total, rel=1e-12)
    # The year to date adds up exactly, and is the force's own.
    assert joint.total.year_to_date == pytest.approx(sum(v for m, v in histories[FORCE].items() if m >= "2023-04"))
    # The force's own forecast, made alone, tells the same story to within a few per cent.
    alone = forecast_year_end(histories[FORCE], "2023/24", AS_OF)
    assert joint.total.forecast_total == pytest.approx(alone.forecast_total, rel=0.03)
    low, high = joint.total.interval_80
    assert low < joint.total.forecast_total < high


def test_each_units_forecast_is_unchanged_by_the_shared_movement(example_plan, histories):
    units = [u.code for u in example_plan.units]
    joint = forecast_together({u: histories[u] for u in units}, "2023/24", AS_OF,
                              targets={units[0]: 10_000.0})
    peers = {u: histories[u] for u in units[1:]}
    alone = forecast_year_end(histories[units[0]], "2023/24", AS_OF, target=10_000.0, peers=peers)
    assert joint.units[0].forecast_total == pytest.approx(alone.forecast_total)
    assert joint.units[0].interval_80 == pytest.approx(alone.interval_80)
    assert joint.units[0].p_meet_target == pytest.approx(alone.p_meet_target)


def test_the_units_share_a_measured_part_of_their_error_and_it_widens_the_forces_interval(example_plan, histories):
    units = [u.code for u in example_plan.units]
    rest = {m: v - sum(histories[u].get(m, 0) for u in units) for m, v in histories[FORCE].items()}
    joint = forecast_together({u: histories[u] for u in units}, "2023/24", AS_OF, rest=rest)
    assert joint.rho_measured and 0.05 < joint.rho < 0.95
    # Drawn as if independent, the same units' sum would have a far narrower interval.
    fits = [forecast_year_end(histories[u], "2023/24", AS_OF,
                              peers={p: histories[p] for p in units if p != u}) for u in units]
    half_widths = np.array([(f.interval_80[1] - f.interval_80[0]) / 2 for f in fits])
    independent_half_width = float(np.sqrt((half_widths ** 2).sum()))
    together_half_width = (joint.total.interval_80[1] - joint.total.interval_80[0]) / 2
    assert together_half_width > 1.5 * independent_half_width


def test_the_monitor_gives_each_measure_the_units_expected_to_meet_their_targets(positions):
    by_measure = {m.measure: m for m in positions.units_meeting}
    assert set(by_measure) == {"neighbourhood-crime", "violence-with-injury", "knife-crime-offences"}
    for measure, meeting in by_measure.items():
        scored = [p for p in positions.positions
                  if p.measure == measure and p.unit != FORCE and p.p_meet_target is not None]
        assert meeting.units == len(scored) == 32
        assert meeting.expected == pytest.approx(sum(p.p_meet_target for p in scored))
        low, high = meeting.interval_80
        assert 0 <= low <= high <= 32
        # The interval is the count's under the measured shared movement, not the independent one.
        assert (low, high) == count_meeting([p.p_meet_target for p in scored], meeting.rho).interval(0.8)
        assert meeting.rho_measured


def test_the_force_position_is_the_sum_of_the_units(positions, example_plan, histories):
    force = next(p for p in positions.positions if p.measure == MEASURE and p.unit == FORCE)
    units = [u.code for u in example_plan.units]
    rest = {m: v - sum(histories[u].get(m, 0) for u in units) for m, v in histories[FORCE].items()}
    joint = forecast_together({u: histories[u] for u in units}, "2023/24", AS_OF, rest=rest,
                              total_target=force.target)
    assert force.forecast_total == pytest.approx(joint.total.forecast_total)
    assert force.p_meet_target == pytest.approx(joint.total.p_meet_target)
    assert force.interval_95[0] < force.interval_80[0] < force.interval_80[1] < force.interval_95[1]


def test_one_units_monitor_counts_no_units(example_plan, rows):
    assert monitor_plan_positions(example_plan, rows, AS_OF, unit="E09000033").units_meeting == []
