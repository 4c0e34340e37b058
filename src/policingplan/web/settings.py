"""Django settings for the web application, read from the environment (see docs/web.md).

- ``DATABASE_URL``: the database (dj-database-url), such as ``postgres://user:pass@host/db``.
  Default: SQLite at ``.policingplan/web.sqlite3`` under the current directory.
- ``POLICINGPLAN_SECRET_KEY``: Django's secret key.  Default: the key that ``policingplan serve``
  generated and keeps in ``.policingplan/secret_key``, or a fresh one for this process.
- ``POLICINGPLAN_WEB_DEBUG``: ``1`` for Django's debug pages (never in production).
- ``POLICINGPLAN_WEB_HOSTS``: the host names served, comma-separated (default: loopback only).
- ``POLICINGPLAN_WEB_HTTPS``: ``1`` when served over HTTPS: secure cookies and HSTS.
- ``POLICINGPLAN_WEB_PLAN`` and ``POLICINGPLAN_WAREHOUSE``: the plan shown and its data
  (:mod:`policingplan.settings`).
- ``POLICINGPLAN_WEB_PUBLIC``: ``1`` to let visitors who are not signed in read the published plan.
- ``POLICINGPLAN_WEB_PLANS``: where the plan versions stored in the database are written as
  folders (default ``.policingplan/plans``).
- ``POLICINGPLAN_WEB_UPLOAD_MAX_BYTES``: the largest data file an upload accepts (default 200 MB).
- ``POLICINGPLAN_CYCLE_TODAY``: the day the planning cycle counts from (default: today).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from policingplan import settings as policingplan_settings

STATE_DIR = policingplan_settings.web_state_dir()
SECRET_KEY_FILE = STATE_DIR / "secret_key"


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _secret_key() -> str:
    configured = policingplan_settings.environment("POLICINGPLAN_SECRET_KEY")
    if configured:
        return configured
    if SECRET_KEY_FILE.is_file():
        return SECRET_KEY_FILE.read_text(encoding="utf-8").strip()
    return get_random_secret_key()


BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = _secret_key()
DEBUG = _flag("POLICINGPLAN_WEB_DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("POLICINGPLAN_WEB_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
                 if h.strip()]

#: The plan the application shows, and the warehouse its figures come from.
POLICINGPLAN_PLAN_DIR = str(policingplan_settings.web_plan_dir())
POLICINGPLAN_WAREHOUSE = str(policingplan_settings.warehouse_dir())
#: How long a service's result is reused before it is asked again (seconds).
# The folders that the plan versions stored in the database are written to, one per content (web/shown.py).
POLICINGPLAN_WEB_PLANS = os.environ.get("POLICINGPLAN_WEB_PLANS") or str(STATE_DIR / "plans")
# Visitors who are not signed in may read the published plan's public pages (roles.PUBLIC_PAGES).
POLICINGPLAN_WEB_PUBLIC = _flag("POLICINGPLAN_WEB_PUBLIC")
# The largest file a data load through the browser accepts, in bytes (web/loads/).
POLICINGPLAN_WEB_UPLOAD_MAX_BYTES = int(os.environ.get("POLICINGPLAN_WEB_UPLOAD_MAX_BYTES") or 200_000_000)
# The day the planning cycle's page counts from (YYYY-MM-DD): unset, the real date (web/cycle/).
POLICINGPLAN_CYCLE_TODAY = os.environ.get("POLICINGPLAN_CYCLE_TODAY") or None
POLICINGPLAN_CACHE_SECONDS = int(os.environ.get("POLICINGPLAN_WEB_CACHE_SECONDS", "300"))

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "policingplan.web.apps.WebConfig",
    "policingplan.web.editing.apps.EditingConfig",
    "policingplan.web.loads.apps.LoadsConfig",
    "policingplan.web.cycle.apps.CycleConfig",
    "policingplan.web.investment.apps.InvestmentConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "policingplan.web.security.ContentSecurityPolicyMiddleware",
    "policingplan.web.access.RoleAccessMiddleware",
    "policingplan.web.editing.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "policingplan.web.urls"
WSGI_APPLICATION = "policingplan.web.wsgi.application"

TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
        "policingplan.web.access.context",
    ]},
}]


def database(url: str, **options) -> dict:
    """The database a URL names; a one-line error naming ``DATABASE_URL`` (never its value,
    which may hold a password) when it is not a database URL."""
    try:
        return dj_database_url.parse(url, **options)
    except ValueError as exc:
        scheme = url.partition("://")[0] if "://" in url else ""
        reason = (f"its scheme {scheme!r} is not a database's" if isinstance(exc, dj_database_url.UnknownSchemeError)
                  else "it is not a URL (quote special characters in the password)")
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a database URL: {reason}; accepted: postgres://user:password@host:5432/name "
            "or sqlite:///path/to/file.sqlite3 (see docs/deployment.md)") from None


# A DATABASE_URL of nothing but spaces counts as not set: SQLite under .policingplan/.
DATABASES = {"default": database(
    policingplan_settings.environment("DATABASE_URL") or f"sqlite:///{(STATE_DIR / 'web.sqlite3').resolve()}",
    conn_max_age=60)}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

# Static files: the project's own, served by WhiteNoise straight from the app's folder (no CDN).
STATIC_URL = "/static/"
# collectstatic writes here only when asked: POLICINGPLAN_WEB_STATIC_ROOT (WhiteNoise serves the app's own folder).
STATIC_ROOT = os.environ.get("POLICINGPLAN_WEB_STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Sessions and cookies.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if _flag("POLICINGPLAN_WEB_HTTPS"):
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_FAILURE_VIEW = "policingplan.web.views.csrf_failure"

# Sign-in throttling (web/throttle.py): 5 failures for a username, or 20 from an address, in
# 15 minutes refuse that username or address for the rest of the 15 minutes.  The counts live
# in the default cache (this process's memory here; the database in production).
POLICINGPLAN_LOGIN_THROTTLE = {"per_username": 5, "per_address": 20, "window": 15 * 60}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
