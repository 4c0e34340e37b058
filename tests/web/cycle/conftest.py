"""Fixtures of the planning cycle's tests: the folders of the plan versions shown go to a temporary folder,
and "today" is unset unless a test sets it."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def cycle_settings(web_settings, tmp_path_factory, monkeypatch):
    from policingplan.web import figures, shown

    web_settings.POLICINGPLAN_WEB_PLANS = str(tmp_path_factory.getbasetemp() / "web-plans")
    web_settings.POLICINGPLAN_CYCLE_TODAY = None
    monkeypatch.delenv("POLICINGPLAN_CYCLE_TODAY", raising=False)
    shown.forget()
    figures.clear()
    yield web_settings
    shown.forget()
    figures.clear()


@pytest.fixture
def commander(make_user):
    return make_user("commander", "lambeth")


@pytest.fixture
def performance(make_user):
    return make_user("performance")


@pytest.fixture
def draft(db, performance):
    """A draft of the plan shown (plan editing's), started from its published version."""
    from policingplan.web.editing import store

    return store.start_draft(store.ensure_imported(), user=performance, reason="the cycle's tests need a draft")
