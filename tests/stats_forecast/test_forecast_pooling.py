"""Pooling a series with its peers (the same measure in other boroughs)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from policingplan.stats.forecast import METHOD_SEASONAL, forecast_year_end, forecast_year_end_many
from policingplan.periods import FinancialYear, Month
from policingplan.services.stats import forecast_model

YEAR = FinancialYear("2017/18")


def as_json(forecast):
    """A forecast as ``policingplan forecast --json`` prints it."""
    return forecast_model(forecast).model_dump(mode="json")


def outturn(series, year: FinancialYear) -> float:
    return sum(series[m] for m in year.months())


def category(mps_series, name: str) -> dict[str, dict[Month, float]]:
    return {f"{borough} / {major}": s for (borough, major), s in mps_series.items() if major == name}


def test_a_group_of_one_changes_nothing(mps_series):
    camden = mps_series[("Camden", "BURGLARY")]
    alone = forecast_year_end_many({"Camden": camden}, YEAR, "2017-09", 2000.0)
    grouped = forecast_year_end_many({"Camden": camden}, YEAR, "2017-09", 2000.0, groups={"Camden": "burglary"})
    assert as_json(grouped[0]) == as_json(alone[0])
    assert as_json(forecast_year_end(camden, YEAR, "2017-09", 2000.0, series="Camden", peers={})) == as_json(alone[0])


def test_an_empty_batch_has_no_forecasts():
    assert forecast_year_end_many({}, YEAR, "2017-09", groups={}) == []


def test_a_series_without_a_group_is_not_pooled_with_the_batch(mps_series):
    burglary = category(mps_series, "BURGLARY")
    groups = {name: "burglary" for name in burglary if not name.startswith("Camden")}
    pooled = dict(zip(burglary, forecast_year_end_many(burglary, YEAR, "2017-09", groups=groups)))
    alone = forecast_year_end(mps_series[("Camden", "BURGLARY")], YEAR, "2017-09", series="Camden / BURGLARY")
    assert as_json(pooled["Camden / BURGLARY"]) == as_json(alone)
    assert as_json(pooled["Hackney / BURGLARY"]) != as_json(forecast_year_end(
        mps_series[("Hackney", "BURGLARY")], YEAR, "2017-09", series="Hackney / BURGLARY"))


def test_groups_in_one_batch_are_pooled_apart(mps_series):
    burglary, robbery = category(mps_series, "BURGLARY"), category(mps_series, "ROBBERY")
    groups = {**{n: "burglary" for n in burglary}, **{n: "robbery" for n in robbery}}
    together = forecast_year_end_many({**burglary, **robbery}, YEAR, "2017-12", groups=groups)
    apart = forecast_year_end_many(burglary, YEAR, "2017-12", groups=groups) + forecast_year_end_many(
        robbery, YEAR, "2017-12", groups=groups)
    assert [as_json(r) for r in together] == [as_json(r) for r in apart]


def test_peers_give_the_same_forecast_as_a_grouped_batch(mps_series):
    theft = category(mps_series, "THEFT")
    batch = dict(zip(theft, forecast_year_end_many(theft, YEAR, "2017-06", 9000.0, groups=dict.fromkeys(theft, 1))))
    name = "Lambeth / THEFT"
    peers = {other: s for other, s in theft.items() if other != name}
    single = forecast_year_end(theft[name], YEAR, "2017-06", 9000.0, series=name, peers=peers)
    assert as_json(single) == as_json(batch[name])
    assert single.method == METHOD_SEASONAL


def test_months_of_the_peers_after_as_of_change_nothing(mps_series):
    robbery = category(mps_series, "ROBBERY")
    name = "Newham / ROBBERY"
    peers = {other: s for other, s in robbery.items() if other != name}
    before = forecast_year_end(robbery[name], YEAR, "2017-10", 1500.0, peers=peers)
    altered = {
        other: {m: (v * 5 if m > Month("2017-10") else v) for m, v in s.items()} | {Month("2030-01"): 1.0}
        for other, s in peers.items()
    }
    after = forecast_year_end(robbery[name], YEAR, "2017-10", 1500.0, peers=altered)
    assert as_json(after) == as_json(before)


def test_a_series_follows_its_peers_recent_rise():
    months = [Month("2013-04") + i for i in range(54)]  # to 2017-09
    rng = np.random.default_rng(4)
    small = {m: float(c) for m, c in zip(months, rng.poisson(20, len(months)))}
    peers = {
        f"peer {j}": {m: float(c) for m, c in zip(months, rng.poisson([200] * 48 + [300] * 6))} for j in range(5)
    }
    alone = forecast_year_end(small, YEAR, "2017-09")
    pooled = forecast_year_end(small, YEAR, "2017-09", peers=peers)
    assert pooled.year_to_date == alone.year_to_date
    rise = (pooled.forecast_total - pooled.year_to_date) / (alone.forecast_total - alone.year_to_date)
    assert 1.1 < rise < 1.5  # it borrows the peers' movement (a rise of a half), damped


def test_peers_with_little_or_no_history_do_no_harm(mps_series):
    series = mps_series[("Brent", "VEHICLE OFFENCES")]
    peers = {"empty": {}, "short": {Month("2017-05") + i: 12.0 for i in range(5)}, "gappy": {
        m: (None if m.month in (1, 7) else v) for m, v in mps_series[("Barnet", "VEHICLE OFFENCES")].items()}}
    pooled = forecast_year_end(series, YEAR, "2017-09", peers=peers)
    alone = forecast_year_end(series, YEAR, "2017-09")
    assert pooled.method == METHOD_SEASONAL
    assert abs(pooled.forecast_total / alone.forecast_total - 1) < 0.1
    assert pooled.interval_95[0] <= outturn(series, YEAR) <= pooled.interval_95[1]


def test_pooling_beats_forecasting_each_borough_alone(mps_series):
    errors = {"pooled": [], "alone": [], "naive": []}
    for year in (FinancialYear("2015/16"), FinancialYear("2018/19")):
        as_of = year.months()[5]
        for major in ("BURGLARY", "THEFT", "VIOLENCE AGAINST THE PERSON", "DRUG OFFENCES"):
            batch = category(mps_series, major)
            pooled = forecast_year_end_many(batch, year, as_of, groups=dict.fromkeys(batch, major))
            alone = forecast_year_end_many(batch, year, as_of)
            for p, a, series in zip(pooled, alone, batch.values()):
                actual = outturn(series, year)
                errors["pooled"].append(abs(p.forecast_total - actual))
                errors["alone"].append(abs(a.forecast_total - actual))
                errors["naive"].append(abs(sum(series[m] for m in year.months_to_date(as_of)) * 2 - actual))
    assert np.mean(errors["pooled"]) < np.mean(errors["alone"])
    assert np.mean(errors["pooled"]) < 0.9 * np.mean(errors["naive"])


@st.composite
def peer_group(draw):
    """A few seasonal count series sharing a level path, ending at an as-of month in 2017/18."""
    as_of = YEAR.first_month + draw(st.integers(0, 11))
    length = draw(st.integers(13, 72))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    months = [as_of - (length - 1 - i) for i in range(length)]
    path = np.exp(np.cumsum(rng.normal(0, 0.05, length)))
    season = 1 + 0.2 * np.sin(np.array([m.month for m in months]) * np.pi / 6)
    group = []
    for _ in range(draw(st.integers(1, 5))):
        level = draw(st.floats(0.0, 500.0))
        counts = rng.poisson(level * path * season)
        group.append({m: (None if rng.random() < 0.05 else float(c)) for m, c in zip(months, counts)})
    group[0][as_of] = float(rng.poisson(5))
    return group, as_of


@settings(max_examples=60, deadline=None)
@given(peer_group(), st.floats(0.0, 20000.0))
def test_pooled_intervals_are_nested_and_contain_the_forecast(case, target):
    group, as_of = case
    peers = {f"peer {j}": history for j, history in enumerate(group[1:])}
    result = forecast_year_end(group[0], YEAR, as_of, target=target, peers=peers)
    lo95, hi95 = result.interval_95
    lo80, hi80 = result.interval_80
    assert result.year_to_date <= lo95 <= lo80 <= result.forecast_total <= hi80 <= hi95
    assert 0.0 <= result.p_meet_target <= 1.0
