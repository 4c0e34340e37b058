"""Benefits realisation: planned against actual, and benefits late or off track, with hand-worked dates.

The benefit below runs from a baseline of 100 on 31 March 2007 to a target of 200 on 31 March 2008:
366 days (29 February 2008 falls inside).  On 30 September 2007 (183 days in) half the change is
planned: 150."""

from __future__ import annotations

import datetime as dt

import pytest

from policingplan.portfolio.model import Actual, Baseline, Benefit, Metric
from policingplan.portfolio.realisation import assess, planned_share, planned_value, series

D = dt.date


def benefit(*actuals: tuple[dt.date, float], target=200.0, starts=None, tolerance=0.1) -> Benefit:
    return Benefit(id="b", name="b", owner="o", metric=Metric(name="m", unit="u"),
                   baseline=Baseline(value=100, date=D(2007, 3, 31)), target=target, due=D(2008, 3, 31),
                   starts=starts, tolerance=tolerance, actuals=[Actual(date=d, value=v) for d, v in actuals])


def test_the_planned_path_is_a_straight_line_from_the_baseline_to_the_target():
    b = benefit()
    assert planned_share(b, D(2007, 3, 31)) == 0
    assert planned_share(b, D(2007, 9, 30)) == 183 / 366 == 0.5
    assert planned_value(b, D(2007, 9, 30)) == 150
    assert planned_value(b, D(2008, 3, 31)) == 200 and planned_value(b, D(2009, 1, 1)) == 200
    assert planned_value(b, D(2006, 1, 1)) == 100


def test_realisation_may_start_after_the_baseline():
    b = benefit(starts=D(2007, 10, 1))  # 182 days from 1 October 2007 to 31 March 2008
    assert planned_value(b, D(2007, 9, 30)) == 100
    assert planned_share(b, D(2007, 12, 31)) == 91 / 182 == 0.5


@pytest.mark.parametrize("actuals, as_of, status", [
    ([], D(2007, 10, 1), "awaiting_data"),
    # 30 September: 50% planned; 145 is 45% of the change, within the tolerance of 10 points.
    ([(D(2007, 9, 30), 145)], D(2007, 10, 1), "on_track"),
    # 140 is 40%: exactly 10 points behind is still on track; 139 is not.
    ([(D(2007, 9, 30), 140)], D(2007, 10, 1), "on_track"),
    ([(D(2007, 9, 30), 139)], D(2007, 10, 1), "off_track"),
    # Judged at the latest actual's date, not the as-of date.
    ([(D(2007, 9, 30), 145)], D(2008, 1, 15), "on_track"),
    # An actual after the as-of date does not count.
    ([(D(2007, 9, 30), 145), (D(2007, 11, 1), 110)], D(2007, 10, 15), "on_track"),
    ([(D(2007, 9, 30), 145), (D(2007, 11, 1), 110)], D(2007, 11, 1), "off_track"),
    ([(D(2008, 2, 1), 200)], D(2008, 2, 1), "realised"),
    ([(D(2008, 2, 1), 230)], D(2008, 6, 1), "realised"),
    # 31 March is the due date itself: not late; 1 April 2008 is one day late.
    ([(D(2008, 3, 1), 190)], D(2008, 3, 31), "on_track"),
    ([(D(2008, 3, 1), 190)], D(2008, 4, 1), "late"),
    ([], D(2008, 4, 1), "late"),
])
def test_status_at_an_as_of_date(actuals, as_of, status):
    assert assess(benefit(*actuals), as_of).status == status


def test_late_counts_the_days_past_due():
    found = assess(benefit((D(2008, 3, 1), 190)), D(2008, 4, 30))
    assert (found.status, found.days_late, found.progress) == ("late", 30, 0.9)


def test_a_benefit_that_is_to_fall_is_judged_alike():
    falling = benefit((D(2007, 9, 30), 60), target=0)  # 100 to 0; 60 is 40% of the change
    assert assess(falling, D(2007, 9, 30)).progress == pytest.approx(0.4)
    assert assess(falling, D(2007, 9, 30)).status == "on_track"
    assert assess(benefit((D(2007, 9, 30), 61), target=0), D(2007, 9, 30)).status == "off_track"


def test_a_benefit_without_a_target_is_not_measurable():
    b = Benefit(id="b", name="b", owner="o", metric=Metric(name="m", unit="u"))
    assert assess(b, D(2008, 1, 1)).status == "not_measurable"
    assert not b.measurable


def test_the_series_is_planned_against_actual():
    points = series(benefit((D(2007, 9, 30), 145), (D(2008, 5, 1), 210)), D(2008, 1, 1))
    assert [(p.date, p.planned, p.actual) for p in points] == [
        (D(2007, 3, 31), 100, 100), (D(2007, 9, 30), 150, 145), (D(2008, 3, 31), 200, None)]
