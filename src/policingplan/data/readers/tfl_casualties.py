"""``tfl-casualties``: TfL's road casualty extracts (from police STATS19 returns), one row per casualty.

Every column of the extract is checked, whether a measure uses it or not; the
full rules, column by column, and the layouts of past years are in
``docs/formats/tfl-casualties.md``.  In short:

* Headers are matched in any letter case, punctuation and spacing
  (``AREFNO`` / ``Accident Ref.``, ``Ped Location`` / ``Ped. Location``,
  ``Casualty Age (Banded)`` / ``Casualty Age Band`` …).  A column without a
  name (the 2013 and 2018 extracts end every line with ``, ``) must hold only
  blanks; a column the reader does not know gets a warning.
* Coded columns are closed sets: ``1 FATAL``, ``3 Slight``, ``'-1 UNKNOWN``,
  ``Serious`` (a code, a label, or both; any letter case; with or without a
  leading apostrophe).  The code and the label must agree.
* References: ``AREFNO`` is 10 or 11 digits (force code 1 or 48, the year's
  last two digits, 7 digits), as in 2018 and 2019, or 11 characters such as
  ``0113CP00001`` (force 01 or 48, the year, two letters, 5 digits), as in 2013;
  ``CREFNO`` is a whole number from 1 to 999.  An accident and casualty
  reference twice in a file is an error, naming both lines.
* Borough, ``Boro`` code, ``Easting``, ``Northing`` and ``No. of Casualties``
  describe the accident: they must agree on every row of one accident.

Attributes: ``severity`` (``fatal``, ``serious``, ``slight``), ``age_group``
(``child`` for 0–15, ``adult``, ``unknown``), ``mode`` (``car``,
``pedestrian``, ``pedal cycle`` …) and ``casualty_class`` (``driver/rider``,
``passenger``, ``pedestrian``): the 2019 file's labels, lower-cased, whatever
the year's spelling.  Unknown age is band ``U`` with a blank age (2019) or band
``Unknown`` with age 0 (2013, 2018): both are ``unknown``, never a child.
Without a date column, the period is the calendar year that the accident
reference encodes (``1190…``, ``4819…`` and ``0119CP…`` are all 2019).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import polars as pl

from policingplan.data.readers import ReadResult
from policingplan.data.readers.base import (
    LINE, FileProblems, check_distinct, check_rows, finish, grouped_table, match_columns, start_csv,
)
from policingplan.data.units import LONDON_BOROUGHS, suggest_unit, unit_code

# --- columns ------------------------------------------------------------------------------------

#: Canonical name → the header spellings accepted for it (compared by :func:`header_key`).
#: The first spelling is the 2019 file's, named in errors.
COLUMNS: dict[str, list[str]] = {
    "reference": ["AREFNO", "Accident Ref.", "Accident Ref", "Accident Reference"],
    "borough": ["Borough"],
    "boro": ["Boro"],
    "easting": ["Easting"],
    "northing": ["Northing"],
    "casualty_ref": ["CREFNO"],
    "casualty_class": ["Casualty Class"],
    "sex": ["Casualty Sex"],
    "band": ["Casualty Age (Banded)", "Casualty Age Band", "Age Band"],
    "age": ["Casualty Age", "Age"],
    "casualties": ["No. of Casualties", "No of Casualties in Acc"],
    "severity": ["Casualty Severity", "Severity"],
    "ped_location": ["Ped Location", "Ped. Location"],
    "ped_movement": ["Ped Movement", "Ped. Movement"],
    "mode": ["Mode of Travel", "Mode"],
}

#: An optional column that, where an extract has one, gives each casualty's month.
DATE_SPELLINGS = ("Date", "Accident Date")


def header_key(name: str) -> str:
    """A header name compared without letter case, punctuation or spacing:
    ``No. of Casualties`` and ``no of  casualties`` are one name."""
    return " ".join(re.sub(r"[^0-9a-z+]+", " ", name.lower()).split())


# --- coded values -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Code:
    """One code of a coded column: its canonical label and every accepted spelling of the label."""

    canonical: str
    labels: tuple[str, ...]


def label_key(label: str) -> str:
    """A label compared without letter case, apostrophes or repeated spaces."""
    return " ".join(label.lower().replace("'", "").replace("\u2019", "").split())


#: Each coded column's closed set: code → canonical label and accepted labels.  The labels are
#: TfL's (upper case in 2019, title case in 2013 and 2018) and the STATS19 code book's wording.
CODES: dict[str, dict[int, Code]] = {
    "casualty_class": {
        1: Code("driver/rider", ("driver/rider", "driver or rider")),
        2: Code("passenger", ("passenger",)),
        3: Code("pedestrian", ("pedestrian",)),
    },
    "sex": {
        1: Code("male", ("male",)),
        2: Code("female", ("female",)),
        -1: Code("unknown", ("unknown", "not known", "data missing or out of range")),
    },
    "severity": {
        1: Code("fatal", ("fatal",)),
        2: Code("serious", ("serious",)),
        3: Code("slight", ("slight",)),
    },
    "mode": {
        1: Code("pedestrian", ("pedestrian",)),
        2: Code("pedal cycle", ("pedal cycle",)),
        3: Code("powered 2 wheeler", ("powered 2 wheeler",)),
        4: Code("car", ("car",)),
        5: Code("taxi", ("taxi",)),
        6: Code("bus or coach", ("bus or coach",)),
        7: Code("goods vehicle", ("goods vehicle",)),
        8: Code("other vehicle", ("other vehicle",)),
        9: Code("private hire", ("private hire",)),
    },
    "ped_location": {
        -2: Code("not applicable", ("not applicable", "unknown")),
        1: Code("crossing road on ped xing", ("crossing road on ped xing",
                                              "crossing on pedestrian crossing facility")),
        2: Code("crossing road in zig-zag app", ("crossing road in zig-zag app",
                                                 "crossing in zig-zag approach lines")),
        3: Code("crossing road in zig-zag exit", ("crossing road in zig-zag exit",
                                                  "crossing in zig-zag exit lines")),
        4: Code("crossing road within 50m xing", ("crossing road within 50m xing",
                                                  "crossing elsewhere within 50m. of pedestrian crossing")),
        5: Code("crossing road (not on xing)", ("crossing road (not on xing)",
                                                "in carriageway, crossing elsewhere")),
        6: Code("on footpath - verge", ("on footpath - verge", "on footway or verge")),
        7: Code("on refuge", ("on refuge", "on refuge, central island or central reservation")),
        8: Code("in centre of carriageway", ("in centre of carriageway",
                                             "in centre of carriageway - not on refuge, island or "
                                             "central reservation")),
        9: Code("in road - not crossing", ("in road - not crossing", "in carriageway, not crossing")),
        10: Code("unknown or other", ("unknown or other", "unknown")),
    },
    "ped_movement": {
        -2: Code("not applicable", ("not applicable", "n/a")),
        1: Code("from drivers n/side", ("from drivers n/side", "crossing from drivers nearside")),
        2: Code("from drivers n/side msk", ("from drivers n/side msk",
                                            "crossing from nearside - masked by parked or stationary "
                                            "vehicle")),
        3: Code("from drivers o/side", ("from drivers o/side", "crossing from drivers offside")),
        4: Code("from drivers o/side msk", ("from drivers o/side msk",
                                            "crossing from offside - masked by parked or stationary "
                                            "vehicle")),
        5: Code("in rd not crossing", ("in rd not crossing",
                                       "in carriageway, stationary - not crossing (standing or playing)")),
        6: Code("in rd not crossing msk", ("in rd not crossing msk",
                                           "in carriageway, stationary - not crossing (standing or "
                                           "playing) - masked by parked or stationary vehicle")),
        7: Code("in rd facing traffic", ("in rd facing traffic",
                                         "walking along in carriageway, facing traffic")),
        8: Code("in rd back to traffic", ("in rd back to traffic",
                                          "walking along in carriageway, back to traffic")),
        9: Code("unknown or other", ("unknown or other",)),
    },
}

#: How errors name each coded column.
CODED_NAMES = {"casualty_class": "casualty class", "sex": "casualty sex", "severity": "casualty severity",
               "mode": "mode of travel", "ped_location": "pedestrian location",
               "ped_movement": "pedestrian movement"}

#: What the error says is accepted, for each coded column.
ACCEPTED_CODES: dict[str, str] = {
    column: "one of " + ", ".join(f"{code} {c.canonical.upper()}" for code, c in codes.items())
    + " (any letter case; the label alone, or with a leading apostrophe, is accepted too)"
    for column, codes in CODES.items()
}

_CODED = re.compile(r"^'?\s*(-?[0-9]+)\s+(\S.*)$")


def decode(column: str, value: str | None) -> str | None:
    """A coded value's canonical label, or ``None`` when the column's closed set has no such value.

    ``1 FATAL``, ``1 Fatal``, ``'1 fatal`` and ``Fatal`` are all ``fatal``; ``2 FATAL`` (the
    code of one label beside another label) is nothing.
    """
    if value is None:
        return None
    codes = CODES[column]
    text = value.strip().lstrip("'").strip()
    match = _CODED.match(text)
    if match:
        code = codes.get(int(match.group(1)))
        label = label_key(match.group(2))
        return code.canonical if code is not None and label in {label_key(s) for s in code.labels} else None
    label = label_key(text)
    hits = {c.canonical for c in codes.values() if label in {label_key(s) for s in c.labels}}
    return hits.pop() if len(hits) == 1 else (label if hits else None)


# --- age bands ----------------------------------------------------------------------------------

#: Each age band (compared without case or spaces) → the ages it holds, ``None`` for not known.
BANDS: dict[str, tuple[int, int] | None] = {
    "0-15": (0, 15), "16-24": (16, 24), "25-59": (25, 59), "60+": (60, 120),
    "u": None, "unknown": None,
}
MAX_AGE = 120

# --- places -------------------------------------------------------------------------------------

#: TfL's ``Boro`` code → the borough (the same in the 2013, 2018 and 2019 extracts).
BORO_NAMES: dict[int, str] = {
    0: "City of London", 1: "Westminster", 2: "Camden", 3: "Islington", 4: "Hackney",
    5: "Tower Hamlets", 6: "Greenwich", 7: "Lewisham", 8: "Southwark", 9: "Lambeth",
    10: "Wandsworth", 11: "Hammersmith and Fulham", 12: "Kensington and Chelsea",
    13: "Waltham Forest", 14: "Redbridge", 15: "Havering", 16: "Barking and Dagenham",
    17: "Newham", 18: "Bexley", 19: "Bromley", 20: "Croydon", 21: "Sutton", 22: "Merton",
    23: "Kingston upon Thames", 24: "Richmond upon Thames", 25: "Hounslow", 26: "Hillingdon",
    27: "Ealing", 28: "Brent", 29: "Harrow", 30: "Barnet", 31: "Haringey", 32: "Enfield",
}
BORO_UNITS: dict[str, str] = {str(code): unit_code(name) or "" for code, name in BORO_NAMES.items()}

#: A box round Greater London on the British National Grid (metres), a little wider than the
#: boundary (eastings 503,500 to 561,900, northings 155,800 to 200,900).
EASTING = (500_000, 565_000)
NORTHING = (152_000, 204_000)

#: No accident in London has had this many casualties; a casualty reference is at most this.
MAX_CASUALTIES = 999

#: Police force codes in the reference: 1 (or 01) the Metropolitan Police, 48 the City of London Police.
_REFERENCE = r"^(?:(?:1|48)[0-9]{2}[0-9]{7}|(?:01|48)[0-9]{2}[A-Z]{2}[0-9]{5})$"
REFERENCE_ACCEPTED = ("10 or 11 digits: the force code (1 Metropolitan, 48 City of London), the "
                      "year's last two digits (not a future year), then 7 digits, e.g. 1190128300 or "
                      "48190012345 (2019); or, in older extracts, 01 or 48, the year, two capital "
                      "letters and 5 digits, e.g. 0113CP00001 (2013)")

#: The columns that describe the accident, not the casualty: the same on each of its rows.
ACCIDENT_COLUMNS = ("borough", "boro", "easting", "northing", "casualties")


def _whole_number(frame: pl.DataFrame, column: str, label: str, low: int, high: int,
                  problems: FileProblems, *, what: str, accepted: str | None = None) -> None:
    """Check that a column holds whole numbers from ``low`` to ``high``, written in digits."""
    digits = pl.col(column).str.contains(r"^[0-9]+$")
    number = pl.col(column).cast(pl.Int64, strict=False)
    accepted = accepted or f"a whole number from {low:,} to {high:,}, written in digits"
    check_distinct(frame, column, pl.col(column) != "", problems,
                   message=f"the {what} is blank", label=label, accepted=accepted)
    negative = pl.col(column).str.contains(r"^-[0-9]+$")
    check_distinct(frame, column, ~negative, problems,
                   message=f"the {what} is negative", label=label, accepted=accepted)
    check_distinct(frame, column, (pl.col(column) == "") | digits | negative, problems,
                   message=f"the {what} is not a whole number written in digits", label=label,
                   accepted=accepted)
    check_distinct(frame, column, ~digits | number.is_between(low, high), problems,
                   message=f"the {what} is out of range", label=label, accepted=accepted)


def _find_columns(rows, problems: FileProblems) -> tuple[dict[str, str] | None, str | None]:
    """Canonical name → the file's header for it, and the date column's header (or ``None``).

    Blank-named columns must hold only blanks; any other column the reader does not know
    gets a warning.
    """
    by_key: dict[str, str] = {}
    for name in rows.header:
        by_key.setdefault(header_key(name), name)
    wanted = {}
    for canonical, spellings in COLUMNS.items():
        present = [by_key[header_key(s)] for s in spellings if header_key(s) in by_key]
        wanted[canonical] = [spellings[0], *present[:1], *spellings[1:]]
    found = match_columns(rows, wanted, problems)
    date_header = next((by_key[header_key(s)] for s in DATE_SPELLINGS if header_key(s) in by_key), None)
    known = set((found or {}).values()) | ({date_header} if date_header else set())
    for name in rows.header:
        if name in known:
            continue
        if name.startswith("(column ") and name.endswith(", unnamed)"):
            # Each column on its own (a Series, then a frame of two columns): a test on the whole
            # frame per column would take time in the square of the columns, and a spreadsheet
            # that saved its blank columns can have thousands.
            values = rows.frame.get_column(name).str.strip_chars()
            if not (values != "").any():
                continue
            frame = pl.DataFrame([rows.frame.get_column(LINE), rows.frame.get_column(name)])
            column = pl.col(name).str.strip_chars()
            check_rows(frame, column != "", problems, message="a value in a column without a name",
                       column=name, accepted="a column without a name (such as the 2013 and 2018 "
                                             "extracts' last column) holds only blanks")
            continue
        problems.add("a column this reader does not know is ignored", line=1, column=name, value=name,
                     accepted="the columns of TfL's casualty extract: "
                              + ", ".join(s[0] for s in COLUMNS.values()),
                     severity="warning")
    return found, date_header


def read(kind: str, file: str, data: bytes) -> ReadResult:
    result, problems, rows = start_csv(kind, file, data)
    if rows is None:
        return finish(result, problems)
    found, date_header = _find_columns(rows, problems)
    if found is None:
        return finish(result, problems)
    frame = rows.frame.select(
        LINE, *[pl.col(header).str.strip_chars().alias(name) for name, header in found.items()],
        *([pl.col(date_header).str.strip_chars().alias("date")] if date_header else []),
    )

    # References.
    year = "20" + pl.col("reference").str.slice(pl.col("reference").str.len_chars() - 9, 2)
    reference_ok = (pl.col("reference").str.contains(_REFERENCE)
                    & (year.cast(pl.Int64, strict=False) <= date.today().year))
    check_distinct(frame, "reference", reference_ok, problems, message="not an accident reference",
                   label=found["reference"], accepted=REFERENCE_ACCEPTED)
    _whole_number(frame, "casualty_ref", found["casualty_ref"], 1, MAX_CASUALTIES, problems,
                  what="casualty reference")

    # Places.
    boroughs = frame["borough"].unique().to_list()
    units = {name: unit_code(name) if name else None for name in boroughs}
    units = {name: code if code in LONDON_BOROUGHS else None for name, code in units.items()}
    for name in [n for n, code in units.items() if code is None]:
        hint = suggest_unit(name or "")
        hint = hint if hint and unit_code(hint) in LONDON_BOROUGHS else None
        message = "not a London borough" + (f"; did you mean {hint!r}?" if hint else "")
        check_rows(frame, pl.col("borough") == name, problems, message=message, column="borough",
                   label=found["borough"],
                   accepted="one of the 33 London boroughs (the City of London included), e.g. "
                            "KINGSTON-UPON-THAMES or Kingston upon Thames")
    boro = pl.col("boro").str.replace(r"^0+([0-9])", "$1")
    check_distinct(frame, "boro", boro.is_in(list(BORO_UNITS)), problems,
                   message="not a TfL borough code", label=found["boro"],
                   accepted="a whole number from 0 (City of London) to 32 (Enfield), as TfL codes the "
                            "boroughs")
    frame = frame.with_columns(
        unit=pl.col("borough").replace_strict(units, default=None, return_dtype=pl.Utf8),
        boro_unit=boro.replace_strict(BORO_UNITS, default=None, return_dtype=pl.Utf8),
    )
    mismatch = frame.filter(pl.col("unit").is_not_null() & pl.col("boro_unit").is_not_null()
                            & (pl.col("unit") != pl.col("boro_unit")))
    if mismatch.height:
        code_of = {unit: str(code) for code, unit in BORO_UNITS.items()}
        mismatch = mismatch.with_columns(pl.format(
            "{} (the borough is {}, whose code is {})", "boro", "borough",
            pl.col("unit").replace_strict(code_of, default="?", return_dtype=pl.Utf8)).alias("desc"))
        problems.add_rows(
            mismatch, message="the borough code is not the code of the borough named on the line",
            column=found["boro"], value_column="desc",
            accepted="TfL's code of the line's Borough, from 0 (City of London) to 32 (Enfield); "
                     "the list is in docs/formats/tfl-casualties.md",
        )
    for column, (low, high) in (("easting", EASTING), ("northing", NORTHING)):
        _whole_number(frame, column, found[column], low, high, problems, what=column,
                      accepted=f"a whole number of metres on the British National Grid from {low:,} "
                               f"to {high:,} (a box round Greater London), written in digits")
    _whole_number(frame, "casualties", found["casualties"], 1, MAX_CASUALTIES, problems,
                  what="number of casualties")

    # Coded columns.
    for column in CODES:
        values = frame[column].unique().to_list()
        lookup = {value: decode(column, value) for value in values}
        blank_ok = column == "ped_movement"  # the 2019 file's last 7 lines leave it blank
        if blank_ok:
            lookup[""] = ""
        frame = frame.with_columns(
            pl.col(column).replace_strict(lookup, default=None, return_dtype=pl.Utf8).alias(f"{column}_code"))
        bad = [value for value, code in lookup.items() if code is None]
        if bad:
            what = CODED_NAMES[column]
            check_rows(frame, pl.col(column).is_in(bad) & (pl.col(column) == ""), problems,
                       message=f"the {what} is blank", column=column, label=found[column],
                       accepted=ACCEPTED_CODES[column])
            check_rows(frame, pl.col(column).is_in(bad) & (pl.col(column) != ""), problems,
                       message=f"not a {what} code", column=column, label=found[column],
                       accepted=ACCEPTED_CODES[column] + ("; or blank" if blank_ok else ""))
    pedestrian_mode = pl.col("mode_code") == "pedestrian"
    pedestrian_class = pl.col("casualty_class_code") == "pedestrian"
    check_rows(frame, pedestrian_mode != pedestrian_class, problems,
               message="the mode of travel and the casualty class disagree about a pedestrian",
               column="mode", label=found["mode"],
               accepted="1 PEDESTRIAN as the mode of travel exactly when the casualty class is "
                        "3 PEDESTRIAN")

    # Age and band.
    band_key = pl.col("band").str.to_lowercase().str.replace_all(r"\s+", "")
    check_distinct(frame, "band", band_key.is_in(list(BANDS)), problems, message="not an age band",
                   label=found["band"],
                   accepted="0-15, 16-24, 25-59, 60+, or U / Unknown for not known (any letter case)")
    known = {k: v for k, v in BANDS.items() if v is not None}
    frame = frame.with_columns(
        band_key=band_key,
        band_low=band_key.replace_strict({k: v[0] for k, v in known.items()}, default=None,
                                         return_dtype=pl.Int64),
        band_high=band_key.replace_strict({k: v[1] for k, v in known.items()}, default=None,
                                          return_dtype=pl.Int64),
        age_number=pl.col("age").cast(pl.Int64, strict=False),
    )
    age_accepted = f"an age in years from 0 to {MAX_AGE}, written in digits, or blank when not known"
    digits = pl.col("age").str.contains(r"^[0-9]+$")
    check_rows(frame, (pl.col("age") != "") & ~digits, problems, message="the age is not a whole number",
               column="age", label=found["age"], accepted=age_accepted)
    check_rows(frame, digits & ~pl.col("age_number").is_between(0, MAX_AGE), problems,
               message="the age is impossible", column="age", label=found["age"], accepted=age_accepted)
    unknown_band = band_key.is_in([k for k, v in BANDS.items() if v is None])
    age_valid = digits & pl.col("age_number").is_between(0, MAX_AGE)
    check_rows(frame, unknown_band & (pl.col("age") != "") & age_valid & (pl.col("age_number") != 0),
               problems, message="an age is given but the age band says not known", column="age",
               label=found["age"], accepted="a blank age (or 0, as in the 2013 and 2018 extracts) "
                                            "when the band is U or Unknown")
    check_rows(frame, pl.col("band_low").is_not_null() & (pl.col("age") == ""), problems,
               message="the age is blank but the age band is known", column="age", label=found["age"],
               accepted="an age in the band's range, or the band U (not known)")
    outside = (pl.col("band_low").is_not_null() & age_valid
               & ~pl.col("age_number").is_between(pl.col("band_low"), pl.col("band_high")))
    check_rows(frame.with_columns(pl.format("{} (band {})", "age", "band").alias("age_and_band")),
               outside, problems, message="the age is outside its age band", column="age_and_band",
               label=found["age"], accepted="an age inside the line's Casualty Age (Banded): 0-15, "
                                            "16-24, 25-59 or 60+")

    # One accident: the same place and number of casualties on each of its rows.
    accidents = frame.filter(reference_ok.fill_null(False))
    for column in ACCIDENT_COLUMNS:
        _check_accident_column(accidents, column, found[column], problems)

    # The key: an accident and casualty reference once in the file.
    _check_key(accidents.filter(pl.col("casualty_ref").str.contains(r"^[0-9]+$")), found, problems)

    if date_header:
        parsed = pl.coalesce(
            pl.col("date").str.to_date("%Y-%m-%d", strict=False),
            pl.col("date").str.to_date("%d/%m/%Y", strict=False),
        )
        frame = frame.with_columns(period=parsed.dt.strftime("%Y-%m"), period_kind=pl.lit("month"))
        check_rows(frame, pl.col("period").is_null(), problems, message="not a date",
                   column="date", label=date_header,
                   accepted="a date written YYYY-MM-DD or DD/MM/YYYY")
    else:
        frame = frame.with_columns(period=pl.when(reference_ok).then(year), period_kind=pl.lit("year"))
    if problems.has_errors:
        return finish(result, problems)
    frame = frame.with_columns(
        severity=pl.col("severity_code"), casualty_class=pl.col("casualty_class_code"),
        mode=pl.col("mode_code"),
        age_group=pl.when(pl.col("band_low").is_null()).then(pl.lit("unknown"))
        .when(pl.col("band_high") <= 15).then(pl.lit("child")).otherwise(pl.lit("adult")),
        count=pl.lit(1, dtype=pl.Int64),
    )
    return finish(result, problems, grouped_table(kind, frame), rows_accepted=rows.rows_read)


def _check_accident_column(accidents: pl.DataFrame, column: str, label: str,
                           problems: FileProblems) -> None:
    """Every row of an accident whose rows disagree on ``column`` (blank values left to their own
    check), each naming the accident's lines and values."""
    rows = accidents.filter(pl.col(column) != "").select(LINE, "reference", column)
    split = rows.group_by("reference").agg(pl.col(column).n_unique().alias("values")).filter(
        pl.col("values") > 1)
    if not split.height:
        return
    bad = rows.filter(pl.col("reference").is_in(split["reference"].implode())).sort(LINE)
    described = bad.group_by("reference").agg(
        pl.concat_str([pl.lit("line "), pl.col(LINE).cast(pl.Utf8), pl.lit(": "), pl.col(column)])
        .str.join("; ").alias("lines"))
    bad = bad.join(described, on="reference").sort(LINE).with_columns(
        pl.format("{} (accident {}: {})", column, "reference", "lines").alias("desc"))
    problems.add_rows(bad, message=f"the rows of one accident give different values of {label}",
                      column=label, value_column="desc",
                      accepted=f"the same {label} on every row of one accident (AREFNO): it describes "
                               "the accident, not the casualty")


