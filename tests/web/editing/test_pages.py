"""The pages of plan editing: versions, a version, the edit form, the workflow, comments, changes, the audit log."""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile

import pytest
from django.urls import reverse

from policingplan.web.editing import rules, store
from policingplan.web.editing.models import PlanVersion
from policingplan.web.models import AuditEntry

pytestmark = pytest.mark.django_db
NC, LAMBETH, WESTMINSTER, YEAR = "neighbourhood-crime", "E09000022", "E09000033", "2023/24"
LAMBETH_NC = "-0.030911524887428543"


def text(response, status=200) -> str:
    assert response.status_code == status, (response.status_code, response.content[:500])
    return re.sub(r"\s+", " ", response.content.decode())


def edit_url(version, scope=LAMBETH, measure=NC):
    return reverse("target-edit", args=[version.pk, measure, scope, "2023-24"])


@pytest.fixture
def team(client, performance):
    client.force_login(performance)
    return client


def test_the_versions_page_lists_each_version_with_its_status_who_and_when(team, draft):
    page = text(team.get(reverse("versions")))
    assert "Version 1.1" in page and "Version 1.0" in page and "Draft" in page and "Published" in page
    assert "performance-all" in page and "system" in page
    assert re.search(r"\d{1,2} [A-Z][a-z]+ 20\d\d, \d\d:\d\d", page)  # 1 March 2007, 14:05


def test_the_performance_team_edits_a_target_with_a_reason_and_the_audit_log_shows_it(team, draft):
    form = text(team.get(edit_url(draft)))
    assert "Neighbourhood crime in Lambeth, 2023/24" in form and 'value="-3.091152"' in form
    assert f'name="seen_value" value="{LAMBETH_NC}"' in form and "csrfmiddlewaretoken" in form
    seen_rationale = html.unescape(re.search(r'name="seen_rationale" value="([^"]*)"', form).group(1))
    assert seen_rationale.startswith("7,963 offences at most")
    response = team.post(edit_url(draft), {"value": "-4", "rationale": "Stretched", "reason": "committee decision",
                                           "seen_value": LAMBETH_NC, "seen_rationale": seen_rationale})
    assert response.status_code == 302 and response["Location"].startswith(reverse("version", args=[draft.pk]))
    page = text(team.get(response["Location"]))
    assert "The target was changed" in page and "-4.0%" in page
    log = text(team.get(reverse("audit")))
    assert "Neighbourhood crime in Lambeth, 2023/24: value -3.1% to -4.0%" in log and "committee decision" in log


def test_a_missing_reason_gets_an_error_summary_linking_to_the_field_and_nothing_changes(team, draft):
    page = text(team.post(edit_url(draft), {"value": "-4", "reason": " ", "seen_value": LAMBETH_NC}))
    assert "There is a problem" in page and '<a href="#reason">Enter the reason for this change' in page
    assert 'id="reason"' in page and 'value="-4"' in page  # what was typed is kept
    assert PlanVersion.objects.get(pk=draft.pk).revision == 1 and not AuditEntry.objects.filter(action="target.edit")


def test_a_figure_that_is_not_a_number_is_named_with_what_is_accepted(team, draft):
    page = text(team.post(edit_url(draft), {"value": "four", "reason": "r", "seen_value": LAMBETH_NC}))
    assert '<a href="#value">The target must be a percentage, like -5.5 or 3: “four” is not a number' in page


def test_the_second_save_of_the_same_target_is_refused_with_the_current_value(team, draft, make_user, client):
    team.post(edit_url(draft), {"value": "-4", "reason": "first", "seen_value": LAMBETH_NC})
    from django.test import Client

    second = Client()
    second.force_login(make_user("performance", "second"))
    page = text(second.post(edit_url(draft), {"value": "-5", "reason": "second", "seen_value": LAMBETH_NC}), 409)
    assert "Your change was not saved" in page and "Someone else changed this target" in page
    assert "Value now</dt><dd>-4.0%" in page
    assert 'name="seen_value" value="-0.04"' in page  # the form now carries the value stored
    assert AuditEntry.objects.filter(action="target.edit").count() == 1


def test_a_published_version_offers_no_edit_and_a_post_to_it_changes_nothing(team, published):
    page = text(team.get(reverse("version", args=[published.pk])))
    assert "cannot be changed" in page and f"/versions/{published.pk}/targets/" not in page
    page = text(team.post(edit_url(published), {"value": "-4", "reason": "r", "seen_value": LAMBETH_NC}))
    assert "only a draft can be changed" in page
    assert PlanVersion.objects.get(pk=published.pk).files == published.files


