"""Invariants of the year-end forecast, over generated monthly count series."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from policingplan.stats.forecast import METHOD_NONE, forecast_year_end
from policingplan.periods import FinancialYear
from policingplan.services.stats import forecast_model

YEAR = FinancialYear("2019/20")


def as_json(forecast):
    """A forecast as ``policingplan forecast --json`` prints it."""
    return forecast_model(forecast).model_dump(mode="json")


@st.composite
def monthly_counts(draw):
    """A seasonal, overdispersed count series ending at an as-of month in 2019/20, with some gaps."""
    as_of = YEAR.first_month + draw(st.integers(0, 11))
    length = draw(st.integers(3, 84))
    level = draw(st.floats(0.0, 3000.0))
    amplitude = draw(st.floats(0.0, 0.4))
    seed = draw(st.integers(0, 2**32 - 1))
    missing_share = draw(st.sampled_from([0.0, 0.0, 0.05, 0.2]))
    rng = np.random.default_rng(seed)
    months = [as_of - (length - 1 - i) for i in range(length)]
    means = level * (1 + amplitude * np.sin(np.array([m.month for m in months]) * np.pi / 6))
    counts = rng.negative_binomial(5, 5 / (5 + np.maximum(means, 1e-9)))
    history = {m: (None if rng.random() < missing_share else float(c)) for m, c in zip(months, counts)}
    history[as_of] = float(counts[-1])
    return history, as_of


@settings(max_examples=150, deadline=None)
@given(monthly_counts(), st.floats(0.0, 40000.0))
def test_intervals_are_nested_and_contain_the_forecast(case, target):
    history, as_of = case
    result = forecast_year_end(history, YEAR, as_of, target=target)
    assert result.method != METHOD_NONE
    lo95, hi95 = result.interval_95
    lo80, hi80 = result.interval_80
    assert result.year_to_date <= lo95 <= lo80 <= result.forecast_total <= hi80 <= hi95
    assert 0.0 <= result.p_meet_target <= 1.0


@settings(max_examples=100, deadline=None)
@given(monthly_counts(), st.floats(0.0, 20000.0), st.floats(0.0, 20000.0))
def test_p_meet_never_falls_as_a_lower_is_better_target_rises(case, a, b):
    history, as_of = case
    low, high = sorted((a, b))
    p_low = forecast_year_end(history, YEAR, as_of, target=low).p_meet_target
    p_high = forecast_year_end(history, YEAR, as_of, target=high).p_meet_target
    assert p_low <= p_high + 1e-12
    q_low = forecast_year_end(history, YEAR, as_of, target=low, polarity="higher").p_meet_target
    assert abs(p_low + q_low - 1.0) < 1e-9


@settings(max_examples=100, deadline=None)
@given(monthly_counts(), st.lists(st.one_of(st.none(), st.floats(0.0, 1e5)), min_size=1, max_size=24))
def test_months_after_as_of_change_nothing(case, future):
    history, as_of = case
    before = as_json(forecast_year_end(history, YEAR, as_of, target=1000.0))
    extended = dict(history)
    extended.update({as_of + 1 + i: value for i, value in enumerate(future)})
    assert as_json(forecast_year_end(extended, YEAR, as_of, target=1000.0)) == before
