"""The URLs of the JSON API and the downloads: each has its row in the catalogue of roles (:mod:`.roles`).

The API's paths are described by the OpenAPI document at ``/api/openapi.json`` (:mod:`.api`); each
download has a URL for CSV and one for XLSX (:mod:`.downloads`).

An API path takes any measure (``str``, not ``slug``): one that is not the plan's is the API's
own JSON 404, as the document says, not the site's HTML page (found by schemathesis).
"""

from django.urls import path

from policingplan.web import api, downloads

urlpatterns: list = [
    path("api/plan", api.plan, name="api-plan"),
    path("api/measures", api.measures, name="api-measures"),
    path("api/measures/<str:measure>/values", api.measure_values, name="api-measure-values"),
    path("api/targets", api.targets, name="api-targets"),
    path("api/targets/<str:measure>/check", api.targets_check, name="api-targets-check"),
    path("api/monitoring", api.monitoring_view, name="api-monitoring"),
    path("api/openapi.json", api.openapi, name="api-openapi"),
    path("downloads/", downloads.index, name="downloads"),
    path("downloads/dashboard.csv", downloads.dashboard.csv, name="download-dashboard-csv"),
    path("downloads/dashboard.xlsx", downloads.dashboard.xlsx, name="download-dashboard-xlsx"),
    path("downloads/targets.csv", downloads.targets.csv, name="download-targets-csv"),
    path("downloads/targets.xlsx", downloads.targets.xlsx, name="download-targets-xlsx"),
    path("downloads/monitoring.csv", downloads.monitoring.csv, name="download-monitoring-csv"),
    path("downloads/monitoring.xlsx", downloads.monitoring.xlsx, name="download-monitoring-xlsx"),
    path("downloads/boroughs/<slug:borough>/targets.csv", downloads.borough.csv, name="download-borough-csv"),
    path("downloads/boroughs/<slug:borough>/targets.xlsx", downloads.borough.xlsx, name="download-borough-xlsx"),
]
