"""Malformed MPS borough monthly files, made from the real 2010-2024 file and the fixtures of
other years (``tests/data_readers/fixtures/years/``)."""

from tests.data_readers.corpus import Case

REAL = "data/london/mps-recorded-crime-borough-monthly_2010-04_2024-02.csv.gz"
HISTORIC = "tests/data_readers/fixtures/years/mps-borough-monthly-2016-historic.csv"
TWENTY = "tests/data_readers/fixtures/years/mps-borough-monthly-2020-24months.csv"
K = "mps-borough-monthly"

# The real file's first 40 lines: Barking and Dagenham's 32 categories (lines 2 to 33), then
# Barnet's first seven (line 34 ARSON, 35 CRIMINAL DAMAGE, 36 BURGLARY BUSINESS AND COMMUNITY…).
CASES = [
    # majortext: blank, a control character, a spreadsheet error, a minor under a second major.
    Case("mps-major-blank", K, REAL, edits=((5, "majortext", ""),), refused_at=(5, "majortext"),
         message="blank"),
    Case("mps-major-control-character", K, REAL, edits=((6, "majortext", "BURG\x07LARY"),),
         refused_at=(6, "majortext"), message="control character"),
    Case("mps-major-no-letters", K, REAL, edits=((7, "majortext", "1000000000000"),),
         refused_at=(7, "majortext"), message="no letters"),
    Case("mps-major-other-than-its-minors-elsewhere", K, REAL, edits=((35, "majortext", "BURGLARY"),),
         refused_at=(35, "majortext"), message="sits under the major category"),
    Case("mps-major-title-case-is-the-same-category", K, REAL,
         edits=((2, "majortext", "Arson and Criminal Damage"), (2, "minortext", "Arson"))),
    # minortext: a spreadsheet error, implausibly long, blank.
    Case("mps-minor-spreadsheet-error", K, REAL, edits=((8, "minortext", "#N/A"),),
         refused_at=(8, "minortext"), message="spreadsheet error"),
    Case("mps-minor-too-long", K, REAL, edits=((9, "minortext", "THEFT " * 20),),
         refused_at=(9, "minortext"), message="implausibly long"),
    Case("mps-minor-blank", K, REAL, edits=((10, "minortext", " "),), refused_at=(10, "minortext"),
         message="blank"),
    # boroughname: misspelt, blank; another spelling of the same borough is accepted.
    Case("mps-borough-misspelt", K, REAL, edits=((12, "boroughname", "Barkin and Dagenam"),),
         refused_at=(12, "boroughname"), message="unknown borough"),
    Case("mps-borough-blank", K, REAL, edits=((13, "boroughname", ""),), refused_at=(13, "boroughname")),
    Case("mps-borough-spelt-otherwise", K, REAL, edits=((4, "boroughname", "BARKING & DAGENHAM"),)),
    # Month columns: negative, absurd, letters, a fraction, a no-break space, digits in another form.
    Case("mps-month-negative", K, REAL, edits=((14, "201004", "-1"),), refused_at=(14, "201004"),
         message="negative"),
    Case("mps-month-absurd", K, REAL, edits=((15, "202402", "1000000000000"),), refused_at=(15, "202402"),
         message="implausibly large"),
    Case("mps-month-letters", K, REAL, edits=((16, "201506", "12a"),), refused_at=(16, "201506"),
         message="not a number"),
    Case("mps-month-fraction", K, REAL, edits=((17, "201801", "4.5"),), refused_at=(17, "201801"),
         message="whole number"),
    Case("mps-month-no-break-space", K, REAL, edits=((18, "202001", "\u00a0"),), refused_at=(18, "202001")),
    Case("mps-month-exponent", K, REAL, edits=((19, "201212", "1e3"),), refused_at=(19, "201212"),
         message="digits"),
    Case("mps-month-thousands-separator-is-accepted", K, REAL, edits=((11, "201004", "1,234"),)),
    Case("mps-month-blank-is-no-figure", K, REAL, edits=((20, "201004", ""),)),
    # Repeated keys: other figures (named at the month that differs), another spelling of the
    # borough, and an exact copy of a line.
    Case("mps-repeated-key-other-figures", K, REAL, append=(2, (("201004", "7"),)),
         refused_at=(41, "201004"), message="repeated key"),
    Case("mps-repeated-key-borough-spelt-otherwise", K, REAL,
         append=(3, (("boroughname", "BARKING & DAGENHAM"), ("201005", "9"))),
         refused_at=(41, "201005"), message="repeated key"),
    Case("mps-repeated-line-copied", K, REAL, append=(4, ()), refused_at=(41, "boroughname"),
         message="repeated line"),
    # Other years' layouts: the same faults where their columns are spelt otherwise.
    Case("mps-2016-borough-first-misspelt", K, HISTORIC, edits=((3, "Borough", "Barking and Dagnham"),),
         refused_at=(3, "Borough"), message="Barking and Dagenham"),
    Case("mps-2016-count-negative", K, HISTORIC, edits=((4, "200801", "-4"),), refused_at=(4, "200801")),
    Case("mps-2020-lookup-borough-blank", K, TWENTY, edits=((5, "LookUp_BoroughName", ""),),
         refused_at=(5, "LookUp_BoroughName")),
    Case("mps-2020-repeated-key", K, TWENTY, append=(2, (("202006", "99"),)), refused_at=(41, "202006"),
         message="line 2"),
]
