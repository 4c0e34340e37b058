"""docs/schema/ holds the JSON Schema of every service result, as the models give it today.

Each module of policingplan.services lists its result models in RESULTS;
scripts/result_schemas.py writes their schemas (and Notice's and Problem's)
with an index.  A stale, missing or left-over file fails here.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from pydantic import BaseModel

from policingplan.problems import Problem
from policingplan.results import Notice, Result
from policingplan.services.schemas import result_models, result_schemas, schema_files, service_modules

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = ROOT / "docs" / "schema"
RUN = "run: .venv/bin/python scripts/result_schemas.py"


def _script():
    spec = importlib.util.spec_from_file_location("result_schemas_script", ROOT / "scripts" / "result_schemas.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_schemas_are_what_the_models_give():
    problems = _script().stale(schema_files(), SCHEMA_DIR)
    assert problems == [], "; ".join(problems) + f" ({RUN})"


def test_every_model_in_results_is_a_result():
    models = result_models()
    assert set(models) == set(service_modules())
    not_results = [f"{module}.RESULTS: {model!r}" for module, listed in models.items() for model in listed
                   if not (isinstance(model, type) and issubclass(model, Result))]
    assert not_results == [], "each model in RESULTS subclasses policingplan.results.Result"


def test_every_services_module_lists_its_results():
    missing = [module for module, listed in result_models().items() if not listed]
    assert missing == [], "each services module ends with RESULTS = (ModelA, ModelB, ...)"


def test_the_shared_shapes_are_in_the_set_and_each_schema_is_json_schema():
    schemas = result_schemas()
    assert {"Notice", "Problem"} <= set(schemas)
    assert set(schemas["Problem"]["properties"]) >= {"message", "file", "line", "column", "value", "accepted"}
    assert schemas["Notice"]["required"] == ["code", "text"] or set(schemas["Notice"]["required"]) >= {"code", "text"}
    for name, schema in schemas.items():
        assert schema.get("title") == name and schema.get("type") == "object", name


def test_the_index_names_every_schema_with_its_summary():
    files = schema_files()
    index = files["README.md"]
    for name in files:
        if name != "README.md":
            assert f"]({name})" in index, name
    assert "One thing wrong (or worth a warning) in a user's input." in index
    assert all(text.endswith("}\n") and json.loads(text) for name, text in files.items() if name != "README.md")


def test_the_script_writes_and_checks_a_folder(tmp_path, monkeypatch):
    script = _script()
    monkeypatch.setattr(script, "SCHEMA_DIR", tmp_path / "schema")
    assert script.main([]) == 0
    assert script.stale(schema_files(), tmp_path / "schema") == []
    (tmp_path / "schema" / "Notice.schema.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "schema" / "Gone.schema.json").write_text("{}\n", encoding="utf-8")
    assert script.main(["--check"]) == 1
    assert script.stale(schema_files(), tmp_path / "schema") == [
        "docs/schema/Notice.schema.json is stale", "docs/schema/Gone.schema.json belongs to no result model"]
    assert script.main([]) == 0
    assert not (tmp_path / "schema" / "Gone.schema.json").exists()
    assert script.stale(schema_files(), tmp_path / "schema") == []
