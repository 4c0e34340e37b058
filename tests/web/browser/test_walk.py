"""Each role signs in and walks the main pages in a real chromium; the keyboard reaches the main links with
a visible focus; at 375 px wide no page scrolls sideways."""

from __future__ import annotations

import pytest

from .conftest import ACCOUNTS, MEASURE, OTHER, OWN

#: The main pages, and the heading each opens with (a function of the plan shown).
PAGES = {
    "dashboard": ("/", lambda plan: "Corporate dashboard"),
    "plan": ("/plan/", lambda plan: plan.name),
    "borough": (f"/boroughs/{OWN}/", lambda plan: "Lambeth"),
    "measure": (f"/measures/{MEASURE}/", lambda plan: next(m.name for m in plan.measures if m.id == MEASURE)),
    "borough measure": (f"/boroughs/{OWN}/measures/{MEASURE}/",
                        lambda plan: next(m.name for m in plan.measures if m.id == MEASURE)),
    "documents": ("/documents/", lambda plan: "Published documents"),
}
REFUSED = "You cannot see this page"


def heading(page) -> str:
    return " ".join(page.locator("main h1").inner_text().split())


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_each_role_signs_in_and_walks_the_main_pages(sign_in, server, shown_plan, role):
    page = sign_in(role, fresh=True)  # through the sign-in form
    assert ACCOUNTS[role] in page.locator(".header__user").inner_text()
    for name, (path, expected) in PAGES.items():
        response = page.goto(server(path))
        assert response.status == 200, f"{name} ({path}) as {role}: {response.status}"
        assert heading(page).startswith(expected(shown_plan)), f"{name} ({path}) as {role}: {heading(page)!r}"
        assert page.title().endswith("Policing plan"), page.title()
    # The letters: a commander sees and downloads their own borough's only; everyone else, every borough's.
    page.goto(server("/documents/"))
    letters = page.locator("a[href^='/documents/letters/']")
    assert letters.count() == (1 if role == "commander" else len(shown_plan.units))
    own = page.request.get(server(f"/documents/letters/{OWN}.pdf"))
    assert own.status == 200 and own.headers["content-type"] == "application/pdf" and own.body()[:5] == b"%PDF-"
    other = page.request.get(server(f"/documents/letters/{OTHER}.pdf"))
    response = page.goto(server(f"/boroughs/{OTHER}/"))
    if role == "commander":
        assert other.status == 403
        assert response.status == 403 and heading(page) == REFUSED
        assert page.goto(server(f"/boroughs/{OTHER}/measures/{MEASURE}/")).status == 403
        assert page.locator(f"a[href='/boroughs/{OTHER}/']").count() == 0
    else:
        assert other.status == 200
        assert response.status == 200 and heading(page) == "Westminster"


def test_a_document_downloads_from_its_link(sign_in):
    page = sign_in("viewer")
    page.goto(page.url + "documents/")
    with page.expect_download() as download:
        page.locator("a[href='/documents/plan.pdf']").click()
    assert download.value.suggested_filename == "london-2023-24-v1.0-plan.pdf"


def _focused(page) -> dict:
    """What has the keyboard focus, how it looks focused, and how it looks when it is not."""
    return page.evaluate("""() => {
        const el = document.activeElement;
        const look = () => { const s = getComputedStyle(el);
            return {outline: s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor,
                    background: s.backgroundColor, shadow: s.boxShadow, colour: s.color}; };
        const box = el.getBoundingClientRect();
        const focused = look();
        el.blur();
        const plain = look();
        el.focus();
        return {tag: el.tagName, text: (el.innerText || el.value || '').trim(), href: el.getAttribute('href'),
                focused, plain, visible: box.width > 0 && box.height > 0 && box.bottom > 0
                && box.right > 0 && box.left < window.innerWidth};
    }""")


def test_tab_reaches_the_main_links_with_a_visible_focus(sign_in):
    page = sign_in("commander")
    page.goto(page.url)  # the dashboard
    page.locator("body").focus()
    reached = []
    for _ in range(20):
        page.keyboard.press("Tab")
        focused = _focused(page)
        reached.append(focused["text"])
        assert focused["visible"], f"{focused['text']!r} has the focus but cannot be seen: {focused}"
        assert focused["focused"] != focused["plain"], f"{focused['text']!r} looks the same with and without focus"
        if focused["text"] == "Sign out":
            break
    for wanted in ("Skip to main content", "Policing plan", "Dashboard", "The plan", "Your borough", "Sign out"):
        assert wanted in reached, f"Tab did not reach {wanted!r}; it reached {reached}"
    assert reached[0] == "Skip to main content", reached
    # The skip link takes the keyboard past the header, to the page's content.
    page.goto(page.url)
    page.locator("body").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null"), "the next Tab is not in the content"


@pytest.mark.parametrize("role", ["viewer", "commander"])
def test_no_main_page_scrolls_sideways_at_375_px(sign_in, server, role):
    page = sign_in(role, width=375)
    wide = {}
    for name, (path, _) in PAGES.items():
        page.goto(server(path))
        widths = page.evaluate("""() => ({page: document.documentElement.scrollWidth, body: document.body.scrollWidth,
                                          window: document.documentElement.clientWidth})""")
        if max(widths["page"], widths["body"]) > widths["window"]:
            culprits = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(el => {
                    const r = el.getBoundingClientRect();
                    return r.right > document.documentElement.clientWidth + 1 && !el.closest('.chart__scroll');
                }).slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))""")
            wide[name] = (widths, culprits)
    assert not wide, f"pages wider than 375 px (their body scrolls sideways): {wide}"
