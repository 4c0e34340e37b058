"""A real server and a real browser for the browser tests (Playwright for Python on Debian's chromium).

Each pytest worker (xdist) starts the application the way a user does, ``python -m policingplan.web
serve``, on a free port of its own, showing the London 2023/24 example from the loaded warehouse
(tests/web/conftest.py), with a database of its own holding the demo accounts; and one headless
chromium. Nothing is downloaded: the browser is the system's (``/usr/bin/chromium``, or
``$POLICINGPLAN_CHROMIUM``), never one from ``playwright install``. Without it the tests FAIL,
saying what to install; they are never skipped.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("POLICINGPLAN_CHROMIUM", "/usr/bin/chromium")
#: The demo accounts the tests sign in as: one per role (a commander of Lambeth).
ACCOUNTS = {"viewer": "member", "commander": "commander-lambeth", "performance": "performance",
            "investment": "investment", "administrator": "admin"}
OWN, OTHER = "lambeth", "westminster"
MEASURE = "neighbourhood-crime"


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: runs in a real chromium against a live server (tests/web/browser)")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            # With ``pytest -n 2 --dist loadgroup`` every browser test runs on one worker: one server, one browser.
            item.add_marker(pytest.mark.xdist_group("browser"))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, url: str, password: str, plan_dir: Path):
        self.url, self.password, self.plan_dir = url, password, plan_dir

    def __call__(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="session")
def server(web_plan_dir, web_warehouse, tmp_path_factory):
    """``python -m policingplan.web serve`` on a free port, with the demo accounts made (one password for all)."""
    folder = tmp_path_factory.mktemp("web-server")
    password = "browser-" + secrets.token_urlsafe(12)
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "policingplan.web.settings",
        "POLICINGPLAN_WEB_PLAN": str(web_plan_dir),
        "POLICINGPLAN_WAREHOUSE": str(web_warehouse),
        "DATABASE_URL": f"sqlite:///{folder / 'web.sqlite3'}",
        "POLICINGPLAN_SECRET_KEY": secrets.token_urlsafe(40),
        "POLICINGPLAN_DEMO_PASSWORD": password,
        "POLICINGPLAN_WEB_HOSTS": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
    })
    for name in ("POLICINGPLAN_WEB_DEBUG", "POLICINGPLAN_WEB_HTTPS"):
        env.pop(name, None)
    made = subprocess.run([sys.executable, "-m", "policingplan.web", "create_demo_accounts"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, f"create_demo_accounts failed:\n{made.stdout}\n{made.stderr}"
    last_error = ""
    for _ in range(3):  # the port is free when chosen; another program may take it before the server does
        port = _free_port()
        log = open(folder / f"server-{port}.log", "w+", encoding="utf-8")
        process = subprocess.Popen([sys.executable, "-m", "policingplan.web", "serve", "--host", "127.0.0.1",
                                    "--port", str(port)], cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(url + "/accounts/login/", timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        else:
            process.kill()
            process.wait()
            log.seek(0)
            last_error = log.read()
            log.close()
            continue
        try:
            yield Server(url, password, web_plan_dir)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
        return
    pytest.fail(f"The web server did not start:\n{last_error[-3000:]}")


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the worker: Debian's, never a downloaded one."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright for Python is not installed: install the test extra "
                    "(pip install -c constraints.txt -e '.[test]'). Never run `playwright install`: "
                    "the tests use Debian's chromium.")
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)) and not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium was not found at {CHROMIUM}. The browser tests run in Debian's chromium: install it "
                    "with `sudo apt-get install chromium` (CI's .ci/run installs it), or set POLICINGPLAN_CHROMIUM "
                    "to a chromium program. Never run `playwright install`.")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def _signed_in_state() -> dict:
    """Each role's cookies once it has signed in through the form, so that later pages need not sign in again."""
    return {}


def sign_in_with_the_form(page, server, role: str) -> None:
    """Sign in as ``role``'s demo account through the sign-in page, as a person does."""
    page.goto(server("/accounts/login/"))
    page.fill("#id_username", ACCOUNTS[role])
    page.fill("#id_password", server.password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url == server("/"), f"{ACCOUNTS[role]} was not signed in: {page.url}"


@pytest.fixture
def sign_in(browser, server, _signed_in_state):
    """``sign_in("viewer", width=375)``: a new browser page signed in as that role's demo account (``None``: signed
    out); ``fresh=True`` signs in through the form even when the role has signed in before."""
    contexts = []

    def open_page(role: str | None, width: int = 1280, fresh: bool = False):
        state = None if fresh or role is None else _signed_in_state.get(role)
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB",
                                      bypass_csp=True, accept_downloads=True, storage_state=state)
        context.set_default_timeout(30_000)
        # A page's first view makes its figures (a measure page's forecast fan runs a forecast per month):
        # seconds on a quiet machine, more on a busy CI runner; a navigation may take up to two minutes.
        context.set_default_navigation_timeout(120_000)
        contexts.append(context)
        page = context.new_page()
        if role is not None and state is None:
            sign_in_with_the_form(page, server, role)
            _signed_in_state[role] = context.storage_state()
        elif role is not None:
            page.goto(server("/"))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def shown_plan(web_plan_dir):
    from policingplan.services.plan import show

    return show(web_plan_dir)
