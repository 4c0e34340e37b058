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
from collections import Counter
from dataclasses import replace
from typing import Any, Iterator

from pydantic import BaseModel, ValidationError

from policingplan.plan.model import FORCE, Plan
from policingplan.periods import FinancialYear, PeriodError
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
    # Causes: a file that cannot be read as a whole (or a plan field misspelt away), each
    # with its one error; the problems that follow from it are held back and counted.
    broken: dict[Any, Problem] = dict(source.broken)
    for file, (field_name, refused) in TABLES.items():
        table = source.tables.get(file)
        if table is not None and file not in broken:
            cause = _merge_table(table, field_name, refused, merged, origins, problems)
            if cause is not None:
                broken[file] = cause
    _attach_narrative(source, merged, origins, problems)
    missing_units = _missing_units(source, merged, broken)
    if missing_units is not None:
        problems.add(missing_units)
        broken[UNITS_FILE] = missing_units

    plan: Plan | None = None
    model_errors: list[dict] = []
    model_problems: list[Problem] = []
    try:
        plan = Plan.model_validate(merged)
    except ValidationError as exc:
        for error in exc.errors():
            problem = _problem_from_error(error, origins)
            if error["type"] == "missing" and problem.column in origins.missing_columns.get(problem.file, ()):
                continue
            model_errors.append(error)
            model_problems.append(problem)
    problems.extend(model_problems)
    _misspelt_lists(model_problems, model_errors, merged, broken)
    held: Counter = Counter()
    # The list of the plan each cause leaves unknown: units.csv's units, a misspelt list's own.
    broken_fields = {TABLES[key][0] if key in TABLES else key[1]: key
                     for key in broken if key in TABLES or isinstance(key, tuple)}
    _check_rules(merged, origins, problems, broken_fields, held)
    causes = {id(cause): key for key, cause in broken.items()}
    shown = ProblemList()
    for problem in problems:
        key = causes.get(id(problem))
        if key is not None:
            continue
        file_key = problem.file if problem.file in broken else None
        if problem.severity == "error" and file_key is not None:
            held[file_key] += 1  # another error in a file that cannot be read: it follows from the cause
            continue
        shown.add(problem)
    for key, cause in broken.items():
        shown.add(replace(cause, held_back=held[key]) if held[key] else cause)
    cause_ids = {(p.file, p.line, p.message) for p in broken.values()}
    ordered = ProblemList(sorted(shown.items, key=lambda p: _reading_order(p, cause_ids)))
    if ordered.errors:
        return None, ordered
    return plan, ordered


def _missing_units(source: PlanSource, merged: dict, broken: dict) -> Problem | None:
    """With no units.csv and no units in plan.yaml, every target and partner target of a unit
    names a unit that is not there: the one cause is the missing file."""
    if UNITS_FILE in source.tables or UNITS_FILE in broken or merged.get("units"):
        return None
    naming = sum(1 for _, t in _items(merged, "targets") if _text(t.get("scope", FORCE)) not in (FORCE, None))
    naming += sum(1 for _ in _items(merged, "partner_targets"))
    if not naming:
        return None
    columns = ", ".join(item_model(Plan, "units").model_fields)
    return Problem(
        "the file does not exist, and plan.yaml gives no units, so no unit that the targets "
        "and partner targets name is known",
        file=UNITS_FILE,
        accepted=f"a {UNITS_FILE} in the plan folder: a header row ({columns}), then one row per unit",
    )


def _misspelt_lists(found: list[Problem], errors: list[dict], merged: dict, broken: dict) -> None:
    """An unknown field of plan.yaml whose close match is a list of the plan that is not given
    (``mesures`` for ``measures``) is the cause of every reference to that list that then fails:
    mark the list broken, with the unknown field as its cause, so that they are held back."""
    for error, problem in zip(errors, found):
        loc = tuple(error["loc"])
        if error["type"] != "extra_forbidden" or len(loc) != 1:
            continue
        close = difflib.get_close_matches(str(loc[0]), sorted(_REFERENCED), n=1, cutoff=0.75)
        if close and close[0] not in merged:
            broken.setdefault(("field", close[0]), problem)


#: The plan's lists that other parts of it refer to (by id, code, or a CPA's force target).
_REFERENCED = {"measures", "units", "priorities", "targets"}


