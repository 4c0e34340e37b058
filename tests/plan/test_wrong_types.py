"""A list or a mapping where plan.yaml wants text is an error at its line, never a crash (found by fuzzing)."""

from __future__ import annotations

import shutil

import pytest
import yaml

from policingplan.plan.io import read_plan


@pytest.mark.parametrize("value", [[], {"a": 1}])
@pytest.mark.parametrize("section, field", [("targets", "kind"), ("narrative", "file")])
def test_a_list_or_mapping_for_a_text_field_is_an_error_at_its_line(tmp_path, project_root, section, field, value):
    folder = tmp_path / "plan"
    shutil.copytree(project_root / "examples" / "london-2007-08", folder, ignore=shutil.ignore_patterns("versions"))
    data = yaml.safe_load((folder / "plan.yaml").read_text(encoding="utf-8"))
    data[section][0][field] = value
    (folder / "plan.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    plan, problems = read_plan(folder)
    assert plan is None
    wanted = [p for p in problems.errors if f"{section}[0].{field}" in str(p)]
    assert wanted and all(p.file.endswith("plan.yaml") and p.line for p in wanted)


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x7f", "\ufffe"])
def test_a_control_character_in_plan_yaml_is_one_error_at_its_line(tmp_path, project_root, character):
    folder = tmp_path / "plan"
    shutil.copytree(project_root / "examples" / "london-2007-08", folder, ignore=shutil.ignore_patterns("versions"))
    lines = (folder / "plan.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[9] = lines[9].rstrip("\n") + character + "\n"  # line 10
    (folder / "plan.yaml").write_text("".join(lines), encoding="utf-8")
    plan, problems = read_plan(folder)
    assert plan is None
    [error] = problems.errors
    assert error.file.endswith("plan.yaml") and error.line == 10
    assert f"U+{ord(character):04X}" in str(error) and "\n" not in str(error)
