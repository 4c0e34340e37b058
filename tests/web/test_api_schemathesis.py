"""schemathesis against the JSON API (issue 17, bad input everywhere): every operation of the
OpenAPI document at ``/api/openapi.json`` (policingplan.web.api), called in-process through the
WSGI application, signed in with a session cookie, with generated paths and query strings,
valid and invalid: no response is a server error, and every response conforms to the document
(its status code listed, its content type and its body as the schema says).

Two users: a viewer (every unit) and a borough commander (their own borough only: asking for
the force or another borough is sent to their own, or refused).  The examples are drawn
derandomized, a fixed number per operation, so that a run in CI is the same every time.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from policingplan.web import roles
from policingplan.web.api import openapi_document

#: Examples per operation and user (there are seven operations).
EXAMPLES = 25

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


#: The operations, from the document the application serves (checked below to be that one).
PATHS = sorted(openapi_document()["paths"])

USERS = {"viewer": (roles.VIEWER, None), "commander": (roles.COMMANDER, "lambeth")}


@contextmanager
def requests_keep_the_connection():
    """As Django's test client does: a request does not close the database connection when it
    ends (on PostgreSQL that would end the test's transaction).  Entered after the last request of
    the test client, which connects the signal again when its own request ends."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
@pytest.mark.parametrize("user", list(USERS))
@pytest.mark.parametrize("path", PATHS)
def test_every_operation_answers_as_the_document_says_and_never_with_a_server_error(make_user, path, user, mode):
    role, borough = USERS[user]
    client = Client()
    client.force_login(make_user(role, borough))
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    served = client.get("/api/openapi.json")
    assert served.status_code == 200, served.status_code
    schema = schemathesis.openapi.from_dict(served.json())
    schema.app = get_wsgi_application()
    operation = schema[path]["GET"]
    calls = []

    @hypothesis_settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                         suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case):
        response = case.call(cookies=cookies)
        calls.append((response.status_code, response.headers.get("location", [""])[0]))
        case.validate_response(response, checks=CHECKS)

    # The documented examples too (a real measure, a real month): generated strings are seldom one.
    parameters = served.json()["paths"][path]["get"].get("parameters", [])
    documented = operation.Case(
        path_parameters={p["name"]: p["example"] for p in parameters if p["in"] == "path"},
        query={p["name"]: p["example"] for p in parameters if p["in"] == "query" and p.get("example")})
    with requests_keep_the_connection():
        call()
        answer = documented.call(cookies=cookies)
        documented.validate_response(answer, checks=CHECKS)
    assert calls, "no request was made"
    # Signed in: no request is sent to sign in, and the viewer's documented example is answered.
    assert not [location for _, location in calls if location.startswith("/accounts/login/")]
    if user == "viewer":
        assert answer.status_code == 200, (documented.formatted_path, documented.query, answer.status_code)


@pytest.mark.django_db
def test_the_document_is_the_one_served_and_covers_every_api_url(client, make_user):
    client.force_login(make_user(roles.VIEWER))
    served = client.get("/api/openapi.json").json()
    assert served == openapi_document()
    assert len(served["paths"]) == 7 and all(set(p) == {"get"} for p in served["paths"].values())
