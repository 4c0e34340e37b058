"""Every published document of a plan, rendered in memory from one :class:`Publication`.

:func:`render_all` returns the files by name (``plan.pdf``, ``letters/E09000002.pdf``, ...) as bytes,
with notes on any document left out; :func:`policingplan.services.publish.publish` writes them.
"""

from __future__ import annotations

from typing import Callable, Optional

from policingplan.publish import content, html, packages, plan_charts, typeset
from policingplan.publish.charts import to_svg
from policingplan.publish.inputs import Publication

#: The charts' font in print: Typst's own Libertinus Serif, the documents' text face.
PRINT_FONT = "Libertinus Serif, Georgia, serif"


def charts(pub: Publication) -> dict[str, dict]:
    """The plan's charts as SVG, each with its text alternative and caption."""
    found = {}
    if pub.requirement is not None:
        found["requirement"] = {
            "svg": to_svg(plan_charts.requirement_chart(pub.requirement, font=PRINT_FONT)),
            "alt": plan_charts.requirement_description(pub.requirement),
            "caption": f"{pub.requirement.name}: the change reached, the change projected with the plan's target, "
                       "and the change required."}
    if pub.check is not None:
        found["units"] = {
            "svg": to_svg(plan_charts.unit_targets_chart(pub.check, font=PRINT_FONT)),
            "alt": plan_charts.unit_targets_description(pub.check),
            "caption": f"Each borough's target change for {pub.check.period}; the dashed line is the corporate "
                       "figure."}
    return found


def letter_name(unit_code: str) -> str:
    return f"letters/{unit_code}.pdf"


def render_all(pub: Publication, progress: Optional[Callable[[str], None]] = None) -> tuple[dict[str, bytes], list[str]]:
    """Every document of the plan, by file name, and notes on what was left out and why."""
    files: dict[str, bytes] = {}
    notes: list[str] = []
    say = progress or (lambda name: None)
    date = pub.version_date

    plan_content = content.plan_content(pub, charts(pub))
    files["plan.html"] = html.plan_html(plan_content).encode("utf-8")
    files["plan.pdf"] = typeset.pdf("plan", plan_content, date)
    say("plan")
    if pub.changes is not None:
        changes = content.changes_content(pub)
        files["changes.html"] = html.changes_html(changes).encode("utf-8")
        files["changes.pdf"] = typeset.pdf("changes", changes, date)
        say("changes")
    elif pub.changes_note:
        notes.append(pub.changes_note)
    report = content.report_content(pub)
    files["committee-report.pdf"] = typeset.pdf("report", report, date)
    files["committee-report.docx"] = packages.report_docx(report, pub)
    say("committee report")
    for unit in pub.plan.units:
        files[letter_name(unit.code)] = typeset.pdf("letter", content.letter_content(pub, unit.code), date)
    if pub.plan.units:
        say("letters")
    files["targets.xlsx"] = packages.targets_xlsx(pub)
    say("spreadsheet")
    return files, notes


__all__ = ["PRINT_FONT", "charts", "letter_name", "render_all"]
