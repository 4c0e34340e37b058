"""The JSON Schema of a plan, generated from the model (pure)."""

from __future__ import annotations

import json
from typing import Any

from policingplan.plan.model import Plan

SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"


def plan_json_schema() -> dict[str, Any]:
    """The plan model as a JSON Schema (draft 2020-12)."""
    schema = Plan.model_json_schema()
    return {"$schema": SCHEMA_URI, **schema}


def plan_json_schema_text() -> str:
    """The schema as the text committed in ``docs/plan-schema.json``."""
    return json.dumps(plan_json_schema(), indent=2, ensure_ascii=False) + "\n"
