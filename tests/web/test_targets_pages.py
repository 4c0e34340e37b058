"""Target setting, the requirement tracker and partner alignment: the figures the services return, shown
for both London examples; the what-if as a GET form, its mistakes in an error summary, nothing changed."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from policingplan.formatting import fmt_int, fmt_pct
from policingplan.services import target_setting, targets
from policingplan.services.plan import load
from policingplan.web import figures, roles

pytestmark = pytest.mark.django_db
MEASURE = "neighbourhood-crime"
OLD = "bcs-comparator-crimes"


@pytest.fixture(autouse=True)
def _fresh_figures():
    figures.clear()
    yield
    figures.clear()


@pytest.fixture
def viewer(client, make_user):
    client.force_login(make_user(roles.VIEWER))
    return client


@pytest.fixture
def london_2007(settings, project_root):
    """The application shows examples/london-2007-08 (the plan with PSA1 and LAA targets)."""
    settings.POLICINGPLAN_PLAN_DIR = str(project_root / "examples" / "london-2007-08")
    figures.clear()
    return load(project_root / "examples" / "london-2007-08")


@pytest.fixture
def plan(web_plan_dir):
    return load(web_plan_dir)


def text(response, status: int = 200) -> str:
    assert response.status_code == status, response.status_code
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_targets_page_lists_each_measure_with_its_sum_against_the_corporate_target(viewer, plan):
    page = text(viewer.get(reverse("targets")))
    for choice in target_setting.target_measures(plan).measures:
        check = targets.plan_targets_check(plan, choice.id)
        assert f'href="/targets/{choice.id}/"' in page and choice.name in page
        assert f"add up to <strong>{fmt_int(check.target_total)}</strong> crimes against at most " \
               f"{fmt_int(check.required_total)}" in page
    assert "Meets the corporate target" in page
    assert "Open Government Licence" in page


def test_a_measure_shows_the_plans_targets_with_reasons_and_whether_they_meet_the_corporate_target(viewer, plan):
    check = targets.plan_targets_check(plan, MEASURE)
    page = text(viewer.get(reverse("targets-measure", args=[MEASURE])))
    assert "The boroughs' targets meet the corporate target" in page
    assert f"They add up to <strong>{fmt_int(check.target_total)}</strong> crimes" in page
    assert f"at most <strong>{fmt_int(check.required_total)}</strong>: <strong>{fmt_int(check.margin)} crimes to spare" \
           in page
    rationale = {t.scope: t.rationale for t in plan.targets if t.measure == MEASURE and t.scope != "force"}
    for unit in check.units:
        assert unit.name in page and fmt_int(unit.target) in page and fmt_int(unit.baseline) in page
        assert fmt_pct(unit.change, signed=True) in page
        assert rationale[unit.unit].replace("'", "&#x27;") in page
    assert 'value="5"' in page  # the plan's own corporate reduction, ready to change
    assert "What if" not in page.split("<h1")[1].split("</h1>")[0]


def test_a_what_if_shows_a_fresh_allocation_from_the_get_form(viewer, plan):
    expected = targets.fresh_plan_allocation(plan, MEASURE, method="uniform", reduction=0.07)
    page = text(viewer.get(reverse("targets-measure", args=[MEASURE]), {"reduction": "7", "method": "uniform"}))
    assert "A fresh allocation, not the plan's targets. Nothing is saved." in page
    assert f"<strong>{fmt_int(expected.target_total)}</strong> crimes" in page
    assert f"at most <strong>{fmt_int(expected.required_total)}</strong>" in page
    for unit in expected.units:
        assert fmt_int(unit.target) in page and unit.reason.replace("'", "&#x27;") in page
    assert f"{len(expected.differ_from_plan)} of the {len(expected.units)} boroughs' targets here differ" in page
    assert 'id="method-uniform" name="method" type="radio" value="uniform" checked' in page
    assert "Back to the plan's own targets" in page


def test_a_cap_that_cannot_meet_the_reduction_says_so_in_the_services_words_and_by_how_many_crimes(viewer, plan):
    caps = {code: 0.06 for code in targets.allocation_units(plan, MEASURE)}
    expected = targets.fresh_plan_allocation(plan, MEASURE, reduction=0.07, caps=caps)
    assert not expected.feasible and not expected.meets
    page = text(viewer.get(reverse("targets-measure", args=[MEASURE]), {"reduction": "7%", "cap": "6"}))
    assert "The boroughs' targets do not meet the corporate target" in page
    assert f"{fmt_int(expected.target_total - expected.required_total)} crimes too many" in page
    assert expected.infeasible_reason in page


def test_a_floor_above_the_cap_gives_the_services_message_linked_to_the_field(viewer, plan):
    response = viewer.get(reverse("targets-measure", args=[MEASURE]), {"reduction": "5", "floor": "9", "cap": "3"})
    page = text(response, 400)
    with pytest.raises(Exception) as raised:
        target_setting.what_if_target_setting(plan, MEASURE, reduction=0.05, floor=0.09, cap=0.03)
    assert 'class="error-summary"' in page and str(raised.value).replace("'", "&#x27;") in page
    assert re.search(r'<a href="#(cap|floor)">', page)
    assert "What if" not in page.split("<h1")[1].split("</h1>")[0]  # the plan's own figures, unchanged


@pytest.mark.parametrize(("query", "field", "message"), [
    ({"reduction": "abc"}, "reduction", "Enter the corporate reduction as a percentage, like 5.5"),
    ({"reduction": "150%"}, "reduction", "The corporate reduction must be less than 100%"),
    ({"reduction": "5", "floor": "-2"}, "floor", "The floor for every borough must be 0% or more"),
    ({"reduction": "5", "method": "random"}, "method-stretch", "Choose stretch, uniform or negotiated"),
    ({"reduction": "5", "cap-E09000022": "lots"}, "cap-E09000022", "Enter Lambeth&#x27;s cap as a percentage, like 5.5"),
])
def test_bad_input_is_an_error_summary_linking_to_the_field_and_no_figures_change(viewer, plan, query, field, message):
    own = target_setting.plan_target_setting(plan, MEASURE)
    page = text(viewer.get(reverse("targets-measure", args=[MEASURE]), query), 400)
    assert "There is a problem" in page and f'<a href="#{field}">{message}</a>' in page
    assert f'id="{field}"' in page
    assert "<title>Error: " in page
    assert "No figures were changed" in page
    assert f"They add up to <strong>{fmt_int(own.target_total)}</strong>" in page
    assert "A fresh allocation" not in page


def test_a_proposal_for_one_borough_is_used_by_the_negotiated_method(viewer, plan):
    expected = targets.fresh_plan_allocation(plan, MEASURE, method="negotiated", reduction=0.05,
                                             proposals={"E09000022": 0.10})
    page = text(viewer.get(reverse("targets-measure", args=[MEASURE]),
                           {"reduction": "5", "method": "negotiated", "proposal-E09000022": "10"}))
    lambeth = next(u for u in expected.units if u.unit == "E09000022")
    assert fmt_int(lambeth.target) in page and lambeth.reason.replace("'", "&#x27;") in page
    assert '<details class="details" open>' in page and 'value="10"' in page


def test_a_commander_sees_their_own_row_highlighted(client, make_user):
    client.force_login(make_user(roles.COMMANDER, "lambeth"))
    page = text(client.get(reverse("targets-measure", args=[MEASURE])))
    assert page.count('<tr class="row--own">') == 2  # the allocation table and the per-borough inputs
    own_row = page.split('<tr class="row--own">')[-1].split("</tr>")[0]
    assert "Lambeth" in own_row and "Your borough" in own_row
    assert client.post(reverse("targets-measure", args=[MEASURE]), {"reduction": "9"}).status_code == 403


def test_an_unknown_measure_is_not_found(viewer):
    assert viewer.get(reverse("targets-measure", args=["no-such-measure"])).status_code == 404
    assert viewer.get(reverse("partners-measure", args=["no-such-measure"])).status_code == 404


def test_without_a_requirement_the_tracker_says_which_plan_has_one_and_how_to_show_it(viewer):
    page = text(viewer.get(reverse("requirement")))
    assert "has no external requirement" in page
    assert "POLICINGPLAN_WEB_PLAN=examples/london-2007-08 policingplan serve" in page


def test_the_requirement_tracker_shows_psa1_the_trajectory_and_the_gap(viewer, london_2007):
    result = targets.plan_requirement(london_2007)
    assert round(result.required_change, 3) == -0.194 and round(result.projected_change, 3) == -0.182
    page = text(viewer.get(reverse("requirement")))
    assert "Public Service Agreement 1 (PSA1) - reduce crime" in page
    assert "gives <strong>-18.2%</strong> against <strong>-19.4%</strong> required" in page
    assert "The plan does not meet the requirement" in page
    assert f"<strong>{fmt_int(result.shortfall)} crimes</strong>" in page and "7,571" in page
    assert fmt_pct(result.required_in_year_change, 2, signed=True) in page  # -6.93%
    track = target_setting.requirement_track(london_2007)
    for step in track.steps:
        assert step.period in page and fmt_int(step.volume) in page
    assert "Greater London Authority" in page
    # The chart is the published plan's (publish/plan_charts.py), with its text alternative.
    import html

    from policingplan.publish.plan_charts import requirement_description

    assert '<svg role="img" aria-labelledby="psa1-chart-description"' in page
    assert f'<figcaption id="psa1-chart-description" class="body-s">{requirement_description(result)}</figcaption>' \
        in html.unescape(page)


def test_the_2007_plan_checks_its_targets_and_projects_the_requirement(viewer, london_2007):
    page = text(viewer.get(reverse("targets-measure", args=[OLD])))
    check = targets.plan_targets_check(london_2007, OLD)
    assert f"They add up to <strong>{fmt_int(check.target_total)}</strong>" in page  # 866,306
    assert "Requirement not met" in page and "-18.2%" in page
    what_if = text(viewer.get(reverse("targets-measure", args=[OLD]), {"reduction": "7"}))
    assert "Requirement met" in what_if and "-19.5%" in what_if  # as `targets allocate --reduction 7%` says


def test_partner_alignment_shows_each_boroughs_target_beside_its_partners(viewer, london_2007, web_warehouse):
    result = targets.partner_alignment(london_2007, OLD, warehouse_dir=web_warehouse)
    page = text(viewer.get(reverse("partners")))  # one measure with partner targets: its table at once
    assert len(result.partner_targets) == 4
    for row in result.partner_targets:
        assert row.name in page and fmt_int(row.unit_target) in page
        assert fmt_int(row.partner_volume) in page and f"{row.gap:+,}" in page
    assert "35,758" in page and "-1,355" in page  # Lambeth's LAA target binds
    assert f"<strong>{fmt_int(result.stretched_total)}</strong> crimes, {fmt_int(result.margin)} to spare" in page
    assert "Greater London Authority" in page


def test_partner_alignment_on_the_2023_plan_lists_its_measures_and_shows_each(viewer, plan, web_warehouse):
    page = text(viewer.get(reverse("partners")))
    for choice in target_setting.target_measures(plan).measures:
        assert f'href="/partners/{choice.id}/"' in page
    result = targets.partner_alignment(plan, MEASURE, warehouse_dir=web_warehouse)
    page = text(viewer.get(reverse("partners-measure", args=[MEASURE])))
    for row in result.partner_targets:
        assert row.name in page and fmt_int(row.partner_volume) in page and fmt_int(row.unit_target) in page


def test_the_service_adds_the_what_ifs_margin_and_the_plans_reasons(plan):
    own = target_setting.plan_target_setting(plan, MEASURE)
    assert own.slack == own.required_total - own.target_total and all(row.reason for row in own.units)
    fresh = target_setting.what_if_target_setting(plan, MEASURE, reduction=0.07, cap=0.06)
    assert fresh.slack == fresh.required_total - fresh.target_total < 0 and not fresh.feasible
    assert all(row.cap == 0.06 for row in fresh.units)
    assert all(row.difference == row.target - row.plan_target for row in fresh.units)


def test_a_what_if_without_a_method_uses_stretch_and_shows_it_chosen(viewer):
    page = text(viewer.get(reverse("targets-measure", args=[MEASURE]), {"reduction": "6"}))
    assert 'value="stretch" checked' in page and "A fresh allocation" in page


# --- the what-if as you type (htmx) --------------------------------------------------------------


def _verdict_figures(page: str) -> tuple[str, str]:
    found = re.search(r"They add up to <strong>([\d,]+)</strong> crimes \([^)]*\) against at most <strong>([\d,]+)"
                      r"</strong>", page)
    assert found, "no verdict"
    return found.group(1), found.group(2)


@pytest.mark.parametrize("query", [
    {"reduction": "9"},
    {"reduction": "7", "method": "uniform"},
    {"reduction": "6", "cap": "7", "floor": "2"},
    {"reduction": "5", "method": "negotiated", "proposal-E09000022": "8"},
])
def test_the_what_if_fragment_gives_the_same_sum_as_the_full_page(viewer, plan, query):
    url = reverse("targets-measure", args=[MEASURE])
    full = text(viewer.get(url, query))
    fragment = viewer.get(url, query, HTTP_HX_REQUEST="true")
    part = text(fragment)
    assert "<html" not in part and "<form" not in part  # the parts that change, not the page
    for region in ("what-if-errors", "what-if-summary", "what-if-table", "what-if-status"):
        assert f'id="{region}" hx-swap-oob="innerHTML"' in part, region
    total, required = _verdict_figures(full)
    assert _verdict_figures(part) == (total, required)
    expected = target_setting.what_if_target_setting(
        plan, MEASURE, method=query.get("method", "stretch"), reduction=float(query["reduction"]) / 100,
        floor=float(query["floor"]) / 100 if "floor" in query else None,
        cap=float(query["cap"]) / 100 if "cap" in query else None,
        proposals={"E09000022": 0.08} if "proposal-E09000022" in query else {})
    assert total == fmt_int(expected.target_total) and required == fmt_int(expected.required_total)
    status = re.search(r'<p id="what-if-status" hx-swap-oob="innerHTML">(.*?)</p>', part).group(1)
    assert f"add up to {total} against at most {required}" in status
    # every borough's row and reason, in the fragment as on the full page
    for unit in expected.units:
        assert unit.reason.replace("'", "&#x27;") in part and fmt_int(unit.target) in part


def test_a_mistake_while_typing_is_shown_and_announced_not_refused(viewer):
    url = reverse("targets-measure", args=[MEASURE])
    assert viewer.get(url, {"reduction": "9x"}).status_code == 400  # the form, sent: refused with its summary
    part = text(viewer.get(url, {"reduction": "9x"}, HTTP_HX_REQUEST="true"))  # htmx swaps only a 200
    assert '<a href="#reduction">Enter the corporate reduction as a percentage, like 5.5</a>' in part
    assert 'role="alert"' not in part  # announced once, by the polite live region
    status = re.search(r'<p id="what-if-status" hx-swap-oob="innerHTML">(.*?)</p>', part).group(1)
    assert status.startswith("There is a problem: Enter the corporate reduction as a percentage")


def test_the_page_loads_htmx_from_its_own_static_files_and_announces_the_sum(viewer):
    from pathlib import Path

    from policingplan.web import views_targets

    page = viewer.get(reverse("targets-measure", args=[MEASURE])).content.decode()
    assert '<script src="/static/policingplan/vendor/htmx.min.js" defer></script>' in page
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert 'hx-get="/targets/neighbourhood-crime/"' in page and 'method="get"' in page  # works without it too
    status = re.search(r'<p class="what-if__sum" id="what-if-status" aria-live="polite" aria-atomic="true">(.*?)</p>',
                       page, re.S)
    assert status and "The plan&#x27;s boroughs&#x27; targets add up to" in status.group(1)  # beside the form
    script = viewer.get("/static/policingplan/vendor/htmx.min.js")
    assert script.status_code == 200
    body = b"".join(script.streaming_content) if script.streaming else script.content
    assert body.startswith(b"var htmx=function()")
    vendor = Path(views_targets.__file__).parent / "static" / "policingplan" / "vendor"
    assert "Zero-Clause BSD" in (vendor / "htmx.LICENSE").read_text(encoding="utf-8")
