"""The what-if in a real chromium: typing a figure updates the sum and the table in place (htmx, served from
the project's own static files), announces the sum to screen readers, and leaves the page and the focus where
they were; without JavaScript the same form still works by its button."""

from __future__ import annotations

import re

from policingplan.formatting import fmt_int

from .conftest import MEASURE
from .test_accessibility import IMPACTS, axe_violations, describe

URL = f"/targets/{MEASURE}/"


def _expected(plan_dir, reduction: float):
    from policingplan.services.plan import load
    from policingplan.services.target_setting import what_if_target_setting

    return what_if_target_setting(load(plan_dir), MEASURE, method="stretch", reduction=reduction)


def _wait_for(page, selector: str, text: str) -> None:
    page.locator(selector).filter(has_text=text).wait_for(timeout=60_000)


def test_typing_a_corporate_reduction_updates_the_sum_without_a_page_load(sign_in, server):
    page = sign_in("performance")
    scripts = []
    page.on("request", lambda request: scripts.append(request.url) if request.resource_type == "script" else None)
    page.goto(server(URL))
    page.evaluate("() => { window.notReloaded = true; }")  # gone if the page loads again
    expected = _expected(server.plan_dir, 0.09)
    total, required = fmt_int(expected.target_total), fmt_int(expected.required_total)
    assert total not in page.locator("#verdict").inner_text()

    page.locator("#reduction").fill("")
    page.locator("#reduction").press_sequentially("9", delay=50)
    _wait_for(page, "#what-if-status", f"add up to {total} against at most {required}")

    assert page.evaluate("() => window.notReloaded === true"), "the page was loaded again"
    assert page.evaluate("() => document.activeElement.id") == "reduction"  # the focus stays in the field
    verdict = " ".join(page.locator("#verdict").inner_text().split())
    assert f"They add up to {total} crimes" in verdict and f"at most {required}" in verdict
    assert page.locator("h1").inner_text().startswith("What if:")
    # each borough's target and reason in the updated table
    table = page.locator("#what-if-table table")
    for unit in expected.units[:5]:
        row = table.locator("tbody tr").filter(has_text=unit.name or unit.unit).first
        assert fmt_int(unit.target) in row.inner_text() and unit.reason in row.inner_text()
    assert page.locator("#what-if-status").get_attribute("aria-live") == "polite"
    # the address is the form's own, so the result can be shared
    assert re.search(r"[?&]reduction=9(&|$)", page.url)
    # htmx came from this site only
    assert any(url.endswith("/static/policingplan/vendor/htmx.min.js") for url in scripts)
    assert all(url.startswith(server.url) for url in scripts), scripts

    # a mistake is shown at once, in the summary that links to the field, and announced
    page.locator("#reduction").press_sequentially("x", delay=50)
    _wait_for(page, "#what-if-status", "There is a problem")
    link = page.locator("#what-if-errors a[href='#reduction']")
    assert "Enter the corporate reduction as a percentage" in link.inner_text()
    assert page.evaluate("() => window.notReloaded === true")

    page.locator("#reduction").fill("9")
    page.locator("#reduction").dispatch_event("input")
    _wait_for(page, "#what-if-status", f"add up to {total}")
    found = axe_violations(page)
    serious = [v for v in found if v["impact"] in IMPACTS]
    assert not serious, describe({"the what-if, updated": serious})


def test_without_javascript_the_button_shows_the_same_sum(browser, server, sign_in):
    page = sign_in("performance")
    state = page.context.storage_state()
    context = browser.new_context(java_script_enabled=False, storage_state=state, locale="en-GB")
    try:
        plain = context.new_page()
        plain.goto(server(URL))
        plain.locator("#reduction").fill("9")
        with plain.expect_navigation():
            plain.locator("form.what-if button[type=submit]").first.click()
        expected = _expected(server.plan_dir, 0.09)
        verdict = " ".join(plain.locator("#verdict").inner_text().split())
        assert f"They add up to {fmt_int(expected.target_total)} crimes" in verdict
    finally:
        context.close()
