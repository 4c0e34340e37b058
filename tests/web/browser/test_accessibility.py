"""axe-core on every main page, in a real chromium: no serious or critical violation of WCAG 2.x A or AA.

axe-core is vendored (tests/web/browser/vendor/axe.min.js, with its licence; its version is in
vendor/README.md), so the tests need no network. Each page is checked at desktop width, and the main ones again at 375 px.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import MEASURE, OWN

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
#: WCAG 2.0, 2.1 and 2.2, levels A and AA.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
IMPACTS = ("serious", "critical")
#: The main pages, and who opens each (the sign-in page is seen signed out).
PAGES = {
    "sign in": (None, "/accounts/login/"),
    "dashboard": ("viewer", "/"),
    "plan": ("viewer", "/plan/"),
    "borough": ("commander", f"/boroughs/{OWN}/"),
    "measure": ("viewer", f"/measures/{MEASURE}/"),
    "borough measure": ("commander", f"/boroughs/{OWN}/measures/{MEASURE}/"),
    "documents": ("viewer", "/documents/"),
    "refused": ("commander", "/boroughs/westminster/"),
    "target setting": ("performance", "/targets/"),
    "allocation and what-if": ("performance", f"/targets/{MEASURE}/"),
    "requirement": ("viewer", "/requirement/"),
    "partners": ("viewer", "/partners/"),
    "versions": ("performance", "/versions/"),
    "a version": ("performance", "/versions/1/"),
    "audit log": ("performance", "/audit/"),
    "planning cycle": ("performance", "/cycle/"),
    "proposals": ("commander", f"/boroughs/{OWN}/proposals/"),
    "commentary": ("commander", f"/boroughs/{OWN}/commentary/"),
    "data loads": ("performance", "/data/"),
    "portfolio": ("investment", "/portfolio/"),
}
#: The pages checked again at 375 px, where tables become one block per row and the header wraps.
NARROW = ("sign in", "dashboard", "borough", "measure", "documents", "allocation and what-if", "a version",
          "audit log", "planning cycle", "data loads")


def axe_violations(page) -> list[dict]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("""async (tags) => {
        const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), impact: n.impact, summary: n.failureSummary}))}));
    }""", TAGS)
    return result


def describe(found: dict[str, list[dict]]) -> str:
    lines = []
    for where, violations in found.items():
        for v in violations:
            lines.append(f"{where}: {v['id']} ({v['impact']}): {v['help']}")
            lines += [f"    {n['target']}: {(n['summary'] or '').splitlines()[-1].strip()}" for n in v["nodes"][:5]]
    return "\n".join(lines)


def test_axe_core_is_vendored_with_its_licence():
    assert AXE.read_text(encoding="utf-8").startswith("/*! axe v4.")
    assert (AXE.parent / "LICENSE").is_file() and "Mozilla Public License" in (AXE.parent / "LICENSE").read_text()


@pytest.mark.parametrize("width", [1280, 375])
def test_no_main_page_has_a_serious_or_critical_accessibility_violation(sign_in, server, width):
    signed_in: dict = {}
    found = {}
    for name, (role, path) in PAGES.items():
        if width < 641 and name not in NARROW:
            continue
        if role not in signed_in:
            signed_in[role] = sign_in(role, width=width)
        page = signed_in[role]
        response = page.goto(server(path))
        assert response.status in (200, 403), f"{name}: {response.status}"
        serious = [v for v in axe_violations(page) if v["impact"] in IMPACTS]
        if serious:
            found[f"{name} ({path}, {width} px)"] = serious
    assert not found, "axe-core found serious or critical violations:\n" + describe(found)
