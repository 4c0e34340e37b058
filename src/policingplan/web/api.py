"""The read-only JSON API: the plan, its measures, its targets and the monitoring, as the services give them.

Each endpoint calls one service and answers its result's ``model_dump(mode="json")``: the same
figures as the command line's ``--json`` (``show``, ``measures``, ``targets``, ``monitor``).  A
user's mistake (a month that is not one, a unit the plan lacks, a measure it does not have) is a
JSON body ``{"error": ..., "problems": [...]}`` with 400 or 404, never a 500; each problem names
the query parameter it is in.  Who may call each endpoint is the catalogue's (:mod:`.roles`); a
user who sees only their own borough may ask for the force or their borough, and is sent to their
borough's figures when they ask for every unit's.

:func:`openapi_document` describes every endpoint: the OpenAPI 3.1 document at
``/api/openapi.json``, its schemas generated from the same result models.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Optional

from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from pydantic import BaseModel, Field

from policingplan.plan.model import FORCE, Measure, Target
from policingplan.problems import Problem, UserError
from policingplan.results import Result
from policingplan.web import figures, present
from policingplan.web import roles as catalogue
from policingplan.web.access import user_roles

# --- the results the API adds: the plan's parts with their attribution, and an error -------------


class PlanMeasures(Result):
    """The plan's measures (as ``show --json`` gives them), with the attribution of their data sources."""

    plan: str = Field(description="The plan's id.")
    period: str = Field(description="The plan's financial year.")
    measures: list[Measure]
    attribution: list[str]


class PlanTargets(Result):
    """The plan's targets, force and unit (as ``show --json`` gives them), with the attribution."""

    plan: str = Field(description="The plan's id.")
    period: str = Field(description="The plan's financial year.")
    targets: list[Target] = Field(description="scope is 'force' or a unit's code; a change is a signed fraction.")
    attribution: list[str]


class ApiError(Result):
    """What was wrong with a request: a sentence, and each problem with the query parameter it is in."""

    error: str
    problems: list[Problem] = Field(description="Each problem: its message, the parameter (column), the value "
                                                "found and what would be accepted.")


class Refused(Exception):
    """A request the API answers with an error: its status, sentence and problems."""

    def __init__(self, status: int, message: str, problems: tuple[Problem, ...] | list[Problem] = ()):
        super().__init__(message)
        self.status = status
        self.problems = list(problems) or [Problem(message)]


class Elsewhere(Exception):
    """The request is answered by another URL (a user who sees one borough, asking for every unit)."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


# --- the pieces every endpoint (and every download) shares ---------------------------------------


def jsonable(value: Any) -> Any:
    """JSON data as ``--json`` prints it: NaN and infinities become null."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def respond(result: BaseModel, status: int = 200) -> JsonResponse:
    return JsonResponse(jsonable(result.model_dump(mode="json")), status=status,
                        json_dumps_params={"ensure_ascii": False, "allow_nan": False})


def _cli_words(message: str) -> str:
    """A service's sentence with the command line's option names as the API's parameters."""
    return message.replace("--as-of", "as_of").replace("--unit", "unit")


def query_problem(parameter: str, exc: Exception | str, value: str, accepted: str | None = None) -> Refused:
    message = _cli_words(str(exc)).removeprefix(f"{parameter}: ")
    if accepted is None and "; accepted: " in message:
        message, accepted = message.split("; accepted: ", 1)
    said = message if message.startswith(parameter) else f"{parameter}: {message}"
    return Refused(400, said, [Problem(message, column=parameter, value=value, accepted=accepted)])


def not_loaded(exc: Exception) -> Refused:
    """The warehouse lacks the plan's data: the service cannot answer until it is loaded."""
    message = (f"{_cli_words(str(exc))}; the figures are not available until the data is loaded: "
               f"{figures.load_command()}")
    return Refused(503, message)


@dataclass(frozen=True)
class Scope:
    """The unit a request is for: ``None`` for every unit, ``force``, or a unit's code (with its slug)."""

    code: Optional[str]
    slug: Optional[str] = None
    name: Optional[str] = None


def find_unit(plan, text: Optional[str]) -> Scope:
    """``?unit=``: absent for every unit; ``force``; or a unit's code, name or slug (in any case)."""
    from policingplan.services.plan import find_unit as find

    if text is None or not text.strip():
        return Scope(None)
    raw = text.strip()
    if raw.casefold() == FORCE:
        return Scope(FORCE, None, plan.organisation)
    by_slug = {present.slug(u.name): u for u in plan.units}
    unit = by_slug.get(raw.casefold())
    if unit is None:
        code = find(raw, {u.code: u.name for u in plan.units})
        unit = next((u for u in plan.units if u.code == code), None)
    if unit is None:
        example = f", such as {present.slug(plan.units[0].name)} or {plan.units[0].code}" if plan.units else ""
        raise query_problem("unit", f"{raw!r} is not a unit of the plan", raw,
                            f"{FORCE}, or a unit's code, name or slug{example}")
    return Scope(unit.code, present.slug(unit.name), unit.name)


