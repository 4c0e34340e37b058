"""Year-end forecasts on the real Metropolitan Police borough series."""

from __future__ import annotations

import numpy as np
import pytest

from policingplan.stats.forecast import (
    METHOD_COMPLETE,
    METHOD_RUN_RATE,
    METHOD_SEASONAL,
    forecast_ratio_year_end,
    forecast_year_end,
    forecast_year_end_many,
)
from policingplan.periods import FinancialYear, Month
from policingplan.services.stats import forecast_model


def as_json(forecast):
    """A forecast as ``policingplan forecast --json`` prints it."""
    return forecast_model(forecast).model_dump(mode="json")


def outturn(series, year: FinancialYear) -> float:
    return sum(series[m] for m in year.months())


def test_it_brackets_camden_burglary_in_a_normal_year(mps_series):
    camden = mps_series[("Camden", "BURGLARY")]
    year = FinancialYear("2017/18")
    result = forecast_year_end(camden, year, "2017-09", series="Camden burglary")
    actual = outturn(camden, year)
    assert result.method == METHOD_SEASONAL
    assert result.year_to_date == sum(camden[m] for m in year.months_to_date("2017-09"))
    assert result.interval_80[0] <= actual <= result.interval_80[1]
    assert result.interval_95[0] <= actual <= result.interval_95[1]
    assert result.warnings == []


def test_it_covers_most_burglary_outturns_at_95_percent(mps_series):
    burglary = {key: s for key, s in mps_series.items() if key[1] == "BURGLARY"}
    year = FinancialYear("2017/18")
    results = forecast_year_end_many(burglary, year, "2017-09")
    inside = [r.interval_95[0] <= outturn(s, year) <= r.interval_95[1] for r, s in zip(results, burglary.values())]
    assert len(inside) == 34
    assert np.mean(inside) >= 0.85


def test_it_beats_the_naive_run_rate_over_all_series(mps_series):
    errors, naive_errors = [], []
    for year in (FinancialYear("2016/17"), FinancialYear("2018/19")):
        as_of = year.months()[5]
        for result, series in zip(forecast_year_end_many(mps_series, year, as_of), mps_series.values()):
            actual = outturn(series, year)
            naive = sum(series[m] for m in year.months_to_date(as_of)) * 12 / 6
            errors.append(abs(result.forecast_total - actual))
            naive_errors.append(abs(naive - actual))
    assert np.mean(errors) < 0.95 * np.mean(naive_errors)


def test_it_ignores_every_month_after_as_of(mps_series):
    westminster = mps_series[("Westminster", "THEFT")]
    year = FinancialYear("2018/19")
    before = forecast_year_end(westminster, year, "2018-10", target=20000)
    altered = {m: (v * 3 if m > Month("2018-10") else v) for m, v in westminster.items()}
    altered.update({Month("2019-01"): None, Month("2030-01"): 5.0})
    after = forecast_year_end(altered, year, "2018-10", target=20000)
    assert as_json(after) == as_json(before)
    assert before.year_to_date == sum(westminster[m] for m in year.months_to_date("2018-10"))


def test_p_meet_rises_with_the_target_and_flips_with_polarity(mps_series):
    series = mps_series[("Lambeth", "VIOLENCE AGAINST THE PERSON")]
    year = FinancialYear("2018/19")
    centre = forecast_year_end(series, year, "2018-06").forecast_total
    targets = centre * np.linspace(0.85, 1.15, 13)
    lower = [forecast_year_end(series, year, "2018-06", target=t).p_meet_target for t in targets]
    higher = [forecast_year_end(series, year, "2018-06", target=t, polarity="higher").p_meet_target for t in targets]
    assert all(a <= b for a, b in zip(lower, lower[1:]))
    assert lower[0] < 0.05 and lower[-1] > 0.95
    assert lower[6] == pytest.approx(0.5, abs=0.05)
    assert np.allclose(np.array(lower) + np.array(higher), 1.0, atol=1e-9)


