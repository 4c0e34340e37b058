"""CSV and XLSX downloads of the newer tables: the audit log, the plan versions, the proposals, what is
outstanding in the planning cycle, and the portfolio's business cases and benefits.

Each is written by the same code as the dashboard's download (:mod:`policingplan.web.downloads`): the CSV has
a header of column ids, the rows, and (where the figures come from data) a blank row and the attribution; the
XLSX has the same rows under a frozen header, and a sheet "About these figures".  Each download's rows are
the page's table: the tests read both, and compare them.
"""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse

from policingplan.web.cycle.models import Proposal

pytestmark = pytest.mark.django_db

MEASURE = "neighbourhood-crime"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def plans_in_tmp(web_settings, tmp_path_factory, monkeypatch):
    """The folders of the versions shown go to a temporary folder; the cycle's "today" is unset."""
    from policingplan.web import figures, shown

    web_settings.POLICINGPLAN_WEB_PLANS = str(tmp_path_factory.mktemp("web-plans"))
    web_settings.POLICINGPLAN_CYCLE_TODAY = None
    monkeypatch.delenv("POLICINGPLAN_CYCLE_TODAY", raising=False)
    shown.forget()
    figures.clear()
    yield web_settings
    shown.forget()
    figures.clear()


@pytest.fixture
def portfolio_plan(web_settings, project_root: Path):
    """The 2007/08 example, which has a portfolio, as the plan shown."""
    from policingplan.web import figures, shown

    web_settings.POLICINGPLAN_PLAN_DIR = str(project_root / "examples" / "london-2007-08")
    shown.forget()
    figures.clear()
    return web_settings


def text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()


def row_headers(page: str) -> list[str]:
    """The text of each row's header cell (``<th scope="row">``) of the page's tables, in order."""
    return [text(m) for m in re.findall(r'<th scope="row"[^>]*>(.*?)</th>', page, flags=re.S)]


def read_csv(response, filename: str) -> tuple[list[str], list[dict], list[str]]:
    """The CSV's header, its rows (dicts by column id) and the attribution after the blank row."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    header, rest = lines[0], lines[1:]
    end = rest.index([]) if [] in rest else len(rest)
    rows = [dict(zip(header, line)) for line in rest[:end]]
    assert all(len(line) == len(header) for line in rest[:end])
    return header, rows, [line[0] for line in rest[end + 1:]]


def read_xlsx(response, filename: str):
    """The workbook's table (headings, rows) and its "About these figures" text, checked for a frozen header."""
    import openpyxl

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[1] == "About these figures"
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    values = list(sheet.iter_rows(values_only=True))
    about = "\n".join(str(r[0]) for r in book["About these figures"].iter_rows(values_only=True) if r[0])
    return list(values[0]), [list(r) for r in values[1:]], about, sheet


def both(client, name: str, stem: str, query: str = ""):
    csv_part = read_csv(client.get(reverse(f"{name}-csv") + query), f"{stem}.csv")
    xlsx_part = read_xlsx(client.get(reverse(f"{name}-xlsx") + query), f"{stem}.xlsx")
    # The same rows in both: as many, and each text cell the same (the XLSX shows codes in words).
    assert len(xlsx_part[1]) == len(csv_part[1])
    return csv_part, xlsx_part


def links_on(page: str, name: str) -> bool:
    return f'href="{reverse(name + "-csv")}' in page and f'href="{reverse(name + "-xlsx")}' in page


# --- the audit log ----------------------------------------------------------------------------------


def test_the_audit_log_downloads_as_csv_and_xlsx_with_the_pages_filters(client, make_user):
    from policingplan.web import audit
    from policingplan.web.editing import store

    team = make_user("performance")
    store.ensure_imported()
    for n in range(3):
        audit.record(None, "data.load", f"load {n}", "monthly data", object_type="dataset", object_id=f"d{n}")
    client.force_login(team)
    page = client.get(reverse("audit") + "?action=data.load").content.decode()
    assert 'href="/audit.csv?action=data.load"' in page and 'href="/audit.xlsx?action=data.load"' in page
    shown = [text(m) for m in re.findall(r'<td data-label="What">(.*?)</td>', page, flags=re.S)]
    (header, rows, attribution), (headings, cells, about, _) = both(client, "audit", "audit-log",
                                                                     "?action=data.load")
    assert header[:5] == ["when", "who", "action", "what", "why"] and attribution == []
    assert [r["what"] for r in rows] == shown == ["load 2", "load 1", "load 0"]
    assert {r["action"] for r in rows} == {"data.load"}
    assert headings[:5] == ["When", "Who", "Action", "What", "Why"]
    assert [c[3] for c in cells] == shown and "filtered: action data.load" in about
    # Without the filter, the import of the plan is there too.
    _, every, _ = read_csv(client.get(reverse("audit-csv")), "audit-log.csv")
    assert len(every) == 4 and every[-1]["action"] == "version.import"


