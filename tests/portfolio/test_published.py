"""The published plan's investment section is generated from the portfolio: the fund, the cases approved or funded
with their amounts, and the programmes' benefits with the CPAs they support, illustrative figures marked."""

from __future__ import annotations

import shutil

from policingplan.publish.content import plan_content, portfolio_content
from policingplan.services.publish import gather


def _without_portfolio(project_root, tmp_path):
    """A copy of the 2023/24 example without its portfolio.yaml: a plan that has no portfolio."""
    folder = tmp_path / "london-2023-24"
    shutil.copytree(project_root / "examples" / "london-2023-24", folder,
                    ignore=shutil.ignore_patterns("portfolio.yaml"))
    return folder


def test_the_investment_section_comes_from_the_portfolio(project_root):
    pub = gather(project_root / "examples" / "london-2007-08")
    section = portfolio_content(pub)
    fund = section["fund"]
    assert fund["title"] == "Met Modernisation Programme investment reserve"
    assert "holds £15m" in fund["text"] and "£10.5m is approved (£4m of it funded" in fund["text"]
    assert "£4.5m remains" in fund["text"] and "1 further business case, asking £2m, awaits" in fund["text"]
    assert [row[2:] for row in fund["rows"]] == [["Funded", "£4m"], ["Approved", "£6.5m"]]
    assert fund["total"][-1] == "£10.5m"
    programmes = {p["name"].rstrip("*"): p for p in section["programmes"]}
    assert list(programmes) == ["Citizen Focus", "Safer Neighbourhoods", "The Met Intelligence Bureau",
                                "Workforce modernisation"]
    confidence = programmes["Safer Neighbourhoods"]["rows"][0]
    assert confidence == ["Higher public confidence in the police*", "Public confidence in the police",
                          "60% by 31 March 2008", "Off track"]
    homicide = programmes["The Met Intelligence Bureau"]["rows"][0]
    assert homicide[1] == "Homicide sanction detections" and homicide[2] == "87% by 31 December 2008"
    assert section["note"].startswith("Figures marked * are illustrative")
    assert plan_content(pub, {})["portfolio"] == section


def test_the_2023_24_investment_section_comes_from_its_own_portfolio(project_root):
    pub = gather(project_root / "examples" / "london-2023-24")
    section = portfolio_content(pub)
    fund = section["fund"]
    assert fund["title"] == "Illustrative investment reserve for 2023/24"
    assert "holds £15m" in fund["text"] and "£8m is approved (£4.5m of it funded" in fund["text"]
    assert "£7m remains" in fund["text"] and "2 further business cases, asking £7.5m, await" in fund["text"]
    assert [row[2:] for row in fund["rows"]] == [["Funded", "£4.5m"], ["Approved", "£3.5m"]]
    assert all(row[0].endswith("*") for row in fund["rows"])  # every case is illustrative
    programmes = {p["name"]: p for p in section["programmes"]}
    assert all(name.endswith("*") for name in programmes)
    crime = programmes["Neighbourhood policing*"]["rows"][0]
    assert crime == ["Fewer neighbourhood crimes*", "Neighbourhood crime", "229,000 offences by 31 March 2024",
                     "Off track"]
    assert section["note"].startswith("Figures marked * are illustrative")


def test_a_plan_without_a_portfolio_has_no_investment_section_from_it(project_root, tmp_path):
    folder = _without_portfolio(project_root, tmp_path)
    pub = gather(folder)
    assert pub.portfolio is None and portfolio_content(pub) is None
    assert plan_content(pub, {})["portfolio"] is None


def test_the_html_plan_prints_the_same_investment_section_as_the_pdf(project_root, tmp_path):
    from html import escape

    from policingplan.publish.html import plan_html

    pub = gather(project_root / "examples" / "london-2007-08")
    content = plan_content(pub, {})
    page = plan_html(content)
    section = content["portfolio"]
    assert f"<h3>{escape(section['fund']['title'])}</h3>" in page
    assert "£4.5m remains" in page and "<td class=n>£10.5m</td>" in page
    for programme in section["programmes"]:
        assert f"<h4>{escape(programme['name'])}</h4>" in page
        for row in programme["rows"]:
            assert f"<td>{escape(row[0])}</td>" in page
    assert escape(section["note"]) in page
    assert "modernisation programmes" not in plan_html(plan_content(gather(_without_portfolio(project_root, tmp_path)),
                                                                    {}))
