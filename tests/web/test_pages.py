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
