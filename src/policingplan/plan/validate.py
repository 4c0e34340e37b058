"""Check a parsed plan folder and build the :class:`~policingplan.plan.model.Plan`.

:func:`validate_source` takes a :class:`~policingplan.plan.source.PlanSource`
(the YAML data, the CSV tables and the narrative texts, each with the lines
they came from) and reports every problem it finds, not just the first: the
model's own errors (unknown fields, wrong types, bad periods) mapped back to
file and line, then the rules that span the plan (references, duplicates,
ranges, CPAs without a force target, missing narrative files).

Pure: it reads no files.
"""

from __future__ import annotations

import difflib
import json
import typing
from typing import Any, Iterator

from pydantic import BaseModel, ValidationError

from policingplan.plan.model import FORCE, Plan
from policingplan.stats.periods import FinancialYear, PeriodError
from policingplan.plan.source import (
    NARRATIVE_DIR,
    PARTNER_TARGETS_FILE,
    PLAN_FILE,
    UNIT_TARGETS_FILE,
    UNITS_FILE,
    PlanSource,
    Table,
    dotted_path,
)
from policingplan.problems import Problem, ProblemList

# Which plan field each CSV table fills, and the model fields it may not carry.
TABLES: dict[str, tuple[str, frozenset[str]]] = {
    UNITS_FILE: ("units", frozenset()),
    UNIT_TARGETS_FILE: ("targets", frozenset({"activities"})),
    PARTNER_TARGETS_FILE: ("partner_targets", frozenset()),
}
# CSV cells that hold a mapping are written as JSON objects.
JSON_CELLS = frozenset({"trajectory"})

FY_ACCEPTED = "a financial year written YYYY/YY, the second year following the first, such as 2007/08"
PERIOD_ACCEPTED = "a financial year (2007/08), a calendar year (2019) or a span of calendar years (1994-1998)"


class _Origins:
    """Where each path of the merged plan data came from: (file, line)."""

    def __init__(self, default_file: str | None = PLAN_FILE) -> None:
        self._where: dict[tuple, tuple[str, int | None]] = {}
        self._default_file = default_file
        # Required columns a CSV table lacks: reported once at its header, not on every row.
        self.missing_columns: dict[str, set[str]] = {}

    def add(self, path: tuple, file: str, line: int | None) -> None:
        self._where[path] = (file, line)

    def locate(self, path: tuple) -> tuple[str | None, int | None, str | None]:
        """The file, line and field of ``path`` (the line of its nearest recorded ancestor)."""
        for end in range(len(path), -1, -1):
            found = self._where.get(tuple(path[:end]))
            if found:
                file, line = found
                if file == PLAN_FILE:
                    return file, line, dotted_path(path)
                # A CSV cell: name the column (the field), not the merged path.
                tail = [p for p in path[end:] if isinstance(p, str)]
                return file, line, tail[0] if tail else None
        return self._default_file, None, dotted_path(path)


def validate_source(source: PlanSource) -> tuple[Plan | None, ProblemList]:
    """Build the plan from its parsed folder; return it (or ``None``) and every problem found."""
    problems = ProblemList()
    problems.extend(source.problems)
    data = source.data
    if data is None:
        if not source.problems.errors:
            problems.add(
                Problem(
                    "the plan file is empty",
                    file=PLAN_FILE,
                    accepted="a YAML mapping with at least id, name, organisation and period",
                )
            )
        return None, problems
    if not isinstance(data, dict):
        problems.add(
            Problem(
                "the plan file must be a mapping of fields",
                file=PLAN_FILE,
                line=1,
                value=type(data).__name__,
                accepted="a YAML mapping with at least id, name, organisation and period",
            )
        )
        return None, problems

    origins = _Origins()
    for path, line in source.lines.items():
        origins.add(path, PLAN_FILE, line)
    merged = dict(data)
    for file, (field_name, refused) in TABLES.items():
        table = source.tables.get(file)
        if table is not None:
            _merge_table(table, field_name, refused, merged, origins, problems)
    _attach_narrative(source, merged, origins, problems)

    plan: Plan | None = None
    try:
        plan = Plan.model_validate(merged)
    except ValidationError as exc:
        for error in exc.errors():
            problem = _problem_from_error(error, origins)
            if error["type"] == "missing" and problem.column in origins.missing_columns.get(problem.file, ()):
                continue
            problems.add(problem)
    _check_rules(merged, origins, problems)
    ordered = ProblemList(sorted(problems.items, key=_reading_order))
    if ordered.errors:
        return None, ordered
    return plan, ordered


