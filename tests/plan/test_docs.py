"""docs/plan-format.md documents every field of the model, and its example output is real."""

from __future__ import annotations

import re
import shutil

from pydantic import BaseModel

from policingplan.plan import model
from policingplan.plan.io import read_plan

from .conftest import edit


def _models() -> list[type[BaseModel]]:
    return [
        value
        for value in vars(model).values()
        if isinstance(value, type) and issubclass(value, model.PlanModel) and value is not model.PlanModel
    ]


def test_every_field_of_every_model_is_documented(project_root):
    text = (project_root / "docs" / "plan-format.md").read_text(encoding="utf-8")
    missing = sorted(
        f"{m.__name__}.{name}" for m in _models() for name in m.model_fields if f"`{name}`" not in text
    )
    assert missing == []


def test_the_documented_validation_output_is_what_validate_prints(project_root, tmp_path, monkeypatch):
    text = (project_root / "docs" / "plan-format.md").read_text(encoding="utf-8")
    documented = re.findall(r"^  error (my-plan/.*)$", text, flags=re.MULTILINE)
    assert len(documented) == 4
    folder = tmp_path / "my-plan"
    shutil.copytree(project_root / "examples" / "london-2007-08", folder)
    edit(folder / "plan.yaml", "    polarity: lower\n    unit_of_count: offences\n    cpa: true\n    description: >-\n      Theft",
         "    polarty: lower\n    unit_of_count: offences\n    cpa: true\n    description: >-\n      Theft")
    edit(folder / "plan.yaml", "    minimum: -0.06", "    minimum: -0.04")
    edit(folder / "units.csv", "E09000021,Kingston upon Thames,borough,153667,", "E09000021,Kingston upon Thames,borough,lots,")
    monkeypatch.chdir(tmp_path)
    plan, problems = read_plan("my-plan")
    assert [str(p) for p in problems.errors] == documented
