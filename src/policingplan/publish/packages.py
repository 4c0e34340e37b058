"""The spreadsheet (xlsxwriter) and the Word committee report (python-docx), written byte for byte the
same from the same plan: the documents' dates are the plan version's, and every part of the zip
package carries one fixed time stamp.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any, Optional

from policingplan.plan.model import FORCE
from policingplan.publish.inputs import Publication
from policingplan.publish.text import plain

#: The time stamp of every part of a package when the plan has no date (the zip format's earliest).
EPOCH = dt.datetime(1980, 1, 1)


def fixed_zip(data: bytes, when: Optional[dt.date]) -> bytes:
    """The zip package ``data`` rewritten with its parts in the same order, each dated ``when``."""
    stamp = (when.year, when.month, when.day, 0, 0, 0) if when else EPOCH.timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fresh = zipfile.ZipInfo(info.filename, date_time=stamp)
            fresh.compress_type = zipfile.ZIP_DEFLATED
            fresh.external_attr = 0o600 << 16
            target.writestr(fresh, source.read(info.filename))
    return out.getvalue()


def _sheet_name(name: str, taken: set[str]) -> str:
    text = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "Measure"
    candidate, n = text, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = text[:31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def targets_xlsx(pub: Publication) -> bytes:
    """``targets.xlsx``: a sheet per measure with targets, the units as rows (baseline, target change,
    target, partner target), frozen headers, number formats and column widths; a notes sheet last."""
    import xlsxwriter

    plan = pub.plan
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    stamp = dt.datetime.combine(pub.version_date, dt.time()) if pub.version_date else EPOCH
    book.set_properties({"title": f"{plan.name}: targets", "author": plan.organisation, "created": stamp,
                         "comments": f"Version {plan.version}"})
    head = book.add_format({"bold": True, "bg_color": "#0b2a4a", "font_color": "#ffffff", "text_wrap": True,
                            "valign": "top", "border": 1, "border_color": "#b9b9b9"})
    text = book.add_format({"valign": "top"})
    count = book.add_format({"num_format": "#,##0", "valign": "top"})
    share = book.add_format({"num_format": "0.0%;-0.0%", "valign": "top"})
    bold_count = book.add_format({"num_format": "#,##0", "bold": True, "top": 1})
    bold_share = book.add_format({"num_format": "0.0%;-0.0%", "bold": True, "top": 1})
    bold = book.add_format({"bold": True, "top": 1})
    title = book.add_format({"bold": True, "font_size": 13, "font_color": "#0b2a4a"})
    checked = {u.unit: u for u in (pub.check.units if pub.check is not None else [])}
    partners = {(p.unit, p.measure): p for p in (pub.partners.partner_targets if pub.partners is not None else [])}
    taken: set[str] = set()
    for measure in plan.measures:
        targets = [t for t in plan.targets if t.measure == measure.id and t.period == plan.period]
        if not targets:
            continue
        sheet = book.add_worksheet(_sheet_name(measure.name, taken))
        sheet.write(0, 0, f"{measure.name}: targets for {plan.period}", title)
        columns = [("Code", 12, text), ("Unit", 26, text), ("Peer group", 14, text), ("Baseline period", 10, text),
                   ("Baseline", 11, count), ("Target change", 10, share), (f"Target {plan.period}", 12, count),
                   ("Partner", 36, text), ("Agreement", 10, text), ("Partner change", 10, share),
                   ("Partner baseline period", 11, text), ("Partner target (crimes)", 12, count), ("Binds", 12, text)]
        for col, (label, width, _) in enumerate(columns):
            sheet.write(2, col, label, head)
            sheet.set_column(col, col, width)
        sheet.set_row(2, 32)
        sheet.freeze_panes(3, 2)
        row = 3
        for target in targets:
            unit = None if target.scope == FORCE else next((u for u in plan.units if u.code == target.scope), None)
            value = target.value if target.value is not None else (
                (target.minimum + target.maximum) / 2 if target.minimum is not None and target.maximum is not None
                else None)
            volume = checked.get(target.scope)
            partner = partners.get((target.scope, measure.id))
            change_col = value if target.kind in ("change", "range") or measure.kind not in ("ratio", "percentage") \
                else None
            cells: list[Any] = [
                target.scope, unit.name if unit else "Force", unit.peer_group if unit else "",
                target.baseline_period or "", volume.baseline if volume else target.baseline,
                volume.change if volume else change_col,
                volume.target if volume else (value if target.kind == "level" else None),
                partner.partner if partner else "", partner.agreement if partner else "",
                partner.partner_change if partner else None, partner.partner_baseline_period if partner else "",
                partner.partner_volume if partner else None, partner.binds if partner else ""]
            for col, value_ in enumerate(cells):
                fmt = columns[col][2]
                if target.kind == "level" and col == 6 and measure.kind in ("ratio", "percentage"):
                    fmt = share
                if value_ is None or value_ == "":
                    sheet.write_blank(row, col, None, fmt)
                else:
                    sheet.write(row, col, value_, fmt)
            row += 1
        if pub.check is not None and measure.id == pub.check.measure:
            c = pub.check
            sheet.write(row, 1, "All units", bold)
            sheet.write(row, 4, c.corporate.baseline_total, bold_count)
            sheet.write(row, 5, c.achieved_change, bold_share)
            sheet.write(row, 6, c.target_total, bold_count)
            sheet.autofilter(2, 0, row - 1, len(columns) - 1)
    notes = book.add_worksheet("Notes")
    notes.set_column(0, 0, 120)
    lines = [f"{plan.name}, version {plan.version}", "Targets are for " + plan.period + "; a change is a signed "
             "fraction of the baseline (-5.5% is a reduction).", *(pub.check.attribution if pub.check else [])]
    for i, line in enumerate(lines):
        notes.write(i, 0, line, title if i == 0 else text)
    book.close()
    return fixed_zip(out.getvalue(), pub.version_date)


def report_docx(content: dict, pub: Publication) -> bytes:
    """The committee report as a Word document: the same content as its PDF."""
    import docx
    from docx.shared import Pt, RGBColor

    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)
    props = document.core_properties
    stamp = dt.datetime.combine(pub.version_date, dt.time()) if pub.version_date else EPOCH
    props.title, props.author, props.created, props.modified = content["title"], content["author"], stamp, stamp
    props.last_modified_by, props.revision, props.language = content["author"], 1, "en-GB"
    props.last_printed = stamp
    heading = document.add_heading(content["title"], level=0)
    for run in heading.runs:
        run.font.color.rgb = RGBColor(0x0B, 0x2A, 0x4A)
    for label, value in (("Report", content["report"]), ("Date", content["date"]), ("By", content["by"])):
        para = document.add_paragraph()
        para.add_run(f"{label}: ").bold = True
        para.add_run(value)
    document.add_heading("Summary", level=1)
    for para in plain(content["summary"]).split("\n\n"):
        document.add_paragraph(para)
    document.add_heading("A. Recommendation", level=1)
    document.add_paragraph("That")
    for item in content["recommendations"]:
        document.add_paragraph(item, style="List Number")
    document.add_heading("B. Supporting information", level=1)
    for number, item in enumerate(content["paragraphs"], start=1):
        if item["heading"]:
            document.add_heading(item["heading"], level=2)
        document.add_paragraph(f"{number}. {item['text']}")
    for title, key in (("C. Race and equality impact", "equality"), ("D. Financial implications", "financial"),
                       ("E. Background papers", "background")):
        document.add_heading(title, level=1)
        for para in plain(content[key]).split("\n\n"):
            document.add_paragraph(para)
    document.add_heading("F. Contact details", level=1)
    document.add_paragraph(f"Report author: {content['author']}")
    if content["contacts"]:
        document.add_paragraph("For more information contact:")
        for contact in content["contacts"]:
            document.add_paragraph(contact)
    out = io.BytesIO()
    document.save(out)
    return fixed_zip(out.getvalue(), pub.version_date)


__all__ = ["fixed_zip", "report_docx", "targets_xlsx"]
