"""The GLA and ONS readers check every column: codes against names, years, values,
age bands against all ages, males and females against persons, and each key once."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

from policingplan.data.files import open_text
from policingplan.data.readers import read_source

GLA = "gla-recorded-offences-by-borough-fy_1999-00_2009-10.csv.gz"
ONS = "ons-population-lsoa-mid2020.csv.gz"


def _lines(path: Path) -> list[str]:
    with open_text(path) as handle:
        return handle.read().splitlines()


def _write(path: Path, lines: list[str], *, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + ("\n".join(lines) + "\n").encode("utf-8"))
    return path


def test_every_code_and_name_pair_of_the_real_gla_files_is_one_area(london_dir: Path):
    for name in (GLA, "gla-crime-rates-by-borough-fy_1999-00_2009-10.csv.gz"):
        with open_text(london_dir / name) as handle:
            pairs = {(r["Code"], r["Borough"]) for r in csv.DictReader(handle)}
        assert len(pairs) == 37  # 32 boroughs, Heathrow, Inner, Outer, Met Police Area, E&W
        result = read_source("gla-borough-fy", london_dir / name)
        assert result.ok and not result.problems.errors
        units = {r["unit"] for r in result.table.to_pylist()}
        assert {"E12000007", "E13000001", "E13000002", "K04000001"} <= units
        # Heathrow has offences but no rate (no residents): its rates are n/a, left out.
        assert ("MPS-HEATHROW" in units) == (name == GLA)


def test_gla_header_in_another_spelling_with_a_bom_and_a_trailing_empty_column(london_dir: Path, tmp_path: Path):
    header, *rows = _lines(london_dir / GLA)
    lines = ["CODE , borough,YEAR,value ,"] + [row + "," for row in rows]
    result = read_source("gla-borough-fy", _write(tmp_path / "gla-offences.csv", lines, bom=True))
    assert result.ok, [str(p) for p in result.problems]
    assert not [w for w in result.problems.warnings if "not read" in w.message]
    original = read_source("gla-borough-fy", london_dir / GLA)
    assert sorted(map(str, result.table.to_pylist())) == sorted(map(str, original.table.to_pylist()))


def test_gla_unknown_extra_column_is_a_warning_and_a_missing_one_an_error(london_dir: Path, tmp_path: Path):
    header, *rows = _lines(london_dir / GLA)
    result = read_source("gla-borough-fy", _write(tmp_path / "gla-offences.csv",
                                                  [header + ",Notes"] + [r + ",x" for r in rows[:5]]))
    assert result.ok
    [warning] = result.problems.warnings
    assert warning.column == "Notes" and "not read" in warning.message
    result = read_source("gla-borough-fy", _write(tmp_path / "gla-offences.csv",
                                                  ["Code,Borugh,Year,Value"] + rows[:5]))
    [error] = result.problems.errors
    assert error.column == "Borough" and error.value == "Borugh" and "misspelt" in error.message


def test_gla_repeated_area_and_year_names_both_lines(london_dir: Path, tmp_path: Path):
    header, *rows = _lines(london_dir / GLA)
    # The same area by its other name and the same year, as YYYY/YY, with another value.
    code, borough, year, value = rows[0].split(",")
    copy = f"{code},BARKING & DAGENHAM,{year[:4]}/{(int(year[2:4]) + 1) % 100:02d},{int(value) + 1}"
    result = read_source("gla-borough-fy", _write(tmp_path / "gla-offences.csv", [header, *rows[:3], copy]))
    [error] = result.problems.errors
    assert (error.line, error.column) == (5, "Borough") and "line 2 has" in error.value
    copy = f"{code},{borough},{year[:4]}/{(int(year[2:4]) + 1) % 100:02d},{value}"
    result = read_source("gla-borough-fy", _write(tmp_path / "gla-offences.csv", [header, *rows[:3], copy]))
    [error] = result.problems.errors
    assert (error.line, error.column) == (5, "Code") and "first on line 2" in error.value


def test_the_real_ons_files_add_up_exactly(london_dir: Path):
    # Counted independently: every age band adds up to all ages, and males and females to persons.
    for name in (ONS, "ons-population-lsoa-mid2019.csv.gz"):
        with open_text(london_dir / name) as handle:
            rows = list(csv.DictReader(handle))
        bands = ["0-15", "16-29", "30-44", "45-64", "65+"]
        for row in rows:
            for group in ("Persons", "Males", "Females"):
                assert sum(int(row[f"{group}_{b}"]) for b in bands) == int(row[f"{group}_All-Ages"])
            for band in ["All-Ages", *bands]:
                assert int(row[f"Males_{band}"]) + int(row[f"Females_{band}"]) == int(row[f"Persons_{band}"])
        result = read_source("ons-lsoa-population", london_dir / name)
        assert result.ok and not list(result.problems)
        assert sum(r["all_ages"] for r in result.table.to_pylist()) == sum(int(r["Persons_All-Ages"]) for r in rows)


def test_ons_one_wrong_count_is_named_where_its_two_sums_cross(london_dir: Path, tmp_path: Path):
    header, *rows = _lines(london_dir / ONS)
    names = header.split(",")
    fields = rows[9].split(",")
    at = names.index("Females_30-44")
    fields[at] = str(int(fields[at]) + 7)
    path = _write(tmp_path / "ons-population-lsoa-mid2020.csv", [header, *rows[:9], ",".join(fields)])
    [error] = read_source("ons-lsoa-population", path).problems.errors
    assert (error.line, error.column) == (11, "Females_30-44")
    assert "females' age bands add up to" in error.message
    assert "males and females aged 30-44" in error.message


def test_ons_release_spellings_are_accepted(london_dir: Path, tmp_path: Path):
    header, *rows = _lines(london_dir / ONS)
    # ONS's own workbooks write "LSOA Code", "LSOA Name", "All Ages" and the persons' bands bare.
    spelt = (header.replace("LSOA11CD", "LSOA Code").replace("LSOA11NM", "lsoa name")
             .replace("LAD11CD", "LA Code (2021 boundaries)").replace("LAD11NM", "LA name (2021 boundaries)")
             .replace("Persons_All-Ages", "All Ages").replace("Persons_0-15", "0-15"))
    path = _write(tmp_path / "ons-population-lsoa-mid2020.csv", [spelt, *rows])
    result = read_source("ons-lsoa-population", path)
    assert result.ok and not list(result.problems), [str(p) for p in result.problems]
    original = read_source("ons-lsoa-population", london_dir / ONS)
    assert result.table.sort_by("unit").equals(original.table.sort_by("unit"))


def test_ons_minimal_layout_is_read_and_a_missing_band_is_named(tmp_path: Path):
    lines = ["LSOA11CD,LAD11CD,Persons_All-Ages,Persons_0-15",
             "E01000001,E09000001,1749,296", "E01000002,e09000001,1678,264"]
    result = read_source("ons-lsoa-population", _write(tmp_path / "pop-mid2020.csv", lines))
    assert result.ok
    assert result.table.to_pylist() == [{"unit": "E09000001", "period": "2020", "period_kind": "year",
                                         "all_ages": 3427, "age_0_15": 560}]
    result = read_source("ons-lsoa-population", _write(tmp_path / "pop-mid2020.csv",
                                                        ["LSOA11CD,LAD11CD,Persons_All-Ages,Persons_0-14",
                                                         "E01000001,E09000001,1749,296"]))
    [error] = result.problems.errors
    assert error.column == "Persons_0-15" and error.value == "Persons_0-14"


def test_ons_the_same_lsoa_with_other_figures_names_both_lines(london_dir: Path, tmp_path: Path):
    header, *rows = _lines(london_dir / ONS)
    fields = rows[0].split(",")
    fields[7] = str(int(fields[7]) + 1)  # Persons_0-15
    path = _write(tmp_path / "ons-population-lsoa-mid2020.csv", [header, *rows[:5], ",".join(fields)])
    errors = read_source("ons-lsoa-population", path).problems.errors
    repeated = [e for e in errors if "repeated" in e.message]
    assert [(e.line, e.column) for e in repeated] == [(7, "Persons_0-15")]
    assert "line 2 has 296" in repeated[0].value
