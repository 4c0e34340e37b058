"""The JSON API, its OpenAPI document and the CSV/XLSX downloads, on the London 2023/24 example.

Each endpoint answers the service's result as ``--json`` prints it; a user's mistake is a JSON error
with 400 or 404; a commander sees only the force and their own borough; the OpenAPI document
describes every API URL of the urlconf (and no other), and every real response validates against
its schema there; each download holds the figures the services return, with the attribution.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from policingplan.plan.model import FORCE
from policingplan.web import api, downloads, figures, roles

pytestmark = pytest.mark.django_db

OWN, OTHER = "lambeth", "westminster"
MEASURE = "neighbourhood-crime"


@pytest.fixture
def viewer(client, make_user):
    client.force_login(make_user(roles.VIEWER))
    return client


@pytest.fixture
def commander(client, make_user):
    client.force_login(make_user(roles.COMMANDER, OWN))
    return client


@pytest.fixture
def plan():
    return figures.plan()


def unit_code(plan, slug: str) -> str:
    from policingplan.web import present

    return next(u.code for u in plan.units if present.slug(u.name) == slug)


def as_json(result) -> dict:
    """A service's result as ``--json`` prints it."""
    return api.jsonable(result.model_dump(mode="json"))


def body(response, status: int = 200) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


# --- the endpoints give the services' results ----------------------------------------------------


def test_the_plan_is_what_show_gives_with_its_attribution(viewer, web_plan_dir):
    from policingplan.services.plan import show

    data = body(viewer.get("/api/plan"))
    assert data == as_json(show(web_plan_dir))
    assert data["id"] == "london-2023-24" and len(data["measures"]) == 8 and len(data["targets"]) == 102
    assert any("Open Government Licence" in line for line in data["attribution"])


def test_the_measures_and_the_targets_are_the_plans(viewer, plan):
    measures = body(viewer.get("/api/measures"))
    assert measures["measures"] == [m.model_dump(mode="json") for m in plan.measures]
    assert measures["attribution"] == plan.attribution and measures["period"] == "2023/24"
    assert [m["id"] for m in measures["measures"] if m["cpa"]] == [m.id for m in plan.measures if m.cpa]
    targets = body(viewer.get("/api/targets"))
    assert targets["targets"] == [t.model_dump(mode="json") for t in plan.targets]
    force = next(t for t in targets["targets"] if t["measure"] == MEASURE and t["scope"] == FORCE)
    assert force["value"] == -0.05 and force["baseline"] == 234682  # the plan's own: -5% on 2022/23


def test_a_measures_values_are_the_data_services(viewer, plan, web_warehouse):
    from policingplan.services.data import measures

    code = unit_code(plan, OWN)
    expected = as_json(measures(plan, web_warehouse, measure=MEASURE, unit=code))
    assert expected["rows"] and {r["unit"] for r in expected["rows"]} == {code}
    for asked in (OWN, code, "Lambeth", code.lower()):  # slug, code, name, any case
        assert body(viewer.get(f"/api/measures/{MEASURE}/values", {"unit": asked})) == expected
    ranged = body(viewer.get(f"/api/measures/{MEASURE}/values", {"unit": "force", "from": "2023-04", "to": "2023-06"}))
    assert ranged == as_json(measures(plan, web_warehouse, measure=MEASURE, unit=FORCE, start="2023-04", end="2023-06"))
    assert [r["month"] for r in ranged["rows"]] == ["2023-04", "2023-05", "2023-06"]
    every = body(viewer.get(f"/api/measures/{MEASURE}/values"))
    assert len({r["unit"] for r in every["rows"]}) > 30  # a viewer asking for every unit gets them all


def test_the_plans_unit_targets_check_is_the_targets_service(viewer, plan):
    from policingplan.services.targets import plan_targets_check

    data = body(viewer.get(f"/api/targets/{MEASURE}/check"))
    assert data == as_json(plan_targets_check(plan, MEASURE))
    assert data["meets"] is True and len(data["units"]) == len(plan.units)


