"""Production settings: the base settings (:mod:`policingplan.web.settings`), hardened.

Use them with ``DJANGO_SETTINGS_MODULE=policingplan.web.settings_production`` (see
docs/deployment.md).  Unlike the base settings, nothing here falls back to a default
that only suits one analyst's machine; each of these must be in the environment, and a
missing one stops the application with one line that names it:

- ``POLICINGPLAN_SECRET_KEY``: Django's secret key (at least 50 characters; keep it out of
  the repository, e.g. ``python -c "import secrets; print(secrets.token_urlsafe(64))"``).
- ``DATABASE_URL``: the database, ``postgres://user:password@host:5432/name``.
- ``POLICINGPLAN_WEB_HOSTS``: the host names served, comma-separated (``plans.example.police.uk``).
- ``POLICINGPLAN_WEB_STATIC_ROOT``: the folder ``collectstatic`` fills and WhiteNoise serves.

Optional:

- ``POLICINGPLAN_WEB_CSRF_ORIGINS``: more origins trusted for forms, comma-separated
  (``https://plans.example.police.uk``), when the proxy does not pass the Host header on.
- ``POLICINGPLAN_WEB_HSTS_SUBDOMAINS=0`` / ``POLICINGPLAN_WEB_HSTS_PRELOAD=0``: leave
  ``includeSubDomains`` / ``preload`` out of the HSTS header (both are on by default); the
  matching ``check --deploy`` warning is then silenced, since it is a deliberate choice.

The application always runs behind a proxy that ends HTTPS and sets ``X-Forwarded-Proto``
(docs/deployment.md); plain HTTP is redirected to HTTPS.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from policingplan.web.settings import *  # noqa: F401,F403  (the base settings, then hardened below)


def _required(name: str, what: str) -> str:
    """The variable's value; a one-line error naming it when it is missing or blank."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set: the production settings need {what} "
            f"(see docs/deployment.md)"
        )
    return value


def _off(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("0", "false", "no", "off")


def _listed(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


DEBUG = False

SECRET_KEY = _required("POLICINGPLAN_SECRET_KEY", "Django's secret key, at least 50 random characters")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
    # Refused here, not left to a warning of check --deploy that a start-up script need not run.
    raise ImproperlyConfigured(
        "POLICINGPLAN_SECRET_KEY is too weak: the production settings need at least 50 random "
        "characters, e.g. python3 -c \"import secrets; print(secrets.token_urlsafe(64))\" "
        "(see docs/deployment.md)")
ALLOWED_HOSTS = _listed(_required("POLICINGPLAN_WEB_HOSTS", "the host names served, comma-separated"))
CSRF_TRUSTED_ORIGINS = _listed(os.environ.get("POLICINGPLAN_WEB_CSRF_ORIGINS", ""))

DATABASES = {"default": database(  # noqa: F405  (the base settings' parse, with its clear error)
    _required("DATABASE_URL", "the database, e.g. postgres://user:password@host:5432/policingplan"),
    conn_max_age=60, conn_health_checks=True,
)}

# HTTPS, ended at the proxy in front: trust its X-Forwarded-Proto, redirect plain HTTP.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not _off("POLICINGPLAN_WEB_HSTS_SUBDOMAINS")
SECURE_HSTS_PRELOAD = not _off("POLICINGPLAN_WEB_HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = [
    check for check, kept in (("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS),
                              ("security.W021", SECURE_HSTS_PRELOAD)) if not kept
]

# Cookies only over HTTPS, out of reach of scripts, and not sent from other sites' pages.
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Headers: never framed, no content sniffing, the referrer kept to this site.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Sign-in throttling's counts in the database, shared by every server process (the table is made
# by the web app's migrations); the address throttled is the one the proxy in front adds last to
# X-Forwarded-For, not the proxy's own.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                      "LOCATION": "policingplan_cache"}}
POLICINGPLAN_LOGIN_THROTTLE_PROXY = True

# Static files: collected into STATIC_ROOT by `collectstatic`, each name carrying a hash of its
# content and a compressed copy beside it, served by WhiteNoise with far-future cache headers.
STATIC_ROOT = _required("POLICINGPLAN_WEB_STATIC_ROOT", "the folder that collectstatic fills")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False

# Errors to standard error, where the production server (and its service manager) keeps them;
# Django's default sends them nowhere once DEBUG is off and no ADMINS are set.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {"django": {"handlers": ["stderr"], "level": "WARNING", "propagate": False}},
}
