"""The data page: a real file uploaded by the performance team is read by the same readers as
`policingplan data load` into the warehouse the pages show; a bad file is refused whole with
every problem listed, and nothing changes."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from policingplan.services import data as data_service
from policingplan.web import figures
from policingplan.web.models import AuditEntry

from .conftest import TFL
from .helpers import summary

pytestmark = pytest.mark.django_db
REASON = "The 2019 road casualty extract, published by TfL"


def upload(client, name: str, content: bytes, kind: str = "tfl-casualties", reason: str = REASON):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("data"), {"kind": kind, "reason": reason,
                                         "file": SimpleUploadedFile(name, content)})


def state(warehouse: Path, plan) -> tuple[dict, list]:
    """The warehouse's status and the plan's road casualty measure values."""
    status = data_service.warehouse_status(warehouse).model_dump()
    try:
        values = data_service.measures(plan, warehouse, measure="road-ksi").model_dump()["rows"]
    except Exception as exc:  # noqa: BLE001 (no data yet: the error's words are the state)
        values = [str(exc)]
    return status, values


@pytest.fixture
def plan(web_plan_dir):
    return data_service.load_plan(web_plan_dir)


def test_a_real_file_loads_through_the_page_into_a_fresh_warehouse(performance, warehouse, upload_tmp, tfl_file,
                                                                   plan):
    assert data_service.warehouse_status(warehouse).loads == []
    figures._cached(("probe",), lambda: "a figure the pages had cached")
    response = upload(performance, tfl_file.name, tfl_file.read_bytes())
    assert response.status_code == 302 and response["Location"] == reverse("data-loaded")
    # In the warehouse the pages show: the file as the command line loads it, under its own name.
    status = data_service.warehouse_status(warehouse)
    assert [(e.kind, e.file, e.first_period, e.last_period) for e in status.loads] == [
        ("tfl-casualties", tfl_file.name, "2019", "2019")]
    loaded = status.loads[0]
    checked = data_service.check_files("tfl-casualties", [tfl_file])
    assert loaded.rows_read == checked.rows == 30_007
    # The published figure: 3,905 people killed or seriously injured in London in 2019.
    values = data_service.measures(plan, warehouse, measure="road-ksi", unit="force").rows
    assert [(row.month, row.value) for row in values] == [("2019", 3905)]
    # The cached figures are forgotten, so that every page shows the new data.
    assert figures._cache == {}
    # The confirmation, once.
    page = performance.get(reverse("data-loaded")).content.decode()
    assert '<div class="panel">' in page and "Data loaded" in page
    assert f"{loaded.rows_accepted:,} rows of <code>tfl-casualties</code>" in page
    assert tfl_file.name in page and "30,007 read" in page and REASON in page
    assert performance.get(reverse("data-loaded")).status_code == 302  # shown once
    # The audit trail: who, why, what, and the rows before and after.
    entry = AuditEntry.objects.get(action="data.load")
    assert (entry.who, entry.action, entry.why) == (performance.user, "data.load", REASON)
    assert entry.what == f"Loaded {tfl_file.name} (tfl-casualties): {loaded.rows_accepted:,} rows, 2019"
    assert entry.before == {"loads": 0, "rows_held": {}}
    assert entry.after["rows_held"] == {"tfl-casualties": status.sources[0].rows} and entry.after["loads"] == 1
    assert entry.after["rows_accepted"] == loaded.rows_accepted == 30_007
    assert entry.after["sha256"] == [loaded.sha256] and entry.object_id == str(loaded.load_id)
    # The data page lists it, and the upload left no file behind.
    listing = performance.get(reverse("data")).content.decode()
    assert tfl_file.name in listing and "2019" in listing
    assert list(upload_tmp.iterdir()) == []


def test_the_same_file_again_changes_nothing_and_records_nothing(performance, warehouse, tfl_file):
    assert upload(performance, tfl_file.name, tfl_file.read_bytes()).status_code == 302
    performance.get(reverse("data-loaded"))
    before = data_service.warehouse_status(warehouse).model_dump()
    again = upload(performance, tfl_file.name, tfl_file.read_bytes())
    assert again.status_code == 302
    page = performance.get(reverse("data-loaded")).content.decode()
    assert "Already loaded" in page and "nothing changed" in page
    assert data_service.warehouse_status(warehouse).model_dump() == before
    assert AuditEntry.objects.filter(action="data.load").count() == 1


def test_a_damaged_row_is_shown_with_its_line_and_nothing_changes(performance, warehouse, upload_tmp, tfl_file,
                                                                  tfl_damaged, plan):
    assert upload(performance, tfl_file.name, tfl_file.read_bytes()).status_code == 302
    figures._cached(("probe",), lambda: "kept: nothing changed")
    before = state(warehouse, plan)
    assert before[1] and before[1][0] != "no data"
    response = upload(performance, tfl_file.name.replace("2019", "2019-corrected"), tfl_damaged)
    assert response.status_code == 200
    page = response.content.decode()
    items = summary(page)
    assert any("line 101" in item and "4 GRAZED" in item for item in items), items
    assert "Nothing was loaded." in page and "the data is as it was" in page
    assert 'autofocus' in page and 'href="#file"' in page
    # The reader's own words, as `policingplan data check` gives them.
    checked = data_service.check_files("tfl-casualties", [_write(upload_tmp.parent / "copy.csv.gz", tfl_damaged)])
    assert [e.line for e in checked.errors] == [101]
    error = checked.errors[0]
    assert error.message[0].upper() + error.message[1:] in page
    assert f"Accepted: {error.accepted}".replace("'", "&#x27;") in page and error.column in page
    assert state(warehouse, plan) == before
    assert AuditEntry.objects.filter(action="data.load").count() == 1  # the first load only
    assert figures._cache  # nothing changed, so nothing was forgotten
    assert list(upload_tmp.iterdir()) == []


def test_a_truncated_gzip_is_refused_and_nothing_changes(performance, warehouse, tfl_file, plan):
    assert upload(performance, tfl_file.name, tfl_file.read_bytes()).status_code == 302
    before = state(warehouse, plan)
    raw = tfl_file.read_bytes()
    response = upload(performance, tfl_file.name, raw[: len(raw) // 2])
    assert response.status_code == 200
    items = summary(response.content.decode())
    assert any(tfl_file.name in item and "cut short" in item for item in items), items
    assert state(warehouse, plan) == before


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def test_a_file_of_another_kind_is_refused_by_the_reader(performance, warehouse, data_dir):
    homicides = data_dir / "london" / "mps-homicide-victims_2003-2023.csv.gz"
    response = upload(performance, homicides.name, homicides.read_bytes(), kind="tfl-casualties")
    assert response.status_code == 200
    items = summary(response.content.decode())
    assert items and all(item.startswith(homicides.name) for item in items), items
    assert data_service.warehouse_status(warehouse).loads == []


def test_the_form_without_a_kind_a_reason_or_a_file_says_what_is_missing(performance, warehouse):
    response = performance.post(reverse("data"), {})
    assert response.status_code == 200
    page = response.content.decode()
    assert summary(page) == ["Choose the kind of file", "Choose a file to load", "Say why you are loading this file"]
    first = data_service.load_plan(Path(figures.plan_dir())).data_sources[0].kind
    assert f'href="#kind-{first}"' in page and f'id="kind-{first}"' in page
    assert 'href="#reason"' in page and 'id="reason"' in page and 'href="#file"' in page
    assert "<title>Error: Data" in page


def test_a_reason_is_required_and_the_file_is_not_loaded_without_one(performance, warehouse, tfl_file):
    response = upload(performance, tfl_file.name, tfl_file.read_bytes(), reason="   ")
    assert summary(response.content.decode()) == ["Say why you are loading this file"]
    assert data_service.warehouse_status(warehouse).loads == []


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(make_user, warehouse, tfl_file):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("performance"))
    response = client.post(reverse("data"), {"kind": "tfl-casualties", "reason": REASON,
                                             "file": SimpleUploadedFile(tfl_file.name, tfl_file.read_bytes())})
    assert response.status_code == 403
    assert data_service.warehouse_status(warehouse).loads == []
    assert AuditEntry.objects.filter(action="data.load").count() == 0


@pytest.mark.parametrize("role", ["viewer", "commander", "investment"])
def test_other_roles_see_what_is_held_but_no_form_and_may_not_load(client, make_user, role, tfl_file):
    client.force_login(make_user(role, "lambeth" if role == "commander" else None))
    page = client.get(reverse("data")).content.decode()
    assert "What is held" in page and "mps-borough-monthly" in page  # the session's warehouse, read only
    assert 'type="file"' not in page and "Load a file" not in page
    from django.core.files.uploadedfile import SimpleUploadedFile

    refused = client.post(reverse("data"), {"kind": "tfl-casualties", "reason": REASON,
                                            "file": SimpleUploadedFile(tfl_file.name, tfl_file.read_bytes())})
    assert refused.status_code == 403


def test_the_page_says_a_large_file_takes_time_and_names_the_limit(performance, warehouse, settings):
    settings.POLICINGPLAN_WEB_UPLOAD_MAX_BYTES = 150 * 1000 * 1000
    page = performance.get(reverse("data")).content.decode()
    assert "Loading can take a minute for a large file." in page
    assert "At most 150 MB." in page
    assert "No data is loaded yet" in page and "No file has been loaded yet." in page
    assert 'enctype="multipart/form-data"' in page


def test_an_administrator_may_load_too(client, make_user, warehouse, data_dir):
    client.force_login(make_user("administrator"))
    offences = data_dir / "london" / "gla-recorded-offences-by-borough-fy_1999-00_2009-10.csv.gz"
    response = upload(client, offences.name, offences.read_bytes(), kind="gla-borough-fy",
                      reason="The GLA's offences by borough, for the 2007/08 baseline")
    assert response.status_code == 302
    page = client.get(reverse("data-loaded")).content.decode()
    assert "1999/00 to 2009/10" in page
    assert [e.file for e in data_service.warehouse_status(warehouse).loads] == [offences.name]
    assert AuditEntry.objects.get(action="data.load").who_name == "administrator-all"


def test_a_plain_csv_loads_as_its_gzip_would(performance, warehouse, data_dir):
    homicides = data_dir / "london" / "mps-homicide-victims_2003-2023.csv.gz"
    plain = gzip.decompress(homicides.read_bytes())
    response = upload(performance, homicides.name.removesuffix(".gz"), plain, kind="mps-homicide-victims")
    assert response.status_code == 302
    [entry] = data_service.warehouse_status(warehouse).loads
    assert entry.file == "mps-homicide-victims_2003-2023.csv" and entry.rows_read == 2670