def test_the_monitoring_is_monitor_json(viewer, web_plan_dir, web_warehouse, plan):
    from policingplan.services.monitor import monitor_folder

    data = body(viewer.get("/api/monitoring"))
    assert data == as_json(monitor_folder(web_plan_dir, web_warehouse))
    assert data["as_of"] == "2024-02" and data["unit"] is None and data["units"]["units"]
    earlier = body(viewer.get("/api/monitoring", {"as_of": "2023-12", "unit": OWN}))
    assert earlier == as_json(monitor_folder(web_plan_dir, web_warehouse, as_of="2023-12", unit=unit_code(plan, OWN)))
    assert earlier["as_of_label"] == "December 2023" and earlier["unit"]["name"] == "Lambeth"
    assert {t["unit"] for t in earlier["targets"]} == {unit_code(plan, OWN)}


# --- a user's mistake is a JSON error, never a 500 -----------------------------------------------


@pytest.mark.parametrize(("url", "query", "status", "column"), [
    ("/api/monitoring", {"as_of": "2023-13"}, 400, "as_of"),
    ("/api/monitoring", {"as_of": "last month"}, 400, "as_of"),
    ("/api/monitoring", {"as_of": "2025-01"}, 400, "as_of"),  # outside the plan year
    ("/api/monitoring", {"unit": "Atlantis"}, 400, "unit"),
    (f"/api/measures/{MEASURE}/values", {"unit": "Atlantis"}, 400, "unit"),
    (f"/api/measures/{MEASURE}/values", {"from": "2023-4"}, 400, "from"),
    (f"/api/measures/{MEASURE}/values", {"from": "2024-01", "to": "2023-01"}, 400, "to"),
    ("/api/measures/no-such-measure/values", {}, 404, "measure"),
    ("/api/measures/public-confidence/values", {}, 404, "measure"),  # no source: nothing to compute
    ("/api/targets/no-such-measure/check", {}, 404, "measure"),
    ("/api/targets/homicide-solved-rate/check", {}, 404, "measure"),  # no unit targets
])
def test_a_users_mistake_is_an_error_naming_the_parameter(viewer, url, query, status, column):
    data = body(viewer.get(url, query), status)
    assert set(data) == {"error", "problems"} and data["error"]
    assert data["problems"] and data["problems"][0]["column"] == column
    assert "--" not in data["error"]  # the API's parameters, not the command line's options


def test_every_error_says_what_is_accepted(viewer):
    data = body(viewer.get("/api/monitoring", {"as_of": "2025-01"}), 400)
    assert "outside the plan year 2023/24" in data["error"] and "2023-04" in data["problems"][0]["accepted"]
    data = body(viewer.get("/api/monitoring", {"unit": "Atlantis"}), 400)
    assert data["problems"][0]["value"] == "Atlantis" and "force" in data["problems"][0]["accepted"]


# --- a commander sees the force and their own borough only ---------------------------------------


def test_a_commander_gets_their_own_borough_and_the_force_only(commander, plan):
    assert body(commander.get("/api/monitoring", {"unit": OWN}))["unit"]["name"] == "Lambeth"
    assert body(commander.get("/api/monitoring", {"unit": "force"}))["unit"]["code"] == FORCE
    refused = body(commander.get("/api/monitoring", {"unit": OTHER}), 403)
    assert refused["problems"][0]["column"] == "unit" and "Westminster" in refused["error"]
    assert "Westminster" not in json.dumps(refused["problems"][0]["accepted"])
    body(commander.get("/api/monitoring", {"unit": unit_code(plan, OTHER)}), 403)  # by code too
    body(commander.get(f"/api/measures/{MEASURE}/values", {"unit": "Westminster"}), 403)  # and by name
    every = commander.get("/api/monitoring", {"as_of": "2023-12"})
    assert every.status_code == 302 and every["Location"] == f"/api/monitoring?as_of=2023-12&unit={OWN}"
    every = commander.get(f"/api/measures/{MEASURE}/values")
    assert every.status_code == 302 and every["Location"].endswith(f"?unit={OWN}")
    # the plan (with every borough's targets) is the published plan: theirs to read
    assert body(commander.get(f"/api/targets/{MEASURE}/check"))["units"]


