"""The data.police.uk download as published: a zip of monthly folders, read by ``data load``
and ``data check`` as the single files inside it."""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policingplan.cli import app
from policingplan.data.files import expand_archives, read_bytes
from policingplan.data.readers import read_source
from policingplan.data.warehouse import Warehouse

runner = CliRunner()


def _city_files(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "city-of-london" / "police-uk-street").glob("*.csv.gz"))


def _archive(path: Path, files: list[Path], *, replace: dict[str, bytes] | None = None) -> Path:
    """A zip laid out as data.police.uk lays it out: one folder a month, with the outcomes and
    stop-and-search files beside each street file."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            name = file.name.removesuffix(".gz")
            month = name[:7]
            member = f"{month}/{name}"
            archive.writestr(member, (replace or {}).get(member, read_bytes(file)))
            archive.writestr(f"{month}/{month}-city-of-london-outcomes.csv",
                             "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
                             "LSOA code,LSOA name,Outcome type\n")
            archive.writestr(f"{month}/{month}-city-of-london-stop-and-search.csv",
                             "Type,Date,Part of a policing operation\n")
    return path


def _warehouse_totals(warehouse: Path) -> Counter:
    records = Warehouse(warehouse).records("police-uk-street").to_pylist()
    totals: Counter = Counter()
    for row in records:
        totals[(row["unit"], row["period"], row["crime_type"], row["outcome"])] += row["count"]
    return totals


def test_the_published_zip_loads_through_the_cli_as_its_single_files_do(data_dir: Path, tmp_path: Path):
    files = _city_files(data_dir)
    archive = _archive(tmp_path / "police.zip", files)
    by_zip = runner.invoke(app, ["data", "load", "police-uk-street", str(archive),
                                 "--warehouse", str(tmp_path / "zip"), "--json"])
    assert by_zip.exit_code == 0, by_zip.output
    singles = runner.invoke(app, ["data", "load", "police-uk-street", *map(str, files),
                                  "--warehouse", str(tmp_path / "singles"), "--json"])
    assert singles.exit_code == 0, singles.output
    zip_totals, single_totals = _warehouse_totals(tmp_path / "zip"), _warehouse_totals(tmp_path / "singles")
    assert zip_totals == single_totals
    assert sum(zip_totals.values()) == 17_340  # every line of the 24 files
    # The other formats in the download were passed over, with a note.
    assert "24 outcomes file(s), another format, passed over" in by_zip.stderr
    assert "24 stop and search file(s), another format, passed over" in by_zip.stderr


def test_data_check_reads_the_zip_and_names_each_member(data_dir: Path, tmp_path: Path):
    archive = _archive(tmp_path / "police.zip", _city_files(data_dir)[:3])
    result = runner.invoke(app, ["data", "check", "police-uk-street", str(archive), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and report["rows"] == 765 + 750 + 755


def test_an_error_inside_the_zip_names_the_archive_the_member_the_line_and_the_column(
        data_dir: Path, tmp_path: Path):
    files = _city_files(data_dir)[:2]
    member = "2021-10/2021-10-city-of-london-street.csv"
    lines = read_bytes(files[1]).decode("utf-8").split("\r\n")
    fields = lines[4].split(",")
    fields[5] = "51.513769a"  # Latitude, line 5
    lines[4] = ",".join(fields)
    archive = _archive(tmp_path / "police.zip", files, replace={member: "\r\n".join(lines).encode()})
    result = runner.invoke(app, ["data", "check", "police-uk-street", str(archive), "--json"])
    assert result.exit_code == 1
    [error] = json.loads(result.stdout)["errors"]
    assert error["file"] == f"{archive}!{member}"
    assert (error["line"], error["column"], error["value"]) == (5, "Latitude", "51.513769a")
    # The load refuses the whole archive: nothing lands.
    load = runner.invoke(app, ["data", "load", "police-uk-street", str(archive),
                               "--warehouse", str(tmp_path / "wh"), "--json"])
    assert load.exit_code == 1
    assert "police.zip!2021-10/2021-10-city-of-london-street.csv" in load.stdout


@pytest.mark.parametrize("cut", ["truncated", "not a zip"])
def test_a_corrupt_or_truncated_zip_is_one_clear_error(data_dir: Path, tmp_path: Path, cut: str):
    archive = _archive(tmp_path / "whole.zip", _city_files(data_dir)[:2])
    data = archive.read_bytes()
    broken = tmp_path / "police.zip"
    broken.write_bytes(data[: len(data) // 2] if cut == "truncated" else b"<html>Service unavailable</html>")
    result = runner.invoke(app, ["data", "check", "police-uk-street", str(broken), "--json"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    [error] = json.loads(result.stdout)["errors"]
    assert error["file"] == str(broken)
    assert "zip archive cannot be opened" in error["message"] and "download it again" in error["message"]


def test_a_member_whose_data_is_damaged_is_refused_by_name(data_dir: Path, tmp_path: Path):
    archive = _archive(tmp_path / "police.zip", _city_files(data_dir)[:1])
    data = bytearray(archive.read_bytes())
    start = data.index(b"2021-09/2021-09-city-of-london-street.csv") + 200  # inside its compressed bytes
    data[start: start + 50] = bytes(50)
    archive.write_bytes(bytes(data))
    [member] = expand_archives("police-uk-street", [archive]).files
    result = read_source("police-uk-street", member)
    assert not result.ok
    [error] = result.problems.errors
    assert error.file == member and "cannot be read" in error.message


def test_a_whole_archive_given_to_the_reader_says_what_to_do(data_dir: Path, tmp_path: Path):
    archive = _archive(tmp_path / "police.zip", _city_files(data_dir)[:2])
    [error] = read_source("police-uk-street", archive).problems.errors
    assert "give it to data load or data check" in error.message
    assert "police.zip!2021-09/2021-09-city-of-london-street.csv" in error.message


def test_the_single_files_of_the_download_still_load(data_dir: Path, tmp_path: Path):
    file = tmp_path / "2021-09-city-of-london-street.csv"
    file.write_bytes(read_bytes(_city_files(data_dir)[0]))
    result = runner.invoke(app, ["data", "check", "police-uk-street", str(file), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["rows"] == 765


def _central_entry(data: bytearray, member: str) -> int:
    """The offset of a member's entry in the archive's central directory."""
    return data.rindex(b"PK\x01\x02", 0, data.rindex(member.encode()))


@pytest.mark.parametrize("field", ["compression method", "version needed"])
def test_a_member_whose_header_is_damaged_is_a_problem_naming_it_not_an_exception(
        data_dir: Path, tmp_path: Path, field: str):
    """Found by fuzzing (tests/fuzz): a damaged byte in a member's entry, a compression method
    or a version that no zip has, made ``ZipFile.testzip`` raise NotImplementedError, which the
    whole archive's check let through; now it names the member, as a bad checksum does."""
    archive = _archive(tmp_path / "police.zip", _city_files(data_dir)[:1])
    data = bytearray(archive.read_bytes())
    member = "2021-09/2021-09-city-of-london-street.csv"
    entry = _central_entry(data, member)
    if field == "compression method":
        data[entry + 10: entry + 12] = (77).to_bytes(2, "little")  # no such method
    else:
        data[entry + 6: entry + 8] = (139).to_bytes(2, "little")  # "version 13.9 needed"
    archive.write_bytes(bytes(data))
    [whole] = read_source("police-uk-street", archive).problems.errors
    assert whole.file == str(archive)
    if field == "compression method":
        assert whole.message.startswith(f"the zip archive is damaged: its member {member} cannot be read")
    else:
        assert whole.message.startswith("the zip archive cannot be opened (zip file version 13.9)")
    assert whole.message.endswith("download it again")
    [error] = read_source("police-uk-street", f"{archive}!{member}").problems.errors
    assert error.file == f"{archive}!{member}" and "cannot be read" in error.message
