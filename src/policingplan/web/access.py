"""Who may use each URL, enforced before any view runs, as the catalogue (:mod:`.roles`) says.

:class:`RoleAccessMiddleware` resolves the URL's name, asks
:func:`policingplan.web.roles.decide`, and answers 403 (or, for a visitor who
is not signed in, a redirect to the login page) when the catalogue refuses.
A URL without a row in the catalogue is refused for everyone.  Where the site publishes the plan
(``POLICINGPLAN_WEB_PUBLIC``), a visitor who is not signed in has the pseudo-role ``public``, and the
catalogue decides what it may read (:data:`policingplan.web.roles.PUBLIC_PAGES`).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from policingplan.web import roles as catalogue


def public() -> bool:
    """Whether the site publishes the plan to visitors who are not signed in (``POLICINGPLAN_WEB_PUBLIC``)."""
    return bool(getattr(settings, "POLICINGPLAN_WEB_PUBLIC", False))


def user_roles(user) -> tuple[set[str], set[str]]:
    """The user's roles and own boroughs (slugs), from their groups.  A visitor who is not signed in has
    none, or only the pseudo-role ``public`` where the plan is published (``POLICINGPLAN_WEB_PUBLIC``)."""
    if not user.is_authenticated:
        return ({catalogue.PUBLIC} if public() else set()), set()
    cached = getattr(user, "_policingplan_roles", None)
    if cached is None:
        names = list(user.groups.values_list("name", flat=True))
        cached = catalogue.roles_of(names, superuser=user.is_superuser)
        user._policingplan_roles = cached
    return cached


class RoleAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        roles, units = user_roles(request.user)
        decision = catalogue.decide(match.url_name if match else None, request.method, roles,
                                    unit=view_kwargs.get("borough"), own_units=units)
        if decision == "allow":
            return None
        if decision == "login":
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied("The catalogue of roles does not allow this.")


def may_open(request, page: str, borough: str | None = None) -> bool:
    """Whether the user may open the page ``page`` (for ``borough``): for links a page shows."""
    roles, units = user_roles(request.user)
    return catalogue.decide(page, "GET", roles, unit=borough, own_units=units) == "allow"


def context(request) -> dict:
    """The user's roles for every template: their names, and their own borough."""
    roles, units = user_roles(request.user)
    return {
        "user_roles": [catalogue.ROLES[r].name for r in catalogue.ROLES if r in roles],
        "own_boroughs": sorted(units),
        "sees_every_borough": catalogue.sees_every_unit(roles),
        "public_visitor": catalogue.PUBLIC in roles,
    }
