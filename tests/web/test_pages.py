"""Each page renders the figures the services return for the London 2023/24 example, with their attribution."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from policingplan.formatting import fmt_int
from policingplan.plan.model import FORCE
from policingplan.web import figures, present, roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(client, make_user):
    client.force_login(make_user(roles.VIEWER))
    return client


@pytest.fixture
def monitored(web_plan_dir, web_warehouse):
    from policingplan.services.monitor import monitor_folder

    return monitor_folder(web_plan_dir, web_warehouse)


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_dashboard_shows_each_cpa_force_position(viewer, monitored):
    page = text(viewer.get(reverse("dashboard")))
    plan = figures.plan()
    cpas = {m.id for m in plan.measures if m.cpa}
    force = [t for t in monitored.targets if t.unit == FORCE and t.measure in cpas]
    assert len(force) >= 4
    for target in force:
        assert target.measure_name in page
        assert present.target_words(target.met_at, target.polarity, target.kind) in page
        assert present.amount(target.year_to_date, target.kind) in page
        assert present.amount(target.forecast_total, target.kind) in page
        assert present.STATUS[target.status][0] in page
    assert "February 2024" in page and monitored.as_of_label in page
    assert "Neighbourhood crime" in page and "222,947 or fewer" in page  # the plan's own target, met at
    for line in monitored.attribution:
        assert line in page
    assert "Common cause" in page or "Concern" in page  # SPC in words, beside its icon
    assert page.count('href="/boroughs/') == len(plan.units)  # every borough, for a viewer


def test_the_plan_shows_priorities_objectives_measures_targets_and_cpas(viewer):
    page = text(viewer.get(reverse("plan")))
    plan = figures.plan()
    for priority in plan.priorities:
        assert priority.name.replace("'", "&#x27;") in page
        for objective in priority.objectives:
            assert objective.name.replace("'", "&#x27;") in page
    for measure in plan.measures:
        assert measure.name in page
    assert "5% on 2022/23 (baseline 234,682)" in page
    assert page.count('title="Critical Performance Area">CPA</abbr>') == 1 + sum(
        1 for p in plan.priorities for o in p.objectives for m in o.measures if plan.measure(m).cpa)


def test_a_borough_page_shows_its_targets_positions(viewer, web_plan_dir, web_warehouse):
    from policingplan.services.monitor import monitor_folder

    result = monitor_folder(web_plan_dir, web_warehouse, unit="E09000022")
    page = text(viewer.get(reverse("borough", args=["lambeth"])))
    assert "<h1 class=\"heading-xl\">Lambeth</h1>" in page
    mine = [t for t in result.targets if t.unit == "E09000022"]
    assert mine
    for target in mine:
        assert target.measure_name in page and present.amount(target.year_to_date, target.kind) in page
        assert f'href="/boroughs/lambeth/measures/{target.measure}/"' in page
    for line in result.attribution:
        assert line in page
    assert viewer.get(reverse("borough", args=["atlantis"])).status_code == 404


def test_a_measure_page_shows_its_xmr_chart_with_a_text_alternative_and_its_data(viewer, monitored):
    page = text(viewer.get(reverse("measure", args=["knife-crime-offences"])))
    target = next(t for t in monitored.targets if t.unit == FORCE and t.measure == "knife-crime-offences")
    assert '<svg role="img" aria-labelledby="chart-description"' in page
    assert 'id="chart-description"' in page and "an XmR chart of the monthly values from April 2022 to February 2024" \
        in page
    rows = re.findall(r'<th scope="row" data-label="Month">([A-Z][a-z]+ \d{4})</th>', page)
    assert rows[0] == "April 2022" and rows[-1] == "February 2024" and len(rows) == 23
    assert fmt_int(target.year_to_date) in page and present.VARIATION[target.variation][1] in page
    for line in monitored.attribution:
        assert line in page


def test_the_chart_is_the_one_the_monitor_judged_by(monitored):
    """The measure page's chart gives the same variation and assurance as the monitor's position."""
    for target in [t for t in monitored.targets if t.unit == FORCE][:4]:
        history = figures.history(target, monitored.as_of)
        assert (history.variation, history.assurance) == (target.variation, target.assurance), target.measure


def test_a_borough_measure_page_and_a_measure_without_monthly_data(viewer):
    page = text(viewer.get(reverse("borough-measure", args=["lambeth", "violence-with-injury"])))
    assert "Lambeth" in page and '<svg role="img"' in page
    page = text(viewer.get(reverse("measure", args=["homicide-solved-rate"])))
    assert "There are no monthly figures" in page
    page = text(viewer.get(reverse("borough-measure", args=["lambeth", "homicide-solved-rate"])))
    assert "sets Lambeth no target" in page
    assert viewer.get(reverse("measure", args=["no-such-measure"])).status_code == 404


def test_an_empty_warehouse_says_what_to_do_next(viewer, settings, tmp_path):
    settings.POLICINGPLAN_WAREHOUSE = str(tmp_path / "empty")
    for url in (reverse("dashboard"), reverse("borough", args=["lambeth"]), reverse("measure", args=["knife-crime-offences"])):
        page = text(viewer.get(url))
        assert "No data is loaded" in page and "policingplan data load --plan" in page, url
    assert "Reduce neighbourhood crime" in text(viewer.get(reverse("plan")))  # the plan needs no data


def test_pages_load_only_the_projects_own_assets(viewer):
    page = viewer.get(reverse("dashboard")).content.decode()
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert viewer.get("/static/policingplan/style.css").status_code == 200


def test_the_dashboard_says_what_a_probability_means_and_how_many_boroughs_will_meet_their_targets(viewer, monitored):
    import html

    text = html.unescape(viewer.get("/").content.decode())
    result = monitored
    assert result.reliability.meaning in text and result.reliability.record in text
    assert result.units_meeting
    for m in result.units_meeting:
        assert f"{m.expected:.1f} of {m.units}" in text
        assert f"{m.interval_80[0]} to {m.interval_80[1]}" in text


# --- the forecast fan and the peer comparison ----------------------------------------------------


def _table(page: str, caption: str) -> str:
    """The table whose caption starts with ``caption``."""
    found = re.search(r'<table class="table[^"]*">\s*<caption class="caption-m">' + re.escape(caption)
                      + r'.*?</table>', page)
    assert found, caption
    return found.group(0)


@pytest.mark.parametrize(("url", "unit"), [
    (("measure", ["neighbourhood-crime"]), FORCE),
    (("borough-measure", ["lambeth", "neighbourhood-crime"]), "E09000022"),
])
def test_the_measure_page_shows_the_forecast_fan_with_its_text_alternative_and_data(viewer, monitored, url, unit):
    page = text(viewer.get(reverse(url[0], args=url[1])))
    target = next(t for t in monitored.targets if t.unit == unit and t.measure == "neighbourhood-crime")
    assert '<svg role="img" aria-labelledby="fan-description"' in page
    assert 'id="fan-description"' in page
    assert "the year-end forecast made at the end of each month from April 2023 to February 2024" in page
    table = _table(page, "The forecast chart's data")
    made_at = re.findall(r'<th scope="row" data-label="Made at the end of">([A-Z][a-z]+ \d{4})</th>', table)
    assert made_at[0] == "April 2023" and made_at[-1] == "February 2024" and len(made_at) == 11
    # The last row is the monitor's own forecast at the as-of month, with its 80% range and its chance.
    last = table.split("February 2024</th>")[1].split("</tr>")[0]
    assert present.amount(target.forecast_total, "count") in last
    assert (f"{present.amount(target.interval_80[0], 'count')} to {present.amount(target.interval_80[1], 'count')}"
            in last)
    assert present.amount(target.year_to_date, "count") in last
    assert present.chance(target.p_meet_target) in last


def test_the_fan_narrows_as_the_year_is_counted(monitored):
    target = next(t for t in monitored.targets if t.unit == FORCE and t.measure == "knife-crime-offences")
    fan = figures.fan(target, monitored.as_of)
    widths = [p.high_95 - p.low_95 for p in fan.points]
    assert len(widths) == monitored.months_elapsed
    assert widths[-1] < widths[0] / 2  # eleven months counted leave far less to chance than one
    assert fan.points[-1].forecast == pytest.approx(target.forecast_total)
    assert all(p.low_95 <= p.low_80 <= p.forecast <= p.high_80 <= p.high_95 for p in fan.points)


def test_a_borough_measure_page_shows_where_it_stands_among_its_peers(viewer, web_plan_dir, monitored):
    from policingplan.services.plan import load
    from policingplan.stats.peers import compare_with_peers, rate_per_1000

    page = text(viewer.get(reverse("borough-measure", args=["lambeth", "neighbourhood-crime"])))
    assert '<svg role="img" aria-labelledby="peers-description"' in page and 'id="peers-description"' in page
    table = _table(page, "The peer chart's data: the Inner London boroughs")
    plan = load(web_plan_dir)
    inner = [u for u in plan.units if u.peer_group == "Inner London"]
    names = re.findall(r'<th scope="row" data-label="Borough">(?:<a href="[^"]+">)?([^<]+)', table)
    assert sorted(names) == sorted(u.name for u in inner)  # the peer group only, the borough among them
    own = re.findall(r'<tr class="row--own">.*?</tr>', table)
    assert len(own) == 1 and "Lambeth" in own[0] and "This borough" in own[0]
    # The figures are the plan year to date per 1,000 residents, checked here from the borough pages' own data.
    standing = figures.peers("neighbourhood-crime", figures.monitoring().as_of)
    rows = {u.unit: u for u in standing.units}
    lambeth = rows["E09000022"]
    # its year to date is the monitor's, for the borough's own target
    assert lambeth.count == next(t.year_to_date for t in monitored.targets
                                 if t.unit == "E09000022" and t.measure == "neighbourhood-crime")
    assert lambeth.population == next(u.population for u in inner if u.name == "Lambeth")
    assert lambeth.rate == pytest.approx(rate_per_1000(lambeth.count, lambeth.population))
    compared = compare_with_peers("E09000022", {u.code: rows[u.code].count for u in inner},
                                  {u.code: u.population for u in inner}, [u.code for u in inner])
    assert lambeth.band == compared.band and lambeth.peer_rate == pytest.approx(compared.peer_rate)
    assert present.rate(lambeth.rate, "per_1000") in own[0] and present.rate(compared.peer_rate, "per_1000") in own[0]
    assert present.BAND[compared.band][0].capitalize() in own[0]
    rates = [rows[u].rate for u in rows if rows[u].rate is not None]
    assert [u.rate for u in standing.units] == sorted(rates)  # lower is better: the lowest first
    place = sorted(r.rate for r in rows.values() if r.peer_group == "Inner London").index(lambeth.rate) + 1
    assert (f"<strong>Lambeth</strong> is <strong>{present.ordinal(place)} of the {len(inner)} Inner London "
            "boroughs") in page
    assert f"{present.ordinal(lambeth.rank)} of all {len(rates)}" in page


def test_the_force_measure_page_ranks_every_borough(viewer, web_plan_dir):
    from policingplan.services.plan import load

    page = text(viewer.get(reverse("measure", args=["neighbourhood-crime"])))
    table = _table(page, "The peer chart's data")
    plan = load(web_plan_dir)
    names = re.findall(r'<th scope="row" data-label="Borough">(?:<a href="[^"]+">)?([^<]+)', table)
    assert sorted(names) == sorted(u.name for u in plan.units) and len(names) == 32
    ranks = re.findall(r'data-label="Rank" class="numeric"><div class="cell">(\d+)(?:st|nd|rd|th)<', table)
    assert [int(r) for r in ranks] == list(range(1, 33))
    assert 'class="row--own"' not in table
    assert "32 boroughs ranked, best first" in page  # the text alternative
    # a viewer may open every borough's page for the measure: each name links to it
    assert table.count('href="/boroughs/') == 32


def test_a_rate_measure_compares_rates_without_residents(viewer):
    page = text(viewer.get(reverse("measure", args=["knife-crime-positive-outcome-rate"])))
    table = _table(page, "The peer chart's data")
    assert ">Rate<" in table and "Residents" not in table and "%" in table


def test_every_page_of_mine_references_no_other_host(viewer):
    for url in (reverse("dashboard"), reverse("plan"), reverse("borough", args=["lambeth"]),
                reverse("measure", args=["neighbourhood-crime"]),
                reverse("borough-measure", args=["lambeth", "neighbourhood-crime"]),
                reverse("targets-measure", args=["neighbourhood-crime"])):
        page = viewer.get(url).content.decode()
        assert not re.search(r'(src|href)="(https?:)?//', page), url


def test_a_borough_page_says_where_it_stands_among_its_peers_for_each_measure_with_a_target(viewer, web_plan_dir):
    page = viewer.get(reverse("borough", args=["lambeth"])).content.decode()
    assert '<h2 class="heading-l" id="peers">Among its peers</h2>' in page
    body = page[page.index('id="peers"'):]
    body = body[:body.index("</table>")]
    as_of = figures.monitoring("E09000022").as_of
    measures = {t.measure for t in figures.monitoring("E09000022").targets if t.unit == "E09000022"}
    lines = re.findall(r'<tr><th scope="row" data-label="Measure"><a href="/boroughs/lambeth/measures/([^/]+)/#peers">'
                       r'.*?</tr>', body)
    assert lines and set(lines) <= measures
    for measure in lines:
        standing = figures.peers(measure, as_of)
        ranked = [u for u in standing.units if u.rate is not None]
        lambeth = next(u for u in ranked if u.unit == "E09000022")
        group = [u for u in ranked if u.peer_group == lambeth.peer_group]
        row = re.search(rf'measures/{measure}/#peers">.*?</tr>', body).group(0)
        # the same figures as the borough's measure page: its rate, its rank of all and in its peer group
        assert present.rate(lambeth.rate, standing.basis) in row
        assert f"{present.ordinal(lambeth.rank)} of {len(ranked)}" in row
        assert f"{present.ordinal(group.index(lambeth) + 1)} of {len(group)} (Inner London)" in row
        if lambeth.band:
            assert present.BAND[lambeth.band][0].capitalize() in row
