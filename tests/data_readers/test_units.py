"""Borough names, however a publisher spells them, map to ONS codes."""

from __future__ import annotations

import pytest

from policingplan.data.units import LONDON_BOROUGHS, suggest_unit, unit_code


@pytest.mark.parametrize("name", [
    "Kingston upon Thames", "KINGSTON UPON THAMES", "Kingston Upon Thames", "Kingston-upon-Thames",
    "KINGSTON-UPON-THAMES", " kingston upon thames ", "Royal Borough of Kingston upon Thames", "E09000021",
])
def test_kingston_however_spelt(name: str):
    assert unit_code(name) == "E09000021"


@pytest.mark.parametrize("name,code", [
    ("City of Westminster", "E09000033"), ("WESTMINSTER", "E09000033"),
    ("BARKING & DAGENHAM", "E09000002"), ("Hammersmith & Fulham", "E09000013"),
    ("City of London", "E09000001"), ("London Heathrow and London City Airports", "MPS-AIRPORTS"),
    ("Unknown", "MPS-UNKNOWN"), ("England and Wales", "K04000001"), ("Met Police Area", "E12000007"),
])
def test_other_spellings_and_areas(name: str, code: str):
    assert unit_code(name) == code


def test_every_borough_name_maps_to_its_own_code():
    assert len(LONDON_BOROUGHS) == 33
    for code, name in LONDON_BOROUGHS.items():
        assert unit_code(name) == code
        assert unit_code(name.upper()) == code


def test_unknown_names_are_none_with_a_close_suggestion():
    assert unit_code("Kingstn upon Thames") is None
    assert suggest_unit("Kingstn upon Thames") == "Kingston upon Thames"
    assert suggest_unit("Lambth") == "Lambeth"
    assert suggest_unit("Gotham") is None
