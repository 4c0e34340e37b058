"""The JSON Schema of every service result, for ``docs/schema/``.

Each module of :mod:`policingplan.services` lists the result models it returns
in ``RESULTS``.  :func:`result_models` gathers them (importing every services
module there is); :func:`result_schemas` gives each one's JSON Schema, as
``--json`` prints it (pydantic's serialisation schema); :func:`schema_files`
renders the files of ``docs/schema/``: one ``<Model>.schema.json`` per model and
an index, ``README.md``.  ``scripts/result_schemas.py`` writes them, and
``tests/test_result_schemas.py`` fails when the committed files are stale.

Two shapes that every service shares are in the set too: a
:class:`~policingplan.results.Notice` (a coded warning) and a
:class:`~policingplan.problems.Problem` (a user's mistake, as a form or
``--json`` shows it; a dataclass, so its schema comes from a pydantic
``TypeAdapter``).
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from typing import Any

from pydantic import BaseModel, TypeAdapter

from policingplan.problems import Problem
from policingplan.results import Notice, Result

#: The modules of the services package that are not services.
NOT_SERVICES = frozenset({"schemas"})
#: Shapes shared by every service, in the set whether or not a module lists them.
SHARED: tuple[type, ...] = (Notice, Problem)


def service_modules() -> list[str]:
    """The names of the services modules there are (``policingplan.services.targets``, ...), sorted."""
    import policingplan.services as package

    return sorted(f"{package.__name__}.{info.name}" for info in pkgutil.iter_modules(package.__path__)
                  if info.name not in NOT_SERVICES and not info.name.startswith("_"))


def result_models() -> dict[str, list[type[BaseModel]]]:
    """Each services module's ``RESULTS``, by module name (a module without ``RESULTS`` lists none)."""
    models = {}
    for name in service_modules():
        module = importlib.import_module(name)
        results = getattr(module, "RESULTS", ())
        if not isinstance(results, (tuple, list)):
            raise TypeError(f"{name}.RESULTS is a {type(results).__name__}; it is a tuple of result models")
        models[name] = list(results)
    return models


def _schema(shape: type) -> dict[str, Any]:
    if isinstance(shape, type) and issubclass(shape, BaseModel):
        return shape.model_json_schema(mode="serialization")
    return TypeAdapter(shape).json_schema(mode="serialization")


def _summary(shape: type) -> str:
    """The first line of a model's docstring."""
    doc = inspect.getdoc(shape) or ""
    return doc.strip().splitlines()[0].strip() if doc.strip() else ""


def _shapes() -> dict[str, tuple[type, str]]:
    """Each shape by its name, with the module that lists it; a name used by two models is refused."""
    shapes: dict[str, tuple[type, str]] = {}
    listed = [(model, module) for module, models in result_models().items() for model in models]
    listed += [(shape, shape.__module__) for shape in SHARED]
    for shape, module in listed:
        name = shape.__name__
        if name in shapes and shapes[name][0] is not shape:
            raise ValueError(f"two result models are named {name}: in {shapes[name][1]} and in {module}; "
                             "rename one, as each has its own schema file")
        shapes.setdefault(name, (shape, module))
    return dict(sorted(shapes.items()))


def result_schemas() -> dict[str, dict[str, Any]]:
    """Each result model's name and its JSON Schema, as ``--json`` prints the result."""
    return {name: _schema(shape) for name, (shape, _) in _shapes().items()}


def schema_text(schema: dict[str, Any]) -> str:
    """A schema as its file's text: sorted keys, indented by two, ending in a newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def schema_files() -> dict[str, str]:
    """The files of ``docs/schema/`` by name: ``<Model>.schema.json`` for each model, and ``README.md``."""
    shapes = _shapes()
    files = {f"{name}.schema.json": schema_text(_schema(shape)) for name, (shape, _) in shapes.items()}
    lines = [
        "# Result schemas",
        "",
        "The JSON Schema of every result that a service returns: what `--json` prints, what a",
        "web page renders and what a published document fills its tables from. Each is",
        "generated from the result model in `policingplan.services` by",
        "`.venv/bin/python scripts/result_schemas.py`; a test fails when a file here is stale,",
        "so do not edit them by hand. The plan's own schema is [plan-schema.json](../plan-schema.json).",
        "",
    ]
    for name, (shape, module) in shapes.items():
        summary = _summary(shape)
        lines.append(f"- [{name}]({name}.schema.json) (`{module}`)" + (f": {summary}" if summary else ""))
    files["README.md"] = "\n".join(lines) + "\n"
    return files


__all__ = ["SHARED", "result_models", "result_schemas", "schema_files", "schema_text", "service_modules"]
