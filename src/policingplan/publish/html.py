"""The plan and the changes as single HTML files: no script, no external asset, the charts inline as SVG
with their text alternatives (pure: content in, text out)."""

from __future__ import annotations

from html import escape as e

from policingplan.publish.text import blocks_html

STYLE = """
body{font-family:Georgia,'Libertinus Serif',serif;color:#0b0c0c;max-width:52rem;margin:2rem auto;padding:0 1rem;
line-height:1.5}
h1,h2,h3,h4{color:#0b2a4a;line-height:1.25}header{background:#0b2a4a;color:#fff;padding:2rem;margin-bottom:2rem}
header h1{color:#fff;margin:0.3rem 0}header p{margin:0.2rem 0}.kicker{text-transform:uppercase;letter-spacing:.05em;
font-size:.85rem}table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.92rem}
th{text-align:left;color:#0b2a4a;border-top:2px solid #0b2a4a;border-bottom:1px solid #0b2a4a;padding:.3rem}
td{border-bottom:1px solid #ccc;padding:.3rem;vertical-align:top}td.n,th.n{text-align:right}
tfoot td{font-weight:bold;border-top:2px solid #0b2a4a}figure{margin:1.5rem 0}figure svg{max-width:100%;height:auto}
figcaption,.small{font-size:.85rem;color:#505a5f}.note{background:#f3f2f1;padding:.6rem .8rem}
.change{border-left:3px solid #1d70b8;padding-left:.8rem;margin:1rem 0}nav ol{columns:2}
"""


def page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{e(title)}</title>\n'
            f"<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def table(header: list[str], rows: list[list[str]], numeric: tuple[int, ...] = (), total: list[str] | None = None,
          caption: str | None = None) -> str:
    def cells(row: list[str], tag: str) -> str:
        return "".join(f'<{tag}{" class=n" if i in numeric else ""}>{e(str(c))}</{tag}>' for i, c in enumerate(row))
    head = f"<thead><tr>{cells(header, 'th')}</tr></thead>"
    body = "".join(f"<tr>{cells(r, 'td')}</tr>" for r in rows)
    foot = f"<tfoot><tr>{cells(total, 'td')}</tr></tfoot>" if total else ""
    cap = f"<caption>{e(caption)}</caption>" if caption else ""
    return f"<table>{cap}{head}<tbody>{body}</tbody>{foot}</table>"


def figure(chart: dict) -> str:
    svg = chart["svg"]
    svg = svg.replace("<svg", f'<svg role="img" aria-label="{e(chart["alt"])}"', 1)
    return f"<figure>{svg}<figcaption>{e(chart['caption'])}</figcaption></figure>"


