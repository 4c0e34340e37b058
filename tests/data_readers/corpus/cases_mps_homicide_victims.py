"""Malformed homicide victims files, made from the real extract.  The records have no key:
two victims alike give two identical lines, and both are counted."""

from tests.data_readers.corpus import Case

BASE = "data/london/mps-homicide-victims_2003-2023.csv.gz"
K = "mps-homicide-victims"

CASES = [
    Case("homicide-age-group-unknown", K, BASE, edits=((2, "Age_Group", "Teenager"),),
         refused_at=(2, "Age_Group"), message="not a Age_Group value"),
    Case("homicide-age-group-upper-case", K, BASE, edits=((2, "Age_Group", "ADULT"),)),
    Case("homicide-sex-unknown", K, BASE, edits=((3, "Sex", "M"),), refused_at=(3, "Sex")),
    Case("homicide-method-unknown", K, BASE, edits=((4, "Method_of_Killing", "Poison"),),
         refused_at=(4, "Method_of_Killing")),
    Case("homicide-domestic-abuse-blank", K, BASE, edits=((5, "Domestic_Abuse", ""),),
         refused_at=(5, "Domestic_Abuse")),
    Case("homicide-solved-status-unknown", K, BASE, edits=((6, "Solved_Status", "Maybe"),),
         refused_at=(6, "Solved_Status")),
    Case("homicide-borough-unknown", K, BASE, edits=((7, "Borough", "Hounslw"),),
         refused_at=(7, "Borough"), message="unknown borough"),
    Case("homicide-borough-city-of-london", K, BASE, edits=((8, "Borough", "City of London"),),
         refused_at=(8, "Borough"), message="Metropolitan Police serves"),
    Case("homicide-borough-other-bcu", K, BASE, edits=((9, "Borough", "Camden"),),
         refused_at=(9, "BCU"), message="Camden is in Central North"),
    Case("homicide-ethnicity-unknown", K, BASE, edits=((10, "Ethnicity", "Martian"),),
         refused_at=(10, "Ethnicity")),
    Case("homicide-year-two-digits", K, BASE, edits=((11, "Year", "06"),), refused_at=(11, "Year")),
    Case("homicide-year-before-the-dashboard", K, BASE, edits=((12, "Year", "1999"),),
         refused_at=(12, "Year")),
    Case("homicide-year-in-the-future", K, BASE, edits=((13, "Year", "2999"),), refused_at=(13, "Year")),
    Case("homicide-bcu-unknown", K, BASE, edits=((14, "BCU", "Far West"),), refused_at=(14, "BCU"),
         message="not a Basic Command Unit"),
    Case("homicide-bcu-of-another-borough", K, BASE, edits=((15, "BCU", "North"),), refused_at=(15, "BCU"),
         message="not the borough's"),
    Case("homicide-two-victims-alike-are-both-counted", K, BASE, append=(2, ())),
]