def test_a_target_already_missed_has_no_chance(mps_series):
    series = mps_series[("Croydon", "ROBBERY")]
    year = FinancialYear("2016/17")
    ytd = sum(series[m] for m in year.months_to_date("2016-12"))
    assert forecast_year_end(series, year, "2016-12", target=ytd - 1).p_meet_target == 0.0
    assert forecast_year_end(series, year, "2016-12", target=ytd - 1, polarity="higher").p_meet_target == 1.0


def test_a_complete_year_is_its_outturn(mps_series):
    series = mps_series[("Brent", "DRUG OFFENCES")]
    year = FinancialYear("2015/16")
    result = forecast_year_end(series, year, "2016-03", target=outturn(series, year))
    actual = outturn(series, year)
    assert result.method == METHOD_COMPLETE
    assert result.forecast_total == actual
    assert result.interval_80 == (actual, actual) and result.interval_95 == (actual, actual)
    assert result.p_meet_target == 1.0


def test_a_missing_month_is_forecast_not_counted_as_zero(mps_series):
    series = dict(mps_series[("Ealing", "THEFT")])
    year = FinancialYear("2017/18")
    full = forecast_year_end(series, year, "2017-09")
    series[Month("2017-07")] = None
    gappy = forecast_year_end(series, year, "2017-09")
    assert gappy.year_to_date == full.year_to_date - mps_series[("Ealing", "THEFT")][Month("2017-07")]
    (missing,) = [w for w in gappy.warnings if w.code == "forecast.months-missing"]
    assert missing.values == {"count": 1, "months": "2017-07"}
    assert str(missing) == "1 month(s) of the year to date are missing (2017-07): they are forecast, not counted as zero"
    assert gappy.forecast_total == pytest.approx(full.forecast_total, rel=0.03)
    assert gappy.interval_95[1] - gappy.interval_95[0] > full.interval_95[1] - full.interval_95[0]


def test_short_history_falls_back_to_the_run_rate_and_says_how_much_is_needed(mps_series):
    series = mps_series[("Hackney", "BURGLARY")]
    short = {m: v for m, v in series.items() if m >= Month("2022-04")}
    result = forecast_year_end(short, "2022/23", "2022-09")
    ytd = sum(short[m] for m in FinancialYear("2022/23").months_to_date("2022-09"))
    assert result.method == METHOD_RUN_RATE
    assert result.forecast_total == pytest.approx(ytd * 2)
    assert any(w.code == "forecast.too-little-history" and "at least 24 months" in str(w) for w in result.warnings)


def test_the_covid_fall_is_flagged_as_a_level_shift(mps_series):
    result = forecast_year_end(mps_series[("Westminster", "THEFT")], "2020/21", "2020-09")
    (shift,) = [w for w in result.warnings if w.code == "forecast.level-shift"]
    assert shift.values["direction"] == "below" and str(shift).startswith("level shift: the last 6 months are ")


def test_a_category_that_stops_is_forecast_from_the_months_since(mps_series):
    # Fraud and forgery moved to Action Fraud (NFIB) in 2013: borough counts fell to zero.
    series = mps_series[("Barking and Dagenham", "FRAUD AND FORGERY")]
    result = forecast_year_end(series, "2013/14", "2013-06")
    assert result.method == METHOD_RUN_RATE
    assert any(w.code == "forecast.stopped" and "zero for the last" in str(w) and "stopped or recoded" in str(w)
               for w in result.warnings)
    assert not any(w.code == "forecast.zero-run" for w in result.warnings)  # the stop says it
    assert result.interval_95[0] <= outturn(series, FinancialYear("2013/14")) <= result.interval_95[1]
    assert result.forecast_total == result.year_to_date


def test_a_long_run_of_zeros_inside_the_history_is_flagged(mps_series):
    series = dict(mps_series[("Lewisham", "ROBBERY")])
    for month in [Month("2016-01") + i for i in range(7)]:
        series[month] = 0.0
    result = forecast_year_end(series, "2017/18", "2017-09")
    (run,) = [w for w in result.warnings if w.code == "forecast.zero-run"]
    assert run.values["months"] == 7 and run.values["ending"] == "2016-07"
    assert str(run).startswith("a run of 7 months at zero, ending 2016-07")


