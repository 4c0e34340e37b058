"""Downloadable templates for the source kinds that a force fills in itself."""

from __future__ import annotations

import csv
import io
from importlib import resources

#: Template name → the packaged CSV file that holds it.
TEMPLATES = {"tidy": "tidy.csv"}


def template_rows(name: str) -> list[list[str]]:
    """The template's header and example rows."""
    text = resources.files(__package__).joinpath(TEMPLATES[name]).read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text)))


def template_xlsx(name: str) -> bytes:
    """The template as an XLSX workbook: numbers as numbers, a second sheet of notes."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("data")
    bold = book.add_format({"bold": True})
    for r, row in enumerate(template_rows(name)):
        for c, value in enumerate(row):
            if r and c >= 3 and value:
                sheet.write_number(r, c, float(value))
            elif value:
                sheet.write_string(r, c, value, bold if r == 0 else None)
    sheet.set_column(0, 2, 20)
    notes = book.add_worksheet("notes")
    for r, line in enumerate(TIDY_NOTES):
        notes.write_string(r, 0, line)
    book.close()
    return buffer.getvalue()


TIDY_NOTES = (
    "The first sheet is read; row 1 is the header: unit, month, measure, numerator, denominator.",
    "unit: a London borough's name or ONS code (Camden, E09000007), or another unit's code in capitals.",
    "month: YYYY-MM, e.g. 2024-04.",
    "measure: the measure's id in the plan, e.g. public_confidence.",
    "numerator: a number of 0 or more.",
    "denominator: a number above 0, or blank for a plain count.",
    "Each unit, month and measure once.",
)
