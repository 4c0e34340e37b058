"""Uploads refused before any reader reads them (issue 17): too large, of the wrong type (by the name's
ending and by the content), or with a hostile name.  Each gets an error that names the file and says
what is accepted; nothing is loaded, nothing is recorded, and nothing is left in the temporary folder."""

from __future__ import annotations

import gzip
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from policingplan.services import data as data_service
from policingplan.web.loads import upload as uploads
from policingplan.web.models import AuditEntry

from .helpers import csrf_fields, post_raw, summary

pytestmark = pytest.mark.django_db
REASON = "Testing what the form refuses"
NAME_ACCEPTED = "Accepted: a plain file name"


def refused(response, warehouse, upload_tmp) -> list[str]:
    """The error summary's items, after checking that nothing was loaded, recorded or left behind."""
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    assert data_service.warehouse_status(warehouse).loads == []
    assert not AuditEntry.objects.filter(action="data.load").exists()
    assert list(upload_tmp.iterdir()) == []
    assert 'href="#file"' in page and 'id="file"' in page
    return summary(page)


def post(client, name, content, kind="tfl-casualties"):
    return client.post(reverse("data"), {"kind": kind, "reason": REASON, "file": SimpleUploadedFile(name, content)})


# --- too large --------------------------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_as_it_arrives(performance, warehouse, upload_tmp, settings, tfl_file):
    settings.POLICINGPLAN_WEB_UPLOAD_MAX_BYTES = 100_000
    content = tfl_file.read_bytes()
    assert 100_000 < len(content) < 100_000 + uploads.FORM_ALLOWANCE  # stopped by counting its bytes
    items = refused(post(performance, tfl_file.name, content), warehouse, upload_tmp)
    assert items == [f"{tfl_file.name} is larger than 100 KB: choose a file of at most 100 KB (a large file can "
                     "be loaded in parts, a year at a time, or compressed as .csv.gz)"]


def test_a_request_far_over_the_limit_is_refused_before_any_of_the_file_is_stored(
        performance, warehouse, upload_tmp, settings, data_dir):
    settings.POLICINGPLAN_WEB_UPLOAD_MAX_BYTES = 100_000
    dashboard = data_dir / "london" / "mps-crime-dashboard-borough_2021-08_2025-07.csv.gz"
    content = gzip.decompress(dashboard.read_bytes())  # 6 MB of real CSV
    assert len(content) > 100_000 + uploads.FORM_ALLOWANCE  # refused by the request's length
    response = post(performance, dashboard.name.removesuffix(".gz"), content, kind="mps-crime-dashboard")
    items = refused(response, warehouse, upload_tmp)
    assert len(items) == 1 and items[0].startswith(f"{dashboard.name.removesuffix('.gz')} is larger than 100 KB")
    page = response.content.decode()
    assert 'value="mps-crime-dashboard" checked' in page and REASON in page  # the form keeps what was chosen


def test_the_limit_is_200_mb_by_default(settings):
    del settings.POLICINGPLAN_WEB_UPLOAD_MAX_BYTES
    assert uploads.max_bytes() == 200_000_000
    assert data_service.size_words(200_000_000) == "200 MB"


def test_the_service_refuses_a_file_over_its_limit_too(warehouse, upload_tmp, tfl_file):
    with pytest.raises(data_service.UserError) as refusal:
        data_service.load_upload("tfl-casualties", tfl_file.name, tfl_file.open("rb"), max_bytes=50_000,
                                 warehouse_dir=warehouse)
    assert [p.column for p in refusal.value.problems] == ["file size"]
    assert "larger than 50 KB" in str(refusal.value.problems[0])
    assert list(upload_tmp.iterdir()) == [] and not warehouse.exists()


# --- the wrong type -----------------------------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.fixture
def tfl_csv(tfl_file) -> bytes:
    return gzip.decompress(tfl_file.read_bytes())


WRONG_TYPES = {
    # name, content (from the real file), kind, words in the error
    "a PDF by its name": ("tfl-road-casualties-2019.pdf", lambda csv: b"%PDF-1.7\n", "tfl-casualties",
                          "the name does not end .csv or .csv.gz, as a tfl-casualties file must"),
    "an executable by its name": ("tfl-road-casualties-2019.csv.exe", lambda csv: csv, "tfl-casualties",
                                  "the name does not end .csv or .csv.gz"),
    "a zip for a kind that is not published zipped": ("tfl-road-casualties-2019.zip",
                                                      lambda csv: _zip({"a.csv": csv}), "tfl-casualties",
                                                      "the name does not end .csv or .csv.gz"),
    "gzip named .csv": ("tfl-road-casualties-2019.csv", gzip.compress, "tfl-casualties",
                        "the file is compressed (gzip), but its name ends .csv"),
    "text named .csv.gz": ("tfl-road-casualties-2019.csv.gz", lambda csv: csv, "tfl-casualties",
                           "the name ends .csv.gz, but the file is not compressed with gzip"),
    "a workbook named .csv": ("tfl-road-casualties-2019.csv", lambda csv: _zip({"xl/workbook.xml": b"<x/>"}),
                              "tfl-casualties", "the file is a zip archive or an Excel workbook, not CSV text"),
    "an old workbook named .csv": ("tfl-road-casualties-2019.csv", lambda csv: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
                                   + bytes(600), "tfl-casualties", "Excel 97–2003 workbook"),
    "binary named .csv": ("tfl-road-casualties-2019.csv", lambda csv: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
                          "tfl-casualties", "the file holds binary data (a NUL byte), not CSV text"),
    "Latin-1 text named .csv": ("tfl-road-casualties-2019.csv",
                                lambda csv: csv[:400].replace(b"WESTMINSTER", "CAF\u00c9".encode("latin-1")),
                                "tfl-casualties", "the file is not UTF-8 text (line 2, byte C9)"),
    "binary inside a .csv.gz": ("tfl-road-casualties-2019.csv.gz", lambda csv: gzip.compress(bytes(4096)),
                                "tfl-casualties", "inside the gzip file: the file holds binary data"),
    "text named .zip": ("police.zip", lambda csv: csv, "police-uk-street",
                        "the name ends .zip, but the file is not a zip archive"),
    "a zip cut short": ("police.zip", lambda csv: _zip({"2023-01/2023-01-x-street.csv": csv})[:5000],
                        "police-uk-street", "cannot be opened: it may be cut short"),
    "text named .xlsx": ("figures.xlsx", lambda csv: csv, "tidy",
                         "the name ends .xlsx, but the file is not an Excel workbook (.xlsx)"),
    "an empty file": ("tfl-road-casualties-2019.csv", lambda csv: b"", "tfl-casualties", "the file is empty"),
}


