"""Malformed GLA financial-year files, made from the real offences and rates files."""

from tests.data_readers.corpus import Case

OFFENCES = "data/london/gla-recorded-offences-by-borough-fy_1999-00_2009-10.csv.gz"
RATES = "data/london/gla-crime-rates-by-borough-fy_1999-00_2009-10.csv.gz"
K = "gla-borough-fy"

CASES = [
    # Code: not a code of the file; another borough's code (the name no longer matches it).
    Case("gla-code-unknown", K, OFFENCES, edits=((3, "Code", "E09000099"),), refused_at=(3, "Code"),
         message="not an area code"),
    Case("gla-code-of-another-borough", K, OFFENCES, edits=((5, "Code", "E09000003"),),
         refused_at=(5, "Borough"), message="does not match the code"),
    Case("gla-code-lower-case-is-the-same-code", K, OFFENCES, edits=((5, "Code", "e09000002"),)),
    # Borough: unknown, and a real borough that is not the code's.
    Case("gla-borough-unknown", K, OFFENCES, edits=((14, "Borough", "Barnett Vale"),),
         refused_at=(14, "Borough"), message="unknown borough"),
    Case("gla-borough-of-another-code", K, OFFENCES, edits=((25, "Borough", "Brent"),),
         refused_at=(25, "Borough"), message="E09000004 is Bexley"),
    Case("gla-borough-spelt-otherwise", K, OFFENCES, edits=((2, "Borough", "BARKING & DAGENHAM"),)),
    # Year: a day other than 31 December, a year out of range, a financial year misspelt.
    Case("gla-year-not-year-end", K, OFFENCES, edits=((6, "Year", "2003-06-30"),), refused_at=(6, "Year")),
    Case("gla-year-in-the-future", K, OFFENCES, edits=((7, "Year", "2999-12-31"),), refused_at=(7, "Year")),
    Case("gla-year-bad-fy", K, OFFENCES, edits=((8, "Year", "2004/06"),), refused_at=(8, "Year")),
    Case("gla-year-as-fy-is-accepted", K, OFFENCES, edits=((8, "Year", "2005/06"),)),
    # Value in the offences file: negative, absurd, not a number, fractional, a borough's absurd count.
    Case("gla-offences-negative", K, OFFENCES, edits=((9, "Value", "-1"),), refused_at=(9, "Value"),
         message="negative"),
    Case("gla-offences-absurd", K, OFFENCES, edits=((10, "Value", "1000000000000"),),
         refused_at=(10, "Value"), message="implausibly large"),
    Case("gla-offences-not-a-number", K, OFFENCES, edits=((11, "Value", "12a"),), refused_at=(11, "Value")),
    Case("gla-offences-fraction", K, OFFENCES, edits=((12, "Value", "120.45"),), refused_at=(12, "Value"),
         message="whole number"),
    Case("gla-offences-too-many-for-a-borough", K, OFFENCES, edits=((13, "Value", "5000000"),),
         refused_at=(13, "Value"), message="for a borough"),
    Case("gla-offences-blank", K, OFFENCES, edits=((15, "Value", ""),), refused_at=(15, "Value")),
    # Value in the rates file.
    Case("gla-rate-negative", K, RATES, edits=((4, "Value", "-3.5"),), refused_at=(4, "Value"),
         message="negative"),
    Case("gla-rate-absurd", K, RATES, edits=((5, "Value", "99999"),), refused_at=(5, "Value"),
         message="implausibly large"),
    Case("gla-rate-exponent", K, RATES, edits=((6, "Value", "1e3"),), refused_at=(6, "Value"),
         message="not a number"),
    Case("gla-rate-n/a-is-no-figure", K, RATES, edits=((6, "Value", "n/a"),)),
    # The key: the same area and year again, with another value; with the same values.
    Case("gla-repeated-area-and-year", K, OFFENCES, append=(4, (("Value", "20539"),)),
         refused_at=(41, "Value"), message="repeated"),
    Case("gla-repeated-line", K, OFFENCES, append=(4, ()), refused_at=(41, "Code"),
         message="repeated line"),
    Case("gla-repeated-area-by-its-other-name", K, OFFENCES,
         append=(4, (("Borough", "Barking & Dagenham"), ("Code", "E09000002"))),
         refused_at=(41, "Borough")),
]