def scope_for(request, page: str, plan, text: Optional[str]) -> Scope:
    """The unit asked for, if the user may see it (403 otherwise, as the catalogue's own-unit rule says).

    A user who sees only their own borough and asks for every unit is sent (:class:`Elsewhere`) to
    their borough's figures, or the force's when they have no borough.
    """
    scope = find_unit(plan, text)
    roles, units = user_roles(request.user)
    if scope.code is None:
        if catalogue.sees_every_unit(roles, page):
            return scope
        query = request.GET.copy()
        query["unit"] = sorted(units)[0] if units else FORCE
        raise Elsewhere(f"{request.path}?{query.urlencode()}")
    if catalogue.decide(page, "GET", roles, unit=scope.slug, own_units=units) != "allow":
        raise Refused(403, f"unit: you may see only your own borough's figures, not {scope.name}'s",
                      [Problem(f"you may see only your own borough's figures, not {scope.name}'s", column="unit",
                               value=text, accepted=", ".join([FORCE, *sorted(units)]))])
    return scope


def plan_measure(plan, measure_id: str) -> Measure:
    """The plan's measure ``measure_id``; 404 when the plan has none."""
    for measure in plan.measures:
        if measure.id == measure_id:
            return measure
    raise Refused(404, f"the plan has no measure {measure_id!r}",
                  [Problem("the plan has no such measure", column="measure", value=measure_id,
                           accepted=", ".join(m.id for m in plan.measures))])


def monitoring(request, page: str):
    """The monitor's result for ``?as_of=`` and ``?unit=`` (cached with the pages' when no month is asked)."""
    from policingplan.services.monitor import DataNotLoaded, NoMonthlyData, monitor_folder, parse_as_of

    plan = figures.plan()
    scope = scope_for(request, page, plan, request.GET.get("unit"))
    as_of = (request.GET.get("as_of") or "").strip() or None
    if as_of is not None:
        try:
            as_of = str(parse_as_of(as_of))
        except UserError as exc:
            raise query_problem("as_of", str(exc).removeprefix("--as-of: "), as_of) from None
    try:
        if as_of is None:
            return figures.monitoring(scope.code)
        return figures._cached(("monitor", scope.code, as_of), lambda: monitor_folder(
            figures.plan_dir(), settings.POLICINGPLAN_WAREHOUSE, as_of=as_of, unit=scope.code))
    except (DataNotLoaded, NoMonthlyData) as exc:
        raise not_loaded(exc) from None
    except UserError as exc:  # an as-of month outside the plan year (the unit is checked above)
        parameter = "as_of" if as_of is not None and "as-of" in str(exc) else "unit"
        raise query_problem(parameter, exc, as_of if parameter == "as_of" else request.GET.get("unit", "")) from None


def api_view(view: Callable) -> Callable:
    """A JSON endpoint: a refusal as the error body with its status, a redirect as a redirect."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Elsewhere as exc:
            return HttpResponseRedirect(exc.url)
        except Refused as exc:
            return respond(ApiError(error=str(exc), problems=exc.problems), status=exc.status)

    return wrapped


# --- the endpoints -------------------------------------------------------------------------------


@api_view
def plan(request):
    """The plan as ``show --json`` gives it (:func:`policingplan.services.plan.show`), with its attribution."""
    return respond(figures.plan())


@api_view
def measures(request):
    """The plan's measures."""
    shown = figures.plan()
    return respond(PlanMeasures(plan=shown.id, period=shown.period, measures=shown.measures,
                                attribution=shown.attribution))


def _month(parameter: str, text: Optional[str]):
    from policingplan.periods import Month, PeriodError

    if text is None or not text.strip():
        return None
    try:
        return Month(text.strip())
    except PeriodError as exc:
        raise query_problem(parameter, exc, text, "a month as YYYY-MM, such as 2023-04") from None