def test_a_commander_downloads_their_own_boroughs_tables_only(commander):
    assert commander.get(reverse("download-borough-csv", args=[OWN])).status_code == 200
    assert commander.get(reverse("download-borough-xlsx", args=[OTHER])).status_code == 403
    assert commander.get(reverse("download-borough-csv", args=[OTHER])).status_code == 403
    assert commander.get(reverse("download-monitoring-csv"), {"unit": OTHER}).status_code == 403
    assert commander.get(reverse("download-monitoring-xlsx"), {"unit": OWN}).status_code == 200
    every = commander.get(reverse("download-monitoring-csv"))
    assert every.status_code == 302 and every["Location"].endswith(f"?unit={OWN}")
    page = commander.get(reverse("downloads")).content.decode()
    assert f"/downloads/boroughs/{OWN}/" in page and f"/downloads/boroughs/{OTHER}/" not in page
    assert f'value="{OTHER}"' not in page and 'value=""' not in page  # no "every target" choice


def test_the_api_is_read_only_and_for_signed_in_users(client, viewer):
    assert viewer.post("/api/plan").status_code == 403
    client.logout()
    response = client.get("/api/monitoring")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- the OpenAPI document ------------------------------------------------------------------------


def api_routes(patterns=None, prefix=""):
    """Every API path of the urlconf, as OpenAPI writes it, with the URL's name."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from api_routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and (prefix + str(entry.pattern)).startswith("api/"):
            yield api.openapi_path(prefix + str(entry.pattern)), entry.name


@pytest.fixture
def document(viewer):
    return body(viewer.get("/api/openapi.json"))


def test_the_document_describes_every_api_url_and_no_other(document):
    routes = dict(api_routes())
    assert len(routes) >= 7
    assert set(document["paths"]) == set(routes)
    for path, name in routes.items():
        assert set(document["paths"][path]) == {"get"}, path  # read-only
        assert document["paths"][path]["get"]["operationId"] == name.replace("-", "_")
    assert set(api.ENDPOINTS) == set(routes.values())


#: The rules of OpenAPI 3.1 this document relies on, as a JSON Schema (the full check is
#: openapi-spec-validator's, when it is installed).
OPENAPI_RULES = {
    "type": "object",
    "required": ["openapi", "info", "paths", "components"],
    "properties": {
        "openapi": {"type": "string", "pattern": r"^3\.1\.\d+$"},
        "info": {"type": "object", "required": ["title", "version"],
                 "properties": {"title": {"type": "string"}, "version": {"type": "string"}}},
        "paths": {"type": "object", "propertyNames": {"pattern": "^/"}, "additionalProperties": {
            "type": "object", "additionalProperties": False, "properties": {"get": {"$ref": "#/$defs/operation"}}}},
        "components": {"type": "object", "properties": {"schemas": {"type": "object"}}},
    },
    "$defs": {
        "operation": {
            "type": "object", "required": ["responses", "operationId"],
            "properties": {
                "operationId": {"type": "string"},
                "parameters": {"type": "array", "items": {
                    "type": "object", "required": ["name", "in", "schema"],
                    "properties": {"in": {"enum": ["path", "query", "header", "cookie"]},
                                   "required": {"type": "boolean"}}}},
                "responses": {"type": "object", "minProperties": 1,
                              "propertyNames": {"pattern": "^[1-5][0-9][0-9]$|^default$"},
                              "additionalProperties": {"type": "object", "required": ["description"]}},
            },
        },
    },
}


def refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_the_document_is_valid_openapi_3_1(document):
    import jsonschema

    jsonschema.validate(document, OPENAPI_RULES)
    for ref in set(refs(document)):  # every reference resolves in the document
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.removeprefix("#/components/schemas/") in document["components"]["schemas"], ref
    for name, schema in document["components"]["schemas"].items():
        jsonschema.Draft202012Validator.check_schema(schema)
    operation_ids = [op["get"]["operationId"] for op in document["paths"].values()]
    assert len(operation_ids) == len(set(operation_ids))
    for path, item in document["paths"].items():  # each {name} in the path is a required path parameter
        declared = {p["name"] for p in item["get"].get("parameters", []) if p["in"] == "path"}
        assert declared == set(re.findall(r"\{(\w+)\}", path)), path
        assert all(p["required"] for p in item["get"].get("parameters", []) if p["in"] == "path")


def test_the_document_passes_openapi_spec_validator(document):
    validator = pytest.importorskip("openapi_spec_validator")  # the full check, where it is installed
    validator.validate(document)


def validates(document, path: str, status: int, data) -> None:
    import jsonschema

    schema = document["paths"][path]["get"]["responses"][str(status)]["content"]["application/json"]["schema"]
    jsonschema.Draft202012Validator({**schema, "components": document["components"]}).validate(data)


def test_each_real_response_validates_against_its_schema(viewer, document):
    answers = {
        "/api/plan": viewer.get("/api/plan"),
        "/api/measures": viewer.get("/api/measures"),
        "/api/measures/{measure}/values": viewer.get(f"/api/measures/{MEASURE}/values", {"unit": OWN}),
        "/api/targets": viewer.get("/api/targets"),
        "/api/targets/{measure}/check": viewer.get(f"/api/targets/{MEASURE}/check"),
        "/api/monitoring": viewer.get("/api/monitoring"),
        "/api/openapi.json": viewer.get("/api/openapi.json"),
    }
    assert set(answers) == set(document["paths"])  # every endpoint is tried
    for path, response in answers.items():
        validates(document, path, 200, body(response))
    validates(document, "/api/monitoring", 200, body(viewer.get("/api/monitoring", {"unit": OWN, "as_of": "2023-09"})))
    for path, url, query, status in [
        ("/api/monitoring", "/api/monitoring", {"as_of": "2023-13"}, 400),
        ("/api/measures/{measure}/values", "/api/measures/nothing/values", {}, 404),
        ("/api/targets/{measure}/check", "/api/targets/road-ksi/check", {}, 404),
    ]:
        validates(document, path, status, body(viewer.get(url, query), status))


def test_the_schemas_are_the_result_models(document):
    from policingplan.services.monitor import MonitorResult

    schemas = document["components"]["schemas"]
    assert {"ShownPlan", "MeasureValues", "PlanTargetsCheck", "MonitorResult", "PlanMeasures", "PlanTargets",
            "ApiError"} <= set(schemas)
    own = MonitorResult.model_json_schema(mode="serialization")
    assert set(schemas["MonitorResult"]["properties"]) == set(own["properties"])
    assert schemas["MonitorResult"]["required"] == own["required"]


# --- the downloads -------------------------------------------------------------------------------


def read_csv(response) -> tuple[list[dict], list[str]]:
    """The table's rows (by column id) and the lines after it (the attribution)."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    blank = lines.index([])
    header, rows = lines[0], lines[1:blank]
    return [dict(zip(header, row)) for row in rows], [row[0] for row in lines[blank + 1:]]


