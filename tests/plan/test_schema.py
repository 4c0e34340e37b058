"""The plan's JSON Schema: generated from the model, committed, and true to the example."""

from __future__ import annotations

import json

import jsonschema

from policingplan.plan.io import load_plan
from policingplan.plan.schema import plan_json_schema, plan_json_schema_text


def test_the_committed_schema_is_the_generated_one(project_root):
    committed = (project_root / "docs" / "plan-schema.json").read_text(encoding="utf-8")
    assert committed == plan_json_schema_text(), "run: policingplan schema --output docs/plan-schema.json"


def test_the_schema_accepts_the_london_plan_and_refuses_a_misspelt_field(project_root):
    schema = plan_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    plan = json.loads(load_plan(project_root / "examples" / "london-2007-08").model_dump_json())
    jsonschema.validate(plan, schema)
    plan["measures"][0]["polarty"] = "lower"
    validator = jsonschema.Draft202012Validator(schema)
    assert any("polarty" in error.message for error in validator.iter_errors(plan))