@api_view
def measure_values(request, measure: str):
    """A measure's values by unit and month (:func:`policingplan.services.data.measures`)."""
    from policingplan.services.data import measure_ids
    from policingplan.services.data import measures as values

    shown = figures.plan()
    plan_measure(shown, measure)
    try:
        measure_ids(shown, measure)
    except UserError as exc:
        raise Refused(404, str(exc), [Problem(str(exc), column="measure", value=measure)]) from None
    scope = scope_for(request, "api-measure-values", shown, request.GET.get("unit"))
    first, last = _month("from", request.GET.get("from")), _month("to", request.GET.get("to"))
    if first is not None and last is not None and last < first:
        raise query_problem("to", f"the range runs backwards: from {first} to {last}", str(last),
                            f"a month from {first} on")
    start, end = (None if first is None else str(first)), (None if last is None else str(last))
    try:
        result = figures._cached(("api-values", measure, scope.code, start, end), lambda: values(
            shown, settings.POLICINGPLAN_WAREHOUSE, measure=measure, unit=scope.code, start=start, end=end))
    except UserError as exc:  # what the user gave is checked above: the warehouse lacks the measure's data
        raise not_loaded(exc) from None
    return respond(result)


@api_view
def targets(request):
    """The plan's targets."""
    shown = figures.plan()
    return respond(PlanTargets(plan=shown.id, period=shown.period, targets=shown.targets,
                               attribution=shown.attribution))


@api_view
def targets_check(request, measure: str):
    """The plan's own unit targets for a measure against its force target (``targets PLAN_DIR --json``)."""
    from policingplan.services.targets import plan_targets_check

    shown = figures.plan()
    plan_measure(shown, measure)
    try:
        result = figures._cached(("api-targets-check", measure), lambda: plan_targets_check(shown, measure))
    except UserError as exc:
        message, _, accepted = str(exc).partition("; accepted: ")
        raise Refused(404, str(exc), [Problem(message, column="measure", value=measure,
                                              accepted=accepted or None)]) from None
    return respond(result)


@api_view
def monitoring_view(request):
    """Each target's position at ``?as_of=`` for ``?unit=`` (``monitor --json``)."""
    return respond(monitoring(request, "api-monitoring"))


def openapi(request):
    """The OpenAPI 3.1 document that describes every endpoint."""
    return JsonResponse(openapi_document(), json_dumps_params={"ensure_ascii": False})


# --- the OpenAPI document ------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    example: str
    pattern: Optional[str] = None


UNIT = Parameter("unit", "Whose targets: absent for every unit; `force`; or a unit's code, name or slug, in any "
                 "case. A borough commander may ask only for the force or their own borough (403 otherwise), and "
                 "asking for every unit is sent (302) to their borough's.", "lambeth")
AS_OF = Parameter("as_of", "The as-of month, YYYY-MM, within the plan year; by default the latest month loaded "
                  "for every measure.", "2023-12", r"^\d{4}-\d{2}$")
FROM = Parameter("from", "The first month, YYYY-MM: only periods wholly within the range.", "2022-04",
                 r"^\d{4}-\d{2}$")
TO = Parameter("to", "The last month, YYYY-MM.", "2024-02", r"^\d{4}-\d{2}$")
MEASURE = Parameter("measure", "A measure's id in the plan.", "neighbourhood-crime", r"^[-a-zA-Z0-9_]+$")


@dataclass(frozen=True)
class Endpoint:
    """One endpoint as the document describes it: its URL's name, words, parameters and responses."""

    summary: str
    description: str
    query: tuple[Parameter, ...] = ()
    errors: tuple[int, ...] = ()
    scoped: bool = False


#: Every endpoint, by its URL's name in the urlconf (``urls_api.py``).
ENDPOINTS: dict[str, Endpoint] = {
    "api-plan": Endpoint(
        "The plan", "The plan as `policingplan show --json` gives it: its priorities, objectives, measures, "
        "targets, units and the rest, with the attribution its data sources require."),
    "api-measures": Endpoint(
        "The plan's measures", "Each measure: its kind, polarity, whether it is a Critical Performance Area, its "
        "source and counting rule."),
    "api-measure-values": Endpoint(
        "A measure's values", "The measure's values by unit and month, computed from the loaded data by the "
        "plan's counting rule, as `policingplan measures --json` gives them. A rate's value is a fraction "
        "(numerator ÷ denominator).", query=(UNIT, FROM, TO), errors=(400, 403, 404, 503), scoped=True),
    "api-targets": Endpoint(
        "The plan's targets", "Every force and unit target of the plan. A change is a signed fraction of the "
        "baseline (-0.05 is a 5% reduction); a level is in the measure's own terms."),
    "api-targets-check": Endpoint(
        "The plan's unit targets checked", "The plan's own unit targets for the measure against its force "
        "target, as `policingplan targets PLAN_DIR --measure MEASURE --json` gives them: 404 for a measure "
        "without unit targets.", errors=(404,)),
    "api-monitoring": Endpoint(
        "Each target's position", "Where each target stands at the as-of month: the year to date, SPC, the "
        "year-end forecast and its chance of meeting the target, the roll-up and the attribution, as "
        "`policingplan monitor --json` prints them.", query=(AS_OF, UNIT), errors=(400, 403, 503),
        scoped=True),
    "api-openapi": Endpoint("This document", "The OpenAPI 3.1 document describing every endpoint of the API."),
}