def read_xlsx(response):
    import openpyxl

    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == downloads.CONTENT_TYPES["xlsx"]
    return openpyxl.load_workbook(io.BytesIO(response.content))


def number(text: str):
    return None if text == "" else float(text)


def test_the_dashboard_csv_holds_each_cpas_force_position_unformatted(viewer, plan, web_plan_dir, web_warehouse):
    from policingplan.services.monitor import monitor_folder

    result = monitor_folder(web_plan_dir, web_warehouse)
    cpas = {m.id for m in plan.measures if m.cpa}
    expected = [t for t in result.targets if t.unit == FORCE and t.measure in cpas]
    response = viewer.get(reverse("download-dashboard-csv"))
    rows, footer = read_csv(response)
    assert f'filename="london-2023-24-dashboard-{result.as_of}.csv"' in response["Content-Disposition"]
    assert [c.key for c in downloads.POSITION_COLUMNS] == list(rows[0])
    assert [r["measure"] for r in rows] == [t.measure for t in expected] and len(rows) >= 4
    for row, target in zip(rows, expected):
        assert row["as_of"] == "2024-02" and row["status"] == target.status
        assert number(row["year_to_date"]) == pytest.approx(target.year_to_date, rel=1e-12)
        assert number(row["forecast_total"]) == pytest.approx(target.forecast_total, rel=1e-12)
        assert number(row["forecast_80_low"]) == pytest.approx(target.interval_80[0], rel=1e-12)
        assert number(row["p_meet_target"]) == pytest.approx(target.p_meet_target, rel=1e-12)
        assert number(row["met_at"]) == pytest.approx(target.met_at, rel=1e-12)
    neighbourhood = next(r for r in rows if r["measure"] == MEASURE)
    assert neighbourhood["met_at"] == "222947"  # the plan's own target, as a plain number
    assert "," not in neighbourhood["year_to_date"] and "%" not in neighbourhood["p_meet_target"]
    assert footer == result.attribution