def test_as_of_outside_the_year_is_refused(mps_series):
    with pytest.raises(ValueError, match="not in the financial year 2018/19"):
        forecast_year_end(mps_series[("Camden", "BURGLARY")], "2018/19", "2019-04")


def test_a_ratio_forecast_brackets_domestic_abuse_outcome_rates(domestic_abuse):
    year = FinancialYear("2023/24")
    inside, total = 0, 0
    for measures in domestic_abuse.values():
        outcomes, offences = measures.get("Positive Outcomes", {}), measures.get("Offences", {})
        if not all(m in outcomes and m in offences for m in year.months()):
            continue
        result = forecast_ratio_year_end(outcomes, offences, year, "2023-09", target=0.1)
        actual = outturn(outcomes, year) / outturn(offences, year)
        ytd = sum(outcomes[m] for m in year.months_to_date("2023-09")) / sum(
            offences[m] for m in year.months_to_date("2023-09"))
        assert result.year_to_date == pytest.approx(ytd)
        assert result.interval_95[0] <= result.interval_80[0] <= result.forecast_total <= result.interval_80[1]
        assert result.interval_80[1] <= result.interval_95[1]
        inside += result.interval_95[0] <= actual <= result.interval_95[1]
        total += 1
    assert total >= 30
    assert inside >= 0.75 * total


def test_a_ratio_of_proportional_series_is_that_proportion(mps_series):
    offences = mps_series[("Newham", "ROBBERY")]
    half = {m: v / 2 for m, v in offences.items()}
    result = forecast_ratio_year_end(half, offences, "2018/19", "2018-09", target=0.45)
    assert result.forecast_total == pytest.approx(0.5, abs=1e-4)  # the 0.5 offset before logs is not scale-free
    assert result.interval_95[0] == pytest.approx(0.5, abs=0.01)
    assert result.interval_95[1] == pytest.approx(0.5, abs=0.01)
    assert result.p_meet_target == 1.0
    lower = forecast_ratio_year_end(half, offences, "2018/19", "2018-09", target=0.45, polarity="lower")
    assert lower.p_meet_target == 0.0


def test_a_year_to_date_with_no_month_observed_is_forecast_from_the_history(mps_series):
    series = dict(mps_series[("Enfield", "VEHICLE OFFENCES")])
    year = FinancialYear("2018/19")
    for month in year.months_to_date("2018-06"):
        series[month] = None
    result = forecast_year_end(series, year, "2018-06")
    assert result.year_to_date == 0
    assert result.method == METHOD_SEASONAL
    assert result.interval_95[0] <= outturn(mps_series[("Enfield", "VEHICLE OFFENCES")], year) <= result.interval_95[1]
    assert any(w.code == "forecast.months-missing" and str(w).startswith("3 month(s) of the year to date are missing")
               for w in result.warnings)


def test_a_series_with_nothing_up_to_as_of_has_no_forecast():
    result = forecast_year_end({Month("2024-01"): 5.0}, "2023/24", "2023-09", target=10)
    assert result.method == "no_data" and result.forecast_total is None and result.p_meet_target is None
    assert as_json(result)["interval_80"] == [None, None]
    assert [str(w) for w in result.warnings] == ["no values up to September 2023: no forecast"]
    assert result.warnings[0].code == "forecast.no-values" and result.warnings[0].values["as_of"] == "2023-09"


def test_a_history_that_ended_years_ago_says_why_there_is_no_forecast(mps_series):
    # 69 months (April 2010 to December 2015) is long enough, but no past forecast can be
    # checked against the months before 2022/23, so the spread cannot be measured.
    camden = mps_series[("Camden", "BURGLARY")]
    old = {m: v for m, v in camden.items() if m < Month("2016-01")}
    result = forecast_year_end(old, "2022/23", "2022-09")
    assert result.method == "no_data" and result.forecast_total is None
    reason = next(str(w) for w in result.warnings if w.code == "forecast.too-little-history-no-month")
    assert "69 months up to September 2022 and 0 past forecast errors" in reason
    assert "at least 24 months and 6 errors are needed" in reason
    assert "no month of 2022/23 is observed" in reason
