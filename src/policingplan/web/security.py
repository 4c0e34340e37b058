"""Response headers that Django does not set itself: the Content-Security-Policy.

Django 5.2 has no built-in CSP.  The policy lets a page load scripts, styles, fonts and
images from this site only (images also as ``data:`` URLs), never inline script or style
(no ``<script>`` without ``src``, no ``<style>``, no ``style=`` or ``on…=`` attribute: the
templates have none, tests/web/test_security.py checks every page), never be framed, and
post forms only to this site.  ``POLICINGPLAN_CSP`` in the settings replaces it.
"""

from __future__ import annotations

from django.conf import settings

#: The policy (docs/security.md).
POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
          "frame-ancestors 'none'; form-action 'self'; base-uri 'self'")


class ContentSecurityPolicyMiddleware:
    """Adds ``Content-Security-Policy`` to every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "POLICINGPLAN_CSP", POLICY)
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
