"""Sign-in throttling: after too many failed sign-ins for one username, or from one address,
within a window, further sign-ins for it are refused for a while, with a message that says so.

A small counter in Django's cache (``POLICINGPLAN_LOGIN_THROTTLE``, below, gives its numbers),
kept around Django's own :class:`~django.contrib.auth.views.LoginView`:

- each failed sign-in (a username given, and the password wrong or the account inactive)
  counts once against the username (in any letter case) and once against the address;
- when either count reaches its limit, every sign-in for that username or from that address
  is refused, the right password included, until the window has passed since the first
  failure counted; the page answers 429 and says when to try again;
- a successful sign-in clears its username's count (not the address's, so that an attacker
  who holds one account cannot use it to reset the count of an address that is guessing
  others' passwords).

The address is the client's (``REMOTE_ADDR``), or, when ``POLICINGPLAN_LOGIN_THROTTLE_PROXY``
is set (the production settings set it: the application runs behind one proxy), the last
address of ``X-Forwarded-For``, the one the proxy itself added.

Several server processes share the counts only through a shared cache: the production
settings use the database (docs/security.md).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import caches
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


@dataclass(frozen=True)
class Limits:
    """How many failures, per username and per address, within ``window`` seconds."""

    per_username: int = 5
    per_address: int = 20
    window: int = 15 * 60
    cache: str = "default"


def limits() -> Limits:
    configured = getattr(settings, "POLICINGPLAN_LOGIN_THROTTLE", None) or {}
    return Limits(**configured)


def client_address(request) -> str:
    """The address a sign-in comes from (see the module's docstring)."""
    if getattr(settings, "POLICINGPLAN_LOGIN_THROTTLE_PROXY", False):
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _keys(username: str, address: str) -> dict[str, str]:
    """The cache keys (hashed: a username may hold any character, and a cache key may not)."""
    def digest(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    keys = {"address": f"policingplan:login-failures:address:{digest(address)}"}
    if username:
        keys["username"] = f"policingplan:login-failures:username:{digest(username.casefold())}"
    return keys


def blocked_for(username: str, address: str) -> int:
    """Seconds until a sign-in for ``username`` from ``address`` is accepted again (0: now)."""
    config = limits()
    cache = caches[config.cache]
    counts = cache.get_many(list(_keys(username, address).values()))
    waits = []
    for which, key in _keys(username, address).items():
        entry = counts.get(key)
        if not entry:
            continue
        limit = config.per_username if which == "username" else config.per_address
        count, until = entry
        if count >= limit:
            waits.append(until - _now())
    return max([0, *[math.ceil(w) for w in waits]])


def record_failure(username: str, address: str) -> None:
    """Count one failed sign-in against the username and the address."""
    config = limits()
    cache = caches[config.cache]
    for key in _keys(username, address).values():
        count, until = cache.get(key) or (0, _now() + config.window)
        remaining = until - _now()
        if remaining <= 0:
            count, until, remaining = 0, _now() + config.window, config.window
        cache.set(key, (count + 1, until), timeout=math.ceil(remaining))


def record_success(username: str) -> None:
    config = limits()
    caches[config.cache].delete(_keys(username, "")["username"])


def _now() -> float:
    import time

    return time.time()


def _in_words(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, which first asks the throttle: while it refuses, the credentials
    are not tried at all (the right password included); each failure is counted."""

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        address = client_address(self.request)
        self.wait = blocked_for(username, address)
        if self.wait:
            raise ValidationError(
                "Too many failed sign-ins for this username or from this network address. "
                f"Wait {_in_words(self.wait)}, then try again, or ask the performance team to check "
                "your account.", code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if username and error.code in ("invalid_login", "inactive"):
                record_failure(username, address)
            raise
        if username and self.get_user() is not None:
            record_success(username)
        return cleaned


class ThrottledLoginView(auth_views.LoginView):
    """Django's sign-in with :class:`ThrottledAuthenticationForm`: a refusal answers 429
    (Too Many Requests) with a ``Retry-After`` header, and the page says how long to wait."""

    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True
    extra_context = {"title": "Sign in"}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "throttled"):
            response.status_code = 429
            response["Retry-After"] = str(form.wait)
        return response
