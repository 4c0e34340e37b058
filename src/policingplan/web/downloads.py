"""Every table as CSV and as a spreadsheet (XLSX): the dashboard's CPAs, a borough's targets, every
target's position, and the plan's targets here; the audit log, the plan versions, the proposals, what is
outstanding in the cycle and the portfolio's cases and benefits in their areas' views, each a :class:`Table`
made by a view under :func:`download`, so every download is written by the same code.

A download holds the figures the services return, in the same rows as the page's table:

- **CSV** (UTF-8, a header row of column ids): the numbers unformatted and unrounded, as the JSON
  API gives them (rates and changes as fractions, 0.055 for 5.5%; codes for statuses), for
  analysis; after the table, a blank row and then the attribution the data requires.
- **XLSX** (xlsxwriter): headings in words, the header row frozen and filtered, numbers formatted
  (``1,234``, ``5.5%``), columns sized, the statuses in words, and a sheet "About these figures"
  with the plan, the month and the attribution (also in the printed footer).

Who may download what is the catalogue's (:mod:`.roles`): a borough's table is at a URL with the
borough in it, so a commander asking for another borough's is refused (403) before the view runs;
``?unit=`` on every target's position is checked by the same rule (:func:`.api.scope_for`).
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from policingplan.plan.model import FORCE
from policingplan.services.monitor import DataNotLoaded, NoMonthlyData
from policingplan.web import api, figures, present
from policingplan.web.access import may_open, user_roles
from policingplan.web import roles as catalogue

# --- the tables' columns -------------------------------------------------------------------------

#: How a column's numbers are shown in the spreadsheet (the CSV has them unformatted).
FORMATS = {
    "count": "#,##0",
    "share": "0.0%",
    "chance": "0%",
    "number": "#,##0.0##",
}


@dataclass(frozen=True)
class Column:
    """One column: its id (the CSV's header), its heading in words, its width and how numbers show.

    ``number`` is ``text``, a format of :data:`FORMATS`, or a function of the row giving one (a
    figure in the measure's own terms: a count, or a rate as a percentage).  ``words`` turns a code
    into words in the spreadsheet.
    """

    key: str
    heading: str
    width: float
    number: Any = "text"
    words: dict[str, str] = field(default_factory=dict)


def _in_terms(row: dict) -> str:
    """A figure in the measure's own terms: a count with thousands, a rate (a fraction) as a percentage."""
    kind = row.get("kind")
    return "count" if kind == "count" else "share" if kind in ("ratio", "percentage") else "number"


def _target_value(row: dict) -> str:
    """A target's value: a change is a fraction of the baseline; a level is in the measure's terms."""
    if row.get("target_kind") == "change" or (row.get("target_kind") == "range" and row.get("baseline_period")):
        return "share"
    return _in_terms(row)


STATUS_WORDS = {code: words for code, (words, _) in present.STATUS.items()}
VARIATION_WORDS = {code: f"{word}: {sentence}" for code, (_, word, sentence, _) in present.VARIATION.items()}
ASSURANCE_WORDS = {code: f"{word}: {sentence}" for code, (_, word, sentence, _) in present.ASSURANCE.items()}
POLARITY_WORDS = {"lower": "Lower", "higher": "Higher", "neutral": "Neither"}
KIND_WORDS = {"count": "Count", "ratio": "Rate", "percentage": "Percentage", "level": "Level"}

POSITION_COLUMNS = (
    Column("as_of", "Data to the end of", 12),
    Column("measure", "Measure id", 24),
    Column("measure_name", "Measure", 34),
    Column("unit", "Unit code", 12),
    Column("unit_name", "Unit", 24),
    Column("kind", "Kind", 8, words=KIND_WORDS),
    Column("polarity", "Better when", 9, words=POLARITY_WORDS),
    Column("target", "Target for the year", 12, _in_terms),
    Column("met_at", "Met at", 12, _in_terms),
    Column("year_to_date", "Year to date", 12, _in_terms),
    Column("forecast_total", "Year-end forecast", 12, _in_terms),
    Column("forecast_80_low", "Forecast 80% range from", 12, _in_terms),
    Column("forecast_80_high", "Forecast 80% range to", 12, _in_terms),
    Column("p_meet_target", "Chance of meeting the target", 12, "chance"),
    Column("status", "Status", 14, words=STATUS_WORDS),
    Column("variation", "Latest month (SPC)", 30, words=VARIATION_WORDS),
    Column("assurance", "Against the monthly target (SPC)", 30, words=ASSURANCE_WORDS),
    Column("notes", "Notes", 60),
)

TARGET_COLUMNS = (
    Column("measure", "Measure id", 24),
    Column("measure_name", "Measure", 34),
    Column("cpa", "CPA", 6, words={"True": "Yes", "False": "No"}),
    Column("scope", "Unit code", 12),
    Column("unit_name", "Unit", 24),
    Column("period", "Year", 9),
    Column("target_kind", "Target kind", 10, words={"change": "Change", "range": "Range", "level": "Level",
                                                      "trajectory": "Trajectory"}),
    Column("baseline_period", "Baseline year", 10),
    Column("baseline", "Baseline", 12, _in_terms),
    Column("value", "Target", 12, _target_value),
    Column("minimum", "Range from", 12, _target_value),
    Column("maximum", "Range to", 12, _target_value),
    Column("proposed_reduction", "Proposed reduction", 11, "share"),
    Column("min_reduction", "Least reduction (floor)", 11, "share"),
    Column("max_reduction", "Greatest reduction (cap)", 11, "share"),
    Column("description", "The target in words", 44),
    Column("rationale", "Why", 60),
)


def position_rows(result, targets: Iterable) -> list[dict]:
    """Monitored targets (:class:`~policingplan.services.monitor.MonitoredTarget`) as rows of the table."""
    rows = []
    for t in targets:
        low, high = t.interval_80 if t.interval_80 is not None else (None, None)
        rows.append({
            "as_of": result.as_of, "measure": t.measure, "measure_name": t.measure_name, "unit": t.unit,
            "unit_name": t.unit_name, "kind": t.kind, "polarity": t.polarity, "target": t.target,
            "met_at": t.met_at, "year_to_date": t.year_to_date, "forecast_total": t.forecast_total,
            "forecast_80_low": low, "forecast_80_high": high, "p_meet_target": t.p_meet_target,
            "status": t.status, "variation": t.variation, "assurance": t.assurance, "notes": " | ".join(t.warnings),
        })
    return rows


def target_rows(plan) -> list[dict]:
    """The plan's targets as rows of the table, with their measure's and unit's names and their words."""
    from policingplan.services.plan import describe_target

    measures = {m.id: m for m in plan.measures}
    units = {u.code: u.name for u in plan.units}
    rows = []
    for t in plan.targets:
        measure = measures.get(t.measure)
        rows.append({
            "measure": t.measure, "measure_name": measure.name if measure else t.measure,
            "cpa": str(bool(measure and measure.cpa)), "scope": t.scope,
            "unit_name": plan.organisation if t.scope == FORCE else units.get(t.scope, t.scope),
            "period": t.period, "target_kind": t.kind, "kind": measure.kind if measure else None,
            "baseline_period": t.baseline_period, "baseline": t.baseline, "value": t.value, "minimum": t.minimum,
            "maximum": t.maximum, "proposed_reduction": t.proposed_reduction, "min_reduction": t.min_reduction,
            "max_reduction": t.max_reduction, "description": describe_target(t, measure), "rationale": t.rationale,
        })
    return rows


# --- the files -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A table to download: its title, the file's name (without extension), columns, rows and words."""

    title: str
    filename: str
    columns: tuple[Column, ...]
    rows: list[dict]
    attribution: list[str]
    about: list[str]


def _plain(value: Any) -> Any:
    """A value as the CSV writes it: whole numbers without a decimal point, nothing for none."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def csv_bytes(table: Table) -> bytes:
    """The table as CSV (UTF-8): the header row of column ids, the rows, a blank row, the attribution."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.key for c in table.columns])
    for row in table.rows:
        writer.writerow([_plain(api.jsonable(row.get(c.key))) for c in table.columns])
    if table.attribution:
        writer.writerow([])
        for line in table.attribution:
            writer.writerow([line])
    return out.getvalue().encode("utf-8")


def _footer(lines: list[str]) -> str:
    text = "; ".join(lines).replace("&", "&&")
    return "&L&8" + (text if len(text) <= 240 else text[:237] + "...")


def xlsx_bytes(table: Table, author: str) -> bytes:
    """The table as a workbook: the table (header frozen and filtered, numbers formatted, columns sized)
    and a sheet "About these figures" with the plan, the month and the attribution."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.set_properties({"title": table.title, "author": author, "comments": " ".join(table.attribution)})
    head = book.add_format({"bold": True, "bg_color": "#0b2a4a", "font_color": "#ffffff", "text_wrap": True,
                            "valign": "top", "border": 1, "border_color": "#b9b9b9"})
    text = book.add_format({"valign": "top", "text_wrap": True})
    numbers = {name: book.add_format({"num_format": fmt, "valign": "top"}) for name, fmt in FORMATS.items()}
    sheet = book.add_worksheet(table.title[:31])
    for col, column in enumerate(table.columns):
        sheet.write(0, col, column.heading, head)
        sheet.set_column(col, col, column.width)
    sheet.set_row(0, 45)
    sheet.freeze_panes(1, 0)
    for r, row in enumerate(table.rows, start=1):
        for col, column in enumerate(table.columns):
            value = api.jsonable(row.get(column.key))
            number = column.number(row) if callable(column.number) else column.number
            if value is None or value == "":
                sheet.write_blank(r, col, None, text)
            elif isinstance(value, (int, float)) and not isinstance(value, bool) and number in numbers:
                sheet.write_number(r, col, value, numbers[number])
            else:
                sheet.write_string(r, col, column.words.get(str(value), str(value)), text)
    sheet.autofilter(0, 0, max(len(table.rows), 1), len(table.columns) - 1)
    sheet.set_footer(_footer(table.attribution))
    sheet.set_landscape()
    sheet.repeat_rows(0)
    about = book.add_worksheet("About these figures")
    about.set_column(0, 0, 110)
    title = book.add_format({"bold": True, "font_size": 14, "font_color": "#0b2a4a"})
    bold = book.add_format({"bold": True})
    lines: list[tuple[str, Any]] = [(table.title, title), *((line, text) for line in table.about)]
    if table.attribution:
        lines += [("", text), ("Attribution: show it with these figures", bold),
                  *((line, text) for line in table.attribution)]
    for r, (line, fmt) in enumerate(lines):
        about.write_string(r, 0, line, fmt) if line else about.write_blank(r, 0, None)
    book.close()
    return out.getvalue()


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def file_response(table: Table, form: str, author: str) -> HttpResponse:
    body = csv_bytes(table) if form == "csv" else xlsx_bytes(table, author)
    response = HttpResponse(body, content_type=CONTENT_TYPES[form])
    response["Content-Disposition"] = f'attachment; filename="{table.filename}.{form}"'
    return response


# --- the views -----------------------------------------------------------------------------------


def _refused(request, exc: api.Refused):
    return render(request, "policingplan/download_error.html", {
        "title": "Download not available", "plan": figures.plan(), "status": exc.status, "message": str(exc),
        "problems": exc.problems, "command": figures.load_command() if exc.status == 503 else None,
    }, status=exc.status)


def download(view: Callable) -> Callable:
    """A download in CSV and XLSX: ``view(request, **kwargs)`` gives the table; the two URLs differ by form."""

    def make(form: str) -> Callable:
        @functools.wraps(view)
        def respond(request, **kwargs):
            try:
                table = view(request, **kwargs)
            except api.Elsewhere as exc:
                return HttpResponseRedirect(exc.url)
            except api.Refused as exc:
                return _refused(request, exc)
            except (DataNotLoaded, NoMonthlyData) as exc:
                return _refused(request, api.not_loaded(exc))
            return file_response(table, form, figures.plan().organisation)

        return respond

    make.csv, make.xlsx = make("csv"), make("xlsx")  # type: ignore[attr-defined]
    return make


def _about(plan, result, what: str) -> list[str]:
    lines = [f"{plan.name}, version {plan.version}" + (" (illustrative: built on real data, not an official plan)"
                                                      if plan.illustrative else ""),
             what]
    if result is not None:
        lines.append(f"Data to the end of {result.as_of_label} ({result.months_elapsed} months of {plan.period}).")
        lines.append("Counts are numbers of offences or people; rates and the chance of meeting a target are "
                     "percentages (in the CSV, fractions: 0.055 is 5.5%). The 80% range is the year-end "
                     "forecast's; the chance is P(meet). " + result.reliability.meaning)
    return lines


@download
def dashboard(request) -> Table:
    """The dashboard's table: each CPA measure's force position."""
    plan = figures.plan()
    result = figures.monitoring()
    cpas = {m.id for m in plan.measures if m.cpa}
    rows = position_rows(result, [t for t in result.targets if t.unit == FORCE and t.measure in cpas])
    return Table("Corporate dashboard", f"{plan.id}-dashboard-{result.as_of}", POSITION_COLUMNS, rows,
                 result.attribution, _about(plan, result, "Each Critical Performance Area's force position."))


@download
def borough(request, borough: str) -> Table:
    """A borough page's table: each of the borough's targets' positions."""
    plan = figures.plan()
    unit = next((u for u in plan.units if present.slug(u.name) == borough), None)
    if unit is None:
        raise Http404(f"No borough of the plan is called {borough!r}.")
    result = figures.monitoring(unit.code)
    rows = position_rows(result, [t for t in result.targets if t.unit == unit.code])
    return Table(f"{unit.name} targets", f"{plan.id}-{borough}-targets-{result.as_of}", POSITION_COLUMNS, rows,
                 result.attribution, _about(plan, result, f"Each of {unit.name}'s targets and where it stands."))


@download
def monitoring(request) -> Table:
    """Every target's position (``?unit=`` for one unit's; ``?as_of=`` for an earlier month)."""
    plan = figures.plan()
    result = api.monitoring(request, "download-monitoring-csv")
    scope = result.unit
    who = "every target" if scope is None else f"{scope.name}'s targets"
    name = "all" if scope is None else FORCE if scope.code == FORCE else present.slug(scope.name)
    return Table("Target positions", f"{plan.id}-positions-{name}-{result.as_of}", POSITION_COLUMNS,
                 position_rows(result, result.targets), result.attribution,
                 _about(plan, result, f"Where {who} stands."))


@download
def targets(request) -> Table:
    """The plan's targets, force and unit."""
    plan = figures.plan()
    return Table("The plan's targets", f"{plan.id}-targets", TARGET_COLUMNS, target_rows(plan), plan.attribution,
                 _about(plan, None, f"Every force and borough target of the plan for {plan.period}. A change is a "
                                    "fraction of the baseline (in the CSV, -0.05 is a 5% reduction)."))


def plan_about(plan, *lines: str) -> list[str]:
    """The "About these figures" lines of a table that is not the monitor's: the plan and what the table is."""
    return _about(plan, None, " ".join(lines))


def when(value) -> Optional[str]:
    """A date or time as the CSV writes it (ISO 8601: ``2007-03-01``, ``2007-03-01T14:00:00+00:00``)."""
    return None if value is None else value.isoformat()


def index(request):
    """What can be downloaded: each table in CSV and XLSX, and the JSON API."""
    plan = figures.plan()
    try:
        result = figures.monitoring()
    except (DataNotLoaded, NoMonthlyData):
        result = None
    roles, own = user_roles(request.user)
    every = catalogue.sees_every_unit(roles, "download-monitoring-csv")
    boroughs = [{"name": u.name, "slug": present.slug(u.name)} for u in plan.units
                if may_open(request, "download-borough-csv", present.slug(u.name))]
    choices = ([{"value": "", "label": "Every target: the force and all boroughs"}] if every else [])
    choices += [{"value": FORCE, "label": "The force as a whole"}]
    choices += [{"value": b["slug"], "label": b["name"]} for b in boroughs]
    return render(request, "policingplan/downloads.html", {
        "title": "Downloads", "plan": plan, "result": result, "boroughs": boroughs, "choices": choices,
        "every": every, "command": figures.load_command(), "endpoints": _endpoints(plan),
    })


def _endpoints(plan) -> list[dict]:
    from django.urls import reverse

    example = next((m.id for m in plan.measures if m.cpa and m.source), plan.measures[0].id if plan.measures else "")
    links = {"api-plan": reverse("api-plan"), "api-measures": reverse("api-measures"),
             "api-targets": reverse("api-targets"), "api-monitoring": reverse("api-monitoring"),
             "api-openapi": reverse("api-openapi")}
    if example:
        links["api-measure-values"] = reverse("api-measure-values", args=[example]) + "?unit=force"
        links["api-targets-check"] = reverse("api-targets-check", args=[example])
    return [{"name": name, "summary": e.summary, "description": _code(e.description), "link": links.get(name)}
            for name, e in api.ENDPOINTS.items()]


def _code(text: str) -> str:
    """A description's `commands` as code, the rest escaped."""
    import re

    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    return mark_safe(re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text)))


__all__ = ["Column", "POSITION_COLUMNS", "TARGET_COLUMNS", "Table", "borough", "csv_bytes", "dashboard", "index",
           "monitoring", "plan_about", "position_rows", "target_rows", "targets", "when", "xlsx_bytes"]
