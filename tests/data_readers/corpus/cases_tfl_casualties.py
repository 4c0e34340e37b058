"""Malformed (and valid but changed) TfL casualty files, cut from the real 2019 extract and the
2013 and 2018 fixtures.  The rules are in ``docs/formats/tfl-casualties.md``."""

from __future__ import annotations

from . import Case

KIND = "tfl-casualties"
T2019 = "data/london/tfl-road-casualties-2019.csv.gz"
T2018 = "tests/data_readers/fixtures/years/tfl-casualties-2018.csv"
T2013 = "tests/data_readers/fixtures/years/tfl-casualties-2013.csv"


def _case(name: str, edits=(), refused_at=None, message=None, base=T2019, append=None) -> Case:
    return Case(name=f"tfl-{name}", kind=KIND, base=base, edits=tuple(edits), append=append,
                refused_at=refused_at, message=message)


CASES = [
    # AREFNO
    _case("reference-letters", [(5, "AREFNO", "11901522X0")], (5, "AREFNO"), "not an accident reference"),
    _case("reference-future-year", [(5, "AREFNO", "1990152270")], (5, "AREFNO"), "not an accident reference"),
    _case("reference-unknown-force", [(5, "AREFNO", "7190152270")], (5, "AREFNO"), "not an accident reference"),
    _case("reference-2013-shape-is-accepted", [(5, "AREFNO", "0119LA52270")]),
    # Borough and Boro
    _case("borough-not-london", [(5, "Borough", "SURREY HEATH")], (5, "Borough"), "not a London borough"),
    _case("borough-blank", [(5, "Borough", "")], (5, "Borough"), "not a London borough"),
    _case("borough-other-than-code", [(5, "Borough", "CAMDEN")], (5, "Boro"), "borough code"),
    _case("boro-out-of-range", [(5, "Boro", "33")], (5, "Boro"), "not a TfL borough code"),
    _case("boro-of-another-borough", [(5, "Boro", "8")], (5, "Boro"), "not the code of the borough"),
    _case("boro-leading-zero-is-accepted", [(5, "Boro", "09")]),
    # Easting and Northing
    _case("easting-outside-london", [(5, "Easting", "430219")], (5, "Easting"), "out of range"),
    _case("easting-decimal", [(5, "Easting", "530219.5")], (5, "Easting"), "not a whole number"),
    _case("northing-negative", [(5, "Northing", "-172463")], (5, "Northing"), "negative"),
    _case("northing-differs-within-accident", [(3, "Northing", "180408")], (3, "Northing"),
          "rows of one accident"),
    # CREFNO
    _case("crefno-zero", [(5, "CREFNO", "0")], (5, "CREFNO"), "out of range"),
    _case("crefno-text", [(5, "CREFNO", "one")], (5, "CREFNO"), "not a whole number"),
    # Casualty Class
    _case("class-unknown-code", [(5, "Casualty Class", "4 CYCLIST")], (5, "Casualty Class"),
          "not a casualty class code"),
    _case("class-pedestrian-by-car", [(5, "Casualty Class", "3 PEDESTRIAN")], (5, "Mode of Travel"),
          "disagree about a pedestrian"),
    _case("class-title-case-is-accepted", [(5, "Casualty Class", "1 Driver/Rider")]),
    # Casualty Sex
    _case("sex-code-and-label-disagree", [(5, "Casualty Sex", "1 FEMALE")], (5, "Casualty Sex"),
          "not a casualty sex code"),
    _case("sex-blank", [(5, "Casualty Sex", "")], (5, "Casualty Sex"), "blank"),
    _case("sex-unknown-without-apostrophe-is-accepted", [(5, "Casualty Sex", "-1 Unknown")]),
    # Casualty Age (Banded) and Casualty Age
    _case("band-unknown", [(5, "Casualty Age (Banded)", "16-25")], (5, "Casualty Age (Banded)"),
          "not an age band"),
    _case("band-disagrees-with-age", [(5, "Casualty Age (Banded)", "0-15")], (5, "Casualty Age"),
          "outside its age band"),
    _case("age-with-letters", [(5, "Casualty Age", "24a")], (5, "Casualty Age"), "not a whole number"),
    _case("age-impossible", [(5, "Casualty Age", "130")], (5, "Casualty Age"), "impossible"),
    _case("age-blank-with-known-band", [(5, "Casualty Age", "")], (5, "Casualty Age"), "blank"),
    _case("age-given-with-band-u", [(3, "Casualty Age", "40")], (3, "Casualty Age"), "not known"),
    _case("age-zero-with-band-u-is-accepted", [(3, "Casualty Age", "0")]),
    # No. of Casualties
    _case("casualties-absurd", [(5, "No. of Casualties", "1000000000000")], (5, "No. of Casualties"),
          "out of range"),
    _case("casualties-negative", [(5, "No. of Casualties", "-1")], (5, "No. of Casualties"),
          "negative"),
    _case("casualties-with-letter", [(5, "No. of Casualties", "12a")], (5, "No. of Casualties"),
          "not a whole number"),
    _case("casualties-zero", [(5, "No. of Casualties", "0")], (5, "No. of Casualties"), "out of range"),
    _case("casualties-differ-within-accident", [(3, "No. of Casualties", "2")], (3, "No. of Casualties"),
          "rows of one accident"),
    # Casualty Severity
    _case("severity-unknown", [(5, "Casualty Severity", "4 MINOR")], (5, "Casualty Severity"),
          "not a casualty severity code"),
    _case("severity-title-case-is-accepted", [(5, "Casualty Severity", "3 Slight")]),
    # Ped Location and Ped Movement
    _case("ped-location-unknown-code", [(7, "Ped Location", "11 ON PAVEMENT")], (7, "Ped Location"),
          "not a pedestrian location code"),
    _case("ped-movement-blank-is-accepted", [(7, "Ped Movement", "")]),
    _case("ped-movement-unknown-code", [(7, "Ped Movement", "'-3 NOT APPLICABLE")], (7, "Ped Movement"),
          "not a pedestrian movement code"),
    # Mode of Travel
    _case("mode-unknown", [(5, "Mode of Travel", "10 TRAM")], (5, "Mode of Travel"), "not a mode of travel code"),
    _case("mode-pedestrian-for-a-driver", [(5, "Mode of Travel", "1 PEDESTRIAN")], (5, "Mode of Travel"),
          "disagree about a pedestrian"),
    # The key: AREFNO and CREFNO
    _case("repeated-key-other-severity", refused_at=(41, "CREFNO"), message="appears twice",
          append=(2, (("Casualty Severity", "2 SERIOUS"),))),
    _case("repeated-key-exact", refused_at=(41, "CREFNO"), message="exact repeat",
          append=(22, ())),
    # Other years' layouts
    _case("2018-repeated-key-other-age", base=T2018, refused_at=(32, "CREFNO"), message="appears twice",
          append=(5, (("Casualty Age (Banded)", "0-15"), ("Casualty Age", "9")))),
    _case("2018-unknown-age-nonzero", [(5, "Casualty Age", "7")], (5, "Casualty Age"), "not known",
          base=T2018),
    _case("2018-accident-ref-bad", [(2, "Accident Ref.", "1180087514X")], (2, "Accident Ref."),
          "not an accident reference", base=T2018),
    _case("2013-reference-lower-case", [(2, "AREFNO", "0113cp00001")], (2, "AREFNO"),
          "not an accident reference", base=T2013),
    _case("2013-ped-location-title-case-bad", [(3, "Ped. Location", "01 Crossing Road Off Ped Xing")],
          (3, "Ped. Location"), "not a pedestrian location code", base=T2013),
    _case("2013-unnamed-column-holds-a-value", [(4, " ", "x")], (4, "(column 16, unnamed)"),
          "column without a name", base=T2013),
]