def test_a_commander_downloads_only_the_audit_entries_about_their_own_borough(client, make_user):
    from policingplan.web.editing import store

    draft = store.start_draft(store.ensure_imported(), user=make_user("performance"), reason="the refresh")
    lambeth, westminster = "E09000022", "E09000033"
    targets = {t.scope: t for t in store.plan_of(draft)[0].targets if t.measure == MEASURE}
    for unit, why in ((lambeth, "the proposal of Lambeth"), (westminster, "the proposal of Westminster")):
        store.edit_target(draft, MEASURE, unit, targets[unit].period, changes={"value": -0.04},
                          seen={"value": targets[unit].value}, user=None, reason=why)
    client.force_login(make_user("commander", "lambeth"))
    (_, rows, _), (_, cells, _, _) = both(client, "audit", "audit-log")
    assert [r["why"] for r in rows] == ["the proposal of Lambeth"] and cells[0][4] == "the proposal of Lambeth"


# --- the plan versions ------------------------------------------------------------------------------


def test_the_versions_list_downloads_with_the_pages_rows(client, make_user):
    from policingplan.web.editing import store

    team = make_user("performance")
    published = store.ensure_imported()
    draft = store.start_draft(published, user=team, reason="the refresh")
    client.force_login(make_user("viewer"))
    page = client.get(reverse("versions")).content.decode()
    assert links_on(page, "versions")
    shown = [re.sub(r" \(shown\)$", "", h) for h in row_headers(page)]
    plan_id = published.plan_id
    (header, rows, attribution), (headings, cells, about, sheet) = both(client, "versions", f"{plan_id}-versions")
    assert [f"Version {r['version']}" for r in rows] == shown == [f"Version {draft.label}",
                                                                   f"Version {published.label}"]
    assert [r["status"] for r in rows] == ["draft", "published"] and attribution == []
    assert [r["shown"] for r in rows] == ["False", "True"] and rows[0]["parent"] == published.label
    assert rows[0]["started_by"] == team.username and rows[1]["parent"] == ""
    assert headings[:3] == ["Version", "Status", "Shown"]
    assert [c[1] for c in cells] == ["Draft", "Published"] and [c[2] for c in cells] == ["No", "Yes"]
    assert "Every version of the plan" in about


# --- the planning cycle -----------------------------------------------------------------------------


def propose(client, borough: str, change: str = "6"):
    response = client.post(reverse("borough-propose", args=[borough, MEASURE]),
                           {"change": change, "reason": f"{borough} agreed {change}%."})
    assert response.status_code == 302


def test_the_proposals_download_is_the_pages_table_and_a_commander_gets_only_their_own(client, make_user):
    client.force_login(make_user("commander", "westminster"))
    propose(client, "westminster", "7")
    lambeth = make_user("commander", "lambeth")
    client.force_login(lambeth)
    propose(client, "lambeth", "6")
    client.force_login(make_user("performance"))
    page = client.get(reverse("cycle-proposals")).content.decode()
    assert links_on(page, "cycle-proposals")
    shown = row_headers(page)
    (header, rows, attribution), (headings, cells, about, sheet) = both(client, "cycle-proposals",
                                                                         "london-2023-24-proposals")
    assert [f"{r['unit_name']} {r['measure_name']}, {r['period']}" for r in rows] == shown
    assert [r["unit_name"] for r in rows] == ["Lambeth", "Westminster"]
    assert [float(r["proposed"]) for r in rows] == [-0.06, -0.07]
    assert rows[0]["proposed_words"].startswith("6.0% fewer than") and rows[0]["status"] == "open"
    assert attribution and attribution[0]  # the baselines come from the data
    assert [c[2] for c in cells] == ["Lambeth", "Westminster"] and cells[0][11] == "Open"
    assert sheet.cell(row=2, column=7).number_format == "0.0%" and cells[0][6] == -0.06
    assert "Attribution" in about
    # A commander gets their own borough's only, as the page shows them.
    client.force_login(lambeth)
    assert "Westminster" not in text(client.get(reverse("cycle-proposals")).content.decode())
    (_, mine, _), (_, my_cells, _, _) = both(client, "cycle-proposals", "london-2023-24-proposals")
    assert [r["unit_name"] for r in mine] == ["Lambeth"] and [c[2] for c in my_cells] == ["Lambeth"]
    assert Proposal.objects.count() == 2


