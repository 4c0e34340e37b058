"""Which plan the pages show: the newest published version, written once as a plan folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from policingplan.services.changes import plan_changes, previous_version
from policingplan.services.plan import load
from policingplan.web import figures, shown
from policingplan.web.editing import store

pytestmark = pytest.mark.django_db
NC, LAMBETH, YEAR = "neighbourhood-crime", "E09000022", "2023/24"


def test_the_pages_show_the_imported_folder_written_under_the_plans_setting(web_plan_dir, editing_settings):
    folder = Path(shown.plan_dir())
    assert folder.parent == Path(editing_settings.POLICINGPLAN_WEB_PLANS)
    assert load(folder) == load(web_plan_dir)
    for path in web_plan_dir.rglob("*"):
        if path.is_file():
            assert (folder / path.relative_to(web_plan_dir)).read_bytes() == path.read_bytes(), path
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # no staging folder left


def test_a_published_version_is_shown_with_its_parent_as_the_previous_version(draft, performance, client):
    store.edit_target(draft, NC, LAMBETH, YEAR, changes={"value": -0.04}, seen={"value": -0.030911524887428543},
                      user=performance, reason="stretch")
    before = shown.plan_dir()
    for step in ("consult", "approve", "publish"):
        store.take_step(draft, step, user=performance, reason=f"{step} it")
    folder = shown.plan_dir()
    assert folder != before and figures.plan().version == "1.1"
    assert next(t for t in figures.plan().targets if t.key == (NC, LAMBETH, YEAR)).value == -0.04
    earlier = previous_version(folder)
    assert earlier is not None and earlier.name == "1.0"
    changes = plan_changes(earlier, folder).changes
    assert [c.subject for c in changes if c.section == "targets"] == [
        "the target for ‘Neighbourhood crime’ (Lambeth, 2023/24)"]
    client.force_login(performance)
    page = client.get(reverse("borough", args=["lambeth"])).content.decode()
    assert "7,888 or fewer" in page and "7,963 or fewer" not in page  # 8,217 less 4.0%, not less 3.1%


def test_within_a_request_the_database_is_asked_once_which_version_is_shown(client, make_user):
    client.force_login(make_user("viewer"))
    client.get(reverse("plan"))  # the first request imports the folder and writes it
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("plan")).status_code == 200
    asked = [q["sql"] for q in queries.captured_queries if "editing_planversion" in q["sql"]]
    assert len(asked) == 1, asked


def test_a_folder_written_once_is_reused_and_never_half_written(published, tmp_path):
    files = {"plan.yaml": published.files["plan.yaml"], "narrative/a.md": "text"}
    target = tmp_path / "plan"
    shown.write_once(files, target)
    shown.write_once({"plan.yaml": "other"}, target)  # a second writer of the same name finds it whole
    assert (target / "plan.yaml").read_text(encoding="utf-8") == published.files["plan.yaml"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]
