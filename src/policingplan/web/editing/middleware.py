"""A clear page when the database cannot be reached, instead of a server error.

:class:`DatabaseUnavailableMiddleware` answers a request whose view met a lost or refused database
connection (``django.db.OperationalError`` or ``InterfaceError``) with 503 and a page that says the
change was not saved.  Every change is made in one transaction, so a connection lost halfway
leaves nothing half-written.  The page is rendered without the request's context (which would ask
the database for the user's roles).
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.template.loader import render_to_string

MESSAGE = "The change was not saved: the database could not be reached. Try again."


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        for connection in connections.all(initialized_only=True):
            connection.close_if_unusable_or_obsolete()
        changing = request.method not in ("GET", "HEAD")
        page = render_to_string("policingplan/editing/database_unavailable.html",
                                {"title": "Try again later", "changing": changing, "message": MESSAGE})
        response = HttpResponse(page, status=503)
        response["Retry-After"] = "30"
        return response