def _reading_order(problem: Problem, causes: frozenset | set = frozenset()) -> tuple:
    """Warnings last; causes (a file that cannot be read) first; then by file (plan.yaml first) and line."""
    return (problem.severity != "error", (problem.file, problem.line, problem.message) not in causes,
            problem.file != PLAN_FILE, problem.file or "", problem.line or 0)


def validate_plan(plan: Plan) -> ProblemList:
    """The rules that span a plan, for a plan already built in code (no files, no lines)."""
    problems = ProblemList()
    _check_rules(plan.model_dump(mode="json"), _Origins(default_file=None), problems)
    return problems


# --- tables and narrative ---------------------------------------------------------------


def _merge_table(
    table: Table, field_name: str, refused: frozenset[str], merged: dict, origins: _Origins, problems: ProblemList
) -> Problem | None:
    """Merge a table's rows into the plan's data; return the cause if its header lacks a required
    column (the table is then not merged: each of its rows would lack it)."""
    model = item_model(Plan, field_name)
    known = [name for name in model.model_fields if name not in refused]
    required = [n for n in known if model.model_fields[n].is_required()]
    lacking = [name for name, info in model.model_fields.items() if info.is_required() and name not in table.header]
    usable: list[str] = []
    cause: Problem | None = None
    for column in table.header:
        if column in known:
            usable.append(column)
            continue
        misspelt = False
        if column in refused:
            message = f"the column '{column}' cannot be given in {table.file}"
            accepted = f"write {column} in {PLAN_FILE}; columns here: {', '.join(known)}"
        else:
            message = f"unknown column '{column}'"
            accepted = _suggest(column, known)
            close = difflib.get_close_matches(column, lacking, n=1, cutoff=0.5)
            if close and table.rows:
                # A misspelt required column: one mistake, one problem.
                misspelt = True
                lacking.remove(close[0])
                message = f"unknown column '{column}', so the required column '{close[0]}' is missing"
                accepted = f"did you mean '{close[0]}'? a header with the columns {', '.join(required)}"
        problem = Problem(message, file=table.file, line=table.header_line, column=column, value=column,
                          accepted=accepted)
        problems.add(problem)
        if misspelt and cause is None:
            cause = problem
    if lacking and table.rows:
        origins.missing_columns[table.file] = set(lacking)
        names = " and ".join(f"'{n}'" for n in lacking)
        problem = Problem(
            f"the required column {names} is missing" if len(lacking) == 1
            else f"the required columns {names} are missing",
            file=table.file,
            line=table.header_line,
            column=lacking[0],
            accepted=f"a header with the columns {', '.join(required)}",
        )
        problems.add(problem)
        cause = cause or problem
    if cause is not None:
        return cause
    existing = merged.get(field_name)
    if existing is None:
        existing = []
    if not isinstance(existing, list):
        return None  # the YAML's own type error is reported by the model
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
    return None


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
    named = {s.get("file") for s in filled if isinstance(s, dict) and isinstance(s.get("file"), str)}
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


def _check_rules(data: dict, origins: _Origins, problems: ProblemList,
                 broken: dict[str, Any] | None = None, held: Counter | None = None) -> None:
    """The rules that span the plan.  ``broken`` maps a list of the plan that could not be read
    (``units`` when units.csv cannot be) to its cause's key: a problem that follows from it
    (a reference to a unit) is counted in ``held`` under that key, not reported."""
    broken = broken or {}
    held = held if held is not None else Counter()

    def report(path: tuple, message: str, value: Any = None, accepted: str | None = None, severity="error",
               follows: str | None = None):
        if follows in broken:
            held[broken[follows]] += 1
            return
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
        follows = {"objectives": "priorities"}.get(what, what)
        report(path, f"no {singular} has the {key} '{text}'", text, accepted, follows=follows)

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
        for field_name in (needs.get(kind, ()) if isinstance(kind, str) else ()):
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
                follows="targets",
            )

    # Counting rules that can only mean one thing.
    for i, measure in _items(data, "measures"):
        for suffix, message, value, accepted in rule_meaning_problems(measure):
            report(("measures", i, "rule") + suffix, message, value, accepted)


# --- counting rules that can only mean one thing ------------------------------------------------