def test_what_is_outstanding_downloads_section_by_section_as_the_cycle_page_lists_it(
        client, make_user, settings, project_root):
    settings.POLICINGPLAN_PLAN_DIR = str(project_root / "examples" / "london-2007-08")
    client.force_login(make_user("viewer"))
    page = client.get(reverse("cycle")).content.decode()
    assert links_on(page, "cycle-outstanding")
    listed = [text(m) for m in re.findall(r'<li class="cycle-item"><strong>(.*?)</strong>', page, flags=re.S)]
    (header, rows, attribution), (headings, cells, about, _) = both(client, "cycle-outstanding",
                                                                     "london-2007-08-cycle-outstanding")
    assert [r["name"] for r in rows] == listed and len(rows) >= 6
    assert [r["kind"] for r in rows if r["kind"] == "measures"] and len([r for r in rows
                                                                          if r["kind"] == "measures"]) == 5
    case = next(r for r in rows if r["kind"] == "cases")
    assert case["item"] == "bc-cf-call-handling" and case["name"] == "Call handling improvements for first contact"
    assert case["due"] and case["milestone"]
    assert [c[3] for c in cells] == listed and headings[1] == "What is outstanding"
    assert attribution == [] and "checked against" in about


def test_the_cycle_downloads_answer_every_signed_in_role(client, make_user):
    for role, borough in (("viewer", None), ("commander", "lambeth"), ("investment", None),
                          ("administrator", None)):
        client.force_login(make_user(role, borough))
        for name in ("cycle-outstanding-csv", "cycle-proposals-xlsx", "versions-csv", "audit-xlsx"):
            assert client.get(reverse(name)).status_code == 200
    client.logout()
    assert client.get(reverse("cycle-proposals-csv")).status_code in (302, 403)


# --- the portfolio ----------------------------------------------------------------------------------


def test_the_portfolio_downloads_its_business_cases_in_the_pages_order(client, make_user, portfolio_plan):
    client.force_login(make_user("viewer"))
    page = client.get(reverse("portfolio")).content.decode()
    assert links_on(page, "portfolio-cases") and links_on(page, "portfolio-benefits")
    titles = re.findall(r'<table class="table table--data table--cases">.*?</table>', page, flags=re.S)
    shown = [t for block in titles for t in row_headers(block)]
    shown = [re.sub(r" Illustrative$", "", t) for t in shown]
    (header, rows, attribution), (headings, cells, about, sheet) = both(client, "portfolio-cases",
                                                                         "london-2007-08-business-cases")
    assert [r["title"] for r in rows] == shown and rows
    assert rows[0]["status"] == "submitted" and cells[0][2] == "Awaiting decision"
    amount = next(r for r in rows if r["amount"])
    assert re.fullmatch(r"\d+", amount["amount"])  # whole pounds, unformatted
    assert attribution == [] and "business cases" in about


def test_the_portfolio_downloads_every_programmes_benefits_with_the_attribution(client, make_user, portfolio_plan):
    client.force_login(make_user("commander", "lambeth"))
    (header, rows, attribution), (headings, cells, about, sheet) = both(client, "portfolio-benefits",
                                                                         "london-2007-08-benefits")
    programmes = sorted({r["programme"] for r in rows})
    assert rows and programmes
    for programme in programmes:
        page = client.get(reverse("portfolio-programme", args=[programme])).content.decode()
        names = [r["name"] for r in rows if r["programme"] == programme]
        assert names and all(html.escape(n, quote=False) in page or n in text(page) for n in names)
        positions = [text(page).index(n) for n in names]
        assert positions == sorted(positions)
    statuses = {r["status"] for r in rows}
    assert statuses <= {"realised", "on_track", "off_track", "late", "awaiting_data", "not_measurable"}
    assert headings[5] == "Status" and all(c[5] in ("Realised", "On track", "Off track", "Late", "Awaiting data",
                                                     "Not yet measurable") for c in cells)
    # The attribution the portfolio page shows under its figures, line for line.
    page = client.get(reverse("portfolio")).content.decode()
    block = re.search(r'<div class="attribution">(.*?)</div>', page, flags=re.S)
    lines = [text(p).rstrip(".") for p in re.findall(r"<p[^>]*>(.*?)</p>", block.group(1), flags=re.S)] if block else []
    assert [a.rstrip(".") for a in attribution] == lines
    assert ("Attribution" in about) == bool(lines)


def test_benefits_measured_from_the_data_carry_its_attribution(client, make_user):
    """The 2023/24 example: its benefits move the plan's measures, whose figures are in the warehouse."""
    client.force_login(make_user("viewer"))
    (_, rows, attribution), (_, _, about, _) = both(client, "portfolio-benefits", "london-2023-24-benefits")
    assert any(r["measure"] for r in rows)
    assert attribution and all(line in about for line in attribution)


def test_without_a_portfolio_its_downloads_go_to_the_page_that_says_why(client, make_user, web_settings,
                                                                         web_plan_dir, tmp_path):
    import shutil

    from policingplan.web import figures, shown

    folder = tmp_path / "plan"
    shutil.copytree(web_plan_dir, folder, ignore=shutil.ignore_patterns("portfolio.yaml"))
    web_settings.POLICINGPLAN_PLAN_DIR = str(folder)
    shown.forget()
    figures.clear()
    client.force_login(make_user("viewer"))
    assert "has no portfolio" in text(client.get(reverse("portfolio")).content.decode())
    for name in ("portfolio-cases-csv", "portfolio-benefits-xlsx"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"] == reverse("portfolio")