def test_the_workflow_buttons_take_a_draft_to_publication(team, draft, make_user, client):
    page = text(team.get(reverse("version", args=[draft.pk])))
    assert reverse("version-step", args=[draft.pk, "consult"]) in page
    missing = text(team.post(reverse("version-step", args=[draft.pk, "consult"]), {"reason": ""}))
    assert '<a href="#reason">Enter the reason' in missing
    for step in ("consult", "approve", "publish"):
        response = team.post(reverse("version-step", args=[draft.pk, step]), {"reason": f"{step}: committee"})
        assert response.status_code == 302, text(response)
    assert PlanVersion.objects.get(pk=draft.pk).status == rules.PUBLISHED
    assert "Version 1.1" in text(team.get(reverse("versions")))
    refused = text(team.post(reverse("version-step", args=[draft.pk, "approve"]), {"reason": "again"}))
    assert "cannot be approved" in refused


def test_members_and_commanders_comment_in_consultation_only(client, draft, performance, make_user):
    client.force_login(make_user("viewer"))
    page = text(client.post(reverse("version-comments", args=[draft.pk]), {"text": "too early"}))
    assert "comments are taken only while a version is in consultation" in page
    store.take_step(draft, "consult", user=performance, reason="consult")
    empty = text(client.post(reverse("version-comments", args=[draft.pk]), {"text": ""}))
    assert '<a href="#text">Enter your comment' in empty
    assert client.post(reverse("version-comments", args=[draft.pk]),
                       {"text": "Why Lambeth?", "measure": NC}).status_code == 302
    client.force_login(make_user("commander", "lambeth"))
    client.post(reverse("version-comments", args=[draft.pk]), {"text": "We agree."})
    page = text(client.get(reverse("version-comments", args=[draft.pk])))
    assert "2 comments" in page and "Why Lambeth?" in page and "We agree." in page and "the whole plan" in page


def test_the_changes_page_lists_the_edit_since_the_parent(team, draft):
    store.edit_target(draft, NC, LAMBETH, YEAR, changes={"value": -0.04}, seen={"value": float(LAMBETH_NC)},
                      user=None, reason="stretch")
    page = text(team.get(reverse("version-changes", args=[draft.pk])))
    assert "since version 1.0" in page and "Neighbourhood crime" in page and "Lambeth" in page
    first = text(team.get(reverse("version-changes", args=[draft.parent_id])))
    assert "nothing to compare it with" in first


def test_a_version_downloads_as_its_plan_folder(team, draft):
    response = team.get(reverse("version-download", args=[draft.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="london-2023-24-1.1.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.read("london-2023-24-1.1/units.csv").decode() == draft.files["units.csv"]
    assert "london-2023-24-1.1/versions/1.0/plan.yaml" in archive.namelist()


def _entries(n, published):
    for i in range(n):
        AuditEntry.objects.create(who_name="loader", action="data.load", what=f"load {i}", why="monthly data",
                                  object_type="load", object_id=str(i))


def test_the_audit_log_is_newest_first_filtered_paginated_and_downloads_as_csv(team, published):
    _entries(60, published)
    page = text(team.get(reverse("audit")))
    assert "61 entries, page 1 of 2" in page and page.index("load 59") < page.index("load 10")
    assert "Older entries" in page and "imported from the plan folder" not in page
    second = text(team.get(reverse("audit") + "?page=2"))
    assert "imported from the plan folder" in second
    only = text(team.get(reverse("audit") + "?action=version.import"))
    assert "1 entry" in only and "load 1" not in only
    assert "1 entry" in text(team.get(reverse("audit") + "?user=system"))
    assert "No entry matches these filters" in text(team.get(reverse("audit") + "?user=nobody"))
    rows = list(csv.DictReader(io.StringIO(team.get(reverse("audit-csv") + "?user=loader").content.decode())))
    assert len(rows) == 60 and rows[0]["what"] == "load 59" and rows[0]["why"] == "monthly data"


def test_a_commander_sees_only_the_entries_about_their_own_borough(client, draft, make_user):
    store.edit_target(draft, NC, LAMBETH, YEAR, changes={"value": -0.04}, seen={"value": float(LAMBETH_NC)},
                      user=None, reason="the proposal of Lambeth")
    store.edit_target(draft, NC, WESTMINSTER, YEAR, changes={"value": -0.115},
                      seen={"value": -0.11998330667037627}, user=None, reason="the proposal of Westminster")
    client.force_login(make_user("commander", "lambeth"))
    page = text(client.get(reverse("audit")))
    assert "the proposal of Lambeth" in page and "the proposal of Westminster" not in page and "imported" not in page
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("audit-csv")).content.decode())))
    assert [r["why"] for r in rows] == ["the proposal of Lambeth"]
    client.force_login(make_user("viewer"))
    assert "the proposal of Westminster" in text(client.get(reverse("audit")))


def test_a_lost_database_connection_gets_a_clear_503_page(team, draft, monkeypatch, settings):
    from django.db import OperationalError

    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "policingplan.web.editing.middleware.DatabaseUnavailableMiddleware"]

    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(store, "edit_target", lost)
    page = text(team.post(edit_url(draft), {"value": "-4", "reason": "r", "seen_value": LAMBETH_NC}), 503)
    assert "The change was not saved: the database could not be reached. Try again." in page