STATUS_WORDS = {
    400: "A query parameter is not one the API accepts: each problem names it.",
    403: "The user may not see that unit's figures.",
    404: "The plan has no such measure, or nothing of that kind for it.",
    503: "The warehouse does not hold the data behind these figures yet.",
}


def _models() -> dict[str, type[BaseModel]]:
    from policingplan.services.data import MeasureValues
    from policingplan.services.monitor import MonitorResult
    from policingplan.services.plan import ShownPlan
    from policingplan.services.targets import PlanTargetsCheck

    return {"api-plan": ShownPlan, "api-measures": PlanMeasures, "api-measure-values": MeasureValues,
            "api-targets": PlanTargets, "api-targets-check": PlanTargetsCheck, "api-monitoring": MonitorResult}


def openapi_path(route: str) -> str:
    """A Django route as an OpenAPI path: ``api/measures/<slug:measure>/values`` becomes
    ``/api/measures/{measure}/values``."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def _parameter(parameter: Parameter, where: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if parameter.pattern:
        schema["pattern"] = parameter.pattern
    return {"name": parameter.name, "in": where, "required": where == "path", "description": parameter.description,
            "schema": schema, "example": parameter.example}


def _error(status: int) -> dict[str, Any]:
    return {"description": STATUS_WORDS[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}}


@functools.lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    from pydantic.json_schema import models_json_schema

    from policingplan import __version__
    from policingplan.web import urls_api

    models = _models()
    shapes = list(dict.fromkeys([*models.values(), ApiError]))
    refs, top = models_json_schema([(m, "serialization") for m in shapes], ref_template="#/components/schemas/{model}")
    paths: dict[str, Any] = {}
    for pattern in urls_api.urlpatterns:
        name, route = pattern.name, str(pattern.pattern)
        if not route.startswith("api/"):
            continue
        endpoint = ENDPOINTS[name]  # an API URL without its description fails here, and in the tests
        model = models.get(name)
        body: dict[str, Any] = (refs[(model, "serialization")] if model is not None else
                                {"type": "object", "description": "An OpenAPI 3.1 document."})
        responses: dict[str, Any] = {
            "200": {"description": endpoint.summary, "content": {"application/json": {"schema": body}}},
            "302": {"description": "Not signed in: sent to the sign-in page." + (
                " A user who sees only their own borough, asking for every unit: sent to their borough's figures."
                if endpoint.scoped else "")},
        }
        for status in endpoint.errors:
            responses[str(status)] = _error(status)
        path_parameters = [MEASURE for converter in pattern.pattern.converters if converter == "measure"]
        operation = {
            "operationId": name.replace("-", "_"), "summary": endpoint.summary, "description": endpoint.description,
            "tags": ["read"], "responses": responses,
            "parameters": [_parameter(p, "path") for p in path_parameters] + [_parameter(p, "query")
                                                                          for p in endpoint.query],
        }
        if not operation["parameters"]:
            del operation["parameters"]
        paths[openapi_path(route)] = {"get": operation}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Policing plan API",
            "version": __version__,
            "summary": "The plan, its measures, its targets and the monitoring, read-only.",
            "description": "The same figures as the `policingplan` command line's `--json`, from the same services. "
                           "Rates and changes are fractions (0.055 is 5.5%); months are YYYY-MM. Every response "
                           "with figures carries the attribution its data requires: show it with the figures. "
                           "Sign in first: the API uses the application's session.",
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "tags": [{"name": "read", "description": "Read-only endpoints: GET only."}],
        "security": [{"session": []}],
        "paths": paths,
        "components": {
            "schemas": top.get("$defs", {}),
            "securitySchemes": {"session": {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME,
                                            "description": "The session cookie that signing in at "
                                                           "/accounts/login/ sets."}},
        },
    }


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document: every API path of the urlconf, its parameters, and its responses' schemas
    (the result models' serialisation JSON Schemas, as ``docs/schema/`` has them)."""
    return _document()


__all__ = [
    "ApiError", "ENDPOINTS", "Elsewhere", "PlanMeasures", "PlanTargets", "Refused", "Scope", "find_unit", "jsonable",
    "measure_values", "measures", "monitoring", "monitoring_view", "openapi", "openapi_document", "openapi_path",
    "plan", "plan_measure", "respond", "scope_for", "targets", "targets_check",
]