def _reading_order(problem: Problem) -> tuple:
    """Warnings last; then by file (plan.yaml first) and line."""
    return (problem.severity != "error", problem.file != PLAN_FILE, problem.file or "", problem.line or 0)


def validate_plan(plan: Plan) -> ProblemList:
    """The rules that span a plan, for a plan already built in code (no files, no lines)."""
    problems = ProblemList()
    _check_rules(plan.model_dump(mode="json"), _Origins(default_file=None), problems)
    return problems


# --- tables and narrative ---------------------------------------------------------------


def _merge_table(
    table: Table, field_name: str, refused: frozenset[str], merged: dict, origins: _Origins, problems: ProblemList
) -> None:
    model = item_model(Plan, field_name)
    known = [name for name in model.model_fields if name not in refused]
    usable: list[str] = []
    for column in table.header:
        if column in known:
            usable.append(column)
            continue
        if column in refused:
            message = f"the column '{column}' cannot be given in {table.file}"
            accepted = f"write {column} in {PLAN_FILE}; columns here: {', '.join(known)}"
        else:
            message = f"unknown column '{column}'"
            accepted = _suggest(column, known)
        problems.add(
            Problem(message, file=table.file, line=table.header_line, column=column, value=column, accepted=accepted)
        )
    lacking = [name for name, info in model.model_fields.items() if info.is_required() and name not in table.header]
    if lacking and table.rows:
        origins.missing_columns[table.file] = set(lacking)
        for column in lacking:
            problems.add(
                Problem(
                    f"the required column '{column}' is missing",
                    file=table.file,
                    line=table.header_line,
                    column=column,
                    accepted=f"a header with the columns {', '.join(n for n in known if model.model_fields[n].is_required())}",
                )
            )
    existing = merged.get(field_name)
    if existing is None:
        existing = []
    if not isinstance(existing, list):
        return  # the YAML's own type error is reported by the model
    rows = list(existing)
    for row, line in zip(table.rows, table.lines):
        path = (field_name, len(rows))
        origins.add(path, table.file, line)
        item: dict[str, Any] = {}
        for column in usable:
            cell = row.get(column, "")
            if cell.strip() == "":
                continue  # an empty cell means "not given"
            if column in JSON_CELLS:
                try:
                    item[column] = json.loads(cell)
                except json.JSONDecodeError:
                    problems.add(
                        Problem(
                            f"the {column} cell is not a JSON object",
                            file=table.file,
                            line=line,
                            column=column,
                            value=cell,
                            accepted='a JSON object of months and values, such as {"2007-04": 1200, "2007-05": 1150}',
                        )
                    )
                    continue
            else:
                item[column] = cell
        rows.append(item)
    merged[field_name] = rows


def _attach_narrative(source: PlanSource, merged: dict, origins: _Origins, problems: ProblemList) -> None:
    sections = merged.get("narrative")
    if not isinstance(sections, list):
        return
    filled = []
    for index, section in enumerate(sections):
        if not isinstance(section, dict):
            filled.append(section)
            continue
        section = dict(section)
        path = ("narrative", index)
        if "body" in section:
            file, line, column = origins.locate(path + ("body",))
            problems.add(
                Problem(
                    "a narrative section's body is not written in plan.yaml",
                    file=file,
                    line=line,
                    column=column,
                    accepted=f"the text in the Markdown file named by 'file', under {NARRATIVE_DIR}/",
                )
            )
        name = section.get("file")
        if isinstance(name, str):
            normalised = name.replace("\\", "/")
            parts = normalised.split("/")
            if len(parts) < 2 or parts[0] != NARRATIVE_DIR or ".." in parts or not normalised.endswith(".md"):
                file, line, column = origins.locate(path + ("file",))
                problems.add(
                    Problem(
                        "a narrative file must be a Markdown file inside the narrative folder",
                        file=file,
                        line=line,
                        column=column,
                        value=name,
                        accepted=f"{NARRATIVE_DIR}/<name>.md, such as {NARRATIVE_DIR}/alcohol.md",
                    )
                )
            elif normalised in source.unreadable:
                pass  # the file is there but cannot be read: reported with the file itself
            elif normalised not in source.narrative:
                file, line, column = origins.locate(path + ("file",))
                problems.add(
                    Problem(
                        "the narrative file does not exist",
                        file=file,
                        line=line,
                        column=column,
                        value=name,
                        accepted=_suggest(normalised, sorted(source.narrative), what="files")
                        if source.narrative
                        else f"a Markdown file in the plan's {NARRATIVE_DIR}/ folder",
                    )
                )
            else:
                section["body"] = source.narrative[normalised]
        filled.append(section)
    merged["narrative"] = filled
    named = {s.get("file") for s in filled if isinstance(s, dict)}
    for orphan in sorted(set(source.narrative) - named):
        problems.add(
            Problem(
                "this narrative file is not named by any narrative section, so the plan ignores it",
                file=orphan,
                severity="warning",
                accepted="a narrative entry in plan.yaml with file: " + orphan,
            )
        )


