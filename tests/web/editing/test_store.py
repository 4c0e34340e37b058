"""The store of plan versions: the import, target edits with optimistic locking, the workflow, and the audit trail."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from policingplan.services.plan import find_target, read_files
from policingplan.web.editing import rules, store
from policingplan.web.editing.models import PlanVersion
from policingplan.web.models import AuditEntry

pytestmark = pytest.mark.django_db
NC, LAMBETH, WESTMINSTER, YEAR = "neighbourhood-crime", "E09000022", "E09000033", "2023/24"
LAMBETH_NC = -0.030911524887428543  # examples/london-2023-24/unit_targets.csv


def target(version, measure=NC, scope=LAMBETH):
    plan, problems = read_files(PlanVersion.objects.get(pk=version.pk).files)
    assert plan is not None, problems.errors
    return find_target(plan, measure, scope, YEAR)


def test_the_plan_folder_is_imported_once_as_the_published_version_by_the_system(web_plan_dir):
    first = store.ensure_imported()
    again = store.ensure_imported()
    assert first.pk == again.pk and PlanVersion.objects.count() == 1
    assert (first.plan_id, first.label, first.status) == ("london-2023-24", "1.0", rules.PUBLISHED)
    assert first.created_by_name == "system" and first.published_at is not None
    on_disk = {p.relative_to(web_plan_dir).as_posix() for p in web_plan_dir.rglob("*") if p.is_file()}
    assert set(first.files) == on_disk  # plan.yaml, the tables, the narrative, make_unit_targets.py
    assert first.files["units.csv"] == (web_plan_dir / "units.csv").read_text(encoding="utf-8")
    entry = AuditEntry.objects.get()
    assert (entry.who, entry.who_name, entry.action, entry.why) == (None, "system", "version.import",
                                                                     "imported from the plan folder")
    assert store.shown_version().pk == first.pk and store.current_draft() is None


@pytest.mark.django_db(transaction=True)
def test_two_first_requests_at_once_import_the_folder_once():
    barrier, found, errors = threading.Barrier(2), [], []

    def first_request():
        try:
            barrier.wait()
            found.append(store.ensure_imported().pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first_request) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(set(found)) == 1 and PlanVersion.objects.count() == 1
    assert AuditEntry.objects.filter(action="version.import").count() == 1


def test_a_new_draft_is_a_copy_with_the_next_label_and_keeps_its_parent_as_a_version(draft, published, performance):
    assert (draft.label, draft.status, draft.parent_id, draft.created_by_name) == ("1.1", rules.DRAFT, published.pk,
                                                                                   "performance-all")
    plan, _ = read_files(draft.files)
    assert (plan.version, plan.status) == ("1.1", "draft")
    assert draft.files["versions/1.0/plan.yaml"] == published.files["plan.yaml"]
    assert draft.files["unit_targets.csv"] == published.files["unit_targets.csv"]
    assert store.current_draft().pk == draft.pk
    entry = AuditEntry.objects.filter(action="version.start-draft").get()
    assert (entry.who, entry.why, entry.plan_version) == (performance, "the 2024 refresh of the plan", "1.1")


def test_a_target_edit_changes_that_target_only_and_records_who_what_why(draft, performance):
    before_files = dict(draft.files)
    saved = store.edit_target(draft, NC, LAMBETH, YEAR, changes={"value": -0.04, "rationale": "Stretched by 1 point"},
                              seen={"value": LAMBETH_NC}, user=performance, reason="the committee asked for more")
    assert saved.revision == 2
    changed = target(draft)
    assert changed.value == -0.04 and changed.rationale == "Stretched by 1 point"
    assert target(draft, scope=WESTMINSTER).value == pytest.approx(-0.11998330667037627)
    assert [n for n in before_files if before_files[n] != saved.files[n]] == ["unit_targets.csv"]
    entry = AuditEntry.objects.filter(action="target.edit").get()
    assert entry.who == performance and entry.why == "the committee asked for more"
    assert entry.object_id == f"{NC}/{LAMBETH}/{YEAR}" and entry.plan_version == "1.1"
    assert entry.before == {"value": LAMBETH_NC, "rationale": target_rationale(before_files)}
    assert entry.after == {"value": -0.04, "rationale": "Stretched by 1 point"}
    assert entry.what == "Neighbourhood crime in Lambeth, 2023/24: value -3.1% to -4.0%; rationale changed"


def target_rationale(files):
    plan, _ = read_files(files)
    return find_target(plan, NC, LAMBETH, YEAR).rationale


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_change_without_a_reason_is_refused_and_changes_nothing(draft, performance, reason):
    with pytest.raises(store.ReasonMissing):
        store.edit_target(draft, NC, LAMBETH, YEAR, changes={"value": -0.04}, seen={"value": LAMBETH_NC},
                          user=performance, reason=reason)
    assert target(draft).value == LAMBETH_NC and not AuditEntry.objects.filter(action="target.edit").exists()


def test_the_second_of_two_saves_of_the_same_target_is_refused_with_the_current_value(draft, performance, make_user):
    other = make_user("performance", "lambeth")
    store.edit_target(draft, NC, LAMBETH, YEAR, changes={"value": -0.04}, seen={"value": LAMBETH_NC},
                      user=performance, reason="first")
    files = PlanVersion.objects.get(pk=draft.pk).files
    with pytest.raises(store.EditConflict) as refused:
        store.edit_target(draft, NC, LAMBETH, YEAR, changes={"value": -0.05}, seen={"value": LAMBETH_NC},
                          user=other, reason="second, from the same page")
    assert refused.value.current == {"value": -0.04}
    assert "Someone else changed this target" in str(refused.value)
    assert PlanVersion.objects.get(pk=draft.pk).files == files and target(draft).value == -0.04
    assert AuditEntry.objects.filter(action="target.edit").count() == 1


def test_two_people_editing_different_targets_of_a_draft_do_not_conflict(draft, performance, make_user):
    other = make_user("performance", "westminster")
    store.edit_target(draft, NC, LAMBETH, YEAR, changes={"value": -0.04}, seen={"value": LAMBETH_NC},
                      user=performance, reason="Lambeth stretched")
    store.edit_target(draft, NC, WESTMINSTER, YEAR, changes={"value": -0.115}, seen={"value": -0.11998330667037627},
                      user=other, reason="Westminster eased")
    assert target(draft).value == -0.04 and target(draft, scope=WESTMINSTER).value == -0.115
    assert PlanVersion.objects.get(pk=draft.pk).revision == 3


def test_a_second_person_changing_another_field_of_the_same_target_loses_nothing(draft, performance, make_user):
    store.edit_target(draft, NC, LAMBETH, YEAR, changes={"value": -0.04}, seen={"value": LAMBETH_NC},
                      user=performance, reason="stretched")
    old = target_rationale(draft.files)
    store.edit_target(draft, NC, LAMBETH, YEAR, changes={"rationale": "Agreed with the borough"},
                      seen={"rationale": old}, user=make_user("performance", "x"), reason="wording")
    assert (target(draft).value, target(draft).rationale) == (-0.04, "Agreed with the borough")


@pytest.mark.parametrize("status", [rules.CONSULTATION, rules.APPROVED, rules.PUBLISHED, rules.SUPERSEDED])
def test_the_store_refuses_to_change_a_version_that_is_not_a_draft(draft, performance, status):
    PlanVersion.objects.filter(pk=draft.pk).update(status=status)
    files = PlanVersion.objects.get(pk=draft.pk).files
    with pytest.raises(store.VersionLocked, match="only a draft can be changed"):
        store.edit_target(draft.pk, NC, LAMBETH, YEAR, changes={"value": -0.04}, seen={"value": LAMBETH_NC},
                          user=performance, reason="should not happen")
    assert PlanVersion.objects.get(pk=draft.pk).files == files
    assert not AuditEntry.objects.filter(action="target.edit").exists()


def test_the_published_import_itself_cannot_be_edited(published, performance):
    with pytest.raises(store.VersionLocked):
        store.edit_target(published, NC, LAMBETH, YEAR, changes={"value": -0.04}, seen={"value": LAMBETH_NC},
                          user=performance, reason="straight into the published plan")


@pytest.mark.parametrize(("changes", "message"), [
    ({"value": LAMBETH_NC}, "same as the current ones"),
    ({"colour": "red"}, "cannot change colour"),
])
def test_an_edit_that_changes_nothing_or_a_field_that_cannot_change_is_refused(draft, performance, changes, message):
    with pytest.raises(store.InvalidEdit, match=message):
        store.edit_target(draft, NC, LAMBETH, YEAR, changes=changes, seen={}, user=performance, reason="r")


def test_an_edit_of_a_target_the_plan_does_not_have_is_refused(draft, performance):
    with pytest.raises(store.InvalidEdit, match="has no target for neighbourhood-crime in W99999999"):
        store.edit_target(draft, NC, "W99999999", YEAR, changes={"value": -0.04}, seen={}, user=performance,
                          reason="r")


def test_an_exception_in_the_middle_of_a_save_leaves_nothing(draft, performance, monkeypatch):
    files, revision = dict(draft.files), draft.revision
    entries = AuditEntry.objects.count()

    def fails(version, fields):  # after the audit entry is written, before the version's row is
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(store, "_save", fails)
    with pytest.raises(RuntimeError):
        store.edit_target(draft, NC, LAMBETH, YEAR, changes={"value": -0.04}, seen={"value": LAMBETH_NC},
                          user=performance, reason="r")
    row = PlanVersion.objects.get(pk=draft.pk)
    assert (row.files, row.revision) == (files, revision) and AuditEntry.objects.count() == entries


def test_the_workflow_from_draft_to_published_records_every_step(draft, published, performance, make_user):
    store.edit_target(draft, NC, LAMBETH, YEAR, changes={"value": -0.04}, seen={"value": LAMBETH_NC},
                      user=performance, reason="stretched")
    with pytest.raises(store.VersionLocked, match="only one in consultation"):
        store.take_step(draft, "approve", user=performance, reason="too soon")
    store.take_step(draft, "consult", user=performance, reason="for the members' views")
    store.add_comment(draft, user=make_user("viewer"), text="Why only Lambeth?", measure=NC)
    store.add_comment(draft, user=make_user("commander", "lambeth"), text="We can do it.")
    with pytest.raises(store.NotAllowed):
        store.take_step(draft, "approve", user=make_user("viewer", "x"), reason="members approve")
    approved = store.take_step(draft, "approve", user=performance, reason="approved by the committee on 1 March",
                               meeting="Planning, Performance and Review Committee")
    plan, _ = read_files(approved.files)
    assert plan.status == "agreed" and plan.amendments[-1].version == "1.1"
    assert plan.amendments[-1].reason == "approved by the committee on 1 March"
    assert plan.amendments[-1].meeting == "Planning, Performance and Review Committee"
    with pytest.raises(store.VersionLocked):
        store.edit_target(draft, NC, LAMBETH, YEAR, changes={"value": -0.05}, seen={"value": -0.04},
                          user=performance, reason="after approval")
    with pytest.raises(store.VersionLocked):
        store.add_comment(draft, user=performance, text="late")
    store.take_step(draft, "publish", user=performance, reason="published for 1 April")
    assert store.shown_version().pk == draft.pk
    assert PlanVersion.objects.get(pk=published.pk).status == rules.SUPERSEDED
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "who_name"))
    assert actions == [
        ("version.import", "system"), ("version.start-draft", "performance-all"), ("target.edit", "performance-all"),
        ("version.consult", "performance-all"), ("version.comment", "viewer-all"),
        ("version.comment", "commander-lambeth"), ("version.approve", "performance-all"),
        ("version.supersede", "performance-all"), ("version.publish", "performance-all"),
    ]


def test_a_draft_whose_boroughs_no_longer_meet_the_force_target_cannot_be_approved(draft, performance):
    store.edit_target(draft, NC, WESTMINSTER, YEAR, changes={"value": 0.5}, seen={"value": -0.11998330667037627},
                      user=performance, reason="a what-if gone wrong")
    store.take_step(draft, "consult", user=performance, reason="consult")
    with pytest.raises(store.InvalidEdit, match="cannot be approved: the plan is not valid"):
        store.take_step(draft, "approve", user=performance, reason="approve")
    assert PlanVersion.objects.get(pk=draft.pk).status == rules.CONSULTATION
    assert not AuditEntry.objects.filter(action="version.approve").exists()


def test_an_edit_that_would_make_the_plan_invalid_is_refused(draft, performance):
    with pytest.raises(store.InvalidEdit, match="would not give a valid plan"):
        store.edit_target(draft, NC, "force", YEAR, changes={"value": None}, seen={"value": -0.05},
                          user=performance, reason="no figure")
    assert AuditEntry.objects.filter(action="target.edit").count() == 0
