"""The production settings (``policingplan.web.settings_production``, docs/deployment.md):
``check --deploy`` finds nothing, even at warning level, and a missing required variable
stops the application with one line that names it.

Each check runs Django's own command in a new process (the settings are read once per
process), in an empty folder, with only the variables the production settings need.  No
database is opened: ``check`` without ``--database`` does not connect.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

SETTINGS = "policingplan.web.settings_production"

#: A secret key of the kind docs/deployment.md says to make (64 random characters, not a real one).
KEY = "k3J9vQpX2mN8rT5wY7zB4cF6hL1sD0gA-aE_uI3oP9jK2nM5bV8xC7zQ4wR6tY1u"


@pytest.fixture
def web_settings():
    """These tests start processes of their own: no warehouse, no test database (this
    overrides the autouse fixture of tests/web/conftest.py)."""
    return None


def _environment(tmp_path: Path, **changes: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("POLICINGPLAN_", "DJANGO_")) and k != "DATABASE_URL"}
    env.update({
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "POLICINGPLAN_SECRET_KEY": KEY,
        "DATABASE_URL": "postgres://policingplan:not-a-password@db.invalid:5432/policingplan",
        "POLICINGPLAN_WEB_HOSTS": "plans.example.police.uk",
        "POLICINGPLAN_WEB_STATIC_ROOT": str(tmp_path / "static"),
    })
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _django(tmp_path: Path, *args: str, **changes: str | None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "django", *args], cwd=tmp_path, env=_environment(tmp_path, **changes),
        capture_output=True, text=True, timeout=120,
    )


def test_the_production_settings_pass_check_deploy_with_no_warnings(tmp_path: Path):
    done = _django(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout, done.stdout + done.stderr
    assert "WARNING" not in done.stderr.upper(), done.stderr


def test_the_production_settings_are_hardened(tmp_path: Path):
    code = ("from django.conf import settings as s; print(repr((s.DEBUG, s.ALLOWED_HOSTS, "
            "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
            "s.SECURE_PROXY_SSL_HEADER, s.X_FRAME_OPTIONS, s.SECURE_REFERRER_POLICY, "
            "s.SECURE_CONTENT_TYPE_NOSNIFF, s.STORAGES['staticfiles']['BACKEND'], "
            "s.DATABASES['default']['ENGINE'])))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=_environment(tmp_path),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == repr((
        False, ["plans.example.police.uk"], True, True, True, 31_536_000,
        ("HTTP_X_FORWARDED_PROTO", "https"), "DENY", "same-origin", True,
        "whitenoise.storage.CompressedManifestStaticFilesStorage", "django.db.backends.postgresql",
    ))


def test_debug_stays_off_whatever_the_environment_says(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.DEBUG)"], cwd=tmp_path,
        env=_environment(tmp_path, POLICINGPLAN_WEB_DEBUG="1"), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize("variable", ["POLICINGPLAN_SECRET_KEY", "DATABASE_URL", "POLICINGPLAN_WEB_HOSTS",
                                      "POLICINGPLAN_WEB_STATIC_ROOT"])
@pytest.mark.parametrize("missing", [None, "", "   "], ids=["unset", "empty", "spaces"])
def test_a_missing_required_variable_is_one_clear_line(tmp_path: Path, variable: str, missing):
    done = _django(tmp_path, "check", "--deploy", **{variable: missing})
    assert done.returncode != 0, done.stdout
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"django.core.exceptions.ImproperlyConfigured: {variable} is not set: "), done.stderr
    assert "docs/deployment.md" in last
    # One sentence, once: the error names the variable, and nothing else in the output complains.
    assert done.stderr.count(f"{variable} is not set") == 1, done.stderr


def test_a_missing_secret_key_is_never_replaced_by_a_generated_one(tmp_path: Path):
    """The base settings would make up a key (or read the development one); production must not."""
    (tmp_path / ".policingplan").mkdir()
    (tmp_path / ".policingplan" / "secret_key").write_text(KEY + "\n", encoding="utf-8")
    done = _django(tmp_path, "check", "--deploy", POLICINGPLAN_SECRET_KEY=None)
    assert done.returncode != 0
    assert "POLICINGPLAN_SECRET_KEY is not set" in done.stderr.strip().splitlines()[-1]


def test_opting_out_of_hsts_preload_is_a_deliberate_choice_that_check_deploy_accepts(tmp_path: Path):
    done = _django(tmp_path, "check", "--deploy", "--fail-level", "WARNING",
                   POLICINGPLAN_WEB_HSTS_PRELOAD="0", POLICINGPLAN_WEB_HSTS_SUBDOMAINS="0")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(2 silenced)" in done.stdout, done.stdout


def test_a_short_or_generated_looking_secret_key_is_refused(tmp_path: Path):
    for weak in ("short-key", "x" * 64, "django-insecure-" + KEY):
        done = _django(tmp_path, "check", POLICINGPLAN_SECRET_KEY=weak)
        assert done.returncode != 0
        last = done.stderr.strip().splitlines()[-1]
        assert last.startswith("django.core.exceptions.ImproperlyConfigured: POLICINGPLAN_SECRET_KEY is too weak"), last
        assert weak not in done.stderr  # the key is never shown


def test_a_database_url_that_is_not_one_is_one_clear_line_that_never_shows_the_password(tmp_path: Path):
    for url in ("postgress://planner:s3cret-Pa55@db.invalid/plans", "postgres://planner:s3cret-Pa55@db.invalid:99999999/x"):
        done = _django(tmp_path, "check", DATABASE_URL=url)
        assert done.returncode != 0
        last = done.stderr.strip().splitlines()[-1]
        assert last.startswith("django.core.exceptions.ImproperlyConfigured: DATABASE_URL is not a database URL: "), last
        assert "s3cret-Pa55" not in done.stderr


def _base_settings(tmp_path: Path, code: str, **changes: str | None) -> str:
    env = _environment(tmp_path, DJANGO_SETTINGS_MODULE="policingplan.web.settings", **changes)
    done = subprocess.run([sys.executable, "-c", "from django.conf import settings as s; " + code], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_in_the_base_settings_a_blank_database_url_or_secret_key_counts_as_not_set(tmp_path: Path):
    """Found by fuzzing the environment: ``DATABASE_URL=" "`` stopped the application with
    dj-database-url's error about a scheme ``://``; a key of spaces was used as the key."""
    engine = _base_settings(tmp_path, "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'])",
                            DATABASE_URL="   ", POLICINGPLAN_SECRET_KEY="  ")
    assert engine == f"django.db.backends.sqlite3 {(tmp_path / '.policingplan' / 'web.sqlite3').resolve()}"
    key = _base_settings(tmp_path, "print(repr(s.SECRET_KEY))", POLICINGPLAN_SECRET_KEY="  ")
    assert len(ast.literal_eval(key)) == 50 and ast.literal_eval(key).strip() == ast.literal_eval(key)
    spaced = _base_settings(tmp_path, "print(s.DATABASES['default']['HOST'])",
                            DATABASE_URL="  postgres://policingplan@db.invalid:5432/policingplan  ")
    assert spaced == "db.invalid"


def test_production_shares_the_sign_in_counts_and_sends_the_content_security_policy(tmp_path: Path):
    code = ("from django.conf import settings as s; print(repr((s.CACHES['default']['BACKEND'], "
            "s.POLICINGPLAN_LOGIN_THROTTLE_PROXY, 'policingplan.web.security.ContentSecurityPolicyMiddleware' "
            "in s.MIDDLEWARE, s.AUTH_PASSWORD_VALIDATORS[1]['OPTIONS']['min_length'])))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=_environment(tmp_path),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == repr(("django.core.cache.backends.db.DatabaseCache", True, True, 12))
