"""Malformed (and valid but changed) police.uk street-level files, cut from the City of London's
real file for September 2021 and the Metropolitan fixtures of other years.  The rules are in
``docs/formats/police-uk-street.md``.

In the City cut, line 2 is a drugs crime in Camden 024B (E01000938), lines 6 to 8 are
anti-social behaviour in City of London 001A (E01000001), and lines 9 to 37 crimes there.
"""

from __future__ import annotations

from . import Case

KIND = "police-uk-street"
CITY = "data/city-of-london/police-uk-street/2021-09-city-of-london-street.csv.gz"
MET_2010 = "tests/data_readers/fixtures/years/police-uk-street-2010-12-metropolitan.csv"
MET_2012 = "tests/data_readers/fixtures/years/police-uk-street-2012-01-metropolitan.csv"


def _case(name: str, edits=(), refused_at=None, message=None, base=CITY, append=None) -> Case:
    return Case(name=f"street-{name}", kind=KIND, base=base, edits=tuple(edits), append=append,
                refused_at=refused_at, message=message)


CASES = [
    # Crime ID
    _case("crime-id-short", [(9, "Crime ID", "e622fe5804ad")], (9, "Crime ID"), "not a crime ID"),
    _case("crime-id-upper-case", [(9, "Crime ID", "E622FE5804AD2293B0CBBB35641F129EBDA730096674A1BE301A50A87519D1C2")],
          (9, "Crime ID"), "not a crime ID"),
    _case("crime-id-blank-on-a-crime", [(9, "Crime ID", "")], (9, "Crime ID"), "a crime without a crime ID"),
    _case("crime-id-on-anti-social-behaviour", [(6, "Crime ID", "ab" * 32)], (6, "Crime ID"),
          "anti-social behaviour with a crime ID"),
    _case("crime-id-blank-everywhere-as-in-2010-is-accepted", base=MET_2010),
    # Month
    _case("month-13", [(9, "Month", "2021-13")], (9, "Month"), "not a real month"),
    _case("month-as-date", [(9, "Month", "01/09/2021")], (9, "Month"), "not a real month"),
    # Reported by, Falls within
    _case("reported-by-unknown-force", [(9, "Reported by", "City of Londn Police")], (9, "Reported by"),
          "not a force"),
    _case("falls-within-blank", [(9, "Falls within", "")], (9, "Falls within"), "not a force"),
    _case("falls-within-upper-case-is-accepted", [(9, "Falls within", "CITY OF LONDON POLICE")]),
    # Longitude, Latitude
    _case("latitude-absurd", [(9, "Latitude", "1000000000000")], (9, "Latitude"), "not a latitude"),
    _case("latitude-with-a-letter", [(9, "Latitude", "51.513769a")], (9, "Latitude"), "not a latitude"),
    _case("longitude-in-the-atlantic", [(9, "Longitude", "-20.5")], (9, "Longitude"), "not a longitude"),
    _case("longitude-blank-latitude-given", [(9, "Longitude", "")], (9, "Longitude"),
          "the latitude is given but not the longitude"),
    # Location
    _case("location-not-on-or-near", [(9, "Location", "Parking Area")], (9, "Location"), "not a location"),
    _case("location-none-with-coordinates", [(9, "Location", "No Location")], (9, "Location"),
          "the location and the coordinates disagree"),
    # LSOA code
    _case("lsoa-code-shape", [(9, "LSOA code", "E1000001")], (9, "LSOA code"), "not an LSOA code"),
    _case("lsoa-code-does-not-exist-in-london", [(9, "LSOA code", "E01000004")], (9, "LSOA code"),
          "no such London LSOA"),
    _case("lsoa-code-of-another-borough", [(2, "LSOA code", "E01000001"), (2, "LSOA name", "Camden 024B")],
          (2, "LSOA code"), "no such London LSOA"),
    _case("lsoa-code-blank-with-coordinates", [(9, "LSOA code", "")], (9, "LSOA code"),
          "the LSOA code and the coordinates disagree"),
    # LSOA name
    _case("lsoa-name-shape", [(9, "LSOA name", "City of London")], (9, "LSOA name"), "not an LSOA name"),
    _case("lsoa-name-other-than-the-code-has", [(9, "LSOA name", "City of London 001B")], (9, "LSOA name"),
          "another name"),
    # Crime type
    _case("crime-type-blank", [(9, "Crime type", "")], (9, "Crime type"), "the crime type is blank"),
    _case("crime-type-new-is-accepted-with-a-warning", [(9, "Crime type", "Cycle theft")]),
    _case("crime-type-upper-case-is-accepted", [(9, "Crime type", "BICYCLE THEFT")]),
    # Last outcome category
    _case("outcome-on-anti-social-behaviour", [(6, "Last outcome category", "Under investigation")],
          (6, "Last outcome category"), "anti-social behaviour with an outcome"),
    _case("outcome-blank-on-a-crime-as-in-2012-is-accepted", [(9, "Last outcome category", "")]),
    # Context: free text, whatever it holds
    _case("context-free-text-is-accepted", [(9, "Context", "Reported via the City's online form, 3 items")]),
    _case("context-control-character", [(9, "Context", "note\x07")], (9, "Context"), "not free text"),
    _case("context-runaway-length", [(9, "Context", "x" * 2_001)], (9, "Context"), "not free text"),
    # The key: a crime ID names one crime
    _case("crime-id-repeated-with-another-crime-type", append=(9, (("Crime type", "Robbery"),)),
          refused_at=(41, "Crime type"), message="repeated crime ID"),
    _case("crime-id-repeated-in-another-month", append=(9, (("Month", "2021-10"),)),
          refused_at=(41, "Month"), message="repeated crime ID"),
    _case("crime-id-repeated-by-another-force", append=(9, (("Falls within", "Kent Police"),
                                                            ("Reported by", "Kent Police"))),
          refused_at=(41, "Reported by"), message="repeated crime ID"),
    _case("crime-id-repeated-with-another-location-is-accepted",
          append=(9, (("Location", "On or near Cheapside"), ("Last outcome category", "Under investigation")))),
    _case("identical-line-repeated-is-accepted", append=(9, ())),
    # Other years
    _case("met-2012-violent-crime-blank-id", [(29, "Crime ID", "")], (29, "Crime ID"),
          "a crime without a crime ID", base=MET_2012),
]
