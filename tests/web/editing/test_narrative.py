"""A draft's narrative section rewritten in the browser: reason required, optimistic locking on the text,
audited with the text before and after, refused on a version that is not a draft; the export validates."""

from __future__ import annotations

import pytest
from django.urls import reverse

from policingplan.web.editing import store
from policingplan.web.editing.models import PlanVersion
from policingplan.web.models import AuditEntry

SECTION = "knife-crime"  # a narrative section of the London 2023/24 example
FILE = "narrative/knife-crime.md"
NEW_TEXT = "Knife crime is a priority for every borough.\n\nThe plan works with schools and partners."


def _post(client, version, **fields):
    return client.post(reverse("narrative-edit", args=[version.pk, SECTION]), fields)


def test_the_performance_team_rewrites_a_drafts_section_with_a_reason_and_it_is_audited(client, draft, performance):
    client.force_login(performance)
    page = client.get(reverse("narrative-edit", args=[draft.pk, SECTION])).content.decode()
    before = draft.files[FILE]
    assert "Change the narrative" in page and before.split("\n")[0] in page
    seen = store.text_hash(before)
    response = _post(client, draft, text=NEW_TEXT, seen=seen, reason="the committee asked for partners to be named")
    assert response.status_code == 302 and response["Location"].endswith("#narrative")
    saved = PlanVersion.objects.get(pk=draft.pk)
    assert saved.files[FILE] == NEW_TEXT + "\n" and saved.revision == draft.revision + 1
    entry = AuditEntry.objects.get(action="narrative.edit")
    assert (entry.who_name, entry.why, entry.object_id, entry.plan_version) == (
        "performance-all", "the committee asked for partners to be named", SECTION, draft.label)
    assert entry.before == {"file": FILE, "text": before} and entry.after["text"] == NEW_TEXT + "\n"
    # the version page lists the section with its words, and links to change it
    version_page = client.get(reverse("version", args=[draft.pk])).content.decode()
    assert reverse("narrative-edit", args=[draft.pk, SECTION]) in version_page


def test_without_a_reason_or_text_nothing_is_saved_and_the_summary_links_to_the_field(client, draft, performance):
    client.force_login(performance)
    seen = store.text_hash(draft.files[FILE])
    page = _post(client, draft, text=NEW_TEXT, seen=seen, reason=" ").content.decode()
    assert 'href="#reason"' in page and "Nothing was saved." in page
    page = _post(client, draft, text="  ", seen=seen, reason="a reason").content.decode()
    assert 'href="#text"' in page and "cannot be left empty" in page
    assert PlanVersion.objects.get(pk=draft.pk).files[FILE] == draft.files[FILE]
    assert not AuditEntry.objects.filter(action="narrative.edit").exists()


def test_a_second_save_from_the_same_text_is_refused_with_the_text_now(client, draft, performance):
    client.force_login(performance)
    seen = store.text_hash(draft.files[FILE])
    assert _post(client, draft, text=NEW_TEXT, seen=seen, reason="first").status_code == 302
    late = _post(client, draft, text="Another text altogether.", seen=seen, reason="second")
    assert late.status_code == 409
    page = late.content.decode()
    assert "Your change was not saved" in page and "The plan works with schools and partners." in page
    assert PlanVersion.objects.get(pk=draft.pk).files[FILE] == NEW_TEXT + "\n"
    assert AuditEntry.objects.filter(action="narrative.edit").count() == 1


def test_a_published_version_is_refused_in_the_store_and_the_page(client, published, performance):
    with pytest.raises(store.VersionLocked):
        store.edit_narrative(published, SECTION, text=NEW_TEXT, seen_hash=store.text_hash(published.files[FILE]),
                             user=performance, reason="no")
    client.force_login(performance)
    response = _post(client, published, text=NEW_TEXT, seen=store.text_hash(published.files[FILE]), reason="no")
    assert "only a draft can be changed" in response.content.decode()
    assert PlanVersion.objects.get(pk=published.pk).files[FILE] == published.files[FILE]


def test_an_edited_section_is_in_the_exported_folder_which_validates(draft, performance, tmp_path):
    from policingplan.services.plan import validate
    from policingplan.web.editing import export

    edited = store.edit_narrative(draft, SECTION, text=NEW_TEXT, seen_hash=store.text_hash(draft.files[FILE]),
                                  user=performance, reason="the committee's wording")
    export.write(edited, tmp_path / "plan")
    assert (tmp_path / "plan" / FILE).read_text(encoding="utf-8") == NEW_TEXT + "\n"
    result = validate(tmp_path / "plan")
    assert result.ok and not result.errors


def test_only_the_performance_team_may_change_the_narrative(client, draft, make_user):
    for role in ("viewer", "investment", "administrator"):
        client.force_login(make_user(role))
        response = _post(client, draft, text=NEW_TEXT, seen=store.text_hash(draft.files[FILE]), reason="mine")
        assert response.status_code == 403, role
    assert PlanVersion.objects.get(pk=draft.pk).files[FILE] == draft.files[FILE]
