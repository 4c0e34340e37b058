"""Publishing the London 2007/08 example: every document, its figures, its tags, its pages and its letters."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.publish.conftest import LONDON

PDFS = ["plan.pdf", "changes.pdf", "committee-report.pdf"]
MINUS = "[−-]"  # a true minus in print; the command line's hyphen-minus is accepted too


def _borough_names() -> list[str]:
    from policingplan.services.plan import load

    return [u.name for u in load(LONDON).units]


def _flat(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


def test_every_document_is_written_and_listed_with_its_size_and_sha256(out_dir, result):
    names = {f.name for f in result.files}
    assert {"plan.html", "plan.pdf", "changes.html", "changes.pdf", "committee-report.pdf",
            "committee-report.docx", "targets.xlsx"} <= names
    for item in result.files:
        data = (out_dir / item.name).read_bytes()
        assert len(data) == item.bytes and hashlib.sha256(data).hexdigest() == item.sha256
    written = {p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file()}
    assert written == names
    assert result.date == "2007-03-01" and result.since == "0.3" and result.notes == []


@pytest.mark.parametrize("name", PDFS)
def test_each_pdf_is_tagged_titled_and_dated_from_the_plan(out_dir, pdf_info, name):
    info = pdf_info(out_dir / name)
    assert info["Tagged"] == "yes"
    assert info["Title"]
    assert "2007" in info["CreationDate"]


def test_the_plan_holds_the_london_figures_and_every_borough(out_dir, pdf_text):
    text = _flat(pdf_text(out_dir / "plan.pdf"))
    assert "19.4%" in text
    assert re.search(MINUS + r"18\.2%", text)
    assert "at least 80%" in text  # homicide sanction detections
    assert "£15m" in text
    assert "Contents" in text and "Page 3 of" in text
    appendix = text[text.index("Appendix: borough targets", text.index("Appendix: borough targets") + 30):]
    for name in _borough_names():
        assert name in appendix, name
    assert "Open Government Licence" in text  # the sources' attribution


def test_the_report_of_changes_gives_85_to_80_with_its_reason(out_dir, pdf_text):
    text = _flat(pdf_text(out_dir / "changes.pdf"))
    assert re.search(r"Homicide sanction detections.{0,40}changed from 85% to 80%, because a murder followed by "
                     r"the perpetrator's suicide", text)
    assert "£15m" in text and "Every Child Matters" in text


def test_the_committee_report_has_its_sections_and_figures(out_dir, pdf_text):
    text = _flat(pdf_text(out_dir / "committee-report.pdf"))
    for heading in ("Summary", "A. Recommendation", "B. Supporting information", "C. Race and equality impact",
                    "D. Financial implications", "E. Background papers", "F. Contact details"):
        assert heading in text
    assert "Report: 8a" in text and "Date: 1 March 2007" in text and "Angela Emery" in text
    assert "19.4%" in text and re.search(MINUS + r"18\.2%", text) and "£15m" in text
    assert "from 85% to 80%" in text


def test_the_word_report_says_the_same(out_dir):
    import docx

    document = docx.Document(str(out_dir / "committee-report.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "A. Recommendation" in text and "F. Contact details" in text
    assert "from 85% to 80%" in text and "£15m" in text and "18.2%" in text
    assert document.core_properties.created.year == 2007


def test_the_html_plan_has_the_figures_and_the_chart_with_its_text_alternative(out_dir):
    page = (out_dir / "plan.html").read_text(encoding="utf-8")
    assert '<html lang="en-GB">' in page and "<script" not in page
    assert "19.4%" in page and "18.2%" in page and "£15m" in page
    assert re.search(r'<svg role="img" aria-label="Public Service Agreement 1', page)
    assert "changed from 85% to 80%" in (out_dir / "changes.html").read_text(encoding="utf-8")


def _pgm_variance(path: Path) -> float:
    data = path.read_bytes()
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    pixels = data[header.end():]
    mean = sum(pixels) / len(pixels)
    return sum((p - mean) ** 2 for p in pixels[::7]) / len(pixels[::7])


@pytest.mark.parametrize("name", PDFS + ["letters/E09000022.pdf"])
def test_no_page_is_blank(out_dir, tmp_path, name):
    tool = shutil.which("pdftoppm")
    assert tool, "pdftoppm comes with poppler-utils"
    subprocess.run([tool, "-gray", "-r", "24", str(out_dir / name), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.pgm"))
    assert pages
    for page in pages:
        assert _pgm_variance(page) > 20, f"{name}: {page.name} looks blank"


def test_there_is_a_letter_to_each_of_the_32_boroughs_naming_its_own_targets_and_no_others(out_dir, pdf_text, pdf_info):
    from policingplan.services.plan import load
    from policingplan.services.targets import plan_targets_check

    plan = load(LONDON)
    letters = sorted((out_dir / "letters").glob("*.pdf"))
    assert len(letters) == 32 == len(plan.units)
    targets = {u.unit: u for u in plan_targets_check(plan).units}
    names = {u.code: u.name for u in plan.units}
    for letter in letters:
        code = letter.stem
        text = _flat(pdf_text(letter))
        assert names[code] in text
        assert f"{targets[code].target:,}" in text, code  # its own target, in crimes
        for other, name in names.items():
            if other != code:
                assert name not in text, f"{code}'s letter names {name}"
                assert f"{targets[other].target:,}" not in text, f"{code}'s letter gives {name}'s target"
    assert pdf_info(out_dir / "letters" / "E09000022.pdf")["Tagged"] == "yes"


def test_a_letter_gives_the_partner_target_and_the_basis_of_the_balance(out_dir, pdf_text):
    lambeth = _flat(pdf_text(out_dir / "letters" / "E09000022.pdf"))
    assert "Lambeth Crime and Disorder Reduction Partnership" in lambeth
    assert re.search(MINUS + "8%", lambeth) and "35,758" in lambeth and "binds" in lambeth
    assert "peer group" in lambeth  # the basis of the allocation


def test_the_spreadsheet_numbers_equal_the_targets_json(out_dir):
    import json

    import openpyxl
    from typer.testing import CliRunner

    from policingplan.cli import app

    run = CliRunner().invoke(app, ["targets", str(LONDON), "--json"])
    assert run.exit_code == 0, run.output
    expected = json.loads(run.stdout)
    book = openpyxl.load_workbook(out_dir / "targets.xlsx")
    sheet = book["The 10 British Crime Survey (BC"]
    assert sheet.freeze_panes == "C4"
    header = [c.value for c in sheet[3]]
    rows = {r[0]: dict(zip(header, r)) for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]}
    for unit in expected["units"]:
        row = rows[unit["unit"]]
        assert row["Baseline"] == unit["baseline"]
        assert row["Target change"] == pytest.approx(unit["change"], abs=1e-12)
        assert row["Target 2007/08"] == unit["target"]
    assert rows["E09000022"]["Partner target (crimes)"] == 35758
    assert sheet.cell(4, 6).number_format == "0.0%;-0.0%"


def test_publishing_twice_gives_byte_identical_files(out_dir, tmp_path):
    from policingplan.services.publish import publish

    again = publish(LONDON, tmp_path / "again")
    for item in again.files:
        assert (tmp_path / "again" / item.name).read_bytes() == (out_dir / item.name).read_bytes(), item.name


def test_an_output_folder_holding_other_files_is_not_replaced(tmp_path):
    from policingplan.problems import UserError
    from policingplan.services.publish import publish

    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(UserError, match="mine.txt"):
        publish(LONDON, tmp_path)
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_the_command_publishes_and_lists_what_it_wrote(tmp_path):
    import json

    import typer
    from typer.testing import CliRunner

    from policingplan.cli import publish_cmds

    app = typer.Typer()
    publish_cmds.register(app)

    @app.command("other")
    def _other() -> None:  # two commands, so that Typer keeps the command's name
        pass

    run = CliRunner().invoke(app, ["publish", str(LONDON), "--out", str(tmp_path / "out"), "--since", "0.3",
                                   "--json"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.stdout)
    assert data["since"] == "0.3" and len([f for f in data["files"] if f["name"].startswith("letters/")]) == 32
    bad = CliRunner().invoke(app, ["publish", str(LONDON), "--out", str(tmp_path / "x"), "--since", "9.9"])
    assert bad.exit_code == 1 and "9.9" in bad.output
