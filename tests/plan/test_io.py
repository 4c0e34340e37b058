"""Writing plan folders: whole or not at all, other files kept, the folder's mode kept."""

from __future__ import annotations

import os
import stat

import pytest

from policingplan.plan import io as plan_io
from policingplan.plan.io import load_plan, read_plan, write_plan
from policingplan.plan.model import NarrativeSection
from policingplan.problems import UserError

from .conftest import edit


def _snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_writing_over_a_plan_keeps_other_files_and_drops_unnamed_narrative(mini_plan):
    (mini_plan / "README.md").write_text("Notes for the team\n", encoding="utf-8")
    (mini_plan / "narrative" / "old.md").write_text("# Old\n", encoding="utf-8")
    plan = load_plan(mini_plan)
    write_plan(plan.model_copy(update={"name": "Renamed"}), mini_plan)
    assert (mini_plan / "README.md").read_text(encoding="utf-8") == "Notes for the team\n"
    assert not (mini_plan / "narrative" / "old.md").exists()
    assert load_plan(mini_plan).name == "Renamed"
    assert [p.name for p in mini_plan.parent.iterdir()] == ["mini"]  # no staging folder left behind


def test_writing_keeps_the_folder_mode(mini_plan):
    os.chmod(mini_plan, 0o750)
    write_plan(load_plan(mini_plan), mini_plan)
    assert stat.S_IMODE(mini_plan.stat().st_mode) == 0o750


def test_a_failed_write_leaves_the_old_plan_whole(mini_plan, monkeypatch):
    before = _snapshot(mini_plan)
    plan = load_plan(mini_plan).model_copy(update={"name": "Half written?"})
    calls = {"n": 0}
    real_fsync = os.fsync

    def failing_fsync(fd):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(plan_io.os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        write_plan(plan, mini_plan)
    assert _snapshot(mini_plan) == before
    assert [p.name for p in mini_plan.parent.iterdir()] == ["mini"]


def test_a_plan_that_cannot_be_written_faithfully_is_refused(mini_plan, tmp_path):
    plan = load_plan(mini_plan)
    twice = plan.model_copy(update={"narrative": plan.narrative + [
        NarrativeSection(id="again", title="Again", file="narrative/intro.md", body="Other text")]})
    with pytest.raises(UserError, match="same file"):
        write_plan(twice, tmp_path / "out")
    outside = plan.model_copy(update={"narrative": [
        NarrativeSection(id="x", title="X", file="../x.md", body="Text")]})
    with pytest.raises(UserError, match="inside the narrative folder"):
        write_plan(outside, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_unit_may_not_be_called_force(mini_plan):
    edit(mini_plan / "units.csv", "U2,South", "force,South")
    plan, problems = read_plan(mini_plan)
    assert plan is None
    assert any("may not have the code 'force'" in p.message and p.line == 3 for p in problems.errors)
