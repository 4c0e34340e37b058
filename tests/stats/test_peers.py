"""Peer comparison on real London figures: recorded offences per 1,000 residents
(GLA, 2006/07) and homicides (MPS, 2019) against inner London peers."""

from __future__ import annotations

import csv
from collections import Counter

import pytest
from scipy import stats

from policingplan.stats.peers import compare_with_peers, rate_per_1000
from policingplan.data.files import open_text

INNER_LONDON = (
    "Camden", "Hackney", "Hammersmith and Fulham", "Haringey", "Islington", "Kensington and Chelsea",
    "Lambeth", "Lewisham", "Newham", "Southwark", "Tower Hamlets", "Wandsworth", "Westminster",
)


def _fy_values(path, year_cell: str) -> dict[str, float]:
    with open_text(path) as handle:
        rows = [r for r in csv.DictReader(handle) if r["Year"] == year_cell and r["Borough"] in INNER_LONDON]
    return {r["Borough"]: float(r["Value"]) for r in rows}


@pytest.fixture(scope="module")
def offences_2006(london_dir):
    """Offences and the publisher's own population (offences ÷ rate × 1,000), 2006/07."""
    offences = _fy_values(london_dir / "gla-recorded-offences-by-borough-fy_1999-00_2009-10.csv.gz", "2006-12-31")
    rates = _fy_values(london_dir / "gla-crime-rates-by-borough-fy_1999-00_2009-10.csv.gz", "2006-12-31")
    populations = {b: offences[b] / rates[b] * 1000 for b in INNER_LONDON}
    return {b: offences[b] for b in INNER_LONDON}, populations


@pytest.fixture(scope="module")
def homicides_2019(london_dir):
    with open_text(london_dir / "mps-homicide-victims_2003-2023.csv.gz") as handle:
        counts = Counter(r["Borough"] for r in csv.DictReader(handle) if r["Year"] == "2019")
    populations: Counter[str] = Counter()
    with open_text(london_dir / "ons-population-lsoa-mid2019.csv.gz") as handle:
        for row in csv.DictReader(handle):
            populations[row["LAD11NM"]] += int(row["Persons_All-Ages"])
    return {b: counts[b] for b in INNER_LONDON}, {b: populations[b] for b in INNER_LONDON}


def test_the_rate_matches_the_publishers_rate(offences_2006, london_dir):
    counts, populations = offences_2006
    published = _fy_values(london_dir / "gla-crime-rates-by-borough-fy_1999-00_2009-10.csv.gz", "2006-12-31")
    assert rate_per_1000(counts["Camden"], populations["Camden"]) == pytest.approx(published["Camden"])


def test_the_peer_rate_is_pooled_and_leaves_the_unit_out(offences_2006):
    counts, populations = offences_2006
    result = compare_with_peers("Lambeth", counts, populations, INNER_LONDON)
    others = [b for b in INNER_LONDON if b != "Lambeth"]
    assert result.peers == tuple(others)
    pooled = 1000 * sum(counts[b] for b in others) / sum(populations[b] for b in others)
    assert result.peer_rate == pytest.approx(pooled)
    assert result.rate_ratio == pytest.approx(result.unit_rate / pooled)


def test_westminster_is_worse_than_its_peers_for_crime(offences_2006):
    counts, populations = offences_2006
    result = compare_with_peers("Westminster", counts, populations, INNER_LONDON, polarity="lower")
    assert result.unit_rate > 2 * result.peer_rate  # the West End's visitors are not residents
    assert result.band == "worse than"
    assert compare_with_peers("Westminster", counts, populations, INNER_LONDON, polarity="higher").band == "better than"
    assert compare_with_peers("Westminster", counts, populations, INNER_LONDON, polarity="neutral").band == "higher than"


def test_a_borough_below_its_peers_is_better_for_crime(offences_2006):
    counts, populations = offences_2006
    result = compare_with_peers("Wandsworth", counts, populations, INNER_LONDON)
    assert result.unit_rate < result.peer_rate
    assert result.band == "better than"
    assert result.p_value < 0.001


def test_small_numbers_are_in_line_unless_the_difference_is_large(homicides_2019):
    counts, populations = homicides_2019
    bands = {b: compare_with_peers(b, counts, populations, INNER_LONDON) for b in INNER_LONDON}
    assert sum(r.band == "in line with" for r in bands.values()) >= 10
    for result in bands.values():
        low, high = result.ratio_interval
        assert (result.band == "in line with") == (low <= 1 <= high)
        assert (result.band == "in line with") == (result.p_value >= 0.05)


def test_the_ratio_interval_is_exact(homicides_2019):
    counts, populations = homicides_2019
    result = compare_with_peers("Lambeth", counts, populations, INNER_LONDON, confidence=0.90)
    total = result.unit_count + result.peer_count
    for ratio, tail in zip(result.ratio_interval, ("upper", "lower")):
        share = ratio * result.unit_population / (ratio * result.unit_population + result.peer_population)
        if tail == "upper":  # at the lower bound, seeing this many or more has chance 5%
            chance = stats.binom.sf(result.unit_count - 1, total, share)
        else:
            chance = stats.binom.cdf(result.unit_count, total, share)
        assert chance == pytest.approx(0.05, abs=1e-6)


def test_bad_input_is_refused(offences_2006):
    counts, populations = offences_2006
    with pytest.raises(ValueError):
        compare_with_peers("Camden", counts, populations, ["Camden"])
    with pytest.raises(ValueError):
        compare_with_peers("Camden", counts, populations, ["Atlantis"])
    with pytest.raises(ValueError):
        compare_with_peers("Camden", counts, populations, INNER_LONDON, polarity="up")