_EXACT = ("the accident and casualty reference (AREFNO and CREFNO) appears twice, in exact repeats "
          "of one line: the casualty would be counted twice")
_DIFFERENT = ("the accident and casualty reference (AREFNO and CREFNO) appears twice, with different "
              "values")


def _check_key(frame: pl.DataFrame, found: dict[str, str], problems: FileProblems) -> None:
    """An accident and casualty reference twice: an error at each later line, naming the first
    line and the columns whose values differ (an exact repeat counts a casualty twice too), and
    one at the first line naming the later ones (either may be the wrong line)."""
    key = ["reference", "casualty_number"]
    frame = frame.with_columns(casualty_number=pl.col("casualty_ref").cast(pl.Int64, strict=False))
    repeated = frame.filter(pl.struct(key).is_duplicated())
    if not repeated.height:
        return
    compared = [c for c in found if c != "reference"]
    repeated = repeated.sort(LINE)
    first = repeated.group_by(key, maintain_order=True).first().select(
        *key, pl.col(LINE).alias("first_line"), *[pl.col(c).alias(f"{c}__first") for c in compared])
    later = repeated.join(first, on=key).filter(pl.col(LINE) != pl.col("first_line")).sort(LINE)
    differs = pl.concat_str(
        [pl.when(pl.col(c) != pl.col(f"{c}__first")).then(pl.lit(found[c])) for c in compared],
        separator=", ", ignore_nulls=True)
    later = later.with_columns(differs=differs)
    accepted = "each casualty once: an accident reference with each casualty reference on one line"
    # The first line is named too: either line may be the wrong one.
    again = later.group_by(key).agg(
        pl.col(LINE).cast(pl.Utf8).str.join(", ").alias("again"), (pl.col("differs") == "").all().alias("exact"))
    firsts = first.join(again, on=key).with_columns(pl.col("first_line").alias(LINE)).with_columns(
        pl.format("{}/{}: again on line(s) {}", "reference", "casualty_ref__first", "again").alias("desc"))
    for exact_only, message in ((True, _EXACT), (False, _DIFFERENT)):
        rows = firsts.filter(pl.col("exact") == exact_only).sort(LINE)
        if rows.height:
            problems.add_rows(rows, message=message, column=found["casualty_ref"], value_column="desc",
                              accepted=accepted)
    exact = later.filter(pl.col("differs") == "")
    if exact.height:
        problems.add_rows(
            exact.with_columns(pl.format("{}/{}: line {} again", "reference", "casualty_ref", "first_line")
                               .alias("desc")),
            message=_EXACT,
            column=found["casualty_ref"], value_column="desc", accepted=accepted)
    other = later.filter(pl.col("differs") != "")
    if other.height:
        problems.add_rows(
            other.with_columns(pl.format("{}/{}: first on line {}, which differs in {}", "reference",
                                         "casualty_ref", "first_line", "differs").alias("desc")),
            message=_DIFFERENT,
            column=found["casualty_ref"], value_column="desc", accepted=accepted)
