"""The service behind the page (policingplan.services.data.load_upload and its checks), on real files."""

from __future__ import annotations

import gzip
import io
import zipfile

import pytest

from policingplan.services import data as data_service

pytestmark = pytest.mark.django_db
STREET = "city-of-london/police-uk-street"


def test_the_portals_zip_loads_each_monthly_file_under_the_uploaded_name(performance, warehouse, upload_tmp,
                                                                         data_dir):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    buffer = io.BytesIO()
    months = ("2021-09", "2021-10")
    with zipfile.ZipFile(buffer, "w") as archive:
        for month in months:
            name = f"{month}-city-of-london-street.csv"
            archive.writestr(f"{month}/{name}", gzip.decompress((data_dir / STREET / f"{name}.gz").read_bytes()))
        archive.writestr("2021-09/2021-09-city-of-london-outcomes.csv", "Crime ID,Month\n")
    response = performance.post(reverse("data"), {
        "kind": "police-uk-street", "reason": "Two months from the police data portal",
        "file": SimpleUploadedFile("b94f3a.zip", buffer.getvalue())})
    assert response.status_code == 302, response.content.decode()[:3000]
    status = data_service.warehouse_status(warehouse)
    assert [(e.file, e.first_period) for e in status.loads] == [
        (f"{month}-city-of-london-street.csv", month) for month in months]
    page = performance.get(reverse("data-loaded")).content.decode()
    assert "September 2021 to October 2021" in page and "b94f3a.zip!2021-09/2021-09-city-of-london-street.csv" in page
    assert str(upload_tmp) not in page and list(upload_tmp.iterdir()) == []


def test_a_multibyte_character_cut_by_the_sniff_is_still_text():
    head = b"a,b\n" + b"x" * (data_service.UPLOAD_SNIFF_BYTES - 5) + "\u00e9".encode()
    assert len(head) == data_service.UPLOAD_SNIFF_BYTES + 1
    cut = head[: data_service.UPLOAD_SNIFF_BYTES]
    assert data_service.upload_type_problems("tidy", "x.csv", cut, size=len(head)) == []
    # ...but a file that ends there is not UTF-8.
    [problem] = data_service.upload_type_problems("tidy", "x.csv", cut, size=len(cut))
    assert "not UTF-8 text" in problem.message


def test_the_result_never_names_the_temporary_file(warehouse, upload_tmp, data_dir):
    raw = (data_dir / "london" / "tfl-road-casualties-2019.csv.gz").read_bytes()
    result = data_service.load_upload("tfl-casualties", "tfl-road-casualties-2019.csv.gz", raw[:5000],
                                      warehouse_dir=warehouse)
    assert not result.ok
    assert [p.file for p in result.errors] == ["tfl-road-casualties-2019.csv.gz"]
    assert str(upload_tmp) not in result.model_dump_json() and "policingplan-upload-" not in result.model_dump_json()
    assert list(upload_tmp.iterdir()) == []


def test_an_unknown_kind_is_refused_before_anything_is_written(warehouse, upload_tmp):
    with pytest.raises(data_service.UserError, match="unknown source kind 'crimes'"):
        data_service.load_upload("crimes", "x.csv", b"a,b\n1,2\n", warehouse_dir=warehouse)
    assert list(upload_tmp.iterdir()) == [] and not warehouse.exists()
