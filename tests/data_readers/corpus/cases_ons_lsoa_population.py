"""Malformed ONS LSOA population files, made from the real mid-2020 file (24 columns).

Every column is corrupted at least once.  A count changed by one breaks two sums (its
group's age bands, and its band's males and females), and the reader names the count
at their crossing.
"""

from tests.data_readers.corpus import Case

BASE = "data/london/ons-population-lsoa-mid2020.csv.gz"
K = "ons-lsoa-population"

CASES = [
    # Codes.
    Case("ons-lsoa-code-malformed", K, BASE, edits=((3, "LSOA11CD", "E0100000X"),),
         refused_at=(3, "LSOA11CD"), message="not an LSOA code"),
    Case("ons-msoa-code-malformed", K, BASE, edits=((4, "MSOA11CD", "E12000001"),),
         refused_at=(4, "MSOA11CD"), message="not an MSOA code"),
    Case("ons-msoa-code-of-another-msoa", K, BASE, edits=((5, "MSOA11CD", "E02000017"),),
         refused_at=(5, "MSOA11CD"), message="has another code"),
    Case("ons-lad-code-not-london", K, BASE, edits=((6, "LAD11CD", "E08000003"),),
         refused_at=(6, "LAD11CD"), message="not a London local authority code"),
    Case("ons-lad-code-lower-case-is-the-same", K, BASE, edits=((6, "LAD11CD", "e09000002"),)),
    # Names.
    Case("ons-lsoa-name-of-another-borough", K, BASE, edits=((7, "LSOA11NM", "Barnet 015A"),),
         refused_at=(7, "LSOA11NM"), message="LSOA's name"),
    Case("ons-lsoa-name-of-another-lsoa", K, BASE, edits=((8, "LSOA11NM", "Barking and Dagenham 015A"),),
         refused_at=(8, "LSOA11NM"), message="has another"),
    Case("ons-msoa-name-of-another-borough", K, BASE, edits=((9, "MSOA11NM", "Bexley 016"),),
         refused_at=(9, "MSOA11NM"), message="MSOA's name"),
    Case("ons-lad-name-of-another-code", K, BASE, edits=((10, "LAD11NM", "Camden"),),
         refused_at=(10, "LAD11NM"), message="not its code's"),
    # Counts: each column once.  Persons.
    Case("ons-persons-all-ages-off-by-one", K, BASE, edits=((11, "Persons_All-Ages", "1754"),),
         refused_at=(11, "Persons_All-Ages"), message="do not add up"),
    Case("ons-persons-0-15-negative", K, BASE, edits=((12, "Persons_0-15", "-1"),),
         refused_at=(12, "Persons_0-15"), message="negative"),
    Case("ons-persons-16-29-off-by-one", K, BASE, edits=((13, "Persons_16-29", "320"),),
         refused_at=(13, "Persons_16-29"), message="do not add up"),
    Case("ons-persons-30-44-not-a-number", K, BASE, edits=((14, "Persons_30-44", "12a"),),
         refused_at=(14, "Persons_30-44"), message="not a number"),
    Case("ons-persons-45-64-fraction", K, BASE, edits=((15, "Persons_45-64", "352.5"),),
         refused_at=(15, "Persons_45-64"), message="whole number"),
    Case("ons-persons-65-plus-absurd", K, BASE, edits=((16, "Persons_65+", "1000000000000"),),
         refused_at=(16, "Persons_65+"), message="implausibly large"),
    # Males.
    Case("ons-males-all-ages-off", K, BASE, edits=((17, "Males_All-Ages", "1"),),
         refused_at=(17, "Males_All-Ages"), message="do not add up"),
    Case("ons-males-0-15-exponent", K, BASE, edits=((18, "Males_0-15", "1e3"),),
         refused_at=(18, "Males_0-15"), message="digits"),
    Case("ons-males-16-29-off", K, BASE, edits=((19, "Males_16-29", "0"),),
         refused_at=(19, "Males_16-29"), message="do not add up"),
    Case("ons-males-30-44-blank", K, BASE, edits=((20, "Males_30-44", ""),),
         refused_at=(20, "Males_30-44"), message="not a number"),
    Case("ons-males-45-64-off", K, BASE, edits=((21, "Males_45-64", "9999"),),
         refused_at=(21, "Males_45-64"), message="do not add up"),
    Case("ons-males-65-plus-negative", K, BASE, edits=((22, "Males_65+", "-5"),),
         refused_at=(22, "Males_65+"), message="negative"),
    # Females.
    Case("ons-females-all-ages-off", K, BASE, edits=((23, "Females_All-Ages", "100"),),
         refused_at=(23, "Females_All-Ages"), message="do not add up"),
    Case("ons-females-0-15-off", K, BASE, edits=((24, "Females_0-15", "1"),),
         refused_at=(24, "Females_0-15"), message="do not add up"),
    Case("ons-females-16-29-text", K, BASE, edits=((25, "Females_16-29", "n/a"),),
         refused_at=(25, "Females_16-29"), message="not a number"),
    Case("ons-females-30-44-off", K, BASE, edits=((26, "Females_30-44", "2"),),
         refused_at=(26, "Females_30-44"), message="do not add up"),
    Case("ons-females-45-64-off", K, BASE, edits=((27, "Females_45-64", "3"),),
         refused_at=(27, "Females_45-64"), message="do not add up"),
    Case("ons-females-65-plus-off", K, BASE, edits=((28, "Females_65+", "4"),),
         refused_at=(28, "Females_65+"), message="do not add up"),
    # The key: the same LSOA again with other figures; a copied line.
    Case("ons-repeated-lsoa", K, BASE, append=(2, (("LSOA11NM", "City of London 001A"),
                                                   ("Persons_All-Ages", "1749"),
                                                   ("Persons_0-15", "297"), ("Persons_16-29", "214"))),
         refused_at=(41, "Persons_0-15"), message="repeated LSOA"),
    Case("ons-repeated-line", K, BASE, append=(5, ()), refused_at=(41, "LSOA11CD"),
         message="repeated line"),
]