def plan_html(c: dict) -> str:
    out = [f'<header><p class="kicker">{e(c["organisation"])}</p><h1>{e(c["title"])}</h1>'
           f'<p>{e(c["strategy"])}</p><p>Version {e(c["version"])} · {e(c["date"])} · status: {e(c["status"])}</p>'
           "</header>"]
    sections = ["Summary", "Strategic priorities", "Critical Performance Areas"]
    if c["requirement"]:
        sections.append("The requirement")
    sections += ["Investment and the delivery of the plan"] + (["Appendix: borough targets"] if c["appendix"] else [])
    sections.append("Data and methods")
    out.append("<nav><h2>Contents</h2><ol>" + "".join(f'<li><a href="#s{i}">{e(s)}</a></li>'
                                                     for i, s in enumerate(sections, 1)) + "</ol></nav><main>")
    n = iter(range(1, 99))
    out.append(f'<h2 id="s{next(n)}">Summary</h2>' + blocks_html(c["summary"]))
    out.append(f'<h2 id="s{next(n)}">Strategic priorities</h2>')
    for p in c["priorities"]:
        out.append(f"<h3>{e(p['name'])}</h3><p>{e(p['description'])}</p>")
        if p["delivery_plans"]:
            out.append(f"<p><em>Delivered through:</em> {e('; '.join(p['delivery_plans']))}.</p>")
        for o in p["objectives"]:
            out.append(f"<h4>{e(o['name'])}</h4>" + (f"<p>{e(o['description'])}</p>" if o["description"] else ""))
            if o["rows"]:
                out.append(table(["Measure", "CPA", f"Target {c['period']}"], o["rows"]))
        for s in p["narrative"]:
            out.append(f"<h4>{e(s['title'])}</h4>" + blocks_html(s["blocks"], base_level=4))
    out.append(f'<h2 id="s{next(n)}">Critical Performance Areas</h2>')
    out.append(table(["Critical Performance Area", f"Target {c['period']}"], [[x["name"], x["target"]] for x in c["cpas"]]))
    for x in c["cpas"]:
        out.append(f"<h3>{e(x['name'])}</h3><p>{e(x['why'])}</p>")
        if x["activities"]:
            out.append("<p><em>Planned activity:</em></p><ul>" + "".join(f"<li>{e(a)}</li>" for a in x["activities"])
                       + "</ul>")
    r = c["requirement"]
    if r:
        out.append(f'<h2 id="s{next(n)}">The requirement: {e(r["name"])}</h2><p>{e(r["text"])}</p>')
        if "requirement" in c["charts"]:
            out.append(figure(c["charts"]["requirement"]))
        out.append(table(["The requirement", "Figure"], r["rows"], numeric=(1,)))
        out.extend(f'<p class="note">{e(note)}</p>' for note in r["notes"])
    out.append(f'<h2 id="s{next(n)}">Investment and the delivery of the plan</h2>')
    if c["investments"]:
        out.append(table(["Investment", "Amount", "Purpose", "Condition"],
                         [[i["name"], i["amount"], i["description"], i["condition"]] for i in c["investments"]],
                         numeric=(1,)))
    portfolio = c.get("portfolio")
    if portfolio:  # the investment fund and the programmes' benefits, from the portfolio (as in the PDF)
        fund = portfolio["fund"]
        if fund:
            out.append(f"<h3>{e(fund['title'])}</h3><p>{e(fund['text'])}</p>")
            if fund["rows"]:
                out.append(table(["Business case", "Programme", "Status", "Amount"], fund["rows"], numeric=(3,),
                                 total=fund["total"]))
        if portfolio["programmes"]:
            out.append("<h3>The modernisation programmes and their benefits</h3>")
            for programme in portfolio["programmes"]:
                out.append(f"<h4>{e(programme['name'])}</h4><p>{e(programme['text'])}</p>")
                if programme["rows"]:
                    out.append(table(["Benefit", "Supports", "Target", "Status"], programme["rows"]))
        out.append(f'<p class="note">{e(portfolio["note"])}</p>')
    for s in c["delivering"]:
        out.append(f"<h3>{e(s['title'])}</h3>" + blocks_html(s["blocks"], base_level=3))
    a = c["appendix"]
    if a:
        out.append(f'<h2 id="s{next(n)}">Appendix: borough targets</h2><p>{e(a["text"])}</p>')
        out.append(table(a["header"], a["rows"], numeric=(1, 2, 3), total=a["total"]))
        out.append(f'<p class="small">{e(a["attribution"])}</p>')
        if "units" in c["charts"]:
            out.append(figure(c["charts"]["units"]))
    m = c["methods"]
    out.append(f'<h2 id="s{next(n)}">Data and methods</h2><p>{e(m["version"])}.</p><h3>Notes on the figures</h3>')
    out.extend(f"<p>{e(x)}</p>" for x in m["notes"])
    if m["data_notes"]:
        out.append("<h3>The measures' data</h3>" + table(["Measure", "Note"],
                                                         [[x["measure"], x["note"]] for x in m["data_notes"]]))
    out.append("<h3>Sources and attribution</h3>" + table(["Source", "Files", "Attribution"],
                                                          [[s["kind"], s["files"], s["attribution"]] for s in m["sources"]]))
    out.extend(f'<p class="small">{e(x)}.</p>' for x in m["attributions"])
    out.append("</main>")
    return page(c["title"], "\n".join(out))


def changes_html(c: dict) -> str:
    out = [f'<header><p class="kicker">{e(c["organisation"])}</p><h1>{e(c["plan"])}</h1>'
           f'<p>Changes since version {e(c["since"])} · version {e(c["version"])} · {e(c["date"])}</p></header>'
           f'<main><p>{e(c["intro"])}</p>']
    for g in c["groups"]:
        out.append(f"<h2>{e(g['title'])}</h2>")
        for item in g["items"]:
            reason = f'<p class="small"><em>Reason:</em> {e(item["reason"])}</p>' if item["reason"] else ""
            out.append(f'<div class="change"><p>{e(item["sentence"])}</p>{reason}</div>')
    if not c["groups"]:
        out.append("<p>The plan has not changed between these versions.</p>")
    out.append("</main>")
    return page(c["title"], "\n".join(out))


__all__ = ["changes_html", "plan_html"]