#: The value column a filter sums when it names none (``sum_of``), for the source kinds that have
#: more than one: the first of :data:`policingplan.data.rules.VALUE_CHOICES` (a test holds them equal).
DEFAULT_SUM_OF = {"ons-lsoa-population": "all_ages", "gla-borough-fy": "value", "tidy": "numerator"}

_RATES = ("ratio", "percentage")
_SUM_OF = "sum_of"


def _filter_key(flt: Any, source: Any) -> Any:
    """A filter as a value to compare: attributes to sets of values, with the value column it sums."""
    if not isinstance(flt, dict):
        return None
    key = {}
    for attr, values in flt.items():
        if not isinstance(values, list):
            return None
        key[str(attr)] = frozenset(str(v) for v in values)
    if _SUM_OF not in key and isinstance(source, str) and source in DEFAULT_SUM_OF:
        key[_SUM_OF] = frozenset({DEFAULT_SUM_OF[source]})
    return frozenset(key.items())


def rule_meaning_problems(measure: dict) -> list[tuple[tuple, str, Any, str]]:
    """What makes a measure's counting rule fixed whatever the data, or mean two things.

    Each as (path within ``rule``, message, value, accepted).  Refused:

    * a ratio or percentage measure whose rule counts one filter (``count``) on a source of
      records: it has no denominator (a ``tidy`` file's lines carry their own denominator, so
      ``count`` there is a rate);
    * a numerator and a denominator that are the same filter: the rate is 1 (100%) whatever the
      data (on a ``tidy`` source, naming the same measure and summing the same column);
    * an attribute that lists no values: nothing would ever count;
    * a value that a filter counts and ``not_counted`` leaves out on purpose: it cannot be both.
    """
    found: list[tuple[tuple, str, Any, str]] = []
    rule = measure.get("rule")
    if not isinstance(rule, dict):
        return found
    kind, source = measure.get("kind"), measure.get("source")
    ident = measure.get("id")
    roles = [role for role in ("count", "numerator", "denominator") if isinstance(rule.get(role), dict)]
    if kind in _RATES and "count" in roles and source != "tidy":
        found.append((
            ("count",),
            f"the {kind} measure '{ident}' counts one filter, so it has no denominator and no rate",
            _short(rule.get("count")),
            "numerator: {...} and denominator: {...}, the records counted above and below the line "
            "(or kind: count, for a plain count)",
        ))
    if "numerator" in roles and "denominator" in roles:
        numerator, denominator = rule["numerator"], rule["denominator"]
        same = _filter_key(numerator, source)
        if same is not None and same == _filter_key(denominator, source):
            if source == "tidy":
                named = numerator.get("measure")
                names = ", ".join(str(v) for v in named) if isinstance(named, list) and named else "..."
                column = next(iter(numerator.get(_SUM_OF) or [DEFAULT_SUM_OF["tidy"]]))
                message = (f"the numerator and the denominator name the same measure and sum the same column "
                           f"({column}), so the rate is 1 (100%) whatever the data")
                accepted = (f"count: {{measure: [{names}]}}, which takes each line's own numerator and "
                            f"denominator; or sum_of: [denominator] in the denominator; or two measures, "
                            f"one counted above the line and one below")
            else:
                message = "the numerator and the denominator are the same filter, so the rate is 1 (100%) whatever the data"
                accepted = ("a numerator and a denominator that count different records "
                            "(the numerator usually a part of the denominator)")
            found.append((("denominator",), message, _short(denominator), accepted))
    not_counted = rule.get("not_counted") if isinstance(rule.get("not_counted"), dict) else {}
    for role in roles:
        for attr, values in rule[role].items():
            if attr == _SUM_OF or not isinstance(values, list):
                continue
            if not values:
                found.append((
                    (role, attr),
                    f"the attribute '{attr}' lists no values, so nothing would ever count",
                    "[]",
                    "one or more values, or leave the attribute out to count every record",
                ))
                continue
            excluded = not_counted.get(attr)
            both = [v for v in values if isinstance(excluded, list) and v in excluded]
            for value in both:
                found.append((
                    ("not_counted", attr),
                    f"'{value}' is both counted (rule.{role}.{attr}) and listed as not counted",
                    value,
                    f"each value of '{attr}' either in the {role} or in not_counted, not both",
                ))
    return found


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
