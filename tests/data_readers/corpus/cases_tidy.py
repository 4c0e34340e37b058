"""Malformed tidy files, made from the project's own template
(``unit,month,measure,numerator,denominator``: Camden 2024-04 and 2024-05, Westminster 2024-04)."""

from tests.data_readers.corpus import Case

BASE = "src/policingplan/data/templates/tidy.csv"
K = "tidy"

CASES = [
    Case("tidy-unit-misspelt", K, BASE, edits=((2, "unit", "Camdn"),), refused_at=(2, "unit"),
         message="did you mean 'Camden'"),
    Case("tidy-unit-lower-case-code", K, BASE, edits=((2, "unit", "w06000015"),), refused_at=(2, "unit")),
    Case("tidy-unit-other-force-code", K, BASE, edits=((2, "unit", "W06000015"),)),
    Case("tidy-month-impossible", K, BASE, edits=((3, "month", "2024-13"),), refused_at=(3, "month"),
         message="not a real month"),
    Case("tidy-month-in-the-future", K, BASE, edits=((3, "month", "2099-01"),), refused_at=(3, "month"),
         message="outside the range"),
    Case("tidy-month-as-spreadsheet-date", K, BASE, edits=((3, "month", "2024-05-01"),)),
    Case("tidy-measure-blank", K, BASE, edits=((4, "measure", ""),), refused_at=(4, "measure"),
         message="blank"),
    Case("tidy-measure-not-an-id", K, BASE, edits=((4, "measure", "#REF!"),), refused_at=(4, "measure"),
         message="not a measure's id"),
    Case("tidy-numerator-negative", K, BASE, edits=((2, "numerator", "-1"),), refused_at=(2, "numerator"),
         message="negative"),
    Case("tidy-numerator-exponent", K, BASE, edits=((2, "numerator", "1e3"),), refused_at=(2, "numerator")),
    Case("tidy-numerator-text", K, BASE, edits=((3, "numerator", "12a"),), refused_at=(3, "numerator")),
    Case("tidy-numerator-thousands", K, BASE, edits=((4, "numerator", "1,650"),)),
    Case("tidy-denominator-zero", K, BASE, edits=((2, "denominator", "0"),), refused_at=(2, "denominator")),
    Case("tidy-denominator-text", K, BASE, edits=((3, "denominator", "lots"),), refused_at=(3, "denominator")),
    Case("tidy-repeated-key", K, BASE, append=(2, (("numerator", "813"),)), refused_at=(5, "numerator"),
         message="repeated"),
    Case("tidy-repeated-key-by-code", K, BASE, append=(2, (("unit", "E09000007"), ("denominator", "999"))),
         refused_at=(5, "denominator")),
    Case("tidy-repeated-line", K, BASE, append=(3, ()), refused_at=(5, "unit"), message="repeated line"),
]
CASES += [
    Case("tidy-numerator-absurd", K, BASE, edits=((3, "numerator", "1000000000000"),),
         refused_at=(3, "numerator"), message="implausibly large"),
    Case("tidy-denominator-absurd", K, BASE, edits=((2, "denominator", "99999999999999999999"),),
         refused_at=(2, "denominator"), message="implausibly large"),
    Case("tidy-denominator-missing-from-a-ratio", K, BASE, edits=((3, "denominator", ""),),
         refused_at=(3, "denominator"), message="other lines of this measure have one"),
]