def test_the_dashboard_xlsx_has_a_frozen_header_formats_widths_and_the_attribution(viewer, plan):
    result = figures.monitoring()
    book = read_xlsx(viewer.get(reverse("download-dashboard-xlsx")))
    sheet = book["Corporate dashboard"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    headings = [c.value for c in sheet[1]]
    assert headings == [c.heading for c in downloads.POSITION_COLUMNS]
    assert sheet.column_dimensions["C"].width > 30  # the measure's name
    rows = {r[2].value: r for r in sheet.iter_rows(min_row=2)}
    neighbourhood = next(t for t in result.targets if t.unit == FORCE and t.measure == MEASURE)
    row = rows[neighbourhood.measure_name]
    col = {c.key: i for i, c in enumerate(downloads.POSITION_COLUMNS)}
    assert row[col["year_to_date"]].value == neighbourhood.year_to_date
    assert row[col["year_to_date"]].number_format == "#,##0"
    assert row[col["p_meet_target"]].number_format == "0%"
    assert row[col["status"]].value in {"Likely", "In the balance", "Unlikely", "Not assessed"}
    rate = next(t for t in result.targets if t.unit == FORCE and t.kind == "ratio" and t.measure in rows_of(rows))
    assert rows[rate.measure_name][col["year_to_date"]].number_format == "0.0%"
    about = [c.value for c in book["About these figures"]["A"] if c.value]
    assert about[0] == "Corporate dashboard" and "Data to the end of February 2024" in " ".join(about)
    for line in result.attribution:
        assert line in about
    assert result.attribution[0].replace("&", "&&")[:40] in sheet.oddFooter.left.text


def rows_of(rows) -> set[str]:
    plan = figures.plan()
    names = {m.name: m.id for m in plan.measures}
    return {names[name] for name in rows}


def test_a_boroughs_table_is_its_pages(viewer, plan):
    code = unit_code(plan, OWN)
    result = figures.monitoring(code)
    rows, footer = read_csv(viewer.get(reverse("download-borough-csv", args=[OWN])))
    expected = [t for t in result.targets if t.unit == code]
    assert [(r["measure"], r["unit"], r["unit_name"]) for r in rows] == [(t.measure, code, "Lambeth") for t in expected]
    assert [number(r["forecast_total"]) for r in rows] == pytest.approx([t.forecast_total for t in expected])
    assert footer == result.attribution
    book = read_xlsx(viewer.get(reverse("download-borough-xlsx", args=[OWN])))
    assert book.sheetnames == ["Lambeth targets", "About these figures"]
    assert viewer.get(reverse("download-borough-csv", args=["atlantis"])).status_code == 404


def test_the_monitoring_download_has_every_target_or_one_units(viewer, plan, web_plan_dir, web_warehouse):
    from policingplan.services.monitor import monitor_folder

    every, _ = read_csv(viewer.get(reverse("download-monitoring-csv")))
    assert len(every) == len(figures.monitoring().targets) > 100
    response = viewer.get(reverse("download-monitoring-csv"), {"unit": OWN, "as_of": "2023-10"})
    rows, footer = read_csv(response)
    expected = monitor_folder(web_plan_dir, web_warehouse, as_of="2023-10", unit=unit_code(plan, OWN))
    assert "positions-lambeth-2023-10.csv" in response["Content-Disposition"]
    assert [number(r["year_to_date"]) for r in rows] == pytest.approx([t.year_to_date for t in expected.targets])
    assert {r["as_of"] for r in rows} == {"2023-10"} and footer == expected.attribution
    book = read_xlsx(viewer.get(reverse("download-monitoring-xlsx"), {"unit": "force"}))
    assert book["Target positions"].max_row == 1 + len([t for t in figures.monitoring().targets if t.unit == FORCE])
    refused = viewer.get(reverse("download-monitoring-csv"), {"as_of": "2023-13"})
    assert refused.status_code == 400 and b"01 to 12" in refused.content  # a page that says why, not a 500


def test_the_plans_targets_download(viewer, plan):
    rows, footer = read_csv(viewer.get(reverse("download-targets-csv")))
    assert len(rows) == len(plan.targets) == 102
    force = next(r for r in rows if r["measure"] == MEASURE and r["scope"] == FORCE)
    assert force["value"] == "-0.05" and force["baseline"] == "234682" and force["cpa"] == "True"
    assert force["description"] == "2023/24: -5% on 2022/23 (baseline 234,682)"
    assert footer == plan.attribution
    sheet = read_xlsx(viewer.get(reverse("download-targets-xlsx")))["The plan's targets"]
    col = {c.key: i for i, c in enumerate(downloads.TARGET_COLUMNS)}
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == MEASURE and r[col["scope"]].value == FORCE)
    assert row[col["value"]].value == -0.05 and row[col["value"]].number_format == "0.0%"
    assert row[col["baseline"]].number_format == "#,##0" and row[col["cpa"]].value == "Yes"
    level = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "homicide-solved-rate")
    assert level[col["value"]].value == 0.85 and level[col["value"]].number_format == "0.0%"


def test_the_downloads_page_lists_every_table_and_the_api(viewer, plan):
    page = viewer.get(reverse("downloads"))
    assert page.status_code == 200
    text = page.content.decode()
    for name in ("download-dashboard-csv", "download-dashboard-xlsx", "download-targets-csv",
                 "download-targets-xlsx", "download-monitoring-csv", "download-monitoring-xlsx", "api-openapi"):
        assert reverse(name) in text, name
    assert text.count("/downloads/boroughs/") == 2 * len(plan.units)
    assert "February 2024" in text and plan.attribution[0] in text


def test_the_links_under_a_table_name_both_forms(rf):
    from django.template.loader import render_to_string

    html = render_to_string("policingplan/_downloads.html", {
        "csv": reverse("download-dashboard-csv"), "xlsx": reverse("download-dashboard-xlsx"),
        "what": "this table"})
    assert 'href="/downloads/dashboard.csv"' in html and 'href="/downloads/dashboard.xlsx"' in html
    assert "spreadsheet of this table" in html  # each link's purpose read out in full
