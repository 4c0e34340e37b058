"""Malformed MPS Monthly Crime Dashboard files, made from the real 2021-2025 file.

Its first 40 lines are August 2021: Barking and Dagenham (lines 2 to 24), then Barnet."""

from tests.data_readers.corpus import Case

REAL = "data/london/mps-crime-dashboard-borough_2021-08_2025-07.csv.gz"
K = "mps-crime-dashboard"

CASES = [
    # month_year: not the first of the month, not a month, not a date.
    Case("dash-month-not-first-day", K, REAL, edits=((2, "month_year", "2021-08-15"),),
         refused_at=(2, "month_year"), message="first day"),
    Case("dash-month-impossible", K, REAL, edits=((3, "month_year", "2021-13-01"),),
         refused_at=(3, "month_year")),
    Case("dash-month-words", K, REAL, edits=((4, "month_year", "August 2021"),), refused_at=(4, "month_year")),
    Case("dash-month-day-first-is-accepted", K, REAL,
         edits=((25, "month_year", "01/08/2021"), (25, "refresh_date", "02/08/2025"))),
    # area_type: only borough rows.
    Case("dash-area-type-ward", K, REAL, edits=((5, "area_type", "Ward"),), refused_at=(5, "area_type"),
         message="area type"),
    Case("dash-area-type-upper-case-is-accepted", K, REAL, edits=((6, "area_type", "BOROUGH"),)),
    # borough_snt, area_name, area_code: each known, and the three the same area.
    Case("dash-borough-of-another-area", K, REAL, edits=((7, "borough_snt", "Barnet"),),
         refused_at=(7, "borough_snt"), message="not the area of area_code"),
    Case("dash-borough-unknown", K, REAL, edits=((8, "borough_snt", "Narnia"),),
         refused_at=(8, "borough_snt"), message="unknown"),
    Case("dash-area-name-of-another-borough", K, REAL, edits=((9, "area_name", "Camden"),),
         refused_at=(9, "area_name"), message="not the area of area_code"),
    Case("dash-area-name-misspelt", K, REAL, edits=((10, "area_name", "Barking and Dagneham"),),
         refused_at=(10, "area_name"), message="Barking and Dagenham"),
    Case("dash-area-code-of-another-borough", K, REAL, edits=((11, "area_code", "E09000007"),),
         refused_at=(11, "area_code"), message="not the code"),
    Case("dash-area-code-unknown", K, REAL, edits=((12, "area_code", "E0900000X"),),
         refused_at=(12, "area_code"), message="unknown area code"),
    Case("dash-area-code-missing-for-a-borough", K, REAL, edits=((13, "area_code", ""),),
         refused_at=(13, "area_code"), message="no area code"),
    Case("dash-area-unknown-is-accepted", K, REAL,
         edits=((24, "area_code", ""), (24, "area_name", "Unknown"), (24, "borough_snt", "Other / NK"))),
    Case("dash-area-code-lower-case-is-accepted", K, REAL, edits=((26, "area_code", "e09000003"),)),
    # crime_type, crime_subtype: text that is no category; a known one in other letters; a new one.
    Case("dash-crime-type-blank", K, REAL, edits=((14, "crime_type", ""),), refused_at=(14, "crime_type"),
         message="blank"),
    Case("dash-crime-subtype-control-character", K, REAL, edits=((15, "crime_subtype", "Faith\x1bCrime"),),
         refused_at=(15, "crime_subtype"), message="control character"),
    Case("dash-crime-subtype-spreadsheet-error", K, REAL, edits=((16, "crime_subtype", "#VALUE!"),),
         refused_at=(16, "crime_subtype")),
    Case("dash-crime-type-other-case-is-accepted", K, REAL, edits=((21, "crime_type", "MISCALLENEOUS"),)),
    Case("dash-crime-subtype-new-is-accepted", K, REAL, edits=((23, "crime_subtype", "TNO Victim Based (new)"),)),
    # measure.
    Case("dash-measure-unknown", K, REAL, edits=((17, "measure", "Offence"),), refused_at=(17, "measure"),
         message="measure"),
    Case("dash-measure-lower-case-is-accepted", K, REAL, edits=((22, "measure", "positive outcomes"),)),
    # financial_year and fy_fyindex: those of the month.
    Case("dash-financial-year-of-another-month", K, REAL, edits=((18, "financial_year", "fy22-23"),),
         refused_at=(18, "financial_year"), message="financial year"),
    Case("dash-fy-index-of-another-year", K, REAL, edits=((19, "fy_fyindex", "22-23_01"),),
         refused_at=(19, "fy_fyindex"), message="not that of month_year"),
    Case("dash-fy-index-malformed", K, REAL, edits=((20, "fy_fyindex", "21-22"),),
         refused_at=(20, "fy_fyindex"), message="not written"),
    # count.
    Case("dash-count-letters", K, REAL, edits=((27, "count", "12a"),), refused_at=(27, "count")),
    Case("dash-count-absurd", K, REAL, edits=((28, "count", "1000000000000"),), refused_at=(28, "count"),
         message="implausibly large"),
    Case("dash-count-negative", K, REAL, edits=((29, "count", "-1"),), refused_at=(29, "count"),
         message="negative"),
    # refresh_date: not a date; before the month it reports.
    Case("dash-refresh-not-a-date", K, REAL, edits=((30, "refresh_date", "2025-02-30"),),
         refused_at=(30, "refresh_date"), message="not a real date"),
    Case("dash-refresh-before-the-month", K, REAL, edits=((31, "refresh_date", "2021-07-31"),),
         refused_at=(31, "refresh_date"), message="before the month"),
    # Repeated keys: another count; the same subtype in other letters; an exact copy.
    Case("dash-repeated-key-other-count", K, REAL, append=(2, (("count", "999"),)),
         refused_at=(41, "count"), message="repeated key"),
    Case("dash-repeated-key-subtype-other-case", K, REAL,
         append=(27, (("crime_subtype", "DOMESTIC ABUSE VIOLENCE WITH INJURY"), ("count", "58"))),
         refused_at=(41, "count"), message="line 27"),
    Case("dash-repeated-line-copied", K, REAL, append=(3, ()), refused_at=(41, "month_year"),
         message="repeated line"),
]