# --- pydantic errors -> problems ------------------------------------------------------------


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is None:
        return None
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def item_model(model: type[BaseModel], field_name: str) -> type[BaseModel]:
    found = _inner_model(model.model_fields[field_name].annotation)
    assert found is not None, field_name
    return found


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The model that holds the last element of ``loc``."""
    model: type[BaseModel] | None = Plan
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if model is None or part not in model.model_fields:
            return None
        model = _inner_model(model.model_fields[part].annotation)
    return model


def _suggest(name: str, known: list[str], what: str = "fields") -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    listing = f"known {what}: {', '.join(known)}"
    return f"did you mean '{close[0]}'? {listing}" if close else listing


def _short(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        text = json.dumps(value, default=str, ensure_ascii=False)
        return text if len(text) <= 80 else text[:77] + "..."
    return value


_ACCEPTED_BY_TYPE = {
    "missing": "a value: this field is required",
    "string_type": "text",
    "float_type": "a number, such as 0.055 or 612000",
    "float_parsing": "a number, such as 0.055 or 612000",
    "int_type": "a whole number, such as 612000",
    "int_parsing": "a whole number, such as 612000",
    "int_from_float": "a whole number, such as 612000",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list (YAML items starting '- ')",
    "dict_type": "a mapping of keys and values",
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
    "date_type": "a date written YYYY-MM-DD, such as 2007-03-31",
    "date_parsing": "a date written YYYY-MM-DD, such as 2007-03-31",
    "date_from_datetime_parsing": "a date written YYYY-MM-DD, such as 2007-03-31",
    "date_from_datetime_inexact": "a date written YYYY-MM-DD, such as 2007-03-31",
}

_MESSAGE_BY_TYPE = {
    "string_type": "must be text",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping of fields",
    "date_type": "must be a date",
    "date_parsing": "must be a date",
    "date_from_datetime_parsing": "must be a date",
    "date_from_datetime_inexact": "must be a date",
}

_FY_FIELDS = {"period", "first_year", "last_year"}
_PERIOD_FIELDS = {"baseline_period", "deadline_period"}


def _problem_from_error(error: dict, origins: _Origins) -> Problem:
    loc = tuple(error["loc"])
    kind = error["type"]
    file, line, column = origins.locate(loc)
    field_name = next((p for p in reversed(loc) if isinstance(p, str)), "")
    value = None if kind == "missing" else _short(error.get("input"))
    message = error["msg"]
    accepted = _ACCEPTED_BY_TYPE.get(kind)
    if kind == "extra_forbidden":
        model = _model_at(loc)
        known = list(model.model_fields) if model else []
        if model is Plan or (model is not None and file != PLAN_FILE):
            known = [k for k in known if k != "body"]
        message = f"unknown field '{loc[-1]}'"
        accepted = _suggest(str(loc[-1]), known)
        value = loc[-1]
    elif kind in _MESSAGE_BY_TYPE:
        message = f"'{field_name}' {_MESSAGE_BY_TYPE[kind]}"
    elif kind == "missing":
        message = f"the required field '{field_name}' is missing"
    elif kind == "enum":
        accepted = f"one of {error.get('ctx', {}).get('expected', '')}"
    elif kind.startswith("greater_than") or kind.startswith("less_than"):
        accepted = message.replace("Input should be ", "a number ")
    elif kind == "value_error":
        message = message.removeprefix("Value error, ")
        if field_name in _FY_FIELDS:
            accepted = FY_ACCEPTED
        elif field_name in _PERIOD_FIELDS:
            accepted = PERIOD_ACCEPTED
        elif field_name == "trajectory":
            accepted = "months written YYYY-MM, such as 2007-04"
        elif field_name == "rule":
            accepted = "count: {...}, or numerator: {...} and denominator: {...}"
        elif field_name == "strategy":
            accepted = "three consecutive financial years, such as 2006/07 to 2008/09"
    return Problem(message, file=file, line=line, column=column, value=value, accepted=accepted)


# --- rules that span the plan ------------------------------------------------------------


def _items(data: dict, field_name: str) -> Iterator[tuple[int, dict]]:
    items = data.get(field_name)
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield index, item


def _objectives(data: dict) -> Iterator[tuple[tuple, dict]]:
    for p_index, priority in _items(data, "priorities"):
        objectives = priority.get("objectives")
        if isinstance(objectives, list):
            for o_index, objective in enumerate(objectives):
                if isinstance(objective, dict):
                    yield ("priorities", p_index, "objectives", o_index), objective


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _check_rules(data: dict, origins: _Origins, problems: ProblemList) -> None:
    def report(path: tuple, message: str, value: Any = None, accepted: str | None = None, severity="error"):
        file, line, column = origins.locate(path)
        problems.add(Problem(message, file=file, line=line, column=column, value=value, accepted=accepted, severity=severity))

    # Duplicate ids.
    def unique(entries: Iterator[tuple[tuple, dict]], key: str, what: str) -> list[str]:
        seen: dict[str, tuple] = {}
        for path, item in entries:
            ident = _text(item.get(key))
            if ident is None:
                continue
            if ident in seen:
                first_file, first_line, _ = origins.locate(seen[ident] + (key,))
                report(
                    path + (key,),
                    f"two {what} share the {key} '{ident}' (the first is at {first_file}, line {first_line})",
                    ident,
                    f"each {key} once among the plan's {what}",
                )
            else:
                seen[ident] = path
        return list(seen)

    def listed(field_name: str) -> Iterator[tuple[tuple, dict]]:
        return (((field_name, i), item) for i, item in _items(data, field_name))

    priority_ids = unique(listed("priorities"), "id", "priorities")
    objective_ids = unique(_objectives(data), "id", "objectives")
    measure_ids = unique(listed("measures"), "id", "measures")
    unit_codes = unique(listed("units"), "code", "units")
    for i, unit in _items(data, "units"):
        if _text(unit.get("code")) == FORCE:
            report(("units", i, "code"), f"a unit may not have the code '{FORCE}'", FORCE,
                   f"any other code: '{FORCE}' is the scope of the force's own targets")
    unique(listed("requirements"), "id", "requirements")
    unique(listed("narrative"), "id", "narrative sections")
    unique(listed("narrative"), "file", "narrative sections")
    unique(listed("investments"), "id", "investments")
    unique(listed("amendments"), "version", "amendments")

    def known(path: tuple, value: Any, ids: list[str], what: str, extra: tuple[str, ...] = (), key="id") -> None:
        text = _text(value)
        if text is None or text in ids or text in extra:
            return
        choices = list(extra) + ids
        accepted = _suggest(text, choices, what=what) if choices else f"the plan has no {what} yet"
        singular = {"priorities": "priority"}.get(what, what.removesuffix("s"))
        report(path, f"no {singular} has the {key} '{text}'", text, accepted)

    # References.
    for path, objective in _objectives(data):
        measures = objective.get("measures")
        if isinstance(measures, list):
            for i, ref in enumerate(measures):
                known(path + ("measures", i), ref, measure_ids, "measures")
    for i, target in _items(data, "targets"):
        known(("targets", i, "measure"), target.get("measure"), measure_ids, "measures")
        known(("targets", i, "scope"), target.get("scope", FORCE), unit_codes, "units", extra=(FORCE,), key="code")
    for i, partner in _items(data, "partner_targets"):
        known(("partner_targets", i, "unit"), partner.get("unit"), unit_codes, "units", key="code")
        known(("partner_targets", i, "measure"), partner.get("measure"), measure_ids, "measures")
    for i, requirement in _items(data, "requirements"):
        known(("requirements", i, "measure"), requirement.get("measure"), measure_ids, "measures")
    for i, section in _items(data, "narrative"):
        if section.get("priority") is not None:
            known(("narrative", i, "priority"), section.get("priority"), priority_ids, "priorities")
        if section.get("objective") is not None:
            known(("narrative", i, "objective"), section.get("objective"), objective_ids, "objectives")
    for i, investment in _items(data, "investments"):
        refs = investment.get("priorities")
        if isinstance(refs, list):
            for j, ref in enumerate(refs):
                known(("investments", i, "priorities", j), ref, priority_ids, "priorities")

    # Targets: the values each kind needs, ranges, and one target per measure, scope and period.
    needs = {
        "change": ("value", "baseline_period"),
        "range": ("minimum", "maximum"),
        "level": ("value",),
        "trajectory": ("trajectory",),
    }
    keys: dict[tuple, tuple] = {}
    for i, target in _items(data, "targets"):
        path = ("targets", i)
        kind = target.get("kind")
        for field_name in needs.get(kind, ()):
            if target.get(field_name) in (None, "", {}):
                report(
                    path + (field_name,),
                    f"a {kind} target needs '{field_name}'",
                    None,
                    f"{' and '.join(needs[kind])} for a {kind} target",
                )
        low, high = _number(target.get("minimum")), _number(target.get("maximum"))
        if low is not None and high is not None and low > high:
            report(
                path + ("minimum",),
                f"the range's minimum ({low:g}) exceeds its maximum ({high:g})",
                target.get("minimum"),
                "a minimum no greater than the maximum (for a 5-6% reduction: minimum -0.06, maximum -0.05)",
            )
        key = (_text(target.get("measure")), _text(target.get("scope", FORCE)) or FORCE, _text(target.get("period")))
        if None in key:
            continue
        if key in keys:
            first_file, first_line, _ = origins.locate(keys[key])
            report(
                path,
                f"a second target for measure '{key[0]}', scope '{key[1]}' and period {key[2]} "
                f"(the first is at {first_file}, line {first_line})",
                f"{key[0]} / {key[1]} / {key[2]}",
                "one target for each measure, scope and period",
            )
        else:
            keys[key] = path

    # Every CPA measure has a force target for the plan's year.
    plan_period = _text(data.get("period"))
    try:
        plan_period = str(FinancialYear(plan_period)) if plan_period else None
    except PeriodError:
        plan_period = None  # reported by the model; check for a force target in any year
    force_measures = {
        m for (m, scope, period) in keys if scope == FORCE and (plan_period is None or period == plan_period)
    }
    for i, measure in _items(data, "measures"):
        if measure.get("cpa") is True and _text(measure.get("id")) not in force_measures:
            report(
                ("measures", i, "cpa"),
                f"the CPA measure '{measure.get('id')}' has no force target for {plan_period or 'the plan year'}",
                measure.get("id"),
                f"a target with scope '{FORCE}' and period {plan_period or 'the plan year'} for this measure, "
                "or cpa: false",
            )


# --- summary -----------------------------------------------------------------------------------


def plan_summary(plan: Plan) -> dict[str, Any]:
    """Counts that describe a plan at a glance."""
    force_targets = sum(1 for t in plan.targets if t.scope == FORCE)
    return {
        "id": plan.id,
        "name": plan.name,
        "period": plan.period,
        "version": plan.version,
        "status": plan.status,
        "priorities": len(plan.priorities),
        "objectives": sum(len(p.objectives) for p in plan.priorities),
        "measures": len(plan.measures),
        "cpas": len(plan.cpa_measures),
        "targets": len(plan.targets),
        "force_targets": force_targets,
        "unit_targets": len(plan.targets) - force_targets,
        "units": len(plan.units),
        "partner_targets": len(plan.partner_targets),
        "requirements": len(plan.requirements),
        "narrative_sections": len(plan.narrative),
        "investments": len(plan.investments),
        "amendments": len(plan.amendments),
    }
