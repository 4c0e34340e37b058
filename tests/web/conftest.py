"""Fixtures for the web application's tests (pytest-django; DJANGO_SETTINGS_MODULE is set in pyproject.toml).

The London 2023/24 example is loaded once per test session into a warehouse of its own, as
tests/monitor/conftest.py does, and the application is pointed at it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policingplan.web import roles

EXAMPLE = "london-2023-24"


@pytest.fixture(scope="session")
def web_plan_dir(project_root: Path) -> Path:
    return project_root / "examples" / EXAMPLE


@pytest.fixture(scope="session")
def web_warehouse(web_plan_dir: Path, data_dir: Path, tmp_path_factory) -> Path:
    """The example's data, loaded into a new warehouse (a few seconds, once per worker)."""
    from policingplan.data.files import plan_data_files
    from policingplan.data.warehouse import Warehouse
    from policingplan.plan.io import load_plan

    plan = load_plan(web_plan_dir)
    directory = tmp_path_factory.mktemp("web-warehouse")
    report = Warehouse(directory).load_files([(kind, path) for kind, _, path in plan_data_files(plan, data_dir)])
    assert report.ok, [str(p) for p in report.problems]
    return directory


@pytest.fixture(autouse=True)
def web_settings(settings, web_plan_dir, web_warehouse):
    """The application shows the example from the loaded warehouse; passwords hash fast."""
    settings.POLICINGPLAN_PLAN_DIR = str(web_plan_dir)
    settings.POLICINGPLAN_WAREHOUSE = str(web_warehouse)
    settings.POLICINGPLAN_CACHE_SECONDS = 3600
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache: the sign-in throttle's counts live there."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db):
    """A user with one role (and, for a commander, a borough): ``make_user("commander", "lambeth")``."""
    from django.contrib.auth.models import Group, User

    def make(role: str | None, borough: str | None = None) -> User:
        name = f"{role or 'nobody'}-{borough or 'all'}"
        user = User.objects.create_user(username=name, password="a-test-password-1")
        if role:
            user.groups.add(Group.objects.get_or_create(name=role)[0])
        if borough:
            user.groups.add(Group.objects.get_or_create(name=roles.BOROUGH_GROUP_PREFIX + borough)[0])
        return user

    return make
