"""``mps-homicide-victims``: the MPS homicide dashboard's victims extract, one row per victim.

Columns: ``Age_Group,Sex,Method_of_Killing,Domestic_Abuse,Solved_Status,Borough,Ethnicity,Year,BCU``
(headers matched without regard to case, spaces or punctuation; ``BCU`` may be
absent, as in extracts made before the twelve BCUs).  Every coded column is a
closed set, the one the publisher uses (see ``docs/formats/mps-homicide-victims.md``),
matched in any letter case and kept in the publisher's spelling.  ``Borough`` is one
of the 32 boroughs that the Metropolitan Police serves; ``BCU`` the Basic Command
Unit that holds that borough; ``Year`` a calendar year from 2003 (the dashboard's
first) to this year.

Attributes: ``solved`` (``solved`` or ``unsolved``), ``method``, ``domestic_abuse``,
``sex``, ``age_group`` and ``ethnicity``.  The period is the calendar year.  The
records have no key: victims are not identified, so two victims of the same age
group, sex, method, borough and year give two identical lines, both counted.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from policingplan.data.readers import ReadResult
from policingplan.data.readers.base import (
    LINE, PROBLEMS_SHOWN, FileProblems, check_rows, find_columns, finish, grouped_table, start_csv,
)
from policingplan.data.units import LONDON_BOROUGHS, unit_code

#: Each coded column's values, as the publisher spells them.
CODES: dict[str, tuple[str, ...]] = {
    "age_group": ("Child", "Adolescent/Young Adult", "Adult", "Elderly"),
    "sex": ("Male", "Female"),
    "method": ("Knife or Sharp Implement", "Shooting", "Blunt Implement",
               "Physical Assault, no weapon", "Other Methods of Killing", "Not Known/Not Recorded"),
    "domestic_abuse": ("Domestic Abuse", "Not Domestic Abuse"),
    "solved": ("Solved", "Unsolved"),
    "ethnicity": ("White", "Black", "Asian", "Other", "Not Reported/Not Known"),
}

#: The Metropolitan Police's twelve Basic Command Units, each with its boroughs (by ONS code).
BCUS: dict[str, tuple[str, ...]] = {
    "Central East": ("E09000012", "E09000030"),               # Hackney, Tower Hamlets
    "Central North": ("E09000007", "E09000019"),              # Camden, Islington
    "Central South": ("E09000022", "E09000028"),              # Lambeth, Southwark
    "Central West": ("E09000013", "E09000020", "E09000033"),  # Hammersmith and Fulham, Kensington and Chelsea, Westminster
    "East": ("E09000002", "E09000016", "E09000026"),          # Barking and Dagenham, Havering, Redbridge
    "North": ("E09000010", "E09000014"),                      # Enfield, Haringey
    "North East": ("E09000025", "E09000031"),                 # Newham, Waltham Forest
    "North West": ("E09000003", "E09000005", "E09000015"),    # Barnet, Brent, Harrow
    "South": ("E09000006", "E09000008", "E09000029"),         # Bromley, Croydon, Sutton
    "South East": ("E09000004", "E09000011", "E09000023"),    # Bexley, Greenwich, Lewisham
    "South West": ("E09000021", "E09000024", "E09000027", "E09000032"),  # Kingston, Merton, Richmond, Wandsworth
    "West": ("E09000009", "E09000017", "E09000018"),          # Ealing, Hillingdon, Hounslow
}
BCU_OF: dict[str, str] = {code: bcu for bcu, codes in BCUS.items() for code in codes}
#: The boroughs the Metropolitan Police serves: every London borough but the City.
MPS_BOROUGHS = tuple(code for code in LONDON_BOROUGHS if code != "E09000001")
#: The dashboard's records begin in 2003.
FIRST_YEAR = 2003

COLUMNS: dict[str, list[str]] = {
    "age_group": ["Age_Group"],
    "sex": ["Sex"],
    "method": ["Method_of_Killing"],
    "domestic_abuse": ["Domestic_Abuse"],
    "solved": ["Solved_Status"],
    "borough": ["Borough"],
    "ethnicity": ["Ethnicity"],
    "year": ["Year"],
    "bcu": ["BCU"],
}
LAYOUT = "Age_Group, Sex, Method_of_Killing, Domestic_Abuse, Solved_Status, Borough, Ethnicity, Year, BCU"


def read(kind: str, file: str, data: bytes) -> ReadResult:
    result, problems, rows = start_csv(kind, file, data)
    if rows is None:
        return finish(result, problems)
    found = find_columns(rows, COLUMNS, problems, optional={"bcu"}, accepted=LAYOUT)
    if found is None:
        return finish(result, problems)
    labels = found
    frame = rows.frame.select(
        LINE, *[pl.col(header).str.strip_chars().alias(name) for name, header in found.items()]
    )
    for attribute, values in CODES.items():
        canonical = {v.lower(): v for v in values}
        frame = frame.with_columns(
            pl.col(attribute).str.to_lowercase()
            .replace_strict(canonical, default=None, return_dtype=pl.Utf8).alias(f"{attribute}#"))
        check_rows(frame, pl.col(f"{attribute}#").is_null(), problems,
                   message=f"not a {labels[attribute]} value of this file", column=attribute,
                   label=labels[attribute], accepted=", ".join(values) + " (any letter case)")
    this_year = dt.date.today().year
    frame = frame.with_columns(
        year_number=pl.when(pl.col("year").str.contains(r"^[0-9]{4}$"))
        .then(pl.col("year").cast(pl.Int64, strict=False)))
    check_rows(frame, ~pl.col("year_number").is_between(FIRST_YEAR, this_year).fill_null(False),
               problems, message="not a year of the dashboard", column="year", label=labels["year"],
               accepted=f"a calendar year written YYYY, from {FIRST_YEAR} to {this_year}")
    names = frame["borough"].unique().to_list()
    units = {n: (unit_code(n) if n else None) for n in names}
    frame = frame.with_columns(
        unit=pl.col("borough").replace_strict(units, default=None, return_dtype=pl.Utf8))
    _check_boroughs(frame, labels, problems)
    if "bcu" in labels:
        _check_bcus(frame, labels, problems)
    if problems.has_errors:
        return finish(result, problems)
    frame = frame.with_columns(
        solved=pl.col("solved#").str.to_lowercase(),
        method=pl.col("method#"), domestic_abuse=pl.col("domestic_abuse#"), sex=pl.col("sex#"),
        age_group=pl.col("age_group#"), ethnicity=pl.col("ethnicity#"),
        period=pl.col("year_number").cast(pl.Utf8), period_kind=pl.lit("year"),
        count=pl.lit(1, dtype=pl.Int64),
    )
    return finish(result, problems, grouped_table(kind, frame), rows_accepted=rows.rows_read)


def _check_boroughs(frame: pl.DataFrame, labels: dict[str, str], problems: FileProblems) -> None:
    unknown = frame.filter(pl.col("unit").is_null())
    for row in unknown.head(PROBLEMS_SHOWN).iter_rows(named=True):
        problems.add("unknown borough", line=row[LINE], column=labels["borough"], value=row["borough"],
                     accepted="one of the 32 London boroughs the Metropolitan Police serves, "
                              "e.g. 'Kingston upon Thames'", key="homicide-borough")
    if unknown.height > PROBLEMS_SHOWN:
        problems.add(f"{unknown.height - PROBLEMS_SHOWN:,} more line(s) with an unknown borough",
                     accepted="a London borough", key="homicide-borough-more")
    not_known = frame.filter(pl.col("unit") == "MPS-UNKNOWN")
    if not_known.height:
        problems.add(f"{not_known.height:,} row(s) have no known borough; they are kept as unit "
                     "'MPS-UNKNOWN' and count only towards force totals",
                     line=not_known[LINE][0], column=labels["borough"], value=not_known["borough"][0],
                     severity="warning", key="unknown-borough")
    allowed = [*MPS_BOROUGHS, "MPS-UNKNOWN"]
    check_rows(frame, pl.col("unit").is_not_null() & ~pl.col("unit").is_in(allowed), problems,
               message="not a borough that the Metropolitan Police serves (the City of London has "
                       "its own force; areas made of boroughs are not boroughs)",
               column="borough", label=labels["borough"],
               accepted="one of the 32 London boroughs other than the City of London")


def _check_bcus(frame: pl.DataFrame, labels: dict[str, str], problems: FileProblems) -> None:
    canonical = {b.lower(): b for b in BCUS}
    frame = frame.with_columns(
        bcu_name=pl.col("bcu").str.to_lowercase().replace_strict(canonical, default=None,
                                                                  return_dtype=pl.Utf8),
        expected=pl.col("unit").replace_strict(BCU_OF, default=None, return_dtype=pl.Utf8),
    )
    check_rows(frame, pl.col("bcu_name").is_null(), problems, message="not a Basic Command Unit",
               column="bcu", label=labels["bcu"], accepted=", ".join(BCUS) + " (any letter case)")
    bad = frame.filter(pl.col("bcu_name").is_not_null() & pl.col("expected").is_not_null()
                       & (pl.col("bcu_name") != pl.col("expected")))
    for row in bad.head(PROBLEMS_SHOWN).iter_rows(named=True):
        problems.add(f"the BCU is not the borough's: {row['borough']} is in {row['expected']}",
                     line=row[LINE], column=labels["bcu"], value=row["bcu"],
                     accepted=f"{row['expected']} for {row['borough']}", key="homicide-bcu")
    if bad.height > PROBLEMS_SHOWN:
        problems.add(f"{bad.height - PROBLEMS_SHOWN:,} more line(s) whose BCU is not the borough's",
                     accepted="the BCU that holds the borough", key="homicide-bcu-more")
