"""The portfolio's pages show the London 2007/08 plan: the example that carries a portfolio.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

PORTFOLIO_EXAMPLE = "london-2007-08"


@pytest.fixture
def portfolio_plan_dir(project_root: Path) -> Path:
    return project_root / "examples" / PORTFOLIO_EXAMPLE


@pytest.fixture(autouse=True)
def shows_portfolio_plan(web_settings, portfolio_plan_dir, tmp_path_factory):
    """The application shows the 2007/08 plan (the warehouse stays the web suite's); the folders of the
    versions shown are written to a temporary folder."""
    from policingplan.web import figures, shown

    web_settings.POLICINGPLAN_PLAN_DIR = str(portfolio_plan_dir)
    web_settings.POLICINGPLAN_WEB_PLANS = str(tmp_path_factory.mktemp("plans"))
    shown.forget()
    figures.clear()
    yield web_settings
    figures.clear()


@pytest.fixture
def plan_without_portfolio(web_plan_dir: Path, tmp_path: Path) -> Path:
    """A copy of the web suite's plan (the 2023/24 example) without its portfolio.yaml: a plan that has none."""
    folder = tmp_path / "without-portfolio" / web_plan_dir.name
    shutil.copytree(web_plan_dir, folder, ignore=shutil.ignore_patterns("portfolio.yaml"))
    return folder
