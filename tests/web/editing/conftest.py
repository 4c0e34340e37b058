"""Fixtures of the plan editing tests: the folders of the versions shown go to a temporary folder."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def editing_settings(web_settings, tmp_path_factory):
    from policingplan.web import figures, shown

    web_settings.POLICINGPLAN_WEB_PLANS = str(tmp_path_factory.getbasetemp() / "web-plans")
    shown.forget()
    figures.clear()
    yield web_settings
    shown.forget()
    figures.clear()


@pytest.fixture
def performance(make_user):
    return make_user("performance")


@pytest.fixture
def published(db):
    from policingplan.web.editing import store

    return store.ensure_imported()


@pytest.fixture
def draft(published, performance):
    from policingplan.web.editing import store

    return store.start_draft(published, user=performance, reason="the 2024 refresh of the plan")