@pytest.mark.parametrize("case", list(WRONG_TYPES))
def test_a_file_of_the_wrong_type_is_refused(performance, warehouse, upload_tmp, tfl_csv, case):
    name, make, kind, words = WRONG_TYPES[case]
    items = refused(post(performance, name, make(tfl_csv), kind=kind), warehouse, upload_tmp)
    assert len(items) == 1, items
    assert items[0].startswith(f"{name}, file type: ") and words.lower() in items[0].lower(), items
    assert f"Accepted: {data_service.upload_accepts(kind)}" in items[0]


# --- hostile names ------------------------------------------------------------------------------------

TFL = b"AREFNO,Borough\r\n"  # never read: the name is refused first
HOSTILE = {
    "a path up and out": (b"../../etc/cron.d/x.csv", "the name holds a folder"),
    "a Windows path": (b"..\\..\\x.csv", "the name holds a folder"),
    "only dots": (b"..", "the name holds '..'"),
    "dots inside": (b"x..csv", "the name holds '..'"),
    "an absolute path": (b"/etc/passwd.csv", "the name holds a folder"),
    "a NUL byte": (b"x\x00.csv", "the name holds a control character (\\x00)"),
    "an escape sequence": (b"x\x1b[31m.csv", "the name holds a control character (\\x1b)"),
    "a tab": (b"x\tname.csv", "the name holds a control character (\\x09)"),
    "a right-to-left override": ("report\u202evsc.csv".encode(), "the name holds a control character (\\u202e)"),
    "a hidden file": (b".bashrc.csv", "the name starts with a dot"),
    "an option": (b"-rf.csv", "the name starts with a dash"),
    "a Windows device": (b"CON.csv", "CON is a name that Windows keeps for a device"),
    "another Windows device": (b"lpt1.csv.gz", "LPT1 is a name that Windows keeps for a device"),
    "a Windows stream": (b"x.csv:Zone.Identifier", "a character that file systems refuse (:)"),
    "a trailing dot": (b"x.csv.", "the name ends with a dot"),
    "too long": (b"a" * 252 + b".csv", "the name is 256 bytes long, more than 255"),
    "too long in UTF-8": ("\u00e9".encode() * 126 + b".csv", "the name is 256 bytes long, more than 255"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_file_name_is_refused(performance, warehouse, upload_tmp, case):
    raw, words = HOSTILE[case]
    url = reverse("data")
    fields = {**csrf_fields(performance, url), "kind": "tfl-casualties", "reason": REASON}
    response = post_raw(performance, url, fields, raw, TFL)
    items = refused(response, warehouse, upload_tmp)
    assert any(words.lower() in item.lower() and NAME_ACCEPTED in item for item in items), items
    shown = data_service.shown_name(raw.decode("utf-8"))
    assert all(item.startswith(shown) for item in items), (shown, items)
    assert "Nothing was loaded." in response.content.decode()


def test_a_long_name_is_shown_cut_short(performance, warehouse, upload_tmp):
    url = reverse("data")
    name = "b" * 300 + ".csv"
    response = post_raw(performance, url, {**csrf_fields(performance, url), "kind": "tfl-casualties",
                                            "reason": REASON}, name, TFL)
    items = refused(response, warehouse, upload_tmp)
    assert items[0].startswith("b" * 79 + "…, file name: The name is 304 bytes long")
    assert name not in response.content.decode()


def test_an_ordinary_name_with_spaces_and_brackets_is_accepted():
    assert data_service.upload_name_problems("tfl-casualties", "TfL casualties 2019 (final).csv") == []
    assert data_service.upload_name_problems("police-uk-street", "2023-01-city-of-london-street.csv.gz") == []
    assert data_service.upload_name_problems("police-uk-street", "b94f3a.zip") == []
    assert data_service.upload_name_problems("tidy", "Force figures.XLSX") == []


def test_a_request_that_cannot_be_parsed_is_a_clear_error_not_a_500(performance, warehouse, upload_tmp):
    response = performance.generic("POST", reverse("data"), b"--x\r\nnot a part",
                                   content_type="multipart/form-data; boundary=")
    assert response.status_code == 400
    assert summary(response.content.decode()) == [
        "The form could not be read. Choose the file and send the form again."]
    assert data_service.warehouse_status(warehouse).loads == []
