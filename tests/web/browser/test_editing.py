"""The performance team edits a target with a reason in a real chromium, and sees the edit in the audit log."""

from __future__ import annotations

import re


def test_the_performance_team_edits_a_target_and_sees_it_in_the_audit_log(sign_in, server):
    page = sign_in("performance")
    page.goto(server("/versions/"))
    start = page.get_by_role("link", name=re.compile(r"^Start a new draft"))
    if start.count():
        start.click()
        page.get_by_label("Reason").fill("The 2024 refresh of the plan")
        page.get_by_role("button", name=re.compile(r"^Start a new draft")).click()
    else:
        page.get_by_role("link", name="change its targets").click()
    assert re.search(r"/versions/\d+/", page.url)
    assert "Draft" in page.locator("main h1").inner_text()

    page.get_by_role("link", name="Change the target for Lambeth").first.click()
    assert page.locator("main h1").inner_text() == "Change the target"
    assert "Neighbourhood crime in Lambeth, 2023/24" in page.locator(".lead").inner_text()
    page.get_by_label("The target").fill("-4")
    page.get_by_role("button", name="Save the change").click()  # no reason: refused, the summary links to the field
    summary = page.locator(".error-summary")
    assert "Enter the reason for this change" in summary.inner_text()
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "reason"
    page.get_by_label("Reason").fill("Agreed with the borough commander at the March meeting")
    page.get_by_role("button", name="Save the change").click()
    assert "The target was changed" in page.locator(".notice").inner_text()

    page.goto(server("/audit/"))
    first = page.locator("table.table--audit tbody tr").first
    assert "Neighbourhood crime in Lambeth, 2023/24: value -3.1% to -4.0%" in first.inner_text()
    assert "Agreed with the borough commander at the March meeting" in first.inner_text()
    assert "performance" in first.inner_text()
