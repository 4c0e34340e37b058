"""A version exported as a plan folder validates as `policingplan validate` checks it; other areas add files."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from policingplan.services.plan import load, read_folder, validate
from policingplan.services.portfolio import portfolio_from_files
from policingplan.web.editing import export, store

pytestmark = pytest.mark.django_db
NC, LAMBETH, YEAR = "neighbourhood-crime", "E09000022", "2023/24"


def assert_same_folder(exported: dict[str, str], version_files: dict[str, str]) -> None:
    """The exported folder holds the version's files; its portfolio.yaml is written afresh from the application's
    state (docs/portfolio.md), so it is compared by what it reads as, not by its text."""
    assert set(exported) == set(version_files)
    assert {k: v for k, v in exported.items() if k != "portfolio.yaml"} == \
        {k: v for k, v in version_files.items() if k != "portfolio.yaml"}
    assert "portfolio.yaml" in exported  # the 2023/24 example carries a portfolio
    assert portfolio_from_files(exported)[1] == portfolio_from_files(version_files)[1]


def test_an_edited_version_exported_by_the_command_validates_with_no_problem(draft, performance, tmp_path):
    store.edit_target(draft, NC, LAMBETH, YEAR, changes={"value": -0.045, "rationale": "Stretched"},
                      seen={"value": -0.030911524887428543}, user=performance, reason="the committee's decision")
    store.edit_target(draft, NC, "force", YEAR, changes={"value": -0.049}, seen={"value": -0.05},
                      user=performance, reason="the force target eased by 0.1 point")
    out = tmp_path / "exported"
    call_command("export_plan", "--out", str(out), "--label", "1.1")
    result = validate(out)
    assert result.ok and not result.errors and not result.warnings, [e.message for e in result.errors]
    plan = load(out)
    assert plan.version == "1.1"
    assert next(t for t in plan.targets if t.key == (NC, LAMBETH, YEAR)).value == -0.045
    assert next(t for t in plan.targets if t.key == (NC, "force", YEAR)).value == -0.049
    assert_same_folder(read_folder(out), store.get(draft.pk).files)


def test_the_command_exports_the_version_shown_by_default_and_names_a_missing_version(published, tmp_path):
    call_command("export_plan", "--out", str(tmp_path / "shown"))
    assert_same_folder(read_folder(tmp_path / "shown"), published.files)
    with pytest.raises(CommandError, match="has no version '9.9'; it has 1.0"):
        call_command("export_plan", "--out", str(tmp_path / "x"), "--label", "9.9")
    assert not (tmp_path / "x").exists()


def test_files_registered_by_another_area_are_added_to_the_export(draft, monkeypatch, tmp_path):
    monkeypatch.setattr(export, "EXTRA_FILES", [lambda version: {"portfolio.yaml": f"# for {version.label}\n"}])
    export.write(draft, tmp_path / "out")
    assert (tmp_path / "out" / "portfolio.yaml").read_text(encoding="utf-8") == "# for 1.1\n"
    assert validate(tmp_path / "out").ok
